#!/bin/sh
# img_fixtures.sh — regenerates the tiny image fixtures used by tests/unit/test_image.c.
# Each is made with ImageMagick from exact PNM pixel values, with its PNG colour type forced,
# so the test can compare decoded pixels with known numbers. Run from tests/data/.
set -e
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
# 4x2 gray: 0 85 170 255 / 255 170 85 0
printf 'P2\n4 2\n255\n0 85 170 255\n255 170 85 0\n' >"$t/g.pgm"
convert "$t/g.pgm" -define png:color-type=0 -define png:bit-depth=8 img_gray8.png
# same values at 16 bits (v*257), must decode to the same 8-bit values
printf 'P2\n4 2\n65535\n0 21845 43690 65535\n65535 43690 21845 0\n' >"$t/g16.pgm"
convert "$t/g16.pgm" -define png:color-type=0 -define png:bit-depth=16 img_gray16.png
# 1-bit gray: checkerboard 8x2
printf 'P2\n8 2\n1\n0 1 0 1 0 1 0 1\n1 0 1 0 1 0 1 0\n' >"$t/b.pgm"
convert "$t/b.pgm" -define png:color-type=0 -define png:bit-depth=1 img_gray1.png
# 3x2 RGB: red green blue / white black (10,20,30)
printf 'P3\n3 2\n255\n255 0 0 0 255 0 0 0 255\n255 255 255 0 0 0 10 20 30\n' >"$t/c.ppm"
convert "$t/c.ppm" -define png:color-type=3 img_palette.png
printf 'P3\n3 2\n65535\n65535 0 0 0 65535 0 0 0 65535\n65535 65535 65535 0 0 0 2570 5140 7710\n' >"$t/c16.ppm"
convert "$t/c16.ppm" -define png:color-type=2 -define png:bit-depth=16 img_rgb16.png
convert "$t/c.ppm" -interlace PNG -define png:color-type=2 img_interlaced.png
# alpha: the same colours with alpha 255 0 128 / 255 255 0 (RGBA, then gray+alpha)
printf 'P2\n3 2\n255\n255 0 128\n255 255 0\n' >"$t/a.pgm"
convert "$t/c.ppm" "$t/a.pgm" -alpha off -compose copy_opacity -composite \
	-define png:color-type=6 img_rgba.png
convert "$t/g.pgm" -crop 3x2+0+0 +repage "$t/a.pgm" -alpha off -compose copy_opacity -composite \
	-define png:color-type=4 img_graya.png
# palette with a tRNS chunk: alpha 255 0 255 / 255 255 0
printf 'P2\n3 2\n255\n255 0 255\n255 255 0\n' >"$t/a1.pgm"
convert "$t/c.ppm" "$t/a1.pgm" -alpha off -compose copy_opacity -composite PNG8:img_palette_trns.png
# JPEGs: gray, CMYK and progressive, 16x16 flat colours (JPEG is lossy; tests use a tolerance)
convert -size 16x16 xc:'rgb(100,100,100)' -colorspace gray -quality 95 img_gray.jpg
convert -size 16x16 xc:'rgb(200,40,40)' -colorspace CMYK -quality 95 img_cmyk.jpg
convert -size 16x16 xc:'rgb(40,200,40)' -interlace JPEG -quality 95 img_progressive.jpg

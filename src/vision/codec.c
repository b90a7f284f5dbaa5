/* codec.c — PNG (png_read.c for the common case, else libpng) and JPEG (libjpeg-turbo)
 * decode and encode, files, data URLs.
 *
 * Every decoder reads the claimed size first and refuses sizes past MAGI_IMAGE_MAX_PIXELS
 * or MAGI_IMAGE_MAX_SIDE before it allocates anything for pixels. Both libraries report
 * errors by longjmp; each decoder keeps what must be freed in a context struct that lives
 * in memory (its address is handed to the library), so nothing is lost across the jump.
 * Output is always RGB8: gray, palette, 16-bit and alpha PNGs are converted (alpha is
 * composited over white, the usual page background); gray and CMYK JPEGs likewise. */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <png.h>
#include <jpeglib.h>
#include <jerror.h>
#include "magi/vision.h"
#include "vision/vision_internal.h"
#include "core/common.h"

/* Deflate cannot expand data by more than about 1032:1; a PNG whose remaining bytes could
 * not hold the pixel rows it claims is truncated, and we can say so before allocating. */
#define DEFLATE_MAX_RATIO 1100u
#define IMAGE_FILE_MAX ((size_t)512 << 20)

static const char *name_of(const char *what)
{
	return what && *what ? what : "image";
}

static bool size_ok(uint64_t w, uint64_t h)
{
	return w > 0 && h > 0 && w <= MAGI_IMAGE_MAX_SIDE && h <= MAGI_IMAGE_MAX_SIDE &&
	       w * h <= MAGI_IMAGE_MAX_PIXELS;
}

static magi_status limit_error(struct magi_error *err, const char *what, uint64_t w, uint64_t h)
{
	return magi_error_set(err, MAGI_ERR_LIMIT,
			      "%s: %llux%llu is larger than the %u-Mpx limit (at most %u px a side)",
			      name_of(what), (unsigned long long)w, (unsigned long long)h,
			      MAGI_IMAGE_MAX_PIXELS >> 20, MAGI_IMAGE_MAX_SIDE);
}

/* ---- PNG decode ------------------------------------------------------------------------ */

struct png_dec {
	const uint8_t *p;
	size_t n, off;
	magi_status status;
	char msg[200];
	struct magi_image *img;
	uint8_t *tmp;
	png_bytep *rows;
};

static void png_dec_error(png_structp png, png_const_charp msg)
{
	struct png_dec *d = png_get_error_ptr(png);
	if (d->status == MAGI_OK) {
		d->status = MAGI_ERR_IMAGE;
		snprintf(d->msg, sizeof d->msg, "bad PNG data: %s", msg);
	}
	png_longjmp(png, 1);
}

static void png_quiet_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

static void png_dec_read(png_structp png, png_bytep out, size_t len)
{
	struct png_dec *d = png_get_io_ptr(png);
	if (len > d->n - d->off) {
		d->status = MAGI_ERR_IMAGE;
		snprintf(d->msg, sizeof d->msg, "truncated PNG data");
		png_error(png, "truncated");
	}
	memcpy(out, d->p + d->off, len);
	d->off += len;
}

magi_status magi__png_decode_libpng(const uint8_t *data, size_t n, const char *what,
				    struct magi_image **out, struct magi_error *err)
{
	/* On the heap: everything changed between setjmp and a longjmp lives behind d. */
	struct png_dec *d = calloc(1, sizeof *d);
	if (!d)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", name_of(what));
	d->p = data;
	d->n = n;
	png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, d, png_dec_error,
						 png_quiet_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_read_struct(&png, NULL, NULL);
		free(d);
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", name_of(what));
	}
	if (setjmp(png_jmpbuf(png))) {
		magi_status s = magi_error_set(err, d->status ? d->status : MAGI_ERR_IMAGE, "%s: %s",
					       name_of(what), d->msg[0] ? d->msg : "bad PNG data");
		png_destroy_read_struct(&png, &info, NULL);
		free(d->tmp);
		free(d->rows);
		magi_image_free(d->img);
		free(d);
		return s;
	}
	png_set_read_fn(png, d, png_dec_read);
	/* Our own limit check below gives the better message; libpng's default is 1M a side. */
	png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
#ifdef PNG_IGNORE_ADLER32
	/* zlib's Adler-32 over the inflated rows is skipped (a twentieth of the decode): the
	 * chunks' CRC-32s, still checked, already cover every byte of the compressed data */
	png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
	png_read_info(png, info);

	png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
	int depth = png_get_bit_depth(png, info), ctype = png_get_color_type(png, info);
	magi_status s = MAGI_OK;
	if (!size_ok(w, h)) {
		s = limit_error(err, what, w, h);
	} else {
		uint64_t raw = (uint64_t)h *
			       (1 + ((uint64_t)w * png_get_channels(png, info) * depth + 7) / 8);
		if (raw > (uint64_t)(n - d->off) * DEFLATE_MAX_RATIO)
			s = magi_error_set(err, MAGI_ERR_IMAGE,
					   "%s: truncated PNG data (%ux%u cannot fit in %zu bytes)",
					   name_of(what), (unsigned)w, (unsigned)h, n);
	}
	if (s) {
		png_destroy_read_struct(&png, &info, NULL);
		free(d);
		return s;
	}

	if (ctype == PNG_COLOR_TYPE_PALETTE)
		png_set_palette_to_rgb(png);
	if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8)
		png_set_expand_gray_1_2_4_to_8(png);
	if (png_get_valid(png, info, PNG_INFO_tRNS))
		png_set_tRNS_to_alpha(png);
	if (depth == 16)
		png_set_scale_16(png);
	if (ctype == PNG_COLOR_TYPE_GRAY || ctype == PNG_COLOR_TYPE_GRAY_ALPHA)
		png_set_gray_to_rgb(png);
	int passes = png_set_interlace_handling(png);
	png_read_update_info(png, info);
	int ch = png_get_channels(png, info);
	if ((ch != 3 && ch != 4) || png_get_rowbytes(png, info) != (size_t)w * ch)
		png_error(png, "unexpected pixel layout after conversion");

	/* a non-interlaced image writes every row once: no need to clear them first */
	s = passes == 1 ? magi__image_new_raw(w, h, &d->img) : magi_image_new(w, h, &d->img);
	if (s) {
		d->status = s;
		snprintf(d->msg, sizeof d->msg, "cannot allocate %ux%u image", (unsigned)w, (unsigned)h);
		png_error(png, "alloc");
	}
	struct magi_image *img = d->img;
	if (ch == 3) {
		/* Interlaced passes combine in place, so the image rows serve as the buffer. */
		for (int p = 0; p < passes; p++)
			for (uint32_t y = 0; y < h; y++)
				png_read_row(png, img->px + (size_t)y * img->stride, NULL);
	} else if (passes == 1) {
		d->tmp = malloc((size_t)w * 4);
		if (!d->tmp) {
			d->status = MAGI_ERR_NOMEM;
			snprintf(d->msg, sizeof d->msg, "out of memory");
			png_error(png, "alloc");
		}
		for (uint32_t y = 0; y < h; y++) {
			png_read_row(png, d->tmp, NULL);
			magi__rgba_over_white(d->tmp, img->px + (size_t)y * img->stride, w);
		}
	} else {
		d->tmp = malloc((size_t)w * 4 * h);
		d->rows = malloc(sizeof(png_bytep) * h);
		if (!d->tmp || !d->rows) {
			d->status = MAGI_ERR_NOMEM;
			snprintf(d->msg, sizeof d->msg, "out of memory");
			png_error(png, "alloc");
		}
		for (uint32_t y = 0; y < h; y++)
			d->rows[y] = d->tmp + (size_t)y * w * 4;
		png_read_image(png, d->rows);
		for (uint32_t y = 0; y < h; y++)
			magi__rgba_over_white(d->rows[y], img->px + (size_t)y * img->stride, w);
	}
	/* The trailing chunks (and IEND) carry nothing we use; a file cut after its pixel
	 * data still gives a whole picture, so they are not read. */
	png_destroy_read_struct(&png, &info, NULL);
	free(d->tmp);
	free(d->rows);
	free(d);
	*out = img;
	return MAGI_OK;
}

/* The common PNG (8-bit RGB/RGBA) by png_read.c; the rest, and every bad file, by libpng. */
static magi_status png_decode(const uint8_t *data, size_t n, const char *what,
			      struct magi_image **out, struct magi_error *err)
{
	if (magi__png_read_fast(data, n, out) == MAGI_OK)
		return MAGI_OK;
	return magi__png_decode_libpng(data, n, what, out, err);
}

/* ---- JPEG decode ----------------------------------------------------------------------- */

struct jpeg_err {
	struct jpeg_error_mgr pub;
	jmp_buf jb;
	magi_status status;
	char msg[JMSG_LENGTH_MAX + 32];
};

static void jpeg_err_exit(j_common_ptr cinfo)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
	if (e->status == MAGI_OK) {
		char m[JMSG_LENGTH_MAX];
		cinfo->err->format_message(cinfo, m);
		e->status = cinfo->err->msg_code == JERR_IMAGE_TOO_BIG ? MAGI_ERR_LIMIT : MAGI_ERR_IMAGE;
		snprintf(e->msg, sizeof e->msg, "bad JPEG data: %s", m);
	}
	longjmp(e->jb, 1);
}

/* Warnings are tolerated (a slightly damaged JPEG still shows its picture) except the
 * end of data: libjpeg would pad the rest with gray, which hides a truncated file. */
static void jpeg_emit(j_common_ptr cinfo, int level)
{
	struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
	if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
		e->status = MAGI_ERR_IMAGE;
		snprintf(e->msg, sizeof e->msg, "truncated JPEG data");
		longjmp(e->jb, 1);
	}
}

static void jpeg_quiet(j_common_ptr cinfo)
{
	(void)cinfo;
}

/* Walks the marker segments up to the first frame header for the claimed size, so the
 * limit check never depends on how far libjpeg reads before it allocates. Returns false
 * when no frame header is found (libjpeg then says what is wrong). */
static bool jpeg_peek_size(const uint8_t *p, size_t n, uint32_t *w, uint32_t *h)
{
	size_t i = 2;
	while (i + 4 <= n) {
		if (p[i] != 0xFF)
			return false;
		uint8_t m = p[i + 1];
		if (m == 0xFF) { /* fill byte */
			i++;
			continue;
		}
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) { /* markers without a length */
			i += 2;
			continue;
		}
		if (m == 0xDA || m == 0xD9)
			return false;
		size_t len = (size_t)p[i + 2] << 8 | p[i + 3];
		if (len < 2)
			return false;
		bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
		if (sof) {
			if (i + 9 > n)
				return false;
			*h = (uint32_t)p[i + 5] << 8 | p[i + 6];
			*w = (uint32_t)p[i + 7] << 8 | p[i + 8];
			return true;
		}
		i += 2 + len;
	}
	return false;
}

struct jpeg_dec {
	struct jpeg_decompress_struct cinfo;
	struct jpeg_err jerr;
	struct magi_image *img;
	uint8_t *tmp;
};

static magi_status jpeg_decode(const uint8_t *data, size_t n, const char *what,
			       struct magi_image **out, struct magi_error *err)
{
	uint32_t pw, ph;
	if (jpeg_peek_size(data, n, &pw, &ph) && pw && ph && !size_ok(pw, ph))
		return limit_error(err, what, pw, ph);

	struct jpeg_dec *d = calloc(1, sizeof *d);
	if (!d)
		return magi_error_set(err, MAGI_ERR_NOMEM, "%s: out of memory", name_of(what));
	d->cinfo.err = jpeg_std_error(&d->jerr.pub);
	d->jerr.pub.error_exit = jpeg_err_exit;
	d->jerr.pub.emit_message = jpeg_emit;
	d->jerr.pub.output_message = jpeg_quiet;
	if (setjmp(d->jerr.jb)) {
		magi_status s = magi_error_set(err, d->jerr.status ? d->jerr.status : MAGI_ERR_IMAGE,
					       "%s: %s", name_of(what),
					       d->jerr.msg[0] ? d->jerr.msg : "bad JPEG data");
		jpeg_destroy_decompress(&d->cinfo);
		magi_image_free(d->img);
		free(d->tmp);
		free(d);
		return s;
	}
	jpeg_create_decompress(&d->cinfo);
	jpeg_mem_src(&d->cinfo, data, (unsigned long)n);
	jpeg_read_header(&d->cinfo, TRUE);
	struct jpeg_decompress_struct *ci = &d->cinfo;
	if (!size_ok(ci->image_width, ci->image_height)) {
		magi_status s = limit_error(err, what, ci->image_width, ci->image_height);
		jpeg_destroy_decompress(ci);
		free(d);
		return s;
	}
	bool cmyk = ci->jpeg_color_space == JCS_CMYK || ci->jpeg_color_space == JCS_YCCK;
	ci->out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
	jpeg_start_decompress(ci);
	if (ci->output_components != (cmyk ? 4 : 3)) {
		d->jerr.status = MAGI_ERR_UNSUPPORTED;
		snprintf(d->jerr.msg, sizeof d->jerr.msg, "unsupported JPEG colour layout (%d components)",
			 ci->output_components);
		longjmp(d->jerr.jb, 1);
	}
	magi_status s = magi_image_new(ci->output_width, ci->output_height, &d->img);
	if (s == MAGI_OK && cmyk && !(d->tmp = malloc((size_t)ci->output_width * 4)))
		s = MAGI_ERR_NOMEM;
	if (s) {
		d->jerr.status = s;
		snprintf(d->jerr.msg, sizeof d->jerr.msg, "cannot allocate %ux%u image",
			 (unsigned)ci->output_width, (unsigned)ci->output_height);
		longjmp(d->jerr.jb, 1);
	}
	struct magi_image *img = d->img;
	/* Adobe's CMYK JPEGs (Photoshop, ImageMagick) store the inks inverted. */
	bool inverted = ci->saw_Adobe_marker;
	while (ci->output_scanline < ci->output_height) {
		uint8_t *row = img->px + (size_t)ci->output_scanline * img->stride;
		JSAMPROW rp = cmyk ? d->tmp : row;
		jpeg_read_scanlines(ci, &rp, 1);
		if (!cmyk)
			continue;
		for (uint32_t x = 0; x < img->w; x++) {
			unsigned c = d->tmp[4 * x], m = d->tmp[4 * x + 1], yy = d->tmp[4 * x + 2],
				 k = d->tmp[4 * x + 3];
			if (!inverted) {
				c = 255 - c;
				m = 255 - m;
				yy = 255 - yy;
				k = 255 - k;
			}
			row[3 * x] = (uint8_t)((c * k + 127) / 255);
			row[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
			row[3 * x + 2] = (uint8_t)((yy * k + 127) / 255);
		}
	}
	jpeg_finish_decompress(ci);
	jpeg_destroy_decompress(ci);
	free(d->tmp);
	free(d);
	*out = img;
	return MAGI_OK;
}

/* ---- decode entry points --------------------------------------------------------------- */

magi_status magi_image_decode(const void *data, size_t n, const char *what,
			      struct magi_image **out, struct magi_error *err)
{
	static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
	const uint8_t *p = data;
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: no output given", name_of(what));
	*out = NULL;
	if (!p || n == 0)
		return magi_error_set(err, MAGI_ERR_IMAGE, "%s: empty input, not an image", name_of(what));
	if (n >= 8 && memcmp(p, png_sig, 8) == 0)
		return png_decode(p, n, what, out, err);
	if (n >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF)
		return jpeg_decode(p, n, what, out, err);
	if (n < 8 && memcmp(p, png_sig, n) == 0)
		return magi_error_set(err, MAGI_ERR_IMAGE, "%s: truncated PNG data (%zu bytes)",
				      name_of(what), n);
	return magi_error_set(err, MAGI_ERR_IMAGE, "%s: not a PNG or JPEG image", name_of(what));
}

magi_status magi_image_load(const char *path, struct magi_image **out, struct magi_error *err)
{
	if (!out || !path)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_image_load: no path or output given");
	*out = NULL;
	struct magi_buf b;
	magi_buf_init(&b, IMAGE_FILE_MAX);
	magi_status s = magi_file_read(path, &b, err);
	if (s == MAGI_OK)
		s = magi_image_decode(b.data, b.len, path, out, err);
	magi_buf_release(&b);
	return s;
}

/* ---- PNG encode ------------------------------------------------------------------------ */

struct png_enc {
	struct magi_buf *out;
	magi_status status;
	char msg[200];
};

static void png_enc_error(png_structp png, png_const_charp msg)
{
	struct png_enc *e = png_get_error_ptr(png);
	if (e->status == MAGI_OK) {
		e->status = MAGI_ERR_IMAGE;
		snprintf(e->msg, sizeof e->msg, "%s", msg);
	}
	png_longjmp(png, 1);
}

static void png_enc_write(png_structp png, png_bytep p, size_t n)
{
	struct png_enc *e = png_get_io_ptr(png);
	magi_status s = magi_buf_append(e->out, p, n);
	if (s) {
		e->status = s;
		snprintf(e->msg, sizeof e->msg, "%s", magi_strerror(s));
		png_error(png, "write");
	}
}

static void png_enc_flush(png_structp png)
{
	(void)png;
}

static magi_status check_image(const struct magi_image *img, struct magi_error *err,
			       const char *fn)
{
	if (!img || !img->px || img->w == 0 || img->h == 0 || img->stride < img->w * 3)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: no image or an empty one", fn);
	return MAGI_OK;
}

magi_status magi_image_encode_png(const struct magi_image *img, struct magi_buf *out,
				  struct magi_error *err)
{
	magi_status s = check_image(img, err, "PNG encode");
	if (s)
		return s;
	struct png_enc *e = calloc(1, sizeof *e);
	if (!e)
		return magi_error_set(err, MAGI_ERR_NOMEM, "PNG encode: out of memory");
	e->out = out;
	size_t start = out->len;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, e, png_enc_error,
						  png_quiet_warning);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		free(e);
		return magi_error_set(err, MAGI_ERR_NOMEM, "PNG encode: out of memory");
	}
	if (setjmp(png_jmpbuf(png))) {
		s = magi_error_set(err, e->status ? e->status : MAGI_ERR_IMAGE, "PNG encode: %s", e->msg);
		png_destroy_write_struct(&png, &info);
		free(e);
		if (out->len > start) {
			out->len = start;
			out->data[start] = '\0';
		}
		return s;
	}
	png_set_write_fn(png, e, png_enc_write, png_enc_flush);
	png_set_IHDR(png, info, img->w, img->h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	/* Level 1 keeps encoding on the hot path cheap; the SUB filter alone costs little and
	 * still shrinks flat UI areas and gradients well. */
	png_set_compression_level(png, 1);
	png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
	png_write_info(png, info);
	for (uint32_t y = 0; y < img->h; y++)
		png_write_row(png, img->px + (size_t)y * img->stride);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(e);
	return MAGI_OK;
}

/* ---- JPEG encode ----------------------------------------------------------------------- */

#define JPEG_CHUNK ((size_t)64 << 10)

struct jpeg_dst {
	struct jpeg_destination_mgr pub;
	struct magi_buf *out;
	size_t given; /* bytes handed to libjpeg at out->data + out->len */
	magi_status status;
};

struct jpeg_enc {
	struct jpeg_compress_struct cinfo;
	struct jpeg_err jerr;
	struct jpeg_dst dst;
};

static void jpeg_dst_grant(j_compress_ptr cinfo, size_t want)
{
	struct jpeg_dst *d = (struct jpeg_dst *)cinfo->dest;
	magi_status s = magi_buf_reserve(d->out, want);
	if (s) {
		struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
		e->status = s;
		snprintf(e->msg, sizeof e->msg, "%s", magi_strerror(s));
		longjmp(e->jb, 1);
	}
	d->given = d->out->cap - d->out->len - 1;
	d->pub.next_output_byte = (JOCTET *)d->out->data + d->out->len;
	d->pub.free_in_buffer = d->given;
}

static void jpeg_dst_init(j_compress_ptr cinfo)
{
	jpeg_dst_grant(cinfo, JPEG_CHUNK);
}

static boolean jpeg_dst_empty(j_compress_ptr cinfo)
{
	struct jpeg_dst *d = (struct jpeg_dst *)cinfo->dest;
	d->out->len += d->given; /* libjpeg filled the whole grant */
	d->out->data[d->out->len] = '\0';
	jpeg_dst_grant(cinfo, MAGI_MAX(JPEG_CHUNK, d->out->len));
	return TRUE;
}

static void jpeg_dst_term(j_compress_ptr cinfo)
{
	struct jpeg_dst *d = (struct jpeg_dst *)cinfo->dest;
	d->out->len += d->given - d->pub.free_in_buffer;
	d->out->data[d->out->len] = '\0';
}

/* Where the encoder's rows come from: the image itself, or a resizer making them. */
struct jpeg_rows {
	const struct magi_image *img;
	struct magi__resizer *rz;
	uint8_t *band; /* JPEG_BAND resized rows */
};

/* Rows per jpeg_write_scanlines call: one 4:2:0 MCU row, what libjpeg buffers anyway. */
#define JPEG_BAND 16

/* Encodes w x h rows from src at quality, appending to out. fast: the integer fast DCT
 * (libjpeg-turbo's SIMD JDCT_IFAST; at model qualities its error is far below the
 * quantizer's). Huffman tables stay the standard ones (no optimize_coding pass). */
static magi_status jpeg_encode(struct jpeg_rows *src, uint32_t w, uint32_t h, int quality,
			       bool fast, struct magi_buf *out, struct magi_error *err)
{
	if (quality < 1 || quality > 100)
		return magi_error_set(err, MAGI_ERR_INVALID, "JPEG encode: quality %d is outside 1..100",
				      quality);
	struct jpeg_enc *e = calloc(1, sizeof *e);
	if (!e)
		return magi_error_set(err, MAGI_ERR_NOMEM, "JPEG encode: out of memory");
	size_t start = out->len;
	e->cinfo.err = jpeg_std_error(&e->jerr.pub);
	e->jerr.pub.error_exit = jpeg_err_exit;
	e->jerr.pub.output_message = jpeg_quiet;
	if (setjmp(e->jerr.jb)) {
		magi_status s = magi_error_set(err, e->jerr.status ? e->jerr.status : MAGI_ERR_IMAGE,
					       "JPEG encode: %s", e->jerr.msg);
		jpeg_destroy_compress(&e->cinfo);
		free(e);
		/* Leave out as it was before the call (it is empty if the buffer failed). */
		if (out->len > start) {
			out->len = start;
			out->data[start] = '\0';
		}
		return s;
	}
	jpeg_create_compress(&e->cinfo);
	e->dst.out = out;
	e->dst.pub.init_destination = jpeg_dst_init;
	e->dst.pub.empty_output_buffer = jpeg_dst_empty;
	e->dst.pub.term_destination = jpeg_dst_term;
	e->cinfo.dest = &e->dst.pub;
	e->cinfo.image_width = w;
	e->cinfo.image_height = h;
	e->cinfo.input_components = 3;
	e->cinfo.in_color_space = JCS_RGB;
	jpeg_set_defaults(&e->cinfo);
	jpeg_set_quality(&e->cinfo, quality, TRUE);
	if (fast)
		e->cinfo.dct_method = JDCT_IFAST;
	jpeg_start_compress(&e->cinfo, TRUE);
	JSAMPROW rows[JPEG_BAND];
	while (e->cinfo.next_scanline < h) {
		uint32_t y = e->cinfo.next_scanline, n = MAGI_MIN(h - y, (uint32_t)JPEG_BAND);
		for (uint32_t i = 0; i < n; i++) {
			if (src->rz) {
				rows[i] = src->band + (size_t)i * w * 3;
				magi__resize_row(src->rz, y + i, rows[i]);
			} else {
				rows[i] = src->img->px + (size_t)(y + i) * src->img->stride;
			}
		}
		jpeg_write_scanlines(&e->cinfo, rows, n);
	}
	jpeg_finish_compress(&e->cinfo);
	jpeg_destroy_compress(&e->cinfo);
	free(e);
	return MAGI_OK;
}

magi_status magi_image_encode_jpeg(const struct magi_image *img, int quality, struct magi_buf *out,
				   struct magi_error *err)
{
	magi_status s = check_image(img, err, "JPEG encode");
	if (s)
		return s;
	struct jpeg_rows src = {img, NULL, NULL};
	return jpeg_encode(&src, img->w, img->h, quality, false, out, err);
}

magi_status magi_image_prepare(const struct magi_image *img, const struct magi_image_policy *p,
			       struct magi_buf *out, uint32_t *sent_w, uint32_t *sent_h,
			       struct magi_error *err)
{
	if (sent_w)
		*sent_w = 0;
	if (sent_h)
		*sent_h = 0;
	magi_status s = check_image(img, err, "model image");
	if (s)
		return s;
	struct magi_image_policy d = magi_image_policy_default();
	if (!p)
		p = &d;
	uint32_t w, h;
	magi_image_policy_fit(p, img->w, img->h, &w, &h);
	struct jpeg_rows src = {img, NULL, NULL};
	if (w != img->w || h != img->h) {
		/* the resized image exists only as one band of rows at a time */
		s = magi__resize_begin(img, w, h, &src.rz);
		if (!s && !(src.band = malloc((size_t)JPEG_BAND * w * 3)))
			s = MAGI_ERR_NOMEM;
		if (s) {
			magi__resize_end(src.rz);
			return magi_error_set(err, s, "model image: cannot resize %ux%u to %ux%u (%s)",
					      img->w, img->h, w, h, magi_strerror(s));
		}
	}
	s = jpeg_encode(&src, w, h, p->jpeg_quality, true, out, err);
	magi__resize_end(src.rz);
	free(src.band);
	if (!s) {
		if (sent_w)
			*sent_w = w;
		if (sent_h)
			*sent_h = h;
	}
	return s;
}

/* ---- files and data URLs --------------------------------------------------------------- */

static bool ext_is(const char *path, const char *ext)
{
	size_t n = strlen(path), m = strlen(ext);
	return n >= m && strcasecmp(path + n - m, ext) == 0;
}

magi_status magi_image_save(const struct magi_image *img, const char *path, struct magi_error *err)
{
	if (!path)
		return magi_error_set(err, MAGI_ERR_INVALID, "magi_image_save: no path given");
	struct magi_buf b;
	magi_buf_init(&b, 0);
	magi_status s;
	if (ext_is(path, ".png"))
		s = magi_image_encode_png(img, &b, err);
	else if (ext_is(path, ".jpg") || ext_is(path, ".jpeg"))
		s = magi_image_encode_jpeg(img, 90, &b, err);
	else
		s = magi_error_set(err, MAGI_ERR_INVALID,
				   "%s: cannot tell the image format from the name (use .png, .jpg or .jpeg)",
				   path);
	if (s == MAGI_OK)
		s = magi_file_write(path, b.data, b.len, err);
	else
		magi_error_prefix(err, "saving %s", path);
	magi_buf_release(&b);
	return s;
}

magi_status magi_image_data_url(const struct magi_image *img, int quality, struct magi_buf *out,
				struct magi_error *err)
{
	struct magi_buf jpg;
	magi_buf_init(&jpg, 0);
	magi_status s = magi_image_encode_jpeg(img, quality, &jpg, err);
	if (s == MAGI_OK) {
		s = magi_buf_puts(out, "data:image/jpeg;base64,");
		if (s == MAGI_OK)
			s = magi_base64_encode(jpg.data, jpg.len, out);
		if (s)
			magi_error_set(err, s, "data URL: %s", magi_strerror(s));
	}
	magi_buf_release(&jpg);
	return s;
}

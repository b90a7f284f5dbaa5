#!/usr/bin/env python3
"""rss_peak.py CMD... — runs CMD (a magi run), polls its resident memory every few ms and,
at the largest RSS seen, reads /proc/PID/smaps; prints what was resident then, by kind:
the malloc heap and anonymous mappings (arenas, large blocks), shared memory (the X
screenshot), Tesseract's libraries (libtesseract and the libraries only it brings), and the
rest of the executable's libraries. Polling costs CPU, so a run measured this way is not
one to take step times from (bench_gui.sh runs it separately). Exit status: CMD's."""
import os
import subprocess
import sys
import time

# libraries a run loads only for OCR (libtesseract's own dependencies that magi does not link)
OCR_LIBS = ("libtesseract", "liblept", "libstdc++", "libgcc_s", "libgomp", "libarchive", "libacl", "liblzma",
            "liblz4", "libbz2", "libxml2", "libgif", "libtiff", "libwebp", "libopenjp2", "libicu", "libLerc",
            "libjbig", "libdeflate", "libsharpyuv")


def kind(path):
    if path in ("[heap]", "[anon]"):
        return "heap + anonymous (malloc arenas, large blocks)"
    if path.startswith("/SYSV"):
        return "shared memory (the X screenshot)"
    if path.startswith("["):
        return "stacks and kernel mappings"
    base = os.path.basename(path)
    if any(base.startswith(p) for p in OCR_LIBS):
        return "Tesseract and the libraries only it loads"
    return "magi and its other libraries"


def main():
    p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    best, smaps, t0, at = 0, "", time.time(), 0.0
    while p.poll() is None:
        try:
            with open("/proc/%d/status" % p.pid) as f:
                rss = int(f.read().split("VmRSS:")[1].split()[0])
            if rss > best + 128:
                with open("/proc/%d/smaps" % p.pid) as f:
                    smaps = f.read()
                best, at = rss, time.time() - t0
        except (OSError, IndexError, ValueError):
            pass
        time.sleep(0.003)
    kinds, per, path = {}, {}, "[anon]"
    for line in smaps.splitlines():
        f = line.split()
        if f and "-" in f[0] and ":" not in f[0] and len(f) >= 5:
            path = f[5] if len(f) > 5 else "[anon]"
        elif f and f[0] == "Rss:":
            kb = int(f[1])
            kinds[kind(path)] = kinds.get(kind(path), 0) + kb
            per[path] = per.get(path, 0) + kb
    print("largest RSS seen %.1f MB, %.1f s into the run:" % (best / 1024, at))
    for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]):
        print("  %6.1f MB  %s" % (v / 1024, k))
    top = [kv for kv in sorted(per.items(), key=lambda kv: -kv[1]) if kv[1] >= 200][:24]
    print("  largest mappings: " + ", ".join("%s %.1f" % (os.path.basename(k) or k, v / 1024) for k, v in top))
    return p.returncode


if __name__ == "__main__":
    sys.exit(main())

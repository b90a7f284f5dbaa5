"""OCR for oracle policies: run the `tesseract` command on image bytes and find text
on the screen.

Words come from `tesseract IMG - tsv` (one thread: OMP_THREAD_LIMIT=1). A target is
matched case-insensitively, ignoring punctuation around words, against single words
and against runs of consecutive words of one line ("Save As"), also when OCR split or
joined words differently from the target ("Can cel", "SaveAs").
"""

import hashlib
import os
import shutil
import string
import subprocess
import tempfile

from oraclelib import OracleError

# seconds per run; ORACLE_TESSERACT_TIMEOUT raises it for benchmarks on a loaded machine
TESSERACT_TIMEOUT = float(os.environ.get("ORACLE_TESSERACT_TIMEOUT", "60"))
_STRIP = string.punctuation + "\u201c\u201d\u2018\u2019\u2026\u00ab\u00bb|"


class Word:
    __slots__ = ("text", "left", "top", "width", "height", "conf", "line")

    def __init__(self, text, left, top, width, height, conf, line):
        self.text, self.left, self.top, self.width, self.height = text, left, top, width, height
        self.conf, self.line = conf, line


def norm(s):
    """Comparable form of a word: case-folded, punctuation stripped at both ends."""
    return s.casefold().strip(_STRIP)


def run_tesseract(data, ext, psm=None, scale=1):
    """Words of an image (bytes, file extension without dot) in reading order, boxes in
    the image's own pixels. `scale` > 1 upscales with ImageMagick first, which helps
    tesseract with small text; boxes are scaled back. Raises OracleError(500) when
    tesseract cannot run."""
    exe = shutil.which("tesseract")
    if not exe:
        raise OracleError("the tesseract command is not installed", 500)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory(prefix="oracle-ocr-") as tmp:
        path = os.path.join(tmp, "screen." + ext)
        with open(path, "wb") as f:
            f.write(data)
        if scale != 1:
            big = os.path.join(tmp, "big.png")
            conv = shutil.which("convert")
            if not conv:
                return []
            subprocess.run([conv, path, "-resize", "%d%%" % (scale * 100), big],
                           check=True, timeout=TESSERACT_TIMEOUT, capture_output=True)
            path = big
        cmd = [exe, path, "-", "--psm", str(psm)] if psm else [exe, path, "-"]
        try:
            r = subprocess.run(cmd + ["tsv"], env=env, capture_output=True,
                               timeout=TESSERACT_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise OracleError("tesseract took over %d s" % TESSERACT_TIMEOUT, 500)
        if r.returncode != 0:
            raise OracleError("tesseract failed (exit %d): %s"
                              % (r.returncode, r.stderr.decode(errors="replace")[-300:]), 500)
    return parse_tsv(r.stdout.decode("utf-8", "replace"), scale)


def parse_tsv(tsv, scale=1):
    words = []
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12 or f[0] != "5" or not f[11].strip():
            continue
        left, top, width, height = (int(v) / scale for v in f[6:10])
        line = (int(f[1]), int(f[2]), int(f[3]), int(f[4]))
        words.append(Word(f[11].strip(), left, top, width, height, float(f[10]), line))
    return words


def find_text(words, target):
    """All boxes (left, top, right, bottom) where `target` appears, in reading order."""
    want = "".join(norm(t) for t in target.split())
    if not want:
        return []
    boxes = []
    n = len(words)
    for i in range(n):
        acc = ""
        for j in range(i, n):
            if words[j].line != words[i].line:
                break
            acc += norm(words[j].text)
            if acc == want:
                run = words[i:j + 1]
                boxes.append((min(w.left for w in run), min(w.top for w in run),
                              max(w.left + w.width for w in run),
                              max(w.top + w.height for w in run)))
                break
            if not want.startswith(acc):
                break
    return boxes


def locate(data, ext, target, cache=None):
    """Boxes of `target` on an image, trying tesseract's default page layout, then
    sparse text (--psm 11, better for scattered UI labels), then a 2x upscale for small
    text. Returns (boxes, words of the first run) so a caller can say what it saw.
    `cache` (a dict) keeps OCR results per (image, mode) across calls."""
    first = None
    digest = hashlib.sha256(data).hexdigest()
    if cache is not None and len(cache) > 256:
        cache.clear()  # a long run shows many screens; old ones are not asked again
    for psm, scale in ((None, 1), (11, 1), (11, 2)):
        key = (digest, psm, scale)
        if cache is not None and key in cache:
            words = cache[key]
        else:
            words = run_tesseract(data, ext, psm, scale)
            if cache is not None:
                cache[key] = words
        if first is None:
            first = words
        boxes = find_text(words, target)
        if boxes:
            return boxes, first
    return [], first

"""Oracle policy for examples/recipe.c (act-then-verify), loaded by path:
    oracle.py --policy tests/x11/verify_policy.py --task TASK.json

Task file: the `gui` policy's task (coords, steps) plus "verify_target": the text of the
element the task means (as a model reads it from the task text: "close the dialog with
Cancel" means the Cancel button).

Decision requests go to the `gui` policy unchanged (its steps may propose a wrong element
first, as a mistaken model would). A verifier request (it asks for "### Verdict ###")
carries two images, the screenshot and the same screenshot with the proposed action drawn
on it; the policy finds the drawing as the pixels that differ between the two (ImageMagick),
reads the clean screenshot with tesseract, and approves when the drawing's centre lies on
the target text, else vetoes, saying what it found. It knows nothing else.
"""

import importlib.util
import os
import subprocess
import tempfile

import ocr
import oraclelib
from oraclelib import OracleError

_spec = importlib.util.spec_from_file_location(
    "verify_gui", os.path.join(os.path.dirname(os.path.abspath(ocr.__file__)), "policies", "gui.py"))
gui = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gui)

MARGIN = 12  # pixels around the target's box that still count as on it


def init(state):
    gui.init(state)
    if not isinstance(state["task"].get("verify_target"), str):
        raise ValueError('the verify policy needs "verify_target": the text of the element the task means')


def _mark_centre(clean, drawn):
    """Centre (x, y) of the pixels that differ between the two images, or None."""
    with tempfile.TemporaryDirectory() as d:
        a, b = os.path.join(d, "a." + clean.ext), os.path.join(d, "b." + drawn.ext)
        open(a, "wb").write(clean.data)
        open(b, "wb").write(drawn.data)
        # JPEG noise stays well under a third of full scale; the red drawing does not
        out = subprocess.run(["convert", a, b, "-compose", "difference", "-composite", "-colorspace", "gray",
                              "-threshold", "33%", "-format", "%@", "info:"],
                             capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise OracleError("verify policy: ImageMagick failed: " + out.stderr.strip(), status=500)
    geo = out.stdout.strip()  # WxH+X+Y of the changed pixels
    try:
        wh, x, y = geo.split("+")[0], int(geo.split("+")[1]), int(geo.split("+")[2])
        w, h = (int(v) for v in wh.split("x"))
    except (ValueError, IndexError):
        return None
    if w <= 0 or h <= 0 or w >= clean.w or h >= clean.h:
        return None
    return x + w / 2, y + h / 2


def answer(body, state):
    texts = [oraclelib.message_text(m) for m in oraclelib.messages(body)
             if isinstance(m, dict) and m.get("role") in ("user", "system")]
    if not any("### Verdict ###" in t for t in texts):
        return gui.answer(body, state)
    images = oraclelib.request_images(body)
    if len(images) != 2:
        raise OracleError("verify policy: a verifier request must carry 2 images, this one has %d" % len(images))
    clean, drawn = images
    target = state["task"]["verify_target"]
    centre = _mark_centre(clean, drawn)
    boxes, seen = ocr.locate(clean.data, clean.ext, target, state["ocr_cache"])
    log = {"role": "verifier", "mark": centre, "target_boxes": boxes}
    if centre is None:
        verdict, reason = "veto", "I see no red mark on the screenshot."
    elif any(l - MARGIN <= centre[0] <= r + MARGIN and t - MARGIN <= centre[1] <= b + MARGIN
             for l, t, r, b in boxes):
        verdict, reason = "approve", 'The red mark is on "%s", the element the task means.' % target
    else:
        under = [w.text for w in seen if w.left - MARGIN <= centre[0] <= w.left + w.width + MARGIN
                 and w.top - MARGIN <= centre[1] <= w.top + w.height + MARGIN]
        verdict = "veto"
        reason = 'The red mark is on "%s", not on "%s".' % (" ".join(under) or "no text", target)
    log["verdict"] = verdict
    return {"content": "### Verdict ###\n%s\n### Reason ###\n%s" % (verdict, reason), "log": log}

"""Oracle policy `ground`: a stand-in GUI grounder, and the planner and verifier of
ScreenSeekeR's search, deciding ONLY from the image it is sent and the instruction text.

No task file: the instruction names its target in quotes ('Click "Lasso" in the Tools
panel'), which is what the stand-in reads as the meaning; where the target is, and
whether it is visible at all, comes from running tesseract on the image the request
carries — after magi resized it to the model's pixel budget. Small text on a 4K screen
shrunk to a megapixel is unreadable to it, as to a real model; a zoomed-in crop is not.

Roles, told by what the prompt asks for (last user text first):
  "target_elsewhere"  verifier: finds the red frame drawn on the crop (ImageMagick: pixels
                      close to pure red that form long horizontal runs), reads what is inside it
                      on its own (a model looks through the mark), and answers
                      {"result": "is_target"} when the target's text lies inside the box
                      (or, for a frame smaller than the words, the frame's centre is on them),
                      "target_elsewhere" with "new_instruction" when it is read elsewhere
                      in the crop, else "target_not_found".
  "<area>"            planner: lists <element>"label"</element> and, when the instruction
                      names where it is ("... in the Layers panel"), <area>Layers
                      panel</area>; "No target" when the instruction quotes nothing.
  "### Action ###"    a general screen agent (magi's single recipe): clicks what the
                      grounder finds, or gives up (done, success false).
  "point"             grounder: {"point": [x, y], "box": [x1, y1, x2, y2]} at the centre of
                      the words matching the description (its quoted text, else the
                      description without words such as panel/area/the), in the coordinate
                      space the prompt states (pixels of the image sent, 0-1000, or 0-1);
                      {"point": null} when it cannot read it anywhere.
A model trained on its own grounding form: with a task file {"format": "os-atlas"} (any
of formats.FORMATS but magi) the stand-in is that model: a request in its grounding
prompt (OS-Atlas's and SeeClick's 'command "..."', the Qwen family's 'Locate "..."',
UI-TARS's '## User Instruction') is answered in its own reply form and numbers
(formats.reply: the box's centre on the image sent, in that format's coordinates, e.g.
0-1000 or pixels of the model's smart_resize); text it cannot find gets a reply with no
point, as a model's that did not see it. Other requests (ScreenSeekeR's planner and
verifier in magi's prompts) are answered as below. The task file holds the format only.
Text matching is ocr.find_text's (case-insensitive, punctuation ignored, across word
splits), on tesseract's sparse-text reading of the image and then of a 2x upscale; OCR
results are cached per image.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile

import formats
import ocr
import oraclelib
from oraclelib import OracleError

QUOTED = re.compile(r'["\u201c]([^"\u201d]+)["\u201d]')
GENERIC = {"the", "a", "an", "panel", "area", "region", "pane", "window", "in", "of", "section", "list",
           "bar", "tab", "button", "entry", "icon", "tool", "item", "menu", "toolbar", "sidebar"}


def init(state):
    if not shutil.which("tesseract"):
        raise ValueError("the tesseract command is not installed")
    if not shutil.which("convert"):
        raise ValueError("ImageMagick's convert is not installed")
    state["ocr"] = {}


# where each grounding prompt (prompts/formats/*-ground.txt) puts the target's description
FORMAT_TARGET = (re.compile(r'corresponding to the command "(.*)" \(with (?:bbox|point)\)', re.S),
                 re.compile(r'Locate "(.*)" in the image', re.S),
                 re.compile(r"## User Instruction\n(.+)", re.S))


def _format(state):
    fmt = (state.get("task") or {}).get("format", "magi")
    if fmt not in formats.FORMATS:
        raise OracleError('ground policy: task "format" must be one of %s' % ", ".join(formats.FORMATS))
    return fmt


def _format_target(texts):
    """The description a format's grounding prompt asks for, or None for another prompt."""
    for t in texts:
        for rx in FORMAT_TARGET:
            m = rx.search(t)
            if m:
                return m.group(1).strip()
    return None


def _ground_format(body, desc, fmt, state):
    """A grounding request in the model's own prompt, answered in its own form."""
    images = oraclelib.request_images(body)
    if not images:
        raise OracleError("ground policy: a grounding request must carry the screenshot")
    img = images[-1]
    target = _target(desc)
    boxes, _ = _find(img, target, state)
    log = {"target": target, "image": [img.w, img.h], "found": bool(boxes), "format": fmt}
    if not boxes:
        return "I cannot find %s in this screenshot." % json.dumps(target), log
    l, t, r, b = boxes[0]
    xy = formats.to_space(fmt, (l + r) / 2 / img.w, (t + b) / 2 / img.h, img.w, img.h)
    box = formats.to_space(fmt, l / img.w, t / img.h, img.w, img.h) + formats.to_space(fmt, r / img.w, b / img.h,
                                                                                       img.w, img.h)
    log.update(box_px=[l, t, r, b], xy=list(xy), space=list(formats.space(fmt, img.w, img.h)))
    return formats.reply(fmt, {"action": "click"}, "I see the target.", "Click the target", xy, box,
                         "\n".join(_texts(body))), log


def _texts(body):
    return [oraclelib.message_text(m) for m in reversed(oraclelib.messages(body))
            if isinstance(m, dict) and m.get("role") in ("user", "system")]


def _role(texts):
    for t in texts:
        if "target_elsewhere" in t:
            return "verify", t
        if "<area>" in t:
            return "planner", t
        if '"point"' in t:
            return "ground", t
        if "### Action ###" in t:
            return "decision", t
    return None, texts[0] if texts else ""


def _space(text):
    if "from 0 to 1000" in text:
        return "norm1000"
    if "from 0.0 to 1.0" in text:
        return "norm1"
    return "pixels"


def _to_space(x, y, w, h, space):
    if space == "norm1000":
        return [int(round(x / w * 1000)), int(round(y / h * 1000))]
    if space == "norm1":
        return [round(x / w, 4), round(y / h, 4)]
    return [int(round(x)), int(round(y))]


def _field(text, name):
    """The text after 'Name:' on its own line (the prompt's instruction or element)."""
    m = re.search(r"^%s:\s*(.+)$" % re.escape(name), text, re.M)
    return m.group(1).strip() if m else ""


def _target(description):
    """What to look for: the quoted text, else the description without generic words."""
    q = QUOTED.search(description)
    if q:
        return q.group(1).strip()
    words = [w for w in re.split(r"\s+", description.strip()) if w and w.lower().strip(".,:;") not in GENERIC]
    return " ".join(words)


def _find(img, target, state):
    """Boxes of target on the image: tesseract's sparse-text mode on the image as sent, then
    on a 2x upscale (small text); words cached per image. (ocr.locate also tries the default
    page layout first; screens are sparse text, and the grounding benchmarks send many
    large images, so that pass is skipped here.)"""
    if not target:
        return [], []
    cache = state["ocr"]
    if len(cache) > 512:
        cache.clear()
    digest = hashlib.sha256(img.data).hexdigest()
    first = None
    for scale in (1, 2):
        key = (digest, scale)
        if key not in cache:
            cache[key] = ocr.run_tesseract(img.data, img.ext, 11, scale)
        words = cache[key]
        first = words if first is None else first
        boxes = ocr.find_text(words, target)
        if boxes:
            return boxes, first
    return [], first


def _decide(body, text, state):
    """A general screen agent's decision (magi's single recipe): click the target."""
    reply, log = _ground(body, text, state, _field(text, "Task") or _field(text, "User instruction"))
    j = json.loads(reply)
    if j["point"] is None:
        action = {"action": "done", "success": False}
        thought = j["reason"]
    else:
        action = {"action": "click", "x": j["point"][0], "y": j["point"][1]}
        thought = "I see the target; I click its centre."
    return "### Thought ###\n%s\n### Action ###\n%s\n### Operation ###\nClick the target" % (
        thought, json.dumps(action)), log


def _ground(body, text, state, desc=None):
    images = oraclelib.request_images(body)
    if not images:
        raise OracleError("ground policy: a grounding request must carry the screenshot")
    img = images[-1]
    desc = desc or _field(text, "Element") or _field(text, "Instruction")
    target = _target(desc)
    boxes, _ = _find(img, target, state)
    log = {"target": target, "image": [img.w, img.h], "found": bool(boxes)}
    if not boxes:
        return json.dumps({"point": None, "reason": "I cannot see %s in this screenshot" % json.dumps(target)}), log
    l, t, r, b = boxes[0]
    space = _space(text)
    point = _to_space((l + r) / 2, (t + b) / 2, img.w, img.h, space)
    box = _to_space(l, t, img.w, img.h, space) + _to_space(r, b, img.w, img.h, space)
    log["box_px"] = [l, t, r, b]
    return json.dumps({"point": point, "box": box}), log


def _plan(text):
    ins = _field(text, "Instruction")
    q = QUOTED.search(ins)
    if not q:
        return "No target", {"instruction": ins}
    label = q.group(1).strip()
    kind = "icon" if re.search(r"\b(tool|icon)\b", ins) else "entry"
    parts = ['1. The <element>"%s" %s</element>' % (label, kind)]
    m = re.search(r"\bin the (.+?)\.?$", ins)
    if m:
        parts.append("is most likely in the <area>%s</area>." % m.group(1).strip())
    else:
        parts.append("may be anywhere on the screen.")
    return " ".join(parts), {"instruction": ins, "label": label, "area": m.group(1) if m else None}


def _convert(img, args):
    """ImageMagick on the image's bytes: (stdout bytes, returncode)."""
    with tempfile.TemporaryDirectory(prefix="oracle-red-") as tmp:
        path = os.path.join(tmp, "in." + img.ext)
        with open(path, "wb") as f:
            f.write(img.data)
        r = subprocess.run(["convert", path] + args, capture_output=True, timeout=60)
    return r.stdout, r.returncode


def _red_box(img):
    """(x1, y1, x2, y2) of the red frame drawn on the image, or None: the pixels close to
    pure red (R above 70%, G and B below 30%), kept only where they form horizontal runs of
    24 px or more (the frame's edges; reddish icons and JPEG's stray pixels do not)."""
    out, rc = _convert(img, ["(", "-clone", "0", "-channel", "R", "-separate", "+channel", "-threshold", "70%", ")",
                             "(", "-clone", "0", "-channel", "G", "-separate", "+channel", "-negate", "-threshold",
                             "70%", ")",
                             "(", "-clone", "0", "-channel", "B", "-separate", "+channel", "-negate", "-threshold",
                             "70%", ")",
                             "-delete", "0", "-evaluate-sequence", "min", "-morphology", "Open", "rectangle:24x1",
                             "-format", "%@", "info:"])
    m = re.match(r"(\d+)x(\d+)\+(\d+)\+(\d+)", out.decode("ascii", "replace").strip())
    if not m or rc != 0:
        return None
    w, h, x, y = (int(v) for v in m.groups())
    if w < 8 or h < 8 or (w >= img.w and h >= img.h):
        return None
    return x, y, x + w, y + h


class _Bytes:
    def __init__(self, data):
        self.data, self.ext = data, "png"


def _inside(img, red, target, state):
    """Whether the target's text is read inside the red frame: the frame's interior is cut
    out (a model looks through the mark it was shown; to tesseract the frame would be part
    of the text) and read on its own."""
    x1, y1, x2, y2 = red
    t = 5  # the frame's width and a margin
    w, h = x2 - x1 - 2 * t, y2 - y1 - 2 * t
    if w < 4 or h < 4:
        return False
    out, rc = _convert(img, ["-crop", "%dx%d+%d+%d" % (w, h, x1 + t, y1 + t), "+repage", "png:-"])
    if rc != 0 or not out:
        return False
    boxes, _ = _find(_Bytes(out), target, state)
    return bool(boxes)


def _verify(body, text, state):
    images = oraclelib.request_images(body)
    if not images:
        raise OracleError("ground policy: a verification request must carry the marked crop")
    img = images[-1]
    target = _target(_field(text, "Instruction"))
    red = _red_box(img)
    inside = bool(red) and _inside(img, red, target, state)
    elsewhere = []
    if not inside:
        boxes, _ = _find(img, target, state)
        # a frame smaller than the words (a grounder that gives a point, not a box, is
        # marked by a small frame around it) marks them when its centre is on them; the
        # words are read with the frame's red painted out (a model looks through the mark)
        if red:
            out, rc = _convert(img, ["-fuzz", "30%", "-fill", "white", "-opaque", "#ff0000", "png:-"])
            under, _ = _find(_Bytes(out), target, state) if rc == 0 and out else ([], None)
            cx, cy = (red[0] + red[2]) / 2, (red[1] + red[3]) / 2
            inside = any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in under)
        elsewhere = [b for b in boxes if not red or not (red[0] <= (b[0] + b[2]) / 2 <= red[2]
                                                         and red[1] <= (b[1] + b[3]) / 2 <= red[3])]
    log = {"target": target, "red_box": red, "inside": inside, "elsewhere": len(elsewhere)}
    if inside:
        res = {"result": "is_target", "new_instruction": None}
    elif elsewhere:
        res = {"result": "target_elsewhere", "new_instruction": 'Click "%s"' % target}
    else:
        res = {"result": "target_not_found", "new_instruction": None}
    log["result"] = res["result"]
    why = {"is_target": "The element in the red box reads %s.",
           "target_elsewhere": "The red box marks another element; %s is elsewhere in this crop.",
           "target_not_found": "I cannot read %s anywhere in this crop."}[res["result"]] % json.dumps(target)
    return "%s\n```json\n%s\n```" % (why, json.dumps(res)), log


def answer(body, state):
    texts = _texts(body)
    fmt = _format(state)
    desc = _format_target(texts) if fmt != "magi" else None
    if desc is not None:  # the planner and verifier (magi's prompts) are answered as below
        reply, log = _ground_format(body, desc, fmt, state)
        log["role"] = "ground"
        return {"content": reply, "log": log}
    role, text = _role(texts)
    if role is None:
        raise OracleError("ground policy cannot tell the role: the request asks for none of "
                          "\"point\" (grounder), <area> (planner), target_elsewhere (verifier)")
    if role == "ground":
        reply, log = _ground(body, text, state)
    elif role == "decision":
        reply, log = _decide(body, text, state)
    elif role == "planner":
        reply, log = _plan(text)
    else:
        reply, log = _verify(body, text, state)
    log["role"] = role
    return {"content": reply, "log": log}

"""Oracle policy `icons`: the captioner role of icon perception (--icons) and a decision
role that acts on icons by what their captions say.

Task file (--task, JSON):
    {"coords": "pixels" | "norm1000" | "norm1",
     "steps": [{"wait": 1}, {"click_icon": "red"}, {"done": true}]}

captioner (the request asks to describe "one small element cropped from a computer
screen"): knows nothing of the task. It measures the one image it was sent with
ImageMagick: the background is the colour of the crop's corners, the foreground the most
common colour clearly different from it, named after the nearest of a few basic colours;
the shape comes from how much of the crop the foreground fills and how square the crop is
(filled square, circle, triangle, outline). Answer: "a <colour> <shape>".
decision ("### Action ###"): {"wait": S} waits; {"click_icon": WORD} clicks the centre the
perception list gives for the first line "- icon: ... WORD ... at (x, y)" — the place comes
only from what magi sent; {"done": B} finishes. Past the last step: done.
"""

import json
import os
import re
import subprocess
import tempfile

import oraclelib
from oraclelib import OracleError

COLOURS = {"red": (220, 30, 30), "green": (30, 160, 30), "blue": (30, 60, 220),
           "yellow": (240, 220, 30), "orange": (250, 140, 20), "purple": (140, 40, 170),
           "cyan": (30, 200, 220), "black": (0, 0, 0), "white": (255, 255, 255),
           "grey": (128, 128, 128)}


def init(state):
    task = state.get("task")
    if not isinstance(task, dict):
        raise ValueError("the icons policy needs --task FILE holding a JSON object")
    state["cursor"] = 0


def answer(body, state):
    texts = [oraclelib.message_text(m) for m in oraclelib.messages(body)
             if isinstance(m, dict) and m.get("role") in ("user", "system")]
    text = "\n".join(texts)
    if "cropped from a computer screen" in text:
        cap, log = _caption(body)
        log["role"] = "captioner"
        return {"content": cap, "log": log}
    if "### Action ###" in text:
        reply, log = _decide(state, text)
        log["role"] = "decision"
        return {"content": reply, "log": log}
    raise OracleError("icons policy cannot tell the role (captioner or decision)")


def _name(rgb):
    return min(COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(COLOURS[n], rgb)))


def _histogram(path):
    """[(count, (r, g, b))] of the image quantised to 8 colours, most common first."""
    out = subprocess.run(["convert", path, "-alpha", "off", "-colors", "8", "-depth", "8",
                          "-format", "%c", "histogram:info:-"],
                         capture_output=True, text=True, timeout=30).stdout
    hist = []
    for line in out.splitlines():
        m = re.match(r"\s*(\d+):\s*\(\s*(\d+)[, ]+(\d+)[, ]+(\d+)", line)
        if m:
            hist.append((int(m.group(1)), tuple(int(m.group(i)) for i in (2, 3, 4))))
    return sorted(hist, reverse=True)


def _corner(path):
    out = subprocess.run(["convert", path, "-alpha", "off", "-depth", "8", "-format",
                          "%[pixel:p{0,0}]", "info:"], capture_output=True, text=True, timeout=30).stdout
    m = re.search(r"(\d+),(\d+),(\d+)", out)
    if m:
        return tuple(int(v) for v in m.groups())
    return COLOURS.get(out.strip().split("(")[0], (255, 255, 255))


def _caption(body):
    images = oraclelib.request_images(body)
    if len(images) != 1:
        raise OracleError("icons captioner: a caption request carries one crop, this one has %d"
                          % len(images))
    img = images[0]
    fd, path = tempfile.mkstemp(suffix="." + img.ext)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(img.data)
        hist = _histogram(path)
        bg = _corner(path)
    finally:
        os.unlink(path)
    total = sum(c for c, _ in hist) or 1
    fg = [(c, rgb) for c, rgb in hist if sum((a - b) ** 2 for a, b in zip(rgb, bg)) > 60 ** 2]
    if not fg:
        return "a plain %s patch" % _name(bg), {"fill": 0}
    # every quantised colour that names the same as the main foreground counts as it
    name = _name(fg[0][1])
    fill = sum(c for c, rgb in fg if _name(rgb) == name) / total
    aspect = img.w / img.h if img.h else 1
    if 0.8 <= aspect <= 1.25:
        shape = ("square" if fill > 0.88 else "circle" if fill > 0.66 else
                 "triangle" if fill > 0.36 else "outline")
    else:
        shape = "bar" if fill > 0.8 else "shape"
    return "a %s %s" % (name, shape), {"fill": round(fill, 3), "size": [img.w, img.h],
                                        "colour": name}


def _decide(state, text):
    steps = state["task"].get("steps", [])
    idx = state["cursor"]
    step = steps[idx] if idx < len(steps) else {"done": True}
    state["cursor"] = idx + 1
    log = {"step": idx}
    if "wait" in step:
        act, op = {"action": "wait", "seconds": step["wait"]}, "Wait"
    elif "click_icon" in step:
        word = step["click_icon"]
        m = re.search(r"^- icon: [^\n]*\b%s\b[^\n]* at \(([\d.]+), ([\d.]+)\)" % re.escape(word), text, re.M)
        if not m:
            act, op = {"action": "done", "success": False}, "No %s icon listed" % word
            log["found"] = False
        else:
            x, y = float(m.group(1)), float(m.group(2))
            if state["task"].get("coords", "pixels") != "norm1":
                x, y = int(x), int(y)
            act, op = {"action": "click", "x": x, "y": y}, "Click the %s icon" % word
            log["found"] = True
    else:
        act, op = {"action": "done", "success": bool(step["done"])}, "Finish"
    log["action"] = act
    reply = "### Thought ###\nFrom the perception list.\n### Action ###\n%s\n### Operation ###\n%s" % (
        json.dumps(act, separators=(",", ":")), op)
    return reply, log

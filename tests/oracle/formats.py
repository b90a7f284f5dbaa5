"""The GUI models' own reply formats, for the `gui` policy's stand-in of each preset
(magi's --format / `format:`; docs/models.md has the sources). Given the action a policy
chose and where its target is on the image it was sent, writes the reply the way that
model writes it, in that model's coordinate convention:

    uitars      Thought/Action, click(point='<point>x y</point>'), pixels of the model's
                own smart_resize(28, 100*28*28, 16384*28*28) of the image
    uitars-1.0  Thought/Action, click(start_box='<|box_start|>(x,y)<|box_end|>'), 0-1000
    qwen2.5-vl  <tool_call> computer_use / mobile_use, pixels of smart_resize(28, 3136,
                12845056) of the image
    qwen3-vl    the same tools, 0-999 (x / width * 1000, at most 999)
    gui-owl     <thinking>, a mobile_use / computer_use <tool_call>, <conclusion>; pixels of
                smart_resize(28, 3136, 10035200)
    os-atlas    grounding: <|box_start|>(x1,y1),(x2,y2)<|box_end|>, 0-1000
    seeclick    grounding: (x,y) in 0-1 with two decimals, as SeeClick writes them

Only the request decides the numbers: the size of the image it carried and the target's
box found on it by OCR."""

import json
import math
import re

import oraclelib

FORMATS = ("magi", "uitars", "uitars-1.0", "qwen2.5-vl", "qwen3-vl", "gui-owl", "os-atlas", "seeclick")
GROUNDERS = ("os-atlas", "seeclick")
# smart_resize parameters of the formats that speak pixels of the model's own resize
RESIZE = {"uitars": (28, 100 * 28 * 28, 16384 * 28 * 28),
          "qwen2.5-vl": (28, 3136, 12845056),
          "gui-owl": (28, 3136, 10035200)}


def smart_resize(h, w, factor, min_pixels, max_pixels):
    """Qwen2-VL's published smart_resize: each side a multiple of factor, the area within
    [min_pixels, max_pixels], the aspect ratio kept as well as that allows (Python's round,
    half to even, as the original)."""
    hb = max(factor, round(h / factor) * factor)
    wb = max(factor, round(w / factor) * factor)
    if hb * wb > max_pixels:
        beta = math.sqrt(h * w / max_pixels)
        hb = max(factor, math.floor(h / beta / factor) * factor)
        wb = max(factor, math.floor(w / beta / factor) * factor)
    elif hb * wb < min_pixels:
        beta = math.sqrt(min_pixels / (h * w))
        hb = math.ceil(h * beta / factor) * factor
        wb = math.ceil(w * beta / factor) * factor
    return hb, wb


def space(fmt, w, h):
    """(kind, W, H) of the format's coordinates for an image of w x h: ("pixels", model
    width, model height), ("norm1000", 1000, 1000), ("norm999", ...) or ("norm1", 1, 1)."""
    if fmt in RESIZE:
        hb, wb = smart_resize(h, w, *RESIZE[fmt])
        return "pixels", wb, hb
    if fmt == "qwen3-vl":
        return "norm999", 1000, 1000
    if fmt == "seeclick":
        return "norm1", 1, 1
    return "norm1000", 1000, 1000


def to_space(fmt, fx, fy, w, h):
    """A point given as fractions of the image (its continuous position) in the format's
    own numbers."""
    kind, W, H = space(fmt, w, h)
    if kind == "pixels":
        # a position on its resized image, rounded (x / W of the width: how UI-TARS'
        # action_parser and the Qwen cookbooks read these models' pixels back)
        return min(W, max(0, int(round(fx * W)))), min(H, max(0, int(round(fy * H))))
    if kind == "norm1":
        return round(fx, 2), round(fy, 2)
    x, y = int(round(fx * 1000)), int(round(fy * 1000))
    if kind == "norm999":
        x, y = min(x, 999), min(y, 999)
    return x, y


def _esc(s):
    return s.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n")


def _uitars(action, thought, xy, old):
    k = action["action"]

    def pt(p):
        return ("start_box='<|box_start|>(%d,%d)<|box_end|>'" % p) if old else ("point='<point>%d %d</point>'" % p)
    if k in ("click", "double_click", "right_click", "long_press"):
        name = {"click": "click", "double_click": "left_double", "right_click": "right_single",
                "long_press": "long_press"}[k]
        a = "%s(%s)" % (name, pt(xy))
    elif k == "type":
        a = "type(content='%s')" % _esc(action["text"])
    elif k == "key":
        a = "hotkey(key='%s')" % action["keys"].replace("+", " ").lower()
    elif k == "wait":
        a = "wait()"
    elif k == "answer":
        a = "finished(content='%s')" % _esc(action["text"])
    else:  # done
        a = "finished(content='%s')" % ("done" if action.get("success") else "I could not do it")
    return "Thought: %s\nAction: %s" % (thought, a)


def _tool(action, xy, fmt, mobile):
    k = action["action"]
    if k in ("click", "double_click", "right_click", "long_press"):
        if mobile:
            args = {"action": "long_press" if k == "long_press" else "click", "coordinate": list(xy)}
        else:
            args = {"action": {"click": "left_click"}.get(k, k), "coordinate": list(xy)}
    elif k == "type":
        args = {"action": "type", "text": action["text"]}
    elif k == "key":
        args = {"action": "key", "keys": action["keys"].split("+")} if not mobile else \
            {"action": "key", "text": action["keys"]}
    elif k == "wait":
        args = {"action": "wait", "time": action.get("seconds", 1)}
    elif k == "answer" and fmt != "qwen2.5-vl":
        args = {"action": "answer", "text": action["text"]}
    else:
        args = {"action": "terminate", "status": "success" if action.get("success", True) else "failure"}
    return json.dumps({"name": "mobile_use" if mobile else "computer_use", "arguments": args})


def reply(fmt, action, thought, op, xy, box, request_text):
    """The reply text of format fmt for action (magi's action dict; a click's point is xy in
    the format's numbers, box its target box in them, or None). request_text: all the
    request's text (which tool it defined, whether it asks for a point)."""
    if fmt in ("uitars", "uitars-1.0"):
        return _uitars(action, thought, xy, fmt == "uitars-1.0")
    if fmt == "os-atlas":
        return "<|box_start|>(%d,%d),(%d,%d)<|box_end|>" % box
    if fmt == "seeclick":
        return "(%.2f,%.2f)" % xy
    if "point_2d" in request_text:  # the Qwen family's grounding prompt
        return json.dumps([{"point_2d": list(xy), "label": op}])
    call = _tool(action, xy, fmt, '"name": "mobile_use"' in request_text)
    if fmt == "gui-owl":
        return "<thinking>\n%s\n</thinking>\n<tool_call>\n%s\n</tool_call>\n<conclusion>\n%s\n</conclusion>" % (
            thought, call, op)
    return "%s\n<tool_call>\n%s\n</tool_call>" % (thought, call)


TASK_PROGRESS = re.compile(r"Task progress \(You have done the following operation on the current device\): (.*)", re.S)


def _is_wait(text):
    t = text.strip().lower()
    return '"wait"' in t or "wait()" in t or t.startswith("wait")


def progress(body, prompt, history, repair):
    """(index of the first task step not done yet, waits since the last action) for a
    preset's stand-in, from the history the request carries in whichever form the recipe
    gave it: magi's "Step N: op -> {action} (outcome)" lines (`history`, parsed by the
    policy: single, mobile-agent-v2), "Task progress ...: Step 1: <call or conclusion>; ..."
    (the Qwen family's native loop), or the model's own earlier replies as assistant turns
    (UI-TARS' native loop; on a repair request the last one is the reply being repaired).
    Each performed action that is not a wait is one task step done: like a model, the
    stand-in knows what it did only from that history."""
    if history:
        acts = [h["action"].get("action") != "wait" for h in history if "refused" not in h["outcome"]]
    else:
        m = TASK_PROGRESS.search(prompt)
        if m:
            acts = [not _is_wait(t) for t in re.split(r"Step \d+: ", m.group(1))[1:]]
        else:
            said = [oraclelib.message_text(x) for x in oraclelib.messages(body)
                    if isinstance(x, dict) and x.get("role") == "assistant"]
            if repair and said:
                said = said[:-1]
            acts = [not _is_wait(t) for t in said]
    waits = 0
    for a in reversed(acts):
        if a:
            break
        waits += 1
    return sum(acts), waits

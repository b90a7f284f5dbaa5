"""Oracle policy `ponder`: the two roles of the ponder-press recipe, each usually played by
its own oracle instance (two servers, as with a general model and a grounding model).

Task file (--task, JSON), one per instance:
    interpreter: {"steps": [{"click": "Cancel"}, {"drag": ["FROM", "TO"]}, {"type": "hi"},
                            {"key": "Return"}, {"done": true}]}
    locator:     {"coords": "pixels" | "norm1000" | "norm1"}

interpreter ("You are the interpreter" in the request): may be text-only, so it reads the
perception list magi sent (lines `- "TEXT" at (x, y)`), never an image. A click step whose
text is in that list is answered with {"action":"click","target":"the element labelled
\"TEXT\" ..."} and no coordinates; a drag step the same with "target2" for its end;
text not listed: wait twice, then done success=false.
locator ("GUI grounding model" in the request): knows nothing of the task. It reads the
quoted label out of the description it was sent, finds it with tesseract on the last image
of the request and answers the centre in its own coordinate space of the image as sent:
norm1000 as "(x,y)" (UI-TARS style), pixels and norm1 as {"x":..,"y":..}.
"""

import json
import re

import ocr
import oraclelib
from oraclelib import OracleError

COORDS = ("pixels", "norm1000", "norm1")
WAITS = 2


def init(state):
    task = state.get("task")
    if not isinstance(task, dict):
        raise ValueError("the ponder policy needs --task FILE holding a JSON object")
    if task.get("coords", "pixels") not in COORDS:
        raise ValueError('"coords" must be one of %s' % ", ".join(COORDS))
    for i, s in enumerate(task.get("steps", [])):
        if not isinstance(s, dict) or len([k for k in ("click", "drag", "type", "key", "done") if k in s]) != 1:
            raise ValueError("step %d must have exactly one of click, drag, type, key, done" % i)
    state["cursor"], state["waits"], state["ocr_cache"] = 0, 0, {}


def answer(body, state):
    texts = [oraclelib.message_text(m) for m in oraclelib.messages(body)
             if isinstance(m, dict) and m.get("role") in ("user", "system")]
    text = "\n".join(texts)
    if "You are the interpreter" in text:
        reply, log = _interpret(body, state, text)
        log["role"] = "interpreter"
    elif "GUI grounding model" in text:
        reply, log = _locate(body, state, text)
        log["role"] = "locator"
    else:
        raise OracleError("ponder policy cannot tell the role (interpreter or locator)")
    log["images"] = len(oraclelib.request_images(body))
    return {"content": reply, "log": log}


def _perceived(text):
    """The texts of the perception list lines: - "TEXT" at (x, y)."""
    return [m.group(1) for m in re.finditer(r'^- "(.*)" at \(', text, re.M)]


def _interpret(body, state, text):
    steps = state["task"].get("steps", [])
    repair = "Your previous reply could not be used" in text
    idx = state["cursor"] - 1 if repair and state["cursor"] else state["cursor"]
    step = steps[idx] if idx < len(steps) else {"done": True}
    log = {"step": idx}
    if "click" in step or "drag" in step:
        wants = [step["click"]] if "click" in step else list(step["drag"])
        seen = _perceived(text)
        missing = [w for w in wants if not any(w.lower() in s.lower() for s in seen)]
        want = missing[0] if missing else wants[0]
        if missing:
            if state["waits"] < WAITS:
                state["waits"] += 1
                act = {"action": "wait", "seconds": 1}
                thought = 'The perception list does not show "%s" yet; I wait.' % want
                log["found"] = False
                return _reply(thought, act, "Wait for the screen"), log
            act = {"action": "done", "success": False}
            return _reply('"%s" is not on the screen.' % want, act, "Give up"), log
        if "drag" in step:
            act = {"action": "drag", "target": 'the text "%s"' % wants[0], "target2": 'the text "%s"' % wants[1]}
            thought = 'The screen lists "%s" and "%s"; the task drags one onto the other.' % tuple(wants)
            op = 'Drag "%s" onto "%s"' % tuple(wants)
        else:
            act = {"action": "click",
                   "target": 'the button labelled "%s" in the dialog window' % want}
            thought = 'The screen lists "%s"; clicking it does what the task asks.' % want
            op = 'Click the "%s" button' % want
    elif "type" in step:
        act, thought, op = {"action": "type", "text": step["type"]}, "I type the text.", "Type"
    elif "key" in step:
        act, thought, op = {"action": "key", "keys": step["key"]}, "I press the key.", "Press"
    else:
        act = {"action": "done", "success": bool(step["done"])}
        thought, op = "Every step of the task has been done.", "Finish"
    if not repair:
        state["cursor"] = idx + 1
    log["action"] = act
    return _reply(thought, act, op), log


def _reply(thought, act, op):
    return "### Thought ###\n%s\n### Action ###\n%s\n### Operation ###\n%s" % (
        thought, json.dumps(act, separators=(",", ":")), op)


def _locate(body, state, text):
    m = re.search(r'Element: .*?"([^"]+)"', text)
    if not m:
        raise OracleError("ponder locator: the description names no quoted label")
    label = m.group(1)
    images = oraclelib.request_images(body)
    if not images:
        raise OracleError("ponder locator: the request carries no screenshot")
    img = images[-1]
    boxes, _ = ocr.locate(img.data, img.ext, label, state["ocr_cache"])
    log = {"label": label, "image": [img.w, img.h]}
    if not boxes:
        log["found"] = False
        return "I cannot find that element.", log
    left, top, right, bottom = boxes[0]
    cx, cy = (left + right) / 2, (top + bottom) / 2
    coords = state["task"].get("coords", "pixels")
    log["found"], log["box"] = True, [left, top, right, bottom]
    if coords == "norm1000":
        return "(%d,%d)" % (round(cx / img.w * 1000), round(cy / img.h * 1000)), log
    if coords == "norm1":
        return json.dumps({"x": round(cx / img.w, 3), "y": round(cy / img.h, 3)}), log
    return json.dumps({"x": round(cx), "y": round(cy)}), log

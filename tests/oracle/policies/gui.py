"""Oracle policy `gui`: answers magi's desktop-agent roles from an answer key.

Task file (--task, JSON):
    {"coords": "pixels" | "norm1000" | "norm1",
     "steps": [{"click_text": "Cancel"}, {"type": "echo ok > /tmp/x"}, {"key": "Return"},
               {"answer": "42"}, {"done": true}],
     "impossible": false}

The role is told by the output sections the request asks for (last user/system text
first): "### Answer ###" with options A: B: C: is reflection, "### Completed contents ###"
planning, "### Important content ###" memory, "### Action ###" decision. Each decision
answers the step under a cursor kept in `state` and moves it on; a repair request ("Your
previous reply could not be used") answers the same step again. A click_text step reads
the last image of the request with tesseract and clicks the centre of the matched text,
in the task's coordinate space of the image as sent; text not on screen answers
done success=false. See tests/oracle/README.md.
"""

import json

import mistakes
import ocr
import oraclelib
from oraclelib import OracleError

REPAIR = "Your previous reply could not be used"
COORDS = ("pixels", "norm1000", "norm1")
CLICKS = ("click", "double_click", "right_click", "long_press")
STEP_KINDS = ("click_text", "type", "key", "answer", "done")


def init(state):
    """Check the answer key once, at start-up, so a bad task file fails fast."""
    task = state.get("task")
    if not isinstance(task, dict):
        raise ValueError("the gui policy needs --task FILE holding a JSON object")
    if task.get("coords", "pixels") not in COORDS:
        raise ValueError('"coords" must be one of %s' % ", ".join(COORDS))
    steps = task.get("steps", [])
    if not isinstance(steps, list):
        raise ValueError('"steps" must be an array')
    for i, s in enumerate(steps):
        kinds = [k for k in STEP_KINDS if k in (s if isinstance(s, dict) else {})]
        if len(kinds) != 1:
            raise ValueError("step %d must have exactly one of %s: %s"
                             % (i, ", ".join(STEP_KINDS), json.dumps(s)))
        if s.get("action", "click") not in CLICKS:
            raise ValueError("step %d: \"action\" must be one of %s" % (i, ", ".join(CLICKS)))
    state["cursor"] = 0         # next step a decision answers
    state["last_step"] = None   # step of the last decision answered
    state["last_reply"] = None  # text of that answer
    state["ocr_cache"] = {}
    state["ops"] = {}           # step -> what its decision did, for the planning role
    state["mistakes"] = mistakes.Mistakes.from_env()  # wrong on purpose (ORACLE_MISTAKES)


def answer(body, state):
    role, text = _role(body)
    if role is None:
        raise OracleError("gui policy cannot tell the role: the request asks for none of the "
                          "sections ### Action ###, ### Completed contents ###, ### Important "
                          "content ###, ### Answer ### (with options A: B: C:)")
    if role == "planning":
        ops = state["ops"]
        summary = "; ".join(ops[i] for i in sorted(ops)) or "Nothing has been done yet."
        reply, log = "### Completed contents ###\n" + summary, {}
    elif role == "memory":
        reply, log = "### Important content ###\nNone", {}
    elif role == "reflection":
        reply, log = _reflect(body)
    else:
        reply, log = _decide(body, state, text)
    log["role"] = role
    return {"content": reply, "log": log}


def _user_texts(body):
    """Texts of the user and system messages, last first."""
    return [oraclelib.message_text(m) for m in reversed(oraclelib.messages(body))
            if isinstance(m, dict) and m.get("role") in ("user", "system")]


def _role_of(text):
    if "### Answer ###" in text and all(o in text for o in ("A:", "B:", "C:")):
        return "reflection"
    if "### Completed contents ###" in text:
        return "planning"
    if "### Important content ###" in text:
        return "memory"
    if "### Action ###" in text:
        return "decision"
    return None


def _role(body):
    """(role, text of the last user/system message) - the role from the last such
    message that asks for known sections, so a bare repair message after the original
    prompt still counts as the original prompt's role."""
    texts = _user_texts(body)
    last = texts[0] if texts else ""
    for t in texts:
        role = _role_of(t)
        if role:
            return role, last
    return None, last


PAST = {"click": "Clicked", "double_click": "Double-clicked", "right_click": "Right-clicked",
        "long_press": "Long-pressed"}


def _done_text(action, step):
    """Past-tense line for the planning role's summary of one decision."""
    kind = action["action"]
    if kind == "done":
        return "Declared the task %s" % ("done" if action["success"] else "failed")
    if kind == "type":
        return 'Typed "%s"' % action["text"]
    if kind == "key":
        return "Pressed %s" % action["keys"]
    if kind == "answer":
        return 'Answered "%s"' % action["text"]
    if kind == "wait":
        return "Waited for the screen to show \"%s\"" % step.get("click_text", "")
    return '%s "%s"' % (PAST[kind], step["click_text"])


def _reflect(body):
    images = oraclelib.request_images(body)
    if len(images) < 2:
        raise OracleError("gui policy: a reflection request must carry two images (before, "
                          "after); this one has %d" % len(images))
    before, after = images[-2], images[-1]
    if before.data == after.data:
        thought = ("The screenshots before and after the operation are identical, so the "
                   "operation changed nothing on the screen.")
        letter = "C"
    else:
        thought = ("The screen changed after the operation (the screenshots differ), so the "
                   "operation took effect as intended.")
        letter = "A"
    return "### Thought ###\n%s\n### Answer ###\n%s" % (thought, letter), {"answer": letter}


def _to_space(x, y, w, h, coords):
    if coords == "norm1000":
        return int(round(x / w * 1000)), int(round(y / h * 1000))
    if coords == "norm1":
        return round(x / w, 3), round(y / h, 3)
    return int(round(x)), int(round(y))


def _our_reply_failed(body, state):
    """Whether the reply a repair message refers to was ours (then the same step is
    answered again), rather than an answer that came from elsewhere (a script entry)."""
    said = [oraclelib.message_text(m) for m in oraclelib.messages(body)
            if isinstance(m, dict) and m.get("role") == "assistant"]
    return not said or said[-1] == state["last_reply"]


# How many times a click_text step waits for its text to appear before giving up.
WAIT_BEFORE_GIVING_UP = 2


def _decide(body, state, last_text):
    task = state["task"]
    steps = task.get("steps", [])
    repair = REPAIR in last_text
    again = repair and state["last_step"] is not None and _our_reply_failed(body, state)
    idx = state["last_step"] if again else state["cursor"]
    log = {"step": idx, "repair": repair}

    step = steps[idx] if idx < len(steps) else None
    if task.get("impossible"):
        thought = "I looked for a way to do this task on the screen and found none."
        action, op = {"action": "done", "success": False}, "Give up: the task is impossible"
    elif step is None:
        thought = "Every step of the task has been done."
        action, op = {"action": "done", "success": True}, "Finish the task"
    else:
        if "click_text" in step:
            thought, action, op = _click(body, state, step, log)
        elif "type" in step:
            thought = 'The input has focus; I type "%s".' % step["type"]
            action, op = {"action": "type", "text": step["type"]}, 'Type "%s"' % step["type"]
        elif "key" in step:
            thought = "I press %s." % step["key"]
            action, op = {"action": "key", "keys": step["key"]}, "Press %s" % step["key"]
        elif "answer" in step:
            thought = "The screen shows what was asked; I give the answer."
            action, op = {"action": "answer", "text": step["answer"]}, "Answer the question"
        else:
            ok = bool(step["done"])
            thought = "The task is complete." if ok else "The task cannot be completed."
            action, op = {"action": "done", "success": ok}, "Finish the task"
    kind = None if again else state["mistakes"].pick(action)
    if kind:  # a seeded mistake instead of the right action; the step stays to be done
        images = oraclelib.request_images(body)
        wrong = state["mistakes"].apply(kind, action, images[-1] if images else None, state)
        if wrong is not None:
            action, op = wrong, "Act on what I take to be the right element"
            thought = "I believe this is what the task needs next."
            log["mistake"], log["hold"] = kind, True
    log["action"] = action
    reply = "### Thought ###\n%s\n### Action ###\n%s\n### Operation ###\n%s" % (
        thought, json.dumps(action, ensure_ascii=False, separators=(",", ":")), op)
    # Committed only now: a request refused above (no screenshot) leaves the cursor, and so
    # does a wait for the screen (the same step is tried again).
    if not again and not log.pop("hold", False):
        state["cursor"] = idx + 1
    state["last_step"], state["last_reply"] = idx, reply
    if "mistake" not in log:
        state["ops"][idx] = _done_text(action, step)
    return reply, log


def _click(body, state, step, log):
    images = oraclelib.request_images(body)
    if not images:
        raise OracleError('gui policy: step {"click_text": "%s"} needs a screenshot, but the '
                          "decision request carries no image" % step["click_text"])
    img = images[-1]
    target = step["click_text"]
    boxes, seen = ocr.locate(img.data, img.ext, target, state["ocr_cache"])
    nth = int(step.get("nth", 0))
    log["image"] = [img.w, img.h]
    if len(boxes) <= nth:
        words = " ".join(w.text for w in seen[:40]) or "(no text)"
        # Like a careful model, look again a couple of times before giving up: a window may
        # not have drawn yet when the screenshot was taken.
        waits = state.setdefault("waits", {})
        key = str(state["cursor"])
        if waits.get(key, 0) < WAIT_BEFORE_GIVING_UP:
            waits[key] = waits.get(key, 0) + 1
            log["found"], log["waiting"] = False, waits[key]
            log["hold"] = True
            thought = ('I do not see "%s" yet (I read: %s); the screen may still be drawing, so I wait.'
                       % (target, words))
            return thought, {"action": "wait", "seconds": 1}, "Wait for the screen"
        thought = ('I could not find "%s" on the screen (I read: %s), so I cannot complete '
                   "the task." % (target, words))
        log["found"] = False
        return thought, {"action": "done", "success": False}, 'Give up: "%s" not found' % target
    left, top, right, bottom = boxes[nth]
    cx, cy = (left + right) / 2, (top + bottom) / 2
    x, y = _to_space(cx, cy, img.w, img.h, state["task"].get("coords", "pixels"))
    log["found"], log["box"] = True, [left, top, right, bottom]
    kind = step.get("action", "click")
    verb = kind.replace("_", " ")
    thought = ('I see "%s" at pixels (%d, %d) of the %dx%d screenshot; I %s its centre.'
               % (target, cx, cy, img.w, img.h, verb))
    return thought, {"action": kind, "x": x, "y": y}, '%s "%s"' % (verb.capitalize(), target)

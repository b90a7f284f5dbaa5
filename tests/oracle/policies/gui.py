"""Oracle policy `gui`: answers magi's desktop-agent roles from an answer key.

Task file (--task, JSON):
    {"coords": "pixels" | "norm1000" | "norm1",
     "steps": [{"click_text": "Cancel"}, {"type": "echo ok > /tmp/x"}, {"key": "Return"},
               {"answer": "42"}, {"done": true}],
     "impossible": false}

The role is told by the output sections the request asks for (last user/system text
first): "### Answer ###" with options A: B: C: is reflection, "### Completed contents ###"
planning, "### Important content ###" memory, "### Action ###" decision.

The policy keeps no memory between requests: like a model, it knows what was done only
from the history the request carries (magi's "Step N: <operation> -> <action JSON>
(<outcome>)" lines). A decision answers the first task step the history does not show done
yet; a repair request ("Your previous reply could not be used") therefore answers the same
step again. A request that says a reviewer vetoed the proposal for the current click step
(examples/recipe.c's "The verifier vetoed your last proposal (...)") moves on to the next
step, and a history line that matches the step after the current one counts both as done:
a task's steps may propose a wrong element first, as a mistaken model would. A click_text
step reads the last image of the request with tesseract and clicks
the centre of the matched text, in the task's coordinate space of the image as sent; text
not on screen is waited for twice (waits counted in the history), then answered with done
success=false. A click_element step finds the element of that name in the numbered element
list the request's text carries ("[12] button \"Pay now\" ...") and answers click_element
with its number. See tests/oracle/README.md.
"""

import re

import json

import formats
import mistakes
import ocr
import oraclelib
from oraclelib import OracleError

REPAIR = "Your previous reply could not be used"
COORDS = ("pixels", "norm1000", "norm1")
CLICKS = ("click", "double_click", "right_click", "long_press")
STEP_KINDS = ("click_text", "click_element", "type", "key", "answer", "done")


def init(state):
    """Check the answer key once, at start-up, so a bad task file fails fast."""
    task = state.get("task")
    if not isinstance(task, dict):
        raise ValueError("the gui policy needs --task FILE holding a JSON object")
    if task.get("coords", "pixels") not in COORDS:
        raise ValueError('"coords" must be one of %s' % ", ".join(COORDS))
    if task.get("format", "magi") not in formats.FORMATS:
        raise ValueError('"format" must be one of %s' % ", ".join(formats.FORMATS))
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
    state["ocr_cache"] = {}     # OCR of images by hash: a cache of readings, not a memory
    # wrong on purpose (ORACLE_MISTAKES): its seeded randomness, not a memory of the run
    state["mistakes"] = mistakes.Mistakes.from_env()


def answer(body, state):
    role, text, last = _role(body)
    if role is None and state["task"].get("format", "magi") != "magi":
        # a model of its own format: every other request asks for an action, in that
        # format's own prompt
        role = "decision"
        text = "\n".join(reversed(_user_texts(body)))
    if role is None:
        raise OracleError("gui policy cannot tell the role: the request asks for none of the "
                          "sections ### Action ###, ### Completed contents ###, ### Important "
                          "content ###, ### Answer ### (with options A: B: C:)")
    if role == "planning":
        done = [_done_text(h) for h in _history(text) if h["action"].get("action") != "wait"]
        summary = "; ".join(done) or "Nothing has been done yet."
        reply, log = "### Completed contents ###\n" + summary, {"history": len(done)}
    elif role == "memory":
        reply, log = "### Important content ###\nNone", {}
    elif role == "reflection":
        reply, log = _reflect(body)
    else:
        reply, log = _decide(body, state, text, last)
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
    """(role, the prompt that asks for it, text of the last user/system message) - the
    role from the last such message that asks for known sections, so a bare repair message
    after the original prompt still counts as the original prompt's role."""
    texts = _user_texts(body)
    last = texts[0] if texts else ""
    for t in texts:
        role = _role_of(t)
        if role:
            return role, t, last
    return None, "", last


VETO = re.compile(r"vetoed your last proposal \((.*?)\):")
HISTORY_LINE = re.compile(r"^Step (\d+): (.*) -> (\{.*\}) \(([^()]*)\)\s*$", re.M)


def _history(prompt):
    """The operations the prompt says were done, in order: [{"step", "operation",
    "action" (parsed JSON), "outcome"}]. magi shows the last ten."""
    out = []
    for m in HISTORY_LINE.finditer(prompt):
        try:
            action = json.loads(m.group(3))
        except ValueError:
            continue
        if isinstance(action, dict):
            out.append({"step": int(m.group(1)), "operation": m.group(2), "action": action,
                        "outcome": m.group(4)})
    return out


def _quoted(text):
    m = re.search(r'"([^"]*)"', text or "")
    return m.group(1) if m else ""


def _did(entry, step):
    """Whether history entry shows task step done. An operation the guard refused was not
    done (the next decision tries it again); one that was performed counts whatever the
    reflection made of it."""
    if "refused" in entry["outcome"]:
        return False
    a = entry["action"]
    kind = a.get("action")
    if "click_text" in step:
        return (kind == step.get("action", "click")
                and _quoted(entry["operation"]).lower() == step["click_text"].lower())
    if "click_element" in step:
        return (kind == "click_element"
                and _quoted(entry["operation"]).lower() == step["click_element"].lower())
    if "type" in step:
        return kind == "type" and a.get("text") == step["type"]
    if "key" in step:
        return kind == "key" and a.get("keys") == step["key"]
    if "answer" in step:
        return kind == "answer" and a.get("text") == step["answer"]
    return kind == "done"


def _progress(steps, history):
    """(index of the first step not done yet, waits since the last step done) from the
    history alone. When the history is cut (its first line is not Step 1), it is aligned
    to the first step its first operation matches."""
    cursor, waits = 0, 0
    acts = [h for h in history if h["action"].get("action") != "wait"]
    if history and history[0]["step"] > 1 and acts:
        cursor = next((i for i, st in enumerate(steps) if _did(acts[0], st)), 0)
    for h in history:
        if h["action"].get("action") == "wait":
            waits += 1
        elif cursor < len(steps) and _did(h, steps[cursor]):
            cursor, waits = cursor + 1, 0
        elif cursor + 1 < len(steps) and _did(h, steps[cursor + 1]):
            # the step before was skipped (its proposal was vetoed and never performed)
            cursor, waits = cursor + 2, 0
    return cursor, waits


PAST = {"click": "Clicked", "double_click": "Double-clicked", "right_click": "Right-clicked",
        "long_press": "Long-pressed", "click_element": "Clicked"}


def _done_text(entry):
    """Past-tense line for the planning role's summary of one history entry."""
    action = entry["action"]
    kind = action.get("action")
    if kind == "done":
        return "Declared the task %s" % ("done" if action.get("success") else "failed")
    if kind == "type":
        return 'Typed "%s"' % action.get("text", "")
    if kind == "key":
        return "Pressed %s" % action.get("keys", "")
    if kind == "answer":
        return 'Answered "%s"' % action.get("text", "")
    if kind in PAST:
        return '%s "%s"' % (PAST[kind], _quoted(entry["operation"]))
    return entry["operation"] or kind


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


# How many times a click_text step waits for its text to appear before giving up.
WAIT_BEFORE_GIVING_UP = 2


def _decide(body, state, prompt, last_text):
    task = state["task"]
    steps = task.get("steps", [])
    fmt = task.get("format", "magi")
    history = _history(prompt)
    if fmt == "magi":
        idx, waits = _progress(steps, history)
    else:
        idx, waits = formats.progress(body, prompt, history, REPAIR in last_text)
    log = {"step": idx, "repair": REPAIR in last_text, "history": len(history)}
    # a reviewer's veto of the proposal for this step, carried by the request: the step was a
    # mistake (a task's steps may propose a wrong element first), so the next one is proposed
    veto = VETO.search(prompt)
    if veto and idx < len(steps) and "click_text" in steps[idx] and \
            _quoted(veto.group(1)).lower() == steps[idx]["click_text"].lower():
        idx, waits = idx + 1, 0
        log["vetoed"] = veto.group(1)

    step = steps[idx] if idx < len(steps) else None
    if task.get("impossible"):
        thought = "I looked for a way to do this task on the screen and found none."
        action, op = {"action": "done", "success": False}, "Give up: the task is impossible"
    elif step is None:
        thought = "Every step of the task has been done."
        action, op = {"action": "done", "success": True}, "Finish the task"
    else:
        if "click_text" in step:
            thought, action, op = _click(body, state, step, waits, log)
        elif "click_element" in step:
            thought, action, op = _click_element(prompt, step, waits, log)
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
    kind = None if log["repair"] else state["mistakes"].pick(action)
    if kind:  # a seeded mistake instead of the right action; the history will not show the step done
        images = oraclelib.request_images(body)
        wrong = state["mistakes"].apply(kind, action, images[-1] if images else None, state)
        if wrong is not None:
            action, op = wrong, "Act on what I take to be the right element"
            thought = "I believe this is what the task needs next."
            log["mistake"] = kind
    log["action"] = action
    if fmt == "magi":
        reply = "### Thought ###\n%s\n### Action ###\n%s\n### Operation ###\n%s" % (
            thought, json.dumps(action, ensure_ascii=False, separators=(",", ":")), op)
    else:
        full = "\n".join(oraclelib.message_text(m) for m in oraclelib.messages(body) if isinstance(m, dict))
        reply = formats.reply(fmt, action, thought, op, log.pop("xy", None), log.pop("fbox", None), full)
    return reply, log


def _click(body, state, step, waits, log):
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
        # not have drawn yet when the screenshot was taken (the history shows the waits).
        if waits < WAIT_BEFORE_GIVING_UP:
            log["found"], log["waiting"] = False, waits + 1
            thought = ('I do not see "%s" yet (I read: %s); the screen may still be drawing, so I wait.'
                       % (target, words))
            return thought, {"action": "wait", "seconds": 1}, "Wait for the screen"
        thought = ('I could not find "%s" on the screen (I read: %s), so I cannot complete '
                   "the task." % (target, words))
        log["found"] = False
        return thought, {"action": "done", "success": False}, 'Give up: "%s" not found' % target
    left, top, right, bottom = boxes[nth]
    cx, cy = (left + right) / 2, (top + bottom) / 2
    fmt = state["task"].get("format", "magi")
    if fmt == "magi":
        x, y = _to_space(cx, cy, img.w, img.h, state["task"].get("coords", "pixels"))
    else:
        # the format's own numbers for the point (and, for grounders, the box)
        x, y = formats.to_space(fmt, cx / img.w, cy / img.h, img.w, img.h)
        log["xy"] = (x, y)
        log["fbox"] = formats.to_space(fmt, left / img.w, top / img.h, img.w, img.h) + \
            formats.to_space(fmt, right / img.w, bottom / img.h, img.w, img.h)
        log["space"] = formats.space(fmt, img.w, img.h)
    # where the model means, as fractions of the image it saw (tests compare the click)
    log["intended"] = [cx / img.w, cy / img.h]
    log["found"], log["box"] = True, [left, top, right, bottom]
    kind = step.get("action", "click")
    verb = kind.replace("_", " ")
    thought = ('I see "%s" at pixels (%d, %d) of the %dx%d screenshot; I %s its centre.'
               % (target, cx, cy, img.w, img.h, verb))
    return thought, {"action": kind, "x": x, "y": y}, '%s "%s"' % (verb.capitalize(), target)


ELEMENT_LINE = re.compile(r'^\[(\d+)\] (\S+) (?:<untrusted[^>]*>)?"([^"]*)"', re.M)


def _click_element(prompt, step, waits, log):
    """Finds the element named like the step in the element list of the request's text:
    exact name first, then a name containing it (any case)."""
    target = step["click_element"]
    found = [(int(n), role, name) for n, role, name in ELEMENT_LINE.findall(prompt)]
    low = target.lower()
    hits = [f for f in found if f[2].lower() == low] or [f for f in found if low in f[2].lower()]
    log["elements"] = len(found)
    if not hits:
        if waits < WAIT_BEFORE_GIVING_UP:
            log["found"], log["waiting"] = False, waits + 1
            return ('No element is named "%s" in the list (%d elements); I wait for the page.'
                    % (target, len(found)), {"action": "wait", "seconds": 1}, "Wait for the page")
        log["found"] = False
        return ('No element is named "%s" in the list of %d, so I cannot complete the task.'
                % (target, len(found)), {"action": "done", "success": False},
                'Give up: "%s" not found' % target)
    n, role, name = hits[0]
    log["found"], log["element"] = True, n
    return ('The element list has %s [%d] "%s"; I click it by its number.' % (role, n, name),
            {"action": "click_element", "element": n}, 'Click "%s"' % target)

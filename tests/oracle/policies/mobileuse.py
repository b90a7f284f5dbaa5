"""Oracle policy `mobileuse`: plays the roles of magi's `mobileuse` recipe.

Two modes, chosen by the task file (--task, JSON):

1. Scripted, per role: {"script": {"operator": [ENTRY, ...], "reflector": [...],
   "progressor": [...], "trajectory_reflector": [...], "global_reflector": [...]}}.
   Each request of a role takes that role's next entry: a string (the content) or a script
   entry object ({"content": ..., "logprobs": ...}; see logprobs.py). A role whose queue
   is empty answers 500 "script for ROLE exhausted", so a run that asks more than the test
   wrote fails loudly. The order of the roles between each other does not matter.

2. Acting, from the gui policy's answer key ({"coords", "steps": [{"click_text": ...}, ...]})
   plus optional "done_when_absent": "TEXT" (what the task means by done: TEXT is no longer
   on the screen). Every answer comes from the request itself:
   - operator: the gui policy's decision on the screenshot it was sent, written as a
     <tool_call>; with a seeded mistake rate (ORACLE_MISTAKES, mistakes.py: misclicks,
     wrong targets, premature terminate; the gui policy makes them) it is sometimes wrong
     on purpose. Its token logprobs are
     modelled: confident (-0.005..-0.0001) for an action grounded in text it found on the
     screen, lower (a seeded log(U(0.6, 0.999))) for a guess - every mistake is a guess,
     and so is a wait for text it cannot see. So reflection on demand catches most of the
     stand-in's mistakes but not all of them.
   - reflector: truthful from the two images and the action in the request: identical
     images -> C; a click whose point (in the before image) lies on text the task means to
     click -> A, on anything else -> B; any other action that changed the screen -> A.
   - progressor: the actions the history in the request shows done and not judged B or C.
   - trajectory_reflector: B when the request lists problems found by rule checks, else A.
   - global_reflector: Failed while "done_when_absent" text is still on the last image it
     was sent, else Success.
   - explorer (magi explore): clicks the first word of 3+ letters on the screenshot that the
     request's history does not show clicked (reading order); with none, waits twice for the
     screen to change, then terminates.
   Like the gui policy, it keeps no memory of the run: what was done comes from the history
   lines the request carries.
   - summarizer: the record so far (read back from the request) plus one line saying which
     words the action made disappear and appear, from OCR of the two images.
   - critic: "None", or a warning when the request's history repeats an action.
"""

import hashlib
import importlib.util
import json
import os
import re

import logprobs
import mistakes
import ocr
import oraclelib
from oraclelib import OracleError

_spec = importlib.util.spec_from_file_location(
    "mobileuse_gui", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gui.py"))
gui = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gui)

ROLES = ("operator", "reflector", "progressor", "trajectory_reflector", "global_reflector",
         "explorer", "summarizer", "critic")
MARGIN = 10  # pixels around a word that still count as on it


def init(state):
    task = state.get("task")
    if not isinstance(task, dict):
        raise ValueError("the mobileuse policy needs --task FILE holding a JSON object")
    if "script" in task:
        sc = task["script"]
        if not isinstance(sc, dict) or set(sc) - set(ROLES):
            raise ValueError('"script" must map roles (%s) to lists of answers' % ", ".join(ROLES))
        for role, items in sc.items():
            if not isinstance(items, list):
                raise ValueError('"script.%s" must be a list' % role)
            for e in items:
                if isinstance(e, dict) and e.get("logprobs") is not None:
                    logprobs.check(e["logprobs"])
                elif not isinstance(e, (str, dict)):
                    raise ValueError('"script.%s" items are strings or {"content": ...}' % role)
        state["queues"] = {r: list(sc.get(r, [])) for r in ROLES}
        return
    gui.init(state)


def role_of(body):
    texts = [oraclelib.message_text(m) for m in oraclelib.messages(body)
             if isinstance(m, dict) and m.get("role") in ("user", "system")]
    for t in reversed(texts):
        if "### Summary ###" in t:
            return "summarizer"
        if "### Advice ###" in t:
            return "critic"
        if "<tool_call>" in t and "You are exploring" in t:
            return "explorer"
        if "### Result ###" in t:
            return "global_reflector"
        if "### Outcome ###" in t:
            return "trajectory_reflector" if "trajectory reflector" in t else "reflector"
        if "### Completed contents ###" in t:
            return "progressor"
        if "<tool_call>" in t:
            return "operator"
    return None


def answer(body, state):
    role = role_of(body)
    if role is None:
        raise OracleError("mobileuse policy cannot tell the role of this request")
    if "queues" in state:
        q = state["queues"][role]
        if not q:
            raise OracleError("script for %s exhausted" % role, 500)
        e = q.pop(0)
        e = {"content": e} if isinstance(e, str) else dict(e)
        e["log"] = {"role": role, "left": len(q)}
        return e
    if role == "operator":
        return _operate(body, state)
    if role in ("explorer", "summarizer", "critic"):
        return _explore(role, body, state)
    if role == "reflector":
        return _reflect(body, state)
    if role == "progressor":
        # what the history in the request shows done and not judged a failure
        hist = gui._history(oraclelib.message_text(oraclelib.messages(body)[-1]))
        done = [gui._done_text(h) for h in hist if h["outcome"][:1] not in ("B", "C")
                and h["action"].get("action") not in ("wait", "take_note", "done")]
        text = "; ".join(done) if done else "Nothing has been completed yet."
        return {"content": "### Completed contents ###\n" + text, "log": {"role": role}}
    if role == "trajectory_reflector":
        bad = "Problems found by rule checks" in oraclelib.message_text(oraclelib.messages(body)[-1])
        out = ("B", "The trajectory repeats itself; try a different element.") if bad else ("A", "None")
        return {"content": "### Outcome ###\n%s\n### Error Description ###\n%s" % out,
                "log": {"role": role, "outcome": out[0]}}
    return _global(body, state)


def _tool_call(action):
    """The gui policy's action as a mobile_use tool call's arguments."""
    k = action["action"]
    if k in gui.CLICKS:
        return {"action": k, "coordinate": [action["x"], action["y"]]}
    if k == "type":
        return {"action": "type", "text": action["text"]}
    if k == "key":
        return {"action": "key", "text": action["keys"]}
    if k == "answer":
        return {"action": "answer", "text": action["text"]}
    if k == "wait":
        return {"action": "wait", "time": action.get("seconds", 1)}
    return {"action": "terminate", "status": "success" if action.get("success", True) else "failure"}


def _operate(body, state):
    texts = gui._user_texts(body)
    prompt = next((t for t in texts if "<tool_call>" in t), "")
    # the gui policy's decision, from the screenshot and the history this request carries
    reply, log = gui._decide(body, state, prompt, texts[0] if texts else "")
    action = log["action"]
    m = state["mistakes"]
    mistake = log.get("mistake")  # made by the gui policy's decision (mistakes.py)
    thought = reply.split("### Thought ###\n", 1)[-1].split("\n### Action ###", 1)[0]
    op = reply.split("### Operation ###\n", 1)[-1].strip()
    guess = bool(mistake) or action["action"] == "wait" or log.get("found") is False
    lp = m.logprob(guess)
    args = _tool_call(action)
    content = "<thinking>%s</thinking>\n<tool_call>\n%s\n</tool_call>\nAction: %s" % (
        thought, json.dumps({"name": "mobile_use", "arguments": args}), op)
    log.update({"role": "operator", "tool": args, "action_logprob": lp})
    return {"content": content, "log": log, "logprobs": {"match": {args["action"]: lp}}}


def _request_action(body):
    """The action JSON the reflector was asked about ("Action: {...}")."""
    text = oraclelib.message_text(oraclelib.messages(body)[-1])
    m = re.search(r"^Action: (\{.*\})$", text, re.M)
    if not m:
        raise OracleError("mobileuse policy: the reflection request names no \"Action: {...}\"")
    return json.loads(m.group(1))


def _words(img, state):
    """Words tesseract reads on the image: its default page layout, else one uniform block,
    else sparse text (a small dialog on a dark desktop can defeat the default layout)."""
    cache = state["ocr_cache"]
    digest = hashlib.sha256(img.data).hexdigest()
    words = []
    for psm in (None, 6, 11):
        key = (digest, psm, 1)  # the keys ocr.locate caches under
        if key not in cache:
            cache[key] = ocr.run_tesseract(img.data, img.ext, psm, 1)
        words = cache[key]
        if words:
            break
    return words


def _reflect(body, state):
    images = oraclelib.request_images(body)
    if len(images) < 2:
        raise OracleError("mobileuse policy: a reflection needs the screens before and after")
    before, after = images[-2], images[-1]
    action = _request_action(body)
    targets = [s["click_text"] for s in state["task"].get("steps", []) if "click_text" in s]
    log = {"role": "reflector"}
    if before.data == after.data:
        outcome, why = "C", "The screen did not change at all after the action."
    elif action.get("action") in gui.CLICKS and "x" in action:
        px, py = mistakes._to_pixels(action["x"], action["y"], before.w, before.h, state["task"].get("coords", "pixels"))
        words = _words(before, state)
        under = [w.text for w in words if w.left - MARGIN <= px <= w.left + w.width + MARGIN
                 and w.top - MARGIN <= py <= w.top + w.height + MARGIN]
        said = "".join(ocr.norm(u) for u in under)
        hit = any(ocr.norm(t.replace(" ", "")) and ocr.norm(t.replace(" ", "")) in said for t in targets)
        log["under"] = under
        if hit:
            outcome, why = "A", "None"
        else:
            outcome = "B"
            why = ('The click landed on %s, not on what the task needs (%s).'
                   % ('"%s"' % " ".join(under) if under else "no text", ", ".join(targets) or "nothing to click"))
    else:
        outcome, why = "A", "None"
    log["outcome"] = outcome
    return {"content": "### Outcome ###\n%s\n### Error Description ###\n%s" % (outcome, why), "log": log}


def _global(body, state):
    images = oraclelib.request_images(body)
    gone = state["task"].get("done_when_absent")
    if gone and not images:
        raise OracleError("mobileuse policy: the global reflector needs the screen")
    if gone:
        boxes, _ = ocr.locate(images[-1].data, images[-1].ext, gone, state["ocr_cache"])
        if boxes:
            return {"content": "### Result ###\nFailed\n### Reason ###\nThe screen still shows \"%s\", so the "
                               "task is not done." % gone, "log": {"role": "global_reflector", "result": "Failed"}}
    return {"content": "### Result ###\nSuccess\n### Reason ###\nThe screen shows the task done.",
            "log": {"role": "global_reflector", "result": "Success"}}


def _section(text, head, tail):
    a = text.find(head)
    if a < 0:
        return ""
    a += len(head)
    b = text.find(tail, a)
    return text[a:b if b >= 0 else len(text)].strip()


def _explore(role, body, state):
    last = oraclelib.message_text(oraclelib.messages(body)[-1])
    images = oraclelib.request_images(body)
    if role == "explorer":
        if not images:
            raise OracleError("mobileuse policy: the explorer needs the screenshot")
        img = images[-1]
        # what was tried and how long it has waited: from the history the request carries
        hist = gui._history(last)
        tried = [ocr.norm(gui._quoted(h["operation"])) for h in hist]
        waits = 0
        for h in hist:
            waits = waits + 1 if h["action"].get("action") == "wait" else 0
        fresh = [w for w in _words(img, state) if len(ocr.norm(w.text)) >= 3 and ocr.norm(w.text) not in tried]
        if fresh:
            w = fresh[0]
            x, y = gui._to_space(w.left + w.width / 2, w.top + w.height / 2, img.w, img.h,
                                 state["task"].get("coords", "pixels"))
            args, desc = {"action": "click", "coordinate": [x, y]}, 'click "%s"' % re.sub(r"\W", "", w.text)
        elif waits < 2:
            args, desc = {"action": "wait", "time": 1}, "wait for the screen to change"
        else:
            args, desc = {"action": "terminate", "status": "success"}, "nothing new to explore"
        content = "<thinking>Exploring.</thinking>\n<tool_call>\n%s\n</tool_call>\nAction: %s" % (
            json.dumps({"name": "mobile_use", "arguments": args}), desc)
        return {"content": content, "log": {"role": role, "tool": args}}
    if role == "summarizer":
        if len(images) < 2:
            raise OracleError("mobileuse policy: the summarizer needs the screens before and after")
        before = [re.sub(r"\W", "", w.text) for w in _words(images[-2], state)]
        after = [re.sub(r"\W", "", w.text) for w in _words(images[-1], state)]
        gone = [w for w in before if w not in after]
        new = [w for w in after if w not in before]
        prev = _section(last, "What was recorded so far:", "\n\nUpdate the record")
        desc = _section(last, "Description:", "\n")
        line = "After %s: %s%s" % (desc or "the action",
                                  "the screen no longer shows %s" % " ".join(gone) if gone else "nothing disappeared",
                                  "; it now shows %s" % " ".join(new) if new else "")
        record = (prev + "\n" if prev and prev != "(nothing yet)" else "") + line
        return {"content": "### Summary ###\n" + record, "log": {"role": role}}
    hist = _section(last, "Recent actions:", "\n\nWhat was recorded")
    acts = re.findall(r"-> (\{.*?\}) \(", hist)
    advice = "You repeated an action; try elements you have not tried." if len(acts) != len(set(acts)) else "None"
    return {"content": "### Advice ###\n" + advice, "log": {"role": role}}

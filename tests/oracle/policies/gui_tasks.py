"""Oracle policy `gui_tasks`: the `gui` policy over a whole suite of GUI tasks at once.

`magi eval` runs many tasks against one model server, so the stand-in must know several
answer keys. Task file (--task, JSON):
    {"tasks": [{"task": "Close the dialog with Cancel",
                "coords": "pixels", "steps": [{"click_text": "Cancel"}, {"done": true}]},
               {"task": "Print the report", "impossible": true}, ...]}
Each entry is a `gui` policy task (see policies/gui.py) plus the text of the task it
answers. A request belongs to the task whose text it carries (the longest one found in
its user and system messages). Like the `gui` policy, it keeps no memory between
requests: what was done comes from the history the request carries, so a task run twice
(a resumed eval, a second recipe) is answered from its first step again. Where things
are still comes only from the screenshot it was sent (the `gui` policy reads it with
tesseract); the key says only what each task means.
"""

import importlib.util
import os

import oraclelib
from oraclelib import OracleError

_spec = importlib.util.spec_from_file_location(
    "oracle_gui_for_tasks", os.path.join(os.path.dirname(os.path.abspath(__file__)), "gui.py"))
gui = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gui)


def _key(task):
    st = {"task": task}
    gui.init(st)  # checks the key; the state holds it and an OCR cache, no progress
    return st


def init(state, make=_key):
    """make(key) -> that task's state; the suite-wide policies of other roles
    (mobileuse_tasks, ponder_tasks) pass their own."""
    key = state.get("task")
    tasks = key.get("tasks") if isinstance(key, dict) else key
    if not isinstance(tasks, list) or not tasks:
        raise ValueError('the gui_tasks policy needs --task FILE holding {"tasks": [...]} (or a list)')
    state["keys"] = {}
    for i, t in enumerate(tasks):
        if not isinstance(t, dict) or not isinstance(t.get("task"), str) or not t["task"].strip():
            raise ValueError("task %d needs a \"task\" text" % i)
        if t["task"] in state["keys"]:
            raise ValueError("task %d: the text %r is given twice" % (i, t["task"]))
        try:
            state["keys"][t["task"]] = make({k: v for k, v in t.items() if k != "task"})
        except ValueError as e:
            raise ValueError("task %d (%s): %s" % (i, t["task"], e))
    # one seeded stream of mistakes for the oracle's life, as with one task (ORACLE_MISTAKES):
    # a stream per task would repeat the same draws in every task (at 0.3 with seed 1, every
    # task's first action wrong; at 0.1, none in short tasks)
    shared = gui.mistakes.Mistakes.from_env()
    for st in state["keys"].values():
        if "mistakes" in st:
            st["mistakes"] = shared


def _which(body, keys):
    texts = [oraclelib.message_text(m) for m in oraclelib.messages(body)
             if isinstance(m, dict) and m.get("role") in ("user", "system")]
    best = None
    for name in keys:
        if any(name in t for t in texts) and (best is None or len(name) > len(best)):
            best = name
    return best


def answer(body, state, policy=gui):
    name = _which(body, state["keys"])
    if name is None:
        raise OracleError("gui_tasks policy: the request carries none of the %d task texts it knows"
                          % len(state["keys"]))
    result = policy.answer(body, state["keys"][name])
    result.setdefault("log", {})["task"] = name
    return result

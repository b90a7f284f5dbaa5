"""Oracle policy `ponder_tasks`: the `ponder` policy's interpreter over a whole GUI suite,
for `magi eval --recipe ponder-press` (bench/bench_recipes.sh); the locator, which knows
nothing of the task, is the plain `ponder` policy on its own server. Task file: gui_tasks'
key (picked per request by its task text, as gui_tasks does), each task's steps turned into the interpreter's: click_text -> click,
type, key and done as they are. The ponder interpreter has no answer action and makes no
mistakes on purpose (ORACLE_MISTAKES does not reach it): a task whose key answers a
question, and an infeasible one, is given up (done, success false). Like the ponder
policy, it keeps a cursor per task, so each task must be run once per server (--jobs 1).
"""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name):
    spec = importlib.util.spec_from_file_location("ponder_tasks_" + name, os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gui_tasks, ponder = _load("gui_tasks"), _load("ponder")


def _steps(key):
    out = []
    for s in key.get("steps") or []:
        if "click_text" in s:
            out.append({"click": s["click_text"]})
        elif "type" in s or "key" in s or "done" in s:
            out.append({k: s[k] for k in ("type", "key", "done") if k in s})
        else:  # an answer: not in the interpreter's vocabulary
            return [{"done": False}]
    return out if out and not key.get("impossible") else [{"done": False}]


def _make(key):
    st = {"task": {"steps": _steps(key)}}
    ponder.init(st)
    return st


def init(state):
    gui_tasks.init(state, _make)


def answer(body, state):
    return gui_tasks.answer(body, state, ponder)

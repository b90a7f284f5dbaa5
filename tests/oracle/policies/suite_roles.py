"""Oracle policies over a whole GUI suite for recipes whose roles have their own policy
(mobileuse, ponder): one server answers every task of `magi eval`, as `gui_tasks` does for
the gui policy. Not a policy itself; `mobileuse_tasks.py` and `ponder_tasks.py` use it.

The task file is gui_tasks' ({"tasks": [{"task": TEXT, ...gui key...}]}, what
scripts/gen-gui-suite writes). A request belongs to the task whose text it carries
(gui_tasks' rule); each task has its own state, made by the caller's `make(key)`.
"""

import importlib.util
import os

from oraclelib import OracleError

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location("suite_roles_" + name, os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gui_tasks = load("gui_tasks")


def init(state, make):
    key = state.get("task")
    tasks = key.get("tasks") if isinstance(key, dict) else key
    if not isinstance(tasks, list) or not tasks:
        raise ValueError('this policy needs --task FILE holding {"tasks": [...]} (gui_tasks\' key)')
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


def answer(body, state, policy):
    name = gui_tasks._which(body, state["keys"])
    if name is None:
        raise OracleError("the request carries none of the %d task texts this policy knows" % len(state["keys"]))
    result = policy.answer(body, state["keys"][name])
    result.setdefault("log", {})["task"] = name
    return result

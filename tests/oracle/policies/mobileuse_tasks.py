"""Oracle policy `mobileuse_tasks`: the `mobileuse` policy (acting mode) over a whole GUI
suite, for `magi eval --recipe mobileuse` (bench/bench_recipes.sh). Task file: gui_tasks'
key (picked per request by its task text, as gui_tasks does). Each task's key is the mobileuse policy's acting key as it is; the
suite's key has no "done_when_absent", so the global reflector always agrees with a finish
(it cannot veto a premature done here). Mistakes (ORACLE_MISTAKES) work as in mobileuse.
"""

import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def _load(name):
    spec = importlib.util.spec_from_file_location("mobileuse_tasks_" + name, os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gui_tasks, mobileuse = _load("gui_tasks"), _load("mobileuse")


def _make(key):
    st = {"task": key}
    mobileuse.init(st)
    return st


def init(state):
    gui_tasks.init(state, _make)


def answer(body, state):
    return gui_tasks.answer(body, state, mobileuse)

"""Oracle policy `mobileuse_tasks`: the `mobileuse` policy (acting mode) over a whole GUI
suite, for `magi eval --recipe mobileuse` (bench/bench_recipes.sh). Task file: gui_tasks'
key (suite_roles.py). Each task's key is the mobileuse policy's acting key as it is; the
suite's key has no "done_when_absent", so the global reflector always agrees with a finish
(it cannot veto a premature done here). Mistakes (ORACLE_MISTAKES) work as in mobileuse.
"""

import importlib.util
import os

_spec = importlib.util.spec_from_file_location(
    "mobileuse_tasks_roles", os.path.join(os.path.dirname(os.path.abspath(__file__)), "suite_roles.py"))
roles = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(roles)
mobileuse = roles.load("mobileuse")


def _make(key):
    st = {"task": key}
    mobileuse.init(st)
    return st


def init(state):
    roles.init(state, _make)


def answer(body, state):
    return roles.answer(body, state, mobileuse)

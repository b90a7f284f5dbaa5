"""Mistakes on purpose for the stand-in model (issue 11): a seeded share of its actions
is wrong the way a real model's are, so what a loop's reflection buys can be measured.

Configured from the environment of the oracle process (so every policy that uses it gets
the same switch; nothing is read from the task's answer key):
    ORACLE_MISTAKES=0.3        share of actions that are wrong (default 0: none)
    ORACLE_SEED=7              seed of the choices (default 1)
    ORACLE_MISTAKE_KINDS=misclick,wrong_target,premature_done   (default: all three)
    ORACLE_MISTAKE_LIMIT=1     at most this many mistakes in the oracle's life (default: no limit)
Kinds:
    misclick        a click lands 12% of the screen away from the element meant
    wrong_target    a click lands on another piece of text read on the same screenshot
    premature_done  the task is declared done (success) while a step is still to do
Only actions a kind applies to are changed (a misclick needs a click), so the realised
rate is at most the configured one; the policy logs every mistake it made ("mistake").

`logprob(guess)` models the confidence a model reports for its action's type: confident
(log of U(0.995, 0.9999)) for an action grounded in what it read, lower (log of
U(0.6, 0.999)) for a guess. It is modelled, not measured.
"""

import hashlib
import math
import os
import random

import ocr

KINDS = ("misclick", "wrong_target", "premature_done")
CLICKS = ("click", "double_click", "right_click", "long_press")


def _to_pixels(x, y, w, h, coords):
    if coords == "norm1000":
        return x * w / 1000, y * h / 1000
    if coords == "norm1":
        return x * w, y * h
    return x, y


def _from_pixels(x, y, w, h, coords):
    x, y = min(max(x, 0), w - 1), min(max(y, 0), h - 1)
    if coords == "norm1000":
        return int(round(x / w * 1000)), int(round(y / h * 1000))
    if coords == "norm1":
        return round(x / w, 3), round(y / h, 3)
    return int(round(x)), int(round(y))


class Mistakes:
    def __init__(self, rate=0.0, seed=1, kinds=KINDS, limit=None):
        if not 0 <= rate <= 1:
            raise ValueError("ORACLE_MISTAKES must be a share from 0 to 1, got %r" % rate)
        bad = [k for k in kinds if k not in KINDS]
        if bad or not kinds:
            raise ValueError("ORACLE_MISTAKE_KINDS: unknown kind(s) %s (use %s)" % (", ".join(bad), ", ".join(KINDS)))
        self.rate, self.kinds, self.left = rate, tuple(kinds), limit
        self.rng = random.Random(seed)
        self.lp_rng = random.Random(seed + 1)  # confidences do not shift the mistakes' draws

    @classmethod
    def from_env(cls):
        try:
            rate = float(os.environ.get("ORACLE_MISTAKES", "0"))
            seed = int(os.environ.get("ORACLE_SEED", "1"))
            limit = os.environ.get("ORACLE_MISTAKE_LIMIT")
            limit = int(limit) if limit else None
        except ValueError as e:
            raise ValueError("ORACLE_MISTAKES / ORACLE_SEED: %s" % e)
        kinds = [k.strip() for k in os.environ.get("ORACLE_MISTAKE_KINDS", ",".join(KINDS)).split(",") if k.strip()]
        return cls(rate, seed, kinds, limit)

    def pick(self, action):
        """The kind of mistake to make instead of action, or None."""
        if not self.rate or self.left == 0 or self.rng.random() >= self.rate:
            return None
        kind = action.get("action")
        fits = [k for k in self.kinds if (k != "premature_done" and kind in CLICKS)
                or (k == "premature_done" and kind != "done")]
        if not fits:
            return None
        if self.left is not None:
            self.left -= 1
        return self.rng.choice(fits)

    def apply(self, mistake, action, image, state):
        """The wrong action (model space of the task's coords), or None when the mistake
        cannot be made on this screen."""
        if mistake == "premature_done":
            return {"action": "done", "success": True}
        if image is None:
            return None
        coords = state["task"].get("coords", "pixels")
        px, py = _to_pixels(action["x"], action["y"], image.w, image.h, coords)
        if mistake == "misclick":
            ang = self.rng.uniform(0, 2 * math.pi)
            r = 0.12 * min(image.w, image.h)
            x, y = _from_pixels(px + r * math.cos(ang), py + r * math.sin(ang), image.w, image.h, coords)
            return {"action": action["action"], "x": x, "y": y}
        key = (hashlib.sha256(image.data).hexdigest(), None, 1)
        cache = state.setdefault("ocr_cache", {})
        if key not in cache:
            cache[key] = ocr.run_tesseract(image.data, image.ext, None, 1)
        others = [w for w in cache[key] if len(ocr.norm(w.text)) >= 2
                  and not (w.left - 10 <= px <= w.left + w.width + 10 and w.top - 10 <= py <= w.top + w.height + 10)]
        if not others:
            return None
        w = self.rng.choice(others)
        x, y = _from_pixels(w.left + w.width / 2, w.top + w.height / 2, image.w, image.h, coords)
        return {"action": action["action"], "x": x, "y": y}

    def logprob(self, guess):
        p = self.lp_rng.uniform(0.6, 0.999) if guess else self.lp_rng.uniform(0.995, 0.9999)
        return round(math.log(p), 6)

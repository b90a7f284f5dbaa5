"""click_error.py ORACLE_LOG X Y SCREEN_W SCREEN_H [--print]: compares where a click landed
(the X pointer at X, Y) with the point the stand-in meant: the last decision of the log
that found its target gives it as fractions of the image it was sent ("intended"), and the
format's coordinate space ("space": kind, W, H). The pointer pixel's centre must be within
half a step of the format's coordinates (scaled to the screen) plus half a screen pixel on
each axis; exit 1 otherwise. --print writes {"dx", "dy", "err", "bound"} as one JSON line."""
import json
import math
import sys

log, px, py, sw, sh = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
meant = None
for line in open(log):
    try:
        pol = json.loads(line).get("policy") or {}
    except ValueError:
        continue
    if pol.get("found") and pol.get("intended"):
        meant = pol
if not meant:
    sys.exit("click_error: no decision in %s found its target" % log)
fx, fy = meant["intended"]
kind, W, H = meant.get("space") or ("pixels", meant["image"][0], meant["image"][1])
step = {"norm1": 0.01}.get(kind)  # SeeClick writes two decimals
sx = sw * (step if step else 1.0 / W)
sy = sh * (step if step else 1.0 / H)
dx, dy = px + 0.5 - fx * sw, py + 0.5 - fy * sh
bx, by = sx / 2 + 0.5 + 1e-6, sy / 2 + 0.5 + 1e-6
res = {"dx": round(dx, 3), "dy": round(dy, 3), "err": round(math.hypot(dx, dy), 3),
       "bound": [round(bx, 3), round(by, 3)], "space": [kind, W, H]}
if "--print" in sys.argv:
    print(json.dumps(res))
ok = abs(dx) <= bx and abs(dy) <= by
if not ok:
    sys.stderr.write("click_error: %s\n" % json.dumps(res))
sys.exit(0 if ok else 1)

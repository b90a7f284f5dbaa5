"""Oracle policy `video`: plays magi's video-question roles by reading the frames it is sent.

It reads only the request. The question and its choices come from the prompt magi sends
("Question: ..." and the "A) ..." lines under "Choices:"); what the video shows comes only
from the frames (and storyboards) in the request, read with tesseract; what earlier rounds
found comes from the evidence and discussion quoted in the prompt. It is given no answer key
and no evidence times, so it can be right only by reading a frame that shows the answer —
or by chance.

Task file (--task, JSON, optional): options, never answers.
    {"seed": 0,                      # seeds the uninformed guesses (below)
     "profiles": {"lazy-model": "lazy"},  # by the request's "model": a lazy member never
                                    # asks to look further (lvagent disagreement tests)
     "ocr_cache": "/tmp/dir",       # keep OCR results on disk across oracle runs
     "latency": {"base_ms": 200, "ms_per_1k_prompt": 150, "ms_per_completion": 5}}
                                    # a modelled model latency: the answer is delayed to
                                    # base + prompt and completion terms (OCR time counts);
                                    # the oracle's log records the wait as modelled_latency_ms
A task holding questions, answers or evidence times is refused at start-up.

How it reads. Frames are read with tesseract (the background colour is whitened first,
which Tesseract needs for flat dark backgrounds), in time order; each frame's time comes
from the text label magi sends before it ("Frame 3 at 00:02:21 (141.0 s):"). A frame
*informs* when it shows the question's place (the upper-case place name in the question,
e.g. WEST STATION, read as the scene's title) and a line of text holding one of the
choices' values. The answer is the choice whose value the informing frame (or an evidence
line quoted in the prompt) shows. Without one, the policy guesses: a uniform choice among
the letters, drawn from a generator seeded with (seed, the request's model, the question),
so a run is reproducible, members of a team guess independently, and an uninformed
answer is right by chance (1 in the number of choices). Guesses are logged "guess": true.

Roles (told by the JSON keys the prompt's reply format asks for, last user text first):
  "load_mode"    avp planner: round 1 a coarse uniform overview (fps = budget/duration,
                 at least 0.1); later rounds zoom into a region around the times where the
                 observer reported the question's place (+- one overview spacing, 0.5 fps),
                 then densely around it at medium resolution; when the place was never seen,
                 a second overview on a shifted grid.
  "sufficient"   avp reflector (text): sufficient with confidence 0.9 when an evidence line
                 shows a sign at the question's place holding a choice value, else not
                 sufficient (with a guess), saying where the place was seen.
  "block_scores" lvagent block scoring: OCR of each block storyboard; 9 when the place's
                 title is in it, 10 when a time cited in the discussion falls in the block.
  "peer_scores"  lvagent scoring: 9 for reasons that cite a sign at the place with the value
                 of the member's answer, 2 for an admitted guess, 5 otherwise.
  "reasons"      lvagent reasons from the member's own evidence (quoted in the prompt).
  "enough"       lvagent perception: with frames (the default sample), enough and an answer
                 when an informing frame is among them (a lazy member always answers at once);
                 else the key information needed; without frames (a later round), enough when
                 the member's own reasons in the discussion cite the sign.
  "answer"       uniform answer, lvagent member answer, avp forced answer: from the frames
                 sent and the evidence lines in the prompt.
  "evidence"     avp observer: one item per run of frames showing the same thing: the place
                 (with its sign when readable) and signs at other places.
"""

import concurrent.futures
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import tempfile
import time

import ocr
import oraclelib
from oraclelib import OracleError

REPAIR = "Your previous reply could not be used"
ROLE_KEYS = (("load_mode", "planner"), ("sufficient", "reflector"), ("block_scores", "blocks"),
             ("peer_scores", "peers"), ("reasons", "reasons"), ("enough", "perceive"),
             ("answer", "answer"), ("evidence", "observer"))
FRAME_LABEL = re.compile(r"Frame \d+ at [\d:.]+ \((\d+(?:\.\d+)?) s\)")
BLOCK_LABEL = re.compile(r"Block (\d+) of (\d+): \S+ \((\d+(?:\.\d+)?)-(\d+(?:\.\d+)?) s\)")
EVIDENCE_LINE = re.compile(r"^- \[[^\]]*\] \((\d+(?:\.\d+)?)-(\d+(?:\.\d+)?) s\) (.*)$", re.M)
SIGN = re.compile(r'reads "([^"]+)"')
WORKERS = max(1, min(4, os.cpu_count() or 2))


# --- start-up -----------------------------------------------------------------------------

OPTIONS = ("seed", "profiles", "ocr_cache", "latency")


def init(state):
    opts = state.get("task")
    if opts is None:
        opts = {}
    if not isinstance(opts, dict):
        raise ValueError("the video policy's --task is an object of options (%s), or none"
                         % ", ".join(OPTIONS))
    for k in opts:
        if k in ("questions", "question", "answer", "evidence", "uninformed"):
            raise ValueError("the video policy takes no %r: it reads the question from the "
                             "request and knows no answers" % k)
        if k not in OPTIONS:
            raise ValueError("unknown option %r (known: %s)" % (k, ", ".join(OPTIONS)))
    if not isinstance(opts.get("seed", 0), int):
        raise ValueError('"seed" must be an integer')
    state["opts"] = opts
    state["ocr_mem"] = {}
    cache = opts.get("ocr_cache")
    if cache:
        os.makedirs(cache, exist_ok=True)
    if not shutil.which("tesseract"):
        raise ValueError("the tesseract command is not installed")


# --- reading requests -------------------------------------------------------------------

def _user_texts(body):
    return [oraclelib.message_text(m) for m in reversed(oraclelib.messages(body))
            if isinstance(m, dict) and m.get("role") in ("user", "system")]


def _role(body):
    for t in _user_texts(body):
        for key, role in ROLE_KEYS:
            if '"%s"' % key in t:
                return role, t
    return None, ""


def _labelled_images(body):
    """[(label text before the image, Image)] in request order."""
    imgs = oraclelib.request_images(body)
    out, k, last = [], 0, ""
    for msg in oraclelib.messages(body):
        content = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(content, list):
            continue
        for part in content:
            t = oraclelib.part_text(part)
            if t is not None:
                last = t
            elif isinstance(part, dict) and part.get("type") in ("image_url", "input_image"):
                out.append((last, imgs[k]))
                k += 1
    return out


QUESTION = re.compile(r"^Question: (.+)\nChoices:\n((?:[A-Z]\) .*(?:\n|$))+)", re.M)


def _question(body):
    """{"question", "choices" ["A) ...", ...], "id"} read from the prompt."""
    for t in _user_texts(body):
        m = QUESTION.search(t)
        if m:
            q = m.group(1).strip()
            choices = [l.strip() for l in m.group(2).splitlines() if l.strip()]
            return {"question": q, "choices": choices,
                    "id": "q-" + hashlib.sha256(q.encode()).hexdigest()[:10]}
    raise OracleError("video policy: the request holds no multiple-choice question "
                      '("Question: ..." followed by "Choices:" and "A) ..." lines)')


def _words(s):
    return [w for w in (re.sub(r"[^A-Z0-9]", "", x.upper()) for x in s.split()) if w]


def _squash(s):
    return "".join(_words(s))


def _place(question):
    runs = re.findall(r"\b[A-Z][A-Z0-9]+(?:\s+[A-Z][A-Z0-9]+)+\b", question)
    if not runs:
        runs = re.findall(r"\b[A-Z]{3,}\b", question)
    if not runs:
        raise OracleError("video policy: no place name (upper case) in the question: %s" % question)
    return max(runs, key=len)


def _values(q):
    """{letter: value words} of the choices ("A) 4821" -> {"A": ["4821"]})."""
    return {c[0]: _words(c[2:]) for c in q["choices"]}


def guess(seed, model, question, letters):
    """The uninformed answer: a uniform choice among letters from a generator seeded with
    (seed, model, question) - chance, reproducible, independent across team members."""
    return random.Random("%s|%s|%s" % (seed, model, question)).choice(letters)


def _guess(q, body, state):
    model = body.get("model") if isinstance(body.get("model"), str) else ""
    return guess(state["opts"].get("seed", 0), model, q["question"], [c[0] for c in q["choices"]])


def _fmt(t):
    return ("%.1f" % t).rstrip("0").rstrip(".")


# --- OCR ------------------------------------------------------------------------------------

def _cells(path, w, h):
    """Top-left corners of a storyboard's cells: the spans between its gutters (rows and
    columns nearly all of the colour of the pixel at 1,1). [] when none are found."""
    r = subprocess.run(["convert", path, "-depth", "8", "rgb:-"], capture_output=True,
                       timeout=ocr.TESSERACT_TIMEOUT)
    px = r.stdout
    if r.returncode or len(px) < w * h * 3:
        return []
    g = px[(w + 1) * 3:(w + 1) * 3 + 3]

    def near(i):
        return abs(px[i] - g[0]) + abs(px[i + 1] - g[1]) + abs(px[i + 2] - g[2]) < 60

    def spans(n, m, at):
        gut = [sum(near(at(a, b)) for b in range(0, m, 3)) >= 0.9 * len(range(0, m, 3)) for a in range(n)]
        out, start = [], None
        for a in range(n + 1):
            if a < n and not gut[a]:
                start = a if start is None else start
            elif start is not None:
                if a - start > 8:
                    out.append(start)
                start = None
        return out

    xs = spans(w, h, lambda x, y: (y * w + x) * 3)
    ys = spans(h, w, lambda y, x: (y * w + x) * 3)
    return [(x, y) for y in ys for x in xs] if len(xs) * len(ys) > 1 else []


def _tesseract_lines(data, ext, whiten, scale, w=0, h=0):
    with tempfile.TemporaryDirectory(prefix="oracle-video-") as tmp:
        src = os.path.join(tmp, "in." + ext)
        with open(src, "wb") as f:
            f.write(data)
        path = src
        if whiten or scale != 1:
            conv = shutil.which("convert")
            if conv:
                path = os.path.join(tmp, "prep.png")
                cmd = [conv, src]
                # Flat dark backgrounds defeat Tesseract's binarisation: each scene's
                # background colour (a frame's corner, or each storyboard cell's) is whitened.
                corners = _cells(src, w, h) if whiten == "cells" else [(1, 1)] if whiten else []
                if corners:
                    cmd += ["-fuzz", "12%", "-fill", "white"]
                for x, y in corners:
                    cmd += ["-draw", "color %d,%d replace" % (x + 3, y + 3)]
                if scale != 1:
                    cmd += ["-resize", "%d%%" % (scale * 100)]
                subprocess.run(cmd + [path], check=True, capture_output=True,
                               timeout=ocr.TESSERACT_TIMEOUT)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        r = subprocess.run(["tesseract", path, "-", "tsv"], env=env, capture_output=True,
                           timeout=ocr.TESSERACT_TIMEOUT)
        if r.returncode:
            raise OracleError("tesseract failed: %s" % r.stderr.decode(errors="replace")[-300:], 500)
    lines = {}
    for w in ocr.parse_tsv(r.stdout.decode("utf-8", "replace")):
        lines.setdefault(w.line, []).append(w.text)
    return [" ".join(ws) for _, ws in sorted(lines.items())]


def _read(img, mode, state):
    """Text lines of an image: mode "frame" (whitened background, then a 2x retry when
    nothing is read) or "storyboard" (at 2x, read as it is and again with every cell's
    background whitened). Cached in memory and on disk."""
    key = "%s-%s" % (img.sha256, mode)
    mem = state["ocr_mem"]
    if key in mem:
        return mem[key]
    cache = state["opts"].get("ocr_cache")
    path = os.path.join(cache, key[:2], key + ".json") if cache else None
    if path and os.path.exists(path):
        with open(path) as f:
            lines = json.load(f)
    else:
        if mode == "frame":
            lines = _tesseract_lines(img.data, img.ext, True, 1)
            if not any(_words(l) for l in lines):
                lines = _tesseract_lines(img.data, img.ext, False, 2)
        else:
            # neither reading finds every title alone; together they miss few
            lines = (_tesseract_lines(img.data, img.ext, False, 2)
                     + _tesseract_lines(img.data, img.ext, "cells", 2, img.w, img.h))
        if path:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "w") as f:
                json.dump(lines, f)
            os.replace(tmp, path)
    if len(mem) > 20000:
        mem.clear()
    mem[key] = lines
    state["ocr_runs"] = state.get("ocr_runs", 0) + 1
    return lines


def _read_many(imgs, mode, state):
    """OCR of several images at once (tesseract is one process per image)."""
    todo = [im for im in imgs if "%s-%s" % (im.sha256, mode) not in state["ocr_mem"]]
    if len(todo) > 1:
        with concurrent.futures.ThreadPoolExecutor(WORKERS) as ex:
            list(ex.map(lambda im: _read(im, mode, state), todo))
    return [_read(im, mode, state) for im in imgs]


class Fact:
    """What one frame shows: the question's place (its title), the sign there with the
    letter of the choice value it holds, or signs at other places."""

    def __init__(self, t, lines, place, values):
        self.t = t
        pk = _squash(place)
        self.place = any(pk in _squash(l) for l in lines)
        self.sign = self.letter = None
        self.others = []  # (title, sign text, letter)
        title = None
        signs = []
        for l in lines:
            ws = _words(l)
            if not ws:
                continue
            hit = next((k for k, v in values.items() if v and _has(ws, v)), None)
            if hit and pk not in _squash(l):
                signs.append((" ".join(ws), hit))
            elif title is None and not hit:
                title = " ".join(ws)
        if self.place and signs:
            self.sign, self.letter = signs[0]
        elif signs and title:
            self.others = [(title, s, k) for s, k in signs]

    def informs(self):
        return self.place and self.letter is not None

    def describe(self, place):
        if self.informs():
            return 'The %s scene is on screen (its title is shown) with a sign that reads "%s".' % (
                place, self.sign)
        if self.place:
            return ("The %s scene is on screen (its title is shown); no sign about the question "
                    "is readable." % place)
        if self.others:
            title, sign, _ = self.others[0]
            return 'At the %s (another place) a sign reads "%s".' % (title, sign)
        return None


def _has(words, value):
    n = len(value)
    return any(words[i:i + n] == value for i in range(len(words) - n + 1))


def _frames(body):
    """[(time, Image)] of the frame images (labelled "Frame N at ... (T s):")."""
    out = []
    for label, img in _labelled_images(body):
        m = FRAME_LABEL.search(label)
        if m:
            out.append((float(m.group(1)), img))
    return out


def _facts(frames, q, state, stop_at_informing=False):
    """Facts of frames in time order. With stop_at_informing, reading goes in time order,
    a few frames at a time, and stops after the first informing one (the same answer with
    less OCR: the answer is the first informing frame's)."""
    place, values = _place(q["question"]), _values(q)
    frames = sorted(frames, key=lambda f: f[0])
    if stop_at_informing:
        facts = []
        for i in range(0, len(frames), WORKERS):
            batch = frames[i:i + WORKERS]
            lines = _read_many([im for _, im in batch], "frame", state)
            got = [Fact(t, l, place, values) for (t, _), l in zip(batch, lines)]
            facts += got
            if any(f.informs() for f in got):
                break
        return facts
    lines = _read_many([im for _, im in frames], "frame", state)
    return [Fact(t, l, place, values) for (t, _), l in zip(frames, lines)]


def _evidence_lines(text):
    """[(start, end, description)] of the "- [..] (a-b s) description" lines of a prompt."""
    return [(float(a), float(b), d) for a, b, d in EVIDENCE_LINE.findall(text)]


def _informing_line(lines, q):
    """(start, end, sign, letter) of an evidence line that shows a sign at the question's
    place holding a choice value, or None."""
    place, values = _place(q["question"]), _values(q)
    for a, b, d in lines:
        if _squash(place) not in _squash(d.split(" a sign")[0].split(" with a sign")[0]):
            continue
        m = SIGN.search(d)
        if not m:
            continue
        ws = _words(m.group(1))
        for k, v in values.items():
            if v and _has(ws, v):
                return a, b, m.group(1), k
    return None


def _place_times(lines, q):
    pk = _squash(_place(q["question"]))
    return [(a, b) for a, b, d in lines if pk in _squash(d.split("(another place)")[0])
            and "another place" not in d]


# --- roles ----------------------------------------------------------------------------------

def _plan(text, q, state):
    place = _place(q["question"])
    m = re.search(r"long \((\d+(?:\.\d+)?) s\)", text)
    dur = float(m.group(1)) if m else 600.0
    m = re.search(r"can look at (\d+) frames", text)
    budget = int(m.group(1)) if m else 32
    looked = re.findall(r"^- Round \d+: (.*)$", text, re.M)
    spacings = [float(x) for x in re.findall(r"about every (\d+(?:\.\d+)?) s", "\n".join(looked))]
    overview = [l for l in looked if l.startswith("uniform")]
    regions_done = [l for l in looked if l.startswith("regions")]
    times = _place_times(_evidence_lines(text), q)
    sub = "Find the %s scene and read its sign that answers the question." % place
    if not looked:
        fps = min(5.0, max(0.1, round(budget / dur, 2)))
        return {"sub_query": "Get an overview of the whole video: find the %s scene." % place,
                "load_mode": "uniform", "fps": fps, "resolution": "low", "regions": []}, "overview"
    sp = max(spacings) if spacings else dur / max(1, budget)
    if times:
        a = min(t[0] for t in times)
        b = max(t[1] for t in times)
        if not regions_done:
            lo, hi = max(0.0, a - sp), min(dur, b + sp)
            fps, res, why = 0.5, "low", "zoom"
        else:
            # looked there already and the sign was not readable: denser and sharper
            lo, hi = max(0.0, a - 2), min(dur, b + 2)
            fps, res, why = 2.0, "medium", "dense"
        fps = max(0.1, min(fps, budget / max(hi - lo, 1e-3)))
        return {"sub_query": sub, "load_mode": "region", "fps": round(fps, 3),
                "resolution": res, "regions": [[round(lo, 1), round(hi, 1)]]}, why
    # never seen the place: another overview on a grid shifted from the first one
    shift = sp / 4 if regions_done else 0.0
    fps = min(5.0, max(0.1, round(budget / dur, 2)))
    return {"sub_query": "The %s scene was not seen yet; look between the frames seen so far." % place,
            "load_mode": "region", "fps": fps, "resolution": "low",
            "regions": [[round(shift, 1), round(dur, 1)]]}, "search"


def _observe(body, q, state):
    place = _place(q["question"])
    facts = _facts(_frames(body), q, state)
    items = []
    for f in facts:
        d = f.describe(place)
        if d is None:
            continue
        if items and items[-1]["description"] == d:
            items[-1]["end"] = f.t
        else:
            items.append({"start": f.t, "end": f.t, "description": d})
    log = {"frames": len(facts), "informed": any(f.informs() for f in facts),
           "place_seen": any(f.place for f in facts)}
    return {"evidence": items}, log


def _reflect(body, text, q, state):
    place = _place(q["question"])
    lines = _evidence_lines(text)
    hit = _informing_line(lines, q)
    if hit:
        a, b, sign, k = hit
        return {"sufficient": True, "confidence": 0.9, "answer": k,
                "justification": 'At %s-%s s the %s scene shows a sign that reads "%s", so the '
                                 "answer is %s." % (_fmt(a), _fmt(b), place, sign, k)}, {"informed": True}
    times = _place_times(lines, q)
    if times:
        a, b = min(t[0] for t in times), max(t[1] for t in times)
        why = ("The %s scene appears at %s-%s s, but no sign answering the question was readable "
               "in the frames seen; look at that scene densely." % (place, _fmt(a), _fmt(b)))
    else:
        why = "The %s scene has not been seen yet; it must be between the frames looked at." % place
    return {"sufficient": False, "confidence": 0.2, "answer": _guess(q, body, state),
            "justification": why}, {"informed": False, "guess": True}


def _answer(body, text, q, state):
    place = _place(q["question"])
    frames = _frames(body)
    facts = _facts(frames, q, state, stop_at_informing=True) if frames else []
    inf = [f for f in facts if f.informs()]
    if inf:
        f = inf[0]
        return {"answer": f.letter, "confidence": 0.9,
                "evidence": [{"start": f.t, "end": f.t, "description": f.describe(place)}],
                "justification": 'The %s scene at %s s shows a sign that reads "%s".'
                                 % (place, _fmt(f.t), f.sign)}, {"informed": True, "frames": len(frames)}
    hit = _informing_line(_evidence_lines(text), q)
    if hit:
        a, b, sign, k = hit
        return {"answer": k, "confidence": 0.85, "evidence": [],
                "justification": 'The evidence at %s-%s s shows the %s sign reading "%s".'
                                 % (_fmt(a), _fmt(b), place, sign)}, {"informed": True, "frames": len(frames)}
    # not informed: a guess, whatever signs at other places were read (a model that
    # did not see the answer is right by chance, not wrong on purpose)
    return {"answer": _guess(q, body, state), "confidence": 0.1, "evidence": [],
            "justification": "None of the frames shows the %s scene's sign; this is a guess." % place}, \
        {"informed": False, "guess": True, "frames": len(frames)}


def _lazy(body, state):
    prof = state["opts"].get("profiles") or {}
    return prof.get(body.get("model")) == "lazy"


def _perceive(body, text, q, state):
    place = _place(q["question"])
    need = "the %s scene and the sign there that answers the question" % place
    frames = _frames(body)
    if frames:
        # the first look: a member content with the default sample answers at once
        out, log = _answer(body, "", q, state)
        if log["informed"] or _lazy(body, state):
            log["lazy"] = _lazy(body, state)
            return dict({"enough": True}, **out), log
        return {"enough": False, "key_information": need}, log
    if _lazy(body, state):
        return {"enough": True, "key_information": ""}, {"lazy": True}
    summary = _section(text, "Summary of the discussion so far:", "Question:")
    me = re.search(r"You are (agent\d+)", text)
    mine = re.findall(r"^- %s answered .*$" % (me.group(1) if me else "-"), summary, re.M)
    if mine and _cites_sign(mine[-1], q):
        # what this member saw last round settles it; looking again would add nothing
        return {"enough": True, "key_information": ""}, {"informed": True}
    cited = sorted(set(re.findall(r"at (\d+(?:\.\d+)?)(?:-\d+(?:\.\d+)?)? s\b", summary)))
    if cited:
        need += " (other members cite %s s)" % ", ".join(cited)
    return {"enough": False, "key_information": need}, {"cited": cited}


def _section(text, start, end):
    i = text.find(start)
    if i < 0:
        return ""
    j = text.find(end, i + len(start))
    return text[i + len(start):j if j >= 0 else len(text)]


def _blocks(body, text, q, state):
    place = _place(q["question"])
    boards = [(BLOCK_LABEL.search(l), im) for l, im in _labelled_images(body)]
    boards = [(m, im) for m, im in boards if m]
    if not boards:
        raise OracleError("video policy: a block-scoring request without labelled storyboards")
    if _lazy(body, state):
        return {"block_scores": [5] * len(boards)}, {"lazy": True}
    cited = [float(x) for x in re.findall(r"(\d+(?:\.\d+)?) s\b", _section(text, "Key information you need to see:", "The video is split"))]
    lines = _read_many([im for _, im in boards], "storyboard", state)
    scores = []
    for (m, _), ls in zip(boards, lines):
        a, b = float(m.group(3)), float(m.group(4))
        s = 9 if any(_squash(place) in _squash(l) for l in ls) else 1
        if any(a <= c <= b for c in cited):
            s = 10
        scores.append(s)
    return {"block_scores": scores}, {"scores": scores}


def _reasons(text, q, state):
    place = _place(q["question"])
    own = re.search(r"Your answer: (\S+)", text)
    own = own.group(1) if own else "?"
    ev = _section(text, "Your evidence (times in seconds from the start of the video):", "Give the reasons")
    try:
        items = json.loads(ev.strip() or "[]")
    except ValueError:
        items = []
    lines = [(float(i.get("start", 0)), float(i.get("end", 0)), str(i.get("description", "")))
             for i in items if isinstance(i, dict)]
    hit = _informing_line(lines, q)
    if hit:
        a, b, sign, k = hit
        r = ('I saw the %s scene at %s-%s s and its sign reads "%s", which gives answer %s.'
             % (place, _fmt(a), _fmt(b), sign, k))
    else:
        r = "I did not see the sign at the %s that the question asks about; my answer %s is a guess." % (place, own)
    return {"reasons": r}, {"informed": bool(hit)}


def _cites_sign(text, q, letter=None):
    """Whether text cites a sign at the question's place holding a choice value (that of
    letter when given)."""
    place, values = _place(q["question"]), _values(q)
    m = SIGN.search(text)
    if not m or _squash(place) not in _squash(text):
        return False
    ws = _words(m.group(1))
    want = [values.get(letter, [])] if letter else list(values.values())
    return any(v and _has(ws, v) for v in want)


def _peers(text, q, state):
    who = re.findall(r'"(agent\d+)": <1-10>', text)
    blocks = dict(re.findall(r"### (agent\d+) ###\n(.*?)(?=\n### agent\d+ ###|\Z)", _section(
        text, "other members' answers and reasons:", "\nQuestion:"), re.S))
    scores = {}
    for a in who:
        b = blocks.get(a, "")
        ans = re.search(r"Answer: (\S+)", b)
        ans = ans.group(1) if ans else ""
        if _cites_sign(b, q, ans[:1]):
            scores[a] = 9
        elif "guess" in b.lower():
            scores[a] = 2
        else:
            scores[a] = 5
    return {"peer_scores": scores}, {"scores": scores}


def answer(body, state):
    t0 = time.monotonic()
    role, text = _role(body)
    if role is None:
        raise OracleError("video policy cannot tell the role: the request asks for none of the "
                          "JSON keys %s" % ", ".join('"%s"' % k for k, _ in ROLE_KEYS))
    q = _question(body)
    runs0 = state.get("ocr_runs", 0)
    if role == "planner":
        out, why = _plan(text, q, state)
        log = {"plan": why}
    elif role == "observer":
        out, log = _observe(body, q, state)
    elif role == "reflector":
        out, log = _reflect(body, text, q, state)
    elif role == "answer":
        out, log = _answer(body, text, q, state)
    elif role == "perceive":
        out, log = _perceive(body, text, q, state)
    elif role == "blocks":
        out, log = _blocks(body, text, q, state)
    elif role == "reasons":
        out, log = _reasons(text, q, state)
    else:
        out, log = _peers(text, q, state)
    log.update({"role": role, "question": q["question"], "question_id": q["id"],
                "ocr_runs": state.get("ocr_runs", 0) - runs0})
    if "answer" in out and role in ("answer", "reflector", "perceive"):
        log["answer"] = out["answer"]
        log.setdefault("guess", False)
    content = json.dumps(out, ensure_ascii=False)
    entry = {"content": content, "log": log}
    lat = state["opts"].get("latency")
    if lat:
        chars = oraclelib.text_chars(body)
        ptok = oraclelib.tokens_for_chars(chars) + sum(
            oraclelib.patch_tokens(im.w, im.h) for im in oraclelib.request_images(body))
        want = (lat.get("base_ms", 0) + lat.get("ms_per_1k_prompt", 0) * ptok / 1000.0
                + lat.get("ms_per_completion", 0) * oraclelib.tokens_for_chars(len(content)))
        spent = (time.monotonic() - t0) * 1000
        log["latency_model_ms"] = round(want, 1)
        if want > spent:
            entry["delay_ms"] = round(want - spent, 1)
    return entry

"""Token log-probabilities for the stand-in's answers (OpenAI chat format:
choices[0].logprobs.content = [{"token", "logprob", "bytes", "top_logprobs"}]).

The stand-in has no tokenizer; it splits its content into words, runs of punctuation and
runs of spaces, which is close enough to a BPE split for the readers that look at tokens
by their text (MobileUse reads the tokens between "action" and the next comma).

A spec (a script entry's or a policy answer's "logprobs") is either an explicit list of
[token, logprob] pairs (or {"token", "logprob"} objects), sent as is, or an object
{"default": LP, "match": {"click": LP2, ...}}: the content's tokens, each with LP2 where
its text equals a key of "match", else LP (default -0.0001).
"""

import re

_TOKEN = re.compile(r"\w+|[^\w\s]+|\s+")


def tokens(text):
    return _TOKEN.findall(text)


def check(spec):
    """Raises ValueError when spec is not a valid logprobs spec."""
    if isinstance(spec, list):
        for t in spec:
            pair = (t.get("token"), t.get("logprob")) if isinstance(t, dict) else tuple(t) if isinstance(t, list) else ()
            if len(pair) != 2 or not isinstance(pair[0], str) or not isinstance(pair[1], (int, float)) or pair[1] > 0:
                raise ValueError('"logprobs" list items must be [token, logprob <= 0]: %r' % (t,))
        return
    if not isinstance(spec, dict) or set(spec) - {"default", "match"}:
        raise ValueError('"logprobs" must be a list of [token, logprob] or {"default": LP, "match": {...}}')
    vals = [spec.get("default", -0.0001)] + list((spec.get("match") or {}).values())
    if not all(isinstance(v, (int, float)) and v <= 0 for v in vals):
        raise ValueError('"logprobs" values must be numbers <= 0')


def content(spec, text):
    """The choices[0].logprobs.content array for text."""
    if isinstance(spec, list):
        pairs = [(t["token"], t["logprob"]) if isinstance(t, dict) else (t[0], t[1]) for t in spec]
    else:
        d, m = spec.get("default", -0.0001), spec.get("match") or {}
        pairs = [(t, m.get(t, d)) for t in tokens(text)]
    return [{"token": t, "logprob": float(lp), "bytes": list(t.encode()), "top_logprobs": []} for t, lp in pairs]

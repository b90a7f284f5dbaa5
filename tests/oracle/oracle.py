#!/usr/bin/python3
"""magi's stand-in model: an OpenAI-compatible chat-completions server for tests.

Answers come from a script (one JSONL entry per request, in order) or from an oracle
policy (tests/oracle/policies/<name>.py) that knows the task's answer key; faults
(429 with retry-after, 5xx, stalls, truncated or malformed bodies, dropped
connections) are injected from the script or with --fault-first. Every request is
logged as one JSON line so tests can check what the model was shown.

Only 127.0.0.1 is bound. Python 3 standard library only. See tests/oracle/README.md.
"""

import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree

import argparse
import importlib.util
import json
import os
import re
import signal
import socket
import struct
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import logprobs  # noqa: E402
import oraclelib  # noqa: E402
from oraclelib import OracleError  # noqa: E402

MAX_BODY = 512 * 1024 * 1024  # requests larger than this get 413
CHUNK = 64 * 1024             # write size for the oversized fault
SECRET_HEADERS = ("authorization", "api-key", "x-api-key")

NAMED_FAULTS = ("stall", "truncated", "malformed", "no_choices", "empty_choices",
                "oversized", "close", "reset")
ENTRY_KEYS = {
    "content": {"content", "usage", "finish_reason", "delay_ms", "log", "note", "logprobs"},
    "fault": {"fault", "retry_after", "retry_after_ms", "message", "seconds", "bytes",
              "delay_ms", "log", "note"},
    "policy": {"policy", "delay_ms", "note"},
}


def fault_status(kind):
    """HTTP status of an error fault ('429', 503) or None for a named fault."""
    s = str(kind)
    if re.fullmatch(r"[45]\d\d", s):
        return int(s)
    return None


def check_entry(e):
    """Validate one answer entry (script line, --fault-first, policy result); returns
    it. Raises ValueError saying what is wrong, so typos fail at start-up."""
    if not isinstance(e, dict):
        raise ValueError("entry must be a JSON object, got %s" % type(e).__name__)
    if "fault" in e:
        form = "fault"
        if fault_status(e["fault"]) is None and e["fault"] not in NAMED_FAULTS:
            raise ValueError("unknown fault %r (use an HTTP status 400-599 or one of %s)"
                             % (e["fault"], ", ".join(NAMED_FAULTS)))
    elif "content" in e:
        form = "content"
        if e["content"] is not None and not isinstance(e["content"], str):
            raise ValueError('"content" must be a string (or null: a reply without content)')
        if "usage" in e and e["usage"] is not None and not isinstance(e["usage"], dict):
            raise ValueError('"usage" must be an object or null')
        if e.get("logprobs") is not None:
            logprobs.check(e["logprobs"])
    elif e.get("policy") is True:
        form = "policy"
    else:
        raise ValueError('entry needs "content", "fault" or "policy": true')
    extra = set(e) - ENTRY_KEYS[form]
    if extra:
        raise ValueError("unknown key(s) for a %s entry: %s" % (form, ", ".join(sorted(extra))))
    for k in ("delay_ms", "seconds", "retry_after", "retry_after_ms", "bytes"):
        if k in e and (not isinstance(e[k], (int, float)) or isinstance(e[k], bool) or e[k] < 0):
            raise ValueError('"%s" must be a number >= 0' % k)
    return e


def load_script(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                entries.append(check_entry(json.loads(line)))
            except ValueError as e:  # json.JSONDecodeError is a ValueError
                raise SystemExit("oracle: %s line %d: %s" % (path, n, e))
    return entries


def parse_fault_first(spec):
    """'N:KIND' where KIND is a fault name, an HTTP status or a JSON fault entry."""
    n, sep, kind = spec.partition(":")
    if not sep or not n.isdigit():
        raise SystemExit("oracle: --fault-first wants N:KIND (e.g. 2:429), got %r" % spec)
    try:
        entry = json.loads(kind) if kind.startswith("{") else {"fault": kind}
        return int(n), check_entry(entry)
    except ValueError as e:
        raise SystemExit("oracle: --fault-first %s: %s" % (spec, e))


def load_policy(name):
    if re.fullmatch(r"[A-Za-z0-9_]+", name):
        path = os.path.join(HERE, "policies", name + ".py")
    else:
        path = name  # a path to a policy file outside the tree
    if not os.path.isfile(path):
        raise SystemExit("oracle: policy %r not found (looked for %s)" % (name, path))
    spec = importlib.util.spec_from_file_location("oracle_policy_" + re.sub(r"\W", "_", name), path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    if not callable(getattr(mod, "answer", None)):
        raise SystemExit("oracle: policy %s has no answer(request, state) function" % path)
    return mod


class Oracle:
    """Answer sources and shared state of one server; methods are thread-safe."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.script = load_script(args.script) if args.script else None
        self.cursor = 0          # next script entry
        self.chat_seen = 0       # chat requests so far (for --fault-first)
        self.seq = 0             # all requests so far
        self.fault_first = parse_fault_first(args.fault_first) if args.fault_first else (0, None)
        self.policy = None
        self.policy_lock = threading.Lock()
        self.state = {}
        if args.policy:
            self.policy = load_policy(args.policy)
            self.state["task"] = None
            self.state["task_file"] = args.task
            if args.task:
                try:
                    with open(args.task, encoding="utf-8") as f:
                        self.state["task"] = json.load(f)
                except (OSError, ValueError) as e:
                    raise SystemExit("oracle: task file %s: %s" % (args.task, e))
            init = getattr(self.policy, "init", None)
            if callable(init):
                try:
                    init(self.state)
                except (OracleError, ValueError) as e:
                    raise SystemExit("oracle: policy %s refused the task: %s" % (args.policy, e))
        elif args.task:
            raise SystemExit("oracle: --task needs --policy")
        self.log = open(args.log, "a", encoding="utf-8") if args.log else None
        self.log_lock = threading.Lock()
        if args.save_images:
            os.makedirs(args.save_images, exist_ok=True)

    def next_seq(self):
        with self.lock:
            self.seq += 1
            return self.seq - 1

    def pick(self):
        """(source, script index or None, entry) for the next chat request."""
        with self.lock:
            self.chat_seen += 1
            n, fault = self.fault_first
            if self.chat_seen <= n:
                return "fault-first", None, fault
            if self.script is not None:
                i = self.cursor
                self.cursor += 1
                if i >= len(self.script):
                    return "exhausted", None, None
                e = self.script[i]
                return ("policy" if e.get("policy") else "script"), i, e
            return "policy", None, {"policy": True}

    def ask_policy(self, body):
        with self.policy_lock:  # policies keep state; one answer at a time
            result = self.policy.answer(body, self.state)
        if isinstance(result, str):
            return {"content": result}
        try:
            return check_entry(result)
        except ValueError as e:
            raise OracleError("policy %s returned a bad answer: %s" % (self.args.policy, e), 500)

    def save_image(self, img):
        name = "%s.%s" % (img.sha256[:16], img.ext)
        path = os.path.join(self.args.save_images, name)
        if not os.path.exists(path):  # content-addressed: each image written once
            tmp = "%s.%d.tmp" % (path, threading.get_ident())
            with open(tmp, "wb") as f:
                f.write(img.data)
            os.replace(tmp, path)
        return name

    def write_log(self, rec):
        if not self.log:
            return
        line = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
        with self.log_lock:
            self.log.write(line + "\n")
            self.log.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    server_version = "magi-oracle/1"
    sys_version = ""

    def setup(self):
        super().setup()
        # Headers and body go out in one write, but a client's next request must not
        # wait on Nagle either.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, fmt, *args):
        if self.server.oracle.args.verbose:
            sys.stderr.write("oracle: %s %s\n" % (self.address_string(), fmt % args))

    # --- plumbing --------------------------------------------------------------------

    def send_raw(self, status, body, ctype="application/json", extra=(), length=None, log=True):
        head = ["HTTP/1.1 %d %s" % (status, self.responses.get(status, ("",))[0]),
                "Server: " + self.server_version,
                "Date: " + self.date_time_string(),
                "Content-Type: " + ctype,
                "Content-Length: %d" % (len(body) if length is None else length)]
        head += ["%s: %s" % kv for kv in extra]
        if self.close_connection:
            head.append("Connection: close")
        self.rec["status"] = status
        if log:  # before the answer leaves: a client holding its answer finds the line
            self.end()
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        return status

    def send_json(self, status, obj, extra=()):
        return self.send_raw(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                             extra=extra)

    def send_error_json(self, status, message, extra=(), code=None):
        self.rec["error"] = message
        return self.send_json(status, oraclelib.error_body(status, message, code), extra)

    def read_body(self):
        try:
            return self._read_body()
        except ValueError:  # a chunk size or Content-Length that is not a number
            self.close_connection = True
            raise OracleError("bad Content-Length or chunk size in the request", 400)

    def _read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            parts, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65536) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                total += size
                if total > MAX_BODY:
                    self.close_connection = True
                    raise OracleError("request body over %d bytes" % MAX_BODY, 413)
                parts.append(self.rfile.read(size))
                self.rfile.readline(1024)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            self.close_connection = True  # the unread body would poison the connection
            raise OracleError("request body over %d bytes" % MAX_BODY, 413)
        return self.rfile.read(n) if n > 0 else b""

    def begin(self):
        o = self.server.oracle
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.rec = {"seq": o.next_seq(), "t": time.time(), "t_end": None,
                    "method": self.command, "path": self.path, "headers": headers,
                    "secret_headers": [k for k in SECRET_HEADERS if k in headers],
                    "body": None, "entry": None, "source": None, "status": None}
        return urlsplit(self.path).path.rstrip("/")

    def end(self):
        """Write the request's log line, once."""
        rec = self.rec
        if rec["t_end"] is None:
            rec["t_end"] = time.time()
            self.server.oracle.write_log(rec)
            if self.server.oracle.args.verbose:
                sys.stderr.write("oracle: #%d %s %s -> %s (%s%s) %.0f ms\n" % (
                    rec["seq"], rec["method"], rec["path"], rec["status"], rec["source"],
                    "" if rec["entry"] is None else " %d" % rec["entry"],
                    (rec["t_end"] - rec["t"]) * 1000))

    # --- endpoints -------------------------------------------------------------------

    def do_GET(self):
        path = self.begin()
        try:
            if path.endswith("/models"):
                model = self.server.oracle.args.model
                self.send_json(200, {"object": "list", "data": [
                    {"id": model, "object": "model", "created": 0, "owned_by": "magi-oracle"}]})
            elif path.endswith("/health"):
                self.send_json(200, {"status": "ok"})
            else:
                self.send_error_json(404, "no such endpoint: GET %s" % self.path)
        finally:
            self.end()

    def do_POST(self):
        path = self.begin()
        try:
            self.handle_post(path)
        except (BrokenPipeError, ConnectionResetError):
            self.rec["client_gone"] = True
            self.close_connection = True
        except Exception as e:  # a bug in the oracle or a policy: say so, loudly
            traceback.print_exc()
            self.close_connection = True
            if self.rec["status"] is None:
                try:
                    self.send_error_json(500, "oracle internal error: %s: %s"
                                         % (type(e).__name__, e))
                except OSError:
                    pass
        finally:
            self.end()

    def handle_post(self, path):
        o = self.server.oracle
        try:
            raw = self.read_body()
        except OracleError as e:
            return self.send_error_json(e.status, e.message)
        if not path.endswith("/chat/completions"):
            return self.send_error_json(404, "no such endpoint: POST %s" % self.path)
        try:
            body = json.loads(raw)
        except ValueError as e:
            self.rec["body_error"] = str(e)
            self.rec["body_raw"] = raw[:2000].decode("utf-8", "replace")
            return self.send_error_json(400, "request body is not valid JSON: %s" % e)
        self.rec["body"] = body
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            return self.send_error_json(400, "request body must be a JSON object with a "
                                        '"messages" array')
        try:
            images = oraclelib.request_images(body)
        except OracleError as e:
            return self.send_error_json(e.status, e.message)
        self.rec["image_info"] = [im.info() for im in images]
        if o.args.save_images:
            self.rec["images"] = [o.save_image(im) for im in images]

        source, index, entry = o.pick()
        self.rec["source"], self.rec["entry"] = source, index
        if source == "exhausted":
            sys.stderr.write("oracle: script exhausted at request %d\n" % self.rec["seq"])
            return self.send_error_json(500, "oracle script exhausted: all %d entries were "
                                        "used" % len(o.script), code="oracle_script_exhausted")
        delay = o.args.delay_ms + entry.get("delay_ms", 0)
        if entry.get("policy"):
            if o.policy is None:
                return self.send_error_json(500, 'script entry {"policy": true} but the '
                                            "oracle runs without --policy")
            try:
                entry = o.ask_policy(body)
            except OracleError as e:
                self.rec["policy_error"] = e.message
                return self.send_error_json(e.status, "oracle policy: " + e.message)
            delay += entry.get("delay_ms", 0)
        if source == "policy" and entry.get("log"):
            self.rec["policy"] = entry["log"]
        if delay > 0:
            # the wait stands for a model's latency: recorded, so a figure that includes it
            # can say it was modelled
            self.rec["modelled_latency_ms"] = round(delay, 1)
            time.sleep(delay / 1000.0)
        if "fault" in entry:
            self.rec["fault"] = str(entry["fault"])
            return self.send_fault(entry, body, images)
        return self.send_answer(entry, body, images)

    # --- answers ---------------------------------------------------------------------

    def completion(self, body, images, content, finish="stop", usage="auto"):
        model = body.get("model") if isinstance(body.get("model"), str) else self.server.oracle.args.model
        out = {"id": "chatcmpl-oracle-%d" % self.rec["seq"], "object": "chat.completion",
               "created": int(time.time()), "model": model,
               "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                            "finish_reason": finish}]}
        if usage is not None:
            p = oraclelib.tokens_for_chars(oraclelib.text_chars(body)) + \
                sum(oraclelib.patch_tokens(im.w, im.h) for im in images)
            c = oraclelib.tokens_for_chars(len(content or ""))
            u = {"prompt_tokens": p, "completion_tokens": c}
            if isinstance(usage, dict):
                u.update(usage)
            u.setdefault("total_tokens", u["prompt_tokens"] + u["completion_tokens"])
            out["usage"] = u
        return out

    def send_answer(self, entry, body, images):
        usage = entry["usage"] if "usage" in entry else "auto"
        out = self.completion(body, images, entry["content"],
                              entry.get("finish_reason", "stop"), usage)
        self.rec["usage"] = out.get("usage")
        # like a real server: token logprobs only when the request asks for them
        if body.get("logprobs") is True and entry.get("logprobs") is not None:
            out["choices"][0]["logprobs"] = {"content": logprobs.content(entry["logprobs"], entry["content"])}
            self.rec["logprobs_sent"] = len(out["choices"][0]["logprobs"]["content"])
        return self.send_json(200, out)

    def send_fault(self, entry, body, images):
        kind = str(entry["fault"])
        status = fault_status(kind)
        if status is not None:
            extra = []
            if "retry_after" in entry:
                extra.append(("Retry-After", "%g" % entry["retry_after"]))
            if "retry_after_ms" in entry:
                extra.append(("retry-after-ms", "%d" % entry["retry_after_ms"]))
            msg = entry.get("message") or oraclelib.DEFAULT_MESSAGES.get(
                status, "HTTP %d (oracle fault)" % status)
            return self.send_error_json(status, msg, extra)
        if kind == "stall":
            self.close_connection = True
            self.rec["client_closed_early"] = self.stall(entry.get("seconds", 30))
            return None
        if kind in ("close", "reset"):
            self.close_connection = True
            if kind == "reset":  # linger 0: close() sends RST instead of FIN
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                           struct.pack("ii", 1, 0))
                self.connection.close()
            return None
        if kind == "truncated":
            full = json.dumps(self.completion(body, images, "this answer is cut short")).encode()
            self.close_connection = True
            return self.send_raw(200, full[:len(full) // 2], length=len(full))
        if kind == "malformed":
            return self.send_raw(200, b"<html>this is not JSON {\"choices\": [", length=None)
        if kind in ("no_choices", "empty_choices"):
            out = self.completion(body, images, "")
            if kind == "no_choices":
                del out["choices"]
            else:
                out["choices"] = []
            return self.send_json(200, out)
        if kind == "oversized":
            return self.send_oversized(int(entry.get("bytes", 50_000_000)))
        raise AssertionError(kind)  # check_entry lets nothing else through

    def stall(self, seconds):
        """Send nothing for `seconds`, ending early when the client hangs up (so the log
        records when its timeout fired). True when the client closed first."""
        deadline = time.monotonic() + seconds
        sock = self.connection
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            sock.settimeout(min(left, 0.2))
            try:
                if sock.recv(65536, socket.MSG_PEEK) == b"":
                    return True
                time.sleep(min(left, 0.05))  # data (a pipelined request): keep stalling
            except socket.timeout:
                pass
            except OSError:
                return True
            finally:
                sock.settimeout(None)

    def send_oversized(self, n):
        # A well-formed completion whose content pads the body to exactly n bytes.
        head = b'{"id":"chatcmpl-oracle-big","object":"chat.completion","created":0,' \
               b'"model":"oracle","choices":[{"index":0,"message":{"role":"assistant",' \
               b'"content":"'
        tail = b'"},"finish_reason":"stop"}]}'
        pad = max(0, n - len(head) - len(tail))
        # Logged when done (or when the client hangs up, which tests want to see).
        self.send_raw(200, head, length=len(head) + pad + len(tail), log=False)
        block = b"x" * CHUNK
        while pad > 0:
            k = min(pad, CHUNK)
            self.wfile.write(block[:k])
            pad -= k
        self.wfile.write(tail)
        return 200


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="oracle.py",
        description="magi's stand-in model: an OpenAI-compatible chat-completions server "
                    "(POST .../v1/chat/completions, GET .../v1/models) on 127.0.0.1 whose "
                    "answers come from a JSONL script or an oracle policy. "
                    "See tests/oracle/README.md for the formats.")
    ap.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: pick a free one)")
    ap.add_argument("--port-file", metavar="F",
                    help="write the chosen port to F (atomically) once listening")
    ap.add_argument("--script", metavar="FILE",
                    help="JSONL answers, one entry consumed per chat request: "
                         '{"content": "..."}, {"fault": "429", "retry_after": 1}, '
                         '{"fault": "stall", "seconds": 30}, {"policy": true}, ...; '
                         "when it runs out every request gets 500 'oracle script exhausted'")
    ap.add_argument("--policy", metavar="NAME",
                    help="answer with tests/oracle/policies/NAME.py (or a path to a .py file): "
                         "answer(request, state) -> str")
    ap.add_argument("--task", metavar="FILE", help="JSON answer key for the policy (state['task'])")
    ap.add_argument("--fault-first", metavar="N:KIND",
                    help="the first N chat requests get fault KIND (a status such as 429, a "
                         "fault name, or a JSON fault entry) before normal answers")
    ap.add_argument("--log", metavar="FILE", help="append one JSON line per request received")
    ap.add_argument("--save-images", metavar="DIR",
                    help="write each image received once, named <sha256[:16]>.<ext>")
    ap.add_argument("--delay-ms", type=float, default=0, metavar="N",
                    help="latency added to every chat answer")
    ap.add_argument("--model", default="oracle",
                    help="model id for /v1/models and for requests that name none")
    ap.add_argument("--verbose", action="store_true", help="one line per request on stderr")
    args = ap.parse_args(argv)
    if not args.script and not args.policy:
        ap.error("give --script FILE or --policy NAME (or both)")

    oracle = Oracle(args)
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.oracle = oracle
    port = srv.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stderr.write("oracle: listening on 127.0.0.1:%d\n" % port)

    def stop(signum, frame):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    try:
        srv.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        srv.server_close()
        if oracle.log:
            oracle.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

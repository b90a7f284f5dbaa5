#!/usr/bin/python3
"""The browser tests' web site: serves tests/browser/site/ and logs what it received.

    site_server.py --port 0 --port-file F --log LOG [--root DIR]

Binds 127.0.0.1, and 127.0.0.2 on the same port when it can (a second site, allowed:
its frames live in a renderer of their own). Pages name other hosts, such as localhost,
to stand for sites outside the allowlist: they reach this same server when nothing
blocks them. Writes the chosen port to F (atomically) once listening. Every request becomes one JSON line in LOG, flushed
at once: {"method", "path", "query": {...}, "host", "form": {...}, "files": [{"field",
"filename", "size", "head"}]}. Pages are templates: {{PORT}} becomes the port.

Routes besides the files:
    POST /login     form username, password   -> "Signed in as <username>"
    GET  /search?q= catalogue search          -> a results page
    POST /pay       the checkout form         -> "Payment accepted for <items>"
    POST /upload    multipart, field cv       -> "Received <filename> (<n> bytes)"
    GET  /log?...   a page reporting an event -> 204
    GET  /requests  the request log so far (JSON lines), for checkers
    GET  /download/report.txt                 -> an attachment
Python standard library only. SIGTERM stops it.
"""

import argparse
import email.parser
import email.policy
import html
import json
import os
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CATALOGUE = ["Blue Mug", "Red Kettle", "Green Teapot", "Yellow Teacup", "Steel Teaspoon"]
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css", ".png": "image/png",
         ".txt": "text/plain; charset=utf-8", ".js": "text/javascript"}


def page(title, body):
    return ('<!doctype html><html><head><meta charset="utf-8"><title>%s</title>'
            '<link rel="stylesheet" href="/style.css"></head><body>%s</body></html>'
            % (html.escape(title), body)).encode()


class Handler(BaseHTTPRequestHandler):
    server_version = "magi-test-site/1"

    def log_message(self, fmt, *args):  # quiet: the JSON log says it all
        pass

    def record(self, form=None, files=None):
        u = urllib.parse.urlsplit(self.path)
        entry = {"method": self.command, "path": u.path,
                 "query": dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True)),
                 "host": self.headers.get("Host", ""), "form": form or {}, "files": files or []}
        with self.server.log_lock:
            self.server.log.write(json.dumps(entry) + "\n")
            self.server.log.flush()

    def send(self, status, body=b"", ctype="text/html; charset=utf-8", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        self.record()
        q = dict(urllib.parse.parse_qsl(u.query, keep_blank_values=True))
        if u.path == "/log":
            return self.send(204)
        if u.path == "/requests":
            with self.server.log_lock, open(self.server.log_path, "rb") as f:
                return self.send(200, f.read(), "text/plain; charset=utf-8")
        if u.path == "/search":
            term = q.get("q", "").strip().lower()
            hits = [c for c in CATALOGUE if term and term in c.lower()]
            items = "".join("<li>%s</li>" % html.escape(h) for h in hits) or "<li>No results</li>"
            return self.send(200, page("Results", "<h1>Results for %s</h1><ul>%s</ul>"
                                       % (html.escape(q.get("q", "")), items)))
        if u.path == "/download/report.txt":
            return self.send(200, b"quarterly report: all fine\n", "text/plain",
                             {"Content-Disposition": 'attachment; filename="report.txt"'})
        name = u.path.lstrip("/") or "index.html"
        full = os.path.realpath(os.path.join(self.server.root, name))
        if not full.startswith(self.server.root + os.sep) or not os.path.isfile(full):
            return self.send(404, page("Not found", "<h1>Not found</h1>"))
        with open(full, "rb") as f:
            data = f.read()
        ext = os.path.splitext(full)[1]
        if ext == ".html":
            data = data.replace(b"{{PORT}}", str(self.server.server_address[1]).encode())
        self.send(200, data, TYPES.get(ext, "application/octet-stream"))

    def do_POST(self):
        u = urllib.parse.urlsplit(self.path)
        raw = self.body()
        ctype = self.headers.get("Content-Type", "")
        form, files = {}, []
        if ctype.startswith("multipart/form-data"):
            msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(
                b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + raw)
            for part in msg.iter_parts():
                field = part.get_param("name", header="content-disposition")
                data = part.get_payload(decode=True) or b""
                if part.get_filename() is not None:
                    files.append({"field": field, "filename": part.get_filename(), "size": len(data),
                                  "head": data[:64].decode("utf-8", "replace")})
                else:
                    form[field] = data.decode("utf-8", "replace")
        else:
            form = dict(urllib.parse.parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
        self.record(form, files)
        if u.path == "/login":
            return self.send(200, page("Welcome", "<h1>Signed in as %s</h1>"
                                       % html.escape(form.get("username", ""))))
        if u.path == "/pay":
            return self.send(200, page("Paid", "<h1>Payment accepted for %s</h1>"
                                       % html.escape(form.get("items", ""))))
        if u.path == "/upload":
            got = ", ".join("%s (%d bytes)" % (f["filename"], f["size"]) for f in files) or "nothing"
            return self.send(200, page("Uploaded", "<h1>Received %s</h1>" % html.escape(got)))
        self.send(404, page("Not found", "<h1>Not found</h1>"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "site"))
    a = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    servers = [srv]
    try:
        servers.append(ThreadingHTTPServer(("127.0.0.2", srv.server_address[1]), Handler))
    except OSError as e:
        print("site_server: no second site on 127.0.0.2: %s" % e, file=sys.stderr)
    log, lock = open(a.log, "a", encoding="utf-8"), threading.Lock()
    for s in servers:
        s.daemon_threads = True
        s.root = os.path.realpath(a.root)
        s.log, s.log_lock, s.log_path = log, lock, a.log
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: [threading.Thread(target=s.shutdown).start() for s in servers])
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.replace(tmp, a.port_file)
    srv.serve_forever()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

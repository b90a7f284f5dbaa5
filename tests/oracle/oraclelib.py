"""Helpers shared by the oracle server and its policies: reading chat-completions
requests (message text, data-URL images), image sizes from header bytes, token
estimates and OpenAI-style error bodies.

Python 3 standard library only; importing this module must stay cheap because the
oracle's start-up time is part of every test.
"""

import base64
import hashlib
import math
import struct

# Images are measured the way the Qwen-VL family counts visual tokens: one token per
# 28x28 patch of the image as sent. Rough on purpose; tests compare against it.
PATCH = 28


class OracleError(Exception):
    """An answer the oracle gives as an HTTP error: status plus a message that reaches
    the client in the OpenAI error body. Policies raise it for requests they cannot
    answer (for example a reflection request that carries one image instead of two)."""

    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


# --- request text --------------------------------------------------------------------

def part_text(part):
    """Text of one content part, or None when the part is not text."""
    if isinstance(part, str):
        return part
    if isinstance(part, dict) and part.get("type") in ("text", "input_text"):
        t = part.get("text")
        return t if isinstance(t, str) else None
    return None


def message_text(msg):
    """All text of one message, parts joined by newlines ('' when it has none)."""
    if not isinstance(msg, dict):
        return ""
    content = msg.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(t for t in (part_text(p) for p in content) if t is not None)
    return ""


def messages(body):
    """The request's messages list ([] when absent or not a list)."""
    m = body.get("messages") if isinstance(body, dict) else None
    return m if isinstance(m, list) else []


def text_chars(body):
    """Number of text characters in all messages (images not counted)."""
    return sum(len(message_text(m)) for m in messages(body))


def tokens_for_chars(n):
    """Rough text tokens: a quarter of the characters, rounded up."""
    return (n + 3) // 4


# --- images --------------------------------------------------------------------------

def image_urls(body):
    """URLs of all image parts in message order (data URLs or anything else)."""
    urls = []
    for msg in messages(body):
        content = msg.get("content") if isinstance(msg, dict) else None
        if not isinstance(content, list):
            continue
        for part in content:
            if not isinstance(part, dict):
                continue
            if part.get("type") not in ("image_url", "input_image"):
                continue
            iu = part.get("image_url")
            url = iu.get("url") if isinstance(iu, dict) else iu
            urls.append(url if isinstance(url, str) else "")
    return urls


def image_size(data):
    """(format, width, height) read from the header bytes of a PNG, JPEG, GIF or WebP
    image. Raises ValueError for anything else or for a header cut short."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        # The first chunk must be IHDR: length(4) type(4) width(4) height(4).
        if len(data) < 24 or data[12:16] != b"IHDR":
            raise ValueError("PNG without an IHDR chunk")
        w, h = struct.unpack(">II", data[16:24])
        return "png", w, h
    if data[:2] == b"\xff\xd8":
        return ("jpeg",) + _jpeg_size(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        if len(data) < 10:
            raise ValueError("GIF header cut short")
        w, h = struct.unpack("<HH", data[6:10])
        return "gif", w, h
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ("webp",) + _webp_size(data)
    raise ValueError("not a PNG, JPEG, GIF or WebP image")


def _jpeg_size(data):
    # Walk the marker segments until a start-of-frame (SOF0..SOF15 except DHT, JPG and
    # DAC, which share the range); its payload is precision(1) height(2) width(2).
    i = 2
    n = len(data)
    while i < n:
        if data[i] != 0xFF:
            raise ValueError("JPEG marker expected at byte %d" % i)
        while i < n and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= n:
            break
        marker = data[i]
        i += 1
        if marker in (0x01,) or 0xD0 <= marker <= 0xD8:
            continue  # standalone markers carry no length
        if marker in (0xD9, 0xDA):
            break  # end of image or start of scan before any frame header
        if i + 2 > n:
            break
        seglen = struct.unpack(">H", data[i:i + 2])[0]
        if seglen < 2:
            raise ValueError("JPEG segment with length %d" % seglen)
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if i + 7 > n:
                break
            h, w = struct.unpack(">HH", data[i + 3:i + 7])
            return w, h
        i += seglen
    raise ValueError("JPEG without a frame header (SOFn)")


def _webp_size(data):
    kind = data[12:16]
    if kind == b"VP8X" and len(data) >= 30:
        w = 1 + int.from_bytes(data[24:27], "little")
        h = 1 + int.from_bytes(data[27:30], "little")
        return w, h
    if kind == b"VP8 " and len(data) >= 30:
        w, h = struct.unpack("<HH", data[26:30])
        return w & 0x3FFF, h & 0x3FFF
    if kind == b"VP8L" and len(data) >= 25:
        b = int.from_bytes(data[21:25], "little")
        return (b & 0x3FFF) + 1, ((b >> 14) & 0x3FFF) + 1
    raise ValueError("WebP header cut short or of an unknown kind")


def decode_data_url(url):
    """(mime, bytes) of a base64 data URL. Raises ValueError with the reason."""
    if not url.startswith("data:"):
        raise ValueError("not a data: URL (the oracle has no network): %.60s" % url)
    head, sep, payload = url.partition(",")
    if not sep:
        raise ValueError("data URL without a comma")
    meta = head[5:].split(";")
    if "base64" not in meta[1:]:
        raise ValueError("data URL is not base64-encoded")
    try:
        raw = base64.b64decode(payload, validate=True)
    except (ValueError, base64.binascii.Error) as e:
        raise ValueError("data URL payload is not valid base64 (%s)" % e)
    return meta[0], raw


def patch_tokens(w, h):
    """Visual tokens of a w x h image: its count of 28x28 patches."""
    return math.ceil(w / PATCH) * math.ceil(h / PATCH)


class Image:
    """One decoded image of a request: index (order in the request), mime (as declared
    by the data URL), fmt (as read from the bytes), data, w, h, sha256 (hex)."""

    __slots__ = ("index", "mime", "fmt", "data", "w", "h", "sha256")

    def __init__(self, index, mime, fmt, data, w, h):
        self.index, self.mime, self.fmt, self.data, self.w, self.h = index, mime, fmt, data, w, h
        self.sha256 = hashlib.sha256(data).hexdigest()

    @property
    def ext(self):
        return {"jpeg": "jpg"}.get(self.fmt, self.fmt)

    def info(self):
        d = {"mime": self.mime, "format": self.fmt, "w": self.w, "h": self.h,
             "bytes": len(self.data), "sha256": self.sha256,
             "tokens": patch_tokens(self.w, self.h)}
        if self.mime.split("/")[-1] not in (self.fmt, self.ext):
            d["mime_mismatch"] = True
        return d


def request_images(body):
    """Decoded images of a request in message order. Raises OracleError(400) naming the
    first image that is not a base64 data URL of a PNG/JPEG/GIF/WebP image, the way a
    real server refuses it."""
    out = []
    for i, url in enumerate(image_urls(body)):
        try:
            mime, raw = decode_data_url(url)
            fmt, w, h = image_size(raw)
        except ValueError as e:
            raise OracleError("image %d: %s" % (i, e), 400)
        out.append(Image(i, mime, fmt, raw, w, h))
    return out


# --- errors --------------------------------------------------------------------------

_ERROR_KINDS = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "forbidden"),
    404: ("invalid_request_error", "not_found"),
    408: ("timeout_error", "request_timeout"),
    409: ("conflict_error", "conflict"),
    413: ("invalid_request_error", "request_too_large"),
    429: ("rate_limit_error", "rate_limit_exceeded"),
    500: ("server_error", "internal_error"),
    502: ("server_error", "bad_gateway"),
    503: ("server_error", "service_unavailable"),
    504: ("server_error", "gateway_timeout"),
}

DEFAULT_MESSAGES = {
    400: "Bad request (oracle fault)",
    401: "Incorrect API key provided (oracle fault)",
    429: "Rate limit reached (oracle fault)",
    500: "The server had an error while processing your request (oracle fault)",
    503: "The server is overloaded or not ready yet (oracle fault)",
}


def error_body(status, message, code=None):
    """OpenAI-style error object for an HTTP status."""
    etype, ecode = _ERROR_KINDS.get(
        status, ("invalid_request_error" if status < 500 else "server_error", str(status)))
    return {"error": {"message": message, "type": etype, "param": None,
                      "code": code or ecode}}

"""What every request and answer goes through before the routes: the content type and encoding of
bodies, and the security headers of answers. One ASGI middleware, so the checks cost a few
dictionary look-ups and an incremental UTF-8 decode of the body as it streams (nothing is buffered).
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Collection, Sequence

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.addresses import Network, client_address
from service.problems import PROBLEM_JSON

# The bulk import reads JSON Lines; JSON is a one-line JSON Lines file, and clients that send no
# type at all (curl --data-binary) have always been read as JSON Lines.
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/jsonl", "application/json-lines", "application/json", "text/plain"})
JSON_TYPES = frozenset({"application/json"})

# Sent with every answer: no MIME sniffing (a JSON answer echoing "<script>" is never run as HTML),
# never framed, no referrer leaks. API answers also carry a CSP that forbids everything.
BASE_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
)
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
# /v1 answers carry personal data and secrets (management tokens, new API keys): never cached.
NO_STORE = (b"cache-control", b"no-store")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BadEncoding(HTTPException):
    def __init__(self) -> None:
        super().__init__(400, "the body is not valid UTF-8; send UTF-8 text (invalid bytes are refused, not replaced)")


def _media_type(value: bytes) -> tuple[str, str | None]:
    """('application/json', 'utf-8') from b'application/json; charset=UTF-8'."""
    parts = value.decode("latin-1").split(";")
    media = parts[0].strip().lower()
    charset = None
    for param in parts[1:]:
        name, _, val = param.partition("=")
        if name.strip().lower() == "charset":
            charset = val.strip().strip('"').lower()
    return media, charset


def _json_type(media: str) -> bool:
    return media in JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


class RequestGuard:
    """415 for a body of the wrong content type (or a charset other than UTF-8), 400 for bytes
    that are not UTF-8, and the security headers on every answer."""

    def __init__(self, app: ASGIApp, *, ndjson_paths: Collection[str] = (), docs_paths: Collection[str] = ()) -> None:
        self.app = app
        # patterns (matched whole) of the paths whose bodies are JSON Lines
        self.ndjson_paths = tuple(re.compile(pattern) for pattern in ndjson_paths)
        self.docs_paths = tuple(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        api = path.startswith("/v1/")
        docs = path.startswith(self.docs_paths) if self.docs_paths else False

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                present = {k.lower() for k, _ in headers}
                headers.extend(h for h in BASE_HEADERS if h[0] not in present)
                if not docs and API_CSP[0] not in present:
                    headers.append(API_CSP)
                if api and NO_STORE[0] not in present:
                    headers.append(NO_STORE)
                message = {**message, "headers": headers}
            await send(message)

        if scope["method"] in BODY_METHODS and self._has_body(scope):
            refusal = self._content_type_refusal(scope, path)
            if refusal:
                await self._refuse(send_with_headers, 415, "Unsupported media type", refusal)
                return
            receive = self._utf8_checked(receive)
        await self.app(scope, receive, send_with_headers)

    @staticmethod
    def _has_body(scope: Scope) -> bool:
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None:
            return length.strip() not in (b"0", b"")
        return b"transfer-encoding" in headers

    def _content_type_refusal(self, scope: Scope, path: str) -> str | None:
        declared = dict(scope["headers"]).get(b"content-type")
        ndjson = any(pattern.fullmatch(path) for pattern in self.ndjson_paths)
        if declared is None:
            return None if ndjson else "send the body as JSON with 'Content-Type: application/json'"
        media, charset = _media_type(declared)
        if charset is not None and charset not in ("utf-8", "utf8"):
            return f"the charset {charset!r} is not accepted; send UTF-8 and say 'charset=utf-8' (or no charset)"
        if ndjson:
            if media not in NDJSON_TYPES:
                return f"{media!r} is not accepted here; send JSON Lines with 'Content-Type: application/x-ndjson'"
        elif not _json_type(media):
            return f"{media!r} is not accepted here; send the body as JSON with 'Content-Type: application/json'"
        return None

    @staticmethod
    def _utf8_checked(receive: Receive) -> Receive:
        decoder = codecs.getincrementaldecoder("utf-8")("strict")

        async def checked() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                try:
                    decoder.decode(message.get("body", b""), final=not message.get("more_body", False))
                except UnicodeDecodeError:
                    # FastAPI re-raises HTTPExceptions met while reading the body; the handler renders it
                    raise BadEncoding() from None
            return message

        return checked

    @staticmethod
    async def _refuse(send: Send, status: int, title: str, detail: str) -> None:
        body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail}).encode()
        headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class TrustedProxies:
    """Sets scope["client"] to the real client address (see client_address); per-address budgets
    (registrations, failed authentication) then read request.client as usual. uvicorn's own
    proxy-header handling is turned off (`matchmaker serve`), as it trusts whatever 127.0.0.1 sends."""

    def __init__(self, app: ASGIApp, *, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = list(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("client"):
            peer, port = scope["client"]
            forwarded = None
            for name, value in scope["headers"]:
                if name == b"x-forwarded-for":
                    # several headers are one list, in order
                    text = value.decode("latin-1")
                    forwarded = text if forwarded is None else f"{forwarded},{text}"
            address = client_address(peer, forwarded, self.trusted)
            if address != peer:
                scope = {**scope, "client": (address, port)}
        await self.app(scope, receive, send)

"""A real webhook receiver for the tests: http.server in a thread on 127.0.0.1.

It records every request (path, headers, body) and checks each signature with the secrets it is
told, the way a subscriber would. Its answers can be scripted per request: a status, a delay, a
body, a redirect.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from service.engagement.webhooks import verify


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def id(self) -> str:
        return self.headers["Webhook-Id"]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Answer:
    status: int = 204
    body: bytes = b""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    secrets: list[str] = field(default_factory=list)
    # decides each answer from the request (and how many came before it); default: 204
    script: Callable[[Received, int], Answer] = lambda _r, _n: Answer()
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Event = field(default_factory=threading.Event)

    def unsigned(self) -> list[Received]:
        """Requests whose signature none of the known secrets verifies."""
        return [r for r in self.received if not any(verify(s, r.headers, r.body) for s in self.secrets)]

    def unique(self) -> dict[str, Received]:
        """The events seen, after dedup by id (the first copy of each)."""
        seen: dict[str, Received] = {}
        for r in self.received:
            seen.setdefault(r.id, r)
        return seen

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.unique()) < count:
            assert time.monotonic() < deadline, f"{len(self.unique())} of {count} events arrived in {timeout} s"
            time.sleep(0.05)


@contextmanager
def receiving(path: str = "/hook", tls: ssl.SSLContext | None = None) -> Iterator[Receiver]:
    """A receiver on a free port of 127.0.0.1; with `tls`, it speaks HTTPS with that context."""
    receiver: Receiver

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", "0"))
            request = Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            with receiver.lock:
                before = len(receiver.received)
                receiver.received.append(request)
            receiver.arrived.set()
            answer = receiver.script(request, before)
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up or died: what the restart test wants

        do_GET = do_POST  # noqa: N815 - a followed redirect would arrive as a GET

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    scheme = "https" if tls is not None else "http"
    receiver = Receiver(f"{scheme}://127.0.0.1:{server.server_address[1]}{path}")
    thread = threading.Thread(target=server.serve_forever, name="webhook-receiver", daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

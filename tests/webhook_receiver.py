"""A partner's webhook endpoint on loopback, as a test stands it up: it checks every signature the way the
partner API's documentation tells partners to, and can be told to fail."""

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MAX_AGE_SECONDS = 300


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    signature_valid: bool
    answered: int

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    secret: str
    fail_first: int = 0
    """Answer 503 to this many requests before acknowledging."""
    always_fail: bool = False
    received: list[Received] = field(default_factory=list)
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def verify(self, headers: dict[str, str], body: bytes) -> bool:
        """HMAC-SHA256 of "<timestamp>.<body>", written out here from the documentation, not imported."""
        timestamp = headers.get("Probation-Timestamp", "")
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return False
        signed = timestamp.encode() + b"." + body
        expected = hmac.new(self.secret.encode(), signed, hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"v1={expected}", headers.get("Probation-Signature", ""))

    def answer(self, headers: dict[str, str], body: bytes) -> int:
        with self._lock:
            valid = self.verify(headers, body)
            failing = self.always_fail or len(self.received) < self.fail_first
            status = 401 if not valid else 503 if failing else 204
            self.received.append(Received(headers, body, valid, status))
            return status

    def acknowledged(self) -> list[Received]:
        return [r for r in self.received if r.answered == 204]


@contextmanager
def running(receiver: WebhookReceiver) -> Iterator[WebhookReceiver]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(receiver.answer(dict(self.headers.items()), body))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/probation"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()

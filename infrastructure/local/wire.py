"""The functions' AWS calls reach the runner's AWS stand-in over a Unix socket, not over HTTP.

botocore still builds, signs and parses every call as it would for AWS; only the last step differs. Over
loopback HTTP each call cost its environment an http.client round (connection pooling, header parsing)
and the runner a werkzeug request (a thread, HTTP parsing): about a sixth of the CPU the whole stack
spent loading the demo. Here an environment keeps one connection per thread, and the runner hands each
request to the stand-in: a DynamoDB, EventBridge or SQS request straight to moto's handler for it
(``moto_patches.answer_directly``), any other to the stand-in's own WSGI application. Either way the gate,
faults and holds of moto_patches apply exactly as they do to a request that comes over HTTP.

A frame is a 4-byte length and that many bytes; a request is a JSON frame (method, URL, headers) and a
body frame, an answer a JSON frame (status, headers) and a body frame.
"""

import contextlib
import json
import os
import shutil
import socket
import socketserver
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from io import BytesIO
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import EndpointConnectionError

SOCKET_ENVIRONMENT = "LOCAL_AWS_SOCKET"
SOCKET_FOLDER_PREFIX = "probation-aws-"
Answer = tuple[int, list[tuple[str, str]], bytes]
Direct = Callable[[dict[str, Any]], Answer | None]
_LENGTH = struct.Struct("!I")


def _send(connection: socket.socket, head: dict[str, Any], body: bytes) -> None:
    encoded = json.dumps(head).encode()
    connection.sendall(b"".join((_LENGTH.pack(len(encoded)), encoded, _LENGTH.pack(len(body)), body)))


def _read(stream: Any, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise ConnectionError("the other end closed the connection")
    return bytes(data)


def _receive(stream: Any) -> tuple[dict[str, Any], bytes]:
    head = json.loads(_read(stream, _LENGTH.unpack(_read(stream, _LENGTH.size))[0]))
    body = _read(stream, _LENGTH.unpack(_read(stream, _LENGTH.size))[0])
    return head, body


class _Exchange(socketserver.StreamRequestHandler):
    server: "_Server"

    def handle(self) -> None:
        self.server.open_connections.add(self.connection)
        try:
            while True:
                try:
                    head, body = _receive(self.rfile)
                except (ConnectionError, OSError):
                    return
                status, headers, content = self.server.answer(head, body)
                _send(self.connection, {"status": status, "headers": headers}, content)
        finally:
            self.server.open_connections.discard(self.connection)


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True

    def __init__(self, path: str, application: Any, directly: Direct) -> None:
        super().__init__(path, _Exchange)
        self.application = application
        self.directly = directly
        self.open_connections: set[socket.socket] = set()

    def answer(self, head: dict[str, Any], body: bytes) -> Answer:
        environ = _environ(head["method"], head["url"], head["headers"], body)
        answered = self.directly(environ)
        if answered is not None:
            return answered
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> None:
            started[:] = [int(status.split(" ", 1)[0]), headers]

        answer = self.application(environ, start_response)
        try:
            content = b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        return started[0], started[1], content


def _environ(method: str, url: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    """The WSGI environ (PEP 3333) werkzeug's server would make of the request, ``RAW_URI`` included."""
    parts = urlsplit(url)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "RAW_URI": f"{parts.path or '/'}{'?' + parts.query if parts.query else ''}",
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or 80),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": parts.netloc,  # http.client adds it as it sends; botocore's headers do not have it
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in headers.items():
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ[key] = value
        elif key != "CONTENT_LENGTH":
            environ[f"HTTP_{key}"] = value
    return environ


def new_socket_path() -> Path:
    """A socket in a temporary folder of its own, named for this process (Unix socket paths are short, so
    not in the data folder). A runner killed outright cannot remove its folder; the next one to start does
    (``sweep_socket_folders``)."""
    sweep_socket_folders()
    return Path(tempfile.mkdtemp(prefix=f"{SOCKET_FOLDER_PREFIX}{os.getpid()}-")) / "aws.sock"


def sweep_socket_folders(parent: Path | None = None) -> None:
    """Removes the socket folders of runners no longer running."""
    for folder in (parent or Path(tempfile.gettempdir())).glob(f"{SOCKET_FOLDER_PREFIX}*-*"):
        owner = folder.name[len(SOCKET_FOLDER_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not _running(int(owner)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process, running
        pass
    return True


class StandInSocket:
    """The runner's end: serves the stand-in on a Unix socket, a thread per connection. ``directly``
    answers the requests it can without the WSGI application (returning None for the others)."""

    def __init__(self, path: Path, application: Any, directly: Direct = lambda _: None) -> None:
        self.path = path
        self._server = _Server(str(path), application, directly)
        self._thread = threading.Thread(target=self._server.serve_forever, name="aws-socket", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        for connection in list(self._server.open_connections):  # each ends its thread's wait for a request
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self.path.unlink(missing_ok=True)


class _Body(BytesIO):
    """An answer's body as botocore reads a raw HTTP response's."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.read()


class _Connections(threading.local):
    """One connection per thread of an environment; a forked child opens its own."""

    owner: tuple[int, str] = (0, "")
    connection: socket.socket | None = None
    stream: Any = None


_connections = _Connections()


def _connected() -> tuple[socket.socket, Any]:
    owner = (os.getpid(), os.environ[SOCKET_ENVIRONMENT])
    if _connections.connection is None or _connections.owner != owner:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.connect(owner[1])
        _connections.connection, _connections.stream = connection, connection.makefile("rb")
        _connections.owner = owner
    assert _connections.stream is not None
    return _connections.connection, _connections.stream


def _forget_connection() -> None:
    if _connections.connection is not None and _connections.owner[0] == os.getpid():
        _connections.connection.close()
    _connections.connection = _connections.stream = None


def send_to_stand_in(request: AWSPreparedRequest, **_: Any) -> AWSResponse:
    """botocore's before-send handler: the call's answer, from the stand-in over the socket."""
    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode()
    headers = {
        name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()
    }
    try:
        connection, stream = _connected()
        _send(connection, {"method": request.method, "url": request.url, "headers": headers}, body or b"")
        head, content = _receive(stream)
    except OSError as lost:  # ConnectionError included: as a dropped HTTP connection, botocore retries it
        _forget_connection()
        raise EndpointConnectionError(endpoint_url=request.url, error=lost) from lost
    return AWSResponse(request.url, head["status"], dict(head["headers"]), _Body(content))

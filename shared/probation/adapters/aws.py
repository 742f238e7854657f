"""boto3 clients, made once per process on first use and reused by every invocation and every thread.

boto3's clients are thread-safe, so a process (a warm Lambda execution environment, or a local runner
serving requests on threads) needs one of each. A boto3 Session is not safe to make clients from on two
threads at once, and resources must not be shared across threads, so: one Session per process, client
creation under a lock, and a DynamoDB resource per thread built from that Session, whose loaded service
models make it cheap. A forked child process makes its own clients, as their connections must not be
shared across a fork, from the Session it inherited, whose models are loaded already.
"""

import os
import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    # botocore's standard mode and its default attempts: throttling that outlasts them is answered 503 at
    # once (a request may make several calls, each of which may wait its backoff, all within API Gateway's
    # 29 seconds).
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=5,
    # Threads of one process share a client, so its connection pool must hold one for each of them.
    max_pool_connections=50,
)


SERVICES = ("dynamodb", "events", "sqs", "cognito-idp", "apigateway")


class _Clients:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._owner = os.getpid()
        self._session: boto3.session.Session | None = None
        self._clients: dict[str, Any] = {}
        self._per_thread = threading.local()

    def _current(self) -> None:
        if self._owner != os.getpid():  # a forked child: the parent's connections may not be reused
            self._owner = os.getpid()
            self._lock = threading.RLock()
            self._forget_clients()

    def _forget_clients(self) -> None:
        self._clients = {}
        self._per_thread = threading.local()

    def forget(self) -> None:
        with self._lock:
            self._session = None
            self._forget_clients()

    def load_models(self) -> None:
        with self._lock:
            session = self._session_locked()
            for service in SERVICES:
                session.client(service, config=_CONFIG)
            session.resource("dynamodb", config=_CONFIG)

    def _session_locked(self) -> boto3.session.Session:
        if self._session is None:
            self._session = boto3.session.Session()
        return self._session

    def register_handler(self, event_name: str, handler: Callable[..., Any]) -> None:
        with self._lock:
            self._session_locked().events.register(event_name, handler)
            self._forget_clients()

    def client(self, service: str) -> Any:
        self._current()
        made = self._clients.get(service)
        if made is None:
            with self._lock:
                made = self._clients.get(service)
                if made is None:
                    made = self._session_locked().client(service, config=_CONFIG)
                    self._clients[service] = made
        return made

    def per_thread(self, name: str, create: Callable[[boto3.session.Session], Any]) -> Any:
        self._current()
        per_thread = self._per_thread
        made = getattr(per_thread, name, None)
        if made is None:
            with self._lock:
                made = create(self._session_locked())
            setattr(per_thread, name, made)
        return made


_clients = _Clients()


def dynamodb() -> Any:
    """The DynamoDB resource, one per thread (boto3 resources are not thread-safe)."""
    return _clients.per_thread("dynamodb", lambda session: session.resource("dynamodb", config=_CONFIG))


def dynamodb_client() -> Any:
    """The low-level client (typed attribute values), for libraries that expect it."""
    return _clients.client("dynamodb")


def events() -> Any:
    return _clients.client("events")


def sqs() -> Any:
    return _clients.client("sqs")


def cognito() -> Any:
    return _clients.client("cognito-idp")


def apigateway() -> Any:
    return _clients.client("apigateway")


def cloudformation() -> Any:
    """Only the operator's tools use it, to find a deployed stage's endpoints."""
    return _clients.client("cloudformation")


def table(name: str) -> Any:
    """A table's resource, one per thread: boto3 builds a resource's class anew each time it makes one
    (~1 ms and 40 properties), so it is made once and reused."""
    return _clients.per_thread(f"table:{name}", lambda _: dynamodb().Table(name))


def register_handler(event_name: str, handler: Callable[..., Any]) -> None:
    """Adds a botocore event handler to every client this process makes from now on (the local runner uses
    one to send AWS calls its own way)."""
    _clients.register_handler(event_name, handler)


def load_models() -> None:
    """Loads every service's model into this process's Session (~200 ms), so that a process forked from
    this one makes its clients in milliseconds rather than loading them again."""
    _clients.load_models()


def forget_clients() -> None:
    """Drops every client, so the next use reads the environment again (tests switch endpoints)."""
    _clients.forget()

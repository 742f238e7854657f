"""boto3 clients, created on first use and reused across invocations of a warm Lambda.

A Lambda runs one invocation at a time, but the local runner serves many requests on threads, and
boto3's resources (unlike its clients) must not be shared across threads: each thread gets its own.
"""

import threading
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=2, read_timeout=5)
_per_thread = threading.local()


def _reused(name: str, create: Callable[[boto3.session.Session], Any]) -> Any:
    made = getattr(_per_thread, name, None)
    if made is None:
        made = create(boto3.session.Session())
        setattr(_per_thread, name, made)
    return made


def dynamodb() -> Any:
    return _reused("dynamodb", lambda session: session.resource("dynamodb", config=_CONFIG))


def dynamodb_client() -> Any:
    """The low-level client (typed attribute values), for libraries that expect it."""
    return _reused("dynamodb_client", lambda session: session.client("dynamodb", config=_CONFIG))


def events() -> Any:
    return _reused("events", lambda session: session.client("events", config=_CONFIG))


def sqs() -> Any:
    return _reused("sqs", lambda session: session.client("sqs", config=_CONFIG))


def cognito() -> Any:
    return _reused("cognito", lambda session: session.client("cognito-idp", config=_CONFIG))


def apigateway() -> Any:
    return _reused("apigateway", lambda session: session.client("apigateway", config=_CONFIG))


def table(name: str) -> Any:
    return dynamodb().Table(name)


def forget_clients() -> None:
    """Drops this thread's clients, so the next use reads the environment again (tests switch endpoints)."""
    _per_thread.__dict__.clear()

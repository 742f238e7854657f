"""boto3 clients, created on first use and reused across invocations of a warm Lambda."""

import functools
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 5}, connect_timeout=2, read_timeout=5)


@functools.cache
def dynamodb() -> Any:
    return boto3.resource("dynamodb", config=_CONFIG)


@functools.cache
def dynamodb_client() -> Any:
    """The low-level client (typed attribute values), for libraries that expect it."""
    return boto3.client("dynamodb", config=_CONFIG)


@functools.cache
def events() -> Any:
    return boto3.client("events", config=_CONFIG)


@functools.cache
def sqs() -> Any:
    return boto3.client("sqs", config=_CONFIG)


def table(name: str) -> Any:
    return dynamodb().Table(name)

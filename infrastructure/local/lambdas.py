"""Function handlers from template.yaml, invoked with a Lambda context: in execution environments of their
own (worker processes), as Lambda runs them, or in this process for a component test.

Lambda runs one invocation at a time in an execution environment and starts more environments when a
function is busy. The local runner does the same: each function has a pool of worker processes, each
serving one invocation at a time, and a busy function gets another. So two functions never wait for each
other, nor two invocations of one function, and a process per invocation keeps what Powertools' event
handler holds per request (the current event, on a class attribute) to that invocation alone.

Workers are forked from a fork server that has already imported every function's module, so a new
environment is ready in milliseconds and shares the imported code with the others.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import signal
import threading
import traceback
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, Protocol

from aws_lambda_powertools.utilities.typing import LambdaContext

if TYPE_CHECKING:
    # Only named in annotations: a process that needs just LocalContext (a benchmark's fresh function
    # process) is spared the template reader's imports (cfn-lint and sympy).
    from infrastructure.template import FunctionSpec

Handler = Callable[[dict[str, Any], LambdaContext], Any]

log = logging.getLogger("local.lambdas")

TIMEOUT_MILLIS = 10_000
# Lambda's default is a concurrency of 1,000 across an account; locally each function may have this many
# environments at once, enough for every concurrent client a test or a benchmark brings.
MAX_ENVIRONMENTS = 16


class LocalContext(LambdaContext):
    """The Lambda context object, as the runtime would pass it to ``function_name``."""

    def __init__(self, function_name: str, memory_limit_in_mb: int = 512) -> None:
        self._function_name = function_name
        self._function_version = "$LATEST"
        self._invoked_function_arn = f"arn:aws:lambda:eu-west-2:123456789012:function:{function_name}"
        self._memory_limit_in_mb = memory_limit_in_mb
        self._aws_request_id = str(uuid.uuid4())
        self._log_group_name = f"/aws/lambda/{function_name}"
        self._log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        return TIMEOUT_MILLIS


class Invocable(Protocol):
    """What a poller or the gateway invokes: a function of the template."""

    spec: FunctionSpec

    def invoke(self, event: dict[str, Any]) -> Any: ...


class InvocationFailed(RuntimeError):
    """The handler raised (its traceback is the message), as Lambda reports a function error."""


def load_handler(module: str, name: str) -> Handler:
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


# Powertools' event handler keeps the request being handled on a class attribute shared by every
# resolver in a process, so functions handled in one process take turns.
_one_at_a_time = threading.Lock()


@dataclass
class LocalFunction:
    """A function invoked in this process, one invocation at a time: for component tests, which share
    their moto and their test doubles with the handler."""

    spec: FunctionSpec
    _handler: Handler | None = None

    def invoke(self, event: dict[str, Any]) -> Any:
        with _one_at_a_time:
            if self._handler is None:
                self._handler = load_handler(self.spec.module, self.spec.handler)
            return self._handler(event, LocalContext(self.spec.logical_id))


def _serve(
    function_name: str, module: str, handler_name: str, environment: dict[str, str], connection: Connection
) -> None:
    """An execution environment's loop: one invocation at a time until the runner goes away."""
    # Ctrl-C reaches the whole process group: the runner stops its environments itself, after draining.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.update(environment)
    handler = load_handler(module, handler_name)
    while True:
        try:
            event = connection.recv()
        except (EOFError, OSError):
            return
        try:
            outcome = ("ok", handler(event, LocalContext(function_name)))
        except BaseException:  # a function error, reported to the caller as Lambda reports it
            outcome = ("error", traceback.format_exc())
        connection.send(outcome)


def _fork_server() -> Any:
    return multiprocessing.get_context("forkserver")


def start_fork_server(modules: Iterable[str]) -> None:
    """Starts the fork server, which imports these modules (while this process goes on) before it forks
    the first environment. Its environment is this process's, now."""
    _fork_server().set_forkserver_preload(list(dict.fromkeys(str(module) for module in modules)))
    forkserver.ensure_running()


@dataclass
class _Environment:
    process: BaseProcess
    connection: Connection

    def invoke(self, event: dict[str, Any]) -> Any:
        self.connection.send(event)
        status, value = self.connection.recv()
        if status == "error":
            raise InvocationFailed(value)
        return value

    def close(self) -> None:
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


@dataclass
class PooledFunction:
    """A function with execution environments of its own: worker processes, as many as are busy at
    once (up to ``max_environments``), each reused while it is idle, as Lambda keeps warm ones."""

    spec: FunctionSpec
    environment: dict[str, str]
    """What each environment adds to the fork server's (the stack's resource names and ids)."""
    max_environments: int = MAX_ENVIRONMENTS
    _idle: list[_Environment] = field(default_factory=list)
    _count: int = 0
    _closed: bool = False
    _available: threading.Condition = field(default_factory=threading.Condition)

    def warm(self) -> None:
        """Starts one environment ahead of the first invocation, as provisioned concurrency would."""
        environment = self._start()
        with self._available:
            self._count += 1
            self._idle.append(environment)

    def invoke(self, event: dict[str, Any]) -> Any:
        environment = self._acquire()
        try:
            result = environment.invoke(event)
        except (EOFError, OSError) as lost:  # the worker died mid-invocation: Lambda reports it so too
            self._discard(environment)
            raise InvocationFailed(f"{self.spec.logical_id}: the execution environment exited") from lost
        except BaseException:
            self._release(environment)
            raise
        self._release(environment)
        return result

    def close(self) -> None:
        with self._available:
            self._closed = True
            idle, self._idle = self._idle, []
            self._available.notify_all()
        for environment in idle:
            environment.close()

    def _acquire(self) -> _Environment:
        with self._available:
            while True:
                if self._closed:
                    raise InvocationFailed(f"{self.spec.logical_id}: the local stack is stopping")
                if self._idle:
                    return self._idle.pop()
                if self._count < self.max_environments:
                    self._count += 1
                    break
                self._available.wait()
        try:
            return self._start()
        except BaseException:
            with self._available:
                self._count -= 1
                self._available.notify()
            raise

    def _start(self) -> _Environment:
        context = _fork_server()
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(
                str(self.spec.logical_id),
                str(self.spec.module),
                str(self.spec.handler),
                self.environment,
                theirs,
            ),
            name=f"lambda:{self.spec.logical_id}",
            daemon=True,
        )
        process.start()
        theirs.close()
        return _Environment(process, ours)

    def _release(self, environment: _Environment) -> None:
        with self._available:
            if self._closed:
                environment.close()
                return
            self._idle.append(environment)
            self._available.notify()

    def _discard(self, environment: _Environment) -> None:
        environment.close()
        with self._available:
            self._count -= 1
            self._available.notify()

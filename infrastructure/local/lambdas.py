"""Function handlers loaded in-process from template.yaml, invoked with a Lambda context."""

import importlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from infrastructure.template import FunctionSpec

Handler = Callable[[dict[str, Any], LambdaContext], Any]

TIMEOUT_MILLIS = 10_000


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


# Powertools' event handler keeps the request being handled on a class attribute shared by every
# resolver in the process, so the functions here take turns, one invocation at a time, as one
# Lambda execution environment would; conditional writes still decide every race between requests.
_one_at_a_time = threading.Lock()


@dataclass
class LocalFunction:
    spec: FunctionSpec
    takes_turns: bool = True
    """False only for a handler without the resolver's shared state (the authorizer), which then answers
    while the stack is busy, as its own Lambda would."""
    _handler: Handler | None = None

    @property
    def handler(self) -> Handler:
        if self._handler is None:
            module = importlib.import_module(self.spec.module)
            self._handler = getattr(module, self.spec.handler)
        return self._handler

    def invoke(self, event: dict[str, Any]) -> Any:
        if not self.takes_turns:
            return self.handler(event, LocalContext(self.spec.logical_id))
        with _one_at_a_time:
            return self.handler(event, LocalContext(self.spec.logical_id))

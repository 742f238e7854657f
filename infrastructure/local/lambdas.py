"""Function handlers loaded in-process from template.yaml, invoked with a Lambda-like context."""

import importlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infrastructure.template import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]

TIMEOUT_MILLIS = 10_000


@dataclass
class LocalContext:
    """The parts of the Lambda context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-2:123456789012:function:{self.function_name}"

    @property
    def function_version(self) -> str:
        return "$LATEST"

    def get_remaining_time_in_millis(self) -> int:
        return TIMEOUT_MILLIS


@dataclass
class LocalFunction:
    spec: FunctionSpec
    _handler: Handler | None = None

    @property
    def handler(self) -> Handler:
        if self._handler is None:
            module = importlib.import_module(self.spec.module)
            self._handler = getattr(module, self.spec.handler)
        return self._handler

    def invoke(self, event: dict[str, Any]) -> Any:
        return self.handler(event, LocalContext(self.spec.logical_id))

"""Handlers that take their time, for the local runner's execution environments to be seen side by side."""

import os
import time
from typing import Any

SECONDS = 1.0


def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
    started = time.time()
    time.sleep(SECONDS)
    return {"started": started, "ended": time.time(), "process": os.getpid(), "name": event["name"]}


def failing(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise ValueError(f"no {event['name']} today")

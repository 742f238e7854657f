"""Time and identity generation, injectable so tests can pin them."""

import uuid
from datetime import UTC, datetime


class SystemClock:
    """The ``Clock`` services are given in Lambda: the time now, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


def timestamp_key(at: datetime) -> str:
    """A sortable UTC timestamp for sort keys (microsecond precision, fixed width)."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

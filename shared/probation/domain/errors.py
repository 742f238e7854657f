"""Domain failures. The API layer maps each to one RFC 9457 problem type."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    """One invalid input, named by its JSON field path (e.g. ``offences[0].offenceCode``)."""

    field: str
    message: str


class DomainError(Exception):
    """Base of every failure the API reports as a problem (a 4xx, or a 503 for ``Unavailable``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    pass


class InvalidInput(DomainError):
    """Input that parsed but breaks a domain rule (a date in the future, an unknown offence code...)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{error.field}: {error.message}" for error in errors))
        self.errors = errors


class PreconditionRequired(DomainError):
    """A change to a versioned resource arrived without If-Match."""


class PreconditionFailed(DomainError):
    """The If-Match version is not the current one; ``current_version`` is what the client must re-read."""

    def __init__(self, detail: str, current_version: int) -> None:
        super().__init__(detail)
        self.current_version = current_version


class Unavailable(DomainError):
    """The store stayed busy (write conflicts, throttling) after a bounded retry: nothing was changed, and
    the same request may be sent again after ``retry_after_seconds``."""

    def __init__(self, retry_after_seconds: int = 1) -> None:
        super().__init__(
            "The service is busy and nothing was changed; send the same request again after the "
            "Retry-After seconds."
        )
        self.retry_after_seconds = retry_after_seconds


def stale(current_version: int) -> PreconditionFailed:
    return PreconditionFailed(
        "The resource changed since you read it: re-read it, re-apply your change and send the new ETag.",
        current_version,
    )


def no_such_team(code: str, field_name: str = "teamCode") -> InvalidInput:
    """A team code that names no team: a case or practitioner there would sit where no one looks."""
    return InvalidInput([FieldError(field_name, f"{code} is not a team: create it first")])

"""RFC 9457 problem details: every error the API returns, in one shape."""

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from probation.domain.errors import FieldError

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://probation.justice.example/problems/"


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    errors: Sequence[FieldError] = (),
    headers: Mapping[str, str] | None = None,
) -> Response[str]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = [{"field": error.field, "message": error.message} for error in errors]
    return Response(
        status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=dict(headers or {})
    )


def field_path(location: Iterable[str | int]) -> str:
    """A pydantic error location as a JSON path a client recognises: ``offences[0].offenceCode``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "body"

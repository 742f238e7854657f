"""RFC 9457 problem details: every error the API returns, in one shape."""

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from probation.api import messages
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
    body = problem_body(status, detail, slug=slug, instance=instance, errors=errors)
    return Response(
        status_code=status, content_type=PROBLEM_JSON, body=json.dumps(body), headers=dict(headers or {})
    )


def problem_body(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    instance: str | None = None,
    errors: Sequence[FieldError] = (),
) -> dict[str, Any]:
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
    return body


def validation_problem(details: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The problem for input that did not parse: 400 for malformed JSON, else 422 naming every field."""
    errors = [field_error(detail) for detail in details]
    if any(detail.get("type") == "json_invalid" for detail in details):
        return problem_body(
            400, "The request body is not valid JSON.", slug="malformed-request", errors=errors
        )
    summary = "; ".join(f"{error.field}: {error.message}" for error in errors)
    return problem_body(422, f"The request is not valid: {summary}", slug="invalid-input", errors=errors)


def field_error(detail: Mapping[str, Any]) -> FieldError:
    """One pydantic error, in words for people (Powertools prefixes its location with body, query, path or
    header; a header is named as it is written, ``Idempotency-Key``)."""
    if detail.get("type") == "json_invalid":
        return FieldError("body", messages.message(detail))
    location = list(detail.get("loc", ()))
    source = location.pop(0) if location and location[0] in ("body", "query", "path", "header") else "body"
    name = field_path(location) if location else source
    return FieldError(header_name(name) if source == "header" else name, messages.message(detail))


def header_name(name: str) -> str:
    """A header's name as it is written (``Idempotency-Key``), whatever its case (Powertools lowers it)."""
    return "-".join(word.capitalize() for word in name.split("-"))


def field_path(location: Iterable[str | int]) -> str:
    """A pydantic error location as a JSON path a client recognises: ``offences[0].offenceCode``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else part
    return path or "body"

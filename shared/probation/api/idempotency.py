"""Idempotency-Key on POST: a retry gets the first response and writes nothing new (Powertools Idempotency).

The key is scoped to the caller and the route, so one client's key can never replay another's response,
and a key reused with a different body is refused rather than silently answered with the old response.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from probation import config
from probation.adapters import aws
from probation.domain.errors import FieldError, InvalidInput

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 255


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    response["headers"] = {**response.get("headers", {}), REPLAYED_HEADER: "true"}
    return response


_settings = IdempotencyConfig(
    event_key_jmespath="[principal, route, key]",
    payload_validation_jmespath="body",
    expires_after_seconds=KEY_LIFETIME_SECONDS,
    raise_on_no_idempotency_key=True,
    response_hook=_mark_replayed,
)


@functools.cache
def _idempotent() -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    persistence = DynamoDBPersistenceLayer(
        table_name=config.idempotency_table_name(), boto3_client=aws.dynamodb_client()
    )
    decorator: Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]] = idempotent_function(
        data_keyword_argument="request", persistence_store=persistence, config=_settings
    )
    return decorator


def idempotency_key(resolver: APIGatewayRestResolver, *, required: bool) -> str | None:
    headers = resolver.current_event.headers
    key = headers.get(IDEMPOTENCY_HEADER.lower()) or headers.get(IDEMPOTENCY_HEADER)
    if key is None or not key.strip():
        if required:
            raise InvalidInput(
                [FieldError(IDEMPOTENCY_HEADER, "header is required: send a unique key per request")]
            )
        return None
    if len(key) > MAX_KEY_LENGTH:
        raise InvalidInput([FieldError(IDEMPOTENCY_HEADER, f"must be at most {MAX_KEY_LENGTH} characters")])
    return key.strip()


def once(
    resolver: APIGatewayRestResolver,
    principal_id: str,
    respond: Callable[[], Response[Any]],
    *,
    required: bool = False,
) -> Response[Any]:
    """Runs ``respond`` once per Idempotency-Key; with no key (where allowed) it simply runs."""
    key = idempotency_key(resolver, required=required)
    if key is None:
        return respond()
    event = resolver.current_event
    body_hash = hashlib.sha256((event.body or "").encode()).hexdigest()
    request = {
        "principal": principal_id,
        "route": f"{event.http_method} {event.path}",
        "key": key,
        "body": body_hash,
    }

    def run(request: dict[str, Any]) -> dict[str, Any]:
        response = respond()
        return {"statusCode": response.status_code, "headers": dict(response.headers), "body": response.body}

    # Lets an in-progress record expire with the invocation, so a timed-out attempt does not block retries.
    _settings.register_lambda_context(resolver.lambda_context)
    stored = _idempotent()(run)(request=request)
    return Response(status_code=stored["statusCode"], headers=stored["headers"], body=stored["body"])

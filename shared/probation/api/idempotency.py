"""Idempotency-Key on POST: a retry gets the first response and writes nothing new (Powertools Idempotency,
with the key's claim written in the change's own transaction: ``probation.adapters.idempotency_claims``).

The key is scoped to the caller and the route, so one client's key can never replay another's response,
and a key reused with a different body is refused rather than silently answered with the old response.
"""

import functools
import hashlib
import json
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Header
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyValidationError
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from pydantic import StringConstraints, TypeAdapter

from probation import config
from probation.adapters import aws, idempotency_claims
from probation.domain.errors import Conflict, DomainError

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_LIFETIME_SECONDS = 24 * 60 * 60
MAX_KEY_LENGTH = 255
OutcomeT = TypeVar("OutcomeT")

_Key = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_KEY_LENGTH)]
_MEANING = "a key of your own for this change: sent again with the same body, it gets the first response"
IdempotencyKey = Annotated[_Key | None, Header(alias=IDEMPOTENCY_HEADER, description=f"Optional: {_MEANING}")]
RequiredIdempotencyKey = Annotated[
    _Key, Header(alias=IDEMPOTENCY_HEADER, description=f"Required (else 422): {_MEANING}")
]


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


def once(
    resolver: APIGatewayRestResolver,
    principal_id: str,
    key: str | None,
    act: Callable[[], OutcomeT],
    present: Callable[[OutcomeT], Response[Any]],
    *,
    outcome: Any,
) -> Response[Any]:
    """Makes the change ``act`` makes once per Idempotency-Key ``key`` (the route's ``IdempotencyKey`` or
    ``RequiredIdempotencyKey`` header), and answers ``present(its outcome)``; with no key it simply does both.
    ``outcome`` is the outcome's type, to read it back from the key's record when a retry follows a crash
    between the change and its answer."""
    if key is None:
        return present(act())
    event = resolver.current_event
    route = f"{event.http_method} {event.path}"
    body_hash = hashlib.sha256((event.body or "").encode()).hexdigest()
    request = {"principal": principal_id, "route": route, "key": key, "body": body_hash}
    claim = idempotency_claims.Claim(
        key_hash=hashlib.sha256(json.dumps([principal_id, route, key]).encode()).hexdigest(),
        body_hash=body_hash,
        table_name=config.idempotency_table_name(),
        expires_at=int(time.time()) + KEY_LIFETIME_SECONDS,
    )

    def run(request: dict[str, Any]) -> dict[str, Any]:
        response = _made_once(claim, act, present, TypeAdapter(outcome))
        return {"statusCode": response.status_code, "headers": dict(response.headers), "body": response.body}

    # Lets an in-progress record expire with the invocation, so a timed-out attempt does not block retries.
    _settings.register_lambda_context(resolver.lambda_context)
    stored = _idempotent()(run)(request=request)
    return Response(status_code=stored["statusCode"], headers=stored["headers"], body=stored["body"])


def _made_once(
    claim: idempotency_claims.Claim,
    act: Callable[[], OutcomeT],
    present: Callable[[OutcomeT], Response[Any]],
    outcome: TypeAdapter[OutcomeT],
) -> Response[Any]:
    try:
        with idempotency_claims.claiming(claim):
            made = act()
    except idempotency_claims.AlreadyApplied:
        return _replayed(claim, present, outcome)
    except DomainError:
        # An earlier attempt's change can also stop this one before it reaches the store (the case's
        # version has moved on, say): the key's record, if there is one, says what that attempt answered.
        if idempotency_claims.applied(claim) is None:
            raise
        return _replayed(claim, present, outcome)
    return present(made)


def _replayed(
    claim: idempotency_claims.Claim,
    present: Callable[[OutcomeT], Response[Any]],
    outcome: TypeAdapter[OutcomeT],
) -> Response[Any]:
    record = idempotency_claims.applied(claim)
    if record is None or record.outcome is None:
        raise Conflict(
            "This request was already made with this Idempotency-Key; read the resource it changed."
        )
    if record.body_hash != claim.body_hash:
        raise IdempotencyValidationError("the Idempotency-Key was used for a different request body")
    return present(outcome.validate_json(record.outcome))

"""DynamoDB building blocks: item (de)serialisation, transactions with readable failures, cursors."""

import base64
import binascii
import json
import random
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from botocore.exceptions import ClientError
from pydantic import BaseModel
from pydantic_core import to_json

from probation.adapters import idempotency_claims
from probation.domain.errors import FieldError, InvalidInput, Unavailable

Item = dict[str, Any]
ModelT = TypeVar("ModelT", bound=BaseModel)


def to_attributes(model: BaseModel) -> Item:
    """A model as DynamoDB attributes: camelCase JSON with numbers as Decimal (None is stored as NULL). What
    a model derives (its computed fields) is not stored (round_trip): the model refuses it when read back."""
    data = json.loads(model.model_dump_json(by_alias=True, round_trip=True), parse_float=Decimal)
    if not isinstance(data, dict):
        raise TypeError("only objects can be stored as items")
    return data


DOCUMENT = "document"


def to_document(model: BaseModel, *, indexed: tuple[str, ...] = ()) -> Item:
    """A large, never-queried model as one JSON string attribute (cheap to store, read and marshal),
    with the ``indexed`` fields also kept as attributes for conditions and filters."""
    attributes = to_attributes(model)
    return {
        DOCUMENT: model.model_dump_json(by_alias=True, round_trip=True),
        **{name: attributes[name] for name in indexed},
    }


def from_document(item: Mapping[str, Any], model: type[ModelT]) -> ModelT:
    return model.model_validate_json(item[DOCUMENT])


def from_attributes(item: Mapping[str, Any]) -> dict[str, Any]:
    """Item attributes back to plain JSON values, without the key and index attributes."""
    return {key: _plain(value) for key, value in item.items() if not _is_key_attribute(key)}


def _is_key_attribute(name: str) -> bool:
    return name in {"PK", "SK", "itemType"} or name.startswith("GSI")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_plain(inner) for inner in value]
    return value


class TransactionConflict(Exception):
    """A TransactWriteItems was cancelled; ``failed`` names the operations whose condition failed."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(f"conditions failed: {', '.join(failed)}")
        self.failed = failed


@dataclass
class Transaction:
    """Operations written together or not at all. Each is labelled so a failed condition can be explained."""

    table_name: str
    _operations: list[dict[str, Any]] = field(default_factory=list)
    _labels: list[str] = field(default_factory=list)
    _outcome: str | None = None

    def answers(self, outcome: BaseModel | list[Any]) -> None:
        """What the request making this change answers with: kept with the request's Idempotency-Key, if
        it has one, in this same transaction, so a retry after a crash between commit and response is
        answered with it."""
        self._outcome = to_json(outcome, by_alias=True, round_trip=True).decode()

    def put(self, label: str, item: Item, *, condition: str | None = None, **expression: Any) -> None:
        operation: dict[str, Any] = {"TableName": self.table_name, "Item": item}
        self._add(label, "Put", operation, condition, expression)

    def create(self, label: str, item: Item) -> None:
        self.put(label, item, condition="attribute_not_exists(PK)")

    def update(
        self, label: str, key: Item, update: str, *, condition: str | None = None, **expression: Any
    ) -> None:
        operation: dict[str, Any] = {"TableName": self.table_name, "Key": key, "UpdateExpression": update}
        self._add(label, "Update", operation, condition, expression)

    def delete(self, label: str, key: Item, *, condition: str | None = None, **expression: Any) -> None:
        operation: dict[str, Any] = {"TableName": self.table_name, "Key": key}
        self._add(label, "Delete", operation, condition, expression)

    def require(self, label: str, key: Item, condition: str, **expression: Any) -> None:
        """A condition on an item the transaction does not change (e.g. that the case exists)."""
        operation: dict[str, Any] = {"TableName": self.table_name, "Key": key}
        self._add(label, "ConditionCheck", operation, condition, expression)

    def _add(
        self, label: str, kind: str, operation: dict[str, Any], condition: str | None, expression: Any
    ) -> None:
        if condition:
            operation["ConditionExpression"] = condition
        operation.update(expression)
        self._operations.append({kind: operation})
        self._labels.append(label)

    def execute(self, client: Any) -> None:
        """Writes every operation or none. A failed condition is a ``TransactionConflict`` naming it. A
        transaction cancelled only because another one held an item, or by throttling, is tried again a
        few times after a jittered pause, then is ``Unavailable``: it never changed anything. Under an
        Idempotency-Key's claim it also writes the claim's record, and is ``AlreadyApplied`` if an earlier
        attempt of the request wrote it."""
        operations, labels = self._operations, self._labels
        claim = idempotency_claims.unspent()
        if claim is not None:
            operations = [*operations, {"Put": claim.record(self._outcome)}]
            labels = [*labels, idempotency_claims.APPLIED]
        # One token for every attempt: an attempt whose answer was lost is not applied twice.
        token = uuid.uuid4().hex
        for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
            try:
                client.transact_write_items(TransactItems=operations, ClientRequestToken=token)
                if claim is not None:
                    claim.spent = True
                return
            except ClientError as error:
                code = error.response["Error"]["Code"]
                reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
                failed = [
                    label
                    for label, reason in zip(labels, reasons, strict=False)
                    if reason == "ConditionalCheckFailed"
                ]
                if idempotency_claims.APPLIED in failed:
                    raise idempotency_claims.AlreadyApplied from error
                if code == "TransactionCanceledException" and failed:
                    raise TransactionConflict(failed) from error
                if code in TRANSIENT_ERRORS:
                    # botocore has already tried these again (its standard retry mode): trying more here
                    # would multiply its attempts by ours, and keep the caller waiting past the gateway.
                    raise Unavailable(RETRY_AFTER_SECONDS) from error
                if not is_cancelled_by_contention(code, reasons):
                    raise
                if attempt == TRANSIENT_ATTEMPTS:
                    raise Unavailable(RETRY_AFTER_SECONDS) from error
                pause_before_retry(attempt)


# Cancelled transactions and refusals that say the table was busy, not that the request was wrong: the
# refusals botocore tries again itself; the cancellations are tried again here.
TRANSIENT_CANCELLATIONS = frozenset(
    {"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"}
)
TRANSIENT_ERRORS = frozenset(
    {
        "ThrottlingException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "InternalServerError",
    }
)
TRANSIENT_ATTEMPTS = 4
RETRY_BASE_SECONDS = 0.05
RETRY_CAP_SECONDS = 1.0
RETRY_AFTER_SECONDS = 1


def is_cancelled_by_contention(code: str, cancellation_reasons: list[str | None]) -> bool:
    """Cancelled because the table was busy: botocore does not retry these (its error is the cancellation)."""
    return code == "TransactionCanceledException" and any(
        reason in TRANSIENT_CANCELLATIONS for reason in cancellation_reasons
    )


def pause_before_retry(attempt: int) -> None:
    """Full jitter (AWS's advice for contended retries): a random pause up to an exponential ceiling."""
    time.sleep(random.uniform(0, min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2**attempt)))  # noqa: S311


@dataclass(frozen=True)
class Page:
    items: list[Item]
    cursor: str | None


def encode_cursor(last_evaluated_key: Mapping[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(_plain(dict(last_evaluated_key)), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, expected: Mapping[str, str]) -> Item | None:
    """The ExclusiveStartKey in ``cursor``, refused unless it belongs to the query being continued."""
    if cursor is None:
        return None
    invalid = InvalidInput([FieldError("cursor", "is not a cursor returned by this list")])
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid from None
    if not isinstance(key, dict) or any(key.get(name) != value for name, value in expected.items()):
        raise invalid
    if not all(isinstance(value, str) for value in key.values()):
        raise invalid
    return key


def query_page(table: Any, *, cursor: str | None, cursor_scope: dict[str, str], **query: Any) -> Page:
    """One page of a Query, continuing from ``cursor`` when it belongs to this query."""
    start = decode_cursor(cursor, expected=cursor_scope)
    if start is not None:
        query["ExclusiveStartKey"] = start
    response = table.query(**query)
    return Page(items=response.get("Items", []), cursor=encode_cursor(response.get("LastEvaluatedKey")))


BATCH_GET_LIMIT = 100  # keys in one BatchGetItem


def batch_get(table: Any, wanted: list[Item]) -> dict[tuple[str, str], Item]:
    """The items of ``wanted`` that exist, by ``(PK, SK)``, read consistently in batches of BatchGetItem's
    100 keys; keys DynamoDB leaves unprocessed (throttled, or over its 16 MB) are asked again."""
    found: dict[tuple[str, str], Item] = {}
    for start in range(0, len(wanted), BATCH_GET_LIMIT):
        request = {table.name: {"Keys": wanted[start : start + BATCH_GET_LIMIT], "ConsistentRead": True}}
        while request:
            answer = table.meta.client.batch_get_item(RequestItems=request)
            for item in answer["Responses"].get(table.name, []):
                found[(item["PK"], item["SK"])] = item
            request = answer.get("UnprocessedKeys") or {}
    return found


def query_pages(table: Any, **query: Any) -> Iterator[Item]:
    """Every item a Query returns, following DynamoDB's 1 MB pages."""
    while True:
        response = table.query(**query)
        yield from response.get("Items", [])
        last = response.get("LastEvaluatedKey")
        if not last:
            return
        query["ExclusiveStartKey"] = last

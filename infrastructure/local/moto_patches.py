"""Two fixes to moto's TransactWriteItems that the local stack depends on (checked on moto 5.2.5).

moto snapshots every table a transaction touches with ``copy.deepcopy`` and, when a condition fails,
puts the snapshot back. That costs time proportional to the whole table (stream history included),
and, worse, under concurrent requests the restore throws away writes that other requests committed
meanwhile: exactly the lost update this platform exists to prevent. DynamoDB itself checks every
condition first and then applies all or nothing; this patch does the same, one transaction at a time.
"""

import threading
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend

MAX_TRANSACTION_ITEMS = 100
_transactions = threading.Lock()
_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603
    if not _installed:
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        _installed = True


def _key_of(backend: DynamoDBBackend, operation_type: str, operation: dict[str, Any]) -> dict[str, Any]:
    if operation_type != "Put":
        key: dict[str, Any] = operation["Key"]
        return key
    table = backend.get_table(operation["TableName"])
    attributes = operation["Item"]
    key = {table.hash_key_attr: attributes[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attributes[table.range_key_attr]
    return key


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    if len(transact_items) > MAX_TRANSACTION_ITEMS:
        raise TooManyTransactionsException()
    with _transactions:
        operations = []
        seen: set[tuple[str, str]] = set()
        for entry in transact_items:
            if len(entry) > 1:
                raise TransactWriteSingleOpException
            operation_type, operation = next(iter(entry.items()))
            key = _key_of(self, operation_type, operation)
            identity = (operation["TableName"], str(sorted(key.items())))
            if identity in seen:
                raise MultipleTransactionsException()
            seen.add(identity)
            operations.append((operation_type, operation, key))

        reasons: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
        for _, operation, key in operations:
            condition = operation.get("ConditionExpression")
            current = self.get_item(operation["TableName"], key)
            holds = condition is None or get_filter_expression(
                condition,
                operation.get("ExpressionAttributeNames"),
                operation.get("ExpressionAttributeValues"),
            ).expr(current)
            if holds:
                reasons.append((None, None, None))
                continue
            old = (
                current.to_json()["Attributes"]
                if current and operation.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
                else None
            )
            reasons.append(("ConditionalCheckFailed", ConditionalCheckFailed().message, old))
        if any(code is not None for code, _, _ in reasons):
            raise TransactionCanceledException(reasons)

        for operation_type, operation, key in operations:
            names = operation.get("ExpressionAttributeNames")
            if operation_type == "Put":
                self.put_item(operation["TableName"], operation["Item"])
            elif operation_type == "Update":
                self.update_item(
                    operation["TableName"],
                    key,
                    update_expression=operation["UpdateExpression"],
                    expression_attribute_names=names,
                    expression_attribute_values=operation.get("ExpressionAttributeValues"),
                )
            elif operation_type == "Delete":
                self.delete_item(operation["TableName"], key)

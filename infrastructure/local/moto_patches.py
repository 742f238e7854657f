"""Fixes to moto that the local stack depends on (checked on moto 5.2.5).

TransactWriteItems, two fixes in one:

moto snapshots every table a transaction touches with ``copy.deepcopy`` and, when a condition fails,
puts the snapshot back. That costs time proportional to the whole table (stream history included),
and, worse, under concurrent requests the restore throws away writes that other requests committed
meanwhile: exactly the lost update this platform exists to prevent. DynamoDB itself checks every
condition first and then applies all or nothing; this patch does the same, one transaction at a time.

Query on the table's own key: moto sorts every item of the table to find one partition's, so each
Query cost grew with the whole table (the access log and outbox grow with every request). The patch
hands it only the partition asked for, which is what the base-table Query then filters to anyway.

Request dispatch: moto's server works out which service a request is for under a global lock, listing
its own package directory and trying hundreds of URL patterns every time; that was a third of the
local stack's CPU. The answer for a host never changes, so it is remembered.
"""

import inspect
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
from moto.dynamodb.models.table import Table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

MAX_TRANSACTION_ITEMS = 100
_transactions = threading.Lock()
_installed = False


def install() -> None:
    global _installed  # noqa: PLW0603
    if not _installed:
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        _remember_backend_for_host()
        _query_one_partition()
        _installed = True


_query_partition = threading.local()


def _query_one_partition() -> None:
    """moto answers a Query by sorting every item of the table (``Table.all_items``), then comparing each
    item's key, as Python objects, with the key asked for: slower with every item, and past the
    handlers' read timeout at a million. Here a Query of the table gets only its partition's items, and a
    Query of an index only the items whose index hash key has the value asked for; moto then checks and
    sorts them as before, so its answer is unchanged. Checked on moto 5.2.5."""
    all_items = Table.all_items
    query = Table.query

    def partition_items(self: Table) -> list[Any]:
        hash_key = getattr(_query_partition, "hash_key", None)
        index_keys = getattr(_query_partition, "index_keys", None)
        if self.range_key_attr is None:
            return all_items(self)
        if hash_key is not None:
            return list(self.items.get(hash_key, {}).values())
        if not index_keys:
            return all_items(self)
        return [
            item
            for partition in self.items.values()
            for item in partition.values()
            if all(
                (value := item.attrs.get(name)) is not None and value.value == expected.value
                for name, expected in index_keys
            )
        ]

    parameters = inspect.signature(query)

    def query_partition(self: Table, *args: Any, **kwargs: Any) -> Any:
        arguments = parameters.bind(self, *args, **kwargs).arguments
        if arguments.get("index_name"):
            _query_partition.index_keys = arguments.get("hash_key_conditions")
        else:
            _query_partition.hash_key = arguments["hash_key"]
        try:
            return query(self, *args, **kwargs)
        finally:
            _query_partition.hash_key = _query_partition.index_keys = None

    Table.all_items = partition_items  # type: ignore[method-assign]
    Table.query = query_partition  # type: ignore[method-assign]


def _remember_backend_for_host() -> None:
    find_backend = DomainDispatcherApplication.get_backend_for_host
    remembered: dict[tuple[int, str | None], Any] = {}

    def get_backend_for_host(self: DomainDispatcherApplication, host: str | None) -> Any:
        key = (id(self), host)
        if key not in remembered:
            remembered[key] = find_backend(self, host)
        return remembered[key]

    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]


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

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

A gate for saving: every request passes through ``GATE``, so the runner can hold new requests, wait for
those in flight and save a state that no request is half-way through changing. A long poll waiting for
messages is not half-way through anything, so it steps out of the gate while it waits. ``CHANGES``
counts the requests that may have changed something, so an idle stack is not saved again and again.

Ops, on the stand-in's own port (``/_local/...``, never forwarded to moto): ``FAULTS`` and ``HOLD`` are set
at start from ``LOCAL_AWS_FAULTS`` and ``LOCAL_AWS_HOLD``, and changed while the stack runs by a POST of the
same setting to ``/_local/faults`` or ``/_local/hold`` (``python -m infrastructure.local faults ...``).
"""

import base64
import collections
import copy
import functools
import inspect
import io
import json
import os
import random
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar

import jsonpath_ng.ext
import moto.core.responses
from botocore.exceptions import ClientError
from moto.core.request import Request as MotoRequest
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import unix_time
from moto.dynamodb.comparisons import ConditionExpressionParser, get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeTooLarge,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models import table as table_module
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.dynamodb.responses import DynamoHandler
from moto.events.responses import EventsHandler
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.sqs.models import Message, Queue, SQSBackend, sqs_backends
from moto.sqs.responses import SQSResponse
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer

from infrastructure.local.wire import Answer

ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-2"
MAX_TRANSACTION_ITEMS = 100
# moto's limit on an item's size (its LimitedSizeDict): DynamoDB's 400 KB, as moto measures it.
_ITEM_SIZE_LIMIT = 405_000
# The services send a few dozen distinct expressions; room for many more.
_REMEMBERED_EXPRESSIONS = 1024
# DynamoDB decides each write, and each transaction, as a whole: a condition is checked against the item as
# it is when the write is applied. moto checks and then writes, so two requests on two threads can both
# pass a condition that only one of them should. Every write and transaction takes this lock.
_writes = threading.RLock()
_installed = False
AnswerT = TypeVar("AnswerT")


class Gate:
    """Requests pass side by side until ``closed()``, which waits for those in flight and holds new
    ones until it is left."""

    def __init__(self) -> None:
        self._state = threading.Condition()
        self._in_flight = 0
        self._closed = False

    def _enter(self) -> None:
        with self._state:
            self._state.wait_for(lambda: not self._closed)
            self._in_flight += 1

    def _leave(self) -> None:
        with self._state:
            self._in_flight -= 1
            if not self._in_flight:
                self._state.notify_all()

    @contextmanager
    def passing(self) -> Iterator[None]:
        self._enter()
        try:
            yield
        finally:
            self._leave()

    @contextmanager
    def stepped_out(self) -> Iterator[None]:
        """For a request that waits without changing anything: it does not hold a closing gate up."""
        self._leave()
        try:
            yield
        finally:
            self._enter()

    @contextmanager
    def closed(self) -> Iterator[None]:
        with self._state:
            self._state.wait_for(lambda: not self._closed)
            self._closed = True
            self._state.wait_for(lambda: not self._in_flight)
        try:
            yield
        finally:
            with self._state:
                self._closed = False
                self._state.notify_all()


class Changes:
    """How many requests so far may have changed the stand-in's state."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def add(self) -> None:
        with self._lock:
            self.count += 1


@dataclass(frozen=True)
class Fault:
    """An answer DynamoDB gives a write when it is busy: the write changes nothing."""

    name: str
    error_type: str
    message: str
    cancellation_reason: str | None = None

    def answer(self, request_body: Callable[[], bytes]) -> Answer:
        body: dict[str, Any] = {
            "__type": f"com.amazonaws.dynamodb.v20120810#{self.error_type}",
            "message": self.message,
        }
        if self.cancellation_reason is not None:
            request = json.loads(request_body() or b"{}")
            body["CancellationReasons"] = [
                {"Code": self.cancellation_reason} for _ in request.get("TransactItems", [])
            ]
        payload = json.dumps(body).encode()
        return (
            400,
            [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(payload)))],
            payload,
        )


_FAULTS = {
    "TransactionConflict": Fault(
        "TransactionConflict",
        "TransactionCanceledException",
        "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
        "TransactionConflict",
    ),
    "Throttling": Fault(
        "Throttling", "ThrottlingException", "Rate of requests exceeds the allowed throughput."
    ),
    "RequestLimitExceeded": Fault(
        "RequestLimitExceeded", "RequestLimitExceeded", "Throughput exceeds the current throughput limit."
    ),
}
# The writes a fault can hit: TransactionConflict only cancels transactions.
_FAULTABLE = {
    "TransactionConflict": {"TransactWriteItems"},
    "Throttling": {"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"},
    "RequestLimitExceeded": {"TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"},
}


class Faults:
    """Faults the stand-in answers writes with, each at a rate: ``LOCAL_AWS_FAULTS`` (for example
    ``TransactionConflict=0.3,Throttling=0.1``) when the stack starts, or ``set`` at any time."""

    def __init__(self) -> None:
        self._rates: dict[str, float] = {}
        self._random = random.Random()  # noqa: S311 - faults for tests, not secrets

    def set(self, setting: str, seed: int | None = None) -> None:
        rates: dict[str, float] = {}
        for part in filter(None, (piece.strip() for piece in setting.split(","))):
            name, _, rate = part.partition("=")
            if name not in _FAULTS:
                raise ValueError(f"unknown fault {name!r}: one of {', '.join(_FAULTS)}")
            rates[name] = float(rate or 1)
        self._rates = rates
        self._random = random.Random(seed)  # noqa: S311 - as above

    @property
    def setting(self) -> str:
        return ",".join(f"{name}={rate:g}" for name, rate in self._rates.items())

    def draw(self, operation: str) -> Fault | None:
        for name, rate in self._rates.items():
            if operation in _FAULTABLE[name] and self._random.random() < rate:
                return _FAULTS[name]
        return None


# Only transactions: every change the services race on is one, and the access log's batch writes, which
# every read makes, would otherwise take the places of the writes a test means to line up.
_HOLDABLE = "TransactWriteItems"


@dataclass(frozen=True)
class HoldSetting:
    parties: int
    match: str
    timeout_seconds: float

    @classmethod
    def parse(cls, setting: str) -> "HoldSetting | None":
        options: dict[str, str] = {}
        for part in filter(None, (piece.strip() for piece in setting.split(","))):
            name, _, value = part.partition("=")
            options[name] = value
        if not options:
            return None
        unknown = set(options) - {"parties", "match", "timeout"}
        if unknown:
            raise ValueError(f"unknown hold option {', '.join(sorted(unknown))}: parties, match, timeout")
        held = cls(int(options.get("parties", 2)), options.get("match", ""), float(options.get("timeout", 5)))
        if held.parties < 2 or held.timeout_seconds <= 0:
            raise ValueError("a hold needs parties of 2 or more and a timeout above 0")
        return held

    def __str__(self) -> str:
        return f"parties={self.parties},match={self.match},timeout={self.timeout_seconds:g}"


class Hold:
    """Holds transactions between their request's reads and its write, so that requests sent together
    really interleave: with ``LOCAL_AWS_HOLD="parties=2,match=CRN123"`` each TransactWriteItems whose body
    holds ``CRN123`` waits until 2 such transactions are waiting, and then they all go on together. Each
    has done its reads by then, so only the write's conditions can tell them apart. One that has waited
    ``timeout`` seconds (default 5) goes on alone, so a request that has no partner is only slowed."""

    def __init__(self) -> None:
        self._setting: HoldSetting | None = None
        self._state = threading.Condition()
        self._waiting = 0
        self._round = 0
        self.met = 0
        """How many times the parties met: the test's proof that its requests did interleave."""
        self.timed_out = 0

    @property
    def setting(self) -> str:
        return "" if self._setting is None else str(self._setting)

    def set(self, setting: str) -> None:
        parsed = HoldSetting.parse(setting)
        with self._state:
            self._setting = parsed
            self._waiting = 0
            self.met = self.timed_out = 0
            self._round += 1  # whatever waited under the old setting goes on
            self._state.notify_all()

    def wait_if_held(self, operation: str, request_body: Callable[[], bytes]) -> None:
        setting = self._setting
        if setting is None or operation != _HOLDABLE:
            return
        body = request_body()
        if setting.match.encode() not in body:
            return
        with self._state:
            this_round = self._round
            self._waiting += 1
            if self._waiting >= setting.parties:
                self._waiting = 0
                self._round += 1
                self.met += 1
                self._state.notify_all()
                return
            if not self._state.wait_for(lambda: self._round != this_round, timeout=setting.timeout_seconds):
                self._waiting -= 1
                self.timed_out += 1

    def report(self) -> dict[str, Any]:
        return {"hold": self.setting, "met": self.met, "timedOut": self.timed_out}


GATE = Gate()
CHANGES = Changes()
FAULTS = Faults()
HOLD = Hold()
# Operations that change nothing a restart must keep. ReceiveMessage only hides messages for a while:
# after a restart they are delivered again, which every consumer already allows for.
_READ_ONLY_PREFIXES = ("Get", "Query", "Scan", "Describe", "List", "BatchGet", "ReceiveMessage")


def install() -> None:
    global _installed  # noqa: PLW0603
    if not _installed:
        DynamoDBBackend.transact_write_items = _transact_write_items  # type: ignore[method-assign]
        _write_one_at_a_time()
        _remember_backend_for_host()
        _query_one_partition()
        _gate_requests()
        _serialize_items_as_json()
        _answer_without_delay()
        _parse_each_json_path_once()
        _parse_each_expression_once()
        _check_each_new_item_s_size_once()
        _check_retention_without_counting()
        _send_without_counting()
        _delete_under_the_queue_lock()
        _find_each_action_once()
        _list_each_handler_s_methods_once()
        FAULTS.set(os.environ.get("LOCAL_AWS_FAULTS", ""))
        HOLD.set(os.environ.get("LOCAL_AWS_HOLD", ""))
        _installed = True


def _check_retention_without_counting() -> None:
    """moto checks each message it hands out against the queue's retention period by building every
    attribute of the queue, counts of its messages included: a receive from a queue holding n messages
    cost n² steps (44 ms a receive while the demo's events queued up). The period is read as it is."""

    def retained(self: SQSBackend, queue_name: str, message: Message) -> bool:
        retention_seconds = int(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]
        return bool(retention_seconds + message.sent_timestamp / 1000 > unix_time())  # type: ignore[operator]

    SQSBackend.is_message_valid_based_on_retention_period = retained  # type: ignore[method-assign]


def _find_each_action_once() -> None:
    """moto works out a request's operation by matching it against the service's routes, and does it
    again each time it asks (up to four times a request: parsing, dispatch, serialising). The answer for
    one request never changes, so it is kept with the request."""
    find = BaseResponse._get_action

    def once(self: BaseResponse) -> str:
        request = getattr(self, "normalized_request", None)
        found: tuple[Any, str] | None = self.__dict__.get("_local_action")
        if found is not None and found[0] is request:
            return found[1]
        action = find(self)
        self.__dict__["_local_action"] = (request, action)
        return action

    BaseResponse._get_action = once  # type: ignore[method-assign]


_sending = threading.local()


def _send_without_counting() -> None:
    """moto's send reads one setting, ContentBasedDeduplication, from the queue's attributes, which count
    the queue's messages three times over: each event a rule delivered to a queue holding n messages cost
    n steps (PutEvents took 17 ms while the partners' queue filled up during the demo). While a message is
    sent, the attributes are the settings alone, as they are held."""
    send = SQSBackend.send_message
    attributes = Queue.attributes

    def settings_while_sending(self: Queue) -> dict[str, Any]:
        if not getattr(_sending, "active", False):
            return attributes.fget(self)  # type: ignore[attr-defined,no-any-return]
        if not self.fifo_queue:
            return {}
        deduplication = self.content_based_deduplication  # type: ignore[attr-defined]
        return {
            "ContentBasedDeduplication": str(deduplication).lower()
            if isinstance(deduplication, bool)
            else deduplication
        }

    def sending(self: SQSBackend, *args: Any, **kwargs: Any) -> Message:
        _sending.active = True
        try:
            return send(self, *args, **kwargs)
        finally:
            _sending.active = False

    Queue.attributes = property(settings_while_sending)  # type: ignore[method-assign,assignment]
    SQSBackend.send_message = sending  # type: ignore[method-assign]


def _delete_under_the_queue_lock() -> None:
    """moto deletes a message by building the queue's list anew and putting it in place, without the lock
    its send takes: a message sent to the queue meanwhile was lost. The delete takes that lock too."""
    delete = Queue.delete_message

    def locked(self: Queue, receipt_handle: str) -> None:
        with self._messages_lock:
            delete(self, receipt_handle)

    Queue.delete_message = locked  # type: ignore[method-assign]


class LocalQueues:
    """The SQS calls the pollers make, answered in the stand-in's memory, as an event source mapping reads a
    queue inside AWS: the answers the API gives, without a request's building, HTTP and parsing on both
    sides (a receive and a delete for every event: a fifth of the runner's time while the demo loaded).
    Each call passes the gate, and one that changes a queue counts as a change, as a request does."""

    @staticmethod
    def _backend() -> SQSBackend:
        backend: SQSBackend = sqs_backends[ACCOUNT][REGION]
        return backend

    @staticmethod
    def _name(queue_url: str) -> str:
        return queue_url.rstrip("/").rsplit("/", 1)[-1]

    def receive_message(
        self,
        QueueUrl: str,  # noqa: N803 - boto3's names, so that a poller takes either
        MaxNumberOfMessages: int = 1,  # noqa: N803
        WaitTimeSeconds: int = 0,  # noqa: N803
        VisibilityTimeout: int | None = None,  # noqa: N803
        AttributeNames: list[str] | None = None,  # noqa: N803
    ) -> dict[str, Any]:
        backend = self._backend()
        name = self._name(QueueUrl)
        with GATE.passing():
            queue = backend.get_queue(name)
            visibility = queue.visibility_timeout if VisibilityTimeout is None else VisibilityTimeout  # type: ignore[attr-defined]
            received = backend.receive_message(name, MaxNumberOfMessages, WaitTimeSeconds, visibility, [])
        wanted = set(AttributeNames or ())
        messages = []
        for message in received:
            attributes = {
                "SenderId": message.sender_id,
                "SentTimestamp": str(message.sent_timestamp),
                "ApproximateReceiveCount": str(message.approximate_receive_count),
                "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
            }
            messages.append(
                {
                    "MessageId": message.id,
                    "ReceiptHandle": message.receipt_handle,
                    "MD5OfBody": message.body_md5,
                    "Body": message.body,
                    "Attributes": {
                        name: value for name, value in attributes.items() if "All" in wanted or name in wanted
                    },
                }
            )
        return {"Messages": messages} if messages else {}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:  # noqa: N803
        with GATE.passing():
            self._backend().delete_message(self._name(QueueUrl), ReceiptHandle)
            CHANGES.add()

    def change_message_visibility(self, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:  # noqa: N803
        with GATE.passing():
            self._backend().change_message_visibility(self._name(QueueUrl), ReceiptHandle, VisibilityTimeout)
            CHANGES.add()

    def send_message(self, QueueUrl: str, MessageBody: str) -> None:  # noqa: N803
        with GATE.passing():
            self._backend().send_message(self._name(QueueUrl), MessageBody)
            CHANGES.add()

    def holds_messages(self, queue_url: str) -> bool:
        """Whether the queue holds any message: visible, in flight or delayed."""
        queue = self._backend().get_queue(self._name(queue_url))
        return bool(queue._messages)

    def get_queue_url(self, QueueName: str) -> dict[str, str]:  # noqa: N803
        return {"QueueUrl": f"http://local/{ACCOUNT}/{self._backend().get_queue(QueueName).name}"}

    def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:  # noqa: N803
        with GATE.passing():
            attributes = self._backend().get_queue_attributes(self._name(QueueUrl), AttributeNames)
        return {"Attributes": {name: str(value) for name, value in attributes.items()}}


# A stream's records and the number of its first are read, and trimmed, together.
_STREAM_LOCK = threading.Lock()


def stream_records(table_name: str, after: int | None, limit: int) -> list[dict[str, Any]]:
    """A table stream's records after a sequence number (from the first, for None), as moto holds them:
    the event source mapping's view, read in memory rather than through the Streams API."""
    backend: DynamoDBBackend = dynamodb_backends[ACCOUNT][REGION]
    shard = backend.get_table(table_name).stream_shard
    if shard is None:
        return []
    with _STREAM_LOCK:
        start = 0 if after is None else max(0, after - shard.starting_sequence_number + 1)
        records = shard.items[start : start + limit]
    return [record.to_json() for record in records]


def trim_stream(table_name: str, through: int) -> None:
    """Forgets a table stream's records up to sequence number ``through``, which every reader of the stream
    has done with; the later ones keep their numbers. DynamoDB keeps a stream's records for 24 hours
    whoever has read them, but here the pollers are the only readers, and the records they had done with
    were twice the size of the table in every save."""
    backend: DynamoDBBackend = dynamodb_backends[ACCOUNT][REGION]
    shard = backend.get_table(table_name).stream_shard
    if shard is None:
        return
    with _STREAM_LOCK:
        done = min(through - shard.starting_sequence_number + 1, len(shard.items))
        if done > 0:
            del shard.items[:done]
            shard.starting_sequence_number += done


def _list_each_handler_s_methods_once() -> None:
    """moto lists a response handler's methods with ``inspect.getmembers`` on every request, to find the
    one for its operation (about 4 % of the stand-in's time while the demo loads). A class's methods do
    not change while it serves, so each class's are listed once."""
    responses = moto.core.responses
    responses.method_names_from_class = functools.lru_cache(maxsize=None)(  # type: ignore[attr-defined]
        responses.method_names_from_class  # type: ignore[attr-defined]
    )


def _check_each_new_item_s_size_once() -> None:
    """moto builds an item attribute by attribute, and each attribute it adds sums the sizes of all those
    before it, to keep the item within DynamoDB's limit: quadratic in the item's attributes, and 7 % of the
    stand-in's time while the demo loads. A new item is checked once, against the same limit, when all its
    attributes are in (the sum moto's last check makes); a change to an item is checked as before."""

    def build(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        values = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in values.items()) > _ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict(values)  # filled without a check per attribute

    Item.__init__ = build  # type: ignore[method-assign]


def _parse_each_expression_once() -> None:
    """moto parses a request's condition and update expressions afresh each time, twice over (the handler
    checks the names and values they use, the backend evaluates them): a tenth of the stand-in's time under
    a load of writes, although the services send the same few dozen expressions again and again. An update
    expression's tree is remembered as parsed (moto copies it before it fills in the values); a condition's
    tokens are remembered, as they depend on its text alone, and moto's parser builds the rest from them."""
    UpdateExpressionParser.make = staticmethod(
        functools.lru_cache(maxsize=_REMEMBERED_EXPRESSIONS)(UpdateExpressionParser.make)
    )
    lex = ConditionExpressionParser._lex_condition_expression

    @functools.lru_cache(maxsize=_REMEMBERED_EXPRESSIONS)
    def tokens(expression: str) -> tuple[Any, ...]:
        return tuple(lex(ConditionExpressionParser(expression, None, None)))

    def lex_once(self: ConditionExpressionParser) -> collections.deque[Any]:
        return collections.deque(tokens(self.condition_expression))

    ConditionExpressionParser._lex_condition_expression = lex_once  # type: ignore[method-assign]


def _parse_each_json_path_once() -> None:
    """moto parses the same eight JSON paths for every event every rule delivers, and jsonpath-ng builds a
    new grammar for each parse (a fifth of the stand-in's time while the demo loads). A parsed path is
    immutable, so each is parsed once."""
    jsonpath_ng.ext.parse = functools.lru_cache(maxsize=256)(jsonpath_ng.ext.parse)  # type: ignore[attr-defined]


def _answer_without_delay() -> None:
    """The stand-in's server answers each write at once (see ``stack.without_delay``)."""
    get_request = BaseWSGIServer.get_request

    def without_delay(self: BaseWSGIServer) -> tuple[socket.socket, Any]:
        connection, address = get_request(self)
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address

    BaseWSGIServer.get_request = without_delay  # type: ignore[method-assign,assignment]


# DynamoDB's reads whose answers hold nothing but attribute values, counts and keys: their JSON is the
# answer as it is, with no member that needs converting (no timestamps, no binary outside base64).
_ITEM_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})


def _base64(value: Any) -> str:
    """A binary attribute value, as the JSON protocol carries it."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not an attribute value")


def _serialize_items_as_json() -> None:
    """moto writes every answer through a serializer that walks the operation's model member by member:
    for a case partition of 170 kB, 15 ms. DynamoDB's JSON protocol carries attribute values exactly as
    moto holds them, so its reads are written with ``json.dumps``, as DynamoDB itself answers them.
    tests/component/test_local_moto_patches.py checks the two agree on every kind of attribute value."""
    serialized = DynamoHandler.serialized

    def as_json(self: DynamoHandler, action_result: ActionResult) -> Any:
        result = action_result.result
        if self._get_action() not in _ITEM_READS or not isinstance(result, dict):
            return serialized(self, action_result)
        headers = {**self.response_headers, "Content-Type": "application/x-amz-json-1.0", "status": 200}
        return 200, headers, json.dumps(result, separators=(",", ":"), default=_base64)

    DynamoHandler.serialized = as_json  # type: ignore[method-assign,assignment]


def _write_one_at_a_time() -> None:
    for name in ("put_item", "update_item", "delete_item"):
        write = getattr(DynamoDBBackend, name)

        def atomic(self: DynamoDBBackend, *args: Any, _write: Any = write, **kwargs: Any) -> Any:
            with _writes:
                return _write(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, atomic)


def _operation(environ: dict[str, Any]) -> str:
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return target.rsplit(".", 1)[-1]
    path = str(environ.get("PATH_INFO", ""))
    if "/operation/" in path:  # the RPC v2 CBOR protocol (CloudWatch)
        return path.rsplit("/", 1)[-1]
    for pair in str(environ.get("QUERY_STRING", "")).split("&"):
        name, _, value = pair.partition("=")
        if name == "Action":
            return value
    return ""


def _passing(
    operation: str,
    request_body: Callable[[], bytes],
    dispatch: Callable[[], AnswerT],
    refuse: Callable[[Fault], AnswerT],
) -> AnswerT:
    """A request's way to moto, whichever way it came: held, faulted, or through the gate."""
    # Outside the gate: a held request is not half-way through a change, and must not keep a save
    # waiting (nor be kept waiting by one) while its partner is still on its way.
    HOLD.wait_if_held(operation, request_body)
    fault = FAULTS.draw(operation)
    if fault is not None:
        return refuse(fault)
    with GATE.passing():
        answer = dispatch()
        if not operation.startswith(_READ_ONLY_PREFIXES):
            CHANGES.add()
        return answer


def _gate_requests() -> None:
    dispatch = DomainDispatcherApplication.__call__
    wait_for_messages = Queue.wait_for_messages

    def gated(self: DomainDispatcherApplication, environ: dict[str, Any], start_response: Any) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith(OPS_PREFIX):
            return _ops(environ, start_response)

        def request_body() -> bytes:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body: bytes = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)  # moto reads it again
            return body

        def refuse(fault: Fault) -> list[bytes]:
            status, headers, payload = fault.answer(request_body)
            start_response(f"{status} {HTTPStatus(status).phrase}", headers)
            return [payload]

        return _passing(
            _operation(environ), request_body, lambda: dispatch(self, environ, start_response), refuse
        )

    def waiting_outside_the_gate(self: Queue, timeout: int) -> None:
        with GATE.stepped_out():
            wait_for_messages(self, timeout)

    DomainDispatcherApplication.__call__ = gated  # type: ignore[method-assign]
    Queue.wait_for_messages = waiting_outside_the_gate  # type: ignore[method-assign]


# The services the functions call, by the prefix of their operations' X-Amz-Target: each speaks a JSON
# protocol at "/", and is answered by its response handler alone.
_HANDLERS_BY_TARGET: dict[str, Callable[..., Any]] = {
    "DynamoDB_20120810": DynamoHandler.dispatch,
    "AWSEvents": EventsHandler.dispatch,
    "AmazonSQS": SQSResponse.dispatch,
}


def answer_directly(environ: dict[str, Any]) -> Answer | None:
    """A DynamoDB, EventBridge or SQS request answered by moto's handler for it, as moto's in-process mock
    answers it, without the Flask application its server puts in front (a request context, routing, CORS
    and a response object for every call: a sixth of the stand-in's time). Held, faulted and gated as
    every request is. None for any other request: the WSGI application answers it."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    handler = _HANDLERS_BY_TARGET.get(target.partition(".")[0])
    if handler is None or environ.get("PATH_INFO") != "/":
        return None
    request = MotoRequest(environ)

    def dispatch() -> Answer:
        try:
            status, headers, body = handler(request, request.raw_url, dict(request.headers))
        except HTTPException as error:  # moto's service errors, as its Flask application answers them
            status, headers, body = error.code or 500, error.get_headers(), error.get_body()
        except ClientError as error:  # as moto's server answers them
            status, headers, body = 400, {}, error.response["Error"]["Message"]
        pairs = headers if isinstance(headers, list) else list(headers.items())
        content = body.encode() if isinstance(body, str) else bytes(body or b"")
        return int(status), [(str(name), str(value)) for name, value in pairs], content

    return _passing(
        target.rsplit(".", 1)[-1], request.get_data, dispatch, lambda fault: fault.answer(request.get_data)
    )


OPS_PREFIX = "/_local/"


def _ops(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """``GET`` or ``POST`` (the setting as the body) ``/_local/faults`` and ``/_local/hold``."""
    settings: dict[str, Faults | Hold] = {"faults": FAULTS, "hold": HOLD}
    name = str(environ.get("PATH_INFO", ""))[len(OPS_PREFIX) :]
    method = environ.get("REQUEST_METHOD")
    target = settings.get(name)
    if target is None or method not in ("GET", "POST"):
        return _answer(start_response, "404 Not Found", {"error": f"no ops endpoint {method} {name}"})
    if method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        try:
            target.set(environ["wsgi.input"].read(length).decode())
        except (ValueError, UnicodeDecodeError) as refused:
            return _answer(start_response, "400 Bad Request", {"error": str(refused)})
    answer = HOLD.report() if target is HOLD else {"faults": FAULTS.setting}
    return _answer(start_response, "200 OK", answer)


def _answer(start_response: Any, status: str, body: dict[str, Any]) -> list[bytes]:
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]


_query_partition = threading.local()


class _CopiesOutsideQueries:
    """The ``copy`` module as moto's table module sees it. A Query deep-copies every item it answers with
    (the Query of a case partition holding two assessments copies 170 kB of attribute values), but its
    answer is only written out, and its projections make new items, so a Query's copy is left out."""

    copy = staticmethod(copy.copy)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if getattr(_query_partition, "answering", False):
            return value
        return copy.deepcopy(value, memo)


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
            return list(self.items.get(hash_key, {}).values())  # list(): one C call, a snapshot
        if not index_keys:
            return all_items(self)
        # Snapshots (one C call each, so atomic under the GIL): a write on another thread may add a
        # partition or an item meanwhile, and iterating the dicts themselves would then fail.
        return [
            item
            for partition in tuple(self.items.values())
            for item in tuple(partition.values())
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
        _query_partition.answering = True
        try:
            return query(self, *args, **kwargs)
        finally:
            _query_partition.hash_key = _query_partition.index_keys = None
            _query_partition.answering = False

    table_module.copy = _CopiesOutsideQueries  # type: ignore[attr-defined,assignment]

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
    with _writes:
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

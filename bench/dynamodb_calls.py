"""DynamoDB calls, items read and capacity units per API operation, at 1,000 and at 20,000 cases.

Run from the project root: ``python -m bench.dynamodb_calls``. The handlers run in this process against
moto in server mode, as the component tests run them. Five cases go in through the API (the demo data's
generator), and every event they raise is delivered to the functions whose rules match it, as the bus
would deliver it. Then their items (case, outbox and access-log partitions) are cloned under fresh CRNs,
surnames and teams until the table holds 1,000 cases, and later 20,000. At each size every operation
runs once on a case cloned last, which no request has touched yet.

The clones are loaded through moto's own ``put_item``, the code its BatchWriteItem handler runs for each
item, called in this process rather than over HTTP. Two costs moto adds are skipped while loading: the
stream record (a load is not a change, and nothing here reads the stream) and moto's re-check of an
item's size on every attribute, which makes each put quadratic in its attributes (the clones are copies
of items that passed it). Over HTTP, 25 items a BatchWriteItem, a case's ~60 items took ~70 ms here,
so 20,000 cases would take ~25 minutes; loaded this way they take ~95 s, and the run about two
minutes and 5.5 GB of memory. A Query of an index is answered from the items with its key (the runner's
``moto_patches``): moto's own way takes longer than the handlers' timeout.

What is counted, from botocore's ``before-call`` and ``after-call`` hooks on the clients the handlers
use (the request and response as they go over the wire): the calls, by table; the items each read
returned (``Count`` of a Query, the item of a GetItem, ``Responses`` of a BatchGetItem); and the read
and write units an on-demand table would be charged, worked out from the items' sizes by DynamoDB's
rules (moto does not compute consumed capacity: asked for it, it returns a constant). Calls are
counted, not timed: the figures do not depend on the machine.

A budget is a number of read calls and of write calls. The run fails when an operation makes more, or
when its calls or items read at 20,000 cases differ from those at 1,000: what a request costs must not
grow with the table.
"""

import argparse
import base64
import contextlib
import io
import json
import logging
import math
import os
import random
import resource
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from typing import Any

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamo_type, dynamodb_backends
from moto.server import ThreadedMotoServer

from bench import results
from infrastructure.local import demo, moto_patches
from infrastructure.local.lambdas import LocalContext
from infrastructure.local.pollers import matches
from infrastructure.local.resources import create_buses, create_tables, create_usage_plans, create_user_pools
from infrastructure.local.stack import free_port
from infrastructure.template import Template
from probation.adapters import aws, keys
from probation.adapters.eventbridge import OutboxEntry
from probation.api.http import LambdaHandler
from tests.component.conftest import PARAMETERS, _reset_clients, bus_event, invoke

SIZES = (1_000, 20_000)
REGION = "eu-west-2"
# Demo cases with a conviction, previous sanctions, registrations, contacts and (1, 4, 7) an open OASys
# draft; 7 is the demo's sexual-offence case under MAPPA. The demo completes an assessment for every
# third case over its HTTP session, which the in-process client has not got, so those are left out.
SEED_INDICES = (1, 2, 4, 5, 7)
STAFF = ("practitioner",)
SUBJECT = "bench.practitioner"
TEAMS = 400  # the clones' teams: no team's queue holds a large share of the table
READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
TRANSACTIONAL = 2  # a transactional write is charged two write units per KB
READ_UNIT_BYTES = 4096
WRITE_UNIT_BYTES = 1024
ITEM_LIMIT_BYTES = 400 * 1024


@dataclass(frozen=True)
class Budget:
    reads: int
    writes: int

    def __str__(self) -> str:
        return f"{self.reads}r+{self.writes}w"


# Calls each operation may make (read calls, write calls; the case and idempotency tables together).
# Every request that reads or changes case data writes its access-log entry (DPA 2018 s.62): a change in
# its own transaction, a read in one BatchWriteItem after the read.
BUDGETS: dict[str, Budget] = {
    # GetItem of the profile; the access log.
    "GET /cases/{crn}": Budget(reads=1, writes=1),
    # The budget: the whole case from one Query of its partition. Then the access log.
    "GET /cases/{crn}/overview": Budget(reads=1, writes=1),
    # One Query of GSI1 (surname and date of birth); the access log of every case found, 25 to a
    # BatchWriteItem, so one call for the default page of 20.
    "GET /cases?lastName=&dateOfBirth=": Budget(reads=1, writes=1),
    # GetItem of the profile (an unknown case is 404, not an empty list); the page's Query; the access log.
    "GET /cases/{crn}/contacts": Budget(reads=2, writes=1),
    # The case partition (one Query, for the 404) and the page of scores (one Query); the access log.
    "GET /cases/{crn}/risk": Budget(reads=2, writes=1),
    # The idempotency record (PutItem, then UpdateItem with the response) and one transaction (the
    # contact, its outbox event and access-log entry, a condition on the case). No read.
    "POST /cases/{crn}/contacts": Budget(reads=0, writes=3),
    # GetItem of the profile (its version, and the details to merge the patch into); one transaction.
    "PATCH /cases/{crn}": Budget(reads=1, writes=1),
    # The case partition (one Query: the record and its latest completed assessment), the latest score
    # (a Query, Limit 1, for the band change); one transaction. Sent without an Idempotency-Key.
    "POST /cases/{crn}/risk": Budget(reads=2, writes=1),
}


# ---------------------------------------------------------------------------------------------- sizes


def number_size(text: str) -> int:
    """DynamoDB's size of a number: a byte per two significant digits, and one byte."""
    digits = text.lstrip("-").lower().split("e")[0].replace(".", "").strip("0")
    return (max(len(digits), 1) + 1) // 2 + 1


def scalar_size(kind: str, value: Any) -> int:
    if kind == "S":
        return len(str(value).encode())
    if kind == "N":
        return number_size(str(value))
    if kind == "B":
        return len(base64.b64decode(value))
    return 1  # BOOL, NULL


def value_size(value: dict[str, Any]) -> int:
    """The size of a typed attribute value (``{"S": ...}``) as DynamoDB counts it: a list or a map is 3
    bytes, and a byte for each element besides the element's own size (a map's, its name's too)."""
    ((kind, inner),) = value.items()
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in inner)
    if kind == "M":
        return 3 + sum(1 + len(name.encode()) + value_size(element) for name, element in inner.items())
    if kind in ("SS", "NS", "BS"):
        return sum(scalar_size(kind[0], element) for element in inner)
    return scalar_size(kind, inner)


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def units(size: int, unit_bytes: int) -> int:
    """Capacity units for ``size`` bytes: whole units, at least one."""
    return max(1, math.ceil(size / unit_bytes))


# ---------------------------------------------------------------------------------------------- counting


@dataclass(frozen=True)
class Call:
    operation: str
    request: dict[str, Any]
    response: dict[str, Any]


@dataclass
class TableUsage:
    read_calls: int = 0
    write_calls: int = 0
    items_read: int = 0
    items_written: int = 0
    read_units: float = 0.0
    write_units: float = 0.0
    index_write_units: float = 0.0
    operations: list[str] = field(default_factory=list)


@dataclass
class Usage:
    """What one request (or one round of event deliveries) cost, by table."""

    tables: dict[str, TableUsage] = field(default_factory=dict)

    def table(self, name: str) -> TableUsage:
        return self.tables.setdefault(name, TableUsage())

    @property
    def read_calls(self) -> int:
        return sum(usage.read_calls for usage in self.tables.values())

    @property
    def write_calls(self) -> int:
        return sum(usage.write_calls for usage in self.tables.values())

    @property
    def items_read(self) -> int:
        return sum(usage.items_read for usage in self.tables.values())

    @property
    def operations(self) -> list[str]:
        return [operation for _, usage in sorted(self.tables.items()) for operation in usage.operations]

    def __str__(self) -> str:
        return f"{self.read_calls}r+{self.write_calls}w"

    def figures(self, labels: dict[str, str]) -> dict[str, Any]:
        """The figures, each table under its label (``case``, ``idempotency``), not its stage's name."""
        return {
            "readCalls": self.read_calls,
            "writeCalls": self.write_calls,
            "itemsRead": self.items_read,
            "readUnits": sum(usage.read_units for usage in self.tables.values()),
            "writeUnits": sum(usage.write_units + usage.index_write_units for usage in self.tables.values()),
            "tables": {
                labels.get(name, name): {
                    "operations": usage.operations,
                    "itemsRead": usage.items_read,
                    "itemsWritten": usage.items_written,
                    "readUnits": usage.read_units,
                    "writeUnits": usage.write_units,
                    "indexWriteUnits": usage.index_write_units,
                }
                for name, usage in sorted(self.tables.items())
            },
        }


class Recorder:
    """Records every DynamoDB call of the clients it is attached to, while :meth:`recording`."""

    def __init__(self) -> None:
        self._calls: list[Call] | None = None
        self._pending = threading.local()

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-call.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    @contextmanager
    def recording(self) -> Iterator[list[Call]]:
        calls: list[Call] = []
        self._calls = calls
        try:
            yield calls
        finally:
            self._calls = None

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        self._pending.request = json.loads(params.get("body") or b"{}")

    def _after(self, model: Any, http_response: Any, **_: Any) -> None:
        if self._calls is not None:
            response = json.loads(http_response.content or b"{}")
            self._calls.append(Call(model.name, self._pending.request, response))


@dataclass
class Accountant:
    """Turns recorded calls into items and capacity units, by DynamoDB's rules for on-demand tables."""

    client: Any
    """An unhooked client, to read the size of the items an update or a condition check touched."""
    indexes: dict[str, list[tuple[str, str]]]
    """Each table's global secondary indexes, as their (hash, range) key attributes."""

    def usage(self, calls: list[Call]) -> Usage:
        usage = Usage()
        for call in calls:
            if call.operation in READS:
                self._read(usage, call)
            else:
                self._write(usage, call)
        return usage

    def _read(self, usage: Usage, call: Call) -> None:
        request, response = call.request, call.response
        if call.operation == "BatchGetItem":
            for name, items in response.get("Responses", {}).items():
                table = usage.table(name)
                table.read_calls += 1
                table.operations.append(call.operation)
                table.items_read += len(items)
                factor = 1.0 if request["RequestItems"][name].get("ConsistentRead") else 0.5
                table.read_units += sum(units(item_size(item), READ_UNIT_BYTES) * factor for item in items)
            return
        table = usage.table(request["TableName"])
        table.read_calls += 1
        label = f"{call.operation}({request['IndexName']})" if "IndexName" in request else call.operation
        table.operations.append(label)
        factor = 1.0 if request.get("ConsistentRead") else 0.5
        if call.operation == "GetItem":
            item = response.get("Item")
            table.items_read += 1 if item else 0
            table.read_units += units(item_size(item) if item else 0, READ_UNIT_BYTES) * factor
        else:  # Query and Scan: the items returned, their sizes summed, then rounded up once
            items = response.get("Items", [])
            table.items_read += int(response.get("Count", len(items)))
            table.read_units += units(sum(item_size(item) for item in items), READ_UNIT_BYTES) * factor

    def _write(self, usage: Usage, call: Call) -> None:
        request = call.request
        if call.operation == "TransactWriteItems":
            entries = [next(iter(entry.items())) for entry in request["TransactItems"]]
            for name in sorted({operation["TableName"] for _, operation in entries}):
                usage.table(name).write_calls += 1
                usage.table(name).operations.append(call.operation)
            for kind, operation in entries:
                self._item_written(usage, operation["TableName"], kind, operation, TRANSACTIONAL)
        elif call.operation == "BatchWriteItem":
            for name, writes in request["RequestItems"].items():
                usage.table(name).write_calls += 1
                usage.table(name).operations.append(call.operation)
                for write in writes:
                    if "PutRequest" in write:
                        self._item_written(usage, name, "Put", write["PutRequest"], 1)
                    else:
                        self._item_written(usage, name, "Delete", write["DeleteRequest"], 1)
        else:
            kind = {"PutItem": "Put", "UpdateItem": "Update", "DeleteItem": "Delete"}[call.operation]
            usage.table(request["TableName"]).write_calls += 1
            usage.table(request["TableName"]).operations.append(call.operation)
            self._item_written(usage, request["TableName"], kind, request, 1)

    def _item_written(
        self, usage: Usage, name: str, kind: str, operation: dict[str, Any], factor: int
    ) -> None:
        table = usage.table(name)
        if kind == "Put":
            item: dict[str, Any] | None = operation["Item"]
        else:  # the item as it stands after the request (an update is charged on the larger of the two)
            item = self.client.get_item(TableName=name, Key=operation["Key"], ConsistentRead=True).get("Item")
        size = item_size(item) if item else 0
        table.write_units += units(size, WRITE_UNIT_BYTES) * factor
        if kind == "ConditionCheck":
            return
        table.items_written += 1
        if item:
            # Each index the item is in is written too (every index projects ALL), and not transactionally.
            for hash_key, range_key in self.indexes.get(name, []):
                if hash_key in item and range_key in item:
                    table.index_write_units += units(size, WRITE_UNIT_BYTES)


# ---------------------------------------------------------------------------------------------- the stack


@dataclass
class Stack:
    table_name: str
    idempotency_table_name: str
    client: Any
    """Unhooked: the benchmark's own reads, which are not counted."""
    recorder: Recorder
    accountant: Accountant
    consumers: list[tuple[str, LambdaHandler, Any]]
    """Each function's EventBridge rule: the function, its handler and the rule's pattern."""

    @staticmethod
    def handler(path: str) -> LambdaHandler:
        """The function that serves ``path``, among the paths this benchmark and the demo loader use."""
        module = "cases"
        if "/assessments" in path:
            module = "assessments"
        elif path.endswith("/risk"):
            module = "risk"
        elif path.startswith("/allocation"):
            module = "allocation"
        handler: LambdaHandler = import_module(f"functions.{module}.app").lambda_handler
        return handler


def start_stack() -> tuple[ThreadedMotoServer, Stack]:
    """moto and the template's resources, set up as tests/component/conftest.py sets them up."""
    moto_patches.install()  # Queries of the table and its indexes read only their partition
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "POWERTOOLS_METRICS_DISABLED": "true",
            "POWERTOOLS_TRACE_DISABLED": "true",
        }
    )
    template = Template.load(PARAMETERS)
    functions = template.functions()
    cases = next(spec for spec in functions if spec.logical_id == "CasesFunction")
    os.environ.update(cases.environment)
    _reset_clients()
    client = boto3.client("dynamodb")
    create_tables(template, client)
    create_buses(template, boto3.client("events"))
    create_user_pools(template, boto3.client("cognito-idp"))
    create_usage_plans(template, boto3.client("apigateway"))
    os.environ["USER_POOL_ID"] = template.physical_name("PartnerUserPool")
    os.environ["USAGE_PLAN_NAME"] = template.properties("PartnerUsagePlan")["UsagePlanName"]
    for spec in functions:  # their INFO lines would bury the report
        import_module(spec.module).logger.setLevel(logging.WARNING)

    recorder = Recorder()
    # The two clients every adapter uses (the resource's, and the idempotency layer's low-level one),
    # created now on this thread, so that the handlers, called on this thread, reuse these very ones.
    recorder.attach(aws.dynamodb().meta.client)
    recorder.attach(aws.dynamodb_client())
    indexes = {
        name: [
            (index["KeySchema"][0]["AttributeName"], index["KeySchema"][1]["AttributeName"])
            for index in client.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", [])
        ]
        for name in client.list_tables()["TableNames"]
    }
    consumers = [
        (spec.logical_id, import_module(spec.module).lambda_handler, event["Properties"]["Pattern"])
        for spec in functions
        for event in spec.events.values()
        if event["Type"] == "EventBridgeRule"
    ]
    stack = Stack(
        table_name=template.physical_name("CaseTable"),
        idempotency_table_name=template.physical_name("IdempotencyTable"),
        client=client,
        recorder=recorder,
        accountant=Accountant(client, indexes),
        consumers=consumers,
    )
    return server, stack


class InProcessClient(demo.ApiClient):
    """The demo loader's client, calling the handlers in this process instead of over HTTP."""

    def __init__(self) -> None:  # the parent's HTTP session and token are not needed
        self.base_url = ""

    def send(
        self, method: str, path: str, body: dict[str, Any] | None, headers: dict[str, str] | None
    ) -> dict[str, Any]:
        response = invoke(
            Stack.handler(path),
            method,
            path,
            body,
            roles=("admin", "manager"),
            subject="demo.loader",
            headers=headers,
        )
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} -> {response.status}: {response.body}")
        result: dict[str, Any] = response.body
        return result


def partition(stack: Stack, partition_key: str) -> list[dict[str, Any]]:
    """Every item of a partition, typed, read with the unhooked client."""
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {
        "TableName": stack.table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": partition_key}},
    }
    while True:
        page = stack.client.query(**query)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def deliver_events(stack: Stack, crn: str, delivered: set[str]) -> tuple[int, int]:
    """The bus: each outbox event of the case not yet delivered goes to every function whose rule matches
    it, until the functions raise no more. Returns the events delivered and the invocations they made."""
    count = invocations = 0
    while True:
        outbox = partition(stack, keys.events_partition(crn))
        new = [item for item in outbox if item["SK"]["S"] not in delivered]
        if not new:
            return count, invocations
        for item in new:
            delivered.add(item["SK"]["S"])
            entry = OutboxEntry.from_stream_image("0", item)
            event = bus_event(crn, entry.detail_type, str(entry.detail["eventId"]), entry.source)
            event["detail"] = entry.detail
            count += 1
            for name, handler, pattern in stack.consumers:
                if matches(pattern, event):
                    handler(event, LocalContext(name))
                    invocations += 1


def seed_cases(stack: Stack) -> list[str]:
    """The demo's cases, through the API, each with its events delivered."""
    client = InProcessClient()
    for team in demo.TEAMS:  # a case is made only for a team that exists
        client.post("/allocation/teams", team)
    crns = []
    for index in SEED_INDICES:
        crn = demo.seed_case(client, random.Random(demo.SEED + index), index)
        deliver_events(stack, crn, set())
        crns.append(crn)
    return crns


# ---------------------------------------------------------------------------------------------- cloning

CRN_TOKEN, TEAM_TOKEN, SURNAME_TOKEN, LOOKUP_TOKEN = "@CRN@", "@TEAM@", "@SURNAME@", "@LOOKUP@"


@dataclass(frozen=True)
class CaseImage:
    """Every item of a seeded case (its case, outbox and access-log partitions), as JSON with placeholders
    for what each clone has of its own: the CRN, the surname (and its GSI1 key) and the team."""

    text: str
    last_name: str
    date_of_birth: date
    case_items: int
    items: int

    @classmethod
    def of(cls, stack: Stack, crn: str) -> "CaseImage":
        case_items = partition(stack, keys.case_partition(crn))
        items = [
            *case_items,
            *partition(stack, keys.events_partition(crn)),
            *partition(stack, keys.audit_partition(crn)),
        ]
        if max(item_size(item) for item in items) > ITEM_LIMIT_BYTES - 1024:
            raise ValueError(f"an item of {crn} is too near DynamoDB's size limit to skip moto's check")
        profile = next(item for item in case_items if item["SK"]["S"] == keys.PROFILE)
        last_name = profile["lastName"]["S"]
        team = profile["teamCode"]["S"]
        profile["lastName"] = {"S": SURNAME_TOKEN}
        profile["GSI1PK"] = {"S": LOOKUP_TOKEN}
        text = json.dumps(items).replace(crn, CRN_TOKEN).replace(team, TEAM_TOKEN)
        born = date.fromisoformat(profile["dateOfBirth"]["S"])
        return cls(text, last_name, born, len(case_items), len(items))

    def clone(self, crn: str, number: int) -> tuple[list[dict[str, Any]], str]:
        """The case's items under ``crn``, with a surname and a team of its own; and the surname."""
        surname = f"{self.last_name}-{suffix(number)}"
        text = (
            self.text.replace(CRN_TOKEN, crn)
            .replace(TEAM_TOKEN, f"T{number % TEAMS:03d}BN")
            .replace(SURNAME_TOKEN, surname)
            .replace(LOOKUP_TOKEN, keys.person_lookup_key(surname, self.date_of_birth))
        )
        items: list[dict[str, Any]] = json.loads(text)
        return items, surname


def suffix(number: int) -> str:
    """A surname suffix of its own for each clone (a name has no digits): 0 is "A", 26 "Ba"..."""
    text = ""
    while True:
        number, digit = divmod(number, 26)
        text = chr(ord("A") + digit) + text
        if number == 0:
            return text.capitalize()


@contextmanager
def bulk_load(table_name: str) -> Iterator[Callable[[dict[str, Any]], None]]:
    """moto's own put_item for the table, called in this process, without the stream record and the
    per-attribute size re-check (see the module's docstring). Checked on moto 5.2.5."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    table = backend.get_table(table_name)
    shard, size_check = table.stream_shard, dynamo_type.LimitedSizeDict.__setitem__

    def put(item: dict[str, Any]) -> None:
        backend.put_item(table_name, item)

    table.stream_shard = None
    dynamo_type.LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[method-assign]
    try:
        yield put
    finally:
        table.stream_shard = shard
        dynamo_type.LimitedSizeDict.__setitem__ = size_check  # type: ignore[method-assign]


@dataclass
class CaseTable:
    """The case table as it grows: the seeded cases, then clones of them."""

    stack: Stack
    images: list[CaseImage]
    seeds: frozenset[str]
    cases: int = 0
    items: int = 0
    clones: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Each clone's CRN: the seed it copies, and its surname."""
    _next_crn: int = 0

    def __post_init__(self) -> None:
        self.cases = len(self.seeds)
        self.items = sum(image.items for image in self.images)

    def grow_to(self, size: int) -> None:
        with bulk_load(self.stack.table_name) as put:
            while self.cases < size:
                crn = self._fresh_crn()
                image = self.cases % len(self.images)
                items, surname = self.images[image].clone(crn, self.cases)
                for item in items:
                    put(item)
                self.clones[crn] = (image, surname)
                self.cases += 1
                self.items += len(items)

    def newest_clone_of(self, image: int) -> tuple[str, str]:
        crn = next(crn for crn, (copied, _) in reversed(self.clones.items()) if copied == image)
        return crn, self.clones[crn][1]

    def _fresh_crn(self) -> str:
        while True:
            number, self._next_crn = self._next_crn, self._next_crn + 1
            crn = f"{chr(ord('A') + number // 1_000_000)}{number % 1_000_000:06d}"
            if crn not in self.seeds:
                return crn


# ---------------------------------------------------------------------------------------------- measuring


@dataclass
class Measurement:
    usage: dict[str, Usage] = field(default_factory=dict)
    fan_out: dict[str, tuple[tuple[int, int], Usage]] = field(default_factory=dict)
    """Per change: the events it raised and the invocations they made; what those invocations cost."""


def measure(stack: Stack, crn: str, surname: str, date_of_birth: date, size: int) -> Measurement:
    """Every budgeted operation once, on case ``crn``: the reads first, then the changes."""
    measurement = Measurement()
    delivered = {item["SK"]["S"] for item in partition(stack, keys.events_partition(crn))}

    def run(
        operation: str,
        method: str,
        path: str,
        body: Any = None,
        *,
        expect: int,
        headers: dict[str, str] | None = None,
        query: dict[str, str] | None = None,
    ) -> dict[str, str]:
        with stack.recorder.recording() as calls:
            response = invoke(
                Stack.handler(path),
                method,
                path,
                body,
                roles=STAFF,
                subject=SUBJECT,
                headers=headers,
                query=query,
            )
        if response.status != expect:
            raise RuntimeError(f"{operation} at {size:,} cases: {response.status} {response.body}")
        measurement.usage[operation] = stack.accountant.usage(calls)
        if method != "GET":
            with stack.recorder.recording() as calls:
                events = deliver_events(stack, crn, delivered)
            measurement.fan_out[operation] = (events, stack.accountant.usage(calls))
        return response.headers

    etag = run("GET /cases/{crn}", "GET", f"/cases/{crn}", expect=200)["ETag"]
    run("GET /cases/{crn}/overview", "GET", f"/cases/{crn}/overview", expect=200)
    search = {"lastName": surname, "dateOfBirth": date_of_birth.isoformat()}
    run("GET /cases?lastName=&dateOfBirth=", "GET", "/cases", expect=200, query=search)
    run("GET /cases/{crn}/contacts", "GET", f"/cases/{crn}/contacts", expect=200)
    run("GET /cases/{crn}/risk", "GET", f"/cases/{crn}/risk", expect=200)
    contact = {
        "type": "OFFICE_APPOINTMENT",
        "contactDate": "2026-01-05T10:00:00Z",
        "outcome": "ATTENDED_COMPLIED",
        "notes": "Reported as instructed; discussed accommodation and the unpaid work placement.",
    }
    key = {"Idempotency-Key": f"bench-contact-{crn}"}
    run("POST /cases/{crn}/contacts", "POST", f"/cases/{crn}/contacts", contact, expect=201, headers=key)
    patch = {"phoneNumber": "0113 496 0000"}
    run("PATCH /cases/{crn}", "PATCH", f"/cases/{crn}", patch, expect=200, headers={"If-Match": etag})
    run("POST /cases/{crn}/risk", "POST", f"/cases/{crn}/risk", expect=201)
    return measurement


def problems(sizes: tuple[int, ...], measurements: dict[int, Measurement]) -> dict[str, list[str]]:
    """Each operation's broken promises: over its budget, or a figure that differs between sizes."""
    first = measurements[sizes[0]]
    found: dict[str, list[str]] = {}
    for operation, budget in BUDGETS.items():
        broken = found.setdefault(operation, [])
        for size in sizes:
            usage = measurements[size].usage[operation]
            if usage.read_calls > budget.reads or usage.write_calls > budget.writes:
                broken.append(f"over budget at {size:,}")
        for size in sizes[1:]:
            small, large = first.usage[operation], measurements[size].usage[operation]
            if small.operations != large.operations:
                broken.append(f"calls differ at {size:,}")
            if small.items_read != large.items_read:
                broken.append(f"items read differ at {size:,}")
            if operation in first.fan_out:
                events, small = first.fan_out[operation]
                more, large = measurements[size].fan_out[operation]
                if (events, small.operations, small.items_read) != (more, large.operations, large.items_read):
                    broken.append(f"event consumers' calls or items read differ at {size:,}")
    return found


# ---------------------------------------------------------------------------------------------- reporting


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def print_report(
    sizes: tuple[int, ...], measurements: dict[int, Measurement], found: dict[str, list[str]], stack: Stack
) -> None:
    labels = [size_label(size) for size in sizes]
    header = f"{'operation':<34} {'budget':>6}"
    header += "".join(f" {'calls ' + label:>9}" for label in labels)
    header += "".join(f" {'items ' + label:>9}" for label in labels) + "  verdict"
    print(header)
    print("-" * len(header))
    for operation, budget in BUDGETS.items():
        usages = [measurements[size].usage[operation] for size in sizes]
        row = f"{operation:<34} {budget!s:>6}"
        row += "".join(f" {usage!s:>9}" for usage in usages)
        row += "".join(f" {usage.items_read:>9}" for usage in usages)
        print(f"{row}  {'; '.join(found[operation]).upper() or 'OK'}")
    print(f"{'allocation recommendations':<34} {recommendation_reference()}")
    print(
        "calls: r = read calls, w = write calls, of the case and idempotency tables together (apart below);"
        "\nitems = items read."
    )

    largest = measurements[sizes[-1]]
    print(f"\nAt {sizes[-1]:,} cases, by table: on-demand read units (RRU), write units (WRU, of which GSI)")
    header = f"{'request':<34} {'table':<11} {'calls':<40} {'RRU':>5} {'WRU':>5} {'GSI':>4} {'items':>5}"
    print(header)
    print("-" * len(header))
    for operation in BUDGETS:
        rows = [(operation, largest.usage[operation])]
        if operation in largest.fan_out:
            (events, invocations), fan_out = largest.fan_out[operation]
            rows.append((f"  {plural(events, 'event')}: {plural(invocations, 'invocation')}", fan_out))
        for label, usage in rows:
            for number, (name, table) in enumerate(sorted(usage.tables.items())):
                short = "idempotency" if name == stack.idempotency_table_name else "case"
                write_units = table.write_units + table.index_write_units
                print(
                    f"{label if number == 0 else '':<34} {short:<11} {tally(table.operations):<40} "
                    f"{table.read_units:>5g} {write_units:>5g} {table.index_write_units:>4g} "
                    f"{table.items_written:>5}"
                )
    print("items = items written; a condition check is charged as a write but writes no item.")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def tally(operations: list[str]) -> str:
    """``["Query", "GetItem", "Query"]`` as "2 Query, GetItem", in the order of their first call."""
    counts = {operation: operations.count(operation) for operation in operations}
    return ", ".join(f"{count} {name}" if count > 1 else name for name, count in counts.items())


def recommendation_reference() -> str:
    """What bench.recommendation_calls recorded: that benchmark owns the allocation recommendation."""
    try:
        entry = json.loads(results.RESULTS.read_text()).get("recommendation_calls")
    except (FileNotFoundError, ValueError):
        entry = None
    if not isinstance(entry, dict):
        return "not measured here: see python -m bench.recommendation_calls"
    budget = entry.get("budget")
    calls = budget.get("calls") if isinstance(budget, dict) else budget
    return (
        f"{entry.get('calls')} calls for a team of {entry.get('teamSize')}, budget {calls} "
        f"({'OK' if entry.get('ok') else 'OVER BUDGET'}: bench.recommendation_calls)"
    )


def figures(
    sizes: tuple[int, ...], measurements: dict[int, Measurement], found: dict[str, list[str]], stack: Stack
) -> dict[str, Any]:
    labels = {stack.table_name: "case", stack.idempotency_table_name: "idempotency"}

    def at(size: int, operation: str) -> dict[str, Any]:
        measurement = measurements[size]
        entry = measurement.usage[operation].figures(labels)
        if operation in measurement.fan_out:
            (events, invocations), usage = measurement.fan_out[operation]
            entry["events"] = events
            entry["consumerInvocations"] = invocations
            entry["consumers"] = usage.figures(labels)
        return entry

    return {
        "sizes": list(sizes),
        "problems": {operation: broken for operation, broken in found.items() if broken},
        "operations": {
            operation: {str(size): at(size, operation) for size in sizes} for operation in BUDGETS
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), help="cases in the table")
    arguments = parser.parse_args()
    sizes = tuple(sorted(arguments.sizes))
    if len(sizes) < 2 or sizes[0] <= len(SEED_INDICES):
        parser.error(f"give at least two sizes, each over {len(SEED_INDICES)}")

    started = time.perf_counter()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    server, stack = start_stack()
    seconds: dict[str, float] = {}
    measurements: dict[int, Measurement] = {}
    try:
        # Powertools prints its cold-start metric whatever POWERTOOLS_METRICS_DISABLED says.
        with contextlib.redirect_stdout(io.StringIO()):
            seeds = seed_cases(stack)
            images = [CaseImage.of(stack, crn) for crn in seeds]
            seconds["seed"] = time.perf_counter() - started
            # Measured on a clone of the seed with the largest case partition: the heaviest overview.
            target = max(range(len(images)), key=lambda image: images[image].case_items)
            table = CaseTable(stack, images, frozenset(seeds))
            for size in sizes:
                began = time.perf_counter()
                table.grow_to(size)
                grown = time.perf_counter()
                crn, surname = table.newest_clone_of(target)
                measurements[size] = measure(stack, crn, surname, images[target].date_of_birth, size)
                seconds[f"load to {size_label(size)}"] = grown - began
                seconds[f"measure at {size_label(size)}"] = time.perf_counter() - grown
    finally:
        server.stop()

    found = problems(sizes, measurements)
    ok = not any(found.values())
    print_report(sizes, measurements, found, stack)
    seconds["total"] = time.perf_counter() - started
    peak_memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    timings = ", ".join(f"{name} {value:.0f}" for name, value in seconds.items())
    print(
        f"\n{len(seeds)} cases seeded through the API: {[image.case_items for image in images]} items in "
        f"their case partitions, {[image.items for image in images]} with outbox and access log."
        f"\nCloned to {table.cases:,} cases, {table.items:,} items. Measured on clones of the seed with "
        f"{images[target].case_items} items in its case partition."
        f"\nSeconds: {timings}; peak memory {peak_memory:,} MB.\n{'OK' if ok else 'BUDGET BROKEN'}"
    )
    results.record(
        "dynamodb_calls",
        budget={
            operation: {"readCalls": budget.reads, "writeCalls": budget.writes}
            for operation, budget in BUDGETS.items()
        },
        ok=ok,
        figures={
            **figures(sizes, measurements, found, stack),
            "measuredCaseItems": images[target].case_items,
            "tableItems": table.items,
            "seconds": {name: round(value, 1) for name, value in seconds.items()},
        },
    )
    return 0 if ok else 1


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # The results are written. Exiting normally, the interpreter would spend most of a minute freeing
    # moto's million items one by one.
    os._exit(status)

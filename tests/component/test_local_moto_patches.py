"""The AWS stand-in as the local runner patches it: DynamoDB's answers unchanged, and its conditions decided
as DynamoDB decides them when requests arrive at once; the same over HTTP and over the functions' socket,
where DynamoDB, EventBridge and SQS calls are answered by moto's handlers directly."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError
from moto.dynamodb.models import table as moto_table
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

from infrastructure.local import moto_patches, ops
from infrastructure.local.wire import SOCKET_ENVIRONMENT, StandInSocket, send_to_stand_in

TABLE = "patches"


class CountingApplication:
    """The stand-in's WSGI application, counting the requests that reach it."""

    def __init__(self) -> None:
        self.application = DomainDispatcherApplication(create_backend_app)
        self.targets: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.targets.append(str(environ.get("HTTP_X_AMZ_TARGET", environ.get("PATH_INFO"))))
        return self.application(environ, start_response)


@pytest.fixture
def over_the_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingApplication]:
    # Unix socket paths are short (108 bytes): pytest's temporary folders can be longer.
    path = Path("/tmp") / f"patches-{tmp_path.name[-20:]}.sock"
    monkeypatch.setenv(SOCKET_ENVIRONMENT, str(path))
    application = CountingApplication()
    server = StandInSocket(path, application, moto_patches.answer_directly)
    server.start()
    yield application
    server.stop()


def client(service: str, moto_endpoint: str, over_the_socket: bool = False) -> Any:
    """A client of the stand-in over HTTP or over the socket (as an execution environment's)."""
    made = boto3.client(
        service,
        endpoint_url=moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"mode": "standard", "max_attempts": 1}),
    )
    if over_the_socket:
        made.meta.events.register("before-send", send_to_stand_in)
    return made


@pytest.fixture(params=["http", "socket"])
def dynamodb(moto_endpoint: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    socket: CountingApplication | None = (
        request.getfixturevalue("over_the_socket") if request.param == "socket" else None
    )
    made = client("dynamodb", moto_endpoint, over_the_socket=socket is not None)
    create_table(made)
    yield made
    if socket is not None:
        assert socket.targets == [], "DynamoDB calls over the socket are answered directly"


def create_table(dynamodb: Any) -> None:
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )


@pytest.fixture
def slow_conditions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every condition takes 0.2 s to parse, after the item it is checked against has been read: two
    writes at once both read the item before either writes, unless the stand-in orders them."""

    def slowed(parse: Any) -> Any:
        def slowly(*args: Any, **kwargs: Any) -> Any:
            time.sleep(0.2)
            return parse(*args, **kwargs)

        return slowly

    # Where moto's puts (alone or in a transaction) parse their conditions.
    monkeypatch.setattr(moto_table, "get_filter_expression", slowed(moto_table.get_filter_expression))  # type: ignore[attr-defined]


def at_once(*writes: Any) -> list[str]:
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(write: Any) -> None:
        try:
            write()
            outcome = "written"
        except ClientError as error:
            outcome = error.response["Error"]["Code"]
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(write,)) for write in writes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_creates_of_one_item_at_once_have_one_winner(dynamodb: Any, slow_conditions: None) -> None:
    def create(owner: str) -> Any:
        return lambda: dynamodb.put_item(
            TableName=TABLE,
            Item={"PK": {"S": "case"}, "SK": {"S": "PROFILE"}, "owner": {"S": owner}},
            ConditionExpression="attribute_not_exists(PK)",
        )

    assert at_once(create("first"), create("second")) == ["ConditionalCheckFailedException", "written"]


def test_a_write_and_a_transaction_on_one_item_at_once_have_one_winner(
    dynamodb: Any, slow_conditions: None
) -> None:
    item = {"PK": {"S": "case"}, "SK": {"S": "PROFILE"}}
    single = lambda: dynamodb.put_item(  # noqa: E731
        TableName=TABLE, Item=item, ConditionExpression="attribute_not_exists(PK)"
    )
    transaction = lambda: dynamodb.transact_write_items(  # noqa: E731
        TransactItems=[
            {"Put": {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
        ]
    )
    assert sorted(at_once(single, transaction)) in (
        ["ConditionalCheckFailedException", "written"],
        ["TransactionCanceledException", "written"],
    )


def test_reads_answer_as_moto_s_own_serializer_would(dynamodb: Any) -> None:
    """The JSON written for DynamoDB's reads is what moto's model-driven serializer writes."""
    item = {
        "PK": {"S": "case"},
        "SK": {"S": "PROFILE"},
        "number": {"N": "12.50"},
        "flag": {"BOOL": True},
        "nothing": {"NULL": True},
        "blob": {"B": b"\x00\x01binary"},
        "strings": {"SS": ["a", "b"]},
        "numbers": {"NS": ["1", "2"]},
        "nested": {"M": {"list": {"L": [{"S": "x"}, {"N": "3"}, {"M": {"deep": {"S": "y"}}}]}}},
    }
    dynamodb.put_item(TableName=TABLE, Item=item)

    def read_back() -> tuple[Any, Any]:
        key = {"PK": {"S": "case"}, "SK": {"S": "PROFILE"}}
        query = {"KeyConditionExpression": "PK = :pk", "ExpressionAttributeValues": {":pk": {"S": "case"}}}
        return (
            dynamodb.get_item(TableName=TABLE, Key=key)["Item"],
            dynamodb.query(TableName=TABLE, **query)["Items"],
        )

    fast = read_back()
    reads = moto_patches._ITEM_READS
    try:
        moto_patches._ITEM_READS = frozenset()  # every answer through moto's own serializer
        slow = read_back()
    finally:
        moto_patches._ITEM_READS = reads
    assert fast == slow
    assert fast[0] == item


@pytest.fixture
def hold() -> Iterator[moto_patches.Hold]:
    yield moto_patches.HOLD
    moto_patches.HOLD.set("")


def create_in_a_transaction(dynamodb: Any, owner: str) -> Callable[[], Any]:
    item = {"PK": {"S": "held-case"}, "SK": {"S": "PROFILE"}, "owner": {"S": owner}}
    put = {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(PK)"}
    return lambda: dynamodb.transact_write_items(TransactItems=[{"Put": put}])


def test_held_transactions_wait_for_each_other_and_then_their_conditions_decide(
    dynamodb: Any, hold: moto_patches.Hold
) -> None:
    hold.set("parties=2,match=held-case,timeout=10")
    outcomes = at_once(
        create_in_a_transaction(dynamodb, "first"), create_in_a_transaction(dynamodb, "second")
    )
    assert outcomes == ["TransactionCanceledException", "written"]
    assert (hold.met, hold.timed_out) == (1, 0)


def test_a_held_transaction_without_a_partner_goes_on_after_the_timeout(
    dynamodb: Any, hold: moto_patches.Hold
) -> None:
    hold.set("parties=2,match=held-case,timeout=0.2")
    started = time.monotonic()
    create_in_a_transaction(dynamodb, "alone")()
    assert time.monotonic() - started >= 0.2
    assert (hold.met, hold.timed_out) == (0, 1)


def test_the_ops_command_changes_faults_and_hold_while_the_stand_in_runs(
    moto_endpoint: str, hold: moto_patches.Hold
) -> None:
    try:
        assert ops.main(["faults", "Throttling=0.25", "--aws-endpoint", moto_endpoint]) == 0
        assert moto_patches.FAULTS.setting == "Throttling=0.25"
        assert ops.main(["faults", "Gremlins=1", "--aws-endpoint", moto_endpoint]) == 2
        assert moto_patches.FAULTS.setting == "Throttling=0.25", "a refused setting changes nothing"
        assert ops.change(moto_endpoint, "hold", "parties=3,match=X1") == {
            "hold": "parties=3,match=X1,timeout=5",
            "met": 0,
            "timedOut": 0,
        }
        assert ops.main(["faults", "", "--aws-endpoint", moto_endpoint]) == 0
        assert moto_patches.FAULTS.setting == ""
    finally:
        moto_patches.FAULTS.set("")


def test_one_expression_sent_with_other_values_is_decided_by_those_values(dynamodb: Any) -> None:
    """The stand-in remembers each expression it has parsed: never the values it was sent with."""
    key = {"PK": {"S": "case"}, "SK": {"S": "PROFILE"}}
    dynamodb.put_item(TableName=TABLE, Item={**key, "version": {"N": "1"}})

    def move(expected: int, new: int) -> str:
        try:
            dynamodb.update_item(
                TableName=TABLE,
                Key=key,
                UpdateExpression="SET #version = :new",
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":new": {"N": str(new)}, ":expected": {"N": str(expected)}},
            )
        except ClientError as refused:
            return str(refused.response["Error"]["Code"])
        return "written"

    def move_in_a_transaction(expected: int, new: int) -> str:
        update = {
            "TableName": TABLE,
            "Key": key,
            "UpdateExpression": "SET #version = :new",
            "ConditionExpression": "#version = :expected",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": {":new": {"N": str(new)}, ":expected": {"N": str(expected)}},
        }
        try:
            dynamodb.transact_write_items(TransactItems=[{"Update": update}])
        except ClientError as refused:
            return str(refused.response["Error"]["Code"])
        return "written"

    assert [move(1, 2), move(1, 5), move(2, 3), move_in_a_transaction(2, 9), move_in_a_transaction(3, 4)] == [
        "written",
        "ConditionalCheckFailedException",
        "written",
        "TransactionCanceledException",
        "written",
    ]
    assert dynamodb.get_item(TableName=TABLE, Key=key)["Item"]["version"] == {"N": "4"}


def test_a_malformed_expression_or_a_missing_table_is_the_service_s_error(dynamodb: Any) -> None:
    key = {"PK": {"S": "case"}, "SK": {"S": "PROFILE"}}

    def missing_table() -> Any:
        return dynamodb.get_item(TableName="no-such-table", Key=key)

    def malformed() -> Any:
        return dynamodb.update_item(TableName=TABLE, Key=key, UpdateExpression="SET = :x")

    errors = []
    for call in (missing_table, malformed, malformed):  # the second time, as a remembered expression would be
        with pytest.raises(ClientError) as refused:
            call()
        errors.append(refused.value.response["Error"]["Code"])
    assert errors == ["ResourceNotFoundException", "ValidationException", "ValidationException"]
    assert "Item" not in dynamodb.get_item(TableName=TABLE, Key=key)


def test_faults_answer_writes_over_http_and_over_the_socket_alike(dynamodb: Any) -> None:
    item = {"PK": {"S": "case"}, "SK": {"S": "PROFILE"}}
    other = {"PK": {"S": "case"}, "SK": {"S": "SUMMARY"}}
    try:
        moto_patches.FAULTS.set("Throttling=1")
        with pytest.raises(ClientError) as throttled:
            dynamodb.put_item(TableName=TABLE, Item=item)
        moto_patches.FAULTS.set("TransactionConflict=1")
        with pytest.raises(ClientError) as conflicted:
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": TABLE, "Item": item}},
                    {"Put": {"TableName": TABLE, "Item": other}},
                ]
            )
    finally:
        moto_patches.FAULTS.set("")
    assert throttled.value.response["Error"]["Code"] == "ThrottlingException"
    assert conflicted.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert [reason["Code"] for reason in conflicted.value.response["CancellationReasons"]] == [
        "TransactionConflict",
        "TransactionConflict",
    ]
    assert dynamodb.scan(TableName=TABLE)["Items"] == [], "a faulted write changes nothing"


def test_eventbridge_and_sqs_over_the_socket_are_answered_directly_and_other_services_as_ever(
    moto_endpoint: str, over_the_socket: CountingApplication
) -> None:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    sqs = client("sqs", moto_endpoint, over_the_socket=True)
    queue_url = sqs.create_queue(QueueName="patches")["QueueUrl"]
    sqs.send_message(QueueUrl=queue_url, MessageBody="over the socket")
    received = client("sqs", moto_endpoint).receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)
    assert [message["Body"] for message in received["Messages"]] == ["over the socket"]

    events = client("events", moto_endpoint, over_the_socket=True)
    events.put_rule(Name="all", EventPattern='{"source": ["patches"]}')
    events.put_targets(
        Rule="all",
        Targets=[
            {
                "Id": "queue",
                "Arn": sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
                    "Attributes"
                ]["QueueArn"],
            }
        ],
    )
    answer = events.put_events(Entries=[{"Source": "patches", "DetailType": "tested", "Detail": "{}"}])
    assert answer["FailedEntryCount"] == 0
    delivered = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1)["Messages"]
    assert [json.loads(message["Body"])["detail-type"] for message in delivered] == ["tested"]
    assert over_the_socket.targets == []

    cloudwatch = client("cloudwatch", moto_endpoint, over_the_socket=True)
    cloudwatch.put_metric_data(Namespace="patches", MetricData=[{"MetricName": "calls", "Value": 1.0}])
    assert [
        metric["MetricName"]
        for metric in client("cloudwatch", moto_endpoint).list_metrics(Namespace="patches")["Metrics"]
    ] == ["calls"]
    assert len(over_the_socket.targets) == 1, "CloudWatch is answered by the stand-in's application"


def test_an_item_over_dynamodb_s_size_limit_is_refused_whole_and_one_within_it_is_written(
    dynamodb: Any,
) -> None:
    key = {"PK": {"S": "case"}, "SK": {"S": "NOTES"}}
    within = {f"note{number}": {"S": "x" * 9_000} for number in range(44)}  # about 396 KB in 44 attributes
    over = {**within, "note44": {"S": "x" * 9_000}}  # about 405 KB
    dynamodb.put_item(TableName=TABLE, Item={**key, **within})
    with pytest.raises(ClientError) as refused:
        dynamodb.put_item(TableName=TABLE, Item={**key, **over})
    assert refused.value.response["Error"]["Code"] == "ValidationException"
    assert "size" in refused.value.response["Error"]["Message"]
    assert len(dynamodb.get_item(TableName=TABLE, Key=key)["Item"]) == 2 + 44, "the item as it was"

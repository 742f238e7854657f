"""The AWS stand-in as the local runner patches it: DynamoDB's answers unchanged, and its conditions decided
as DynamoDB decides them when requests arrive at once."""

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError
from moto.dynamodb.models import table as moto_table

from infrastructure.local import moto_patches, ops

TABLE = "patches"


@pytest.fixture
def dynamodb(moto_endpoint: str) -> Any:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    client = boto3.client(
        "dynamodb",
        endpoint_url=moto_endpoint,
        region_name="eu-west-2",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    client.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


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

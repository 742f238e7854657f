"""A table stream's records that every poller has done with are forgotten; the rest keep their numbers."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infrastructure.local.moto_patches import REGION, stream_records, trim_stream

TABLE = "trimmed"


@pytest.fixture
def table() -> Iterator[Any]:
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
        )
        yield dynamodb


def put(dynamodb: Any, *keys: str) -> None:
    for key in keys:
        dynamodb.put_item(TableName=TABLE, Item={"PK": {"S": key}})


def numbered(records: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(r["dynamodb"]["NewImage"]["PK"]["S"], int(r["dynamodb"]["SequenceNumber"])) for r in records]


def test_records_after_the_trim_keep_their_numbers_and_new_ones_follow_on(table: Any) -> None:
    put(table, "a", "b", "c", "d")
    before = numbered(stream_records(TABLE, None, 100))
    trim_stream(TABLE, before[1][1])  # done with a and b
    assert numbered(stream_records(TABLE, None, 100)) == before[2:]
    assert numbered(stream_records(TABLE, before[2][1], 100)) == before[3:]
    put(table, "e")
    assert numbered(stream_records(TABLE, before[3][1], 100)) == [("e", before[3][1] + 1)]


def test_a_reader_behind_the_trim_starts_at_the_first_record_kept_and_a_late_trim_changes_nothing(
    table: Any,
) -> None:
    put(table, "a", "b", "c")
    before = numbered(stream_records(TABLE, None, 100))
    trim_stream(TABLE, before[1][1])
    assert numbered(stream_records(TABLE, before[0][1], 100)) == before[2:]
    trim_stream(TABLE, before[0][1])  # already forgotten
    assert numbered(stream_records(TABLE, None, 100)) == before[2:]
    trim_stream(TABLE, before[2][1] + 50)  # beyond the last: all of them, and no more
    assert stream_records(TABLE, None, 100) == []
    put(table, "d")
    assert numbered(stream_records(TABLE, None, 100)) == [("d", before[2][1] + 1)]

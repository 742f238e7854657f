"""The outbox publisher: stream records of new event items become events on the probation bus."""

import json
from typing import Any

import boto3
import pytest

import functions.publisher.app as publisher
from infrastructure.local.lambdas import LocalContext
from infrastructure.local.pollers import matches
from infrastructure.template import Template
from probation.adapters import aws
from tests.component.conftest import Caller, new_case


def stream_records(template: Template) -> list[dict[str, Any]]:
    """The table stream as Lambda would hand it over, through the template's own filter."""
    streams = boto3.client("dynamodbstreams")
    table = template.physical_name("CaseTable")
    arn = boto3.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    stream_event = template.properties("PublisherFunction")["Events"]["OutboxStream"]["Properties"]
    patterns = [json.loads(f["Pattern"]) for f in stream_event["FilterCriteria"]["Filters"]]
    wanted = [r for r in records if any(matches(p, r) for p in patterns)]
    lambda_records: list[dict[str, Any]] = json.loads(json.dumps(wanted, default=str))
    return lambda_records


def test_only_outbox_inserts_reach_the_publisher(api: Caller, template: Template) -> None:
    api("POST", "/cases", new_case())
    records = stream_records(template)
    assert [r["dynamodb"]["Keys"]["SK"]["S"][:4] for r in records] == ["EVT#"]


def test_each_outbox_event_lands_on_the_bus_with_its_envelope(
    api: Caller, template: Template, bus_queue: str
) -> None:
    crn = api("POST", "/cases", new_case(), headers={"X-Correlation-Id": "trace-1"}).body["crn"]
    result = publisher.lambda_handler(
        {"Records": stream_records(template)}, LocalContext("PublisherFunction")
    )
    assert result == {"batchItemFailures": []}

    messages = boto3.client("sqs").receive_message(QueueUrl=bus_queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    event = json.loads(messages[0]["Body"])
    assert (event["source"], event["detail-type"]) == ("probation.cases", "probation-case.engagement.created")
    detail = event["detail"]
    assert detail["eventType"] == "probation-case.engagement.created"
    assert detail["personReference"] == {"identifiers": [{"type": "CRN", "value": crn}]}
    assert detail["additionalInformation"] == {"teamCode": "N07CAM"}
    assert detail["correlationId"] == "trace-1"
    assert detail["eventId"]


def test_a_failed_put_reports_that_record_and_all_after_it(
    api: Caller, template: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(3):
        api("POST", "/cases", new_case())
    records = stream_records(template)
    client = aws.events()
    real_put_events = client.put_events

    def second_entry_fails(Entries: list[dict[str, str]]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        real_put_events(Entries=Entries[:1])
        return {"FailedEntryCount": 2, "Entries": [{"EventId": "1"}, {"ErrorCode": "Throttled"}, {}]}

    monkeypatch.setattr(client, "put_events", second_entry_fails)
    result = publisher.lambda_handler({"Records": records}, LocalContext("PublisherFunction"))
    sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == sequence_numbers[1:]

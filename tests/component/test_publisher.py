"""The outbox publisher: stream records of new event items become events on the probation bus."""

import json
from typing import Any

import boto3
import pytest

import functions.publisher.app as publisher
from infrastructure.local.lambdas import LocalContext, LocalFunction
from infrastructure.local.pollers import matches
from infrastructure.template import Template
from probation.adapters import aws
from probation.adapters.dynamodb import from_document
from probation.adapters.eventbridge import PUT_EVENTS_BATCH
from probation.domain.risk_scoring.records import RiskScoreRecord
from tests.component.conftest import Caller, new_case, table_items
from tests.component.test_cases_api import CONTACT, CONVICTION


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


@pytest.mark.usefixtures("team")
def test_only_outbox_inserts_reach_the_publisher(api: Caller, template: Template) -> None:
    api("POST", "/cases", new_case())
    records = stream_records(template)
    assert [r["dynamodb"]["Keys"]["SK"]["S"][:4] for r in records] == ["EVT#"]


@pytest.mark.usefixtures("team")
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


@pytest.mark.usefixtures("team")
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


def drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    delivered: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        delivered += [json.loads(message["Body"]) for message in messages]
        for message in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return delivered


def fan_out(template: Template, event: dict[str, Any]) -> None:
    """The template's rules delivering one bus event to every function whose pattern it matches."""
    for function in template.functions():
        rules = [spec for spec in function.events.values() if spec["Type"] == "EventBridgeRule"]
        if any(matches(rule["Properties"]["Pattern"], event) for rule in rules):
            LocalFunction(function).invoke(event)


@pytest.mark.usefixtures("team")
def test_a_publisher_crash_mid_batch_loses_no_event_and_consumers_act_on_each_once(
    api: Caller, template: Template, bus_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    crns = [api("POST", "/cases", new_case(lastName=f"Crash{letter}")).body["crn"] for letter in "ABCD"]
    for crn in crns:
        assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    for crn in crns:
        recorded = api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": crn})
        assert recorded.status == 201
    records = stream_records(template)
    assert len(records) > PUT_EVENTS_BATCH, "the batch must need more than one PutEvents call"
    client = aws.events()
    real_put_events = client.put_events
    calls = 0

    def dies_during_the_second_put(Entries: list[dict[str, str]]) -> dict[str, Any]:  # noqa: N803
        nonlocal calls
        calls += 1
        if calls == 2:
            raise TimeoutError("Task timed out")  # the first PutEvents call's events are already out
        return dict(real_put_events(Entries=Entries))

    monkeypatch.setattr(client, "put_events", dies_during_the_second_put)
    with pytest.raises(TimeoutError):
        publisher.lambda_handler({"Records": records}, LocalContext("PublisherFunction"))
    monkeypatch.setattr(client, "put_events", real_put_events)
    # A function error fails the whole batch, and Lambda hands the same records over again.
    retried = publisher.lambda_handler({"Records": records}, LocalContext("PublisherFunction"))
    assert retried == {"batchItemFailures": []}

    delivered = drain(bus_queue)
    delivered_ids = [event["detail"]["eventId"] for event in delivered]
    outbox_ids = [record["dynamodb"]["NewImage"]["detail"]["M"]["eventId"]["S"] for record in records]
    assert set(delivered_ids) == set(outbox_ids), "an event was lost"
    assert len(delivered_ids) == len(outbox_ids) + PUT_EVENTS_BATCH, "the first put's events arrive twice"

    for event in delivered:
        fan_out(template, event)

    sentence_of = {
        event["detail"]["personReference"]["identifiers"][0]["value"]: event["detail"]["eventId"]
        for event in delivered
        if event["detail-type"] == "probation-case.sentence.created"
    }
    for crn in crns:
        scored_for = [
            from_document(item, RiskScoreRecord).trigger.event_id
            for item in table_items(template, f"CASE#{crn}")
            if item["SK"].startswith("RISK#")
        ]
        assert scored_for == [sentence_of[crn]], "the sentence was scored once"
    allocation_audit = [
        item["eventId"]
        for crn in crns
        for item in table_items(template, f"AUDIT#{crn}")
        if item["actor"] == "system:allocation"
    ]
    assert sorted(allocation_audit) == sorted(set(allocation_audit)), "allocation acted on an event twice"
    assert len(allocation_audit) == len(crns) * 2, "one tiering per new case and per sentence"

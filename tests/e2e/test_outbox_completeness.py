"""Outbox completeness: 500 random operations over HTTP produce exactly their events on the bus, each
once after de-duplication by event id, and exactly what each case's outbox holds."""

import json
import random
import uuid
from collections import Counter
from typing import Any

import pytest

from tests.e2e.conftest import Runner
from tests.e2e.test_local_stack import CONTACT, create_case, eventually, record_conviction

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

OPERATIONS = 500
CASES = 10
CREATED = "probation-case.engagement.created"
UPDATED = "probation-case.personal-details.updated"
CONTACTED = "probation-case.contact.created"
SENTENCED = "probation-case.sentence.created"


def capture_case_events(runner: Runner) -> str:
    """A queue that receives every case event on the bus, as a rule target."""
    sqs, events = runner.client("sqs"), runner.client("events")
    name = f"outbox-completeness-{uuid.uuid4().hex[:8]}"
    queue_url: str = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name=name, EventBusName="probation-local", EventPattern=json.dumps({"source": ["probation.cases"]})
    )
    events.put_targets(Rule=name, EventBusName="probation-local", Targets=[{"Id": "q", "Arn": queue_arn}])
    return queue_url


def outbox_event_ids(runner: Runner, crn: str) -> list[str]:
    """The case events in the case's outbox (other services' events about it live there too)."""
    table = runner.client("dynamodb")
    items = table.query(
        TableName="probation-cases-local",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"EVENTS#{crn}"}},
    )["Items"]
    return [item["detail"]["M"]["eventId"]["S"] for item in items if item["source"]["S"] == "probation.cases"]


def test_five_hundred_random_operations_produce_exactly_their_events_once_each(runner: Runner) -> None:
    queue_url = capture_case_events(runner)
    rng = random.Random(500)
    practitioner = runner.session("practitioner")
    expected: dict[str, Counter[str]] = {}
    for index in range(CASES):
        crn = create_case(runner, lastName=f"Outbox{chr(65 + index)}")["crn"]
        expected[crn] = Counter({CREATED: 1})
    for number in range(OPERATIONS - CASES):
        crn = rng.choice(list(expected))
        base = f"{runner.base_url}/cases/{crn}"
        kind = rng.choices([CONTACTED, UPDATED, SENTENCED], weights=[6, 3, 1])[0]
        if kind == CONTACTED:
            response = practitioner.post(
                f"{base}/contacts", json=CONTACT, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=10
            )
            assert response.status_code == 201, response.text
        elif kind == UPDATED:
            etag = practitioner.get(base, timeout=10).headers["ETag"]
            change: dict[str, Any] = {
                "firstName": f"Name{chr(65 + number % 26)}{chr(97 + number // 26 % 26)}"
            }
            response = practitioner.patch(base, json=change, headers={"If-Match": etag}, timeout=10)
            assert response.status_code == 200, response.text
        else:
            record_conviction(practitioner, base, "10501")
        expected[crn][kind] += 1
    assert sum(sum(counts.values()) for counts in expected.values()) == OPERATIONS

    sqs = runner.client("sqs")
    received: dict[str, dict[str, Any]] = {}  # by event id: a redelivery counts once

    def all_arrived() -> bool | None:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            detail = json.loads(message["Body"])["detail"]
            received[detail["eventId"]] = detail
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        ours = [d for d in received.values() if d["personReference"]["identifiers"][0]["value"] in expected]
        return len(ours) >= OPERATIONS or None

    eventually(all_arrived, "every operation's event on the bus", seconds=180)
    by_case: dict[str, Counter[str]] = {crn: Counter() for crn in expected}
    for detail in received.values():
        crn = detail["personReference"]["identifiers"][0]["value"]
        if crn in by_case:
            by_case[crn][detail["eventType"]] += 1
    assert by_case == expected, "exactly the events of the operations, each once after de-duplication"
    for crn in expected:
        on_bus = {
            d["eventId"] for d in received.values() if d["personReference"]["identifiers"][0]["value"] == crn
        }
        assert on_bus == set(outbox_event_ids(runner, crn)), f"the bus carried exactly {crn}'s outbox"

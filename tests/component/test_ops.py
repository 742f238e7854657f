"""The operator tools on moto: a case's history, replaying the outbox, and redriving each kind of DLQ."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from infrastructure.local.resources import create_queues
from infrastructure.local.stack import free_port
from infrastructure.template import Template
from probation.ops.cli import main
from tests.component.conftest import Caller, new_case, table_items

CONVICTION = {
    "convictionDate": "2025-10-01",
    "court": "Thames Magistrates' Court",
    "offences": [{"offenceCode": "10501", "offenceDate": "2025-08-01", "main": True}],
    "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-10-01", "lengthMonths": 12},
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(["--stage", "test", *argv])
    return code, capsys.readouterr().out


def bus_events(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs")
    events = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            events.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return events


def outbox_ids(template: Template, crn: str) -> list[str]:
    return [item["detail"]["eventId"] for item in table_items(template, f"EVENTS#{crn}")]


@pytest.fixture
def two_cases(api: Caller, team: str) -> list[str]:
    crns = [api("POST", "/cases", new_case(lastName=name)).body["crn"] for name in ("Ames", "Bell")]
    assert api("POST", f"/cases/{crns[0]}/convictions", CONVICTION).status == 201
    return crns


def test_history_lists_a_cases_events_oldest_first(
    two_cases: list[str], template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "history", two_cases[0], "--json")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["eventType"] for line in lines] == [
        "probation-case.engagement.created",
        "probation-case.sentence.created",
    ]
    assert [line["eventId"] for line in lines] == outbox_ids(template, two_cases[0])
    assert run(capsys, "history", "X000000")[0] == 1


def test_replay_puts_the_outbox_of_a_time_range_back_on_the_bus(
    two_cases: list[str], template: Template, bus_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    now = datetime.now(UTC)
    window = [
        "--from",
        (now - timedelta(minutes=5)).isoformat(),
        "--to",
        (now + timedelta(minutes=5)).isoformat(),
    ]
    code, out = run(capsys, "replay", *window, "--crn", two_cases[0])
    assert (code, out.strip()) == (0, "replayed 2 events onto probation-test")
    assert [e["detail"]["eventId"] for e in bus_events(bus_queue)] == outbox_ids(template, two_cases[0])

    assert run(capsys, "replay", *window)[0] == 0
    replayed = {e["detail"]["eventId"] for e in bus_events(bus_queue)}
    assert replayed == {*outbox_ids(template, two_cases[0]), *outbox_ids(template, two_cases[1])}

    earlier = ["--from", "2020-01-01T00:00:00", "--to", "2020-01-02T00:00:00"]
    assert run(capsys, "replay", *earlier)[1].strip() == "replayed 0 events onto probation-test"
    assert bus_events(bus_queue) == []


def test_redrive_returns_webhook_deliveries_to_their_queue(
    template: Template, capsys: pytest.CaptureFixture[str]
) -> None:
    queues = create_queues(template, boto3.client("sqs"))
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=queues["WebhookDeadLetterQueue"], MessageBody='{"sequence": 7}')
    code, out = run(capsys, "redrive", "probation-webhooks-dlq-test")
    assert code == 0
    assert "1 redriven" in out
    back = sqs.receive_message(QueueUrl=queues["WebhookQueue"]).get("Messages", [])
    assert [m["Body"] for m in back] == ['{"sequence": 7}']
    assert "Messages" not in sqs.receive_message(QueueUrl=queues["WebhookDeadLetterQueue"])


def test_redrive_puts_a_rule_dlqs_events_back_on_the_bus_and_replays_failed_stream_batches(
    two_cases: list[str], template: Template, bus_queue: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sqs = boto3.client("sqs")
    dead = sqs.create_queue(QueueName="rule-dlq")["QueueUrl"]
    event = {
        "source": "probation.cases",
        "detail-type": "probation-case.contact.created",
        "detail": {"eventId": "e-1"},
    }
    sqs.send_message(QueueUrl=dead, MessageBody=json.dumps(event))
    failed_by_function = {
        "requestContext": {"condition": "RetriesExhausted"},
        "requestPayload": {**event, "detail": {"eventId": "e-2"}},
    }
    sqs.send_message(QueueUrl=dead, MessageBody=json.dumps(failed_by_function))
    now = datetime.now(UTC).isoformat()
    batch = {
        "DDBStreamBatchInfo": {"approximateArrivalOfFirstRecord": now, "approximateArrivalOfLastRecord": now}
    }
    sqs.send_message(QueueUrl=dead, MessageBody=json.dumps(batch))
    sqs.send_message(QueueUrl=dead, MessageBody="something else")

    code, out = run(capsys, "redrive", "rule-dlq")
    assert code == 1, "a message it does not understand is left for a person"
    assert "2 redriven, 3 outbox events replayed, 1 not understood" in out
    ids = [e["detail"]["eventId"] for e in bus_events(bus_queue)]
    assert sorted(ids) == sorted(
        ["e-1", "e-2", *outbox_ids(template, two_cases[0]), *outbox_ids(template, two_cases[1])]
    )


def test_smoke_finds_a_stages_urls_in_its_stacks_outputs(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Here the API named by the stack answers nothing, so the check stops at its first step, naming it."""
    nowhere = f"http://127.0.0.1:{free_port()}/prod"
    outputs = {
        "ApiUrl": {"Value": nowhere},
        "PartnerTokenUrl": {"Value": "https://partners.example/oauth2/token"},
    }
    boto3.client("cloudformation", endpoint_url=moto_endpoint).create_stack(
        StackName="probation-prod",
        TemplateBody=json.dumps({"Resources": {"Topic": {"Type": "AWS::SNS::Topic"}}, "Outputs": outputs}),
    )
    monkeypatch.setenv("PROBATION_SMOKE_CLIENT_SECRET", "s")
    code = main(["--endpoint-url", moto_endpoint, "smoke", "--stack", "probation-prod", "--client-id", "c"])
    assert code == 1
    assert capsys.readouterr().err.startswith(
        f"smoke check FAILED at health: GET {nowhere}/health got no answer"
    )


def test_smoke_says_what_it_was_not_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("PROBATION_SMOKE_CLIENT_SECRET", raising=False)
    code = main(["smoke", "--base-url", "https://api.example", "--client-id", "c"])
    assert code == 2
    assert capsys.readouterr().err == (
        "smoke check not run: --token-url (or --stack), PROBATION_SMOKE_CLIENT_SECRET not given\n"
    )

"""One correlation id follows a request across functions: the API answers with it, every event it causes
carries it (through consumers that emit events of their own), and so do the audit and the consumers' logs."""

import json
import uuid
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runner
from tests.e2e.test_local_stack import conviction, create_case, eventually, record_common_assault_in_2012

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def outbox_events(runner: Runner, crn: str) -> list[dict[str, Any]]:
    """Every event about the case that any function put in the outbox: source, type and correlation id."""
    items = runner.client("dynamodb").query(
        TableName="probation-cases-local",
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": f"EVENTS#{crn}"}},
    )["Items"]
    return [
        {
            "source": item["source"]["S"],
            "eventType": item["detail"]["M"]["eventType"]["S"],
            "correlationId": item["detail"]["M"].get("correlationId", {}).get("S"),
        }
        for item in items
    ]


def logged_with(runner: Runner, correlation_id: str) -> dict[str, list[str]]:
    """The runner's structured log lines carrying ``correlation_id``, messages grouped by service."""
    by_service: dict[str, list[str]] = {}
    for line in runner.output.read_text().splitlines():
        if correlation_id not in line or not line.startswith("{"):
            continue
        record = json.loads(line)
        if record.get("correlation_id") == correlation_id:
            by_service.setdefault(record["service"], []).append(record["message"])
    return by_service


def test_one_correlation_id_follows_a_conviction_through_every_consumer(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    practitioner = runner.session("practitioner")
    base = f"{runner.base_url}/cases/{crn}"
    record_common_assault_in_2012(practitioner, base)
    correlation_id = f"e2e-{uuid.uuid4()}"

    response = practitioner.post(
        f"{base}/convictions",
        json=conviction("04600"),
        headers={"X-Correlation-Id": correlation_id},
        timeout=10,
    )

    assert response.status_code == 201, response.text
    assert response.headers["X-Correlation-Id"] == correlation_id

    def consequences() -> list[dict[str, Any]] | None:
        caused = [event for event in outbox_events(runner, crn) if event["correlationId"] == correlation_id]
        sources = {event["source"] for event in caused}
        return caused if {"probation.cases", "probation.risk", "probation.allocation"} <= sources else None

    caused = eventually(consequences, "the conviction's events from cases, risk scoring and allocation")
    assert "probation-case.sentence.created" in {event["eventType"] for event in caused}

    audit = runner.session("manager").get(f"{base}/audit", timeout=10).json()["items"]
    actors = {entry["actor"] for entry in audit if entry["correlationId"] == correlation_id}
    assert {"jsmith", "system:risk", "system:allocation"} <= actors

    def consumer_logs() -> dict[str, list[str]] | None:
        found = logged_with(runner, correlation_id)
        return found if {"risk", "allocation"} <= set(found) else None

    logs = eventually(consumer_logs, "the consumers' log lines")
    assert "case rescored" in logs["risk"]
    assert "case tiered" in logs["allocation"]


def test_without_a_correlation_header_the_api_request_id_is_the_correlation_id(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    response = runner.session("practitioner").post(
        f"{runner.base_url}/cases/{crn}/convictions", json=conviction("04600"), timeout=10
    )

    assert response.status_code == 201, response.text
    request_id = response.headers["X-Correlation-Id"]
    assert request_id
    eventually(
        lambda: any(event["correlationId"] == request_id for event in outbox_events(runner, crn)) or None,
        "the conviction's events carrying the request id",
    )


def test_a_refused_request_still_answers_with_its_correlation_id(runner: Runner) -> None:
    response = requests.post(
        f"{runner.base_url}/cases",
        json={"firstName": ""},
        headers={
            "Authorization": f"Bearer {runner.token('practitioner')}",
            "X-Correlation-Id": "refused-request",
        },
        timeout=10,
    )

    assert response.status_code == 422
    assert response.headers["X-Correlation-Id"] == "refused-request"

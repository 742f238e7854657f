"""The local runner's stand-in for EventBridge rules with function targets: SQS, retries, dead letters."""

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests

from infrastructure.local.alarms import QueueDepthAlarmPoller, create_alarms
from infrastructure.local.lambdas import LocalFunction
from infrastructure.local.pollers import RulePoller
from infrastructure.local.resources import create_buses, create_rule_deliveries
from infrastructure.template import Template
from tests.component.fixtures import recordings as recording_consumer

RULE_TEMPLATE: dict[str, Any] = {
    "Resources": {
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "delivery-test"}},
        "Consumer": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "tests/component/fixtures/",
                "Handler": "recording_consumer.handler",
                "Events": {
                    "CaseEvents": {
                        "Type": "EventBridgeRule",
                        "Properties": {
                            "EventBusName": {"Ref": "Bus"},
                            "Pattern": {"source": ["probation.cases"]},
                            "RetryPolicy": {"MaximumRetryAttempts": 2},
                            "DeadLetterConfig": {"Type": "SQS"},
                        },
                    }
                },
            },
        },
        "ConsumerDeadLetterAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": "consumer-dead-lettered",
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [
                    {"Name": "QueueName", "Value": {"Fn::GetAtt": ["ConsumerCaseEventsQueue", "QueueName"]}}
                ],
                "Statistic": "Maximum",
                "Period": 60,
                "EvaluationPeriods": 1,
                "Threshold": 1,
                "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            },
        },
    }
}


@pytest.fixture
def delivery(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, str | None]]:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    template = Template(parameters={}, raw=RULE_TEMPLATE)
    events, sqs = boto3.client("events"), boto3.client("sqs")
    create_buses(template, events)
    [rule] = create_rule_deliveries(template, events, sqs)
    poller = RulePoller(
        name="rule:test", sqs=sqs, delivery=rule, target=LocalFunction(template.functions()[0])
    )
    cloudwatch = boto3.client("cloudwatch")
    alarms = QueueDepthAlarmPoller(
        name="alarms", sqs=sqs, cloudwatch=cloudwatch, alarms=create_alarms(template, cloudwatch)
    )
    recording_consumer.attempts.clear()
    recording_consumer.applied.clear()
    poller.start()
    alarms.start()
    yield events, rule.dead_letter_queue_url
    alarms.stop()
    poller.stop()


def put(events: Any, event_id: str, fail_first: int) -> None:
    detail = {"eventId": event_id, "failFirst": fail_first}
    events.put_events(
        Entries=[
            {
                "EventBusName": "delivery-test",
                "Source": "probation.cases",
                "DetailType": "probation-case.contact.created",
                "Detail": json.dumps(detail),
            }
        ]
    )


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def alarm_state(name: str) -> str:
    [alarm] = boto3.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"]
    return str(alarm["StateValue"])


def test_an_event_reaches_the_function_once(delivery: tuple[Any, str | None]) -> None:
    events, _ = delivery
    put(events, "e-1", fail_first=0)
    wait_for(lambda: recording_consumer.applied == ["e-1"])
    assert recording_consumer.attempts["e-1"] == 1


def test_a_failing_delivery_is_retried_until_it_succeeds(delivery: tuple[Any, str | None]) -> None:
    events, _ = delivery
    put(events, "e-2", fail_first=2)
    wait_for(lambda: recording_consumer.applied == ["e-2"])
    assert recording_consumer.attempts["e-2"] == 3


def test_a_poison_event_ends_in_the_dead_letter_queue_and_raises_its_alarm(
    delivery: tuple[Any, str | None],
) -> None:
    events, dead_letter_queue_url = delivery
    assert dead_letter_queue_url is not None
    put(events, "e-3", fail_first=99)
    sqs = boto3.client("sqs")
    messages: list[dict[str, Any]] = []

    def dead_lettered() -> bool:
        messages.extend(sqs.receive_message(QueueUrl=dead_letter_queue_url).get("Messages", []))
        return bool(messages)

    wait_for(lambda: alarm_state("consumer-dead-lettered") == "ALARM")
    wait_for(dead_lettered)
    assert json.loads(messages[0]["Body"])["detail"]["eventId"] == "e-3"
    assert recording_consumer.attempts["e-3"] == 3
    assert recording_consumer.applied == []

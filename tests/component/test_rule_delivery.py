"""The local runner's stand-in for EventBridge rules with function targets: SQS, retries, dead letters."""

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import boto3
import pytest
import requests

from infrastructure.local import moto_patches
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


class Delivery(NamedTuple):
    events: Any
    dead_letter_queue_url: str | None
    poller: RulePoller


@pytest.fixture(params=["through the SQS API", "in the stand-in's memory"])
def delivery(
    request: pytest.FixtureRequest, moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Delivery]:
    """The rule's queue read as a test client reads it, and as the local runner's pollers read it."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    template = Template(parameters={}, raw=RULE_TEMPLATE)
    events, sqs = boto3.client("events"), boto3.client("sqs")
    queues = sqs if request.param == "through the SQS API" else moto_patches.LocalQueues()
    create_buses(template, events)
    [rule] = create_rule_deliveries(template, events, sqs)
    poller = RulePoller(
        name="rule:test", sqs=queues, delivery=rule, target=LocalFunction(template.functions()[0])
    )
    cloudwatch = boto3.client("cloudwatch")
    alarms = QueueDepthAlarmPoller(
        name="alarms", sqs=queues, cloudwatch=cloudwatch, alarms=create_alarms(template, cloudwatch)
    )
    recording_consumer.attempts.clear()
    recording_consumer.applied.clear()
    poller.start()
    alarms.start()
    yield Delivery(events, rule.dead_letter_queue_url, poller)
    alarms.stop()
    poller.stop()


def put(events: Any, event_id: str, fail_first: int, crn: str | None = None) -> None:
    detail: dict[str, Any] = {"eventId": event_id, "failFirst": fail_first}
    if crn is not None:
        detail["personReference"] = {"identifiers": [{"type": "CRN", "value": crn}]}
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


def test_an_event_reaches_the_function_once(delivery: Delivery) -> None:
    events = delivery.events
    put(events, "e-1", fail_first=0)
    wait_for(lambda: recording_consumer.applied == ["e-1"])
    assert recording_consumer.attempts["e-1"] == 1


def test_a_failing_delivery_is_retried_until_it_succeeds(delivery: Delivery) -> None:
    events = delivery.events
    put(events, "e-2", fail_first=2)
    wait_for(lambda: recording_consumer.applied == ["e-2"])
    assert recording_consumer.attempts["e-2"] == 3


def test_a_poison_event_ends_in_the_dead_letter_queue_and_raises_its_alarm(
    delivery: Delivery,
) -> None:
    events, dead_letter_queue_url = delivery.events, delivery.dead_letter_queue_url
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


def test_settled_only_once_every_event_is_applied(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the runner's readiness waits on: a message waiting for its retry is not settled."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    template = Template(parameters={}, raw=RULE_TEMPLATE)
    events = boto3.client("events")
    create_buses(template, events)
    [rule] = create_rule_deliveries(template, events, boto3.client("sqs"))
    poller = RulePoller(
        name="rule:test",
        sqs=moto_patches.LocalQueues(),
        delivery=rule,
        target=LocalFunction(template.functions()[0]),
    )
    recording_consumer.attempts.clear()
    recording_consumer.applied.clear()
    assert poller.settled()
    put(events, "e-4", fail_first=1)
    assert not poller.settled()
    poller.start()
    try:
        wait_for(lambda: recording_consumer.attempts["e-4"] == 1)
        assert not poller.settled()  # failed once: back on the queue after its retry delay
        wait_for(poller.settled)
        assert recording_consumer.applied == ["e-4"]
        assert poller.deliveries == 1
    finally:
        poller.stop()


class Timed:
    """A target that takes a while and notes when each event's delivery began and ended."""

    spec: Any = None

    def __init__(self) -> None:
        self.spans: list[tuple[str, str, float, float]] = []
        self._lock = threading.Lock()

    def invoke(self, event: dict[str, Any]) -> None:
        began = time.monotonic()
        time.sleep(0.2)
        crn = event["detail"]["personReference"]["identifiers"][0]["value"]
        with self._lock:
            self.spans.append((crn, event["detail"]["eventId"], began, time.monotonic()))


def test_events_about_one_person_arrive_in_order_and_other_people_s_alongside(
    moto_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    template = Template(parameters={}, raw=RULE_TEMPLATE)
    events = boto3.client("events")
    create_buses(template, events)
    [rule] = create_rule_deliveries(template, events, boto3.client("sqs"))
    target = Timed()
    poller = RulePoller(name="rule:test", sqs=moto_patches.LocalQueues(), delivery=rule, target=target)
    for n in range(3):
        for crn in ("A000001", "B000002"):
            put(events, f"{crn}-{n}", fail_first=0, crn=crn)
    poller.start()
    try:
        wait_for(lambda: len(target.spans) == 6)
    finally:
        poller.stop()
    for crn in ("A000001", "B000002"):
        mine = [span for span in target.spans if span[0] == crn]
        assert [event_id for _, event_id, _, _ in mine] == [f"{crn}-{n}" for n in range(3)]
        assert all(earlier[3] <= later[2] for earlier, later in itertools.pairwise(mine))
    first = {crn: next(span for span in target.spans if span[0] == crn) for crn in ("A000001", "B000002")}
    # Two people's first events were delivered side by side: each began before the other ended.
    assert first["A000001"][2] < first["B000002"][3]
    assert first["B000002"][2] < first["A000001"][3]

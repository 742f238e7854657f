"""Partner subscriptions and webhook delivery on moto: signed pushes to a receiver on loopback, retried with
backoff and dead-lettered, each partner seeing only its own subscriptions and deliveries."""

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import TypeSerializer

import functions.partners.app as partners_app
import functions.webhooks.app as webhooks_app
from infrastructure.local.lambdas import LocalContext
from infrastructure.local.resources import create_queues
from infrastructure.template import Template
from tests.component.conftest import Caller, as_partner, bus_event, table_items
from tests.webhook_receiver import WebhookReceiver, running

SECRET = "s3cret-" + "x" * 40
EVENTS = ("events.read",)
MAX_ATTEMPTS = 3


@pytest.fixture
def queues(template: Template, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The webhook queues, and the webhooks function's settings with three attempts a second apart."""
    template.parameters |= {"WebhookMaxAttempts": str(MAX_ATTEMPTS), "WebhookRetryBaseSeconds": "1"}
    urls = create_queues(template, boto3.client("sqs"))
    webhooks = next(f for f in template.functions() if f.logical_id == "WebhooksFunction")
    for name, value in webhooks.environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ALLOW_LOOPBACK_WEBHOOKS", "true")
    partners_app._service = None  # built again with the loopback receivers allowed
    return urls


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running(WebhookReceiver(SECRET)) as started:
        yield started


def subscribe(partner: Caller, url: str, event_types: list[str] | None = None) -> dict[str, Any]:
    body = {"url": url, "eventTypes": event_types or ["*"], "secret": SECRET}
    response = partner("POST", "/partner/v1/subscriptions", body)
    assert response.status == 201, response.body
    created: dict[str, Any] = response.body
    return created


def feed_event(crn: str, event_type: str, event_id: str) -> None:
    """The bus delivering a case event to the partner gateway, which appends it to the partner's feed."""
    partners_app.lambda_handler(bus_event(crn, event_type, event_id), LocalContext("PartnersFunction"))


def stream_new_deliveries(template: Template, partner_id: str, subscription_id: str) -> dict[str, Any]:
    """The table stream's records of the subscription's delivery items, as Lambda passes them."""
    serializer = TypeSerializer()
    items = table_items(template, f"WEBHOOK#{partner_id}#{subscription_id}")
    records = [
        {
            "eventID": str(index),
            "eventName": "INSERT",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "NewImage": {name: serializer.serialize(value) for name, value in item.items()},
                "SequenceNumber": str(index),
            },
        }
        for index, item in enumerate(items)
    ]
    return {"Records": records}


def poll_once(queue_url: str) -> dict[str, Any]:
    """One poll of the webhook queue by the function, as Lambda's SQS event source makes it."""
    sqs = boto3.client("sqs")
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]).get(
        "Messages", []
    )
    if not messages:
        return {"received": 0, "batchItemFailures": []}  # Lambda invokes only with messages
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
            "messageAttributes": {},
            "md5OfBody": m["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-west-2:123456789012:probation-webhooks-test",
            "awsRegion": "eu-west-2",
        }
        for m in messages
    ]
    result: dict[str, Any] = webhooks_app.lambda_handler(
        {"Records": records}, LocalContext("WebhooksFunction")
    )
    for m in messages:
        if m["MessageId"] not in {f["itemIdentifier"] for f in result["batchItemFailures"]}:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return {"received": len(messages), **result}


def deliveries(partner: Caller, subscription_id: str) -> list[dict[str, Any]]:
    response = partner("GET", f"/partner/v1/subscriptions/{subscription_id}/deliveries")
    assert response.status == 200, response.body
    items: list[dict[str, Any]] = response.body["items"]
    return items


def test_a_subscription_is_the_partners_own_and_never_shows_its_secret(
    partners_api: Caller, allocated_to_crc1: str, queues: dict[str, str]
) -> None:
    crc1, crc2 = as_partner(partners_api, "CRC1", EVENTS), as_partner(partners_api, "CRC2", EVENTS)
    created = subscribe(crc1, "https://crc1.example/hooks", ["probation-case.contact.created"])
    assert "secret" not in created
    subscription_id = created["subscriptionId"]
    assert created["eventTypes"] == ["probation-case.contact.created"]

    assert [s["subscriptionId"] for s in crc1("GET", "/partner/v1/subscriptions").body["items"]] == [
        subscription_id
    ]
    assert crc2("GET", "/partner/v1/subscriptions").body["items"] == []
    for method, path in (
        ("GET", f"/partner/v1/subscriptions/{subscription_id}"),
        ("GET", f"/partner/v1/subscriptions/{subscription_id}/deliveries"),
        ("DELETE", f"/partner/v1/subscriptions/{subscription_id}"),
    ):
        assert crc2(method, path).status == 404, (method, path)
    assert crc1("GET", f"/partner/v1/subscriptions/{subscription_id}").body == created

    assert crc1("DELETE", f"/partner/v1/subscriptions/{subscription_id}").status == 204
    assert crc1("GET", f"/partner/v1/subscriptions/{subscription_id}").status == 404
    assert crc1("DELETE", f"/partner/v1/subscriptions/{subscription_id}").status == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://crc.example/hooks"}, "url"),
        ({"url": "https://user:pw@crc.example/hooks"}, "url"),
        ({"url": "http://crc.example/hooks"}, "url"),
        ({"secret": "too-short"}, "secret"),
        ({"eventTypes": []}, "eventTypes"),
        ({"eventTypes": ["case.updated"]}, "eventTypes[0]"),
        ({"eventTypes": ["*", "*"]}, "eventTypes"),
    ],
)
def test_a_bad_subscription_names_its_field_and_is_not_kept(
    partners_api: Caller, allocated_to_crc1: str, queues: dict[str, str], body: dict[str, Any], field: str
) -> None:
    crc1 = as_partner(partners_api, "CRC1", EVENTS)
    valid = {"url": "https://crc1.example/hooks", "eventTypes": ["*"], "secret": SECRET}
    response = crc1("POST", "/partner/v1/subscriptions", {**valid, **body})
    assert response.status == 422, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    assert any(f == field or f.startswith(f"{field}") for f in response.field_errors), response.body
    assert crc1("GET", "/partner/v1/subscriptions").body["items"] == []


def test_subscriptions_need_the_events_scope(partners_api: Caller, allocated_to_crc1: str) -> None:
    crc1 = as_partner(partners_api, "CRC1", ("cases.read",))
    body = {"url": "https://crc1.example/hooks", "eventTypes": ["*"], "secret": SECRET}
    assert crc1("POST", "/partner/v1/subscriptions", body).status == 403


def test_a_feed_event_is_pushed_signed_to_the_subscribed_webhook_once(
    partners_api: Caller,
    allocated_to_crc1: str,
    queues: dict[str, str],
    receiver: WebhookReceiver,
    template: Template,
) -> None:
    crn = allocated_to_crc1
    crc1 = as_partner(partners_api, "CRC1", EVENTS)
    wanted = subscribe(crc1, receiver.url, ["probation-case.contact.created"])["subscriptionId"]
    unwanted = subscribe(crc1, receiver.url, ["probation-case.sentence.created"])["subscriptionId"]
    feed_event(crn, "probation-case.contact.created", "contact-1")
    feed_event(crn, "probation-case.contact.created", "contact-1")  # the bus delivering it again

    assert table_items(template, f"WEBHOOK#CRC1#{unwanted}") == []
    webhooks_app.lambda_handler(stream_new_deliveries(template, "CRC1", wanted), LocalContext("Webhooks"))
    assert poll_once(queues["WebhookQueue"]) == {"received": 1, "batchItemFailures": []}

    [request] = receiver.received
    assert request.signature_valid
    assert request.headers["Probation-Event-Type"] == "probation-case.contact.created"
    assert request.json["event"]["eventId"] == "contact-1"
    feed = crc1("GET", "/partner/v1/events").body["items"]
    assert request.json["sequence"] == next(
        e["sequence"] for e in feed if e["event"]["eventId"] == "contact-1"
    )
    [delivery] = deliveries(crc1, wanted)
    assert delivery["status"] == "DELIVERED"
    assert delivery["deliveryId"] == request.headers["Probation-Delivery-Id"] == request.json["deliveryId"]
    assert [(a["attempt"], a["statusCode"]) for a in delivery["attempts"]] == [(1, 204)]


def test_a_failing_webhook_is_retried_with_backoff_then_dead_lettered(
    partners_api: Caller,
    allocated_to_crc1: str,
    queues: dict[str, str],
    receiver: WebhookReceiver,
    template: Template,
) -> None:
    receiver.always_fail = True
    crc1 = as_partner(partners_api, "CRC1", EVENTS)
    subscription_id = subscribe(crc1, receiver.url)["subscriptionId"]
    feed_event(allocated_to_crc1, "probation-case.contact.created", "contact-1")
    webhooks_app.lambda_handler(stream_new_deliveries(template, "CRC1", subscription_id), LocalContext("W"))

    sqs = boto3.client("sqs")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        polled = poll_once(queues["WebhookQueue"])
        assert polled["received"] == 1
        assert len(polled["batchItemFailures"]) == 1
        if attempt < MAX_ATTEMPTS:
            # Hidden for the backoff, which doubles: an immediate poll finds nothing.
            [delivery] = deliveries(crc1, subscription_id)
            last = delivery["attempts"][-1]
            waited = datetime.fromisoformat(delivery["nextAttemptAt"]) - datetime.fromisoformat(last["at"])
            assert waited == timedelta(seconds=2 ** (attempt - 1))
            assert "Messages" not in sqs.receive_message(QueueUrl=queues["WebhookQueue"])
            wait_until_visible(queues["WebhookQueue"])
    [delivery] = deliveries(crc1, subscription_id)
    assert delivery["status"] == "DEAD_LETTERED"
    assert delivery["nextAttemptAt"] is None
    assert [a["statusCode"] for a in delivery["attempts"]] == [503] * MAX_ATTEMPTS
    assert len(receiver.received) == MAX_ATTEMPTS
    assert all(r.signature_valid for r in receiver.received)

    # The next poll finds it past the queue's maxReceiveCount: SQS moves it to the dead-letter queue.
    assert poll_once(queues["WebhookQueue"])["received"] == 0
    dead = sqs.receive_message(QueueUrl=queues["WebhookDeadLetterQueue"]).get("Messages", [])
    assert [m["Body"] for m in dead] == [
        f'{{"partnerId": "CRC1", "subscriptionId": "{subscription_id}", "sequence": {delivery["sequence"]}}}'
    ]


def wait_until_visible(queue_url: str, seconds: float = 10) -> None:
    """Waits out a backoff: until the queue shows the message visible again."""
    sqs = boto3.client("sqs")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
        if int(attributes["Attributes"]["ApproximateNumberOfMessages"]):
            return
        time.sleep(0.2)


def test_a_deleted_subscription_cancels_what_it_had_not_delivered(
    partners_api: Caller,
    allocated_to_crc1: str,
    queues: dict[str, str],
    receiver: WebhookReceiver,
    template: Template,
) -> None:
    crc1 = as_partner(partners_api, "CRC1", EVENTS)
    subscription_id = subscribe(crc1, receiver.url)["subscriptionId"]
    feed_event(allocated_to_crc1, "probation-case.contact.created", "contact-1")
    stream = stream_new_deliveries(template, "CRC1", subscription_id)
    assert crc1("DELETE", f"/partner/v1/subscriptions/{subscription_id}").status == 204
    webhooks_app.lambda_handler(stream, LocalContext("Webhooks"))
    assert poll_once(queues["WebhookQueue"]) == {"received": 1, "batchItemFailures": []}
    assert receiver.received == []
    [item] = table_items(template, f"WEBHOOK#CRC1#{subscription_id}")
    assert item["status"] == "CANCELLED"

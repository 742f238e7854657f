"""Webhook delivery rules: the signature partners verify, the backoff, and each attempt's outcome."""

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from probation.domain.events import DomainEvent, PersonReference
from probation.domain.partners.models import Delivery, DeliveryStatus, SubscriptionWithSecret
from probation.domain.partners.webhooks import (
    Outcome,
    Response,
    WebhookService,
    new_delivery,
    retry_delay_seconds,
    signature,
    signature_matches,
)

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
SECRET = "k" * 40
SUBSCRIPTION = SubscriptionWithSecret(
    subscription_id="sub-1",
    partner_id="CRC1",
    url="https://crc1.example/hooks",
    event_types=["*"],
    secret=SECRET,
    created_at=NOW,
    created_by="client-1",
)
EVENT = DomainEvent(
    event_id="evt-1",
    event_type="probation-case.contact.created",
    occurred_at=NOW,
    description="A contact was recorded",
    person_reference=PersonReference.for_crn("X123456"),
)


@dataclass
class FixedClock:
    at: datetime = NOW

    def now(self) -> datetime:
        return self.at


@dataclass
class FakeRepository:
    delivery: Delivery
    subscription: SubscriptionWithSecret | None = SUBSCRIPTION
    recorded: list[Delivery] = field(default_factory=list)

    def delivery_target(
        self, partner_id: str, subscription_id: str, sequence: int
    ) -> tuple[Delivery, DomainEvent, SubscriptionWithSecret | None] | None:
        if (partner_id, subscription_id, sequence) != ("CRC1", "sub-1", self.delivery.sequence):
            return None
        return self.delivery, EVENT, self.subscription

    def record_attempt(self, delivery: Delivery, updated: Delivery) -> None:
        assert delivery == self.delivery, "recorded over what was read"
        self.delivery = updated
        self.recorded.append(updated)


@dataclass
class FakeSender:
    answers: list[int | None]
    posted: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        self.posted.append((url, body, headers))
        status = self.answers.pop(0)
        return Response(status, None if status else "connection refused", 12)


def service(repository: FakeRepository, sender: FakeSender, max_attempts: int = 3) -> WebhookService:
    return WebhookService(repository, sender, FixedClock(), max_attempts=max_attempts, retry_base_seconds=30)


def pending() -> Delivery:
    return new_delivery(SUBSCRIPTION, "del-1", 7, EVENT, NOW)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body_keyed_with_the_secret() -> None:
    body = b'{"deliveryId":"del-1"}'
    expected = hmac.new(SECRET.encode(), b"1772366400." + body, hashlib.sha256).hexdigest()
    assert signature(SECRET, 1772366400, body) == f"v1={expected}"
    assert signature_matches(SECRET, 1772366400, body, f"v1={expected}")
    assert not signature_matches(SECRET, 1772366401, body, f"v1={expected}")
    assert not signature_matches(SECRET, 1772366400, body + b" ", f"v1={expected}")
    assert not signature_matches("another secret " * 3, 1772366400, body, f"v1={expected}")


def test_the_backoff_doubles_from_the_base_and_stops_at_fifteen_minutes() -> None:
    assert [retry_delay_seconds(n, 30) for n in range(1, 8)] == [30, 60, 120, 240, 480, 900, 900]


def test_an_acknowledged_delivery_is_signed_posted_once_and_recorded_delivered() -> None:
    repository, sender = FakeRepository(pending()), FakeSender([202])
    result = service(repository, sender).attempt("CRC1", "sub-1", 7)
    assert result.outcome is Outcome.DELIVERED
    [(url, body, headers)] = sender.posted
    assert url == SUBSCRIPTION.url
    timestamp = int(headers["Probation-Timestamp"])
    assert timestamp == int(NOW.timestamp())
    assert signature_matches(SECRET, timestamp, body, headers["Probation-Signature"])
    assert headers["Probation-Delivery-Id"] == "del-1"
    assert headers["Probation-Event-Type"] == EVENT.event_type
    posted = json.loads(body)
    assert posted["sequence"] == 7
    assert posted["event"]["eventId"] == "evt-1"
    assert repository.delivery.status is DeliveryStatus.DELIVERED
    assert [(a.attempt, a.status_code) for a in repository.delivery.attempts] == [(1, 202)]


@pytest.mark.parametrize("answer", [500, 503, 301, 404, None])
def test_a_failed_attempt_is_retried_after_the_backoff(answer: int | None) -> None:
    repository = FakeRepository(pending())
    result = service(repository, FakeSender([answer])).attempt("CRC1", "sub-1", 7)
    assert result.outcome is Outcome.RETRY
    assert result.retry_in_seconds == 30
    assert repository.delivery.status is DeliveryStatus.PENDING
    assert repository.delivery.next_attempt_at == NOW + timedelta(seconds=30)
    assert repository.delivery.attempts[0].status_code == answer


def test_the_last_failed_attempt_dead_letters_the_delivery() -> None:
    repository = FakeRepository(pending())
    outcomes = [
        service(repository, FakeSender([500])).attempt("CRC1", "sub-1", 7, receive_count=n).outcome
        for n in (1, 2, 3)
    ]
    assert outcomes == [Outcome.RETRY, Outcome.RETRY, Outcome.DEAD_LETTERED]
    assert repository.delivery.status is DeliveryStatus.DEAD_LETTERED
    assert repository.delivery.next_attempt_at is None
    assert service(repository, FakeSender([])).attempt("CRC1", "sub-1", 7).outcome is Outcome.SETTLED


def test_attempts_cut_short_before_they_were_recorded_still_count_towards_the_last() -> None:
    repository = FakeRepository(pending())
    result = service(repository, FakeSender([500])).attempt("CRC1", "sub-1", 7, receive_count=3)
    assert result.outcome is Outcome.DEAD_LETTERED


def test_a_delivery_for_a_deleted_subscription_is_cancelled_without_posting() -> None:
    repository, sender = FakeRepository(pending(), subscription=None), FakeSender([])
    assert service(repository, sender).attempt("CRC1", "sub-1", 7).outcome is Outcome.CANCELLED
    assert sender.posted == []
    assert repository.delivery.status is DeliveryStatus.CANCELLED


def test_a_redelivered_message_for_a_settled_or_unknown_delivery_does_nothing() -> None:
    delivered = pending().model_copy(update={"status": DeliveryStatus.DELIVERED})
    sender = FakeSender([])
    assert service(FakeRepository(delivered), sender).attempt("CRC1", "sub-1", 7).outcome is Outcome.SETTLED
    assert service(FakeRepository(pending()), sender).attempt("CRC2", "sub-1", 7).outcome is Outcome.SETTLED
    assert sender.posted == []

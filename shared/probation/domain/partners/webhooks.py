"""Push delivery of a partner's feed: how a delivery is signed, attempted, retried and given up."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from probation.domain.audit import Clock
from probation.domain.events import DomainEvent
from probation.domain.partners.models import Delivery, DeliveryAttempt, DeliveryStatus, SubscriptionWithSecret

DELIVERY_HEADER = "Probation-Delivery-Id"
EVENT_TYPE_HEADER = "Probation-Event-Type"
TIMESTAMP_HEADER = "Probation-Timestamp"
SIGNATURE_HEADER = "Probation-Signature"
SIGNATURE_VERSION = "v1"
WEBHOOK_CONTRACT = """\
Each event of the partner's feed whose type the subscription names is POSTed to its URL as JSON:
`{"deliveryId", "subscriptionId", "sequence", "event"}`, where `sequence` is the event's place in
`GET /partner/v1/events`. Headers:

- `Probation-Delivery-Id`, `Probation-Event-Type`;
- `Probation-Timestamp`: Unix seconds when this attempt was signed;
- `Probation-Signature`: `v1=` and the hex HMAC-SHA256, keyed with the subscription's secret, of the
  timestamp, a full stop and the raw request body (`<timestamp>.<body>`).

Verify the signature in constant time and refuse timestamps more than five minutes old. Answer any
2xx within 5 seconds to acknowledge. Anything else is retried with exponential backoff; after the last
attempt the delivery is dead-lettered and shows as `DEAD_LETTERED` in the subscription's deliveries.
Delivery is at least once and may be out of order: deduplicate on `deliveryId` and order by `sequence`,
or catch up from the feed.
"""
MAX_RETRY_DELAY_SECONDS = 900
"""Backoff stops doubling at 15 minutes (SQS allows up to 12 hours of visibility)."""


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Probation-Signature`` header value for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def signature_matches(secret: str, timestamp: int, body: bytes, header: str) -> bool:
    """What a receiver checks (in constant time); it should also refuse timestamps older than a few
    minutes, so that a captured delivery cannot be replayed later."""
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def retry_delay_seconds(failed_attempts: int, base_seconds: int) -> int:
    """Wait after the ``failed_attempts``-th failure: base, 2 x base, 4 x base ... up to 15 minutes."""
    return int(min(base_seconds * 2 ** (failed_attempts - 1), MAX_RETRY_DELAY_SECONDS))


@dataclass(frozen=True)
class Response:
    status_code: int | None
    """None when no HTTP response came back (refused, timed out, not allowed)."""
    error: str | None
    duration_ms: int

    @property
    def acknowledged(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookSender(Protocol):
    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response: ...


class DeliveryRepository(Protocol):
    def delivery_target(
        self, partner_id: str, subscription_id: str, sequence: int
    ) -> tuple[Delivery, DomainEvent, SubscriptionWithSecret | None] | None:
        """The delivery and its event, and the subscription unless it has been deleted."""
        ...

    def record_attempt(self, delivery: Delivery, updated: Delivery) -> None:
        """Replaces ``delivery`` with ``updated`` unless another attempt was recorded meanwhile."""
        ...


class Outcome(StrEnum):
    DELIVERED = "DELIVERED"
    RETRY = "RETRY"
    DEAD_LETTERED = "DEAD_LETTERED"
    CANCELLED = "CANCELLED"
    SETTLED = "SETTLED"
    """Nothing to do: delivered, dead-lettered or cancelled before (a redelivered message)."""


@dataclass(frozen=True)
class DeliveryResult:
    outcome: Outcome
    retry_in_seconds: int = 0


@dataclass
class WebhookService:
    repository: DeliveryRepository
    sender: WebhookSender
    clock: Clock
    max_attempts: int
    retry_base_seconds: int

    def attempt(
        self, partner_id: str, subscription_id: str, sequence: int, receive_count: int = 1
    ) -> DeliveryResult:
        """Posts the delivery of feed entry ``sequence`` to the subscription, and records how it went.
        ``receive_count`` is the queue's count, which also counts attempts cut short before they were
        recorded: either count reaching ``max_attempts`` makes this the last attempt."""
        target = self.repository.delivery_target(partner_id, subscription_id, sequence)
        if target is None or target[0].status is not DeliveryStatus.PENDING:
            return DeliveryResult(Outcome.SETTLED)
        delivery, event, subscription = target
        now = self.clock.now()
        if subscription is None:
            self.repository.record_attempt(
                delivery,
                delivery.model_copy(update={"status": DeliveryStatus.CANCELLED, "next_attempt_at": None}),
            )
            return DeliveryResult(Outcome.CANCELLED)

        body = delivery_body(delivery, event)
        timestamp = int(now.timestamp())
        response = self.sender.post(
            subscription.url,
            body,
            {
                "Content-Type": "application/json",
                DELIVERY_HEADER: delivery.delivery_id,
                EVENT_TYPE_HEADER: delivery.event_type,
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: signature(subscription.secret, timestamp, body),
            },
        )
        attempts = [
            *delivery.attempts,
            DeliveryAttempt(
                attempt=len(delivery.attempts) + 1,
                at=now,
                status_code=response.status_code,
                error=response.error,
                duration_ms=response.duration_ms,
            ),
        ]
        if response.acknowledged:
            result = DeliveryResult(Outcome.DELIVERED)
            status, next_attempt_at = DeliveryStatus.DELIVERED, None
        elif max(len(attempts), receive_count) >= self.max_attempts:
            result = DeliveryResult(Outcome.DEAD_LETTERED)
            status, next_attempt_at = DeliveryStatus.DEAD_LETTERED, None
        else:
            delay = retry_delay_seconds(len(attempts), self.retry_base_seconds)
            result = DeliveryResult(Outcome.RETRY, delay)
            status, next_attempt_at = DeliveryStatus.PENDING, now + timedelta(seconds=delay)
        self.repository.record_attempt(
            delivery,
            delivery.model_copy(
                update={"status": status, "attempts": attempts, "next_attempt_at": next_attempt_at}
            ),
        )
        return result


def delivery_body(delivery: Delivery, event: DomainEvent) -> bytes:
    """The posted JSON: the event as the feed holds it, with its place in the feed."""
    envelope = {
        "deliveryId": delivery.delivery_id,
        "subscriptionId": delivery.subscription_id,
        "sequence": delivery.sequence,
        "event": event.to_json_dict(),
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def new_delivery(
    subscription: SubscriptionWithSecret, delivery_id: str, sequence: int, event: DomainEvent, at: datetime
) -> Delivery:
    return Delivery(
        delivery_id=delivery_id,
        subscription_id=subscription.subscription_id,
        partner_id=subscription.partner_id,
        sequence=sequence,
        event_id=event.event_id,
        event_type=event.event_type,
        status=DeliveryStatus.PENDING,
        created_at=at,
        next_attempt_at=at,
    )

"""Webhook delivery's adapters: the deliveries in the table, the SQS queue that paces them, and HTTP."""

import http.client
import ipaddress
import json
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from probation import config
from probation.adapters import aws
from probation.adapters.dynamodb import from_document
from probation.adapters.subscription_store import SubscriptionStore, delivery_item, delivery_key
from probation.domain.events import DomainEvent
from probation.domain.partners.models import Delivery, SubscriptionWithSecret
from probation.domain.partners.webhooks import Response

TIMEOUT_SECONDS = 5
MAX_RESPONSE_BYTES = 64 * 1024
"""What is read of a receiver's answer: enough to close the exchange cleanly, never a memory risk."""


@dataclass(frozen=True)
class DeliveryRef:
    """What the queue carries: where the delivery is, not what it says (the table holds that)."""

    partner_id: str
    subscription_id: str
    sequence: int

    def to_json(self) -> str:
        return json.dumps(
            {"partnerId": self.partner_id, "subscriptionId": self.subscription_id, "sequence": self.sequence}
        )

    @classmethod
    def from_json(cls, body: str) -> "DeliveryRef":
        data = json.loads(body)
        return cls(str(data["partnerId"]), str(data["subscriptionId"]), int(data["sequence"]))

    @classmethod
    def from_stream_image(cls, image: dict[str, Any]) -> "DeliveryRef":
        return cls(image["partnerId"]["S"], image["subscriptionId"]["S"], int(image["sequence"]["N"]))


@dataclass
class DynamoDeliveryRepository:
    subscriptions: SubscriptionStore = field(default_factory=SubscriptionStore)

    @property
    def _table(self) -> Any:
        return aws.table(self.subscriptions.table_name)

    def delivery_target(
        self, partner_id: str, subscription_id: str, sequence: int
    ) -> tuple[Delivery, DomainEvent, SubscriptionWithSecret | None] | None:
        item = self._table.get_item(
            Key=delivery_key(partner_id, subscription_id, sequence), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        event = DomainEvent.model_validate_json(item["event"])
        return (
            from_document(item, Delivery),
            event,
            self.subscriptions.subscription(partner_id, subscription_id),
        )

    def record_attempt(self, delivery: Delivery, updated: Delivery) -> None:
        """Conditional on the attempts seen: a message received twice at once records one attempt."""
        stored = delivery_item(updated)
        names = {"#status": "status", "#attemptCount": "attemptCount", "#document": "document"}
        self._table.update_item(
            Key=delivery_key(delivery.partner_id, delivery.subscription_id, delivery.sequence),
            UpdateExpression="SET #status = :status, #attemptCount = :attempts, #document = :document",
            ConditionExpression="#attemptCount = :seen AND #status = :pending",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={
                ":status": stored["status"],
                ":attempts": stored["attemptCount"],
                ":document": stored["document"],
                ":seen": len(delivery.attempts),
                ":pending": delivery.status.value,
            },
        )


@dataclass
class DeliveryQueue:
    queue_url: str = field(default_factory=config.webhook_queue_url)

    def enqueue(self, refs: list[DeliveryRef]) -> None:
        for start in range(0, len(refs), 10):
            batch = refs[start : start + 10]
            response = aws.sqs().send_message_batch(
                QueueUrl=self.queue_url,
                Entries=[{"Id": str(index), "MessageBody": ref.to_json()} for index, ref in enumerate(batch)],
            )
            if response.get("Failed"):
                raise RuntimeError(f"deliveries not queued: {response['Failed']}")

    def retry_later(self, receipt_handle: str, seconds: int) -> None:
        """The message comes back after ``seconds``: the backoff between attempts."""
        aws.sqs().change_message_visibility(
            QueueUrl=self.queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )


class DestinationRefused(Exception):
    pass


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A global address, and not an IPv6 spelling of an IPv4 address that is not (IPv4-mapped, 6to4, or
    NAT64's well-known prefix), which Python 3.11 calls global for 6to4 and NAT64."""
    if not ip.is_global:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return True
    embedded = ip.ipv4_mapped or ip.sixtofour
    if embedded is None and ip in NAT64:
        embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return embedded is None or embedded.is_global


class _VettedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was vetted, not to whatever the name resolves to by then: a name
    re-pointed at a private address between the check and the connection (DNS rebinding) is not followed."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.vetted_address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.vetted_address, self.port), self.timeout)


class _VettedHTTPSConnection(http.client.HTTPSConnection):
    """As ``_VettedHTTPConnection``, keeping the host name for TLS: SNI and the certificate's name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.vetted_address = address

    def connect(self) -> None:
        connected = socket.create_connection((self.vetted_address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(connected, server_hostname=self.host)  # type: ignore[attr-defined]


@dataclass
class HttpWebhookSender:
    allow_loopback: bool = field(default_factory=config.allow_loopback_webhooks)
    timeout_seconds: float = TIMEOUT_SECONDS

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> Response:
        """Redirects are not followed (following one could reach anywhere): a 3xx is a failed delivery."""
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        try:
            parts = urlsplit(url)
            address = self._vetted_address(url)
            secure = parts.scheme == "https"
            connection_class = _VettedHTTPSConnection if secure else _VettedHTTPConnection
            connection = connection_class(
                str(parts.hostname), parts.port or (443 if secure else 80), address, self.timeout_seconds
            )
            try:
                target = parts.path or "/"
                connection.request(
                    "POST", f"{target}?{parts.query}" if parts.query else target, body, headers
                )
                answer = connection.getresponse()
                answer.read(MAX_RESPONSE_BYTES)
                status = answer.status
            finally:
                connection.close()
            if status >= 300:
                error = f"HTTP {status}"
        except (OSError, http.client.HTTPException, DestinationRefused) as failure:
            error = str(failure)[:500]
        return Response(status, error, int((time.monotonic() - started) * 1000))

    def _vetted_address(self, url: str) -> str:
        """The address to connect to: the name resolved once, and refused if any of its addresses is not
        public (private, loopback, link-local such as the instance metadata service, shared, reserved:
        server-side request forgery), except loopback where the local runner allows it, and only there over
        plain http. The connection is then made to this address, so a second resolution is never asked."""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or parts.hostname is None:
            raise DestinationRefused(f"not a web URL: {url}")
        try:
            addresses = [info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)]
        except socket.gaierror as unknown:
            raise DestinationRefused(f"cannot resolve {parts.hostname}: {unknown}") from None
        loopback = all(ipaddress.ip_address(address).is_loopback for address in addresses)
        for address in addresses:
            ip = ipaddress.ip_address(address)
            if ip.is_loopback and self.allow_loopback:
                continue
            if not is_public(ip):
                raise DestinationRefused(f"{parts.hostname} resolves to a non-public address")
        if parts.scheme != "https" and not (self.allow_loopback and loopback):
            raise DestinationRefused("webhooks must use https")
        return str(addresses[0])

"""What the partner gateway accepts and returns: a provider sees only what it needs."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, StringConstraints, field_validator

from probation.domain.cases.models import Contact, ShortText
from probation.domain.events import DomainEvent
from probation.domain.model import ApiModel

PartnerId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{2,64}$")]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class Scope(StrEnum):
    CASES_READ = "cases.read"
    CONTACTS_WRITE = "contacts.write"
    EVENTS_READ = "events.read"


class NewPartner(ApiModel):
    partner_id: PartnerId
    name: ShortText
    contact_email: Email
    scopes: Annotated[list[Scope], Field(min_length=1, max_length=3)]


class Partner(NewPartner):
    client_id: str
    registered_at: datetime
    registered_by: str


class PartnerCredentials(ApiModel):
    """Returned once, at registration: the secret is not stored here and cannot be shown again."""

    partner: Partner
    client_id: str
    client_secret: str
    scopes: list[str] = Field(description="As the token endpoint names them")


class PartnerList(ApiModel):
    items: list[Partner]


class PartnerPerson(ApiModel):
    first_name: str
    last_name: str
    date_of_birth: date
    gender: str


class PartnerSentence(ApiModel):
    type: str
    sentence_date: date
    length_months: int
    requirements: list[str]
    release_date: date | None = None


class PartnerRegistration(ApiModel):
    type: str
    description: str
    mappa_level: str | None = None
    mappa_category: str | None = None


class PartnerCase(ApiModel):
    """A case as its partner provider sees it: no notes of staff, nothing of other providers."""

    crn: str
    person: PartnerPerson
    sentence: PartnerSentence | None
    registrations: list[PartnerRegistration]
    risk_bands: dict[str, str | None]
    tier: str | None
    responsible_officer: str
    allocated_at: datetime | None
    contacts: list[Contact] = Field(description="The contacts this provider recorded")


class PartnerCaseSummary(ApiModel):
    crn: str
    name: str
    tier: str | None
    allocated_at: datetime | None


class PartnerCasePage(ApiModel):
    items: list[PartnerCaseSummary]
    cursor: str | None = None


class FeedEntry(ApiModel):
    """One domain event about a case of the partner's, at its place in the partner's feed."""

    sequence: int
    event: DomainEvent


class Feed(ApiModel):
    items: list[FeedEntry]
    cursor: str = Field(
        description="Pass as ``after`` to continue: the last entry's place, else the one you sent"
    )


EventType = Annotated[
    str,
    StringConstraints(pattern=r"^(\*|probation-[a-z]+(-[a-z]+)*(\.[a-z]+(-[a-z]+)*)+)$", max_length=100),
]
WebhookSecret = Annotated[str, StringConstraints(min_length=32, max_length=256)]


def _webhook_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError("must be an absolute https URL")
    if parts.username or parts.password:
        raise ValueError("must not carry credentials; deliveries are signed with the secret instead")
    if parts.fragment:
        raise ValueError("must not have a fragment")
    return url


WebhookUrl = Annotated[str, StringConstraints(max_length=2048), AfterValidator(_webhook_url)]


class NewSubscription(ApiModel):
    """Push delivery of the partner's feed to a webhook."""

    url: WebhookUrl
    event_types: Annotated[list[EventType], Field(min_length=1, max_length=50)] = Field(
        description='The event types to deliver, e.g. "probation-case.contact.created"; "*" for all'
    )
    secret: WebhookSecret = Field(
        description="Shared secret (32-256 characters) that signs every delivery; never shown again"
    )

    @field_validator("event_types")
    @classmethod
    def _distinct(cls, event_types: list[str]) -> list[str]:
        if len(set(event_types)) != len(event_types):
            raise ValueError("must not repeat an event type")
        return event_types


class Subscription(ApiModel):
    subscription_id: str
    partner_id: str
    url: str
    event_types: list[str]
    created_at: datetime
    created_by: str

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class SubscriptionWithSecret(Subscription):
    """As stored: the secret never leaves the platform except as the signatures it makes."""

    secret: str

    def public(self) -> Subscription:
        return Subscription.model_validate(self.model_dump(exclude={"secret"}))


class SubscriptionList(ApiModel):
    items: list[Subscription]


class DeliveryStatus(StrEnum):
    PENDING = "PENDING"
    """Waiting for its first or next attempt."""
    DELIVERED = "DELIVERED"
    DEAD_LETTERED = "DEAD_LETTERED"
    """Every attempt failed; the delivery is in the dead-letter queue for operators."""
    CANCELLED = "CANCELLED"
    """The subscription was deleted before the delivery succeeded."""


class DeliveryAttempt(ApiModel):
    attempt: int
    at: datetime
    status_code: int | None = Field(description="The webhook's HTTP status; null when none came back")
    error: str | None = None
    duration_ms: int


class Delivery(ApiModel):
    """One event pushed to one subscription, with every attempt made."""

    delivery_id: str
    subscription_id: str
    partner_id: str
    sequence: int = Field(description="The event's place in the partner's feed")
    event_id: str
    event_type: str
    status: DeliveryStatus
    created_at: datetime
    next_attempt_at: datetime | None = None
    attempts: list[DeliveryAttempt] = Field(default_factory=list)


class DeliveryPage(ApiModel):
    items: list[Delivery] = Field(description="Newest first")
    cursor: str | None = None

"""What the partner gateway accepts and returns: a provider sees only what it needs."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

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

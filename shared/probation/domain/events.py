"""The domain event envelope, aligned with the HMPPS domain events schema: partners subscribe unchanged."""

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from probation.domain.model import ApiModel


class PersonIdentifier(ApiModel):
    type: Literal["CRN"]
    value: str


class PersonReference(ApiModel):
    identifiers: list[PersonIdentifier]

    @classmethod
    def for_crn(cls, crn: str) -> "PersonReference":
        return cls(identifiers=[PersonIdentifier(type="CRN", value=crn)])


class DomainEvent(ApiModel):
    """The EventBridge ``detail``. ``eventId`` is stable across replays: consumers deduplicate on it."""

    event_id: str
    event_type: str
    version: int = 1
    occurred_at: datetime
    description: str
    detail_url: str | None = None
    person_reference: PersonReference
    additional_information: dict[str, Any] = Field(default_factory=dict)
    correlation_id: str | None = None


def case_event(
    *,
    event_id: str,
    event_type: str,
    crn: str,
    occurred_at: datetime,
    description: str,
    detail_url: str,
    correlation_id: str | None,
    **additional_information: Any,
) -> DomainEvent:
    return DomainEvent(
        event_id=event_id,
        event_type=event_type,
        occurred_at=occurred_at,
        description=description,
        detail_url=detail_url,
        person_reference=PersonReference.for_crn(crn),
        additional_information=additional_information,
        correlation_id=correlation_id,
    )

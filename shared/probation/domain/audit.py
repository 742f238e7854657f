"""The access log the Data Protection Act 2018 s.62 requires: who read or changed which case, when."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Protocol

from probation.domain.events import DomainEvent
from probation.domain.model import ApiModel
from probation.domain.principal import Caller


class AuditAction(StrEnum):
    READ = "READ"
    SEARCH = "SEARCH"
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


class AuditRecord(ApiModel):
    audit_id: str
    crn: str
    at: datetime
    actor: str
    actor_kind: str
    partner_id: str | None = None
    action: AuditAction
    resource: str
    event_id: str | None = None
    correlation_id: str | None = None

    @classmethod
    def by(
        cls,
        caller: Caller,
        *,
        audit_id: str,
        crn: str,
        at: datetime,
        action: AuditAction,
        resource: str,
        event: DomainEvent | None = None,
    ) -> "AuditRecord":
        """What ``caller`` did to ``resource`` of case ``crn``; for a change, the event that describes it."""
        principal = caller.principal
        return cls(
            audit_id=audit_id,
            crn=crn,
            at=at,
            actor=principal.subject,
            actor_kind=principal.kind,
            partner_id=principal.partner_id,
            action=action,
            resource=resource,
            event_id=event.event_id if event else None,
            correlation_id=caller.correlation_id,
        )


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(kw_only=True)
class AuditingService:
    """What every service needs to record who did what: the time and a source of ids."""

    clock: Clock
    new_id: Callable[[], str]
    audit_resource: ClassVar[str]

    def _audit(
        self,
        caller: Caller,
        crn: str,
        action: AuditAction,
        event: DomainEvent | None = None,
        *,
        resource: str | None = None,
        at: datetime | None = None,
    ) -> AuditRecord:
        return AuditRecord.by(
            caller,
            audit_id=self.new_id(),
            crn=crn,
            at=at or self.clock.now(),
            action=action,
            resource=resource or self.audit_resource,
            event=event,
        )

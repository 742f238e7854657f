"""What the supervision service needs from storage, as interfaces the domain owns."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from probation.domain.audit import AuditRecord
from probation.domain.cases.models import Case, Conviction
from probation.domain.events import DomainEvent
from probation.domain.supervision.models import Adjustment, Appointment, WorkItem, WorkListKind
from probation.domain.supervision.summary import Breach, SupervisionSummary


@dataclass(frozen=True)
class Holder:
    """Who holds the case: the allocation's team, practitioner or partner provider."""

    team_code: str | None = None
    staff_code: str | None = None
    partner_id: str | None = None


@dataclass(frozen=True)
class CaseView:
    """What a supervision change reads of the case: the person, the sentences, the summary (at its version)
    and who holds it. Bounded: none of it grows with the case's history."""

    case: Case
    convictions: list[Conviction]
    summary: SupervisionSummary
    holder: Holder = field(default_factory=Holder)
    conviction_count: int = 0


class AppointmentChanged(Exception):
    """The appointment's version is not the one the change was made from."""


class NotTheirs(Exception):
    """The case is not (or no longer) allocated to the partner making the change."""


class SupervisionRepository(Protocol):
    def case_view(self, crn: str) -> CaseView | None: ...

    def appointment(self, crn: str, appointment_id: str) -> Appointment | None: ...

    def appointments(
        self, crn: str, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> tuple[list[Appointment], str | None]: ...

    def breach(self, crn: str, breach_id: str) -> Breach | None: ...

    def appointments_by_id(self, crn: str, ids: list[str]) -> list[Appointment]: ...

    def record_reads(self, records: list[AuditRecord]) -> None: ...

    def create_appointments(
        self,
        crn: str,
        appointments: list[Appointment],
        summary: SupervisionSummary,
        events: list[DomainEvent],
        audit: AuditRecord,
        partner_id: str | None,
    ) -> None:
        """Creates each appointment and moves the summary from ``summary.version - 1``."""

    def change_appointments(
        self,
        crn: str,
        changed: list[tuple[Appointment, Appointment]],
        created: list[Appointment],
        summary: SupervisionSummary,
        events: list[DomainEvent],
        audit: AuditRecord,
        partner_id: str | None,
    ) -> None:
        """Writes each ``(before, after)`` only over ``before``'s version (else AppointmentChanged), creates
        ``created``, and moves the summary from ``summary.version - 1`` (else SummaryChanged)."""

    def record_ending(
        self,
        crn: str,
        conviction: Conviction,
        cancelled: list[tuple[Appointment, Appointment]],
        summary: SupervisionSummary,
        closing_at_count: int | None,
        events: list[DomainEvent],
        audit: AuditRecord,
    ) -> None:
        """The conviction with its (sentence or requirement) termination, only while its sentence is active;
        each cancelled appointment over its read version; the summary over its read version; and, with
        ``closing_at_count``, the case CLOSED if it still has that many convictions and is ACTIVE (else
        SummaryChanged: read again)."""

    def start_breach(
        self, breach: Breach, summary: SupervisionSummary, events: list[DomainEvent], audit: AuditRecord
    ) -> None: ...

    def end_breach(
        self, breach: Breach, summary: SupervisionSummary, events: list[DomainEvent], audit: AuditRecord
    ) -> None: ...

    def add_adjustment(
        self,
        crn: str,
        adjustment: Adjustment,
        summary: SupervisionSummary,
        events: list[DomainEvent],
        audit: AuditRecord,
    ) -> None: ...

    def diary(
        self, scope: str, code: str, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> tuple[list[WorkItem], str | None]:
        """``scope`` is ``staff`` or ``team``: one Query of its diary index."""

    def due(
        self,
        scope: str,
        code: str,
        kind: WorkListKind,
        until: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[WorkItem], str | None]:
        """One Query of the due index: everything of ``kind`` (up to ``until``, when given)."""

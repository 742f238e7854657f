"""What the case records service needs from storage, as an interface the domain owns."""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from probation.domain.audit import AuditRecord
from probation.domain.cases.models import (
    Case,
    CaseOverview,
    CaseStatus,
    Contact,
    Conviction,
    Registration,
    Sanction,
)
from probation.domain.events import DomainEvent
from probation.domain.principal import Principal
from probation.domain.supervision.summary import SupervisionSummary


@dataclass(frozen=True)
class StoredCase:
    """The person plus the bookkeeping the rules need: conviction numbering and active registrations."""

    case: Case
    conviction_count: int = 0
    active_registrations: dict[str, str] = field(default_factory=dict)


class ConcurrentChange(Exception):
    """A conditional write lost a race; ``failed`` names the conditions that did not hold."""

    def __init__(self, failed: list[str]) -> None:
        super().__init__(", ".join(failed))
        self.failed = failed


class SummaryChanged(Exception):
    """The case's supervision summary (which holds the head of its timeline) moved since it was read: read it
    again and redo the change."""


# Every change of a case's timeline moves its summary, so writers to one case contend for it: this many
# attempts (each after a jittered pause) before the answer is "busy, send it again" (503).
SUMMARY_ATTEMPTS = 10


@dataclass(frozen=True)
class ContactContext:
    stored: StoredCase
    summary: SupervisionSummary
    author_name: str | None


class CaseRepository(Protocol):
    def get(self, crn: str) -> StoredCase | None: ...

    def team_exists(self, code: str) -> bool:
        """Whether a team (the allocation service's) has ``code``."""

    def contact_context(self, crn: str, author: Principal) -> "ContactContext | None":
        """What recording a contact reads, in one request: the case (None if there is none), its summary,
        and the name people know the author by (a member of staff's, or a partner provider's)."""

    def overview(self, crn: str) -> CaseOverview | None: ...

    def search(
        self, last_name: str, date_of_birth: date, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]: ...

    def contacts(self, crn: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]: ...

    def summary(self, crn: str) -> SupervisionSummary: ...

    def audit_trail(
        self, crn: str, limit: int, cursor: str | None
    ) -> tuple[list[AuditRecord], str | None]: ...

    def registration(self, crn: str, registration_id: str) -> Registration | None: ...

    def record_reads(self, records: list[AuditRecord]) -> None: ...

    def create(self, case: Case, event: DomainEvent, audit: AuditRecord) -> None: ...

    def update(self, case: Case, expected_version: int, event: DomainEvent, audit: AuditRecord) -> None: ...

    def add_conviction(
        self,
        crn: str,
        conviction: Conviction,
        events: list[DomainEvent],
        audit: AuditRecord,
        read_status: CaseStatus,
    ) -> None:
        """Numbered after the last conviction, and the case ACTIVE, if its status is still ``read_status``."""

    def add_sanctions(
        self, crn: str, sanctions: list[Sanction], event: DomainEvent, audit: AuditRecord
    ) -> None: ...

    def add_contact(
        self,
        crn: str,
        contact: Contact,
        event: DomainEvent,
        audit: AuditRecord,
        expected_version: int | None = None,
        summary: SupervisionSummary | None = None,
    ) -> None:
        """With ``expected_version``, only while the case is still at that version (else ConcurrentChange);
        with ``summary``, only while the summary is at the version before it (else SummaryChanged)."""

    def add_registration(
        self,
        crn: str,
        registration: Registration,
        uniqueness_key: str,
        superseded: Registration | None,
        events: list[DomainEvent],
        audit: AuditRecord,
    ) -> None: ...

    def deregister(
        self,
        crn: str,
        registration: Registration,
        uniqueness_key: str,
        event: DomainEvent,
        audit: AuditRecord,
    ) -> None: ...

"""What the sentence plan service needs from storage, as interfaces the domain owns."""

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from probation.domain.assessments.models import Assessment
from probation.domain.audit import AuditRecord
from probation.domain.cases.models import Case, Registration
from probation.domain.events import DomainEvent
from probation.domain.sentence_plans.models import LinkedAppointment, SentencePlan


@dataclass(frozen=True)
class PlanCase:
    """What making a plan version reads of the case (one Query of its partition): the person, the completed
    assessments, the registrations and who holds the case."""

    case: Case
    completed_assessments: list[Assessment]
    open_draft_assessment_id: str | None
    registrations: list[Registration] = field(default_factory=list)
    staff_code: str | None = None
    partner_id: str | None = None

    @property
    def latest_assessment(self) -> Assessment | None:
        return max(self.completed_assessments, key=lambda a: a.completed_at or a.created_at, default=None)


class PlanChanged(Exception):
    """The plan is not at the version the change was made from: another change came first."""


class PlanAlreadyOpen(Exception):
    """The case has an open plan already."""

    def __init__(self, plan_id: str) -> None:
        super().__init__(plan_id)
        self.plan_id = plan_id


class CaseMissing(Exception):
    """The case does not exist (checked in the write)."""


class NotTheirs(Exception):
    """The case is not (or no longer) allocated to the partner making the change."""


class EventAlreadyApplied(Exception):
    """This consumer has applied the event already."""


class SentencePlanRepository(Protocol):
    def plan_case(self, crn: str) -> PlanCase | None: ...

    def plans(self, crn: str) -> list[SentencePlan]:
        """The case's plans (each as its current version)."""

    def plan(self, crn: str, plan_id: str) -> SentencePlan | None: ...

    def plan_version(self, crn: str, plan_id: str, plan_version: int) -> SentencePlan | None:
        """An earlier version, as it was when it was superseded."""

    def open_plan_id(self, crn: str) -> str | None: ...

    def partner_of(self, crn: str) -> str | None:
        """The partner provider the case is allocated to, if any."""

    def staff_grade(self, staff_code: str) -> str | None:
        """The practitioner's grade (PO, PQiP, PSO, SPO), if they have a staff record."""

    def appointments(self, crn: str, appointment_ids: list[str]) -> dict[str, LinkedAppointment]: ...

    def create(self, plan: SentencePlan, events: list[DomainEvent], audit: AuditRecord) -> None:
        """Creates the plan and claims the case's open-plan place (else PlanAlreadyOpen), on a case that
        exists (else CaseMissing)."""

    def replace(
        self,
        plan: SentencePlan,
        expected_version: int,
        events: list[DomainEvent],
        audit: AuditRecord,
        *,
        superseded: SentencePlan | None = None,
        partner_id: str | None = None,
        consumed: tuple[str, str] | None = None,
    ) -> None:
        """Writes ``plan`` only over ``expected_version`` (else PlanChanged), keeping ``superseded`` as the
        snapshot of the version it replaces; a CLOSED plan frees the case's open-plan place. For a partner,
        only while the case is allocated to it (else NotTheirs). ``consumed`` (consumer, event id) marks an
        event applied in the same write (else EventAlreadyApplied)."""

    def record_reads(self, records: list[AuditRecord]) -> None: ...

    def reviews_due(
        self, staff_code: str, until: date, limit: int, cursor: str | None
    ) -> tuple[list[SentencePlan], str | None]:
        """One Query: the practitioner's plans whose review is due by ``until``, soonest first."""

    def reviews_to_announce(self, until: date, limit: int) -> list[SentencePlan]:
        """One Query: plans whose review date has come and whose review-due event is not yet published."""

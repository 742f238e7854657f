"""The case's running supervision summary, kept in the case partition (``SUMMARY``) and changed with every
appointment, outcome, breach and timeline write, conditionally on its version; and the views made from it that
the case overview carries (compliance, next appointments). Pure models: no imports from other services'
models, so the case overview can carry these without a cycle."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from probation.domain.model import ApiModel


class ComplianceCounts(ApiModel):
    attended_complied: int = 0
    acceptable_absences: int = 0
    unacceptable_absences: int = 0
    attended_failed_to_comply: int = 0
    awaiting_evidence: int = 0
    outcome_not_recorded: int = Field(
        default=0, description="Appointments whose start has passed with no outcome recorded"
    )
    rescheduled_by_person_on_probation: int = 0
    rescheduled_by_service: int = 0


class BreachOutcome(StrEnum):
    ORDER_CONTINUED = "ORDER_CONTINUED"
    ORDER_AMENDED = "ORDER_AMENDED"
    ORDER_REVOKED = "ORDER_REVOKED"
    WITHDRAWN = "WITHDRAWN"


class BreachStatus(StrEnum):
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


class BreachKind(StrEnum):
    BREACH = "BREACH"
    RECALL = "RECALL"


class Breach(ApiModel):
    id: str
    crn: str
    kind: BreachKind = Field(description="RECALL on a licence or post-sentence supervision, else BREACH")
    status: BreachStatus
    started_on: date
    reason: str | None = None
    failure_appointment_ids: list[str] = Field(description="The unacceptable failures the breach rests on")
    failure_dates: list[date]
    started_by: str
    ended_on: date | None = None
    outcome: BreachOutcome | None = None
    ended_by: str | None = None
    version: int


class Warning(ApiModel):
    appointment_id: str
    failure_date: date = Field(description="The date of the failure the warning was given for")
    code: str = Field(description="nDelius enforcement action code: EA02 for a first warning, EA03 after")
    in_force_until: date = Field(description="The end of the 12-month window the warning opens")


class Compliance(ApiModel):
    """``GET /cases/{crn}/compliance``: exactly these keys."""

    failures_to_comply: int
    breach_action_required: bool
    recall_consideration_required: bool
    active_breach: Breach | None
    warnings: list[Warning]
    counts: ComplianceCounts
    status: str


class NextAppointment(ApiModel):
    id: str
    type: str
    start: datetime
    end: datetime
    requirement_id: str | None = None
    staff_code: str | None = None
    location: str | None = None


class LastContact(ApiModel):
    """The latest contact that took place: a contact, or an appointment with its outcome recorded."""

    contact_id: str
    type: str
    date: datetime


class FailureEntry(ApiModel):
    """An unacceptable failure (``AFTC``, ``ATSH``, ``UAAB``) still able to count."""

    date: date
    outcome: str
    action: str | None = None


class RequirementTally(ApiModel):
    credited_minutes: int = 0
    adjustment_minutes: int = 0
    attended_dates: dict[str, int] = Field(
        default_factory=dict, description="Date to the number of ATTC appointments on it"
    )
    sessions_attended: int = 0


class SupervisionSummary(ApiModel):
    """The stored summary. ``open`` holds every appointment still without an outcome (scheduled); the
    ``failures`` and ``warnings`` are pruned to those that can still count; ``recent`` is the head of the
    timeline (contacts and appointments, newest first, bounded)."""

    version: int = 0
    counts: ComplianceCounts = ComplianceCounts()
    failures: dict[str, FailureEntry] = Field(default_factory=dict)
    warnings: dict[str, Warning] = Field(default_factory=dict)
    open: dict[str, NextAppointment] = Field(default_factory=dict)
    active_breach: Breach | None = None
    last_breach_ended_on: date | None = None
    tallies: dict[str, RequirementTally] = Field(default_factory=dict)
    recent: list[dict[str, object]] = Field(
        default_factory=list, description="The latest timeline entries (contacts as the timeline lists them)"
    )
    last_contact: LastContact | None = Field(
        default=None,
        description="Kept apart from ``recent``, which a run of future appointments can fill",
    )

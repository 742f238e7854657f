"""What the supervision API accepts and returns. Field rules that need no other data live here; codes are
checked against the reference data by the service, so an unknown code is a 422 naming its field."""

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from probation.domain.cases.models import ContactSource, FreeText, ShortText
from probation.domain.model import ApiModel
from probation.domain.supervision.summary import BreachOutcome

Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
RequirementId = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}-[0-9]{1,2}$")]
StaffCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,10}$")]


def _with_offset(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, for example 2026-11-26T10:00:00Z")
    return value


Instant = Annotated[datetime, AfterValidator(_with_offset)]
_MAX_LENGTH = timedelta(hours=12)


class AppointmentType(StrEnum):
    """The contact types that are appointments (nDelius codes in the reference data)."""

    OFFICE_APPOINTMENT = "OFFICE_APPOINTMENT"
    HOME_VISIT = "HOME_VISIT"
    VIDEO_APPOINTMENT = "VIDEO_APPOINTMENT"
    PHONE_CALL = "PHONE_CALL"
    UNPAID_WORK_SESSION = "UNPAID_WORK_SESSION"
    PROGRAMME_SESSION = "PROGRAMME_SESSION"


class AppointmentStatus(StrEnum):
    SCHEDULED = "SCHEDULED"
    COMPLETED = "COMPLETED"
    RESCHEDULED = "RESCHEDULED"
    CANCELLED = "CANCELLED"


class RepeatInterval(StrEnum):
    WEEK = "WEEK"
    FORTNIGHT = "FORTNIGHT"
    FOUR_WEEKS = "FOUR_WEEKS"


class Repeat(ApiModel):
    interval: RepeatInterval
    count: Annotated[int, Field(ge=1, le=30)] | None = Field(
        default=None, description="How many appointments in all, the first included"
    )
    until: date | None = Field(default=None, description="The last date an appointment may fall on")

    @model_validator(mode="after")
    def _count_or_until(self) -> Self:
        if (self.count is None) == (self.until is None):
            raise ValueError("give either count or until")
        return self


class _Slot(ApiModel):
    start: Instant = Field(examples=["2026-12-01T10:00:00Z"])
    end: Instant = Field(examples=["2026-12-01T11:00:00Z"])

    @model_validator(mode="after")
    def _ends_after_start(self) -> Self:
        if self.end <= self.start:
            raise ValueError("end must be after start")
        if self.end - self.start > _MAX_LENGTH:
            raise ValueError("an appointment lasts at most 12 hours")
        return self


class NewAppointment(_Slot):
    """``POST /cases/{crn}/appointments``. A start in the past records it retrospectively."""

    type: AppointmentType
    requirement_id: RequirementId | None = Field(
        default=None, description="The requirement of the current sentence it counts towards (e.g. 1-2)"
    )
    location: ShortText | None = None
    notes: FreeText | None = None
    repeat: Repeat | None = None
    allow_clash: bool = Field(default=False, description="Book it although it overlaps another appointment")
    staff_code: StaffCode | None = Field(
        default=None, description="Whom it is with; by default the case's practitioner"
    )


class Reschedule(_Slot):
    """``POST /cases/{crn}/appointments/{id}/reschedule`` with ``If-Match``. Without ``reason`` the
    appointment moves in place (only a future one without an outcome); with ``RSOF`` (the person asked) or
    ``RSSR`` (the service asked) the original closes with that code and a new, linked appointment is made."""

    reason: Code | None = Field(default=None, description="RSOF or RSSR")
    notes: FreeText | None = None
    allow_clash: bool = False


class Cancellation(ApiModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class OutcomeRecord(ApiModel):
    """``PUT /cases/{crn}/appointments/{id}/outcome`` with ``If-Match``."""

    outcome: Code = Field(description="nDelius outcome code, e.g. ATTC, UAAB, AFTA", examples=["ATTC"])
    enforcement_action: Code | None = Field(
        default=None,
        description="WARNING_LETTER, BREACH_OR_RECALL_INITIATED, REFER_TO_OFFENDER_MANAGER, "
        "NO_FURTHER_ACTION or DECISION_PENDING_RESPONSE",
    )
    minutes_credited: Annotated[int, Field(ge=0, le=720)] | None = Field(
        default=None, description="Unpaid work sessions only; at most the appointment's length"
    )
    notes: FreeText | None = None


class PreviousOutcome(ApiModel):
    outcome: str
    enforcement_action: str | None = None
    minutes_credited: int | None = None
    recorded_at: datetime
    recorded_by: str


class Appointment(ApiModel):
    id: str
    crn: str
    type: AppointmentType
    contact_type_code: str | None = Field(default=None, description="nDelius contact type code")
    start: datetime
    end: datetime
    status: AppointmentStatus
    requirement_id: str | None = None
    location: str | None = None
    notes: str | None = None
    staff_code: str | None = None
    team_code: str | None = None
    outcome: str | None = None
    outcome_description: str | None = None
    attended: bool | None = None
    complied: bool | None = None
    enforcement_action: str | None = None
    enforcement_action_code: str | None = None
    response_by: date | None = Field(default=None, description="When the enforcement response is due")
    evidence_due_date: date | None = Field(default=None, description="AFTA: when the evidence is due")
    minutes_credited: int | None = None
    outcome_notes: str | None = None
    outcome_recorded_at: datetime | None = None
    outcome_recorded_by: str | None = None
    previous_outcomes: list[PreviousOutcome] = Field(
        default_factory=list, description="Outcomes this one replaced, oldest first"
    )
    series_id: str | None = Field(default=None, description="Shared by the appointments one repeat made")
    rescheduled_from: str | None = None
    rescheduled_to: str | None = None
    cancellation_reason: str | None = None
    source: ContactSource
    partner_id: str | None = None
    created_by: str
    created_at: datetime
    updated_at: datetime
    version: int

    @property
    def has_outcome(self) -> bool:
        return self.outcome is not None


class AppointmentPage(ApiModel):
    items: list[Appointment]
    cursor: str | None = None


class NewBreach(ApiModel):
    started_on: date
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


class BreachEnd(ApiModel):
    ended_on: date
    outcome: BreachOutcome


class RequirementView(ApiModel):
    id: str
    type: str
    length: int | None
    length_unit: str | None
    status: str
    progress: dict[str, Any]


class RequirementList(ApiModel):
    items: list[RequirementView]


class NewAdjustment(ApiModel):
    """An unpaid work adjustment: positive adds to what is required, negative takes off (a court's order,
    hours credited elsewhere)."""

    minutes: Annotated[int, Field(ge=-60000, le=60000)]
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]

    @model_validator(mode="after")
    def _not_zero(self) -> Self:
        if self.minutes == 0:
            raise ValueError("minutes must not be 0")
        return self


class Adjustment(NewAdjustment):
    id: str
    requirement_id: str
    recorded_by: str
    recorded_at: datetime


class WorkListKind(StrEnum):
    OUTCOMES = "OUTCOMES"
    EVIDENCE = "EVIDENCE"
    ENFORCEMENT = "ENFORCEMENT"


class WorkItem(ApiModel):
    crn: str
    appointment_id: str
    type: str
    start: datetime
    end: datetime
    staff_code: str | None = None
    team_code: str | None = None
    status: str
    outcome: str | None = None
    enforcement_action: str | None = None
    due: date | None = Field(default=None, description="Evidence due date or enforcement response date")


class WorkList(ApiModel):
    items: list[WorkItem]
    cursor: str | None = None

"""What the allocation API accepts and returns."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import AfterValidator, Field, StringConstraints, computed_field, model_validator

from probation.allocation import workload
from probation.allocation.workload import Grade
from probation.domain.cases.models import FreeText, ShortText, TeamCode
from probation.domain.model import ApiModel
from probation.domain.supervision.summary import LastContact, NextAppointment

StaffCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{3,10}$")]


def _to_the_minute_or_so(hours: float) -> float:
    # Hours are kept to hundredths, as rotas write them (37.5, 22.25); a value finer than that is a typing
    # error, and a vanishing one (1e-300) is also beyond what DynamoDB can store.
    if round(hours, 2) != hours:
        raise ValueError("must have at most two decimal places")
    return hours


Hours = Annotated[float, Field(gt=0, le=60), AfterValidator(_to_the_minute_or_so)]


ALLOCATED = "person.community.manager.allocated"
"""The event type of an allocation or reallocation (source ``probation.allocation``)."""
TRANSFER_REQUESTED = "probation-case.transfer.requested"
TRANSFER_ACCEPTED = "probation-case.transfer.accepted"
TRANSFER_REJECTED = "probation-case.transfer.rejected"
TRANSFER_WITHDRAWN = "probation-case.transfer.withdrawn"


class NewTeam(ApiModel):
    code: TeamCode
    name: ShortText
    region: ShortText


class Team(NewTeam):
    created_at: datetime


class Reduction(workload.Reduction):
    """Hours a week taken away from casework between two dates, and why (training, sick leave, duties)."""

    reason: ShortText
    hours: Hours


class NewPractitioner(ApiModel):
    code: StaffCode
    name: Annotated[str, StringConstraints(min_length=1, max_length=70)]
    grade: Grade
    team_code: TeamCode
    contracted_hours: Hours = 37.0
    reductions: Annotated[list[Reduction], Field(max_length=20)] = []


class PractitionerPatch(ApiModel):
    """JSON Merge Patch of a practitioner; ``reductions`` is replaced as a whole."""

    name: Annotated[str, StringConstraints(min_length=1, max_length=70)] | None = None
    grade: Grade | None = None
    team_code: TeamCode | None = None
    contracted_hours: Hours | None = None
    reductions: Annotated[list[Reduction], Field(max_length=20)] | None = None

    @model_validator(mode="after")
    def _changes_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("the patch changes nothing: name at least one field")
        if any(getattr(self, name) is None for name in self.model_fields_set):
            raise ValueError("fields of a practitioner can be replaced, not removed")
        return self


class Workload(ApiModel):
    """Kept current as cases are allocated, moved, re-tiered or closed: never re-read from the caseload."""

    points: int = 0
    cases: int = 0
    community: int = 0
    licence: int = 0
    custody: int = 0
    high_rosh: int = Field(default=0, description="Cases whose risk of serious harm is high or very high")
    mappa: int = Field(default=0, description="Cases managed under MAPPA")
    allocations: list[datetime] = Field(default_factory=list, description="Allocation times, last 7 days")


class Practitioner(NewPractitioner):
    version: int
    workload: Workload = Workload()


class PractitionerView(Practitioner):
    available_points: float
    capacity_percent: float | None = Field(description="Null when the practitioner has no available hours")


class AllocationStatus(StrEnum):
    UNALLOCATED = "UNALLOCATED"
    ALLOCATED = "ALLOCATED"
    CLOSED = "CLOSED"
    """The case is closed (no active sentence): in no queue or caseload, and in no one's workload."""


class SentenceEnd(ApiModel):
    """The active sentence expected to end first."""

    conviction_number: int
    sentence_type: str
    expected_end_date: date


class CaseFacts(ApiModel):
    """What the queue and the rules need about the case, kept current from case and risk events. The
    sentence is the latest active one (the latest of all only once none is active)."""

    name: str
    sentence_type: str | None = None
    sentence_date: date | None = None
    length_months: int | None = None
    release_date: date | None = None
    rosh: str | None = None
    mappa_level: str | None = None
    rsr_band: str | None = None
    ending: SentenceEnd | None = Field(
        default=None, description="The active sentence expected to end first; none when none is active"
    )


class Tier(ApiModel):
    model_version: str
    tier: str
    protect_level: str
    protect_points: int
    change_level: int
    change_points: int
    reasons: list[str]
    inputs: dict[str, Any] = Field(description="What the tier was calculated from")
    calculated_at: datetime
    event_id: str | None = None


class TransferStatus(StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    WITHDRAWN = "WITHDRAWN"


class TransferRequest(ApiModel):
    """Move the case to another team: it joins that team's queue and stays with its holder until then."""

    team_code: TeamCode
    reason: FreeText


class TransferRejection(ApiModel):
    reason: FreeText


class Transfer(ApiModel):
    id: str
    from_team_code: str
    to_team_code: str
    from_practitioner_code: str | None = Field(description="Who held the case when the transfer was asked")
    reason: str
    status: TransferStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None = Field(default=None, description="Who accepted, rejected or withdrew it")
    decided_at: datetime | None = None
    rejection_reason: str | None = None


class Allocation(ApiModel):
    crn: str
    team_code: str
    status: AllocationStatus
    version: int
    facts: CaseFacts
    tier: Tier | None = None
    waiting_since: datetime
    practitioner_code: str | None = None
    practitioner_name: str | None = Field(default=None, description="The practitioner's name when allocated")
    previous_practitioner_codes: list[str] = Field(
        default_factory=list, description="Who held the case before, earliest first"
    )
    partner_id: str | None = None
    case_type: str | None = None
    points: int = 0
    allocated_at: datetime | None = None
    allocated_by: str | None = None
    justification: str | None = None
    sensitive_notes: str | None = None
    spo_oversight_notes: str | None = None
    transfers: list[Transfer] = Field(default_factory=list, description="The case's transfers, oldest first")

    @computed_field(  # type: ignore[prop-decorator]
        description="The transfer waiting for the receiving team to allocate the case, if any"
    )
    @property
    def pending_transfer(self) -> Transfer | None:
        return next((t for t in self.transfers if t.status is TransferStatus.PENDING), None)


class AllocationRequest(ApiModel):
    """Allocate to a practitioner of the team, or to a partner provider where the case is eligible."""

    practitioner_code: StaffCode | None = None
    partner_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{2,64}$")] | None = None
    justification: Annotated[str, StringConstraints(min_length=1, max_length=4000)]
    sensitive_notes: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = None
    spo_oversight_notes: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = None

    @model_validator(mode="after")
    def _one_holder(self) -> Self:
        if (self.practitioner_code is None) == (self.partner_id is None):
            raise ValueError("give either practitionerCode or partnerId")
        return self


class QueueEntry(ApiModel):
    crn: str
    name: str
    tier: str | None
    sentence_type: str | None
    sentence_date: date | None
    length_months: int | None
    rosh: str | None
    rsr_band: str | None
    mappa_level: str | None
    release_date: date | None = Field(default=None, description="Custody: the (expected) release date")
    days_waiting: int
    transfer: Transfer | None = Field(
        default=None,
        description="Set when the case comes to this team by transfer: from which team and holder",
    )


class Recommendation(ApiModel):
    rank: int
    code: str
    name: str
    grade: Grade
    capacity_percent: float | None
    capacity_after_percent: float
    allocated_last_7_days: int
    community_cases: int
    custody_cases: int
    high_rosh_cases: int
    mappa_cases: int
    supervised_before: bool = Field(description="Holds the case now, or has held it before")
    reasons: list[str]


class Recommendations(ApiModel):
    crn: str
    team_code: str
    tier: str | None
    case_points: int
    eligibility: list[str]
    practitioners: list[Recommendation]


class CaseloadEntry(ApiModel):
    crn: str
    name: str
    tier: str | None
    case_type: str | None
    points: int
    rosh: str | None = None
    rsr_band: str | None = None
    mappa_level: str | None = None
    sentence_type: str | None = None
    expected_end_date: date | None = Field(
        default=None, description="The sentence date plus its length (for custody, the licence's end)"
    )
    next_appointment: NextAppointment | None = None
    last_contact: LastContact | None = None


class DueToEndEntry(ApiModel):
    crn: str
    name: str
    team_code: str
    practitioner_code: str | None
    practitioner_name: str | None
    conviction_number: int
    sentence_type: str
    expected_end_date: date
    days_left: int = Field(description="Negative once the expected end has passed without a termination")


class DueToEnd(ApiModel):
    """Active sentences expected to end within 30 days, or past their end: each wants a termination."""

    items: list[DueToEndEntry]


class TeamList(ApiModel):
    items: list[Team]


class PractitionerList(ApiModel):
    items: list[PractitionerView]


class Queue(ApiModel):
    team_code: str
    items: list[QueueEntry]


class Caseload(ApiModel):
    practitioner: PractitionerView
    items: list[CaseloadEntry]

"""What the sentence plan API accepts and returns, and what is stored: a plan is one document per case plan,
its current version, with each earlier version kept as a snapshot of the same shape.

Two numbers: ``planVersion`` is the plan's version in the Ministry's sense (1 for the first draft, one more
for each review or new assessment); ``version`` is the concurrency counter every change moves, given as the
``ETag`` that ``If-Match`` must name."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, computed_field

from probation.domain.cases.models import FreeText
from probation.domain.model import ApiModel

EntityId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
GoalTitle = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class AreaCode(StrEnum):
    """An area of need: the OASys section it is read from is in the reference data."""

    ACCOMMODATION = "ACCOMMODATION"
    EDUCATION_TRAINING_EMPLOYMENT = "EDUCATION_TRAINING_EMPLOYMENT"
    FINANCES = "FINANCES"
    RELATIONSHIPS = "RELATIONSHIPS"
    LIFESTYLE = "LIFESTYLE"
    DRUGS = "DRUGS"
    ALCOHOL = "ALCOHOL"
    HEALTH_AND_WELLBEING = "HEALTH_AND_WELLBEING"
    THINKING_AND_BEHAVIOUR = "THINKING_AND_BEHAVIOUR"
    ATTITUDES = "ATTITUDES"


class PlanType(StrEnum):
    INITIAL = "INITIAL"
    REVIEW = "REVIEW"
    TERMINATE = "TERMINATE"
    TRANSFER = "TRANSFER"


class PlanStatus(StrEnum):
    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"
    """A TERMINATE version was agreed: the plan is over, and the case may start a new one."""


class AgreementStatus(StrEnum):
    DRAFT = "DRAFT"
    AGREED = "AGREED"
    DO_NOT_AGREE = "DO_NOT_AGREE"
    COULD_NOT_ANSWER = "COULD_NOT_ANSWER"


class CountersigningStatus(StrEnum):
    UNSIGNED = "UNSIGNED"
    SELF_SIGNED = "SELF_SIGNED"
    AWAITING_COUNTERSIGN = "AWAITING_COUNTERSIGN"
    COUNTERSIGNED = "COUNTERSIGNED"
    REJECTED = "REJECTED"


class GoalStatus(StrEnum):
    ACTIVE = "ACTIVE"
    FUTURE = "FUTURE"
    ACHIEVED = "ACHIEVED"
    REMOVED = "REMOVED"


class GoalNoteType(StrEnum):
    ACHIEVED = "ACHIEVED"
    REMOVED = "REMOVED"
    READDED = "READDED"
    PROGRESS = "PROGRESS"


class StepActor(StrEnum):
    PERSON_ON_PROBATION = "PERSON_ON_PROBATION"
    PROBATION_PRACTITIONER = "PROBATION_PRACTITIONER"
    PROGRAMME_STAFF = "PROGRAMME_STAFF"
    PARTNERSHIP_AGENCY = "PARTNERSHIP_AGENCY"
    CRS_PROVIDER = "CRS_PROVIDER"
    SOMEONE_ELSE = "SOMEONE_ELSE"


class StepStatus(StrEnum):
    NOT_STARTED = "NOT_STARTED"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANNOT_BE_DONE_YET = "CANNOT_BE_DONE_YET"
    NO_LONGER_NEEDED = "NO_LONGER_NEEDED"


# ------------------------------------------------------------------ areas of need


class AnswerContribution(ApiModel):
    """One answer that added to the section's score: why the area scores as it does."""

    question: str
    answer: str
    points: int


class AreaProvenance(ApiModel):
    assessment_id: str
    completed_at: datetime | None
    catalogue_version: str
    questions: list[str] = Field(
        description="Every question the area was read from: scored answers and links"
    )


class AreaOfNeed(ApiModel):
    area: AreaCode
    name: str
    section: str = Field(description="The OASys section it is read from")
    scored: bool = Field(
        description="False for finances and health and wellbeing, which OASys does not score"
    )
    score: int | None
    threshold: int | None = Field(description="The section's standard need threshold")
    severe_threshold: int | None
    high_scoring: bool = Field(description="The score is at or over the threshold")
    linked_to_harm: bool = Field(description="x.98: issues linked to risk of serious harm")
    linked_to_reoffending: bool = Field(description="x.99: issues linked to offending behaviour")
    rank: int = Field(
        description="1 first: harm-linked, then reoffending-linked, then furthest over, then name"
    )
    contributions: list[AnswerContribution] = Field(
        default_factory=list, description="The answers that scored points, most points first"
    )
    provenance: AreaProvenance


# ------------------------------------------------------------------ goals and steps


class LinkedAppointment(ApiModel):
    """An appointment of the supervision service linked to a step, as it stands when the plan is read."""

    id: str
    type: str
    start: datetime
    end: datetime
    status: str
    outcome: str | None = None
    staff_code: str | None = None


class StepNote(ApiModel):
    status: StepStatus
    note: str | None = None
    at: datetime
    by: str


class Step(ApiModel):
    id: str
    description: str
    actor: StepActor
    status: StepStatus
    appointment_id: str | None = None
    appointment: LinkedAppointment | None = None
    notes: list[StepNote] = Field(default_factory=list, description="Each status change, oldest first")
    created_at: datetime
    created_by: str
    updated_at: datetime
    updated_by: str


class GoalNote(ApiModel):
    type: GoalNoteType
    note: str
    at: datetime
    by: str


class Goal(ApiModel):
    id: str
    title: str
    area_of_need: AreaCode | None = None
    target_months: int | None = None
    target_date: date | None = None
    status: GoalStatus
    order: int = Field(description="1 first")
    steps: list[Step] = Field(default_factory=list)
    notes: list[GoalNote] = Field(default_factory=list, description="Oldest first")
    status_changed_at: datetime
    created_at: datetime
    created_by: str
    updated_at: datetime


# ------------------------------------------------------------------ agreement and countersigning


class Agreement(ApiModel):
    status: AgreementStatus
    notes: str | None = None
    recorded_by: str
    recorded_by_grade: str | None = None
    recorded_at: datetime


class Countersignature(ApiModel):
    by: str
    at: datetime
    notes: str | None = None


class Rejection(ApiModel):
    by: str
    at: datetime
    reason: str


class PlanVersionSummary(ApiModel):
    """An earlier version in brief: read it whole at ``/versions/{planVersion}``."""

    plan_version: int
    type: PlanType
    assessment_id: str
    agreement_status: AgreementStatus
    countersigning_status: CountersigningStatus
    created_at: datetime
    agreed_at: datetime | None = None
    superseded_at: datetime


class SentencePlan(ApiModel):
    id: str
    crn: str
    status: PlanStatus
    plan_version: int
    type: PlanType
    assessment_id: str = Field(description="The completed OASys assessment the areas of need come from")
    areas_of_need: list[AreaOfNeed] = Field(description="Ranked, rank 1 first")
    goals: list[Goal] = Field(description="In their order")
    agreement_status: AgreementStatus
    agreement: Agreement | None = None
    countersigning_status: CountersigningStatus
    countersignature: Countersignature | None = None
    rejection: Rejection | None = Field(default=None, description="The last rejection of this version")
    high_rosh: bool
    review_interval_months: int
    review_due: date | None = Field(default=None, description="Set by the agreement")
    review_due_notified: bool = Field(default=False, description="sentence-plan.review-due was published")
    staff_code: str | None = Field(default=None, description="The case's practitioner: whose work list")
    person_name: str | None = None
    created_at: datetime = Field(description="When the plan (its first version) was made")
    created_by: str
    version_created_at: datetime
    version_created_by: str
    updated_at: datetime
    updated_by: str
    history: list[PlanVersionSummary] = Field(
        default_factory=list, description="Earlier versions, oldest first"
    )
    version: int = Field(description="The concurrency counter: the ETag")

    @computed_field(  # type: ignore[prop-decorator]
        description="The person's agreement locks the version: only progress is recorded on it then"
    )
    @property
    def locked(self) -> bool:
        return self.agreement_status is not AgreementStatus.DRAFT

    def goal(self, goal_id: str) -> Goal | None:
        return next((goal for goal in self.goals if goal.id == goal_id), None)


class SentencePlanSummary(ApiModel):
    id: str
    status: PlanStatus
    plan_version: int
    type: PlanType
    agreement_status: AgreementStatus
    countersigning_status: CountersigningStatus
    review_due: date | None
    goals: int
    created_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, plan: SentencePlan) -> "SentencePlanSummary":
        return cls(
            id=plan.id,
            status=plan.status,
            plan_version=plan.plan_version,
            type=plan.type,
            agreement_status=plan.agreement_status,
            countersigning_status=plan.countersigning_status,
            review_due=plan.review_due,
            goals=len(plan.goals),
            created_at=plan.created_at,
            updated_at=plan.updated_at,
            version=plan.version,
        )


class SentencePlanList(ApiModel):
    items: list[SentencePlanSummary]


class ReviewDueItem(ApiModel):
    crn: str
    plan_id: str
    plan_version: int
    type: PlanType
    person_name: str | None
    staff_code: str
    review_due: date
    days_left: int = Field(description="Negative when overdue")
    agreement_status: AgreementStatus
    countersigning_status: CountersigningStatus
    review_started: bool = Field(description="The current version is a draft: a review is under way")


class ReviewDueList(ApiModel):
    items: list[ReviewDueItem]
    cursor: str | None = None


# ------------------------------------------------------------------ partners' view


class PartnerAreaOfNeed(ApiModel):
    area: AreaCode
    name: str
    rank: int


class PartnerSentencePlan(ApiModel):
    """What a partner provider sees of a plan of its case: the goals and steps, not the assessment's
    answers."""

    id: str
    crn: str
    status: PlanStatus
    plan_version: int
    type: PlanType
    areas_of_need: list[PartnerAreaOfNeed]
    goals: list[Goal]
    agreement_status: AgreementStatus
    countersigning_status: CountersigningStatus
    review_due: date | None
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, plan: SentencePlan) -> "PartnerSentencePlan":
        return cls(
            id=plan.id,
            crn=plan.crn,
            status=plan.status,
            plan_version=plan.plan_version,
            type=plan.type,
            areas_of_need=[
                PartnerAreaOfNeed(area=a.area, name=a.name, rank=a.rank) for a in plan.areas_of_need
            ],
            goals=plan.goals,
            agreement_status=plan.agreement_status,
            countersigning_status=plan.countersigning_status,
            review_due=plan.review_due,
            updated_at=plan.updated_at,
            version=plan.version,
        )


class PartnerSentencePlanList(ApiModel):
    items: list[PartnerSentencePlan]


# ------------------------------------------------------------------ requests

StepDescription = Annotated[str, StringConstraints(min_length=1, max_length=4000)]


class NewStep(ApiModel):
    description: StepDescription
    actor: StepActor
    status: StepStatus = StepStatus.NOT_STARTED
    appointment_id: EntityId | None = Field(
        default=None, description="An appointment of the case (supervision service) this step is about"
    )


class NewGoal(ApiModel):
    title: GoalTitle
    area_of_need: AreaCode | None = Field(
        default=None, description="One of the plan's areas of need, or none"
    )
    target_months: Literal[3, 6, 12] | None = Field(default=None, description="Or a targetDate")
    target_date: date | None = Field(default=None, description="Or targetMonths; after today")
    status: Literal[GoalStatus.ACTIVE, GoalStatus.FUTURE] = Field(
        default=GoalStatus.ACTIVE, description="An ACTIVE goal needs a target; a FUTURE goal has none yet"
    )
    steps: Annotated[list[NewStep], Field(max_length=20)] = Field(default_factory=list)


class GoalPatch(ApiModel):
    """JSON Merge Patch: a key left out is kept, null clears it. On a locked version only ``status`` and
    ``note`` (progress) may change."""

    title: GoalTitle | None = None
    area_of_need: AreaCode | None = None
    target_months: Literal[3, 6, 12] | None = None
    target_date: date | None = None
    status: GoalStatus | None = None
    note: FreeText | None = Field(default=None, description="Required to make a goal ACHIEVED or REMOVED")


class StepPatch(ApiModel):
    """JSON Merge Patch. On a locked version only ``status``, ``note`` and ``appointmentId`` may change."""

    description: StepDescription | None = None
    actor: StepActor | None = None
    status: StepStatus | None = None
    note: FreeText | None = None
    appointment_id: EntityId | None = Field(default=None, description="null unlinks the appointment")


class StepProgress(ApiModel):
    """A partner provider's progress on a step for a partnership agency or CRS provider."""

    status: StepStatus
    note: FreeText | None = None


class GoalOrder(ApiModel):
    goal_ids: Annotated[list[EntityId], Field(min_length=1, max_length=30)] = Field(
        description="Every goal of the version, once each, in their new order"
    )


class StepOrder(ApiModel):
    step_ids: Annotated[list[EntityId], Field(min_length=1, max_length=20)] = Field(
        description="Every step of the goal, once each, in their new order"
    )


class NewAgreement(ApiModel):
    status: Literal[AgreementStatus.AGREED, AgreementStatus.DO_NOT_AGREE, AgreementStatus.COULD_NOT_ANSWER]
    notes: FreeText | None = Field(default=None, description="Required unless AGREED")


class NewCountersignature(ApiModel):
    notes: FreeText | None = None


class NewRejection(ApiModel):
    reason: FreeText


class NewReview(ApiModel):
    type: Literal[PlanType.REVIEW, PlanType.TERMINATE, PlanType.TRANSFER] = Field(
        description="REVIEW, or TERMINATE at the sentence's end (agreeing it closes the plan), or TRANSFER"
    )

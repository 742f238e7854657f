"""What the assessments API accepts and returns."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import Field, model_validator

from probation.assessments.catalogue import Catalogue
from probation.assessments.predictors import CONDITIONAL_PREDICTOR_QUESTIONS
from probation.domain.cases.models import CaseOverview
from probation.domain.model import ApiModel
from probation.domain.risk_scoring.records import RiskScoreRecord

AnswerValue = str | int | list[str]


class AnswerSource(StrEnum):
    CASE_RECORD = "CASE_RECORD"
    RISK = "RISK"
    PREVIOUS_ASSESSMENT = "PREVIOUS_ASSESSMENT"
    ASSESSOR = "ASSESSOR"


SYSTEM_SOURCES = frozenset({AnswerSource.CASE_RECORD, AnswerSource.RISK})


class PreviousAnswer(ApiModel):
    """What an assessor's override replaced."""

    value: AnswerValue
    source: AnswerSource
    source_ref: str | None = None
    as_of: datetime


class Answer(ApiModel):
    value: AnswerValue
    source: AnswerSource
    source_ref: str | None = None
    as_of: datetime
    confirmed: bool = False
    previous: PreviousAnswer | None = None

    @property
    def is_refreshable(self) -> bool:
        """The system may replace it: a fact it filled in that nobody has confirmed yet."""
        return self.source in SYSTEM_SOURCES and not self.confirmed


class AssessmentStatus(StrEnum):
    DRAFT = "DRAFT"
    COMPLETED = "COMPLETED"


class AssessmentSummary(ApiModel):
    questions: int
    prefilled: int
    confirmed: int
    remaining: int


class SectionNeed(ApiModel):
    section: str
    score: int
    standard_threshold: int
    severe_threshold: int
    need: str


class Assessment(ApiModel):
    assessment_id: str
    crn: str
    status: AssessmentStatus
    version: int
    catalogue_version: str
    created_at: datetime
    created_by: str
    updated_at: datetime
    completed_at: datetime | None = None
    completed_by: str | None = None
    personal_details: dict[str, Answer]
    answers: dict[str, Answer]
    summary: AssessmentSummary
    section_needs: list[SectionNeed] | None = None
    predictor_answers: dict[str, Any] | None = None
    screening_answers: dict[str, Any] | None = Field(
        default=None,
        description="The screening tools' inputs read off the answers on completion, bar the predictors'",
    )


# OASys's risk of serious harm summary (R6, "who is at risk"): each group's question for the community and
# for custody; prisoners are at risk in custody only.
ROSH_GROUPS = (
    ("Children", "SUM6.1.1", "SUM6.1.2"),
    ("Public", "SUM6.2.1", "SUM6.2.2"),
    ("Known adult", "SUM6.3.1", "SUM6.3.2"),
    ("Staff", "SUM6.4.1", "SUM6.4.2"),
    ("Prisoners", None, "SUM6.5.2"),
)
ROSH_LEVELS = {"L": "LOW", "M": "MEDIUM", "H": "HIGH", "V": "VERY_HIGH"}


class RiskToGroup(ApiModel):
    group: str
    community: str | None = Field(description="LOW, MEDIUM, HIGH or VERY_HIGH; null if not answered")
    custody: str | None = None


class AssessmentSummaryView(ApiModel):
    """One assessment in a case's list: enough to pick it, without its answers."""

    assessment_id: str
    status: AssessmentStatus
    version: int
    created_at: datetime
    completed_at: datetime | None = None
    summary: AssessmentSummary
    rosh_summary: list[RiskToGroup] = Field(
        default=[], description="Who is at risk of serious harm, and how much (groups answered only)"
    )

    @classmethod
    def of(cls, assessment: Assessment) -> "AssessmentSummaryView":
        def level(code: str | None) -> str | None:
            answer = assessment.answers.get(code) if code else None
            return ROSH_LEVELS.get(str(answer.value)) if answer else None

        at_risk = [
            RiskToGroup(group=group, community=level(community), custody=level(custody))
            for group, community, custody in ROSH_GROUPS
        ]
        return cls(
            assessment_id=assessment.assessment_id,
            status=assessment.status,
            version=assessment.version,
            created_at=assessment.created_at,
            completed_at=assessment.completed_at,
            summary=assessment.summary,
            rosh_summary=[risk for risk in at_risk if risk.community or risk.custody],
        )


class AssessmentList(ApiModel):
    items: list[AssessmentSummaryView]


class AnswerChange(ApiModel):
    """Either answer (or override) a question with ``value``, or ``confirm`` the answer it holds."""

    value: AnswerValue | None = None
    confirm: bool = False

    @model_validator(mode="after")
    def _one_kind_of_change(self) -> Self:
        if (self.value is None) == (not self.confirm):
            raise ValueError('give either "value" or "confirm": true')
        return self


class AssessmentPatch(ApiModel):
    answers: Annotated[
        dict[str, AnswerChange], Field(min_length=1, max_length=700, examples=[{"3.4": {"value": "1"}}])
    ]


FOLLOW_UP_GATE_ANSWER = "YES"


def required_follow_ups(catalogue: Catalogue) -> dict[str, str]:
    """The follow-up questions completion requires once the question they follow (their parent) is answered
    ``FOLLOW_UP_GATE_ANSWER``, by code, each with that parent's code: the conditional predictor questions
    whose parent is a question (6.7.2.1da after 6.7da; each drug's usage sits under a heading, not a gate)."""
    follow_ups: dict[str, str] = {}
    for code in CONDITIONAL_PREDICTOR_QUESTIONS:
        question = catalogue.questions.get(code)
        if (
            question is not None
            and question.parent_code is not None
            and question.parent_code in catalogue.questions
        ):
            follow_ups[code] = question.parent_code
    return follow_ups


def latest_completed(assessments: list[Assessment]) -> Assessment | None:
    completed = [a for a in assessments if a.status is AssessmentStatus.COMPLETED]
    return max(completed, key=lambda a: a.completed_at or a.created_at) if completed else None


@dataclass(frozen=True)
class CaseState:
    """What one Query of the case partition tells the assessments service."""

    overview: CaseOverview
    assessments: list[Assessment]
    latest_risk: RiskScoreRecord | None

    @property
    def open_draft(self) -> Assessment | None:
        return next((a for a in self.assessments if a.status is AssessmentStatus.DRAFT), None)

    @property
    def latest_completed(self) -> Assessment | None:
        return latest_completed(self.assessments)


class QuestionOption(ApiModel):
    code: str
    label: str


class QuestionView(ApiModel):
    code: str
    text: str
    answer_type: str
    options: list[QuestionOption]
    parent_code: str | None
    required_for_completion: bool
    required_if_parent_answer: str | None = Field(
        default=None,
        description="Required to complete too once the question it follows (parentCode) has this answer",
    )


class SectionView(ApiModel):
    id: str
    title: str
    questions: list[QuestionView]


class QuestionCatalogue(ApiModel):
    """The questions an assessment of this catalogue version asks: what a form needs to show them."""

    version: str
    sections: list[SectionView]

    @classmethod
    def of(cls, catalogue: Catalogue) -> Self:
        required = set(catalogue.required_for_completion())
        follow_ups = required_follow_ups(catalogue)
        return cls(
            version=catalogue.version,
            sections=[
                SectionView(
                    id=section.id,
                    title=section.title,
                    questions=[
                        QuestionView(
                            code=code,
                            text=question.text,
                            answer_type=question.answer_type.value,
                            options=[QuestionOption(code=o.code, label=o.label) for o in question.options],
                            parent_code=question.parent_code,
                            required_for_completion=code in required,
                            required_if_parent_answer=FOLLOW_UP_GATE_ANSWER if code in follow_ups else None,
                        )
                        for code in section.questions
                        for question in (catalogue.questions[code],)
                    ],
                )
                for section in catalogue.sections
            ],
        )

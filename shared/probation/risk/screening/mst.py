"""MST, the Maturity Screening Tool: young men whose answers suggest low psychosocial maturity
(SCREENING.md §2)."""

from datetime import date
from operator import attrgetter

from probation.risk.dates import years_between
from probation.risk.enums import ANSWER_SCORE, Gender
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import MaturityScreening, ScreeningError
from probation.risk.screening.common import answers_unexpected_errors, missing_inputs
from probation.risk.screening.rules import screening_rules

ANSWER_FIELDS = (
    "hasPeerGroupInfluences",
    "influenceFromCriminalAssociates",
    "recklessnessAndRiskTakingBehaviour",
    "difficultiesCoping",
    "attitudesTowardsSelf",
    "impulsivityProblems",
    "temperControl",
    "problemSolvingSkills",
    "awarenessOfConsequences",
    "understandsOtherPeoplesViews",
)
"""The ten answers scored, in the order missing ones are reported."""
_answers = attrgetter(
    "has_peer_group_influences",
    "influence_from_criminal_associates",
    "recklessness_and_risk_taking_behaviour",
    "difficulties_coping",
    "attitudes_towards_self",
    "impulsivity_problems",
    "temper_control",
    "problem_solving_skills",
    "awareness_of_consequences",
    "understands_other_peoples_views",
)


def _not_applicable() -> MaturityScreening:
    return {"maturityScore": None, "maturityFlag": False, "isMstApplicable": False, "validationError": []}


def _failed(errors: list[ScreeningError]) -> MaturityScreening:
    return {"maturityScore": None, "maturityFlag": None, "isMstApplicable": None, "validationError": errors}


def is_age_out_of_range(age: int | None) -> bool:
    """Whether a known age rules the person out before anything else is checked."""
    return age is not None and age not in screening_rules().maturity.ages


def is_applicable(gender: Gender | None, age: int | None) -> bool:
    return gender is Gender.MALE and age is not None and age in screening_rules().maturity.ages


def is_flagged(score: int) -> bool:
    return score >= screening_rules().maturity.flag_from_score


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    """What MST requires and the request lacks, in the Ministry's order; one missing answer is tolerated."""
    missing = [
        field
        for field, value in (("gender", request.gender), ("dateOfBirth", request.date_of_birth))
        if value is None
    ]
    answers = _answers(request)
    if len(answers) - answers.count(None) < screening_rules().maturity.answers_required:
        missing += [field for field, answer in zip(ANSWER_FIELDS, answers, strict=True) if answer is None]
    return [missing_inputs(missing)] if missing else []


@answers_unexpected_errors(_failed)
def maturity_screening(request: RiskCalculationRequest, assessment_date: date) -> MaturityScreening:
    date_of_birth = request.date_of_birth
    # Java's Period.between, which the Ministry uses, gives 0 or less rather than failing for a birth date
    # later than the assessment.
    age = years_between(date_of_birth, assessment_date) if date_of_birth is not None else None
    # Age first: someone outside the age range is not applicable, whatever else is missing.
    if is_age_out_of_range(age):
        return _not_applicable()
    errors = validation_errors(request)
    if errors:
        return _failed(errors)
    if not is_applicable(request.gender, age):
        return _not_applicable()
    score = sum(map(ANSWER_SCORE.__getitem__, _answers(request)))
    return {
        "maturityScore": score,
        "maturityFlag": is_flagged(score),
        "isMstApplicable": True,
        "validationError": [],
    }

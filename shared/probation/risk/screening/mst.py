"""MST, the Maturity Screening Tool: young men whose answers suggest low psychosocial maturity
(SCREENING.md §2).

Answers are read as plain attributes: off the calculator's view of the request each read costs ~100
instructions, where a ``field_reader`` costs ~800 plus ~230 a field.
"""

from datetime import date

from probation.risk.dates import age_in_years, years_between
from probation.risk.enums import ANSWER_SCORE, Gender
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import MaturityScreening, ScreeningError
from probation.risk.screening.common import missing_inputs, unexpected_error
from probation.risk.screening.rules import screening_rules

# Members read once, as the hot path compares with them (see probation.risk.enums).
_MALE = Gender.MALE

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


def _answers(request: RiskCalculationRequest) -> tuple[object, ...]:
    """The answers to ``ANSWER_FIELDS``, in that order."""
    return (
        request.has_peer_group_influences,
        request.influence_from_criminal_associates,
        request.recklessness_and_risk_taking_behaviour,
        request.difficulties_coping,
        request.attitudes_towards_self,
        request.impulsivity_problems,
        request.temper_control,
        request.problem_solving_skills,
        request.awareness_of_consequences,
        request.understands_other_peoples_views,
    )


def _failed(errors: list[ScreeningError]) -> MaturityScreening:
    return {"maturityScore": None, "maturityFlag": None, "isMstApplicable": None, "validationError": errors}


def is_age_out_of_range(age: int | None) -> bool:
    """Whether a known age rules the person out before anything else is checked."""
    return age is not None and age not in screening_rules().maturity.ages


def is_applicable(gender: Gender | None, age: int | None) -> bool:
    return gender is _MALE and age is not None and age in screening_rules().maturity.ages


def is_flagged(score: int) -> bool:
    return score >= screening_rules().maturity.flag_from_score


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    """What MST requires and the request lacks, in the Ministry's order; one missing answer is tolerated."""
    return _validation_errors(request, _answers(request))


def _validation_errors(request: RiskCalculationRequest, answers: tuple[object, ...]) -> list[ScreeningError]:
    missing = [
        field
        for field, value in (("gender", request.gender), ("dateOfBirth", request.date_of_birth))
        if value is None
    ]
    if len(answers) - answers.count(None) < screening_rules().maturity.answers_required:
        missing += [field for field, answer in zip(ANSWER_FIELDS, answers, strict=True) if answer is None]
    return [missing_inputs(missing)] if missing else []


def maturity_screening(request: RiskCalculationRequest, assessment_date: date) -> MaturityScreening:
    try:
        date_of_birth = request.date_of_birth
        if date_of_birth is None:
            age = None
        elif date_of_birth <= assessment_date:
            # The same whole years as years_between from birth on, at half the cost (2.4k instructions
            # against 4.4k): the age is worked out for everyone, most of whom it rules out.
            age = age_in_years(date_of_birth, assessment_date)
        else:
            # Java's Period.between, which the Ministry uses, gives 0 or less rather than failing for a
            # birth date later than the assessment.
            age = years_between(date_of_birth, assessment_date)
        # Age first: someone outside the age range is not applicable, whatever else is missing.
        if not is_age_out_of_range(age):
            answers = _answers(request)
            errors = _validation_errors(request, answers)
            if errors:
                return _failed(errors)
            if is_applicable(request.gender, age):
                score = sum(map(ANSWER_SCORE.__getitem__, answers))
                return {
                    "maturityScore": score,
                    "maturityFlag": is_flagged(score),
                    "isMstApplicable": True,
                    "validationError": [],
                }
        # Not applicable: built at its one return rather than by a function, whose call costs ~500.
        return {"maturityScore": None, "maturityFlag": False, "isMstApplicable": False, "validationError": []}
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

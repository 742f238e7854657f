"""ARP, VRP and SVRP: one pipeline, three sets of coefficients (SPEC §3, §4, §9.2, §9.3).

The checks and features that the three share are worked out once per request (``CriminalHistoryChecks``,
``DynamicInputs``); each predictor then adds its own checks and scores its static and dynamic variants.
"""

import math
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from operator import attrgetter
from typing import NamedTuple

from pydantic.alias_generators import to_camel

from probation.risk.coefficients import LinearModel, ReoffendingModel
from probation.risk.dates import add_months, age_in_years, months_between
from probation.risk.enums import (
    MOTIVATION_LEVEL_SCORE,
    PROBLEM_LEVEL_SCORE,
    CurrentRelationshipStatus,
    Gender,
    PreviousConviction,
)
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.numerics import clamp_percent, logistic, percentage
from probation.risk.offences import UNKNOWN_CATEGORY, offence_category
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import PredictorScores, Score

MAX_SANCTIONS = 999
AGE_LIMIT = 110
"""Ages at the first sanction and at the start of follow-up must be below this."""
CONVICTION_MONTHS_AFTER_ASSESSMENT = 3

# Request attributes (snake_case) behind each drug term; other_drugs is any of five OASys answers.
DRUG_FLAGS: dict[str, tuple[str, ...]] = {
    "heroin": ("has_heroin_usage",),
    "methadone": ("has_methadone_usage",),
    "other_opiate": ("has_other_opiate_usage",),
    "crack_cocaine": ("has_crack_cocaine_usage",),
    "powder_cocaine": ("has_powder_cocaine_usage",),
    "misused_prescribed": ("has_misused_prescription_drug_usage",),
    "benzodiazepines": ("has_benzodiazepines_usage",),
    "cannabis": ("has_cannabis_usage",),
    "steroids": ("has_steroids_usage",),
    "other_drugs": (
        "has_other_drugs_usage",
        "has_ketamine_usage",
        "has_spice_usage",
        "has_hallucinogens_usage",
        "has_solvents_usage",
    ),
}
# All the flags read in one call; each drug's flags are a span of the result.
_drug_flag_values = attrgetter(*(flag for flags in DRUG_FLAGS.values() for flag in flags))
_DRUG_FLAG_SPANS = tuple(
    (drug, end - len(flags), end)
    for (drug, flags), end in zip(DRUG_FLAGS.items(), accumulate(map(len, DRUG_FLAGS.values())), strict=True)
)


@dataclass(frozen=True, slots=True)
class ReoffendingPredictor:
    """How one of ARP, VRP and SVRP is checked and reported, beyond its coefficients."""

    name: str
    """Its key in the result."""
    zero_percent_is_error: bool
    checks_followup_date: bool


ALL_REOFFENDING = ReoffendingPredictor(
    "allReoffending", zero_percent_is_error=True, checks_followup_date=True
)
VIOLENT_REOFFENDING = ReoffendingPredictor(
    "violentReoffending", zero_percent_is_error=True, checks_followup_date=True
)
SERIOUS_VIOLENT_REOFFENDING = ReoffendingPredictor(
    "seriousViolentReoffending", zero_percent_is_error=False, checks_followup_date=False
)


class CriminalHistory(NamedTuple):
    """The static features of SPEC §3 that do not depend on the predictor."""

    gender: Gender
    age_at_followup: int | None
    """``None`` when the follow-up date is not after the date of birth."""
    years_since_first_sanction: int
    months_in_community: int
    """Complete months from the start of follow-up to the assessment, uncapped; 0 if not yet started."""
    sanctions: int
    violent_sanctions: int | None
    offence_category: str


class CriminalHistoryChecks(NamedTuple):
    """The static checks of SPEC §9.2, each group made once for the predictors it applies to."""

    common: list[Violation]
    violent_sanctions: list[Violation]
    """VRP and SVRP only."""
    followup_date: list[Violation]
    """ARP and VRP only."""
    history: CriminalHistory | None
    """The features, when every input they need is present and valid."""


class DynamicInputs(NamedTuple):
    """The OASys answers and drug flags as model feature values (SPEC §2.2)."""

    oasys_items: dict[str, int]
    drugs: dict[str, bool]
    previous_convictions: frozenset[PreviousConviction]


class ReoffendingOutcome(NamedTuple):
    scores: PredictorScores
    static_violations: list[Violation]
    """Why no score at all, or why the static variant could not be given."""
    dynamic_violations: list[Violation]
    """Why the dynamic variant could not be given."""


def check_criminal_history(request: RiskCalculationRequest, assessment_date: date) -> CriminalHistoryChecks:
    common: list[Violation] = []
    category = _offence_category(request.current_offence_code, common)
    sanctions = request.total_number_of_sanctions_for_all_offences
    if sanctions is not None and not 1 <= sanctions <= MAX_SANCTIONS:
        common.append(
            Violation(
                ("totalNumberOfSanctionsForAllOffences",),
                f"totalNumberOfSanctionsForAllOffences must be between 1 and {MAX_SANCTIONS}, counting the "
                "current sanction.",
                ErrorCode.TOTAL_NUMBER_OF_SANCTIONS_OUT_OF_RANGE,
            )
        )
    first_sanction_age = request.age_at_first_sanction
    if first_sanction_age is not None and not 0 <= first_sanction_age < AGE_LIMIT:
        common.append(
            Violation(
                ("ageAtFirstSanction",),
                f"ageAtFirstSanction must be between 0 and {AGE_LIMIT - 1}.",
                ErrorCode.AGE_AT_FIRST_SANCTION_OUT_OF_RANGE,
            )
        )
    date_of_birth = request.date_of_birth
    conviction_date = request.date_of_current_conviction
    conviction_age = None
    if date_of_birth is not None and conviction_date is not None:
        if conviction_date <= date_of_birth:
            common.append(
                Violation(
                    ("dateOfCurrentConviction",),
                    "dateOfCurrentConviction must be after dateOfBirth.",
                    ErrorCode.DATE_OF_CURRENT_CONVICTION_BEFORE_DATE_OF_BIRTH,
                )
            )
        else:
            conviction_age = age_in_years(date_of_birth, conviction_date)
            if first_sanction_age is not None and conviction_age < first_sanction_age:
                common.append(
                    Violation(
                        ("dateOfCurrentConviction", "ageAtFirstSanction"),
                        f"ageAtFirstSanction ({first_sanction_age}) is later than the age at "
                        f"dateOfCurrentConviction ({conviction_age}).",
                        ErrorCode.AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION,
                    )
                )
    if conviction_date is not None:
        latest = add_months(assessment_date, CONVICTION_MONTHS_AFTER_ASSESSMENT)
        if conviction_date > latest:
            common.append(
                Violation(
                    ("dateOfCurrentConviction", "assessmentDate"),
                    f"dateOfCurrentConviction must be no later than {CONVICTION_MONTHS_AFTER_ASSESSMENT} months "
                    f"after assessmentDate, i.e. on or before {latest.isoformat()}.",
                    ErrorCode.DATE_OF_CURRENT_CONVICTION_WITHIN_THREE_MONTHS_OF_ASSESSMENT_DATE,
                )
            )

    followup_field = "dateAtStartOfFollowup" if request.date_at_start_of_followup is not None else None
    followup_date = request.date_at_start_of_followup or conviction_date
    followup_age = None
    if followup_date is not None and date_of_birth is not None and followup_date > date_of_birth:
        followup_age = age_in_years(date_of_birth, followup_date)

    history = None
    if (
        not common
        and request.gender is not None
        and conviction_age is not None
        and first_sanction_age is not None
        and sanctions is not None
        and category is not None
        and followup_date is not None
    ):
        started = assessment_date >= followup_date
        history = CriminalHistory(
            gender=request.gender,
            age_at_followup=followup_age,
            years_since_first_sanction=conviction_age - first_sanction_age,
            months_in_community=months_between(followup_date, assessment_date) if started else 0,
            sanctions=sanctions,
            violent_sanctions=request.total_number_of_violent_sanctions,
            offence_category=category,
        )
    return CriminalHistoryChecks(
        common=common,
        violent_sanctions=_violent_sanction_checks(request),
        followup_date=_followup_date_checks(followup_field, followup_date, followup_age, date_of_birth),
        history=history,
    )


def _offence_category(code: str | None, violations: list[Violation]) -> str | None:
    if code is None:
        return None
    if not (len(code) == 5 and code.isascii() and code.isdigit()):
        violations.append(
            Violation(
                ("currentOffenceCode",),
                "currentOffenceCode must be a Home Office offence code of exactly 5 digits, e.g. 02700.",
                ErrorCode.OFFENCE_CODE_INCORRECT_FORMAT,
            )
        )
        return None
    category = offence_category(code)
    if category is None or category == UNKNOWN_CATEGORY:
        violations.append(
            Violation(
                ("currentOffenceCode",),
                f"Offence code {code} has no actuarial offence category.",
                ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND,
            )
        )
        return None
    return category


def _violent_sanction_checks(request: RiskCalculationRequest) -> list[Violation]:
    violent = request.total_number_of_violent_sanctions
    sanctions = request.total_number_of_sanctions_for_all_offences
    if violent is None or sanctions is None or 0 <= violent <= sanctions:
        return []
    return [
        Violation(
            ("totalNumberOfViolentSanctions", "totalNumberOfSanctionsForAllOffences"),
            "totalNumberOfViolentSanctions must be between 0 and totalNumberOfSanctionsForAllOffences.",
            ErrorCode.VIOLENT_SANCTION_OUT_OF_RANGE,
        )
    ]


def _followup_date_checks(
    given_field: str | None, followup_date: date | None, followup_age: int | None, date_of_birth: date | None
) -> list[Violation]:
    if followup_date is None:
        return [
            Violation(
                ("dateAtStartOfFollowup",),
                "dateAtStartOfFollowup, or failing it dateOfCurrentConviction, is required.",
                ErrorCode.DATE_OF_START_OF_FOLLOWUP_REQUIRED,
            )
        ]
    # Without a follow-up date the conviction date stands in, and its own checks already cover it.
    field = given_field or "dateOfCurrentConviction"
    if given_field is not None and date_of_birth is not None and followup_date <= date_of_birth:
        return [
            Violation(
                (given_field,),
                f"{given_field} must be after dateOfBirth.",
                ErrorCode.DATE_OF_START_OF_FOLLOWUP_BEFORE_DATE_OF_BIRTH,
            )
        ]
    if followup_age is not None and followup_age >= AGE_LIMIT:
        return [
            Violation(
                (field,),
                f"The age at the start of follow-up ({field}) must be below {AGE_LIMIT}.",
                ErrorCode.DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE,
            )
        ]
    return []


def dynamic_inputs(request: RiskCalculationRequest) -> DynamicInputs:
    """Feature values of every OASys item and drug flag; an unanswered item counts as 0 (the predictors
    that need it check it is there first)."""
    living_together = (
        request.current_relationship_status is CurrentRelationshipStatus.IN_RELATIONSHIP_LIVING_TOGETHER
    )
    partner = PROBLEM_LEVEL_SCORE.get(request.current_relationship_with_partner, 0)
    oasys_items = {
        "s2q2a": 1 if request.did_offence_involve_carrying_or_using_weapon else 0,
        "s3q4": PROBLEM_LEVEL_SCORE.get(request.suitability_of_accommodation, 0),
        # The API takes a yes/no where OASys 4.2 scores 0/1/2 (SPEC §13.1).
        "s4q2": 2 if request.is_unemployed else 0,
        "s3q2_partner": 1 if living_together else 0,
        "s6q4": partner,
        "s3q2_partner_x_s6q4": partner if living_together else 0,
        "s6q7": 1 if request.evidence_of_domestic_abuse else 0,
        "s7q2": PROBLEM_LEVEL_SCORE.get(request.regular_offending_activities, 0),
        # No answer is full motivation, for ARP, the one predictor that does not require it.
        "s8q8": MOTIVATION_LEVEL_SCORE.get(request.motivation_to_tackle_drug_misuse, 0),
        "s9q1": PROBLEM_LEVEL_SCORE.get(request.current_alcohol_use_problems, 0),
        "s9q2": PROBLEM_LEVEL_SCORE.get(request.excessive_alcohol_use, 0),
        "s11q2": PROBLEM_LEVEL_SCORE.get(request.impulsivity_problems, 0),
        "s11q4": PROBLEM_LEVEL_SCORE.get(request.temper_control, 0),
        "s12q1": PROBLEM_LEVEL_SCORE.get(request.pro_criminal_attitudes, 0),
    }
    flags = _drug_flag_values(request)
    return DynamicInputs(
        oasys_items=oasys_items,
        drugs={drug: True in flags[start:end] for drug, start, end in _DRUG_FLAG_SPANS},
        previous_convictions=frozenset(request.previous_convictions or ()),
    )


def score_reoffending(
    predictor: ReoffendingPredictor,
    model: ReoffendingModel,
    request: RiskCalculationRequest,
    absent: frozenset[str],
    checks: CriminalHistoryChecks,
    inputs: DynamicInputs,
) -> ReoffendingOutcome:
    """The static variant when its inputs are valid, and the dynamic one too when its inputs are complete
    (SPEC §4.2)."""
    static_violations = [missing(field) for field in model.required_static if field in absent]
    static_violations += checks.common
    if model.static.male.violence is not None:
        static_violations += checks.violent_sanctions
    if predictor.checks_followup_date:
        static_violations += checks.followup_date
    dynamic_violations = [
        missing(field, ErrorCode.MISSING_DYNAMIC_INPUT) for field in model.required_dynamic if field in absent
    ]
    dynamic_violations += _drug_motivation_checks(model.dynamic, request)

    history = checks.history
    if static_violations or history is None:
        return ReoffendingOutcome(
            PredictorScores(static=None, dynamic=None), static_violations, dynamic_violations
        )
    if history.age_at_followup is None:
        # The Ministry's SVRP fails computing the age (SPEC §9.2); ARP and VRP never get this far.
        unexpected = Violation(
            ("dateAtStartOfFollowup",),
            "dateAtStartOfFollowup must be after dateOfBirth.",
            ErrorCode.UNEXPECTED_ERROR,
        )
        return ReoffendingOutcome(
            PredictorScores(static=None, dynamic=None), [unexpected], dynamic_violations
        )

    months = min(history.months_in_community, model.offence_free_months_cap)
    static = _variant_score(predictor, model, model.static, history, history.age_at_followup, months, None)
    dynamic = None
    if not dynamic_violations:
        dynamic = _variant_score(
            predictor, model, model.dynamic, history, history.age_at_followup, months, inputs
        )
    scores = PredictorScores(
        static=static if isinstance(static, Score) else None,
        dynamic=dynamic if isinstance(dynamic, Score) else None,
    )
    if isinstance(static, Violation):
        static_violations.append(static)
    if isinstance(dynamic, Violation):
        dynamic_violations.append(dynamic)
    return ReoffendingOutcome(scores, static_violations, dynamic_violations)


def _drug_motivation_checks(model: LinearModel, request: RiskCalculationRequest) -> list[Violation]:
    if not model.drugs or request.motivation_to_tackle_drug_misuse is not None:
        return []
    recorded = [
        to_camel(flag)
        for drug, _, _ in model.drugs
        for flag in DRUG_FLAGS[drug]
        if getattr(request, flag) is True
    ]
    if not recorded:
        return []
    return [
        Violation(
            ("motivationToTackleDrugMisuse", *recorded),
            f"motivationToTackleDrugMisuse is required when drug misuse is recorded ({', '.join(recorded)}).",
            ErrorCode.MOTIVATION_TO_TACKLE_DRUG_MISUSE_INCONSISTENT,
        )
    ]


def _variant_score(
    predictor: ReoffendingPredictor,
    model: ReoffendingModel,
    variant: LinearModel,
    history: CriminalHistory,
    age_at_followup: int,
    offence_free_months: int,
    inputs: DynamicInputs | None,
) -> Score | Violation:
    contributions = _contributions(variant, history, age_at_followup, offence_free_months, inputs)
    probability = logistic(math.fsum(contributions.values()))
    percent = clamp_percent(percentage(probability))
    if percent == 0 and predictor.zero_percent_is_error:
        return Violation(
            (predictor.name,),
            f"The {'static' if inputs is None else 'dynamic'} {predictor.name} score rounds to 0.00%, which the "
            "Ministry's calculator treats as an error.",
            ErrorCode.UNEXPECTED_ERROR,
        )
    return Score(
        probability=probability,
        score=percent,
        band=model.bands.band_of(percent),
        contributions=contributions,
    )


def _contributions(
    model: LinearModel,
    history: CriminalHistory,
    age_at_followup: int,
    offence_free_months: int,
    inputs: DynamicInputs | None,
) -> dict[str, float]:
    """coefficient × feature value of each term of SPEC §4 whose feature is non-zero for this case."""
    sex = model.female if history.gender is Gender.FEMALE else model.male
    terms = {"intercept": model.intercept, sex.age_term: _polynomial(sex.age_poly, age_at_followup)}
    if sex.female is not None:
        terms["female"] = sex.female
    terms["offence_category"] = model.offence_category[history.offence_category]
    sanctions = history.sanctions
    years = history.years_since_first_sanction
    if sanctions == 1:
        terms["first_sanction"] = model.first_sanction
    elif sanctions == 2:
        terms["second_sanction"] = model.second_sanction
        if years:
            terms[sex.gap_term] = sex.gap * years
    else:
        copas = math.log(sanctions / (years + model.copas_offset))
        terms["copas_rate"] = sex.copas_rate * copas
        if sex.copas_rate_squared is not None:
            terms["copas_rate_squared"] = sex.copas_rate_squared * copas * copas
    terms["sanction_occasions"] = model.sanction_occasions * sanctions
    if offence_free_months:
        terms["offence_free_months_poly"] = _polynomial(model.offence_free_months_poly, offence_free_months)
    violence = sex.violence
    violent = history.violent_sanctions
    if violence is not None and violent is not None:
        if violent == 0:
            terms["never_violent"] = violence.never_violent
        else:
            if violent == 1:
                terms["once_violent"] = violence.once_violent
            terms["violent_sanctions"] = violence.violent_sanctions * violent
            terms["violent_rate"] = violence.violent_rate * math.log(violent / (years + violence.rate_offset))
    if inputs is not None:
        answers = inputs.oasys_items
        for item, coefficient in model.oasys_items:
            value = answers[item]
            if value:
                terms[item] = coefficient * value
        drugs = inputs.drugs
        for drug, term, coefficient in model.drugs:
            if drugs[drug]:
                terms[term] = coefficient
        convictions = inputs.previous_convictions
        for conviction, term, coefficient in model.previous_convictions:
            if conviction in convictions:
                terms[term] = coefficient
    return terms


def _polynomial(coefficients: tuple[float, ...], x: int) -> float:
    """``c1·x + c2·x² + …``, with no constant term (SPEC §1.1)."""
    total = 0.0
    for coefficient in reversed(coefficients):
        total = (total + coefficient) * x
    return total

"""ARP, VRP and SVRP: one pipeline, three sets of coefficients (SPEC §3, §4, §9.2, §9.3).

What the three share is worked out once per request (``CriminalHistoryChecks``, ``DynamicInputs``); each
predictor then adds its own checks and scores its static and dynamic variants. This is the calculator's
hot path, written to do little when nothing is wrong (the checks that build violations run only when an
input is absent or faulty); its per-request records are plain slotted dataclasses, the quickest records to
build and read (frozen ones take twice as long to build), or plain tuples, cheaper still, where a record
would be built three times a request (``ReoffendingOutcome``) or is passed on whole (``StaticFeatures``).
"""

from dataclasses import dataclass
from datetime import date
from itertools import compress
from math import exp, fsum
from operator import itemgetter

from pydantic.alias_generators import to_camel

from probation.risk.coefficients import AGE_LIMIT, LinearModel, ReoffendingModel
from probation.risk.dates import add_months, age_in_years, months_between
from probation.risk.enums import (
    MOTIVATION_LEVEL_SCORE,
    PROBLEM_LEVEL_SCORE,
    CurrentRelationshipStatus,
    Gender,
    PreviousConviction,
    RiskBand,
)
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.numerics import MAX_HUNDREDTHS, TIE_MARGIN, half_up_units, with_100_percent_as_99_99
from probation.risk.offences import UNKNOWN_CATEGORY, has_offence_code_format, offence_category
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import PredictorScores, Score

MAX_SANCTIONS = 999
CRIMINAL_HISTORY_FIELDS = (
    "currentOffenceCode",
    "totalNumberOfSanctionsForAllOffences",
    "ageAtFirstSanction",
    "dateOfBirth",
    "dateOfCurrentConviction",
    "dateAtStartOfFollowup",
    "totalNumberOfViolentSanctions",
    "gender",
)
"""The fields ``check_criminal_history`` reads (and tells whether all were given)."""
DYNAMIC_INPUT_FIELDS = (
    "didOffenceInvolveCarryingOrUsingWeapon",
    "suitabilityOfAccommodation",
    "isUnemployed",
    "currentRelationshipStatus",
    "currentRelationshipWithPartner",
    "evidenceOfDomesticAbuse",
    "regularOffendingActivities",
    "motivationToTackleDrugMisuse",
    "currentAlcoholUseProblems",
    "excessiveAlcoholUse",
    "impulsivityProblems",
    "temperControl",
    "proCriminalAttitudes",
    "previousConvictions",
)
"""The answers ``dynamic_inputs`` reads (and tells whether all were given), but for the drug flags."""
PERCENT_BY_HUNDREDTHS = with_100_percent_as_99_99(
    tuple(hundredths / 100 for hundredths in range(MAX_HUNDREDTHS + 1))
)
"""Each whole number of hundredths of a percent, 0 to 10,000, as the percentage reported: 100.00 is
reported as 99.99 (SPEC §4.1). A lookup is cheaper than the division, and than holding the hundredths
below 10,000 first."""
_NOT_TIE_BELOW = 1 - TIE_MARGIN
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
_DRUG_OF_FLAG = tuple(drug for drug, flags in DRUG_FLAGS.items() for _ in flags)
"""The drug of each flag, in the order they are read."""
# Every drug flag, read in one call: the flags are data (DRUG_FLAGS).
_drug_flags = itemgetter(*(flag for flags in DRUG_FLAGS.values() for flag in flags))
# Members read once, as the hot path compares with them (see probation.risk.enums).
_FEMALE = Gender.FEMALE
_LIVING_TOGETHER = CurrentRelationshipStatus.IN_RELATIONSHIP_LIVING_TOGETHER

# Violations that other predictors' checks share.
SANCTIONS_OUT_OF_RANGE = Violation(
    ("totalNumberOfSanctionsForAllOffences",),
    f"totalNumberOfSanctionsForAllOffences must be between 1 and {MAX_SANCTIONS}, counting the current "
    "sanction.",
    ErrorCode.TOTAL_NUMBER_OF_SANCTIONS_OUT_OF_RANGE,
)
OFFENCE_CODE_INCORRECT_FORMAT = Violation(
    ("currentOffenceCode",),
    "currentOffenceCode must be a Home Office offence code of exactly 5 digits, e.g. 02700.",
    ErrorCode.OFFENCE_CODE_INCORRECT_FORMAT,
)
# Where the Ministry's calculation fails computing an age (SPEC §9.2, §9.4).
FOLLOWUP_NOT_AFTER_BIRTH = Violation(
    ("dateAtStartOfFollowup",), "dateAtStartOfFollowup must be after dateOfBirth.", ErrorCode.UNEXPECTED_ERROR
)
_VIOLENT_SANCTIONS_OUT_OF_RANGE = Violation(
    ("totalNumberOfViolentSanctions", "totalNumberOfSanctionsForAllOffences"),
    "totalNumberOfViolentSanctions must be between 0 and totalNumberOfSanctionsForAllOffences.",
    ErrorCode.VIOLENT_SANCTION_OUT_OF_RANGE,
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


StaticFeatures = tuple[int | None, str, int, int, int, int | None]
"""The static features of SPEC §3 that do not depend on the predictor, as the generated terms functions
(``linear_terms``) take them: the age at the start of follow-up (``None`` when the follow-up date is not
after the date of birth, which no terms function is given), the offence category, the sanctions, the
years since the first sanction, the complete months from the start of follow-up to the assessment
(uncapped; 0 if not yet started) and the violent sanctions. A plain tuple: a record would cost ~1.8k
instructions a request to build."""


@dataclass(slots=True)
class CriminalHistoryChecks:
    """The static checks of SPEC §9.2, each group made once for the predictors it applies to."""

    common: list[Violation]
    violent_sanctions: list[Violation]
    """VRP and SVRP only."""
    followup_date: list[Violation]
    """ARP and VRP only."""
    features: StaticFeatures | None
    """When every input they need is present and valid."""
    female: bool
    """The terms functions differ by sex."""
    faulty: bool
    """Whether any of the three groups has a violation."""
    every_input_given: bool
    """Whether every field of ``CRIMINAL_HISTORY_FIELDS`` was given."""
    conviction_age: int | None
    """At the current conviction; ``None`` unless both dates are given, conviction after birth."""
    followup_age: int | None
    """At the start of follow-up, or failing it the conviction; ``None`` likewise."""


@dataclass(slots=True)
class DynamicInputs:
    """The OASys answers, drug flags and previous convictions that count, as model features (SPEC §2.2)."""

    oasys_values: tuple[int, ...]
    """The value of each item of ``OASYS_ITEMS``."""
    drugs: tuple[str, ...]
    """Drugs misused."""
    previous_convictions: tuple[PreviousConviction, ...]
    """Without repeats, in the request's order."""
    motivation_missing: bool
    """No motivation to tackle drug misuse is given."""
    every_answer_given: bool
    """Whether every field of ``DYNAMIC_INPUT_FIELDS`` was given."""


ReoffendingOutcome = tuple[PredictorScores, list[Violation], list[Violation]]
"""A predictor's scores; why there is no score at all, or no static score; and why there is no dynamic
score. A plain tuple, as a record would cost ~1.5k instructions each of the three times a request."""


def check_criminal_history(request: RiskCalculationRequest, assessment_date: date) -> CriminalHistoryChecks:
    code = request.current_offence_code
    sanctions = request.total_number_of_sanctions_for_all_offences
    first_sanction_age = request.age_at_first_sanction
    date_of_birth = request.date_of_birth
    conviction_date = request.date_of_current_conviction
    given_followup_date = request.date_at_start_of_followup
    violent = request.total_number_of_violent_sanctions
    gender = request.gender
    common: list[Violation] = []
    category = offence_category(code) if code is not None else None
    if code is not None and (category is None or category == UNKNOWN_CATEGORY):
        common.append(_offence_code_violation(code))
        category = None
    if sanctions is not None and not 1 <= sanctions <= MAX_SANCTIONS:
        common.append(SANCTIONS_OUT_OF_RANGE)
    if first_sanction_age is not None and not 0 <= first_sanction_age < AGE_LIMIT:
        common.append(
            Violation(
                ("ageAtFirstSanction",),
                f"ageAtFirstSanction must be between 0 and {AGE_LIMIT - 1}.",
                ErrorCode.AGE_AT_FIRST_SANCTION_OUT_OF_RANGE,
            )
        )
    conviction_age = None
    if conviction_date is not None:
        if date_of_birth is not None:
            if conviction_date > date_of_birth:
                conviction_age = age_in_years(date_of_birth, conviction_date)
            else:
                common.append(
                    Violation(
                        ("dateOfCurrentConviction",),
                        "dateOfCurrentConviction must be after dateOfBirth.",
                        ErrorCode.DATE_OF_CURRENT_CONVICTION_BEFORE_DATE_OF_BIRTH,
                    )
                )
        if (
            first_sanction_age is not None
            and conviction_age is not None
            and conviction_age < first_sanction_age
        ):
            common.append(
                Violation(
                    ("dateOfCurrentConviction", "ageAtFirstSanction"),
                    f"ageAtFirstSanction ({first_sanction_age}) is later than the age at "
                    f"dateOfCurrentConviction ({conviction_age}).",
                    ErrorCode.AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION,
                )
            )
        # A conviction on or before the assessment date, the usual case, needs no calendar arithmetic.
        if conviction_date > assessment_date and conviction_date > (
            latest := add_months(assessment_date, CONVICTION_MONTHS_AFTER_ASSESSMENT)
        ):
            common.append(
                Violation(
                    ("dateOfCurrentConviction", "assessmentDate"),
                    "dateOfCurrentConviction must be no later than "
                    f"{CONVICTION_MONTHS_AFTER_ASSESSMENT} months after assessmentDate, i.e. on or before "
                    f"{latest.isoformat()}.",
                    ErrorCode.DATE_OF_CURRENT_CONVICTION_WITHIN_THREE_MONTHS_OF_ASSESSMENT_DATE,
                )
            )

    followup_date = given_followup_date or conviction_date
    followup_age = None
    if followup_date is not None and date_of_birth is not None and followup_date > date_of_birth:
        followup_age = age_in_years(date_of_birth, followup_date)
    features = None
    if (
        not common
        and gender is not None
        and conviction_age is not None
        and first_sanction_age is not None
        and sanctions is not None
        and category is not None
        and followup_date is not None
    ):
        months_in_community = (
            months_between(followup_date, assessment_date) if assessment_date >= followup_date else 0
        )
        features = (
            followup_age,
            category,
            sanctions,
            conviction_age - first_sanction_age,
            months_in_community,
            violent,
        )
    violent_sanctions = (
        [_VIOLENT_SANCTIONS_OUT_OF_RANGE]
        if violent is not None and sanctions is not None and not 0 <= violent <= sanctions
        else []
    )
    followup_date_violations = (
        []
        if followup_age is not None and followup_age < AGE_LIMIT
        else _followup_date_checks(
            given_followup_date is not None, followup_date, followup_age, date_of_birth
        )
    )
    # Positional arguments, in the fields' order: a keyword costs ~470 instructions more each.
    return CriminalHistoryChecks(
        common,
        violent_sanctions,
        followup_date_violations,
        features,
        gender is _FEMALE,
        bool(common or violent_sanctions or followup_date_violations),
        not (
            code is None
            or sanctions is None
            or first_sanction_age is None
            or date_of_birth is None
            or conviction_date is None
            or given_followup_date is None
            or violent is None
            or gender is None
        ),
        conviction_age,
        followup_age,
    )


def _offence_code_violation(code: str) -> Violation:
    """Why ``code`` has no actuarial offence category."""
    if has_offence_code_format(code):
        return Violation(
            ("currentOffenceCode",),
            f"Offence code {code} has no actuarial offence category.",
            ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND,
        )
    return OFFENCE_CODE_INCORRECT_FORMAT


def _followup_date_checks(
    given: bool, followup_date: date | None, followup_age: int | None, date_of_birth: date | None
) -> list[Violation]:
    if followup_date is None:
        return [
            Violation(
                ("dateAtStartOfFollowup",),
                "dateAtStartOfFollowup, or failing it dateOfCurrentConviction, is required.",
                ErrorCode.DATE_OF_START_OF_FOLLOWUP_REQUIRED,
            )
        ]
    # Without a follow-up date the conviction date stands in, and its own checks cover the date of birth.
    field = "dateAtStartOfFollowup" if given else "dateOfCurrentConviction"
    if given and date_of_birth is not None and followup_date <= date_of_birth:
        return [
            Violation(
                (field,),
                f"{field} must be after dateOfBirth.",
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
    """The OASys items, drugs and convictions that count."""
    weapon = request.did_offence_involve_carrying_or_using_weapon
    accommodation = request.suitability_of_accommodation
    unemployed = request.is_unemployed
    relationship_status = request.current_relationship_status
    partner = request.current_relationship_with_partner
    domestic_abuse = request.evidence_of_domestic_abuse
    regular_offending = request.regular_offending_activities
    motivation = request.motivation_to_tackle_drug_misuse
    alcohol_use = request.current_alcohol_use_problems
    excessive_alcohol_use = request.excessive_alcohol_use
    impulsivity = request.impulsivity_problems
    temper = request.temper_control
    attitudes = request.pro_criminal_attitudes
    convictions = request.previous_convictions
    living_together = relationship_status is _LIVING_TOGETHER
    level = PROBLEM_LEVEL_SCORE
    partner_score = level[partner]
    values = (  # in coefficients.OASYS_ITEMS order
        1 if weapon else 0,
        level[accommodation],
        # The API takes a yes/no where OASys 4.2 scores 0/1/2 (SPEC §13.1).
        2 if unemployed else 0,
        1 if living_together else 0,
        partner_score,
        partner_score if living_together else 0,
        1 if domestic_abuse else 0,
        level[regular_offending],
        MOTIVATION_LEVEL_SCORE[motivation],
        level[alcohol_use],
        level[excessive_alcohol_use],
        level[impulsivity],
        level[temper],
        level[attitudes],
    )
    return DynamicInputs(
        values,
        tuple(dict.fromkeys(compress(_DRUG_OF_FLAG, _drug_flags(request.__dict__)))),
        tuple(dict.fromkeys(convictions)) if convictions else (),
        motivation is None,
        not (
            weapon is None
            or accommodation is None
            or unemployed is None
            or relationship_status is None
            or partner is None
            or domestic_abuse is None
            or regular_offending is None
            or motivation is None
            or alcohol_use is None
            or excessive_alcohol_use is None
            or impulsivity is None
            or temper is None
            or attitudes is None
            or convictions is None
        ),
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
    if absent or checks.faulty or inputs.motivation_missing:
        static_violations, dynamic_violations = _input_violations(
            predictor, model, request, absent, checks, inputs
        )
        if static_violations:
            return {"static": None, "dynamic": None}, static_violations, dynamic_violations
    else:
        static_violations, dynamic_violations = [], []
    features = checks.features
    if features is None:
        return {"static": None, "dynamic": None}, static_violations, dynamic_violations
    if checks.followup_age is None:
        # The Ministry's SVRP fails computing the age; ARP and VRP have refused the date already.
        return {"static": None, "dynamic": None}, [FOLLOWUP_NOT_AFTER_BIRTH], dynamic_violations

    # Both variants' contributions in one call, from the function generated for this model and sex.
    static_terms, dynamic_terms = (model.female_terms if checks.female else model.male_terms)(
        features, None if dynamic_violations else inputs
    )
    bands = model.band_by_hundredths
    static = linear_score(static_terms, bands)
    dynamic = None if dynamic_terms is None else linear_score(dynamic_terms, bands)
    if predictor.zero_percent_is_error and (
        not static["score"] or (dynamic is not None and not dynamic["score"])
    ):
        return _without_zero_scores(predictor, static, dynamic, static_violations, dynamic_violations)
    return {"static": static, "dynamic": dynamic}, static_violations, dynamic_violations


def _input_violations(
    predictor: ReoffendingPredictor,
    model: ReoffendingModel,
    request: RiskCalculationRequest,
    absent: frozenset[str],
    checks: CriminalHistoryChecks,
    inputs: DynamicInputs,
) -> tuple[list[Violation], list[Violation]]:
    """Why there is no score at all, or no static score; and why there is no dynamic score."""
    static_violations = [missing(field) for field in model.required_static if field in absent]
    if checks.common:
        static_violations += checks.common
    if checks.violent_sanctions and model.static.male.violence is not None:
        static_violations += checks.violent_sanctions
    if checks.followup_date and predictor.checks_followup_date:
        static_violations += checks.followup_date
    dynamic_violations = [
        missing(field, ErrorCode.MISSING_DYNAMIC_INPUT) for field in model.required_dynamic if field in absent
    ]
    if inputs.motivation_missing and model.dynamic.drugs:
        dynamic_violations += _unmotivated_drug_misuse(model.dynamic, request)
    return static_violations, dynamic_violations


def _unmotivated_drug_misuse(model: LinearModel, request: RiskCalculationRequest) -> list[Violation]:
    recorded = [to_camel(flag) for drug in model.drugs for flag in DRUG_FLAGS[drug] if getattr(request, flag)]
    if not recorded:
        return []
    return [
        Violation(
            ("motivationToTackleDrugMisuse", *recorded),
            f"motivationToTackleDrugMisuse is required when drug misuse is recorded ({', '.join(recorded)}).",
            ErrorCode.MOTIVATION_TO_TACKLE_DRUG_MISUSE_INCONSISTENT,
        )
    ]


def linear_score(contributions: dict[str, float], bands: tuple[RiskBand, ...]) -> Score:
    """The score of one variant of a linear predictor from its terms' contributions (SPEC §4.1): the
    logistic of their exact sum, as a percentage rounded half-up to hundredths (``half_up_units`` of the
    probability, to 4 places) and held below 100%, and its band from ``bands``, by hundredths (as
    ``ReoffendingModel.band_by_hundredths``, 100.00% among them).

    The logistic and the usual rounding are written out here rather than called, as this runs six times a
    request and a call costs about as much as the arithmetic. ``exp`` never overflows: it is only ever
    given a logit of at most 0.
    """
    z = fsum(contributions.values())
    if z >= 0:
        probability = 1.0 / (1.0 + exp(-z))
    else:
        exp_z = exp(z)
        probability = exp_z / (1.0 + exp_z)
    # Half-up: the nearest whole number of hundredths, unless the product is too near a tie for binary64
    # to tell, which half_up_units settles from the exact decimal value of the probability.
    shifted = probability * 10_000 + 0.5
    hundredths = int(shifted)  # the floor, as it is positive
    if not TIE_MARGIN < shifted - hundredths < _NOT_TIE_BELOW:
        hundredths = half_up_units(probability, 4)
    return {
        "probability": probability,
        "score": PERCENT_BY_HUNDREDTHS[hundredths],
        "band": bands[hundredths],
        "contributions": contributions,
    }


def _without_zero_scores(
    predictor: ReoffendingPredictor,
    static: Score,
    dynamic: Score | None,
    static_violations: list[Violation],
    dynamic_violations: list[Violation],
) -> ReoffendingOutcome:
    """The outcome when a variant's score rounds to 0.00%, which the Ministry's calculator treats as an
    error of that variant."""
    if not static["score"]:
        static_violations.append(_rounds_to_zero(predictor, "static"))
    if dynamic is not None and not dynamic["score"]:
        dynamic_violations.append(_rounds_to_zero(predictor, "dynamic"))
        dynamic = None
    return (
        {"static": static if static["score"] else None, "dynamic": dynamic},
        static_violations,
        dynamic_violations,
    )


def _rounds_to_zero(predictor: ReoffendingPredictor, variant: str) -> Violation:
    return Violation(
        (predictor.name,),
        f"The {variant} {predictor.name} score rounds to 0.00%, which the Ministry's calculator treats as an "
        "error.",
        ErrorCode.UNEXPECTED_ERROR,
    )

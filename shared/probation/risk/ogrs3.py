"""Legacy OGRS3, as the Ministry computed it before ARP replaced it (SPEC §8, §9.7)."""

import math

from probation.risk.coefficients import Ogrs3Model
from probation.risk.dates import age_in_years
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.numerics import half_up_units, ministry_sigmoid, round_half_up
from probation.risk.offences import ogrs3_offence_weight
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import Ogrs3Score

OGRS3_REQUIRED = (
    "gender",
    "dateOfBirth",
    "dateOfCurrentConviction",
    "dateAtStartOfFollowup",
    "totalNumberOfSanctionsForAllOffences",
    "ageAtFirstSanction",
    "currentOffenceCode",
)
MIN_CONVICTION_AGE = 10


def ogrs3(
    model: Ogrs3Model, request: RiskCalculationRequest, absent: frozenset[str]
) -> tuple[Ogrs3Score | None, list[Violation]]:
    violations = [missing(field) for field in OGRS3_REQUIRED if field in absent]
    sanctions = request.total_number_of_sanctions_for_all_offences
    if sanctions is not None and sanctions < 1:
        violations.append(
            Violation(
                ("totalNumberOfSanctionsForAllOffences",),
                "totalNumberOfSanctionsForAllOffences must be at least 1, counting the current sanction.",
                ErrorCode.TOTAL_NUMBER_OF_SANCTIONS_LESS_THAN_ONE,
            )
        )
    code = request.current_offence_code
    if code is not None and len(code) != 5:
        violations.append(
            Violation(
                ("currentOffenceCode",),
                "currentOffenceCode must be a Home Office offence code of exactly 5 digits, e.g. 02700.",
                ErrorCode.OFFENCE_CODE_INCORRECT_FORMAT,
            )
        )
    gender = request.gender
    date_of_birth = request.date_of_birth
    conviction_date = request.date_of_current_conviction
    followup_date = request.date_at_start_of_followup
    first_sanction_age = request.age_at_first_sanction
    if (
        violations
        or gender is None
        or date_of_birth is None
        or conviction_date is None
        or followup_date is None
        or sanctions is None
        or first_sanction_age is None
        or code is None
    ):
        return None, violations

    # Not after the date of birth, the age comes out at 0 or below, so this check covers that too.
    conviction_age = age_in_years(date_of_birth, conviction_date)
    if conviction_age < MIN_CONVICTION_AGE:
        violations.append(
            Violation(
                ("dateOfBirth", "dateOfCurrentConviction"),
                f"The age at dateOfCurrentConviction must be at least {MIN_CONVICTION_AGE}.",
                ErrorCode.AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN,
            )
        )
    elif first_sanction_age > conviction_age:
        violations.append(
            Violation(
                ("dateOfBirth", "dateOfCurrentConviction", "ageAtFirstSanction"),
                f"ageAtFirstSanction ({first_sanction_age}) is later than the age at dateOfCurrentConviction "
                f"({conviction_age}).",
                ErrorCode.AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION,
            )
        )
    weighting = ogrs3_offence_weight(code)
    offence_weight = weighting.weight if weighting is not None else None
    if offence_weight is None:
        needs_exact_offence = (
            weighting is not None and weighting.error_code == ErrorCode.NEED_DETAILS_OF_EXACT_OFFENCE
        )
        violations.append(
            Violation(
                ("currentOffenceCode",),
                f"OGRS3 weighs offence group {code[:3]} by the exact offence: give its specific sub-code."
                if needs_exact_offence
                else f"Offence code {code} has no OGRS3 offence weighting.",
                ErrorCode.NEED_DETAILS_OF_EXACT_OFFENCE
                if needs_exact_offence
                else ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND,
            )
        )
    age_weight = model.age_gender_weight(gender, age_in_years(date_of_birth, followup_date))
    if age_weight is None:
        violations.append(
            Violation(
                ("dateAtStartOfFollowup",),
                f"OGRS3 needs an age of at least {MIN_CONVICTION_AGE} at dateAtStartOfFollowup.",
                None,
            )
        )
    if violations or offence_weight is None or age_weight is None:
        return None, violations

    career_years = model.copas_career_offset + conviction_age - first_sanction_age
    total = (
        age_weight
        + (model.first_sanction if sanctions == 1 else model.repeat_offender)
        + model.copas_coefficient * math.log(sanctions / career_years)
        + offence_weight
    )
    one_year = _percent(ministry_sigmoid(total + model.one_year_intercept))
    two_year = _percent(ministry_sigmoid(total + model.two_year_intercept))
    return Ogrs3Score(one_year=one_year, two_year=two_year, band=model.bands.band_of(two_year)), []


def _percent(probability: float) -> int:
    """Rounded to 5 dp first (a binary64, as in the source), then to a whole percent: 0.084996 gives 9;
    held within 1..99."""
    percent = half_up_units(round_half_up(probability, 5), 2)
    return min(max(percent, 1), 99)

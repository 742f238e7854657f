"""Legacy OGRS3, as the Ministry computed it before ARP replaced it (SPEC §8, §9.7)."""

import math

from probation.risk.coefficients import Ogrs3Model
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.numerics import half_up_units, ministry_sigmoid
from probation.risk.offences import ogrs3_offence_weight, ogrs3_weight_by_code
from probation.risk.reoffending import OFFENCE_CODE_INCORRECT_FORMAT, CriminalHistoryChecks
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
    model: Ogrs3Model, request: RiskCalculationRequest, absent: frozenset[str], checks: CriminalHistoryChecks
) -> tuple[Ogrs3Score | None, list[Violation]]:
    violations = [missing(field) for field in OGRS3_REQUIRED if field in absent] if absent else []
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
        violations.append(OFFENCE_CODE_INCORRECT_FORMAT)
    gender = request.gender
    first_sanction_age = request.age_at_first_sanction
    # Missing fields are among the violations; the rest of the condition is for the type checker.
    if violations or gender is None or sanctions is None or first_sanction_age is None or code is None:
        return None, violations

    # A conviction not after the date of birth has no age: it fails this check too.
    conviction_age = checks.conviction_age
    if conviction_age is None or conviction_age < MIN_CONVICTION_AGE:
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
    offence_weight = ogrs3_weight_by_code().get(code)
    if offence_weight is None:
        violations.append(_unweighted_offence(code))
    # The follow-up date is given, so the age is at that date; none if it is not after the date of birth.
    # The age is never negative, and a table's last value holds for every greater age (StepFunction.at
    # would cost a call, ~600 instructions).
    followup_age = checks.followup_age
    age_weight = None
    if followup_age is not None:
        age_weights = model.age_gender_weights[gender].table
        age_weight = age_weights[followup_age] if followup_age < len(age_weights) else age_weights[-1]
    if age_weight is None:
        violations.append(
            Violation(
                ("dateAtStartOfFollowup",),
                f"OGRS3 needs an age of at least {MIN_CONVICTION_AGE} at dateAtStartOfFollowup.",
                None,
            )
        )
    if violations or offence_weight is None or age_weight is None or conviction_age is None:
        return None, violations

    career_years = model.copas_career_offset + conviction_age - first_sanction_age
    total = (
        age_weight
        + (model.first_sanction if sanctions == 1 else model.repeat_offender)
        + model.copas_coefficient * math.log(sanctions / career_years)
        + offence_weight
    )
    one_year = whole_percent(ministry_sigmoid(total + model.one_year_intercept))
    two_year = whole_percent(ministry_sigmoid(total + model.two_year_intercept))
    return {"oneYear": one_year, "twoYear": two_year, "band": model.band_by_percent[two_year]}, []


def _unweighted_offence(code: str) -> Violation:
    weighting = ogrs3_offence_weight(code)
    if weighting is not None and weighting.error_code == ErrorCode.NEED_DETAILS_OF_EXACT_OFFENCE:
        return Violation(
            ("currentOffenceCode",),
            f"OGRS3 weighs offence group {code[:3]} by the exact offence: give its specific sub-code.",
            ErrorCode.NEED_DETAILS_OF_EXACT_OFFENCE,
        )
    return Violation(
        ("currentOffenceCode",),
        f"Offence code {code} has no OGRS3 offence weighting.",
        ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND,
    )


def whole_percent(probability: float) -> int:
    """Rounded to 5 dp first, into a binary64 as in the source, then to a whole percent (0.084996 gives 9),
    and held within 1..99."""
    scaled = probability * 100
    percent = int(scaled + 0.5)
    # Rounding to 5 dp first moves the probability by half a hundred-thousandth at most (0.0005 percent), so
    # it changes the result only that near a half percent: anywhere else the nearest whole percent is the
    # result, which spares half_up_units (~2k instructions).
    if abs(scaled - percent) > _NEAR_HALF_PERCENT:
        percent = _whole_percent_of_five_places(probability)
    return 1 if percent < 1 else 99 if percent > 99 else percent


_NEAR_HALF_PERCENT = 0.5 - 0.001
"""Beyond this distance from a whole percent (a hundred-thousandth of probability from a half percent, twice
what rounding to 5 dp can move it) ``whole_percent`` settles the result directly."""


def _whole_percent_of_five_places(probability: float) -> int:
    """``probability`` rounded half-up to 5 dp, into a binary64 as in the source, then to a whole percent."""
    hundred_thousandths = half_up_units(probability, 5)
    # Only a tie (…500 hundred-thousandths) depends on the binary64 the source rounds a second time; any
    # other rounds to the nearest whole percent as integers do, sparing a second half_up_units.
    if hundred_thousandths % 1000 == 500:
        return half_up_units(hundred_thousandths / 100_000, 2)
    return (hundred_thousandths + 500) // 1000

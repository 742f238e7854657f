"""The sexual reoffending predictors, DC-SRP (SPEC §5) and IIC-SRP (SPEC §6), and their checks (§9.4)."""

from datetime import date

from probation.risk.coefficients import AGE_LIMIT, DirectContactModel, IndirectContactModel
from probation.risk.dates import age_in_years, latest_start
from probation.risk.enums import Gender, RiskBand, SupervisionStatus
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.reoffending import FOLLOWUP_NOT_AFTER_BIRTH, MAX_SANCTIONS, SANCTIONS_OUT_OF_RANGE
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import DirectContactSexualScore, IndirectContactSexualScore

DIRECT_CONTACT_REQUIRED = (
    "gender",
    "supervisionStatus",
    "hasEverCommittedSexualOffence",
    "dateOfBirth",
    "dateAtStartOfFollowup",
    "totalNumberOfSanctionsForAllOffences",
)
INDIRECT_CONTACT_REQUIRED = ("gender", "hasEverCommittedSexualOffence")
BAND_REDUCTION_YEARS = 5
"""How long a man in the community must have been offence-free for his DC-SRP band to drop a step."""

# The four sexual counts, in the order of the IIC-SRP rules' SEXUAL_COUNTS.
COUNT_FIELDS = (
    "totalIndecentImageSanctions",
    "totalContactAdultSexualSanctions",
    "totalContactChildSexualSanctions",
    "totalNonContactSexualOffences",
)
# The checks' violations, made once.
_NO_SEXUAL_SANCTIONS = Violation(
    COUNT_FIELDS,
    "A sexual offending history needs at least one sexual sanction or offence counted.",
    ErrorCode.SEXUAL_REOFFENDING_PREDICTOR_NO_SANCTIONS,
)
_TOO_MANY_SEXUAL_SANCTIONS = Violation(
    COUNT_FIELDS,
    "The sexual sanctions and offences counted must not outnumber totalNumberOfSanctionsForAllOffences.",
    ErrorCode.TOTAL_NUMBER_OF_SEXUAL_SANCTIONS_OUT_OF_RANGE,
)
_FOLLOWUP_AGE_OUT_OF_RANGE = Violation(
    ("dateAtStartOfFollowup",),
    f"The age at dateAtStartOfFollowup must be below {AGE_LIMIT}.",
    ErrorCode.DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE,
)
_SEXUAL_OFFENCE_DATE_MISSING = missing("dateOfMostRecentSexualOffence")
_SEXUAL_OFFENCE_BEFORE_BIRTH = Violation(
    ("dateOfMostRecentSexualOffence",),
    "dateOfMostRecentSexualOffence must be after dateOfBirth.",
    ErrorCode.DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_BEFORE_DATE_OF_BIRTH,
)
_SEXUAL_OFFENCE_AGE_OUT_OF_RANGE = Violation(
    ("dateOfMostRecentSexualOffence",),
    f"The age at dateOfMostRecentSexualOffence must be below {AGE_LIMIT}.",
    ErrorCode.DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_OUT_OF_RANGE,
)
# Members read once, as the hot path compares with them (see probation.risk.enums).
_MALE, _FEMALE = Gender.MALE, Gender.FEMALE
_CUSTODY = SupervisionStatus.CUSTODY
_NOT_APPLICABLE = RiskBand.NOT_APPLICABLE


def sexual_history_checks(request: RiskCalculationRequest) -> list[Violation]:
    """The checks of the four sexual counts that DC-SRP and IIC-SRP share; women are exempt."""
    if request.gender is _FEMALE:
        return []
    history = request.has_ever_committed_sexual_offence
    images = request.total_indecent_image_sanctions
    adult = request.total_contact_adult_sexual_sanctions
    child = request.total_contact_child_sexual_sanctions
    non_contact = request.total_non_contact_sexual_offences
    # Each count is tested on its own: `None in counts` compares with each (~150 instructions apiece).
    any_missing = images is None or adult is None or child is None or non_contact is None
    violations: list[Violation] = []
    if history is not False:
        if any_missing:
            counts = (images, adult, child, non_contact)
            violations += [
                missing(field) for field, count in zip(COUNT_FIELDS, counts, strict=True) if count is None
            ]
        elif not (images or adult or child or non_contact):
            violations.append(_NO_SEXUAL_SANCTIONS)
        sanctions = request.total_number_of_sanctions_for_all_offences
        # A missing count adds nothing.
        if (
            sanctions is not None
            and (images or 0) + (adult or 0) + (child or 0) + (non_contact or 0) > sanctions
        ):
            violations.append(_TOO_MANY_SEXUAL_SANCTIONS)
    if history is not True and (images or adult or child or non_contact):
        counts = (images, adult, child, non_contact)
        counted = [field for field, count in zip(COUNT_FIELDS, counts, strict=True) if count]
        violations.append(
            Violation(
                ("hasEverCommittedSexualOffence", *counted),
                "Sexual sanctions are counted, but hasEverCommittedSexualOffence is not true.",
                ErrorCode.SEXUAL_REOFFENDING_PREDICTOR_INCONSISTENT_INPUT,
            )
        )
    return violations


def direct_contact(
    model: DirectContactModel,
    request: RiskCalculationRequest,
    assessment_date: date,
    absent: frozenset[str],
    history_checks: list[Violation],
    criminal_history_followup_age: int | None,
) -> tuple[DirectContactSexualScore | None, list[Violation]]:
    """``criminal_history_followup_age`` is ``CriminalHistoryChecks.followup_age``: the age at the start of
    follow-up when it is given and after the date of birth, which DC-SRP needs, and is not worked out
    again (~1.5k instructions)."""
    gender = request.gender
    history = request.has_ever_committed_sexual_offence
    date_of_birth = request.date_of_birth
    followup_date = request.date_at_start_of_followup
    sanctions = request.total_number_of_sanctions_for_all_offences
    supervision = request.supervision_status
    violations = [missing(field) for field in DIRECT_CONTACT_REQUIRED if field in absent] if absent else []
    violations += history_checks
    # The ages are computed only where a check or the score needs them (never for a woman: ~2.5k
    # instructions each), and the checks append to one list rather than each call and return its own.
    # Failing the date, the criminal history's age is at the conviction, which DC-SRP does not use.
    followup_age = criminal_history_followup_age if followup_date is not None else None
    sexual_offence_points = model.age_at_most_recent_sexual_offence.table[0]
    if gender is not _FEMALE and history is not False:
        if sanctions is not None and not 1 <= sanctions <= MAX_SANCTIONS:
            violations.append(SANCTIONS_OUT_OF_RANGE)
        if followup_age is not None and followup_age >= AGE_LIMIT:
            violations.append(_FOLLOWUP_AGE_OUT_OF_RANGE)
        if gender is _MALE and history is True:
            sexual_offence_points = _checked_sexual_offence_age_points(
                model.age_at_most_recent_sexual_offence.table,
                date_of_birth,
                request.date_of_most_recent_sexual_offence,
                violations,
            )
    if (
        violations
        or gender is None
        or history is None
        or followup_date is None
        or sanctions is None
        or supervision is None
    ):
        return None, violations
    if gender is _FEMALE or not history:
        return {"points": 0, "probability": 0.0, "score": 0.0, "band": _NOT_APPLICABLE}, []
    if followup_age is None:
        # The Ministry's DC-SRP fails computing the age.
        return None, [FOLLOWUP_NOT_AFTER_BIRTH]

    adult = request.total_contact_adult_sexual_sanctions
    child = request.total_contact_child_sexual_sanctions
    non_contact = request.total_non_contact_sexual_offences
    # The history checks have refused a man's missing counts.
    assert adult is not None
    assert child is not None
    assert non_contact is not None
    count_points = model.count_points.get((adult, child, non_contact))
    if count_points is None:
        # A count beyond the tables, or below 0, which no check refuses.
        count_points = (
            model.contact_adult_sanctions.at(adult)
            + model.contact_child_sanctions.at(child)
            + model.non_contact_offences.at(non_contact)
        )
    # The checks have held the ages below AGE_LIMIT, which their tables reach, and the sanctions above 0: a
    # table's last value holds for every larger number (StepFunction.at would cost a call, ~600 instructions).
    sanction_points = model.total_sanctions.table
    points = (
        count_points
        + model.age_at_start_of_followup.table[followup_age]
        + sexual_offence_points
        + (sanction_points[sanctions] if sanctions < len(sanction_points) else sanction_points[-1])
        + (model.victim_stranger_points if request.is_current_offence_against_victim_stranger else 0)
    )
    band = model.band_by_points[points]
    reduced_band = model.reduced_band_by_points[points]
    # Reduced if by the assessment BAND_REDUCTION_YEARS have passed since the follow-up started and since
    # the most recent offence and sexual offence (where given).
    if (
        reduced_band is not None
        and supervision is not _CUSTODY
        and (latest := latest_start(assessment_date, BAND_REDUCTION_YEARS)) is not None
        and followup_date <= latest
        and ((offence_date := request.most_recent_offence_date) is None or offence_date <= latest)
        and (
            (sexual_offence_date := request.date_of_most_recent_sexual_offence) is None
            or sexual_offence_date <= latest
        )
    ):
        band = reduced_band
    return {
        "points": points,
        "probability": model.probability_by_points[points],
        "score": model.percent_by_points[points],
        "band": band,
    }, []


def _checked_sexual_offence_age_points(
    points_by_age: tuple[int, ...],
    date_of_birth: date | None,
    offence_date: date | None,
    violations: list[Violation],
) -> int:
    """The points of the age at the most recent sexual offence (those of 0 without an age); appends what is
    wrong with the offence date."""
    if offence_date is None:
        violations.append(_SEXUAL_OFFENCE_DATE_MISSING)
        return points_by_age[0]
    if date_of_birth is None:
        return points_by_age[0]
    if offence_date <= date_of_birth:
        violations.append(_SEXUAL_OFFENCE_BEFORE_BIRTH)
        return points_by_age[0]
    # The age is the difference of the years, or one less before the birthday. Where both are below
    # AGE_LIMIT and have the same points, which it is does not matter, and age_in_years (four more date
    # fields read, ~2k instructions) is spared.
    years = offence_date.year - date_of_birth.year
    if 0 < years < AGE_LIMIT and points_by_age[years] == points_by_age[years - 1]:
        return points_by_age[years]
    age = age_in_years(date_of_birth, offence_date)
    if age >= AGE_LIMIT:
        violations.append(_SEXUAL_OFFENCE_AGE_OUT_OF_RANGE)
        return points_by_age[0]
    return points_by_age[age]


def indirect_contact(
    model: IndirectContactModel,
    request: RiskCalculationRequest,
    absent: frozenset[str],
    history_checks: list[Violation],
) -> tuple[IndirectContactSexualScore | None, list[Violation]]:
    # Usually neither: building an empty list of violations costs ~500 instructions.
    if absent or history_checks:
        violations = [missing(field) for field in INDIRECT_CONTACT_REQUIRED if field in absent]
        violations += history_checks
        if violations:
            return None, violations
    if request.has_ever_committed_sexual_offence is not True:
        return {"probability": 0.0, "score": 0.0, "band": _NOT_APPLICABLE}, []
    images = request.total_indecent_image_sanctions
    adult = request.total_contact_adult_sexual_sanctions
    child = request.total_contact_child_sexual_sanctions
    non_contact = request.total_non_contact_sexual_offences
    if images is None or adult is None or child is None or non_contact is None:
        counts = (images, adult, child, non_contact)
        # Only women get here: the Ministry's IIC-SRP still reads their counts, and fails without them.
        return None, [
            Violation(
                (field,),
                f"{field} is required, even for a woman, by the Ministry's IIC-SRP.",
                ErrorCode.UNEXPECTED_ERROR,
            )
            for field, count in zip(COUNT_FIELDS, counts, strict=True)
            if count is None
        ]
    if request.gender is _FEMALE:
        rung = model.female_with_sexual_history
    else:
        # Counts are usually within the table, and a call is spared (~600 instructions).
        counts = (images, adult, child, non_contact)
        rung = model.rung_by_counts.get(counts) or model.rung_for(counts)
    return {"probability": rung.probability, "score": rung.percent, "band": rung.band}, []

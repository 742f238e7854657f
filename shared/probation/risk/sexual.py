"""The sexual reoffending predictors, DC-SRP (SPEC §5) and IIC-SRP (SPEC §6), and their checks (§9.4)."""

from collections.abc import Mapping
from datetime import date

from probation.risk.coefficients import CountCondition, DirectContactModel, IndirectContactModel
from probation.risk.dates import age_in_years, years_between
from probation.risk.enums import Gender, RiskBand, SupervisionStatus
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.numerics import ministry_sigmoid, percentage
from probation.risk.reoffending import AGE_LIMIT, MAX_SANCTIONS
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

# Request field of each sexual count, and its name in the IIC-SRP rules.
_COUNT_FIELDS = (
    ("totalIndecentImageSanctions", "indecent_image_sanctions"),
    ("totalContactAdultSexualSanctions", "contact_adult_sexual_sanctions"),
    ("totalContactChildSexualSanctions", "contact_child_sexual_sanctions"),
    ("totalNonContactSexualOffences", "non_contact_sexual_offences"),
)
_COUNT_NAMES = tuple(field for field, _ in _COUNT_FIELDS)

_NOT_APPLICABLE_DIRECT = DirectContactSexualScore(
    points=0, probability=0.0, score=0.0, band=RiskBand.NOT_APPLICABLE
)
_NOT_APPLICABLE_INDIRECT = IndirectContactSexualScore(
    probability=0.0, score=0.0, band=RiskBand.NOT_APPLICABLE
)


def _counts(request: RiskCalculationRequest) -> dict[str, int | None]:
    return {
        "totalIndecentImageSanctions": request.total_indecent_image_sanctions,
        "totalContactAdultSexualSanctions": request.total_contact_adult_sexual_sanctions,
        "totalContactChildSexualSanctions": request.total_contact_child_sexual_sanctions,
        "totalNonContactSexualOffences": request.total_non_contact_sexual_offences,
    }


def sexual_history_checks(request: RiskCalculationRequest) -> list[Violation]:
    """The checks of the four sexual counts that DC-SRP and IIC-SRP share; women are exempt."""
    if request.gender is Gender.FEMALE:
        return []
    history = request.has_ever_committed_sexual_offence
    counts = _counts(request)
    violations: list[Violation] = []
    if history is not False:
        violations += [missing(field) for field, count in counts.items() if count is None]
        if all(count == 0 for count in counts.values()):
            violations.append(
                Violation(
                    _COUNT_NAMES,
                    "A sexual offending history needs at least one sexual sanction or offence counted.",
                    ErrorCode.SEXUAL_REOFFENDING_PREDICTOR_NO_SANCTIONS,
                )
            )
        sanctions = request.total_number_of_sanctions_for_all_offences
        if sanctions is not None and sum(count or 0 for count in counts.values()) > sanctions:
            violations.append(
                Violation(
                    _COUNT_NAMES,
                    "The sexual sanctions and offences counted must not outnumber "
                    "totalNumberOfSanctionsForAllOffences.",
                    ErrorCode.TOTAL_NUMBER_OF_SEXUAL_SANCTIONS_OUT_OF_RANGE,
                )
            )
    if history is not True:
        counted = [field for field, count in counts.items() if count]
        if counted:
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
) -> tuple[DirectContactSexualScore | None, list[Violation]]:
    gender = request.gender
    history = request.has_ever_committed_sexual_offence
    date_of_birth = request.date_of_birth
    followup_date = request.date_at_start_of_followup
    sanctions = request.total_number_of_sanctions_for_all_offences
    supervision = request.supervision_status
    violations = [missing(field) for field in DIRECT_CONTACT_REQUIRED if field in absent] + history_checks
    if gender is not Gender.FEMALE and history is not False:
        if sanctions is not None and not 1 <= sanctions <= MAX_SANCTIONS:
            violations.append(
                Violation(
                    ("totalNumberOfSanctionsForAllOffences",),
                    f"totalNumberOfSanctionsForAllOffences must be between 1 and {MAX_SANCTIONS}, counting the "
                    "current sanction.",
                    ErrorCode.TOTAL_NUMBER_OF_SANCTIONS_OUT_OF_RANGE,
                )
            )
        if (
            followup_date is not None
            and date_of_birth is not None
            and followup_date > date_of_birth
            and age_in_years(date_of_birth, followup_date) >= AGE_LIMIT
        ):
            violations.append(
                Violation(
                    ("dateAtStartOfFollowup",),
                    f"The age at dateAtStartOfFollowup must be below {AGE_LIMIT}.",
                    ErrorCode.DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE,
                )
            )
    recent_sexual_offence = request.date_of_most_recent_sexual_offence
    if gender is Gender.MALE and history is True:
        violations += _most_recent_sexual_offence_checks(recent_sexual_offence, date_of_birth)

    if (
        violations
        or gender is None
        or history is None
        or date_of_birth is None
        or followup_date is None
        or sanctions is None
        or supervision is None
    ):
        return None, violations
    if gender is Gender.FEMALE or not history:
        return _NOT_APPLICABLE_DIRECT, []
    if followup_date <= date_of_birth:
        # The Ministry's DC-SRP fails computing the age (SPEC §9.4).
        unexpected = Violation(
            ("dateAtStartOfFollowup",),
            "dateAtStartOfFollowup must be after dateOfBirth.",
            ErrorCode.UNEXPECTED_ERROR,
        )
        return None, [unexpected]

    points = (
        model.contact_adult_sanctions.points(request.total_contact_adult_sexual_sanctions or 0)
        + model.contact_child_sanctions.points(request.total_contact_child_sexual_sanctions or 0)
        + model.non_contact_offences.points(request.total_non_contact_sexual_offences or 0)
        + model.age_at_start_of_followup.points(age_in_years(date_of_birth, followup_date))
        + model.age_at_most_recent_sexual_offence.points(
            age_in_years(date_of_birth, recent_sexual_offence) if recent_sexual_offence is not None else 0
        )
        + model.total_sanctions.points(sanctions)
        + (model.victim_stranger_points if request.is_current_offence_against_victim_stranger else 0)
    )
    probability = (
        ministry_sigmoid(model.logistic_intercept + model.logistic_slope * points) if points else 0.0
    )
    band = model.bands_by_points.band_of(points)
    if (
        supervision is not SupervisionStatus.CUSTODY
        and band in model.band_reduction
        and _offence_free_long_enough(request.most_recent_offence_date, assessment_date)
        and _offence_free_long_enough(recent_sexual_offence, assessment_date)
        and years_between(followup_date, assessment_date) >= BAND_REDUCTION_YEARS
    ):
        band = model.band_reduction[band]
    return DirectContactSexualScore(
        points=points, probability=probability, score=percentage(probability), band=band
    ), []


def _most_recent_sexual_offence_checks(recent: date | None, date_of_birth: date | None) -> list[Violation]:
    field = "dateOfMostRecentSexualOffence"
    if recent is None:
        return [missing(field)]
    if date_of_birth is None:
        return []
    if recent <= date_of_birth:
        return [
            Violation(
                (field,),
                f"{field} must be after dateOfBirth.",
                ErrorCode.DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_BEFORE_DATE_OF_BIRTH,
            )
        ]
    if age_in_years(date_of_birth, recent) >= AGE_LIMIT:
        return [
            Violation(
                (field,),
                f"The age at {field} must be below {AGE_LIMIT}.",
                ErrorCode.DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_OUT_OF_RANGE,
            )
        ]
    return []


def _offence_free_long_enough(offence_date: date | None, assessment_date: date) -> bool:
    return offence_date is None or years_between(offence_date, assessment_date) >= BAND_REDUCTION_YEARS


def indirect_contact(
    model: IndirectContactModel,
    request: RiskCalculationRequest,
    absent: frozenset[str],
    history_checks: list[Violation],
) -> tuple[IndirectContactSexualScore | None, list[Violation]]:
    violations = [missing(field) for field in INDIRECT_CONTACT_REQUIRED if field in absent] + history_checks
    gender = request.gender
    if violations or gender is None:
        return None, violations
    if request.has_ever_committed_sexual_offence is not True:
        return _NOT_APPLICABLE_INDIRECT, []
    counts = _counts(request)
    uncounted = [field for field, count in counts.items() if count is None]
    if uncounted:
        # Only women get here: the Ministry's IIC-SRP still reads their counts, and fails without them.
        return None, [
            Violation(
                (field,),
                f"{field} is required, even for a woman, by the Ministry's IIC-SRP.",
                ErrorCode.UNEXPECTED_ERROR,
            )
            for field in uncounted
        ]
    if gender is Gender.FEMALE:
        probability = model.female_with_sexual_history_probability
        band = model.female_with_sexual_history_band
    else:
        named_counts = {name: counts[field] or 0 for field, name in _COUNT_FIELDS}
        probability, band = next(
            (rung.probability, rung.band)
            for rung in model.hierarchy
            if all(_holds(condition, named_counts) for condition in rung.conditions)
        )
    return IndirectContactSexualScore(probability=probability, score=percentage(probability), band=band), []


def _holds(condition: CountCondition, counts: Mapping[str, int]) -> bool:
    count = counts[condition.count]
    if condition.operator == ">=":
        return count >= condition.value
    if condition.operator == "==":
        return count == condition.value
    return count != condition.value

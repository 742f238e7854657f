"""Why a predictor could not be scored: the Ministry's validation errors (SPEC §9), as named field errors.

Each predictor collects ``Violation``s; the calculator then reports each distinct one once, as a
``FieldError`` per field it names, saying which predictors it stopped.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from probation.risk.result import FieldError


class ErrorCode(StrEnum):
    """The Ministry's validation error types."""

    MISSING_MANDATORY_INPUT = "MISSING_MANDATORY_INPUT"
    MISSING_DYNAMIC_INPUT = "MISSING_DYNAMIC_INPUT"
    OFFENCE_CODE_INCORRECT_FORMAT = "OFFENCE_CODE_INCORRECT_FORMAT"
    OFFENCE_CODE_MAPPING_NOT_FOUND = "OFFENCE_CODE_MAPPING_NOT_FOUND"
    NEED_DETAILS_OF_EXACT_OFFENCE = "NEED_DETAILS_OF_EXACT_OFFENCE"
    TOTAL_NUMBER_OF_SANCTIONS_OUT_OF_RANGE = "TOTAL_NUMBER_OF_SANCTIONS_OUT_OF_RANGE"
    TOTAL_NUMBER_OF_SANCTIONS_LESS_THAN_ONE = "TOTAL_NUMBER_OF_SANCTIONS_LESS_THAN_ONE"
    VIOLENT_SANCTION_OUT_OF_RANGE = "VIOLENT_SANCTION_OUT_OF_RANGE"
    AGE_AT_FIRST_SANCTION_OUT_OF_RANGE = "AGE_AT_FIRST_SANCTION_OUT_OF_RANGE"
    AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION = (
        "AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION"
    )
    AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN = "AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN"
    DATE_OF_CURRENT_CONVICTION_BEFORE_DATE_OF_BIRTH = "DATE_OF_CURRENT_CONVICTION_BEFORE_DATE_OF_BIRTH"
    DATE_OF_CURRENT_CONVICTION_WITHIN_THREE_MONTHS_OF_ASSESSMENT_DATE = (
        "DATE_OF_CURRENT_CONVICTION_WITHIN_THREE_MONTHS_OF_ASSESSMENT_DATE"
    )
    DATE_OF_START_OF_FOLLOWUP_REQUIRED = "DATE_OF_START_OF_FOLLOWUP_REQUIRED"
    DATE_OF_START_OF_FOLLOWUP_BEFORE_DATE_OF_BIRTH = "DATE_OF_START_OF_FOLLOWUP_BEFORE_DATE_OF_BIRTH"
    DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE = "DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE"
    DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_BEFORE_DATE_OF_BIRTH = (
        "DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_BEFORE_DATE_OF_BIRTH"
    )
    DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_OUT_OF_RANGE = "DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_OUT_OF_RANGE"
    MOTIVATION_TO_TACKLE_DRUG_MISUSE_INCONSISTENT = "MOTIVATION_TO_TACKLE_DRUG_MISUSE_INCONSISTENT"
    SEXUAL_REOFFENDING_PREDICTOR_NO_SANCTIONS = "SEXUAL_REOFFENDING_PREDICTOR_NO_SANCTIONS"
    SEXUAL_REOFFENDING_PREDICTOR_INCONSISTENT_INPUT = "SEXUAL_REOFFENDING_PREDICTOR_INCONSISTENT_INPUT"
    TOTAL_NUMBER_OF_SEXUAL_SANCTIONS_OUT_OF_RANGE = "TOTAL_NUMBER_OF_SEXUAL_SANCTIONS_OUT_OF_RANGE"
    COMPONENT_VALIDATION_ERROR = "COMPONENT_VALIDATION_ERROR"
    LDS_NOT_ENOUGH_FIELDS_PRESENT = "LDS_NOT_ENOUGH_FIELDS_PRESENT"
    DOMESTIC_ABUSE_INCONSISTENT_INPUT = "DOMESTIC_ABUSE_INCONSISTENT_INPUT"
    UNEXPECTED_ERROR = "UNEXPECTED_ERROR"


@dataclass(frozen=True, slots=True)
class Violation:
    """One reason a predictor cannot be scored."""

    fields: tuple[str, ...]
    """Request fields (camelCase) at fault."""
    sentence: str
    code: ErrorCode | None
    """The Ministry's error type, where SPEC names one."""


def missing(field: str, code: ErrorCode = ErrorCode.MISSING_MANDATORY_INPUT) -> Violation:
    if code is ErrorCode.MISSING_DYNAMIC_INPUT:
        return Violation(
            (field,), f"{field} is required for the dynamic score, so only the static one is given.", code
        )
    return Violation((field,), f"{field} is required.", code)


def field_errors(stopped: Iterable[tuple[str, Sequence[Violation]]]) -> list[FieldError]:
    """One error per field of each distinct violation, naming every predictor (or part) it stopped.

    ``stopped`` pairs a predictor label, e.g. ``allReoffending`` or ``allReoffending.dynamic``, with the
    violations that stopped it.
    """
    labels_by_violation: dict[Violation, list[str]] = {}
    for label, violations in stopped:
        for violation in violations:
            labels = labels_by_violation.setdefault(violation, [])
            if label not in labels:
                labels.append(label)
    return [
        {"field": field, "message": _message(violation, labels)}
        for violation, labels in labels_by_violation.items()
        for field in violation.fields
    ]


def _message(violation: Violation, labels: list[str]) -> str:
    code = f" [{violation.code}]" if violation.code is not None else ""
    return f"{violation.sentence}{code} Affects: {', '.join(labels)}."

"""What the four screening tools share: the shape of their validation errors, and how a tool that fails
unexpectedly still answers (SCREENING.md §1.3)."""

from collections.abc import Sequence

from probation.risk.errors import ErrorCode
from probation.risk.result import ScreeningError

MESSAGES = {
    ErrorCode.MISSING_MANDATORY_INPUT: "Mandatory input field(s) missing",
    ErrorCode.LDS_NOT_ENOUGH_FIELDS_PRESENT: "At least three input fields must be provided",
    ErrorCode.DOMESTIC_ABUSE_INCONSISTENT_INPUT: (
        "No evidence of domestic abuse identified - domesticAbuseAgainstPartner and "
        "domesticAbuseAgainstFamily should not be provided"
    ),
    ErrorCode.OFFENCE_CODE_INCORRECT_FORMAT: "Offence code must be a string of 5 digits",
    ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND: (
        "No offence code to actuarial weighting mapping found for offence code"
    ),
}
"""The Ministry's message for each error type the screening tools report."""
UNEXPECTED_ERROR_MESSAGE = "Unexpected error thrown during calculation, see logs for further details: "


def screening_error(code: ErrorCode, fields: Sequence[str]) -> ScreeningError:
    return {"type": code, "message": MESSAGES[code], "fields": list(fields)}


def missing_inputs(fields: Sequence[str]) -> ScreeningError:
    return screening_error(ErrorCode.MISSING_MANDATORY_INPUT, fields)


def unexpected_error(error: Exception) -> list[ScreeningError]:
    """The errors of a tool that failed unexpectedly: one ``UNEXPECTED_ERROR``, which the tool answers in
    its block rather than raise, as the Ministry's tools never stop the rest of the calculation.

    Each tool catches every exception around its whole body and answers its failed block with these. The
    catch is in the tool itself rather than in a decorator, whose wrapping call cost ~1,250 instructions
    per tool per calculation.
    """
    return [
        {
            "type": ErrorCode.UNEXPECTED_ERROR,
            "message": UNEXPECTED_ERROR_MESSAGE + str(error),
            "fields": [],
        }
    ]

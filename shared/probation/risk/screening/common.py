"""What the four screening tools share: the shape of their validation errors, and how a tool that fails
unexpectedly still answers (SCREENING.md §1.3)."""

import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from probation.risk.errors import ErrorCode
from probation.risk.result import ScreeningError

P = ParamSpec("P")
R = TypeVar("R")

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


def answers_unexpected_errors(
    failed: Callable[[list[ScreeningError]], R],
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Makes a tool answer ``failed``'s block, with one ``UNEXPECTED_ERROR``, rather than raise: the
    Ministry's tools never stop the rest of the calculation."""

    def decorate(tool: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(tool)
        def answering(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return tool(*args, **kwargs)
            except Exception as error:  # reported in the tool's block, as the Ministry does
                return failed(
                    [
                        {
                            "type": ErrorCode.UNEXPECTED_ERROR,
                            "message": UNEXPECTED_ERROR_MESSAGE + str(error),
                            "fields": [],
                        }
                    ]
                )

        return answering

    return decorate

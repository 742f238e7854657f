"""What a person is told about a value that did not validate: written for them, by the kind of error and its
constraint, never pydantic's own wording or a regular expression."""

from collections.abc import Mapping
from typing import Any

from probation.domain.identifiers import CRN_PATTERN, CRO_PATTERN, PNC_PATTERN, TEAM_CODE_PATTERN

# What each pattern a request is checked against means, in the words of a form's hint. A pattern without an
# entry still gets a message without the expression in it (a test keeps every pattern of the contract here).
PATTERN_MEANINGS: dict[str, str] = {
    CRN_PATTERN: "must be a CRN: a capital letter and six digits, such as X123456",
    PNC_PATTERN: "must be a PNC number: a four-digit year, a slash, seven digits and a letter",
    CRO_PATTERN: "must be a CRO number: up to six digits, a slash, two digits and a letter",
    TEAM_CODE_PATTERN: "must be 3 to 10 capital letters or digits",
    r"^[^\d<>{}\[\]\\/@#$%^*=+|~]+$": "must not contain digits or symbols such as < > { }",
    r"^[0-9]{5}$": "must be a five-digit Home Office offence code",
    r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$": "must be a UK postcode, such as SW1A 1AA",
    r"^\+?[0-9 ()-]{7,20}$": "must be a telephone number: 7 to 20 digits, spaces, brackets or dashes",
    r"^[A-Z0-9]{2,6}$": "must be a register type code: 2 to 6 capital letters or digits",
    r"^[0-9]{1,3}-[0-9]{1,2}$": "must be a requirement: a conviction number, a dash and a place, such as 1-2",
    r"^[A-Za-z0-9_-]{2,64}$": "must be 2 to 64 letters, digits, dashes or underscores",
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$": "must be an email address, such as ops@provider.example",
    r"^(\*|probation-[a-z]+(-[a-z]+)*(\.[a-z]+(-[a-z]+)*)+)$": (
        "must be * or an event type, such as probation-case.registration.added"
    ),
    r"^[0-9a-f]{32}$": "must be an id as the API gave it: 32 digits and letters a to f",
    r"^[A-Za-z0-9-]{1,64}$": "must be an id as the API gave it: up to 64 letters, digits or dashes",
    r"^[A-Z0-9_]{1,40}$": "must be a catalogue version: capital letters, digits or underscores",
}
UNKNOWN_PATTERN = "is not in the expected format"

_DATE = "must be a date, such as 2026-01-31"
_DATE_TIME = "must be a date and time with its time zone, such as 2026-01-31T09:30:00Z"
_WHOLE_NUMBER = "must be a whole number"
_NUMBER = "must be a number"
_TRUE_OR_FALSE = "must be true or false"

# Messages that need nothing from the error's context, by pydantic's error type.
_FIXED: dict[str, str] = {
    "missing": "is required",
    "extra_forbidden": "is not a field this request takes",
    "string_type": "must be text",
    "string_unicode": "must be text",
    "string_not_ascii": "must be plain text",
    "int_type": _WHOLE_NUMBER,
    "int_parsing": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "int_parsing_size": "is too large a number",
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": "must be a finite number",
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "bool_type": _TRUE_OR_FALSE,
    "bool_parsing": _TRUE_OR_FALSE,
    "none_required": "must be null",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "must be a date without a time",
    "date_past": "must be in the past",
    "date_future": "must be in the future",
    "time_type": "must be a time, such as 09:30",
    "time_parsing": "must be a time, such as 09:30",
    "datetime_type": _DATE_TIME,
    "datetime_parsing": _DATE_TIME,
    "datetime_from_date_parsing": _DATE_TIME,
    "datetime_object_invalid": _DATE_TIME,
    "datetime_past": "must be in the past",
    "datetime_future": "must be in the future",
    "timezone_naive": "must not have a time zone",
    "timezone_aware": "must have a time zone, such as Z or +01:00",
    "dict_type": "must be an object",
    "mapping_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "dataclass_type": "must be an object",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
    "set_type": "must be a list of different values",
    "frozen_set_type": "must be a list of different values",
    "iterable_type": "must be a list",
    "url_type": "must be a web address",
    "url_parsing": "must be a web address, such as https://provider.example/hook",
    "url_syntax_violation": "must be a web address, such as https://provider.example/hook",
    "url_scheme": "must be an https:// web address",
    "uuid_type": "must be a UUID",
    "uuid_parsing": "must be a UUID",
    "json_invalid": "is not valid JSON",
    "json_type": "must be JSON text",
    "union_tag_not_found": "must say which kind it is",
}


# A length or a range, by error type: the context key of the bound, the message when that bound is 1 (if it
# reads better said another way), and the message with the bound in it.
_BOUNDS: dict[str, tuple[str, str | None, str]] = {
    "string_too_short": ("min_length", "must not be empty", "must be at least {} characters long"),
    "string_too_long": ("max_length", None, "must be at most {} characters long"),
    "too_short": ("min_length", "must not be empty", "must have at least {} items"),
    "too_long": ("max_length", None, "must have at most {} items"),
    "url_too_long": ("max_length", None, "must be at most {} characters long"),
    "greater_than": ("gt", None, "must be more than {}"),
    "greater_than_equal": ("ge", None, "must be at least {}"),
    "less_than": ("lt", None, "must be less than {}"),
    "less_than_equal": ("le", None, "must be at most {}"),
    "multiple_of": ("multiple_of", None, "must be a multiple of {}"),
    "decimal_max_digits": ("max_digits", None, "must have at most {} digits"),
    "decimal_max_places": ("decimal_places", None, "must have at most {} decimal places"),
    "decimal_whole_digits": ("whole_digits", None, "must have at most {} digits before the point"),
}
# One of a fixed set of values, by error type: the context key that lists them ('A', 'B' or 'C').
_CHOICES = {"enum": "expected", "literal_error": "expected", "union_tag_invalid": "expected_tags"}


def message(detail: Mapping[str, Any]) -> str:
    """The message for one pydantic error (its ``type`` and ``ctx``), in the words of a form's hint."""
    kind = str(detail.get("type", ""))
    context: Mapping[str, Any] = detail.get("ctx") or {}
    if kind in _FIXED:
        return _FIXED[kind]
    if kind == "string_pattern_mismatch":
        return PATTERN_MEANINGS.get(str(context.get("pattern")), UNKNOWN_PATTERN)
    if kind in ("value_error", "assertion_error"):
        # The model's own rule, raised with a message written for people.
        return str(context.get("error") or "is not valid")
    if kind in _CHOICES:
        choices = str(context.get(_CHOICES[kind], "")).replace("'", "")
        return f"must be one of {choices}"
    return _bounded(kind, context)


def _bounded(kind: str, context: Mapping[str, Any]) -> str:
    if kind not in _BOUNDS:
        return "is not valid"
    key, when_one, text = _BOUNDS[kind]
    bound = context.get(key)
    if bound is None:
        return "is out of range"
    return when_one if when_one is not None and bound == 1 else text.format(bound)

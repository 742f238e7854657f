"""What a person is told about input that did not validate: words for them, whatever pydantic said."""

import json
from typing import Any

import pytest

from infrastructure.openapi import CONTRACT
from probation.api.http import nested_deeper_than
from probation.api.messages import PATTERN_MEANINGS, message
from probation.api.problems import field_error


def patterns_in(value: Any) -> set[str]:
    if isinstance(value, dict):
        found = {value["pattern"]} if isinstance(value.get("pattern"), str) else set()
        return found.union(*(patterns_in(child) for child in value.values()))
    if isinstance(value, list):
        return set().union(*(patterns_in(child) for child in value))
    return set()


def test_every_pattern_the_contract_checks_has_words_for_people() -> None:
    missing = patterns_in(json.loads(CONTRACT.read_text())) - set(PATTERN_MEANINGS)
    assert not missing, f"add to PATTERN_MEANINGS what these mean: {sorted(missing)}"


@pytest.mark.parametrize(
    ("detail", "said"),
    [
        (
            {"type": "string_pattern_mismatch", "ctx": {"pattern": r"^[^\d<>{}\[\]\\/@#$%^*=+|~]+$"}},
            "must not contain digits or symbols such as < > { }",
        ),
        ({"type": "string_pattern_mismatch", "ctx": {"pattern": "^x+$"}}, "is not in the expected format"),
        ({"type": "missing"}, "is required"),
        ({"type": "extra_forbidden"}, "is not a field this request takes"),
        ({"type": "enum", "ctx": {"expected": "'MALE' or 'FEMALE'"}}, "must be one of MALE or FEMALE"),
        ({"type": "literal_error", "ctx": {"expected": "'DAY' or 'WEEK'"}}, "must be one of DAY or WEEK"),
        ({"type": "string_too_short", "ctx": {"min_length": 1}}, "must not be empty"),
        ({"type": "string_too_short", "ctx": {"min_length": 3}}, "must be at least 3 characters long"),
        ({"type": "string_too_long", "ctx": {"max_length": 35}}, "must be at most 35 characters long"),
        ({"type": "too_long", "ctx": {"max_length": 50}}, "must have at most 50 items"),
        ({"type": "greater_than_equal", "ctx": {"ge": 1}}, "must be at least 1"),
        ({"type": "less_than_equal", "ctx": {"le": 100}}, "must be at most 100"),
        ({"type": "int_parsing"}, "must be a whole number"),
        ({"type": "date_from_datetime_parsing"}, "must be a date, such as 2026-01-31"),
        (
            {"type": "value_error", "ctx": {"error": ValueError("must not be in the future")}},
            "must not be in the future",
        ),
        ({"type": "something_new"}, "is not valid"),
    ],
)
def test_a_pydantic_error_is_told_in_words_for_people(detail: dict[str, Any], said: str) -> None:
    assert message(detail) == said


def test_a_header_is_named_as_it_is_written() -> None:
    error = field_error(
        {"type": "string_too_long", "loc": ("header", "idempotency-key"), "ctx": {"max_length": 255}}
    )
    assert (error.field, error.message) == ("Idempotency-Key", "must be at most 255 characters long")


@pytest.mark.parametrize(
    ("text", "deeper_than_two"),
    [
        ('{"a": [1, 2]}', False),
        ('{"a": [[1]]}', True),
        ('{"a": "[[[[[[", "b": [1]}', False),  # brackets in a string are text
        ('{"a": "quote \\" [[[[", "b": 1}', False),  # an escaped quote does not end the string
        ("[" * 5000 + "]" * 5000, True),
        ('{"a": "\\\\", "b": [[[1]]]}', True),  # an escaped backslash does end it
    ],
)
def test_nesting_is_measured_without_parsing(text: str, deeper_than_two: bool) -> None:
    assert nested_deeper_than(text, 2) is deeper_than_two

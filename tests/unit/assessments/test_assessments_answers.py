"""Parsing an answer to a catalogue question into what is stored, per answer type."""

import re
from datetime import date, datetime

import pytest

from probation.assessments import MISSING, is_answered, load_catalogue

CATALOGUE = load_catalogue()


def parse(code: str, value: object) -> object:
    return CATALOGUE.question(code).parse_answer(value)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("3.4", "0"),
        ("3.4", "2"),
        ("3.4", "M"),
        ("6.7da", "NO"),
        ("8.2.1.1", "130"),
        ("8.2.1.2", "YES"),  # tick box
        ("R4.6", "DK"),
    ],
)
def test_a_single_choice_is_stored_as_its_option_code(code: str, value: str) -> None:
    assert parse(code, value) == value


@pytest.mark.parametrize(
    ("code", "value", "message"),
    [
        ("3.4", "3", "3.4 must be one of 0, 1, 2, M"),
        ("3.4", 2, "3.4 must be one of 0, 1, 2, M"),
        ("3.4", "No problems", "3.4 must be one of 0, 1, 2, M"),
        ("6.7da", "Yes", "6.7da must be one of YES, NO"),
        ("6.7da", True, "6.7da must be one of YES, NO"),
        ("8.2.1.2", "NO", "8.2.1.2 must be one of YES"),
        ("4.2", ["YES"], "4.2 must be one of NO, NA, YES, M"),
    ],
)
def test_a_single_choice_outside_the_options_names_them(code: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse(code, value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (["NUMERACY", "READING"], ["READING", "NUMERACY"]),  # display order
        (["WRITING", "WRITING"], ["WRITING"]),
        (("READING",), ["READING"]),
        ([], []),  # none ticked
    ],
)
def test_a_multi_select_is_stored_as_its_ticked_codes_in_display_order(
    value: object, stored: list[str]
) -> None:
    assert parse("4.7.1", value) == stored


@pytest.mark.parametrize(
    "value", [["SPELLING"], ["READING", "M"], "READING", [1], [["READING"]], {"READING"}]
)
def test_a_multi_select_takes_only_a_list_of_its_codes(value: object) -> None:
    with pytest.raises(
        ValueError,
        match=re.escape("4.7.1 must be a list of option codes, each one of READING, WRITING, NUMERACY"),
    ):
        parse("4.7.1", value)


@pytest.mark.parametrize("value", [0, 1, 25])
def test_a_count_is_a_whole_number(value: int) -> None:
    assert parse("1.32", value) == value


@pytest.mark.parametrize("value", [-1, True, False, "3", 2.0, 2.5])
def test_a_count_is_not_negative_a_boolean_text_or_a_fraction(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape("1.32 must be a whole number, 0 or more")):
        parse("1.32", value)


@pytest.mark.parametrize(
    ("value", "stored"), [("2024-02-29", "2024-02-29"), (date(2025, 1, 31), "2025-01-31")]
)
def test_a_date_is_stored_in_iso_form(value: object, stored: str) -> None:
    assert parse("1.29", value) == stored


@pytest.mark.parametrize(
    "value",
    ["2025-02-29", "2025-13-01", "31/01/2025", "2025-1-31", "20250131", datetime(2025, 1, 31), 20250131],
)
def test_a_date_must_be_a_calendar_date_written_yyyy_mm_dd(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape("1.29 must be a date written as YYYY-MM-DD")):
        parse("1.29", value)


@pytest.mark.parametrize(
    ("code", "value"), [("2.1", "Burglary of a dwelling."), ("2.2.t_V2", "Knife"), ("2.1", "x" * 4000)]
)
def test_text_is_stored_as_given(code: str, value: str) -> None:
    assert parse(code, value) == value


@pytest.mark.parametrize("value", ["", "   \n", "x" * 4001, 5, ["text"]])
def test_text_is_not_blank_nor_longer_than_4000_characters(value: object) -> None:
    with pytest.raises(ValueError, match=re.escape("2.1 must be non-blank text of at most 4000 characters")):
        parse("2.1", value)


def test_computed_outputs_take_no_answer() -> None:
    with pytest.raises(ValueError, match=re.escape("D3 is computed by the system")):
        parse("D3", "HIGH")


def test_sub_form_links_take_no_answer() -> None:
    with pytest.raises(ValueError, match=re.escape("2.4 is answered in its sub-form")):
        parse("2.4", "victim")


@pytest.mark.parametrize("code", ["3.4", "4.7.1", "1.32", "1.29", "2.1"])
def test_none_is_not_an_answer(code: str) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{code} cannot be answered with None")):
        parse(code, None)


def test_missing_and_absent_answers_are_unanswered() -> None:
    assert MISSING == "M"
    assert not is_answered(None)
    assert not is_answered("M")
    assert is_answered("0")
    assert is_answered(0)
    assert is_answered([])

"""Calendar arithmetic with java.time semantics (SPEC §1.2)."""

from datetime import date

import pytest

from probation.risk.dates import add_months, age_in_years, latest_start, months_between, years_between


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1980, 6, 15), date(2020, 6, 14), 39),
        (date(1980, 6, 15), date(2020, 6, 15), 40),
        (date(1980, 6, 15), date(2020, 12, 31), 40),
        (date(1980, 12, 31), date(2021, 1, 1), 40),
        # Born on 29 February: a year older on 1 March in a non-leap year, on 29 February in a leap one.
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 1, 1), date(2000, 1, 2), 0),
    ],
)
def test_age_in_whole_years(born: date, on: date, age: int) -> None:
    assert age_in_years(born, on) == age


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        (date(2020, 1, 15), date(2020, 1, 15), 0),
        (date(2020, 1, 15), date(2020, 2, 14), 0),
        (date(2020, 1, 15), date(2020, 2, 15), 1),
        # No end-of-month adjustment: 31 January to 28 (or 29) February is not a whole month.
        (date(2021, 1, 31), date(2021, 2, 28), 0),
        (date(2020, 1, 31), date(2020, 2, 29), 0),
        (date(2021, 1, 31), date(2021, 3, 1), 1),
        (date(2021, 1, 31), date(2021, 3, 31), 2),
        (date(2020, 11, 30), date(2023, 11, 29), 35),
        (date(2020, 11, 30), date(2023, 11, 30), 36),
        # Backwards the count is negative and truncated toward zero: -(2 months less 5 days) is -1.
        (date(2020, 3, 15), date(2020, 1, 20), -1),
        (date(2020, 3, 15), date(2020, 1, 15), -2),
    ],
)
def test_complete_months_between(start: date, end: date, months: int) -> None:
    assert months_between(start, end) == months


@pytest.mark.parametrize(
    ("start", "end", "years"),
    [
        (date(2000, 2, 29), date(2005, 2, 28), 4),  # 59 complete months
        (date(2000, 2, 29), date(2005, 3, 1), 5),
        (date(2020, 1, 1), date(2024, 12, 31), 4),
        (date(2020, 1, 1), date(2025, 1, 1), 5),
        (date(2025, 6, 2), date(2020, 6, 3), -4),  # -59 months, truncated toward zero
        (date(2025, 6, 2), date(2020, 6, 2), -5),
    ],
)
def test_complete_years_between(start: date, end: date, years: int) -> None:
    assert years_between(start, end) == years


@pytest.mark.parametrize(
    ("start", "months", "result"),
    [
        (date(2025, 3, 15), 3, date(2025, 6, 15)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),  # clamped to the end of a leap February
        (date(2022, 11, 30), 3, date(2023, 2, 28)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 10, 31), 3, date(2026, 1, 31)),
        (date(2025, 12, 31), 2, date(2026, 2, 28)),
        (date(9999, 11, 1), 3, date.max),  # beyond Python's calendar: saturates
    ],
)
def test_add_calendar_months(start: date, months: int, result: date) -> None:
    assert add_months(start, months) == result


@pytest.mark.parametrize(
    ("end", "years", "latest"),
    [
        (date(2025, 6, 2), 5, date(2020, 6, 2)),
        (date(2024, 2, 29), 5, date(2019, 2, 28)),  # no 29 February that year
        (date(2024, 2, 29), 4, date(2020, 2, 29)),
        (date(5, 1, 1), 5, None),  # before year 1
    ],
)
def test_latest_start_of_so_many_complete_years(end: date, years: int, latest: date | None) -> None:
    assert latest_start(end, years) == latest


def test_latest_start_agrees_with_years_between() -> None:
    # Every start within a day-by-day window around the cut-off, for ends at month ends and leap days.
    ends = [date(2024, 2, 29), date(2023, 2, 28), date(2025, 3, 31), date(2025, 1, 1), date(2025, 12, 31)]
    for end in ends:
        cutoff = latest_start(end, 5)
        assert cutoff is not None
        for offset in range(-40, 41):
            start = date.fromordinal(cutoff.toordinal() + offset)
            assert (years_between(start, end) >= 5) == (start <= cutoff), (start, end)


def former_age_in_years(date_of_birth: date, on: date) -> int:
    """age_in_years as it was, comparing month * 32 + day."""
    if on.month * 32 + on.day < date_of_birth.month * 32 + date_of_birth.day:
        return on.year - date_of_birth.year - 1
    return on.year - date_of_birth.year


def every_day(first_year: int, last_year: int) -> list[date]:
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    return [date.fromordinal(ordinal) for ordinal in range(first.toordinal(), last.toordinal() + 1)]


def test_age_in_years_is_as_it_was_for_every_day_of_birth_and_day_of_a_leap_and_common_year() -> None:
    # The age depends on the years only through their difference, and on which is a leap year: every day of
    # a common and a leap year of birth against every day of a common, a leap and a common year after, and
    # the ends of the calendar.
    births = [*every_day(1999, 2000), date(1, 1, 1), date(1, 12, 31), date(4, 2, 29)]
    days = [*every_day(2003, 2005), date(9999, 12, 31), date(9999, 1, 1), date(9996, 2, 29)]
    for born in births:
        for on in days:
            age = age_in_years(born, on)
            assert age == former_age_in_years(born, on), (born, on)
            assert type(age) is int

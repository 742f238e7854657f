"""Calendar arithmetic with the ``java.time`` semantics the Ministry's calculator uses (SPEC §1.2).

Python's ``date`` subtraction counts days; these count calendar years and months the way Java does, which
differs at month ends and on 29 February.
"""

import calendar
from datetime import MINYEAR, date


def age_in_years(date_of_birth: date, on: date) -> int:
    """Whole years lived on ``on`` (Java ``Period.between(dateOfBirth, on).years``), for ``on`` after birth.

    Someone born on 29 February turns a year older on 1 March in a non-leap year.
    """
    # Before the birthday, a year less. The days are read only in the month of the birthday: reading a
    # date's field costs ~150 instructions (CPython 3.11 does not specialise it), and this is called ~3.6
    # times a calculation.
    month = on.month
    birth_month = date_of_birth.month
    if month < birth_month or (month == birth_month and on.day < date_of_birth.day):
        return on.year - date_of_birth.year - 1
    return on.year - date_of_birth.year


def months_between(start: date, end: date) -> int:
    """Complete months from ``start`` to ``end`` (Java ``ChronoUnit.MONTHS.between``); negative if ``end``
    is earlier.

    No end-of-month adjustment: 31 January to 28 February is 0 months.
    """
    # Java packs each date as month * 32 + day and divides the difference by 32, truncating toward zero.
    packed = (end.year * 12 + end.month - start.year * 12 - start.month) * 32 + end.day - start.day
    return packed // 32 if packed >= 0 else -(-packed // 32)


def years_between(start: date, end: date) -> int:
    """Complete years from ``start`` to ``end`` (Java ``ChronoUnit.YEARS.between``); negative if ``end`` is
    earlier."""
    months = months_between(start, end)
    return months // 12 if months >= 0 else -(-months // 12)


def latest_start(end: date, years: int) -> date | None:
    """The latest date at least ``years`` (one or more) complete years before ``end``: ``years_between(start,
    end) >= years`` exactly when ``start <= latest_start(end, years)``. ``None`` when that is before year 1,
    as no date is.

    Where one end is fixed, a date comparison against this settles each test for ~200 instructions, where
    ``years_between`` takes ~4k (reading a date's field costs ~300).
    """
    # At least 12 * years complete months means (start.year, .month, .day) <= (end.year - years, end.month,
    # end.day): in Java's packed month * 32 + day, a difference of days never outweighs one of months. The
    # latest real date up to that is the same day of the month, or 28 February for a 29th it does not have.
    year = end.year - years
    if year < MINYEAR:
        return None
    try:
        return date(year, end.month, end.day)
    except ValueError:
        return date(year, 2, 28)


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months (Java ``LocalDate.plusMonths``): the day of month is clamped to the
    target month's length, so 30 November + 3 months is 28 (or 29) February.

    Java dates run far beyond year 9999; past Python's range the result saturates at ``date.min`` or
    ``date.max``, which keeps comparisons against it correct.
    """
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    # Every month has 28 days; only later days need the target month's length.
    last_day = day.day if day.day <= 28 else min(day.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, last_day)

"""Workload points and capacity, worked by hand from hmpps-workload (hmpps.md, "Workload and capacity")."""

import math
from datetime import date

import pytest
from pydantic import ValidationError

from probation.allocation.workload import (
    NO_CAPACITY,
    CaseType,
    Grade,
    Reduction,
    available_hours,
    available_points,
    capacity_percent,
    case_points,
    case_type_for,
)

_ON = date(2025, 3, 12)


@pytest.mark.parametrize(
    ("tier", "case_type", "points"),
    [
        ("A3", CaseType.COMMUNITY, 206),
        ("A0", CaseType.COMMUNITY, 110),
        ("B1", CaseType.COMMUNITY, 102),
        ("D0", CaseType.COMMUNITY, 29),
        ("A3", CaseType.LICENCE, 219),
        ("B2", CaseType.LICENCE, 132),
        ("C0", CaseType.LICENCE, 0),
        ("D1", CaseType.LICENCE, 31),
        ("A2", CaseType.CUSTODY, 60),
        ("C3", CaseType.CUSTODY, 30),
        ("D3", CaseType.CUSTODY, 17),
        ("B0", CaseType.CUSTODY, 0),
    ],
)
def test_case_points_from_the_table(tier: str, case_type: CaseType, points: int) -> None:
    assert case_points(tier, case_type) == points


@pytest.mark.parametrize("tier", ["E1", "A4", "a3", ""])
def test_case_points_rejects_an_unknown_tier(tier: str) -> None:
    with pytest.raises(ValueError, match="not a tier"):
        case_points(tier, CaseType.COMMUNITY)


@pytest.mark.parametrize(
    ("sentence_type", "release_date", "case_type"),
    [
        ("COMMUNITY", None, CaseType.COMMUNITY),
        ("SUSPENDED", None, CaseType.COMMUNITY),
        ("SUSPENDED", date(2025, 1, 1), CaseType.COMMUNITY),
        ("CUSTODY", None, CaseType.CUSTODY),
        ("CUSTODY", date(2025, 3, 13), CaseType.CUSTODY),  # released tomorrow
        ("CUSTODY", date(2025, 3, 12), CaseType.LICENCE),  # released today
        ("CUSTODY", date(2024, 6, 1), CaseType.LICENCE),
    ],
)
def test_case_type_for(sentence_type: str, release_date: date | None, case_type: CaseType) -> None:
    assert case_type_for(sentence_type, release_date, _ON) is case_type


def test_case_type_for_rejects_an_unknown_sentence_type() -> None:
    with pytest.raises(ValueError, match="not a sentence type"):
        case_type_for("LIFE", None, _ON)


def _reduction(hours: float, start: date, end: date) -> Reduction:
    return Reduction(hours=hours, start=start, end=end)


def test_po_with_a_reduction_in_force() -> None:
    # 37 contracted - 7.4 reduction = 29.6 hours; 2176 x 29.6 / 37 = 1740.8 points;
    # 1000 / 1740.8 x 100 = 57.444...%.
    training = _reduction(7.4, date(2025, 3, 1), date(2025, 3, 31))
    points = available_points(Grade.PO, 37, [training], _ON)
    assert points == pytest.approx(1740.8)
    assert capacity_percent(1000, points) == pytest.approx(57.4448529, abs=1e-6)


def test_reductions_apply_only_while_in_force_inclusive() -> None:
    # In force on 12 March: the one ending that day (3) and the one starting that day (2) → 37 - 5 = 32 hours.
    # Not the one that ended on 11 March, nor the one starting on 13 March.
    reductions = [
        _reduction(3, date(2025, 3, 1), _ON),
        _reduction(2, _ON, date(2025, 4, 1)),
        _reduction(10, date(2025, 3, 1), date(2025, 3, 11)),
        _reduction(10, date(2025, 3, 13), date(2025, 3, 20)),
    ]
    assert available_hours(37, reductions, _ON) == pytest.approx(32)
    # 2176 x 32 / 37 = 1881.9459...
    assert available_points(Grade.SPO, 37, reductions, _ON) == pytest.approx(1881.945946, abs=1e-6)


def test_full_time_without_reductions_has_the_nominal_target() -> None:
    for grade in Grade:
        assert available_points(grade, 37, [], _ON) == pytest.approx(2176)


def test_part_time_is_scaled_by_the_grade_default_hours() -> None:
    # A PSO on 18.5 hours: 2176 x 18.5 / 37 = 1088; with a 3.7-hour reduction, 2176 x 14.8 / 37 = 870.4.
    assert available_points(Grade.PSO, 18.5, [], _ON) == pytest.approx(1088)
    sick = _reduction(3.7, _ON, _ON)
    assert available_points(Grade.PSO, 18.5, [sick], _ON) == pytest.approx(870.4)


def test_available_hours_never_go_below_zero() -> None:
    long_leave = _reduction(40, date(2025, 1, 1), date(2025, 12, 31))
    assert available_hours(37, [long_leave], _ON) == 0
    assert available_points(Grade.PQIP, 37, [long_leave], _ON) == 0


def test_capacity_percent() -> None:
    # 2176 of 2176 → 100 %; 2720 of 2176 → 125 %; 0 → 0 %.
    assert capacity_percent(2176, 2176) == pytest.approx(100)
    assert capacity_percent(2720, 2176) == pytest.approx(125)
    assert capacity_percent(0, 2176) == 0


@pytest.mark.parametrize("total", [0, 500])
def test_no_available_points_is_never_capacity(total: float) -> None:
    capacity = capacity_percent(total, 0)
    assert capacity == NO_CAPACITY
    assert math.isinf(capacity)
    assert capacity > 100


@pytest.mark.parametrize(("total", "available"), [(-1, 100), (1, -100)])
def test_capacity_rejects_negative_points(total: float, available: float) -> None:
    with pytest.raises(ValueError, match="negative"):
        capacity_percent(total, available)


def test_negative_contracted_hours_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        available_hours(-1, [], _ON)


@pytest.mark.parametrize(
    ("hours", "start", "end"),
    [(-1, date(2025, 3, 1), date(2025, 3, 2)), (1, date(2025, 3, 2), date(2025, 3, 1))],
)
def test_reduction_rejects_negative_hours_and_backwards_dates(hours: float, start: date, end: date) -> None:
    with pytest.raises(ValidationError):
        Reduction(hours=hours, start=start, end=end)

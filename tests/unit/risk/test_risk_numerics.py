"""Half-up rounding of exact decimal values, and the logistic functions (SPEC §1.1)."""

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest

from probation.risk.coefficients import load_model
from probation.risk.numerics import (
    MAX_HUNDREDTHS,
    half_up_units,
    ministry_sigmoid,
    percentage,
)
from probation.risk.ogrs3 import whole_percent
from probation.risk.reoffending import linear_score

BANDS = load_model("V1_0").all_reoffending.band_by_hundredths


@pytest.mark.parametrize(
    ("value", "places", "rounded"),
    [
        (0.125, 2, 0.13),  # an exact binary tie goes up (Python's round() would give 0.12)
        (0.375, 2, 0.38),
        (2.5, 0, 3.0),
        (16.7, 2, 16.7),
        # 2.675 is held as 2.67499999999999982236431605997495353221893310546875: not a tie, so down.
        (2.675, 2, 2.67),
        # 0.285 is held as 0.284999999999999975575093458246556110680103302001953125.
        (0.285, 2, 0.28),
        # 1.005 is held as 1.00499999999999989341858963598497211933135986328125.
        (1.005, 2, 1.0),
    ],
)
def test_half_up_units_round_the_exact_decimal_value(value: float, places: int, rounded: float) -> None:
    assert half_up_units(value, places) == round(rounded * 10**places)


@pytest.mark.parametrize(
    ("probability", "percent"),
    [
        (0.03125, 3.13),  # 1/32 * 100 = 3.125 exactly: a tie, rounded up
        (math.nextafter(0.03125, 0.0), 3.12),  # a hair below the tie
        (math.nextafter(0.03125, 1.0), 3.13),
        (0.0, 0.0),
        (0.00004999, 0.0),
        (0.00005, 0.01),  # held as 5.00000000000000023960868011929e-05: just above the tie
        (0.5, 50.0),
        (0.99995, 100.0),  # rounds to 100.00 before any clamping
        # 0.12345 is held as 0.1234500000000000041744385725905885919928550720214843750: 12.345… up.
        (0.12345, 12.35),
    ],
)
def test_percentage_is_half_up_to_two_places(probability: float, percent: float) -> None:
    assert percentage(probability) == percent


@pytest.mark.parametrize(
    ("probability", "percent"),
    [
        # SPEC §8: 0.084996 is first 0.08500, then 9, where rounding once would give 8.
        (0.084996, 9),
        (0.0849949, 8),
        # The 5-dp figure is a binary64, as in the source: 0.045 is held just below 0.045, so 4 …
        (0.045, 4),
        # … and 0.085 just above 0.085, so 9.
        (0.085, 9),
        (0.125, 13),
        (0.0, 1),  # held within 1 … 99
        (0.004, 1),
        (0.99, 99),
        (0.995, 99),
    ],
)
def test_ogrs3_whole_percent_rounds_twice(probability: float, percent: int) -> None:
    assert whole_percent(probability) == percent


@pytest.mark.parametrize("z", [-800.0, -30.0, -2.5, 0.0, 1.0, 30.0, 800.0])
def test_logistic_matches_its_definition_without_overflowing(z: float) -> None:
    with localcontext(prec=50):
        expected = float(1 / (1 + Decimal(-z).exp()))
    assert linear_score({"z": z}, BANDS)["probability"] == pytest.approx(expected, rel=1e-15, abs=1e-320)


def test_linear_score_sums_the_contributions_exactly() -> None:
    # Added left to right in binary64 these come to 0.0; their exact sum is 1.0.
    contributions = {"a": 1e100, "b": 1.0, "c": -1e100}
    score = linear_score(contributions, BANDS)
    assert score["probability"] == 1 / (1 + math.exp(-1.0))
    assert score["contributions"] is contributions


def test_linear_score_rounds_the_exact_probability_half_up_below_100_percent() -> None:
    # Every z from -12 to 12 in steps of 1/256, and z whose probability sits at a tie of the fourth
    # decimal or beside one; the expected hundredths are worked out in exact decimal arithmetic.
    ties = [math.log(p / (1 - p)) for p in (0.00005, 0.12345, 0.5, 0.99995, 0.33335)]
    beside_ties = [math.nextafter(z, direction) for z in ties for direction in (-math.inf, math.inf)]
    for z in [step / 256 for step in range(-12 * 256, 12 * 256 + 1)] + ties + beside_ties + [40.0]:
        score = linear_score({"z": z}, BANDS)
        exact = int((Decimal(score["probability"]) * 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        expected = min(exact, MAX_HUNDREDTHS)
        assert score["score"] == expected / 100, z
        assert score["band"] is BANDS[expected], z


def test_ministry_sigmoid_is_the_binary64_expression_the_ministry_uses() -> None:
    z = -8.633 + 0.1598 * 36
    assert ministry_sigmoid(z) == math.exp(z) / (1.0 + math.exp(z))
    assert ministry_sigmoid(z) == pytest.approx(0.053141, abs=1e-6)  # SPEC §5's worked example

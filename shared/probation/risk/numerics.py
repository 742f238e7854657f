"""Logistic functions and the Ministry's half-up rounding (SPEC §1.1)."""

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

T = TypeVar("T")

# Binary64 carries ~1e-16 relative error; anything this close to a half-way point is settled exactly.
TIE_MARGIN = 1e-7
_QUANTUM = tuple(Decimal(1).scaleb(-places) for places in range(8))
_POWERS_OF_TEN: tuple[int, ...] = tuple(10**places for places in range(8))
MAX_PERCENT = 99.99
"""No score is ever reported as 100% (SPEC §4.1)."""
MAX_HUNDREDTHS = round(MAX_PERCENT * 100)


def with_100_percent_as_99_99(by_hundredths: tuple[T, ...]) -> tuple[T, ...]:
    """A table by hundredths of a percent, 0.00 to 99.99, extended to 100.00, which is reported as 99.99
    (``MAX_PERCENT``): looked up by a score's rounded hundredths, it holds them below 100% without a test."""
    return (*by_hundredths, by_hundredths[MAX_HUNDREDTHS])


def ministry_sigmoid(z: float) -> float:
    """``e^z / (1 + e^z)`` in binary64, the exact expression the Ministry evaluates for DC-SRP and OGRS3,
    so that results match it bit for bit. ``z`` must be below 709 (``exp`` overflows beyond)."""
    exp_z = math.exp(z)
    return exp_z / (1.0 + exp_z)


def half_up_units(value: float, places: int) -> int:
    """``value`` * 10^places rounded half-up (ties away from zero) to an integer, where the product is
    taken from the exact decimal value of the binary64 ``value``."""
    scaled = value * _POWERS_OF_TEN[places]
    floor = math.floor(scaled)
    fraction = scaled - floor
    if fraction - 0.5 > TIE_MARGIN or 0.5 - fraction > TIE_MARGIN:
        return floor + (fraction > 0.5)
    # Decimal(value) is exact, and quantize rounds exactly, so a true tie is told from a near miss.
    return int(Decimal(value).quantize(_QUANTUM[places], rounding=ROUND_HALF_UP).scaleb(places))


def percentage(probability: float) -> float:
    """``probability`` * 100 rounded half-up to 2 dp, as the Ministry's ``asDoublePercentage`` does."""
    return half_up_units(probability, 4) / 100

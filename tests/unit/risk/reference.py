"""SPEC.md's formulas written out plainly, independently of the calculator, to derive expected values.

Only the coefficients are shared with the calculator: they are read here straight from the project's copy
of the data file.
"""

import json
import math
from decimal import ROUND_HALF_UP, Decimal
from importlib import resources
from typing import Any

COEFFICIENTS: dict[str, Any] = json.loads(
    resources.files("probation.risk.data").joinpath("coefficients_v1_0.json").read_text(encoding="utf-8")
)
PREDICTORS: dict[str, Any] = COEFFICIENTS["predictors"]


def polynomial(coefficients: list[float], x: float) -> float:
    """SPEC §1.1: [c1, c2, …] is c1·x + c2·x² + …"""
    return sum(c * x ** (power + 1) for power, c in enumerate(coefficients))


def logistic(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def percent(probability: float) -> float:
    """* 100, half-up to 2 dp, from the exact decimal value of the binary64 probability."""
    return float((Decimal(probability) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def linear_terms(
    predictor: str,
    variant: str,
    *,
    sex: str,
    age: int,
    category: str,
    sanctions: int,
    years: int,
    months: int,
    violent: int | None = None,
    oasys: dict[str, int] | None = None,
    drugs: tuple[str, ...] = (),
    convictions: tuple[str, ...] = (),
) -> dict[str, float]:
    """The non-zero terms of SPEC §4 for ARP, VRP or SVRP (``all_reoffending`` …), ``months`` uncapped."""
    block = PREDICTORS[predictor][variant]
    offsets = PREDICTORS[predictor]["career_offset"]
    terms = {
        "intercept": block["intercept"],
        f"{sex}_age_poly": polynomial(block[f"{sex}_age_poly"], age),
        "offence_category": block["offence_category"][category],
        "sanction_occasions": block["sanction_occasions"] * sanctions,
    }
    if sex == "female":
        terms["female"] = block["female"]
    if sanctions == 1:
        terms["first_sanction"] = block["first_sanction"]
    elif sanctions == 2:
        terms["second_sanction"] = block["second_sanction"]
        if years:
            terms[f"second_sanction_years_since_first_{sex}"] = (
                block[f"second_sanction_years_since_first_{sex}"] * years
            )
    else:
        copas = math.log(sanctions / (years + offsets["copas_rate"]))
        terms["copas_rate"] = block["copas_rate"][sex] * copas
        if "copas_rate_squared" in block:
            terms["copas_rate_squared"] = block["copas_rate_squared"][sex] * copas**2
    if months:
        terms["offence_free_months_poly"] = polynomial(block["offence_free_months_poly"], min(months, 36))
    if violent is not None:
        if violent == 0:
            terms["never_violent"] = block["never_violent"][sex]
        else:
            if violent == 1:
                terms["once_violent"] = block["once_violent"]
            terms["violent_sanctions"] = block["violent_sanctions"] * violent
            terms["violent_rate"] = block["violent_rate"] * math.log(
                violent / (years + offsets["violent_rate"])
            )
    for item, value in (oasys or {}).items():
        if value and item in block.get("oasys_items", {}):
            terms[item] = block["oasys_items"][item] * value
    for drug in drugs:
        if drug in block.get("drugs", {}):
            terms[f"drugs.{drug}"] = block["drugs"][drug]
    for conviction in convictions:
        terms[f"previous_convictions.{conviction}"] = block["previous_convictions"][conviction]
    return terms


def direct_contact_probability(points: int) -> float:
    """SPEC §5: 0 for no points, else logistic(-8.633 + 0.1598 * points)."""
    return 0.0 if points == 0 else logistic(-8.633 + 0.1598 * points)

"""The model's lookup tables against the data file's rules, over every value they can be asked for."""

import itertools
import operator
from typing import Any

import pytest

from probation.risk.coefficients import AGE_LIMIT, StepFunction, load_model
from probation.risk.enums import Gender

from .reference import COEFFICIENTS, PREDICTORS

MODEL = load_model("V1_0")
DIRECT_CONTACT = PREDICTORS["direct_contact_sexual_reoffending"]


def step_rule(rows: list[dict[str, Any]], value_key: str, x: int, default: Any) -> Any:
    """The value of the first row whose ``*_from``..``*_to`` range (``None`` open) holds ``x``."""
    for row in rows:
        lowest = next(value for key, value in row.items() if key.endswith("_from"))
        highest = next(value for key, value in row.items() if key.endswith("_to"))
        if (lowest is None or x >= lowest) and (highest is None or x <= highest):
            return row[value_key]
    return default


def band_rule(rows: list[dict[str, Any]], lower_bound_key: str, value: float) -> str:
    """The band whose lower bound is the highest not above ``value``."""
    bands = sorted(rows, key=operator.itemgetter(lower_bound_key), reverse=True)
    return next((row["band"] for row in bands if value >= row[lower_bound_key]), "NOT_APPLICABLE")


@pytest.mark.parametrize(
    ("scale", "rows"),
    [
        ("contact_adult_sanctions", "contact_adult_sexual_sanctions"),
        ("contact_child_sanctions", "contact_child_sexual_sanctions"),
        ("non_contact_offences", "non_contact_sexual_offences"),
        ("age_at_start_of_followup", "age_at_start_of_followup"),
        ("age_at_most_recent_sexual_offence", "age_at_most_recent_sexual_sanction"),
        ("total_sanctions", "total_sanctions_all_offences"),
    ],
)
def test_direct_contact_points_tables_follow_the_steps(scale: str, rows: str) -> None:
    points: StepFunction[int] = getattr(MODEL.direct_contact_sexual, scale)
    steps = DIRECT_CONTACT["points"][rows]
    for x in range(-5, 1100):
        assert points.at(x) == step_rule(steps, "points", x, 0), x
    for x, value in enumerate(points.table):
        assert value == step_rule(steps, "points", x, 0), x


def test_direct_contact_count_points_are_the_sum_of_each_counts() -> None:
    model = MODEL.direct_contact_sexual
    for counts, points in model.count_points.items():
        adult, child, non_contact = counts
        assert points == (
            model.contact_adult_sanctions.at(adult)
            + model.contact_child_sanctions.at(child)
            + model.non_contact_offences.at(non_contact)
        ), counts
    assert set(itertools.product(range(4), repeat=3)) <= model.count_points.keys()


def test_direct_contact_age_tables_reach_every_age_below_the_limit() -> None:
    model = MODEL.direct_contact_sexual
    assert len(model.age_at_start_of_followup.table) >= AGE_LIMIT
    assert len(model.age_at_most_recent_sexual_offence.table) >= AGE_LIMIT


@pytest.mark.parametrize("sex", ["male", "female"])
def test_ogrs3_age_weight_tables_follow_the_steps(sex: str) -> None:
    weights = MODEL.ogrs3.age_gender_weights[Gender(sex.upper())]
    rows = COEFFICIENTS["ogrs3"]["age_gender_weights"][sex]
    for age in range(-5, 300):
        assert weights.at(age) == step_rule(rows, "weight", age, None), age


def test_direct_contact_bands_by_points() -> None:
    model = MODEL.direct_contact_sexual
    reduction = DIRECT_CONTACT["risk_band_reduction"]["steps"]
    assert len(model.band_by_points) == len(model.probability_by_points)
    for points, (band, reduced) in enumerate(
        zip(model.band_by_points, model.reduced_band_by_points, strict=True)
    ):
        assert band == band_rule(DIRECT_CONTACT["bands_by_points"], "points_from", points), points
        assert reduced == reduction.get(band), points


def test_combined_serious_bands_by_hundredths() -> None:
    model = MODEL.combined_serious
    rows = PREDICTORS["combined_serious_reoffending"]["bands"]
    assert len(model.band_by_hundredths) == 10_000
    for hundredths, band in enumerate(model.band_by_hundredths):
        assert (
            band == model.bands.band_of(hundredths / 100) == band_rule(rows, "from_percent", hundredths / 100)
        )


def test_ogrs3_bands_by_percent() -> None:
    model = MODEL.ogrs3
    rows = COEFFICIENTS["ogrs3"]["bands_on_two_year_percent"]
    assert len(model.band_by_percent) == 100
    for percent, band in enumerate(model.band_by_percent):
        assert band == model.bands.band_of(percent) == band_rule(rows, "percent_from", percent), percent


_COMPARE = {">=": operator.ge, "==": operator.eq, "!=": operator.ne}


def hierarchy_rule(counts: tuple[int, ...]) -> float:
    """The probability of the first IIC-SRP rung whose rule the counts meet, the rules read as written."""
    names = ("indecent_image_sanctions", "contact_adult_sexual_sanctions", "contact_child_sexual_sanctions")
    values = dict(zip((*names, "non_contact_sexual_offences"), counts, strict=True))
    for row in PREDICTORS["images_and_indirect_contact_sexual_reoffending"]["hierarchy"]:
        if row["rule"] == "otherwise" or all(
            _COMPARE[operator_](values[count], int(value))
            for count, operator_, value in (clause.split(" ") for clause in row["rule"].split(" AND "))
        ):
            return float(row["probability"])
    raise AssertionError(counts)


def test_indirect_contact_rungs_follow_the_hierarchy() -> None:
    model = MODEL.indirect_contact_sexual
    for counts in itertools.product((-1000, -2, -1, 0, 1, 2, 3, 4, 7, 2**31 - 1), repeat=4):
        assert model.rung_for(counts).probability == hierarchy_rule(counts), counts

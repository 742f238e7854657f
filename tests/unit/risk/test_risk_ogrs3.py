"""Legacy OGRS3 (SPEC §8, §9.7)."""

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from probation.risk.coefficients import load_model
from probation.risk.ogrs3 import whole_percent as calculated_whole_percent

from .builders import errors_of, score
from .reference import COEFFICIENTS

OGRS3 = COEFFICIENTS["ogrs3"]


def age_weight(sex: str, age: int) -> float:
    for row in OGRS3["age_gender_weights"][sex]:
        if row["age_from"] <= age and (row["age_to"] is None or age <= row["age_to"]):
            return float(row["weight"])
    raise AssertionError(age)


def whole_percent(probability: float) -> int:
    """SPEC §8: half-up to 5 dp (held as a binary64), then * 100 half-up to a whole percent, within 1..99."""
    five_places = float(Decimal(probability).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))
    percent = int((Decimal(five_places) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return min(max(percent, 1), 99)


def expected(
    sex: str, followup_age: int, sanctions: int, conviction_age: int, first_age: int, weight: float
) -> dict[str, Any]:
    x = (
        age_weight(sex, followup_age)
        + (0.12614 if sanctions == 1 else 0.46306)
        + 1.25112 * math.log(sanctions / (10 + conviction_age - first_age))
        + weight
    )
    one_year = whole_percent(1 / (1 + math.exp(-(x + 1.40256))))
    two_year = whole_percent(1 / (1 + math.exp(-(x + 2.1217))))
    band = "LOW" if two_year < 50 else "MEDIUM" if two_year < 75 else "HIGH" if two_year < 90 else "VERY_HIGH"
    return {"oneYear": one_year, "twoYear": two_year, "band": band}


@pytest.mark.parametrize(
    ("gender", "sex", "sanctions", "code", "weight"),
    [
        ("MALE", "male", 5, "02700", 0.7606),  # soliciting
        ("FEMALE", "female", 5, "02700", 0.7606),
        ("MALE", "male", 1, "00100", 0.0),  # violence; a first sanction
        ("FEMALE", "female", 40, "05300", 0.1599),  # fraud
    ],
)
def test_ogrs3_score(gender: str, sex: str, sanctions: int, code: str, weight: float) -> None:
    # Born 1980-01-01, convicted 2020-01-01 at 40, first sanctioned at 20, followed up from 2020-06-01 at 40.
    result = score(
        gender=gender,
        totalNumberOfSanctionsForAllOffences=sanctions,
        totalNumberOfViolentSanctions=0,
        currentOffenceCode=code,
        dateAtStartOfFollowup="2020-06-01",
    )
    assert result.ogrs3 == expected(sex, 40, sanctions, 40, 20, weight)


@pytest.mark.parametrize(
    ("followup", "age"),
    [
        ("1997-12-31", 17),
        ("1998-01-01", 18),
        ("2004-12-31", 24),
        ("2005-01-01", 25),
        ("2029-12-31", 49),
        ("2030-01-01", 50),
        ("2090-01-01", 110),
        # Far beyond the last age band, which holds for every later age.
        ("2990-01-01", 1010),
        ("9999-12-31", 8019),
    ],
)
@pytest.mark.parametrize(("gender", "sex"), [("MALE", "male"), ("FEMALE", "female")])
def test_age_at_followup_bands(followup: str, age: int, gender: str, sex: str) -> None:
    result = score(gender=gender, dateAtStartOfFollowup=followup)
    assert result.ogrs3 == expected(sex, age, 5, 40, 20, 0.7606)


def test_ogrs3_has_no_fallback_to_the_conviction_date_and_no_upper_limit_on_sanctions() -> None:
    assert score(dateAtStartOfFollowup=None).ogrs3 is None
    many = score(totalNumberOfSanctionsForAllOffences=1500, totalNumberOfViolentSanctions=0)
    assert many.ogrs3 == expected("male", 40, 1500, 40, 20, 0.7606)
    assert many.all_reoffending["static"] is None


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        (
            {"totalNumberOfSanctionsForAllOffences": 0},
            "totalNumberOfSanctionsForAllOffences",
            "[TOTAL_NUMBER_OF_SANCTIONS_LESS_THAN_ONE]",
        ),
        ({"currentOffenceCode": "2700"}, "currentOffenceCode", "[OFFENCE_CODE_INCORRECT_FORMAT]"),
        ({"currentOffenceCode": "0270A"}, "currentOffenceCode", "[OFFENCE_CODE_MAPPING_NOT_FOUND]"),
        ({"currentOffenceCode": "00000"}, "currentOffenceCode", "[OFFENCE_CODE_MAPPING_NOT_FOUND]"),
        ({"currentOffenceCode": "95000"}, "currentOffenceCode", "[OFFENCE_CODE_MAPPING_NOT_FOUND]"),
        ({"currentOffenceCode": "08800"}, "currentOffenceCode", "[NEED_DETAILS_OF_EXACT_OFFENCE]"),
        # Convicted at 9.
        (
            {"dateOfBirth": "2010-06-01", "ageAtFirstSanction": 8, "dateAtStartOfFollowup": "2021-01-01"},
            "dateOfBirth",
            "[AGE_AT_CURRENT_CONVICTION_LESS_THAN_TEN]",
        ),
        (
            {"ageAtFirstSanction": 41},
            "ageAtFirstSanction",
            "[AGE_AT_FIRST_SANCTION_AFTER_AGE_AT_CURRENT_CONVICTION]",
        ),
        (
            {"dateOfBirth": "2000-01-01", "ageAtFirstSanction": 10, "dateAtStartOfFollowup": "2009-12-31"},
            "dateAtStartOfFollowup",
            "OGRS3 needs an age of at least 10",
        ),
    ],
)
def test_ogrs3_checks(changes: dict[str, Any], field: str, error: str) -> None:
    result = score(changes, totalNumberOfViolentSanctions=0)
    assert result.ogrs3 is None
    assert any(error in message and message.endswith("ogrs3.") for message in errors_of(result, field))


@pytest.mark.parametrize(
    ("percent", "band"),
    [
        (1, "LOW"),
        (49, "LOW"),
        (50, "MEDIUM"),
        (74, "MEDIUM"),
        (75, "HIGH"),
        (89, "HIGH"),
        (90, "VERY_HIGH"),
        (99, "VERY_HIGH"),
    ],
)
def test_band_boundaries(percent: int, band: str) -> None:
    assert load_model("V1_0").ogrs3.bands.band_of(percent) == band


def test_whole_percent_matches_rounding_twice_near_every_boundary() -> None:
    # Around each half percent, where rounding to 5 dp first can change the result, and a few
    # hundred-thousandths either side, where the calculator settles it directly.
    for half in range(100):
        for offset in range(-300, 301):
            probability = (half + 0.5) / 100 + offset * 1e-7
            assert calculated_whole_percent(probability) == whole_percent(probability), probability

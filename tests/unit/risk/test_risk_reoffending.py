"""ARP, VRP and SVRP against SPEC §3-§4, with expected values from the formulas in reference.py."""

from typing import Any

import pytest

from probation.risk import RiskCalculationResult
from probation.risk.coefficients import load_model

from .builders import errors_of, score
from .reference import PREDICTORS, linear_terms, logistic, percent

PREDICTOR_KEYS = {
    "all_reoffending": "allReoffending",
    "violent_reoffending": "violentReoffending",
    "serious_violent_reoffending": "seriousViolentReoffending",
}
LINEAR = list(PREDICTOR_KEYS)


def band(predictor: str, percentage: float) -> str:
    for row in PREDICTORS[predictor]["bands"]:
        if row["from_percent"] <= percentage and (
            row["to_percent"] is None or percentage < row["to_percent"]
        ):
            return str(row["band"])
    raise AssertionError(percentage)


def assert_scored(
    result: RiskCalculationResult, predictor: str, variant: str, expected_terms: dict[str, float]
) -> None:
    actual = getattr(result, predictor)[variant]
    assert actual is not None
    assert actual["contributions"].keys() == expected_terms.keys()
    for term, weight in expected_terms.items():
        assert actual["contributions"][term] == pytest.approx(weight, rel=1e-12, abs=1e-15), term
    probability = logistic(sum(expected_terms.values()))
    assert actual["probability"] == pytest.approx(probability, rel=1e-12)
    assert actual["score"] == percent(probability)
    assert actual["band"] == band(predictor, percent(probability))


# The base case (builders.py): born 1980-01-01, convicted and in the community from 2020-01-01, both at
# 40; first sanctioned at 20, so 20 years since; assessed 2025-01-01, 60 months on, counted as 36; offence
# 02700, OTHER_OFFENCES; 2 violent sanctions.
BASE: dict[str, Any] = {"age": 40, "category": "OTHER_OFFENCES", "years": 20, "months": 60}


@pytest.mark.parametrize("predictor", LINEAR)
@pytest.mark.parametrize("variant", ["static", "dynamic"])
@pytest.mark.parametrize(("gender", "sex"), [("MALE", "male"), ("FEMALE", "female")])
@pytest.mark.parametrize(
    ("sanctions", "violent"),
    # n = 1: first sanction; n = 2: second sanction and the gap; n ≥ 3: Copas rate.
    [(1, 1), (2, 0), (3, 2), (40, 12)],
)
def test_criminal_history_terms(
    predictor: str, variant: str, gender: str, sex: str, sanctions: int, violent: int
) -> None:
    result = score(
        gender=gender, totalNumberOfSanctionsForAllOffences=sanctions, totalNumberOfViolentSanctions=violent
    )
    violence = violent if predictor != "all_reoffending" else None
    expected = linear_terms(predictor, variant, sex=sex, sanctions=sanctions, violent=violence, **BASE)
    assert_scored(result, predictor, variant, expected)


@pytest.mark.parametrize(
    ("followup", "months"),
    [
        ("2025-02-01", 0),  # not yet in the community at the assessment
        ("2025-01-01", 0),
        ("2024-12-02", 0),  # 30 days is not a complete month
        ("2024-12-01", 1),
        ("2024-03-15", 9),
        ("2022-01-02", 35),
        ("2022-01-01", 36),
        ("2021-12-31", 37),  # counted as 36, the cap
        ("2015-01-01", 120),
    ],
)
@pytest.mark.parametrize("predictor", LINEAR)
def test_offence_free_months(followup: str, months: int, predictor: str) -> None:
    # Followed up from a date that is also the conviction date, so the ages stay consistent.
    result = score(dateAtStartOfFollowup=followup, dateOfCurrentConviction=min(followup, "2025-01-01"))
    convicted = min(followup, "2025-01-01")
    age = int(followup[:4]) - 1980
    conviction_age = int(convicted[:4]) - 1980
    expected = linear_terms(
        predictor,
        "static",
        sex="male",
        age=age,
        category="OTHER_OFFENCES",
        sanctions=5,
        years=conviction_age - 20,
        months=months,
        violent=2 if predictor != "all_reoffending" else None,
    )
    assert_scored(result, predictor, "static", expected)


def test_without_a_followup_date_the_conviction_date_is_used() -> None:
    with_date = score(dateAtStartOfFollowup="2020-01-01")
    without_date = score(dateAtStartOfFollowup=None)
    for predictor in LINEAR:
        assert getattr(without_date, predictor) == getattr(with_date, predictor)


@pytest.mark.parametrize("predictor", ["violent_reoffending", "serious_violent_reoffending"])
@pytest.mark.parametrize("violent", [0, 1, 2, 5])
def test_violence_history_terms(predictor: str, violent: int) -> None:
    # Never violent: one term; once: once_violent too; any: the count and the violent rate.
    result = score(totalNumberOfViolentSanctions=violent)
    for variant in ("static", "dynamic"):
        expected = linear_terms(predictor, variant, sex="male", sanctions=5, violent=violent, **BASE)
        assert_scored(result, predictor, variant, expected)


NEEDS: dict[str, Any] = {
    "didOffenceInvolveCarryingOrUsingWeapon": True,
    "suitabilityOfAccommodation": "SOME_PROBLEMS",
    "isUnemployed": True,
    "currentRelationshipWithPartner": "SIGNIFICANT_PROBLEMS",
    "currentRelationshipStatus": "IN_RELATIONSHIP_LIVING_TOGETHER",
    "evidenceOfDomesticAbuse": True,
    "regularOffendingActivities": "SIGNIFICANT_PROBLEMS",
    "motivationToTackleDrugMisuse": "PARTIAL_MOTIVATION",
    "currentAlcoholUseProblems": "SOME_PROBLEMS",
    "excessiveAlcoholUse": "SIGNIFICANT_PROBLEMS",
    "impulsivityProblems": "SOME_PROBLEMS",
    "temperControl": "SIGNIFICANT_PROBLEMS",
    "proCriminalAttitudes": "SOME_PROBLEMS",
    "hasHeroinUsage": True,
    "hasMethadoneUsage": True,
    "hasKetamineUsage": True,
    "hasCannabisUsage": False,
    "previousConvictions": ["WOUNDING_GBH", "ARSON", "WOUNDING_GBH"],
}
# SPEC §2.2: NO/SOME/SIGNIFICANT problems score 0/1/2; unemployed is 2; living together is 1 and makes
# the partner interaction the relationship score; ketamine is one of the "other drugs".
NEEDS_FEATURES: dict[str, int] = {
    "s2q2a": 1,
    "s3q4": 1,
    "s4q2": 2,
    "s3q2_partner": 1,
    "s6q4": 2,
    "s3q2_partner_x_s6q4": 2,
    "s6q7": 1,
    "s7q2": 2,
    "s8q8": 1,
    "s9q1": 1,
    "s9q2": 2,
    "s11q2": 1,
    "s11q4": 2,
    "s12q1": 1,
}


@pytest.mark.parametrize("predictor", LINEAR)
def test_needs_terms_of_the_dynamic_variant(predictor: str) -> None:
    result = score(NEEDS)
    expected = linear_terms(
        predictor,
        "dynamic",
        sex="male",
        sanctions=5,
        violent=2 if predictor != "all_reoffending" else None,
        oasys=NEEDS_FEATURES,
        drugs=("heroin", "methadone", "other_drugs"),
        # Repeated convictions count once; only SVRP has these terms.
        convictions=("WOUNDING_GBH", "ARSON") if predictor == "serious_violent_reoffending" else (),
        **BASE,
    )
    assert_scored(result, predictor, "dynamic", expected)
    # The static variant ignores every need.
    static = linear_terms(
        predictor,
        "static",
        sex="male",
        sanctions=5,
        violent=2 if predictor != "all_reoffending" else None,
        **BASE,
    )
    assert_scored(result, predictor, "static", static)


def test_living_apart_from_a_partner_counts_the_relationship_but_not_the_interaction() -> None:
    result = score(NEEDS, currentRelationshipStatus="IN_RELATIONSHIP_NOT_LIVING_TOGETHER")
    dynamic = result.all_reoffending["dynamic"]
    assert dynamic is not None
    contributions = dynamic["contributions"]
    assert "s3q2_partner" not in contributions
    assert "s3q2_partner_x_s6q4" not in contributions
    assert contributions["s6q4"] == pytest.approx(
        2 * PREDICTORS["all_reoffending"]["dynamic"]["oasys_items"]["s6q4"]
    )


def test_arp_takes_no_drug_motivation_as_full_motivation_vrp_needs_it() -> None:
    result = score(motivationToTackleDrugMisuse=None)

    expected = linear_terms("all_reoffending", "dynamic", sex="male", sanctions=5, **BASE)
    assert_scored(result, "all_reoffending", "dynamic", expected)
    assert result.violent_reoffending["dynamic"] is None
    assert result.violent_reoffending["static"] is not None
    assert result.serious_violent_reoffending["dynamic"] is not None
    assert errors_of(result, "motivationToTackleDrugMisuse") == [
        "motivationToTackleDrugMisuse is required for the dynamic score, so only the static one is given. "
        "[MISSING_DYNAMIC_INPUT] Affects: violentReoffending.dynamic."
    ]


def test_drug_misuse_without_motivation_is_inconsistent_for_arp_and_vrp() -> None:
    # Heroin is an ARP term only, methadone a VRP one: each predictor checks its own drugs.
    result = score(motivationToTackleDrugMisuse=None, hasHeroinUsage=True)

    assert result.all_reoffending["dynamic"] is None
    assert result.all_reoffending["static"] is not None
    assert result.serious_violent_reoffending["dynamic"] is not None
    messages = errors_of(result, "hasHeroinUsage")
    assert len(messages) == 1
    assert "[MOTIVATION_TO_TACKLE_DRUG_MISUSE_INCONSISTENT] Affects: allReoffending.dynamic." in messages[0]


# Aged 109 at a conviction that is also the start of follow-up, 37 months (counted as 36) before the
# assessment, a first sanction, for welfare fraud: the logit falls below -9.9 for ARP, static VRP and SVRP,
# so their probability rounds to 0.00% (SPEC §4.1). Dynamic VRP's age polynomial is only quadratic, and
# leaves it at a few tenths of a percent.
VANISHING: dict[str, Any] = {
    "dateOfBirth": "1912-06-01",
    "dateOfCurrentConviction": "2021-12-01",
    "dateAtStartOfFollowup": None,
    "ageAtFirstSanction": 109,
    "totalNumberOfSanctionsForAllOffences": 1,
    "totalNumberOfViolentSanctions": 0,
    "currentOffenceCode": "05333",
}
VANISHING_FEATURES: dict[str, Any] = {
    "age": 109,
    "category": "WELFARE_FRAUD",
    "sanctions": 1,
    "years": 0,
    "months": 37,
}


@pytest.mark.parametrize(
    ("predictor", "variant", "zero"),
    [
        ("all_reoffending", "static", True),
        ("all_reoffending", "dynamic", True),
        ("violent_reoffending", "static", True),
        ("violent_reoffending", "dynamic", False),
        ("serious_violent_reoffending", "static", True),
        ("serious_violent_reoffending", "dynamic", True),
    ],
)
def test_a_percentage_of_zero_is_an_error_for_arp_and_vrp_but_low_for_svrp(
    predictor: str, variant: str, zero: bool
) -> None:
    violent = 0 if predictor != "all_reoffending" else None
    terms = linear_terms(predictor, variant, sex="male", violent=violent, **VANISHING_FEATURES)
    assert (percent(logistic(sum(terms.values()))) == 0.0) is zero

    result = score(VANISHING)

    name = PREDICTOR_KEYS[predictor]
    label = name if variant == "static" else f"{name}.dynamic"
    expected_error = (
        f"The {variant} {name} score rounds to 0.00%, which the Ministry's calculator treats as an error. "
        f"[UNEXPECTED_ERROR] Affects: {label}."
    )
    if zero and predictor != "serious_violent_reoffending":
        assert getattr(result, predictor)[variant] is None
        assert expected_error in errors_of(result, name)
    else:
        assert_scored(result, predictor, variant, terms)
        assert expected_error not in errors_of(result, name)


@pytest.mark.parametrize(
    ("predictor", "boundaries"),
    [
        (
            "all_reoffending",
            [
                (49.99, "LOW"),
                (50.0, "MEDIUM"),
                (74.99, "MEDIUM"),
                (75.0, "HIGH"),
                (89.99, "HIGH"),
                (90.0, "VERY_HIGH"),
                (99.99, "VERY_HIGH"),
            ],
        ),
        (
            "violent_reoffending",
            [
                (0.01, "LOW"),
                (29.99, "LOW"),
                (30.0, "MEDIUM"),
                (59.99, "MEDIUM"),
                (60.0, "HIGH"),
                (79.99, "HIGH"),
                (80.0, "VERY_HIGH"),
            ],
        ),
        (
            "serious_violent_reoffending",
            [
                (0.0, "LOW"),
                (0.99, "LOW"),
                (1.0, "MEDIUM"),
                (2.99, "MEDIUM"),
                (3.0, "HIGH"),
                (6.89, "HIGH"),
                (6.9, "VERY_HIGH"),
            ],
        ),
    ],
)
def test_band_boundaries(predictor: str, boundaries: list[tuple[float, str]]) -> None:
    # SPEC §4.1: each band includes its lower bound and excludes its upper one.
    bands = getattr(load_model("V1_0"), predictor).band_by_hundredths
    for percentage, expected in boundaries:
        assert bands[round(percentage * 100)] == expected, percentage


def test_contributions_name_the_coefficient_file_terms() -> None:
    result = score(NEEDS, totalNumberOfSanctionsForAllOffences=2, totalNumberOfViolentSanctions=1)
    for predictor in LINEAR:
        block = PREDICTORS[predictor]["dynamic"]
        groups = ("oasys_items", "drugs", "previous_convictions")
        names = {
            *(key for key in block if key not in groups),
            *block.get("oasys_items", {}),
            *(f"drugs.{drug}" for drug in block.get("drugs", {})),
            *(f"previous_convictions.{conviction}" for conviction in block.get("previous_convictions", {})),
        }
        assert set(getattr(result, predictor)["dynamic"]["contributions"]) <= names

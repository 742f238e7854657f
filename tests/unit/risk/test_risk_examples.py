"""The Ministry's own worked examples (examples.json) reproduce exactly."""

import json
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from probation.risk import RiskCalculationRequest, RiskCalculationResult, calculate

EXAMPLES: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "examples.json").read_text())

# The Ministry's name of each term (its featureValues) → the term's key in the coefficients file.
TERM_NAMES = {
    "twoYearInterceptWeight": "intercept",
    "ageGenderPolynomialWeight": "male_age_poly",
    "offenceGroupWeight": "offence_category",
    "totalNumberOfSanctionsForAllOffencesWeight": "sanction_occasions",
    "firstSanctionWeight": "first_sanction",
    "offenceFreeMonthsWeight": "offence_free_months_poly",
    "copasScore": "copas_rate",
    "copasScoreSquared": "copas_rate_squared",
    "onceViolentWeight": "once_violent",
    "totalNumberOfViolentSanctionsWeight": "violent_sanctions",
    "violentSanctionsWeight": "violent_sanctions",
    "copasViolentOffencesScore": "violent_rate",
    "violenceRateWeight": "violent_rate",
    "domesticViolenceWeight": "s6q7",
    "regularOffendingActivitiesWeight": "s7q2",
    "pastWoundingGrievousBodilyHarmOffenceWeight": "previous_convictions.WOUNDING_GBH",
}
PREDICTOR_ATTRIBUTES = {
    "allReoffending": "all_reoffending",
    "violentReoffending": "violent_reoffending",
    "seriousViolentReoffending": "serious_violent_reoffending",
}


def calculated(request: dict[str, Any]) -> RiskCalculationResult:
    return calculate(RiskCalculationRequest.model_validate(request))


def check_linear(result: RiskCalculationResult, predictor: str, expected: dict[str, Any]) -> None:
    scores = getattr(result, PREDICTOR_ATTRIBUTES[predictor])
    score = scores[expected["type"].lower()]
    assert score is not None
    assert score["score"] == expected["score"]
    assert score["band"] == expected["band"]
    terms = {TERM_NAMES[name]: weight for name, weight in expected["terms"].items() if name != "totalWeight"}
    for term, weight in terms.items():
        assert score["contributions"][term] == pytest.approx(weight, rel=1e-12, abs=1e-15), term
    total = expected.get("totalWeight", expected["terms"].get("totalWeight"))
    assert math.fsum(score["contributions"].values()) == pytest.approx(total, rel=1e-12)
    assert score["probability"] == pytest.approx(1 / (1 + math.exp(-total)), rel=1e-12)


@pytest.mark.parametrize("predictor", list(PREDICTOR_ATTRIBUTES))
def test_end_to_end_linear_predictors(predictor: str) -> None:
    example = EXAMPLES["end_to_end"]
    result = calculated(example["request"])
    expected = example["expected"][predictor]

    check_linear(result, predictor, expected)
    # The Ministry lists exactly the terms that apply; so does the calculator.
    score = getattr(result, PREDICTOR_ATTRIBUTES[predictor])["dynamic"]
    expected_terms = {TERM_NAMES[name] for name in expected["terms"] if name != "totalWeight"}
    assert set(score["contributions"]) == expected_terms


def test_end_to_end_sexual_predictors_and_rsr() -> None:
    example = EXAMPLES["end_to_end"]
    expected = example["expected"]
    result = calculated(example["request"])

    assert result.direct_contact_sexual is not None
    assert result.direct_contact_sexual["points"] == expected["directContactSexual"]["points"]
    assert result.direct_contact_sexual["score"] == expected["directContactSexual"]["score"]
    assert result.direct_contact_sexual["band"] == expected["directContactSexual"]["band"]
    assert result.indirect_contact_sexual is not None
    assert result.indirect_contact_sexual["score"] == expected["indirectContactSexual"]["score"]
    assert result.indirect_contact_sexual["band"] == expected["indirectContactSexual"]["band"]
    assert result.rsr == {
        "score": expected["rsr"]["score"],
        "band": expected["rsr"]["band"],
        "type": "DYNAMIC",
    }
    assert result.errors == []


@pytest.mark.parametrize("fixture", EXAMPLES["rsr_fixtures"], ids=lambda fixture: fixture["name"])
def test_rsr_fixtures(fixture: dict[str, Any]) -> None:
    result = calculated(fixture["request"])
    svrp = fixture["expected"]["seriousViolentReoffending"]

    check_linear(result, "seriousViolentReoffending", svrp)
    assert result.rsr == {
        "score": fixture["expected"]["rsr"]["score"],
        "band": fixture["expected"]["rsr"]["band"],
        "type": svrp["type"],
    }


# The OGRS3 scenarios give the offence group; a code of that group in the OGRS3 weights. Scenario 2's test
# mocks 11618 as "Fraud and forgery" (SPEC §13.4), whose weight 05300 also has.
OGRS3_CODES = {"Soliciting or prostitution": "02700", "Fraud and forgery": "05300"}


@pytest.mark.parametrize("scenario", EXAMPLES["ogrs3"], ids=lambda scenario: scenario["name"])
def test_ogrs3_scenarios(scenario: dict[str, Any]) -> None:
    request = {
        "gender": scenario["gender"],
        "dateOfBirth": scenario["dateOfBirth"],
        "dateOfCurrentConviction": scenario["dateOfCurrentConviction"],
        "dateAtStartOfFollowup": scenario["dateAtStartOfFollowup"],
        "totalNumberOfSanctionsForAllOffences": scenario["totalNumberOfSanctionsForAllOffences"],
        "ageAtFirstSanction": scenario["ageAtFirstSanction"],
        "currentOffenceCode": OGRS3_CODES[scenario["offenceGroup"]],
    }

    result = calculate(RiskCalculationRequest.model_validate(request), today=date(2025, 6, 1))

    assert result.ogrs3 == scenario["expected"]

"""OASys answers → the risk calculator's request (risk SPEC §2.2 and the drug flags)."""

import re
from collections.abc import Mapping
from datetime import date

import pytest

from probation.assessments import (
    CONDITIONAL_PREDICTOR_QUESTIONS,
    PREDICTOR_QUESTIONS,
    load_catalogue,
    predictor_answers,
)
from probation.risk import RiskCalculationRequest, calculate

from .catalogue_rows import CATALOGUE_ROWS

CATALOGUE = load_catalogue()

# Each drug's current-usage question and its flag in RiskCalculationRequest. Amphetamines (8.2.8.1) and
# ecstasy (8.2.10.1) have no flag.
DRUG_FLAGS = {
    "8.2.1.1": "hasHeroinUsage",
    "8.2.2.1": "hasMethadoneUsage",
    "8.2.3.1": "hasOtherOpiateUsage",
    "8.2.4.1": "hasCrackCocaineUsage",
    "8.2.5.1": "hasPowderCocaineUsage",
    "8.2.6.1": "hasMisusedPrescriptionDrugUsage",
    "8.2.7.1": "hasBenzodiazepinesUsage",
    "8.2.9.1": "hasHallucinogensUsage",
    "8.2.11.1": "hasCannabisUsage",
    "8.2.12.1": "hasSolventsUsage",
    "8.2.13.1": "hasSteroidsUsage",
    "8.2.14.1": "hasOtherDrugsUsage",
    "8.2.15.1": "hasSpiceUsage",
    "8.2.16.1": "hasKetamineUsage",
}
NO_DRUGS = dict.fromkeys(DRUG_FLAGS.values(), False)

PROBLEM_LEVELS = [("0", "NO_PROBLEMS"), ("1", "SOME_PROBLEMS"), ("2", "SIGNIFICANT_PROBLEMS")]
PROBLEM_LEVEL_FIELDS = {
    "3.4": "suitabilityOfAccommodation",
    "6.4": "currentRelationshipWithPartner",
    "7.2": "regularOffendingActivities",
    "9.1": "currentAlcoholUseProblems",
    "9.2": "excessiveAlcoholUse",
    "11.2": "impulsivityProblems",
    "11.4": "temperControl",
    "12.1": "proCriminalAttitudes",
}
SINGLE_QUESTION_CASES = [
    *[
        (code, answer, field, value)
        for code, field in PROBLEM_LEVEL_FIELDS.items()
        for answer, value in PROBLEM_LEVELS
    ],
    ("2.2_V2_WEAPON", "YES", "didOffenceInvolveCarryingOrUsingWeapon", True),
    ("2.2_V2_WEAPON", "NO", "didOffenceInvolveCarryingOrUsingWeapon", False),
    ("4.2", "YES", "isUnemployed", True),
    ("4.2", "NO", "isUnemployed", False),
    ("4.2", "NA", "isUnemployed", False),
    ("6.7da", "NO", "evidenceOfDomesticAbuse", False),
    ("6.8", "1", "currentRelationshipStatus", "IN_RELATIONSHIP_LIVING_TOGETHER"),
    ("6.8", "2", "currentRelationshipStatus", "IN_RELATIONSHIP_NOT_LIVING_TOGETHER"),
    ("6.8", "3", "currentRelationshipStatus", "NOT_IN_RELATIONSHIP"),
    ("8.8", "0", "motivationToTackleDrugMisuse", "FULL_MOTIVATION"),
    ("8.8", "1", "motivationToTackleDrugMisuse", "PARTIAL_MOTIVATION"),
    ("8.8", "2", "motivationToTackleDrugMisuse", "NO_MOTIVATION"),
    *[(code, "100", field, True) for code, field in DRUG_FLAGS.items()],
]

# The static case of the calculator's tests: a man convicted at 40, first sanctioned at 20.
STATIC_FIELDS = {
    "gender": "MALE",
    "dateOfBirth": "1980-01-01",
    "assessmentDate": "2025-01-01",
    "dateOfCurrentConviction": "2020-01-01",
    "dateAtStartOfFollowup": "2020-01-01",
    "ageAtFirstSanction": 20,
    "totalNumberOfSanctionsForAllOffences": 5,
    "totalNumberOfViolentSanctions": 2,
    "currentOffenceCode": "02700",
    "supervisionStatus": "COMMUNITY",
    "previousConvictions": [],
    "hasEverCommittedSexualOffence": False,
}


def request_fields(answers: Mapping[str, object]) -> dict[str, object]:
    """The mapped fields, checked to be a valid calculator request."""
    fields = predictor_answers(answers)
    RiskCalculationRequest.model_validate(fields)
    return fields


@pytest.mark.parametrize(("code", "answer", "field", "value"), SINGLE_QUESTION_CASES)
def test_each_answer_maps_to_its_field(code: str, answer: str, field: str, value: object) -> None:
    assert request_fields({code: answer}) == {field: value}


@pytest.mark.parametrize("code", ["3.4", "4.2", "6.4", "7.2", "8.8", "9.1", "9.2"])
def test_a_missing_answer_leaves_the_field_out(code: str) -> None:
    assert "M" in CATALOGUE.question(code).option_codes
    assert request_fields({code: "M"}) == {}


@pytest.mark.parametrize("code", PREDICTOR_QUESTIONS)
def test_a_cleared_answer_leaves_the_field_out(code: str) -> None:
    assert request_fields({code: None}) == {}


def test_no_answers_map_to_no_fields() -> None:
    assert request_fields({}) == {}


@pytest.mark.parametrize(
    ("answers", "evidence"),
    [
        ({"6.7da": "YES", "6.7.2.1da": "YES"}, True),
        ({"6.7da": "YES", "6.7.2.1da": "NO"}, False),
        ({"6.7da": "YES", "6.7.2.1da": "NO", "6.7.2.2da": "YES", "6.7.1.1da": "YES"}, False),
        ({"6.7da": "NO", "6.7.2.1da": "YES"}, False),
        ({"6.7da": "NO"}, False),
        ({"6.7da": "YES"}, None),
        ({"6.7.2.1da": "YES"}, None),
    ],
)
def test_evidence_of_domestic_abuse_is_the_perpetrator_against_partner_flag(
    answers: dict[str, object], evidence: bool | None
) -> None:
    assert request_fields(answers).get("evidenceOfDomesticAbuse") == evidence


def test_a_drug_flag_is_set_for_each_drug_in_current_use_once_section_8_is_started() -> None:
    answers = {"8.1": "YES", "8.2.1.1": "100", "8.2.16.1": "130", "8.2.8.1": "110", "8.2.10.1": "120"}
    assert request_fields(answers) == {**NO_DRUGS, "hasHeroinUsage": True, "hasKetamineUsage": True}


def test_a_drug_user_without_a_current_drug_has_every_flag_false() -> None:
    assert request_fields({"8.1": "YES", "8.2.1.3": "YES", "8.8": "1"}) == {
        **NO_DRUGS,
        "motivationToTackleDrugMisuse": "PARTIAL_MOTIVATION",
    }


def test_before_section_8_is_started_only_answered_drugs_are_flagged() -> None:
    assert request_fields({"8.2.11.1": "120"}) == {"hasCannabisUsage": True}


def test_someone_who_never_misused_drugs_is_fully_motivated_and_uses_none() -> None:
    expected = {**NO_DRUGS, "motivationToTackleDrugMisuse": "FULL_MOTIVATION"}
    assert request_fields({"8.1": "NO"}) == expected
    assert request_fields({"8.1": "NO", "8.8": "2"}) == expected


def test_a_drug_flag_for_every_drug_of_the_request() -> None:
    request_drug_flags = {
        field.alias
        for name, field in RiskCalculationRequest.model_fields.items()
        if name.startswith("has_") and name.endswith("_usage")
    }
    assert set(request_fields({"8.1": "YES"})) == request_drug_flags == set(DRUG_FLAGS.values())


@pytest.mark.parametrize(
    ("code", "answer"), [("3.4", "3"), ("6.8", 1), ("4.2", "Yes"), ("8.1", "DK"), ("6.7da", True)]
)
def test_an_answer_without_a_calculator_value_is_refused(code: str, answer: object) -> None:
    with pytest.raises(ValueError, match=re.escape(f"{code} answer {answer!r} is not one of ")):
        predictor_answers({code: answer})


def test_a_completed_assessment_gives_every_dynamic_predictor_its_inputs() -> None:
    answers: dict[str, object] = {
        "2.2_V2_WEAPON": "YES",
        "3.4": "1",
        "4.2": "NA",
        "6.4": "2",
        "6.7da": "YES",
        "6.7.2.1da": "YES",
        "6.8": "1",
        "7.2": "0",
        "8.1": "YES",
        "8.2.4.1": "110",
        "8.8": "2",
        "9.1": "1",
        "9.2": "0",
        "11.2": "2",
        "11.4": "1",
        "12.1": "0",
    }
    fields = request_fields(answers)
    assert fields == {
        **NO_DRUGS,
        "didOffenceInvolveCarryingOrUsingWeapon": True,
        "suitabilityOfAccommodation": "SOME_PROBLEMS",
        "isUnemployed": False,
        "currentRelationshipWithPartner": "SIGNIFICANT_PROBLEMS",
        "currentRelationshipStatus": "IN_RELATIONSHIP_LIVING_TOGETHER",
        "evidenceOfDomesticAbuse": True,
        "regularOffendingActivities": "NO_PROBLEMS",
        "motivationToTackleDrugMisuse": "NO_MOTIVATION",
        "currentAlcoholUseProblems": "SOME_PROBLEMS",
        "excessiveAlcoholUse": "NO_PROBLEMS",
        "impulsivityProblems": "SIGNIFICANT_PROBLEMS",
        "temperControl": "SOME_PROBLEMS",
        "proCriminalAttitudes": "NO_PROBLEMS",
        "hasCrackCocaineUsage": True,
    }
    result = calculate(
        RiskCalculationRequest.model_validate({**STATIC_FIELDS, **fields}), today=date(2025, 1, 1)
    )
    assert result.errors == []
    for predictor in (result.all_reoffending, result.violent_reoffending, result.serious_violent_reoffending):
        assert predictor["dynamic"] is not None


def test_predictor_questions_are_every_question_the_mapping_reads() -> None:
    gates = {"6.7da", "8.1"}
    spec_questions = {
        "2.2_V2_WEAPON",
        "3.4",
        "4.2",
        "6.4",
        "6.8",
        "7.2",
        "8.8",
        "9.1",
        "9.2",
        "11.2",
        "11.4",
        "12.1",
    }
    assert set(CONDITIONAL_PREDICTOR_QUESTIONS) == {"6.7.2.1da", *DRUG_FLAGS}
    assert set(PREDICTOR_QUESTIONS) == spec_questions | gates | set(CONDITIONAL_PREDICTOR_QUESTIONS)
    assert len(PREDICTOR_QUESTIONS) == len(set(PREDICTOR_QUESTIONS))


def test_predictor_questions_are_the_data_files_predictor_inputs() -> None:
    flagged = {row["code"] for row in CATALOGUE_ROWS if row["predictor_input"] == "Y"}
    assert set(PREDICTOR_QUESTIONS) <= flagged

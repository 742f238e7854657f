"""Parsing requests: the Ministry's field names, missing fields allowed, wrong types refused (SPEC §9.1)."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from probation.risk import Gender, RiskCalculationRequest, calculate
from probation.risk.request import field_values

from .builders import BASE_CASE

EXAMPLES: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "examples.json").read_text())
EXAMPLE_REQUESTS = [EXAMPLES["end_to_end"]["request"], *(f["request"] for f in EXAMPLES["rsr_fixtures"])]

# SPEC §2 and the Ministry's request, field for field.
MINISTRY_FIELDS = {
    "version",
    "gender",
    "dateOfBirth",
    "assessmentDate",
    "dateOfCurrentConviction",
    "dateAtStartOfFollowup",
    "ageAtFirstSanction",
    "totalNumberOfSanctionsForAllOffences",
    "totalNumberOfViolentSanctions",
    "currentOffenceCode",
    "didOffenceInvolveCarryingOrUsingWeapon",
    "suitabilityOfAccommodation",
    "isUnemployed",
    "currentRelationshipWithPartner",
    "currentRelationshipStatus",
    "evidenceOfDomesticAbuse",
    "regularOffendingActivities",
    "motivationToTackleDrugMisuse",
    "currentAlcoholUseProblems",
    "excessiveAlcoholUse",
    "impulsivityProblems",
    "temperControl",
    "proCriminalAttitudes",
    "previousConvictions",
    "hasHeroinUsage",
    "hasMethadoneUsage",
    "hasOtherOpiateUsage",
    "hasCrackCocaineUsage",
    "hasPowderCocaineUsage",
    "hasMisusedPrescriptionDrugUsage",
    "hasBenzodiazepinesUsage",
    "hasCannabisUsage",
    "hasSteroidsUsage",
    "hasOtherDrugsUsage",
    "hasKetamineUsage",
    "hasSpiceUsage",
    "hasHallucinogensUsage",
    "hasSolventsUsage",
    "supervisionStatus",
    "hasEverCommittedSexualOffence",
    "isCurrentOffenceSexuallyMotivated",
    "isCurrentOffenceAgainstVictimStranger",
    "totalContactAdultSexualSanctions",
    "totalContactChildSexualSanctions",
    "totalNonContactSexualOffences",
    "totalIndecentImageSanctions",
    "dateOfMostRecentSexualOffence",
    "mostRecentOffenceDate",
    # Sent by the Ministry's end-to-end fixture; used by nothing.
    "currentDrugMisuse",
}
# SCREENING.md §2.1, §3.1, §4.1, §4.4-4.6 and §5.1, beyond the fields above.
SCREENING_FIELDS = {
    "hasPeerGroupInfluences",
    "influenceFromCriminalAssociates",
    "recklessnessAndRiskTakingBehaviour",
    "difficultiesCoping",
    "attitudesTowardsSelf",
    "problemSolvingSkills",
    "awarenessOfConsequences",
    "understandsOtherPeoplesViews",
    "isCurrentlyOfNoFixedAbodeOrTransientAccommodation",
    "workRelatedSkills",
    "problemsWithReadingWritingNumeracy",
    "hasProblemsWithReading",
    "hasProblemsWithNumeracy",
    "learningDifficulties",
    "professionalOrVocationalQualifications",
    "overallRiskForAssessment",
    "highestRiskLevelOverAllAssessments",
    "hasCustodialSentence",
    "isEligibleForMappa",
    "applyOPDOverride",
    "domesticAbuseAgainstPartner",
    "domesticAbuseAgainstFamily",
    "didOffenceInvolveViolenceOrThreatOfViolence",
    "didOffenceInvolveExcessiveUseOfViolence",
    "didOffenceInvolveArson",
    "offenceMotivationEmotionalState",
    "doesRecogniseImpactOfOffendingOnOthers",
    "overRelianceOnOthersForFinancialSupport",
    "manipulativeOrPredatoryBehaviour",
    "isEvidenceOfChildhoodBehaviouralProblems",
    "controllingOrAggressiveBehaviour",
    "experienceOfChildhood",
    "currentPsychologicalProblems",
    "currentPsychiatricProblems",
    "hasHistoryOfPsychiatricTreatment",
    "hasBeenOnMedicationForMentalHealthProblems",
    "hasEverBeenInSpecialHospitalOrRegionalSecureUnit",
    "hasCurrentPsychiatricTreatment",
    "hasDisplayedObsessiveBehaviourLinkedToOffending",
    "hasSelfHarmOrAttemptedSuicide",
    "attitudeTowardsSupervisionOrLicence",
    "hasAssaultedOrThreatenedStaff",
    "hasEscapedOrAbsconded",
    "hasControlIssues",
    "isAnalysisOfOffenceIssuesLinkedToRisk",
    "hasAccommodationIssuesLinkedToRisk",
    "relationshipIssuesLinkedToRisk",
    "areEmotionalIssuesLinkedToRisk",
    "areThinkingAndBehaviourIssuesLinkedToRisk",
    "isARiskOfSexualHarm",
    "sexualPreoccupation",
    "offenceRelatedSexualInterests",
    "emotionalCongruenceWithChildren",
    "hostileOrientation",
    "currentRelationshipWithFamilyMembers",
    "previousCloseRelationships",
    "easilyInfluencedByCriminalAssociates",
    "saraRiskToPartner",
    "saraRiskToOthers",
}
# The project's own: which predictors' results PNI sees.
PROJECT_FIELDS = {"pniContext"}


def test_json_field_names_are_the_ministrys() -> None:
    aliases = {field.alias for field in RiskCalculationRequest.model_fields.values()}
    assert aliases == MINISTRY_FIELDS | SCREENING_FIELDS | PROJECT_FIELDS


@pytest.mark.parametrize("request_json", EXAMPLE_REQUESTS)
def test_every_example_request_parses_from_json(request_json: dict[str, Any]) -> None:
    request = RiskCalculationRequest.model_validate_json(json.dumps(request_json))
    assert request.gender is Gender.MALE
    assert request.model_dump(by_alias=True, exclude_unset=True, mode="json") == request_json


def test_every_field_may_be_absent() -> None:
    request = RiskCalculationRequest.model_validate({})
    assert all(value is None for value in request.model_dump().values())


def test_snake_case_names_are_accepted_in_python() -> None:
    request = RiskCalculationRequest(
        date_of_birth=date(1980, 1, 1), total_number_of_sanctions_for_all_offences=3
    )
    assert request.date_of_birth == date(1980, 1, 1)
    assert request.total_number_of_sanctions_for_all_offences == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("unknownProperty", 1),
        ("gender", "male"),
        ("gender", 0),
        ("suitabilityOfAccommodation", 1),
        ("previousConvictions", ["MURDER"]),
        ("isUnemployed", 1),
        ("isUnemployed", "true"),
        ("totalNumberOfSanctionsForAllOffences", "21"),
        ("totalNumberOfSanctionsForAllOffences", 21.0),
        ("totalNumberOfSanctionsForAllOffences", True),
        ("totalNumberOfSanctionsForAllOffences", 2**31),  # beyond a Java int
        ("currentOffenceCode", 2700),
        ("dateOfBirth", "2020-13-01"),
        ("dateOfBirth", "01/01/1980"),
        ("dateOfBirth", "1980-01-01T00:00:00"),
        ("dateOfBirth", 315532800),
    ],
)
def test_wrong_types_do_not_parse(field: str, value: object) -> None:
    with pytest.raises(ValidationError):
        RiskCalculationRequest.model_validate_json(json.dumps({**BASE_CASE, field: value}))


def test_java_int_bounds_parse() -> None:
    request = RiskCalculationRequest.model_validate(
        {"totalNumberOfSanctionsForAllOffences": 2**31 - 1, "ageAtFirstSanction": -(2**31)}
    )
    assert request.total_number_of_sanctions_for_all_offences == 2**31 - 1


def test_assessment_date_defaults_to_the_injected_today() -> None:
    # Convicted on 2025-04-01: too late for an assessment on 2024-12-31 (SPEC §9.2), fine for 2025-01-01.
    request = RiskCalculationRequest.model_validate(
        {**BASE_CASE, "assessmentDate": None, "dateOfCurrentConviction": "2025-04-01"}
    )
    assert calculate(request, today=date(2025, 1, 1)).all_reoffending["static"] is not None
    assert calculate(request, today=date(2024, 12, 31)).all_reoffending["static"] is None


def test_field_values_read_as_the_request_and_change_nothing() -> None:
    request = RiskCalculationRequest.model_validate(BASE_CASE)
    values = field_values(request)
    for attribute in RiskCalculationRequest.model_fields:
        assert getattr(values, attribute) == getattr(request, attribute), attribute
    with pytest.raises(AttributeError):
        values.gender = Gender.FEMALE  # type: ignore[misc]
    assert request.gender == RiskCalculationRequest.model_validate(BASE_CASE).gender
    # Only fields: none of the model's methods.
    assert not hasattr(values, "model_dump")

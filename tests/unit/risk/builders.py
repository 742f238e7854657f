"""Requests for the tests: one valid, complete case to vary, and ways to read the result."""

from datetime import date
from typing import Any

from probation.risk import RiskCalculationRequest, RiskCalculationResult, calculate

# A man convicted at 40 of a first-sanction-at-20 career, in the community since his conviction: every
# predictor, both variants, can score him. Fields (camelCase) are changed per test.
BASE_CASE: dict[str, Any] = {
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
    "didOffenceInvolveCarryingOrUsingWeapon": False,
    "suitabilityOfAccommodation": "NO_PROBLEMS",
    "isUnemployed": False,
    "currentRelationshipWithPartner": "NO_PROBLEMS",
    "currentRelationshipStatus": "NOT_IN_RELATIONSHIP",
    "evidenceOfDomesticAbuse": False,
    "regularOffendingActivities": "NO_PROBLEMS",
    "motivationToTackleDrugMisuse": "FULL_MOTIVATION",
    "currentAlcoholUseProblems": "NO_PROBLEMS",
    "excessiveAlcoholUse": "NO_PROBLEMS",
    "impulsivityProblems": "NO_PROBLEMS",
    "temperControl": "NO_PROBLEMS",
    "proCriminalAttitudes": "NO_PROBLEMS",
    "previousConvictions": [],
    "hasEverCommittedSexualOffence": False,
}

# A sexual offending history for the base case, worth 34 DC-SRP points (SPEC §5): contact adult 1 → 5,
# contact child 2 → 6, non-contact 0 → 0, age 40 at follow-up → 14 - (40 - 18) // 3 = 7, age 39 at the
# last sexual offence → 10, 5 sanctions → 6.
SEXUAL_HISTORY: dict[str, Any] = {
    "hasEverCommittedSexualOffence": True,
    "totalContactAdultSexualSanctions": 1,
    "totalContactChildSexualSanctions": 2,
    "totalNonContactSexualOffences": 0,
    "totalIndecentImageSanctions": 1,
    "dateOfMostRecentSexualOffence": "2019-06-01",
}


def case(changes: dict[str, Any] | None = None, **more: Any) -> RiskCalculationRequest:
    """The base case with fields changed; a value of ``None`` leaves the field out."""
    fields = {**BASE_CASE, **(changes or {}), **more}
    return RiskCalculationRequest.model_validate({k: v for k, v in fields.items() if v is not None})


def score(changes: dict[str, Any] | None = None, **more: Any) -> RiskCalculationResult:
    return calculate(case(changes, **more), today=date(2025, 1, 1))


def errors_of(result: RiskCalculationResult, field: str) -> list[str]:
    """The messages of the errors that name ``field``."""
    return [error["message"] for error in result.errors if error["field"] == field]

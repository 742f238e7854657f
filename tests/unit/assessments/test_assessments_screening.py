"""OASys answers → the screening tools' part of the calculator's request (SCREENING.md sections 2.1-6)."""

import re

import pytest

from probation.assessments import (
    PREDICTOR_FIELD_QUESTIONS,
    SCREENING_FIELD_QUESTIONS,
    SCREENING_QUESTIONS,
    AnswerType,
    load_catalogue,
    screening_answers,
)

CATALOGUE = load_catalogue()

# Question → field, written out from SCREENING.md section 6 and the catalogue's wording.
PROBLEM_LEVEL_FIELDS = {
    "4.4": ["workRelatedSkills"],
    "4.7": ["problemsWithReadingWritingNumeracy"],
    "4.8": ["learningDifficulties"],
    "5.5": ["overRelianceOnOthersForFinancialSupport"],
    "6.1": ["currentRelationshipWithFamilyMembers"],
    "6.3": ["experienceOfChildhood"],
    "6.6": ["previousCloseRelationships"],
    "6.12": ["emotionalCongruenceWithChildren"],
    "7.3": ["easilyInfluencedByCriminalAssociates", "influenceFromCriminalAssociates"],
    "7.4": ["manipulativeOrPredatoryBehaviour"],
    "7.5": ["recklessnessAndRiskTakingBehaviour"],
    "10.1": ["difficultiesCoping"],
    "10.2": ["currentPsychologicalProblems"],
    "10.4": ["attitudesTowardsSelf"],
    "10.6": ["currentPsychiatricProblems"],
    "11.3": ["controllingOrAggressiveBehaviour"],
    "11.6": ["problemSolvingSkills"],
    "11.9": ["understandsOtherPeoplesViews"],
    "11.11": ["sexualPreoccupation"],
    "11.12": ["offenceRelatedSexualInterests"],
    "12.4": ["attitudeTowardsSupervisionOrLicence"],
    "12.9": ["hostileOrientation"],
}
YES_NO_FIELDS = {
    "2.2_V2_ANYVIOL": "didOffenceInvolveViolenceOrThreatOfViolence",
    "2.2_V2_EXCESSIVE": "didOffenceInvolveExcessiveUseOfViolence",
    "2.2_V2_ARSON": "didOffenceInvolveArson",
    "2.6": "doesRecogniseImpactOfOffendingOnOthers",
    "2.9_V2_EMOTIONAL": "offenceMotivationEmotionalState",
    "2.99": "isAnalysisOfOffenceIssuesLinkedToRisk",
    "3.3": "isCurrentlyOfNoFixedAbodeOrTransientAccommodation",
    "3.98": "hasAccommodationIssuesLinkedToRisk",
    "6.11": "isARiskOfSexualHarm",
    "6.98": "relationshipIssuesLinkedToRisk",
    "10.5": "hasSelfHarmOrAttemptedSuicide",
    "10.7_V2_CHILDHOOD": "isEvidenceOfChildhoodBehaviouralProblems",
    "10.7_V2_HISTPSYCH": "hasHistoryOfPsychiatricTreatment",
    "10.7_V2_MEDICATION": "hasBeenOnMedicationForMentalHealthProblems",
    "10.7_V2_PATIENT": "hasEverBeenInSpecialHospitalOrRegionalSecureUnit",
    "10.7_V2_PSYCHTREAT": "hasCurrentPsychiatricTreatment",
    "10.98": "areEmotionalIssuesLinkedToRisk",
    "11.98": "areThinkingAndBehaviourIssuesLinkedToRisk",
    "R4.1": "hasEscapedOrAbsconded",
    "R4.6": "hasControlIssues",
    "applyOPDOverride": "applyOPDOverride",
}
LEVELS = [("0", "NO_PROBLEMS"), ("1", "SOME_PROBLEMS"), ("2", "SIGNIFICANT_PROBLEMS")]

# The request fields of SCREENING.md sections 2.1, 3.1, 4.1, 4.4-4.6 and 5.1 that come from no OASys answer:
# case facts or the scoring date.
NOT_FROM_ONE_ASSESSMENT = {
    "gender",
    "dateOfBirth",
    "assessmentDate",
    "currentOffenceCode",
    "ageAtFirstSanction",
    "hasCustodialSentence",
    "isEligibleForMappa",
    "supervisionStatus",
    "hasEverCommittedSexualOffence",
}


@pytest.mark.parametrize(("code", "fields"), PROBLEM_LEVEL_FIELDS.items())
@pytest.mark.parametrize(("answer", "level"), LEVELS)
def test_problem_level_questions(code: str, fields: list[str], answer: str, level: str) -> None:
    assert screening_answers({code: answer}) == dict.fromkeys(fields, level)


@pytest.mark.parametrize(("code", "field"), YES_NO_FIELDS.items())
def test_yes_no_questions(code: str, field: str) -> None:
    assert screening_answers({code: "YES"}) == {field: True}
    assert screening_answers({code: "NO"}) == {field: False}


def test_missing_and_dont_know_leave_the_field_out() -> None:
    assert screening_answers({"R4.1": "DK", "R4.6": "DK", "3.3": "M", "4.4": "M", "7.5": "M"}) == {}


def test_awareness_of_consequences_is_read_on_mst_scale() -> None:
    assert [screening_answers({"11.7": answer}) for answer in ("0", "1", "2")] == [
        {"awarenessOfConsequences": "YES"},
        {"awarenessOfConsequences": "SOMETIMES"},
        {"awarenessOfConsequences": "NO"},
    ]


def test_qualifications_and_sara_levels() -> None:
    assert screening_answers({"4.9": "0"}) == {"professionalOrVocationalQualifications": "ANY_QUALIFICATION"}
    assert screening_answers({"4.9": "2"}) == {"professionalOrVocationalQualifications": "NO_QUALIFICATIONS"}
    assert screening_answers({"saraRiskLevelToPartner": "1", "saraRiskLevelToOther": "3"}) == {
        "saraRiskToPartner": "LOW",
        "saraRiskToOthers": "HIGH",
    }
    assert screening_answers({"saraRiskLevelToPartner": "2"}) == {"saraRiskToPartner": "MEDIUM"}


def test_peer_group_influences_are_none_when_nobody_else_was_involved() -> None:
    assert screening_answers({"2.7": "YES", "2.7.2": "YES"}) == {"hasPeerGroupInfluences": True}
    assert screening_answers({"2.7": "YES", "2.7.2": "NO"}) == {"hasPeerGroupInfluences": False}
    assert screening_answers({"2.7": "NO"}) == {"hasPeerGroupInfluences": False}
    assert screening_answers({"2.7": "YES"}) == {}


def test_reading_and_numeracy_are_the_areas_ticked_under_4_7() -> None:
    assert screening_answers({"4.7": "2", "4.7.1": ["READING", "WRITING"]}) == {
        "problemsWithReadingWritingNumeracy": "SIGNIFICANT_PROBLEMS",
        "hasProblemsWithReading": True,
        "hasProblemsWithNumeracy": False,
    }
    assert screening_answers({"4.7.1": ["NUMERACY"]}) == {
        "hasProblemsWithReading": False,
        "hasProblemsWithNumeracy": True,
    }


@pytest.mark.parametrize(
    ("field", "current", "previous"),
    [
        ("hasAssaultedOrThreatenedStaff", "R1.3.1.1_V2", "R1.3.1.2_V2"),
        ("hasDisplayedObsessiveBehaviourLinkedToOffending", "R1.3.13.1_V2", "R1.3.13.2_V2"),
    ],
)
def test_rosh_screening_items_are_current_or_previous(field: str, current: str, previous: str) -> None:
    assert screening_answers({current: "NO", previous: "YES"}) == {field: True}
    assert screening_answers({current: "YES"}) == {field: True}
    assert screening_answers({current: "NO", previous: "NO"}) == {field: False}
    assert screening_answers({previous: "NO"}) == {field: False}


def test_domestic_abuse_details_only_beside_evidence_of_it() -> None:
    # OPD refuses the details beside evidence that is false or absent (DOMESTIC_ABUSE_INCONSISTENT_INPUT).
    assert screening_answers({"6.7da": "YES", "6.7.2.1da": "YES", "6.7.2.2da": "NO"}) == {
        "domesticAbuseAgainstPartner": True,
        "domesticAbuseAgainstFamily": False,
    }
    assert screening_answers({"6.7da": "YES", "6.7.2.1da": "YES"}) == {"domesticAbuseAgainstPartner": True}
    assert screening_answers({"6.7da": "YES", "6.7.2.1da": "NO", "6.7.2.2da": "YES"}) == {}
    assert screening_answers({"6.7da": "NO"}) == {}


def test_the_overall_risk_is_the_highest_rosh_summary_level() -> None:
    def overall(answers: dict[str, object]) -> object:
        return screening_answers(answers).get("overallRiskForAssessment")

    assert overall({"SUM6.1.1": "L", "SUM6.2.1": "H", "SUM6.4.2": "M"}) == "HIGH"
    assert overall({"SUM6.5.2": "V", "SUM6.2.1": "H"}) == "VERY_HIGH"
    assert overall({"SUM6.1.1": "L"}) == "LOW"
    assert overall({"SUM6.1.1": "L", "SUM6.3.2": "M"}) == "MEDIUM"
    assert overall({}) is None


def test_the_highest_risk_is_over_this_and_every_earlier_assessment() -> None:
    earlier = [{"SUM6.2.1": "H"}, {"SUM6.1.1": "M"}, {}]
    assert screening_answers({"SUM6.1.1": "L"}, earlier) == {
        "overallRiskForAssessment": "LOW",
        "highestRiskLevelOverAllAssessments": "HIGH",
    }
    assert screening_answers({"SUM6.1.1": "V"}, earlier)["highestRiskLevelOverAllAssessments"] == "VERY_HIGH"
    # None answered now: the highest is still the earlier assessments'.
    assert screening_answers({}, earlier) == {"highestRiskLevelOverAllAssessments": "HIGH"}
    assert screening_answers({"SUM6.4.1": "M"}) == {
        "overallRiskForAssessment": "MEDIUM",
        "highestRiskLevelOverAllAssessments": "MEDIUM",
    }


def test_what_the_predictors_read_is_theirs_alone() -> None:
    answers = {"11.2": "2", "11.4": "1", "12.1": "0", "2.2_V2_WEAPON": "YES", "6.7da": "NO"}
    assert screening_answers(answers) == {}


# Questions whose answer reaches a field only beside another's (see screening_answers): 2.7 YES leaves
# 2.7.2 to say; the domestic abuse questions count only beside the predictors' 6.7.2.1da.
READ_ONLY_BESIDE_ANOTHER = {("2.7", "YES"), ("6.7da", "YES"), ("6.7da", "NO")} | {
    (code, answer) for code in ("6.7.2.1da", "6.7.2.2da") for answer in ("YES", "NO")
}


@pytest.mark.parametrize("code", SCREENING_QUESTIONS)
def test_every_answer_a_screening_question_takes_reaches_a_field_or_is_named_missing(code: str) -> None:
    question = CATALOGUE.question(code)
    for option in question.options:
        value = [option.code] if question.answer_type is AnswerType.MULTI_SELECT else option.code
        request = screening_answers({code: value})
        unknown = option.label.lower() in ("missing", "don't know")
        if unknown or (code, option.code) in READ_ONLY_BESIDE_ANOTHER:
            assert request == {}, f"{code}={option.code} is left out, so that the tool names its field"
        else:
            assert request, f"{code}={option.code} ({option.label}) reaches no screening field"


def test_an_answer_the_question_does_not_take_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=re.escape("11.7 answer '3' is not one of 0, 1, 2")):
        screening_answers({"11.7": "3"})
    with pytest.raises(ValueError, match=re.escape("SUM6.2.1 answer 'X' is not one of L, M, H, V")):
        screening_answers({"SUM6.2.1": "X"})


# Every input of SCREENING.md's tables: MST 2.1, LDS 3.1, OPD 4.1 and its men's (4.4) and women's (4.6)
# items, PNI 5.1.
SCREENING_INPUTS = {
    # MST
    "gender", "dateOfBirth", "assessmentDate", "hasPeerGroupInfluences", "influenceFromCriminalAssociates",
    "recklessnessAndRiskTakingBehaviour", "difficultiesCoping", "attitudesTowardsSelf", "impulsivityProblems",
    "temperControl", "problemSolvingSkills", "awarenessOfConsequences", "understandsOtherPeoplesViews",
    # LDS
    "isCurrentlyOfNoFixedAbodeOrTransientAccommodation", "workRelatedSkills",
    "problemsWithReadingWritingNumeracy", "hasProblemsWithReading", "hasProblemsWithNumeracy",
    "learningDifficulties", "professionalOrVocationalQualifications",
    # OPD
    "overallRiskForAssessment", "highestRiskLevelOverAllAssessments", "currentOffenceCode",
    "hasCustodialSentence", "isEligibleForMappa", "applyOPDOverride", "evidenceOfDomesticAbuse",
    "domesticAbuseAgainstPartner", "domesticAbuseAgainstFamily", "ageAtFirstSanction",
    "didOffenceInvolveViolenceOrThreatOfViolence", "didOffenceInvolveExcessiveUseOfViolence",
    "doesRecogniseImpactOfOffendingOnOthers", "overRelianceOnOthersForFinancialSupport",
    "manipulativeOrPredatoryBehaviour", "isEvidenceOfChildhoodBehaviouralProblems",
    "controllingOrAggressiveBehaviour", "experienceOfChildhood", "currentPsychologicalProblems",
    "currentPsychiatricProblems", "hasHistoryOfPsychiatricTreatment",
    "hasBeenOnMedicationForMentalHealthProblems",
    "hasEverBeenInSpecialHospitalOrRegionalSecureUnit", "hasCurrentPsychiatricTreatment",
    "hasDisplayedObsessiveBehaviourLinkedToOffending", "hasSelfHarmOrAttemptedSuicide",
    "attitudeTowardsSupervisionOrLicence", "hasAssaultedOrThreatenedStaff", "hasEscapedOrAbsconded",
    "hasControlIssues", "didOffenceInvolveCarryingOrUsingWeapon", "didOffenceInvolveArson",
    "offenceMotivationEmotionalState", "isAnalysisOfOffenceIssuesLinkedToRisk",
    "hasAccommodationIssuesLinkedToRisk", "relationshipIssuesLinkedToRisk", "areEmotionalIssuesLinkedToRisk",
    "areThinkingAndBehaviourIssuesLinkedToRisk",
    # PNI
    "supervisionStatus", "hasEverCommittedSexualOffence", "isARiskOfSexualHarm", "sexualPreoccupation",
    "offenceRelatedSexualInterests", "emotionalCongruenceWithChildren", "proCriminalAttitudes",
    "hostileOrientation", "currentRelationshipWithFamilyMembers", "previousCloseRelationships",
    "easilyInfluencedByCriminalAssociates", "saraRiskToPartner", "saraRiskToOthers",
}  # fmt: skip


def test_every_screening_input_has_a_source() -> None:
    from_assessment = set(SCREENING_FIELD_QUESTIONS) | set(PREDICTOR_FIELD_QUESTIONS)
    assert SCREENING_INPUTS - from_assessment == NOT_FROM_ONE_ASSESSMENT
    assert set(SCREENING_FIELD_QUESTIONS) <= SCREENING_INPUTS
    for codes in SCREENING_FIELD_QUESTIONS.values():
        assert all(code in CATALOGUE.questions for code in codes)

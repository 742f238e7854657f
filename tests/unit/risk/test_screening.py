"""The screening tools' applicability rules and boundaries, worked out by hand from SCREENING.md."""

from datetime import date
from typing import Any

import pytest

from probation.risk import RiskCalculationRequest, calculate
from probation.risk import calculator as calculator_module
from probation.risk.enums import NeedLevel, RiskBand
from probation.risk.screening import opd, pni
from probation.risk.screening.lds import learning_disability_screening
from probation.risk.screening.mst import maturity_screening
from probation.risk.screening.opd import personality_disorder_screening
from probation.risk.screening.pni import PredictorContext, programme_needs

from .builders import BASE_CASE

ASSESSED = date(2025, 1, 1)
# Ten MST answers worth 1 each: 10 points, the flag threshold.
MST_ANSWERS: dict[str, Any] = {
    "hasPeerGroupInfluences": True,
    "influenceFromCriminalAssociates": "SOME_PROBLEMS",
    "recklessnessAndRiskTakingBehaviour": "SOME_PROBLEMS",
    "difficultiesCoping": "SOME_PROBLEMS",
    "attitudesTowardsSelf": "SOME_PROBLEMS",
    "impulsivityProblems": "SOME_PROBLEMS",
    "temperControl": "SOME_PROBLEMS",
    "problemSolvingSkills": "SOME_PROBLEMS",
    "awarenessOfConsequences": "SOMETIMES",
    "understandsOtherPeoplesViews": "SOME_PROBLEMS",
}


def parsed(**fields: Any) -> RiskCalculationRequest:
    return RiskCalculationRequest.model_validate(fields)


def mst(**fields: Any) -> dict[str, Any]:
    return dict(maturity_screening(parsed(**{"gender": "MALE", **MST_ANSWERS, **fields}), ASSESSED))


NOT_APPLICABLE: dict[str, Any] = {
    "maturityScore": None,
    "maturityFlag": False,
    "isMstApplicable": False,
    "validationError": [],
}


@pytest.mark.parametrize(
    ("date_of_birth", "applicable"),
    [
        ("2007-01-02", False),  # 17, a day short of 18
        ("2007-01-01", True),  # 18 that day
        ("1999-01-02", True),  # 25, a day short of 26
        ("1999-01-01", False),  # 26 that day
        ("2025-01-02", False),  # born after the assessment: age 0, not an error
    ],
)
def test_mst_screens_ages_18_to_25_inclusive(date_of_birth: str, applicable: bool) -> None:
    result = mst(dateOfBirth=date_of_birth)

    if applicable:
        assert result == {
            "maturityScore": 10,
            "maturityFlag": True,
            "isMstApplicable": True,
            "validationError": [],
        }
    else:
        assert result == NOT_APPLICABLE


def test_mst_out_of_age_needs_nothing_else() -> None:
    assert dict(maturity_screening(parsed(dateOfBirth="1960-05-05"), ASSESSED)) == NOT_APPLICABLE


def test_mst_validates_before_it_tests_gender() -> None:
    result = mst(gender="FEMALE", dateOfBirth="2000-01-01", temperControl=None, hasPeerGroupInfluences=None)

    assert result["isMstApplicable"] is None
    assert result["validationError"] == [
        {
            "type": "MISSING_MANDATORY_INPUT",
            "message": "Mandatory input field(s) missing",
            "fields": ["hasPeerGroupInfluences", "temperControl"],
        }
    ]


def test_mst_woman_of_age_with_answers_is_not_applicable() -> None:
    assert mst(gender="FEMALE", dateOfBirth="2000-01-01") == NOT_APPLICABLE


def test_mst_without_a_birth_date_reports_it_and_gender() -> None:
    result = maturity_screening(parsed(**MST_ANSWERS), ASSESSED)

    assert result["validationError"][0]["fields"] == ["gender", "dateOfBirth"]


def test_mst_one_missing_answer_scores_zero_and_the_flag_needs_ten() -> None:
    result = mst(dateOfBirth="2000-01-01", awarenessOfConsequences=None)

    assert (result["maturityScore"], result["maturityFlag"]) == (9, False)


def test_mst_highest_score_is_nineteen() -> None:
    worst = dict.fromkeys(MST_ANSWERS, "SIGNIFICANT_PROBLEMS")
    result = mst(
        dateOfBirth="2000-01-01", **{**worst, "hasPeerGroupInfluences": True, "awarenessOfConsequences": "NO"}
    )

    assert result["maturityScore"] == 19


def test_mst_assessment_date_defaults_to_today() -> None:
    request = parsed(gender="MALE", dateOfBirth="2000-06-01", **MST_ANSWERS)

    assert calculate(request, today=date(2026, 5, 31)).mst["isMstApplicable"] is True  # 25
    assert calculate(request, today=date(2026, 6, 1)).mst["isMstApplicable"] is False  # 26


LDS_COUNTED = {
    "workRelatedSkills": "NO_PROBLEMS",
    "problemsWithReadingWritingNumeracy": "NO_PROBLEMS",
    "learningDifficulties": "NO_PROBLEMS",
    "professionalOrVocationalQualifications": "ANY_QUALIFICATION",
}


@pytest.mark.parametrize(
    ("answers", "score"),
    [
        ({"workRelatedSkills": "SIGNIFICANT_PROBLEMS"}, 0),  # subtotal 2
        ({"workRelatedSkills": "SIGNIFICANT_PROBLEMS", "hasProblemsWithReading": True}, 1),  # 3
        (
            {
                "professionalOrVocationalQualifications": "NO_QUALIFICATIONS",
                "hasProblemsWithNumeracy": True,
                "isCurrentlyOfNoFixedAbodeOrTransientAccommodation": True,
            },
            1,
        ),  # 4
        (
            {
                "learningDifficulties": "SIGNIFICANT_PROBLEMS",
                "workRelatedSkills": "SIGNIFICANT_PROBLEMS",
                "hasProblemsWithReading": True,
            },
            2,
        ),  # 5
    ],
)
def test_lds_bands_the_subtotal(answers: dict[str, Any], score: int) -> None:
    assert dict(learning_disability_screening(parsed(**{**LDS_COUNTED, **answers}))) == {
        "ldsScore": score,
        "validationError": [],
    }


def test_lds_needs_three_of_the_four_counted_answers() -> None:
    three = {**LDS_COUNTED, "learningDifficulties": None}
    two = {**three, "workRelatedSkills": None, "isCurrentlyOfNoFixedAbodeOrTransientAccommodation": True}

    assert (
        learning_disability_screening(parsed(**three))["ldsScore"] == 0
    )  # no qualifications answer counts as some
    assert learning_disability_screening(parsed(**two))["validationError"] == [
        {
            "type": "LDS_NOT_ENOUGH_FIELDS_PRESENT",
            "message": "At least three input fields must be provided",
            "fields": list(LDS_COUNTED),
        }
    ]


def test_lds_a_false_sub_answer_without_its_parent_is_an_error() -> None:
    request = parsed(
        **{**LDS_COUNTED, "problemsWithReadingWritingNumeracy": None, "hasProblemsWithNumeracy": False}
    )

    assert learning_disability_screening(request)["validationError"][0]["fields"] == [
        "problemsWithReadingWritingNumeracy Field Not Present But hasProblemsWithNumeracy Present"
    ]


# A man at high risk of serious harm, in custody, for wounding (00100, flagged violent or sexual).
OPD_MAN: dict[str, Any] = {
    "gender": "MALE",
    "overallRiskForAssessment": "HIGH",
    "highestRiskLevelOverAllAssessments": "LOW",
    "currentOffenceCode": "00100",
    "hasCustodialSentence": True,
    "doesRecogniseImpactOfOffendingOnOthers": True,
}
OPD_WOMAN: dict[str, Any] = {
    "gender": "FEMALE",
    "overallRiskForAssessment": "LOW",
    "highestRiskLevelOverAllAssessments": "LOW",
    "currentOffenceCode": "00100",
    "hasCustodialSentence": False,
    "isEligibleForMappa": True,
    "didOffenceInvolveArson": False,
}
SCREENED_OUT_NOT_APPLICABLE: dict[str, Any] = {
    "opdCheck": True,
    "opdOverride": None,
    "opdResult": "SCREEN_OUT",
    "validationError": [],
}


def opd_result(**fields: Any) -> dict[str, Any]:
    return dict(personality_disorder_screening(parsed(**fields)))


@pytest.mark.parametrize(
    "change",
    [
        {"overallRiskForAssessment": "MEDIUM"},
        {"hasCustodialSentence": False},
        {"currentOffenceCode": "02700"},  # soliciting: a sexual offence the list does not flag
    ],
)
def test_opd_man_must_be_high_risk_in_custody_for_a_flagged_offence(change: dict[str, Any]) -> None:
    assert opd_result(**{**OPD_MAN, **change}) == SCREENED_OUT_NOT_APPLICABLE


def test_opd_very_high_risk_counts_as_high() -> None:
    result = opd_result(**{**OPD_MAN, "overallRiskForAssessment": "VERY_HIGH"})

    assert (result["opdCheck"], result["opdOverride"]) == (True, False)


@pytest.mark.parametrize(
    ("answers", "result"),
    [
        # Personality: early start, violence, excessive violence, financial, manipulative, reckless: 6.
        ({}, "SCREEN_OUT"),
        ({"controllingOrAggressiveBehaviour": "SOME_PROBLEMS"}, "SCREEN_IN"),  # 7
        # Indicator: self-harm 1, and the 6 personality points: out.
        ({"hasSelfHarmOrAttemptedSuicide": True}, "SCREEN_OUT"),
        ({"hasSelfHarmOrAttemptedSuicide": True, "hasEscapedOrAbsconded": True}, "SCREEN_IN"),  # indicator 2
    ],
)
def test_opd_man_screens_in_at_personality_7_or_indicator_2(answers: dict[str, Any], result: str) -> None:
    six = {
        "ageAtFirstSanction": 17,
        "didOffenceInvolveViolenceOrThreatOfViolence": True,
        "didOffenceInvolveExcessiveUseOfViolence": True,
        "overRelianceOnOthersForFinancialSupport": "SIGNIFICANT_PROBLEMS",
        "manipulativeOrPredatoryBehaviour": "SOME_PROBLEMS",
        "recklessnessAndRiskTakingBehaviour": "SOME_PROBLEMS",
    }
    assert opd_result(**{**OPD_MAN, **six, **answers})["opdResult"] == result


def test_opd_early_start_is_up_to_17() -> None:
    assert opd.male_personality_items(parsed(ageAtFirstSanction=18)).early_start == 0
    assert opd.male_personality_items(parsed(ageAtFirstSanction=0)).early_start == 1


def test_opd_man_who_does_not_say_he_recognises_the_impact_scores_for_it() -> None:
    assert opd.male_personality_items(parsed()).no_victim_awareness == 1


@pytest.mark.parametrize(("count", "result", "override"), [(9, "SCREEN_OUT", True), (10, "SCREEN_IN", None)])
def test_opd_woman_screens_in_at_10(count: int, result: str, override: bool | None) -> None:
    # Excessive violence without violence: 2 points; then one point per further item.
    items = [
        "didOffenceInvolveCarryingOrUsingWeapon",
        "didOffenceInvolveArson",
        "offenceMotivationEmotionalState",
        "isAnalysisOfOffenceIssuesLinkedToRisk",
        "hasAccommodationIssuesLinkedToRisk",
        "relationshipIssuesLinkedToRisk",
        "hasSelfHarmOrAttemptedSuicide",
        "areEmotionalIssuesLinkedToRisk",
    ]
    answers = dict.fromkeys(items[: count - 2], True)
    woman = {
        **OPD_WOMAN,
        "didOffenceInvolveExcessiveUseOfViolence": True,
        "applyOPDOverride": True,
        **answers,
    }

    assert opd_result(**woman) == {
        "opdCheck": True,
        "opdOverride": override,
        "opdResult": result,
        "validationError": [],
    }


def test_opd_woman_needs_high_risk_or_mappa_whatever_the_custody_or_offence() -> None:
    assert opd_result(**OPD_WOMAN)["opdOverride"] is False  # MAPPA: applicable, scored out
    assert opd_result(**{**OPD_WOMAN, "isEligibleForMappa": False}) == SCREENED_OUT_NOT_APPLICABLE


def test_opd_not_run_when_the_persons_questions_are_unanswered() -> None:
    not_run: dict[str, Any] = {
        "opdCheck": False,
        "opdOverride": None,
        "opdResult": None,
        "validationError": [],
    }
    man = {key: value for key, value in OPD_MAN.items() if key != "doesRecogniseImpactOfOffendingOnOthers"}
    # Five of the women's scoring items are not among the questions that count as answers.
    woman = {
        **{key: value for key, value in OPD_WOMAN.items() if key != "didOffenceInvolveArson"},
        "difficultiesCoping": "SIGNIFICANT_PROBLEMS",
        "currentPsychologicalProblems": "SIGNIFICANT_PROBLEMS",
        "hasSelfHarmOrAttemptedSuicide": True,
        "areEmotionalIssuesLinkedToRisk": True,
        "areThinkingAndBehaviourIssuesLinkedToRisk": True,
    }

    assert opd_result(**man) == not_run
    assert opd_result(**woman) == not_run


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("0010", "OFFENCE_CODE_INCORRECT_FORMAT"),
        ("001000", "OFFENCE_CODE_INCORRECT_FORMAT"),
        ("\uff10\uff10\uff11\uff10\uff10", "OFFENCE_CODE_INCORRECT_FORMAT"),  # full-width digits
        ("00000", "OFFENCE_CODE_MAPPING_NOT_FOUND"),
        ("00001", "OFFENCE_CODE_MAPPING_NOT_FOUND"),
        ("99999", "OFFENCE_CODE_MAPPING_NOT_FOUND"),
    ],
)
def test_opd_offence_code_errors(code: str, error: str) -> None:
    errors = opd_result(**{**OPD_MAN, "currentOffenceCode": code})["validationError"]

    assert [(e["type"], e["fields"]) for e in errors] == [(error, ["currentOffenceCode"])]


def test_opd_reports_every_error_together_in_order() -> None:
    result = opd_result(gender="FEMALE", currentOffenceCode="1", domesticAbuseAgainstFamily=False)

    assert [error["type"] for error in result["validationError"]] == [
        "MISSING_MANDATORY_INPUT",
        "DOMESTIC_ABUSE_INCONSISTENT_INPUT",
        "OFFENCE_CODE_INCORRECT_FORMAT",
    ]
    assert result["validationError"][0]["fields"] == [
        "overallRiskForAssessment",
        "highestRiskLevelOverAllAssessments",
        "hasCustodialSentence",
        "isEligibleForMappa",
    ]


def test_a_tool_that_fails_unexpectedly_answers_with_one_error_and_stops_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(code: str) -> bool:
        raise RuntimeError("offence service unavailable")

    monkeypatch.setattr(opd, "opd_violence_sex", broken)
    result = calculate(parsed(**{**BASE_CASE, **OPD_MAN}))

    assert result.opd == {
        "opdCheck": False,
        "opdOverride": None,
        "opdResult": None,
        "validationError": [
            {
                "type": "UNEXPECTED_ERROR",
                "message": "Unexpected error thrown during calculation, see logs for further details: "
                "offence service unavailable",
                "fields": [],
            }
        ],
    }
    assert result.all_reoffending["dynamic"] is not None
    assert result.lds["validationError"][0]["type"] == "LDS_NOT_ENOUGH_FIELDS_PRESENT"


def context(**values: Any) -> PredictorContext:
    return pni.NO_CONTEXT._replace(**values)


@pytest.mark.parametrize(
    ("values", "risk"),
    [
        ({"all_reoffending": 75.0}, RiskBand.HIGH),
        ({"all_reoffending": 74.99}, RiskBand.MEDIUM),
        ({"all_reoffending": 50.0}, RiskBand.MEDIUM),
        ({"all_reoffending": 49.99}, RiskBand.LOW),
        ({"violent_reoffending": 60.0}, RiskBand.HIGH),
        ({"violent_reoffending": 59.99}, RiskBand.MEDIUM),
        ({"violent_reoffending": 30.0}, RiskBand.MEDIUM),
        ({"violent_reoffending": 29.99}, RiskBand.LOW),
        ({"combined_serious": 3.0}, RiskBand.HIGH),
        ({"combined_serious": 2.99}, RiskBand.MEDIUM),  # truncated to 2
        ({"combined_serious": 0.99}, RiskBand.LOW),  # truncated to 0
        ({"combined_serious": 5.0, "direct_contact_band": RiskBand.NOT_APPLICABLE}, RiskBand.HIGH),
        ({"combined_serious": 5.0, "direct_contact_band": RiskBand.LOW}, RiskBand.LOW),
        ({"indirect_contact_band": RiskBand.VERY_HIGH}, RiskBand.HIGH),
        ({"indirect_contact_band": RiskBand.MEDIUM}, RiskBand.MEDIUM),
    ],
)
def test_pni_risk_thresholds(values: dict[str, Any], risk: RiskBand) -> None:
    assert pni.risk_level(parsed(supervisionStatus="COMMUNITY"), context(**values)) is risk


def test_pni_sara_very_high_counts_as_neither_high_nor_medium() -> None:
    request = parsed(
        supervisionStatus="COMMUNITY", saraRiskToPartner="VERY_HIGH", saraRiskToOthers="NOT_APPLICABLE"
    )

    assert pni.risk_level(request, pni.NO_CONTEXT) is RiskBand.LOW


def test_pni_projected_risk_is_high_while_a_sexual_band_is_missing() -> None:
    request = parsed(supervisionStatus="COMMUNITY")
    known = context(
        direct_contact_band=RiskBand.LOW, indirect_contact_band=RiskBand.LOW, combined_serious=0.5
    )

    assert pni.projected_risk_level(request, context(direct_contact_band=RiskBand.LOW)) is RiskBand.HIGH
    assert pni.projected_risk_level(request, known) is RiskBand.LOW


# Every domain answered: sex gated off, thinking 1+1=2 → 1, relationship 4 → 1, self-management 4 → 1.
PNI_ANSWERS: dict[str, Any] = {
    "sexualPreoccupation": "NO_PROBLEMS",
    "offenceRelatedSexualInterests": "NO_PROBLEMS",
    "emotionalCongruenceWithChildren": "NO_PROBLEMS",
    "proCriminalAttitudes": "SOME_PROBLEMS",
    "hostileOrientation": "SOME_PROBLEMS",
    "currentRelationshipWithFamilyMembers": "SOME_PROBLEMS",
    "previousCloseRelationships": "SOME_PROBLEMS",
    "easilyInfluencedByCriminalAssociates": "SOME_PROBLEMS",
    "controllingOrAggressiveBehaviour": "SOME_PROBLEMS",
    "impulsivityProblems": "SOME_PROBLEMS",
    "temperControl": "SOME_PROBLEMS",
    "problemSolvingSkills": "SOME_PROBLEMS",
    "difficultiesCoping": "SOME_PROBLEMS",
    "saraRiskToPartner": "LOW",
    "saraRiskToOthers": "LOW",
}
# Sexual offending and significant problems everywhere: need 8, HIGH.
PNI_HIGH_NEED = {
    **{field: "SIGNIFICANT_PROBLEMS" for field in PNI_ANSWERS if not field.startswith("sara")},
    "hasEverCommittedSexualOffence": True,
}


@pytest.mark.parametrize(
    ("status", "arp", "pathway"),
    [
        ("CUSTODY", 80.0, "HIGH"),  # need and risk high
        ("COMMUNITY", 80.0, "MODERATE"),
        ("REMAND", 80.0, "ALTERNATIVE"),  # neither rule accepts remand for high need and high risk
        ("CUSTODY", 60.0, "MODERATE"),  # high need, medium risk
        ("CUSTODY", 10.0, "ALTERNATIVE"),  # high need, low risk
    ],
)
def test_pni_pathway_of_high_need(status: str, arp: float, pathway: str) -> None:
    request = parsed(**{**PNI_ANSWERS, **PNI_HIGH_NEED, "supervisionStatus": status})

    assert dict(programme_needs(request, context(all_reoffending=arp))) == {
        "pniPathway": pathway,
        "validationError": [],
    }


def test_pni_medium_need_and_risk_is_moderate_and_low_risk_alternative() -> None:
    request = parsed(**{**PNI_ANSWERS, "supervisionStatus": "CUSTODY"})  # total 3: MEDIUM

    assert programme_needs(request, context(all_reoffending=50.0))["pniPathway"] == "MODERATE"
    assert programme_needs(request, context(all_reoffending=49.99))["pniPathway"] == "ALTERNATIVE"


def test_pni_missing_answers_are_reported_whatever_the_pathway() -> None:
    answers = {**PNI_ANSWERS, **PNI_HIGH_NEED, "hostileOrientation": None, "supervisionStatus": "CUSTODY"}
    result = programme_needs(parsed(**answers), context(all_reoffending=80.0))

    # Need is still 8 (pro-criminal attitudes significant), risk high: HIGH, with the gap named.
    assert result == {
        "pniPathway": "HIGH",
        "validationError": [
            {
                "type": "MISSING_MANDATORY_INPUT",
                "message": "Mandatory input field(s) missing",
                "fields": ["hostileOrientation"],
            }
        ],
    }


def test_pni_need_undecided_when_every_domain_has_a_gap_outside_the_community() -> None:
    answers = {
        **PNI_ANSWERS,
        "emotionalCongruenceWithChildren": None,
        "hostileOrientation": None,
        "controllingOrAggressiveBehaviour": None,
        "difficultiesCoping": None,
    }
    request = parsed(**{**answers, "supervisionStatus": "REMAND"})
    domains = [pni.domain_score(domain, request) for domain in pni.DOMAINS]

    assert pni.overall_need(request, domains) is None
    # In the community a total of 3 (thinking 1, relationship 1, self-management 1) is medium need.
    assert (
        pni.overall_need(parsed(**{**answers, "supervisionStatus": "COMMUNITY"}), domains) is NeedLevel.MEDIUM
    )


def test_pni_without_supervision_status_is_an_omission() -> None:
    assert programme_needs(parsed(**PNI_ANSWERS), pni.NO_CONTEXT) == {
        "pniPathway": "OMISSION",
        "validationError": [
            {
                "type": "MISSING_MANDATORY_INPUT",
                "message": "Mandatory input field(s) missing",
                "fields": ["supervisionStatus"],
            }
        ],
    }


@pytest.mark.parametrize(("flag", "live"), [(None, False), ("FULL", False), ("LIVE", True)])
def test_pni_sees_the_same_calculations_other_predictors(
    flag: str | None, live: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[PredictorContext] = []

    def recording(request: RiskCalculationRequest, context: PredictorContext) -> Any:
        seen.append(context)
        return programme_needs(request, context)

    monkeypatch.setattr(calculator_module, "programme_needs", recording)
    body = {
        **BASE_CASE,
        "hasEverCommittedSexualOffence": True,
        "totalContactAdultSexualSanctions": 1,
        "totalContactChildSexualSanctions": 0,
        "totalNonContactSexualOffences": 0,
        "totalIndecentImageSanctions": 0,
        "dateOfMostRecentSexualOffence": "2019-06-01",
    }
    if flag is not None:
        body["pniContext"] = flag
    result = calculate(parsed(**body))

    assert result.all_reoffending["dynamic"]
    assert result.violent_reoffending["dynamic"]
    assert result.direct_contact_sexual
    assert result.indirect_contact_sexual
    assert result.rsr
    expected = PredictorContext(
        result.all_reoffending["dynamic"]["score"],
        result.violent_reoffending["dynamic"]["score"],
        None if live else result.direct_contact_sexual["band"],
        None if live else result.indirect_contact_sexual["band"],
        None if live else result.rsr["score"],
    )
    assert seen == [expected]

"""The assessments handler on moto: pre-filled drafts, answers with provenance, completion, refresh."""

from typing import Any

import pytest

import functions.assessments.app as assessments_app
from infrastructure.local.lambdas import LocalContext
from infrastructure.template import Template
from probation.assessments.catalogue import AnswerType, Question, load_catalogue
from tests.component.conftest import Caller, bus_event, new_case, table_items

CATALOGUE = load_catalogue()
CONVICTION = {
    "convictionDate": "2025-03-01",
    "court": "Highbury Corner Magistrates' Court",
    "offences": [{"offenceCode": "03401", "offenceDate": "2025-01-10", "main": True}],
    "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-03-01", "lengthMonths": 12},
}
HISTORY = {
    "sanctions": [
        {"sanctionDate": "2005-02-01", "offenceCode": "04600", "outcome": "Caution"},
        {"sanctionDate": "2010-02-01", "offenceCode": "10500", "outcome": "Fine"},
        {"sanctionDate": "2012-07-09", "offenceCode": "04600", "outcome": "Community order"},
    ]
}


# A plausible set of answers to the questions the predictors read (gates answered NO).
PREDICTOR_ANSWERS = {"6.7da": "NO", "8.1": "NO", "6.8": "3", "4.2": "YES", "3.4": "1", "11.2": "1"}


def a_valid_answer(question: Question) -> Any:
    if question.code in PREDICTOR_ANSWERS:
        return PREDICTOR_ANSWERS[question.code]
    if question.answer_type is AnswerType.COUNT:
        return 1
    if question.answer_type is AnswerType.DATE:
        return "2024-01-15"
    if question.answer_type is AnswerType.TEXT:
        return "Discussed at interview."
    if question.answer_type is AnswerType.MULTI_SELECT:
        return [question.options[0].code]
    return question.options[0].code


@pytest.fixture
def case_with_history(api: Caller, crn: str) -> str:
    assert api("POST", f"/cases/{crn}/sanctions", HISTORY).status == 201
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    return crn


def open_draft(assessments_api: Caller, crn: str) -> dict[str, Any]:
    response = assessments_api("POST", f"/cases/{crn}/assessments")
    assert response.status == 201, response.body
    body: dict[str, Any] = response.body
    return body


def answer_all_required(assessments_api: Caller, crn: str, draft: dict[str, Any]) -> dict[str, Any]:
    changes = {
        code: {"value": a_valid_answer(CATALOGUE.questions[code])}
        for code in CATALOGUE.required_for_completion()
        if code not in draft["answers"]
    }
    changes |= {
        code: {"confirm": True}
        for code, answer in draft["answers"].items()
        if answer["source"] == "PREVIOUS_ASSESSMENT" and code in CATALOGUE.required_for_completion()
    }
    path = f"/cases/{crn}/assessments/{draft['assessmentId']}"
    response = assessments_api(
        "PATCH", path, {"answers": changes}, headers={"If-Match": f'"{draft["version"]}"'}
    )
    assert response.status == 200, response.body
    body: dict[str, Any] = response.body
    return body


def complete(assessments_api: Caller, crn: str, draft: dict[str, Any]) -> Any:
    path = f"/cases/{crn}/assessments/{draft['assessmentId']}/complete"
    return assessments_api("POST", path, headers={"If-Match": f'"{draft["version"]}"'})


def test_a_draft_starts_with_the_offending_history_the_record_holds(
    assessments_api: Caller, case_with_history: str
) -> None:
    draft = open_draft(assessments_api, case_with_history)
    answers = draft["answers"]
    # Born 1990-05-17. Record: a caution (2005, aged 14), a fine for common assault (2010, aged 19),
    # a community order (2012) and the current robbery (2025, violent).
    expected = {
        "1.24": 1,  # out-of-court disposals
        "1.32": 4,  # every sanction occasion, the current one included
        "1.40": 2,  # common assault and robbery are violent
        "1.8": 14,  # age at first sanction of any kind
        "1.7": 19,  # age at first conviction
        "1.5": 0,  # court appearances before 18, current excluded
        "1.6": 2,  # court appearances at 18 or over, current excluded
        "1.29": "2025-03-01",
        "1.38": "2025-03-01",
        "1.30": "NO",
        "2.2_V2_ANYVIOL": "YES",
    }
    assert {code: answers[code]["value"] for code in expected} == expected
    assert all(answers[code]["source"] == "CASE_RECORD" for code in expected)
    assert answers["1.29"]["sourceRef"] == f"/cases/{case_with_history}/convictions/1"
    assert not any(answer["confirmed"] for answer in answers.values())
    assert draft["personalDetails"]["lastName"]["value"] == "Doe"
    assert "2.2_V2_WEAPON" not in answers  # robbery is not a weapon offence, so only the assessor knows
    summary = draft["summary"]
    assert summary["prefilled"] == len(answers)
    assert summary["remaining"] == summary["questions"] - len(answers)
    assert summary["confirmed"] == 0


def test_the_latest_risk_scores_are_shown_in_the_draft(
    assessments_api: Caller, risk_api: Caller, case_with_history: str
) -> None:
    record = risk_api("POST", f"/cases/{case_with_history}/risk").body
    draft = open_draft(assessments_api, case_with_history)
    rsr = draft["answers"]["D3"]
    assert rsr["source"] == "RISK"
    assert rsr["value"].startswith(f"{record['result']['rsr']['score']}% {record['result']['rsr']['band']}")
    assert rsr["sourceRef"].endswith(record["scoreId"])


def test_one_open_draft_per_case(assessments_api: Caller, case_with_history: str) -> None:
    first = open_draft(assessments_api, case_with_history)
    second = assessments_api("POST", f"/cases/{case_with_history}/assessments")
    assert second.status == 409
    assert second.headers["Location"].endswith(first["assessmentId"])


def test_answers_need_the_current_etag(assessments_api: Caller, case_with_history: str) -> None:
    draft = open_draft(assessments_api, case_with_history)
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    change = {"answers": {"3.4": {"value": "1"}}}
    assert assessments_api("PATCH", path, change).status == 428
    assert assessments_api("PATCH", path, change, headers={"If-Match": '"1"'}).status == 200
    stale = assessments_api("PATCH", path, change, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert stale.headers["ETag"] == '"2"'


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"99.9": {"value": "1"}}, "answers.99.9"),
        ({"3.4": {"value": "7"}}, "answers.3.4.value"),
        ({"1.32": {"value": "many"}}, "answers.1.32.value"),
        ({"D3": {"value": "100%"}}, "answers.D3"),
        ({"3.4": {"confirm": True}}, "answers.3.4"),
    ],
)
def test_bad_answers_are_named_and_change_nothing(
    assessments_api: Caller, case_with_history: str, change: dict[str, Any], field: str
) -> None:
    draft = open_draft(assessments_api, case_with_history)
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    response = assessments_api("PATCH", path, {"answers": change}, headers={"If-Match": '"1"'})
    assert response.status == 422
    assert field in response.field_errors
    assert assessments_api("GET", path).body == draft


def test_confirming_keeps_the_source_and_overriding_records_what_it_replaced(
    assessments_api: Caller, case_with_history: str
) -> None:
    draft = open_draft(assessments_api, case_with_history)
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    changes = {"1.32": {"confirm": True}, "1.40": {"value": 3}}
    updated = assessments_api("PATCH", path, {"answers": changes}, headers={"If-Match": '"1"'}).body
    confirmed, overridden = updated["answers"]["1.32"], updated["answers"]["1.40"]
    assert (confirmed["value"], confirmed["source"], confirmed["confirmed"]) == (4, "CASE_RECORD", True)
    assert (overridden["value"], overridden["source"], overridden["confirmed"]) == (3, "ASSESSOR", True)
    assert (overridden["previous"]["value"], overridden["previous"]["source"]) == (2, "CASE_RECORD")
    assert updated["summary"]["confirmed"] == 2


def test_completion_lists_what_is_missing_and_changes_nothing(
    assessments_api: Caller, case_with_history: str
) -> None:
    draft = open_draft(assessments_api, case_with_history)
    response = complete(assessments_api, case_with_history, draft)
    assert response.status == 422
    assert {f"answers.{code}" for code in CATALOGUE.required_for_completion()} <= response.field_errors
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    assert assessments_api("GET", path).body["status"] == "DRAFT"


def test_a_completed_assessment_has_needs_and_predictor_answers_and_is_immutable(
    assessments_api: Caller, template: Template, case_with_history: str
) -> None:
    draft = answer_all_required(
        assessments_api, case_with_history, open_draft(assessments_api, case_with_history)
    )
    response = complete(assessments_api, case_with_history, draft)
    assert response.status == 200
    completed = response.body
    assert completed["status"] == "COMPLETED"
    assert {need["section"] for need in completed["sectionNeeds"]} == {
        "3",
        "4",
        "6",
        "7",
        "8",
        "9",
        "11",
        "12",
    }
    needs = {need["section"]: need for need in completed["sectionNeeds"]}
    # Accommodation: 3.3 YES scores 2, 3.4 "1" scores 1, 3.5 and 3.6 "0": 3 points, past the standard 2.
    assert (needs["3"]["score"], needs["3"]["need"]) == (3, "STANDARD")
    assert completed["predictorAnswers"]["suitabilityOfAccommodation"] == "SOME_PROBLEMS"
    assert completed["predictorAnswers"]["isUnemployed"] is True
    events = [
        i
        for i in table_items(template, f"EVENTS#{case_with_history}")
        if i["source"] == "probation.assessments"
    ]
    assert [e["detailType"] for e in events] == ["assessment.summary.produced"]
    assert events[0]["detail"]["additionalInformation"]["assessmentId"] == completed["assessmentId"]

    path = f"/cases/{case_with_history}/assessments/{completed['assessmentId']}"
    again = {"answers": {"3.4": {"value": "2"}}}
    assert (
        assessments_api("PATCH", path, again, headers={"If-Match": f'"{completed["version"]}"'}).status == 409
    )
    assert complete(assessments_api, case_with_history, completed).status == 409


def test_a_new_draft_leaves_no_question_the_system_can_answer(
    assessments_api: Caller, case_with_history: str
) -> None:
    first = answer_all_required(
        assessments_api, case_with_history, open_draft(assessments_api, case_with_history)
    )
    path = f"/cases/{case_with_history}/assessments/{first['assessmentId']}"
    extra = {"answers": {"2.7": {"value": "YES"}, "2.11": {"value": "NO"}}}
    first = assessments_api("PATCH", path, extra, headers={"If-Match": f'"{first["version"]}"'}).body
    completed = complete(assessments_api, case_with_history, first).body

    second = open_draft(assessments_api, case_with_history)
    for code, previous in completed["answers"].items():
        question = CATALOGUE.questions[code]
        if question.answer_type is AnswerType.COMPUTED:
            continue
        held = second["answers"].get(code)
        assert held is not None, f"{code} was answered last time but is not pre-filled"
        if held["source"] not in ("CASE_RECORD", "RISK"):  # the record now takes precedence over last time
            assert (held["source"], held["confirmed"], held["value"]) == (
                "PREVIOUS_ASSESSMENT",
                False,
                previous["value"],
            ), code
    assert second["summary"]["remaining"] == second["summary"]["questions"] - len(second["answers"])
    # Carried-forward answers must be reviewed before the new assessment can complete.
    missing = complete(assessments_api, case_with_history, second)
    assert missing.status == 422
    assert "answers.3.4" in missing.field_errors


def test_evidence_of_domestic_abuse_needs_its_perpetrator_follow_up(
    assessments_api: Caller, case_with_history: str
) -> None:
    draft = answer_all_required(
        assessments_api, case_with_history, open_draft(assessments_api, case_with_history)
    )
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    gate = {"answers": {"6.7da": {"value": "YES"}}}
    draft = assessments_api("PATCH", path, gate, headers={"If-Match": f'"{draft["version"]}"'}).body
    refused = complete(assessments_api, case_with_history, draft)
    assert refused.status == 422
    assert refused.field_errors == {"answers.6.7.2.1da"}
    follow_up = {"answers": {"6.7.2.1da": {"value": "YES"}}}
    draft = assessments_api("PATCH", path, follow_up, headers={"If-Match": f'"{draft["version"]}"'}).body
    completed = complete(assessments_api, case_with_history, draft).body
    assert completed["predictorAnswers"]["evidenceOfDomesticAbuse"] is True


def test_a_completed_assessment_makes_the_case_scores_dynamic(
    assessments_api: Caller, risk_api: Caller, case_with_history: str
) -> None:
    draft = answer_all_required(
        assessments_api, case_with_history, open_draft(assessments_api, case_with_history)
    )
    completed = complete(assessments_api, case_with_history, draft).body
    record = risk_api("POST", f"/cases/{case_with_history}/risk").body
    assert record["result"]["allReoffending"]["dynamic"] is not None
    assert record["result"]["rsr"]["type"] == "DYNAMIC"
    provenance = record["provenance"]["suitabilityOfAccommodation"]
    assert (provenance["source"], provenance["sourceRef"]) == (
        "ASSESSMENT",
        f"/cases/{case_with_history}/assessments/{completed['assessmentId']}",
    )
    # The robbery is the current conviction; the earlier common assault is no serious previous conviction.
    assert record["inputs"]["previousConvictions"] == []


def test_a_case_change_refreshes_unconfirmed_facts_but_never_the_assessors_answers(
    api: Caller, assessments_api: Caller, case_with_history: str
) -> None:
    draft = open_draft(assessments_api, case_with_history)
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    changes = {"1.40": {"confirm": True}}
    assessments_api("PATCH", path, {"answers": changes}, headers={"If-Match": '"1"'})
    more = {"sanctions": [{"sanctionDate": "2014-01-01", "offenceCode": "10500", "outcome": "Fine"}]}
    assert api("POST", f"/cases/{case_with_history}/sanctions", more).status == 201

    assessments_app.lambda_handler(
        bus_event(case_with_history, "probation-case.sanctions.recorded", "evt-refresh"), _context()
    )

    refreshed = assessments_api("GET", path).body
    assert refreshed["answers"]["1.32"]["value"] == 5  # unconfirmed fact: refreshed
    assert refreshed["answers"]["1.40"]["value"] == 2  # confirmed by the assessor: kept
    assert refreshed["version"] == 3


def test_a_case_without_a_conviction_still_gets_a_draft(assessments_api: Caller, crn: str) -> None:
    draft = open_draft(assessments_api, crn)
    assert "1.32" not in draft["answers"]
    assert draft["personalDetails"]["dateOfBirth"]["value"] == "1990-05-17"


def test_the_question_catalogue_gives_a_form_every_required_question_with_its_options(
    assessments_api: Caller,
) -> None:
    catalogue = load_catalogue()
    response = assessments_api("GET", f"/assessments/catalogues/{catalogue.version}")
    assert response.status == 200
    questions = {q["code"]: q for s in response.body["sections"] for q in s["questions"]}
    required = {code for code, q in questions.items() if q["requiredForCompletion"]}
    assert required == set(catalogue.required_for_completion())
    assert [o["code"] for o in questions["3.4"]["options"]] == list(catalogue.questions["3.4"].option_codes)
    assert assessments_api("GET", "/assessments/catalogues/OASYS_LAYER3_V9").status == 404
    assert (
        assessments_api("GET", f"/assessments/catalogues/{catalogue.version}", roles=("admin",)).status == 403
    )


def test_the_question_catalogue_names_the_follow_up_its_gate_makes_required(assessments_api: Caller) -> None:
    """A form counts what completion needs as the service does: 6.7.2.1da once 6.7da is YES, and no other."""
    version = load_catalogue().version
    sections = assessments_api("GET", f"/assessments/catalogues/{version}").body["sections"]
    conditional = {
        q["code"]: (q["parentCode"], q["requiredIfParentAnswer"])
        for s in sections
        for q in s["questions"]
        if q["requiredIfParentAnswer"] is not None
    }
    assert conditional == {"6.7.2.1da": ("6.7da", "YES")}


def test_partners_cannot_see_assessments(assessments_api: Caller, case_with_history: str) -> None:
    response = assessments_api("GET", f"/cases/{case_with_history}/assessments", roles=("partner",))
    assert response.status == 403


def _context() -> LocalContext:
    return LocalContext("AssessmentsFunction")


# ------------------------------------------------------------------ screening tools from an assessment

# A man aged 18 to 25 at any date until 2029, out on licence from a custodial sentence for wounding (00801,
# which SCREENING.md's offence table flags for OPD).
YOUNG_MAN = {"gender": "MALE", "dateOfBirth": "2004-06-15"}
LICENCE = {
    "convictionDate": "2023-01-10",
    "court": "Leeds Crown Court",
    "offences": [{"offenceCode": "00801", "offenceDate": "2022-12-01", "main": True}],
    "sentence": {
        "type": "CUSTODY",
        "sentenceDate": "2023-01-10",
        "lengthMonths": 18,
        "releaseDate": "2024-01-10",
    },
}
# Every answer the four tools read for a man, with the points each scores by SCREENING.md.
SCREENING_ANSWERS: dict[str, Any] = {
    # MST (2.1): 1 + 2 + 2 + 1 + 1 + 2 + 1 + 1 + 2 + 0 = 13, flagged from 10.
    "2.7": "YES",
    "2.7.2": "YES",  # peer group influences: 1
    "7.3": "2",  # influence from criminal associates: 2 (and PNI relationships)
    "7.5": "2",  # recklessness: 2 (and OPD: 1)
    "10.1": "1",  # difficulties coping: 1 (and PNI self-management)
    "10.4": "1",  # attitudes towards self: 1
    "11.2": "2",  # impulsivity: 2 (and OPD: 1; PNI self-management)
    "11.4": "1",  # temper control: 1 (and PNI self-management)
    "11.6": "1",  # problem solving: 1 (and PNI self-management)
    "11.7": "2",  # awareness of consequences: significant problems, so NO: 2
    "11.9": "0",  # understands other people's views: 0
    # LDS (3.1): 1 + 1 + 1 + 1 + 0 + 0 + 0 = 4, which is 3-4: ldsScore 1.
    "3.3": "YES",  # no fixed abode: 1
    "4.4": "1",  # work-related skills: 1
    "4.7": "1",  # reading, writing, numeracy: 1
    "4.7.1": ["READING"],  # reading: 1; numeracy: 0
    "4.8": "0",  # learning difficulties: 0
    "4.9": "0",  # any qualification: 0
    # OPD (4.1, 4.5): overall RoSH HIGH, flagged offence, custodial sentence: the men's tool applies.
    # Personality: violence 1, excessive (with violence) 1, no victim awareness 1, manipulative 1,
    # recklessness 1, impulsivity 1 = 6 (< 7). Indicators: childhood difficulties 1 (< 2). SCREEN_OUT.
    "SUM6.1.1": "M",
    "SUM6.2.1": "H",
    "2.2_V2_ANYVIOL": "YES",
    "2.2_V2_EXCESSIVE": "YES",
    "2.6": "NO",
    "5.5": "0",
    "7.4": "1",
    "10.7_V2_CHILDHOOD": "NO",
    "11.3": "0",
    "6.3": "1",
    "10.2": "0",
    "10.6": "0",
    "10.7_V2_HISTPSYCH": "NO",
    "10.7_V2_MEDICATION": "NO",
    "10.7_V2_PATIENT": "NO",
    "10.7_V2_PSYCHTREAT": "NO",
    "R1.3.13.1_V2": "NO",
    "R1.3.13.2_V2": "NO",
    "10.5": "NO",
    "12.4": "0",
    "R1.3.1.1_V2": "NO",
    "R1.3.1.2_V2": "NO",
    "R4.1": "NO",
    "R4.6": "NO",
    "6.7da": "NO",
    "applyOPDOverride": "YES",  # echoed as opdOverride when scored and screened out
    # PNI (5.1-5.6): sex 0 (no sexual offence, 6.11 NO); thinking 1 + 1 = 2: 1; relationships
    # 1 + 1 + 2 + 0 = 4: 1; self-management 2 + 1 + 1 + 1 = 5: 2. Total 4 in the community: need MEDIUM.
    # SARA to partner HIGH makes risk HIGH whatever ARP and VRP are; not in custody, so not HIGH intensity;
    # a SARA value HIGH: MODERATE. Nothing missing.
    "6.11": "NO",
    "11.11": "0",
    "11.12": "0",
    "6.12": "0",
    "12.1": "1",
    "12.9": "1",
    "6.1": "1",
    "6.6": "1",
    "saraRiskLevelToPartner": "3",
    "saraRiskLevelToOther": "2",
}
SCREENING_SUMMARY = {
    "mst": {"maturityScore": 13, "maturityFlag": True, "isMstApplicable": True},
    "lds": {"ldsScore": 1},
    "opd": {"opdCheck": True, "opdOverride": True, "opdResult": "SCREEN_OUT"},
    "pni": {"pniPathway": "MODERATE"},
}


@pytest.fixture
def young_man_on_licence(api: Caller, team: str) -> str:
    created = api("POST", "/cases", new_case(**YOUNG_MAN))
    assert created.status == 201, created.body
    crn: str = created.body["crn"]
    assert api("POST", f"/cases/{crn}/convictions", LICENCE).status == 201
    return crn


def complete_with_screening_answers(assessments_api: Caller, crn: str) -> dict[str, Any]:
    draft = answer_all_required(assessments_api, crn, open_draft(assessments_api, crn))
    path = f"/cases/{crn}/assessments/{draft['assessmentId']}"
    changes = {"answers": {code: {"value": value} for code, value in SCREENING_ANSWERS.items()}}
    draft = assessments_api("PATCH", path, changes, headers={"If-Match": f'"{draft["version"]}"'}).body
    response = complete(assessments_api, crn, draft)
    assert response.status == 200, response.body
    completed: dict[str, Any] = response.body
    return completed


def test_a_completed_assessment_gives_the_case_its_screening_results_with_their_sources(
    api: Caller, assessments_api: Caller, risk_api: Caller, template: Template, young_man_on_licence: str
) -> None:
    crn = young_man_on_licence
    completed = complete_with_screening_answers(assessments_api, crn)
    assert completed["screeningAnswers"]["awarenessOfConsequences"] == "NO"
    assert completed["screeningAnswers"]["highestRiskLevelOverAllAssessments"] == "HIGH"

    response = risk_api("POST", f"/cases/{crn}/risk")
    assert response.status == 201, response.body
    record = response.body
    result = record["result"]
    assert {
        tool: {k: v for k, v in result[tool].items() if k != "validationError"} for tool in SCREENING_SUMMARY
    } == (SCREENING_SUMMARY)
    assert all(result[tool]["validationError"] == [] for tool in SCREENING_SUMMARY)
    assert record["screening"] == SCREENING_SUMMARY

    inputs, provenance = record["inputs"], record["provenance"]
    assert set(provenance) == set(inputs)
    # Case facts: a custodial sentence, released, so in the community; no MAPPA registration.
    assert (inputs["hasCustodialSentence"], inputs["supervisionStatus"]) == (True, "COMMUNITY")
    assert inputs["isEligibleForMappa"] is False
    assert (
        provenance["hasCustodialSentence"]["source"],
        provenance["hasCustodialSentence"]["sourceRef"],
    ) == (
        "CASE_RECORD",
        f"/cases/{crn}/convictions/1",
    )
    assert provenance["isEligibleForMappa"]["sourceRef"] == f"/cases/{crn}/registrations"
    # Each answer's source names the assessment and the question(s) it was read from.
    assessment = f"/cases/{crn}/assessments/{completed['assessmentId']}"
    expected_questions = {
        "influenceFromCriminalAssociates": "question 7.3",
        "easilyInfluencedByCriminalAssociates": "question 7.3",
        "awarenessOfConsequences": "question 11.7",
        "hasPeerGroupInfluences": "questions 2.7.2, 2.7",
        "hasProblemsWithReading": "question 4.7.1",
        "saraRiskToPartner": "question saraRiskLevelToPartner",
        "applyOPDOverride": "question applyOPDOverride",
        "impulsivityProblems": "question 11.2",
        "hasAssaultedOrThreatenedStaff": "questions R1.3.1.1_V2, R1.3.1.2_V2",
    }
    for name, questions in expected_questions.items():
        assert provenance[name] == {"source": "ASSESSMENT", "sourceRef": assessment, "detail": questions}, (
            name
        )
    assert provenance["overallRiskForAssessment"]["detail"].startswith("questions SUM6.1.1, SUM6.1.2")

    determined = [
        i
        for i in table_items(template, f"EVENTS#{crn}")
        if i["detailType"] == "risk-assessment.scores.determined"
    ]
    assert determined[0]["detail"]["additionalInformation"]["screening"] == SCREENING_SUMMARY

    history = risk_api("GET", f"/cases/{crn}/risk").body
    assert history["latest"]["screening"] == SCREENING_SUMMARY
    assert history["history"][0]["screening"] == SCREENING_SUMMARY
    overview = api("GET", f"/cases/{crn}/overview").body
    latest = overview["latestRisk"]
    assert (latest["scoreId"], latest["rsrBand"], latest["screening"]) == (
        record["scoreId"],
        record["rsrBand"],
        SCREENING_SUMMARY,
    )
    assert latest["rsrScore"] == result["rsr"]["score"]
    assert latest["bands"]["allReoffending"] == result["allReoffending"]["dynamic"]["band"]


def test_a_new_draft_carries_the_screening_answers_forward_with_their_source(
    assessments_api: Caller, young_man_on_licence: str
) -> None:
    crn = young_man_on_licence
    completed = complete_with_screening_answers(assessments_api, crn)
    draft = open_draft(assessments_api, crn)
    reference = f"/cases/{crn}/assessments/{completed['assessmentId']}"
    for code, value in SCREENING_ANSWERS.items():
        held = draft["answers"][code]
        if code == "2.2_V2_ANYVIOL":  # wounding is violent: the record says so
            assert (held["source"], held["value"]) == ("CASE_RECORD", "YES")
            continue
        assert (held["source"], held["sourceRef"], held["value"], held["confirmed"]) == (
            "PREVIOUS_ASSESSMENT",
            reference,
            value,
            False,
        ), code


def test_the_list_says_who_is_at_risk_from_the_rosh_summary(
    assessments_api: Caller, case_with_history: str
) -> None:
    draft = answer_all_required(
        assessments_api, case_with_history, open_draft(assessments_api, case_with_history)
    )
    path = f"/cases/{case_with_history}/assessments/{draft['assessmentId']}"
    at_risk = {"SUM6.1.1": "H", "SUM6.2.1": "M", "SUM6.2.2": "L", "SUM6.5.2": "V"}
    answered = assessments_api(
        "PATCH",
        path,
        {"answers": {code: {"value": value} for code, value in at_risk.items()}},
        headers={"If-Match": f'"{draft["version"]}"'},
    )
    assert answered.status == 200, answered.body
    assert complete(assessments_api, case_with_history, answered.body).status == 200

    listed = assessments_api("GET", f"/cases/{case_with_history}/assessments").body["items"]
    [completed] = [item for item in listed if item["assessmentId"] == draft["assessmentId"]]
    assert completed["roshSummary"] == [
        {"group": "Children", "community": "HIGH", "custody": None},
        {"group": "Public", "community": "MEDIUM", "custody": "LOW"},
        {"group": "Prisoners", "community": None, "custody": "VERY_HIGH"},
    ]

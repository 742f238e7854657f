"""Deriving the calculator's inputs from the case record: counts, ages and dates from recorded facts."""

from datetime import UTC, date, datetime
from typing import Any

import pytest

from probation.domain.assessments.models import Assessment
from probation.domain.cases.models import CaseOverview, Registration
from probation.domain.errors import InvalidInput
from probation.domain.risk_scoring.inputs import derive_inputs
from probation.domain.risk_scoring.records import InputSource

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SCORING_DATE = date(2026, 6, 1)


def conviction(number: int, convicted: str, code: str, sentence: dict[str, Any]) -> dict[str, Any]:
    return {
        "convictionNumber": number,
        "createdAt": NOW,
        "convictionDate": convicted,
        "court": "Leeds Crown Court",
        "offences": [{"offenceCode": code, "offenceDate": convicted, "main": True}],
        "sentence": {"sentenceDate": convicted, "lengthMonths": 12, **sentence},
    }


def sanction(on: str, code: str) -> dict[str, Any]:
    return {
        "sanctionId": f"s-{on}",
        "sanctionDate": on,
        "offenceCode": code,
        "offenceDescription": "x",
        "violent": False,
        "recordedAt": NOW,
    }


def overview(
    convictions: list[dict[str, Any]], sanctions: list[dict[str, Any]], gender: str = "MALE"
) -> CaseOverview:
    return CaseOverview.model_validate(
        {
            "case": {
                "crn": "X123456",
                "version": 1,
                "createdAt": NOW,
                "updatedAt": NOW,
                "firstName": "Sam",
                "lastName": "Hill",
                "dateOfBirth": "1980-02-29",
                "gender": gender,
                "teamCode": "N07CAM",
            },
            "convictions": convictions,
            "sanctions": sanctions,
            "registrations": [],
            "contacts": [],
        }
    )


COMMUNITY = {"type": "COMMUNITY"}


def test_the_latest_conviction_is_current_and_every_occasion_counts() -> None:
    case = overview(
        [conviction(1, "2019-05-01", "04600", COMMUNITY), conviction(2, "2025-03-01", "02803", COMMUNITY)],
        [sanction("1996-03-01", "04600"), sanction("2001-07-01", "10500")],
    )
    inputs = derive_inputs(case, SCORING_DATE).request
    assert (inputs.current_offence_code, inputs.date_of_current_conviction) == ("02803", date(2025, 3, 1))
    assert inputs.total_number_of_sanctions_for_all_offences == 4
    # Born 29 Feb 1980; on 1 Mar 1996 Java counts 16 whole years.
    assert inputs.age_at_first_sanction == 16
    # Only common assault (10500) is flagged violent on the offence list.
    assert inputs.total_number_of_violent_sanctions == 1
    assert inputs.most_recent_offence_date == date(2025, 3, 1)


def test_custody_follows_up_from_release_and_is_custody_until_then() -> None:
    custody = {"type": "CUSTODY", "releaseDate": "2026-09-01"}
    inputs = derive_inputs(
        overview([conviction(1, "2025-03-01", "03401", custody)], []), SCORING_DATE
    ).request
    assert inputs.date_at_start_of_followup == date(2026, 9, 1)
    assert inputs.supervision_status == "CUSTODY"
    released = derive_inputs(overview([conviction(1, "2025-03-01", "03401", custody)], []), date(2026, 9, 2))
    assert released.request.supervision_status == "COMMUNITY"


def test_a_community_sentence_follows_up_from_the_sentence_date() -> None:
    inputs = derive_inputs(
        overview([conviction(1, "2025-03-01", "04600", COMMUNITY)], []), SCORING_DATE
    ).request
    assert (inputs.date_at_start_of_followup, inputs.supervision_status) == (date(2025, 3, 1), "COMMUNITY")


def test_sexual_history_is_counted_by_kind() -> None:
    case = overview(
        [conviction(1, "2025-03-01", "01908", COMMUNITY)],  # rape of a female aged 16 or over: contact, adult
        [
            sanction("2010-01-01", "08610"),  # possession of an indecent photograph of a child: images
            sanction("2012-01-01", "08809"),  # exposure: non-contact
            sanction("2014-01-01", "02006"),  # sexual assault on a female child under 13: contact, child
            sanction("2015-01-01", "04600"),  # shoplifting: not sexual
        ],
    )
    inputs = derive_inputs(case, SCORING_DATE).request
    assert inputs.has_ever_committed_sexual_offence is True
    counts = (
        inputs.total_contact_adult_sexual_sanctions,
        inputs.total_contact_child_sexual_sanctions,
        inputs.total_non_contact_sexual_offences,
        inputs.total_indecent_image_sanctions,
    )
    assert counts == (1, 1, 1, 1)
    assert inputs.date_of_most_recent_sexual_offence == date(2025, 3, 1)


def test_no_sexual_history_means_zero_counts_and_no_date() -> None:
    inputs = derive_inputs(
        overview([conviction(1, "2025-03-01", "04600", COMMUNITY)], []), SCORING_DATE
    ).request
    assert inputs.has_ever_committed_sexual_offence is False
    assert inputs.total_contact_adult_sexual_sanctions == 0
    assert inputs.date_of_most_recent_sexual_offence is None


def test_every_input_says_where_it_came_from() -> None:
    derived = derive_inputs(overview([conviction(1, "2025-03-01", "04600", COMMUNITY)], []), SCORING_DATE)
    given = set(derived.request.model_dump(by_alias=True, exclude_none=True))
    assert given == set(derived.provenance)
    assert derived.provenance["assessmentDate"].source is InputSource.SCORING_DATE
    assert derived.provenance["currentOffenceCode"].source_ref == "/cases/X123456/convictions/1"


def test_a_case_without_a_conviction_cannot_be_scored() -> None:
    with pytest.raises(InvalidInput) as error:
        derive_inputs(overview([], [sanction("2010-01-01", "04600")]), SCORING_DATE)
    assert [e.field for e in error.value.errors] == ["convictions"]


def registration(code: str, status: str) -> dict[str, Any]:
    return {
        "registrationId": f"r-{code}-{status}",
        "type": code,
        "registrationDate": "2025-01-01",
        "description": code,
        "group": "MAPPA",
        "status": status,
        "registeredBy": "someone",
        "version": 1,
    }


@pytest.mark.parametrize(
    ("registrations", "eligible"),
    [
        ([registration("MAPP", "ACTIVE")], True),
        ([registration("MAPP", "DEREGISTERED")], False),
        ([registration("RHRH", "ACTIVE")], False),
        ([], False),
    ],
)
def test_mappa_eligibility_is_an_active_mappa_registration(
    registrations: list[dict[str, Any]], eligible: bool
) -> None:
    case = overview([conviction(1, "2025-03-01", "04600", COMMUNITY)], []).model_copy(
        update={"registrations": [Registration.model_validate(r) for r in registrations]}
    )
    derived = derive_inputs(case, SCORING_DATE)
    assert derived.request.is_eligible_for_mappa is eligible
    assert derived.provenance["isEligibleForMappa"].source_ref == "/cases/X123456/registrations"


def test_a_custodial_sentence_is_one_even_after_release() -> None:
    released = {"type": "CUSTODY", "releaseDate": "2026-09-01"}
    derived = derive_inputs(overview([conviction(1, "2025-03-01", "04600", released)], []), SCORING_DATE)
    assert (derived.request.has_custodial_sentence, derived.request.supervision_status) == (True, "CUSTODY")
    later = derive_inputs(overview([conviction(1, "2025-03-01", "04600", released)], []), date(2026, 10, 1))
    assert (later.request.has_custodial_sentence, later.request.supervision_status) == (True, "COMMUNITY")
    community = derive_inputs(overview([conviction(1, "2025-03-01", "04600", COMMUNITY)], []), SCORING_DATE)
    assert community.request.has_custodial_sentence is False


def test_assessment_answers_name_the_questions_they_were_read_from() -> None:
    assessment = Assessment.model_validate(
        {
            "assessmentId": "a-1",
            "crn": "X123456",
            "status": "COMPLETED",
            "version": 3,
            "catalogueVersion": "OASYS_LAYER3_V2",
            "createdAt": NOW,
            "createdBy": "someone",
            "updatedAt": NOW,
            "personalDetails": {},
            "answers": {},
            "summary": {"questions": 1, "prefilled": 0, "confirmed": 0, "remaining": 1},
            "predictorAnswers": {"impulsivityProblems": "SOME_PROBLEMS", "evidenceOfDomesticAbuse": False},
            "screeningAnswers": {"hasPeerGroupInfluences": True, "saraRiskToOthers": "LOW"},
        }
    )
    case = overview([conviction(1, "2025-03-01", "04600", COMMUNITY)], [])
    derived = derive_inputs(case, SCORING_DATE, assessment)
    assert derived.request.has_peer_group_influences is True
    assert derived.request.sara_risk_to_others == "LOW"
    details = {
        name: (p.source, p.source_ref, p.detail)
        for name, p in derived.provenance.items()
        if p.source is InputSource.ASSESSMENT
    }
    reference = "/cases/X123456/assessments/a-1"
    assert details == {
        "impulsivityProblems": (InputSource.ASSESSMENT, reference, "question 11.2"),
        "evidenceOfDomesticAbuse": (InputSource.ASSESSMENT, reference, "questions 6.7da, 6.7.2.1da"),
        "hasPeerGroupInfluences": (InputSource.ASSESSMENT, reference, "questions 2.7.2, 2.7"),
        "saraRiskToOthers": (InputSource.ASSESSMENT, reference, "question saraRiskLevelToOther"),
    }

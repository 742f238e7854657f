"""The allocation handler on moto: teams, practitioners, the queue, tiering, recommendations, decisions."""

from datetime import date

import pytest

from infrastructure.template import Template
from probation.adapters.allocation_repository import DynamoAllocationRepository
from tests.component.conftest import TEAM, Caller, deliver, table_items

MANAGER = ("manager",)
STAFF = [
    ("PO001", "Olu Ade", "PO"),
    ("PO002", "Sam Roe", "PO"),
    ("SPO01", "Kim Lee", "SPO"),
    ("PSO01", "Ann Orr", "PSO"),
]
CONVICTION = {
    "convictionDate": "2025-03-01",
    "court": "Highbury Corner Magistrates' Court",
    "offences": [{"offenceCode": "04600", "offenceDate": "2025-01-10", "main": True}],
    "sentence": {
        "type": "COMMUNITY",
        "sentenceDate": "2025-03-01",
        "lengthMonths": 12,
        "requirements": [{"type": "REHABILITATION_ACTIVITY", "length": 20, "lengthUnit": "DAYS"}],
    },
}


@pytest.fixture
def team(allocation_api: Caller) -> str:
    """The team of the cases (overriding conftest's, which only creates it), with its staff."""
    assert allocation_api("POST", "/allocation/teams", TEAM, roles=MANAGER).status == 201
    for code, name, grade in STAFF:
        body = {"code": code, "name": name, "grade": grade, "teamCode": TEAM["code"]}
        assert allocation_api("POST", "/allocation/practitioners", body, roles=MANAGER).status == 201
    return TEAM["code"]


@pytest.fixture
def queued(api: Caller, team: str, crn: str) -> str:
    """A case with a conviction, in its team's queue and tiered, as the events would leave it."""
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    deliver(crn, "probation-case.engagement.created", "created-1", teamCode=team)
    deliver(crn, "probation-case.sentence.created", "sentence-1")
    return crn


def mappa(api: Caller, crn: str, level: str = "M2") -> str:
    body = {"type": "MAPP", "registrationDate": "2025-04-01", "mappaLevel": level, "mappaCategory": "M2"}
    response = api("POST", f"/cases/{crn}/registrations", body)
    assert response.status == 201
    deliver(crn, "probation-case.registration.added", f"mappa-{level}")
    registration_id: str = response.body["registrationId"]
    return registration_id


def test_teams_and_practitioners_are_for_managers(allocation_api: Caller) -> None:
    assert allocation_api("POST", "/allocation/teams", TEAM).status == 403
    assert allocation_api("POST", "/allocation/teams", TEAM, roles=MANAGER).status == 201
    assert allocation_api("POST", "/allocation/teams", TEAM, roles=MANAGER).status == 409
    teams = allocation_api("GET", "/allocation/teams").body["items"]
    assert [t["code"] for t in teams] == ["N07CAM"]


def test_a_practitioner_needs_a_known_team_and_a_valid_grade(allocation_api: Caller, team: str) -> None:
    unknown = {"code": "PO009", "name": "A B", "grade": "PO", "teamCode": "NOPE01"}
    assert allocation_api("POST", "/allocation/practitioners", unknown, roles=MANAGER).field_errors == {
        "teamCode"
    }
    bad_grade = {"code": "PO009", "name": "A B", "grade": "DIRECTOR", "teamCode": team}
    assert allocation_api("POST", "/allocation/practitioners", bad_grade, roles=MANAGER).field_errors == {
        "grade"
    }


def test_a_team_code_that_names_no_team_is_refused_wherever_it_is_taken(
    allocation_api: Caller, team: str
) -> None:
    etag = allocation_api("GET", "/allocation/practitioners/PO001").headers["ETag"]
    moved = allocation_api(
        "PATCH",
        "/allocation/practitioners/PO001",
        {"teamCode": "NOPE01"},
        roles=MANAGER,
        headers={"If-Match": etag},
    )
    listed = allocation_api("GET", "/allocation/practitioners", query={"teamCode": "NOPE01"})

    for refused in (moved, listed):
        assert (refused.status, refused.field_errors) == (422, {"teamCode"})
    assert allocation_api("GET", "/allocation/practitioners", query={"teamCode": team}).status == 200


@pytest.mark.parametrize("hours", [2.225073858507e-311, 37.123, 0, 61])
def test_contracted_hours_beyond_hundredths_or_range_are_refused_and_nothing_stored(
    allocation_api: Caller, team: str, hours: float
) -> None:
    practitioner = {"code": "PO010", "name": "A B", "grade": "PO", "teamCode": team, "contractedHours": hours}
    refused = allocation_api("POST", "/allocation/practitioners", practitioner, roles=MANAGER)
    assert (refused.status, refused.field_errors) == (422, {"contractedHours"})
    assert allocation_api("GET", "/allocation/practitioners/PO010").status == 404


def test_reductions_lower_available_points(allocation_api: Caller, team: str) -> None:
    fresh = allocation_api("GET", "/allocation/practitioners/PO001")
    # A full-time PO (37 hours) has the nominal 2176 points.
    assert (fresh.body["availablePoints"], fresh.body["capacityPercent"]) == (2176.0, 0.0)
    training = {"reason": "Training", "hours": 7.4, "start": "2020-01-01", "end": "2099-12-31"}
    patch = {"reductions": [training]}
    assert allocation_api("PATCH", "/allocation/practitioners/PO001", patch, roles=MANAGER).status == 428
    updated = allocation_api(
        "PATCH",
        "/allocation/practitioners/PO001",
        patch,
        roles=MANAGER,
        headers={"If-Match": fresh.headers["ETag"]},
    )
    # 2176 x (37 - 7.4) / 37 = 1740.8
    assert updated.body["availablePoints"] == 1740.8
    stale = allocation_api(
        "PATCH",
        "/allocation/practitioners/PO001",
        patch,
        roles=MANAGER,
        headers={"If-Match": fresh.headers["ETag"]},
    )
    assert stale.status == 412


def test_a_new_case_joins_its_team_queue_once(allocation_api: Caller, team: str, crn: str) -> None:
    deliver(crn, "probation-case.engagement.created", "created-1", teamCode=team)
    deliver(crn, "probation-case.engagement.created", "created-1", teamCode=team)
    queue = allocation_api("GET", f"/allocation/teams/{team}/unallocated").body["items"]
    waited = (date.today() - date(2026, 1, 1)).days  # the event says the case was created on 1 January
    assert [(e["crn"], e["name"], e["daysWaiting"]) for e in queue] == [(crn, "Jane Doe", waited)]


def test_a_mappa_level_2_case_tiers_to_a(api: Caller, allocation_api: Caller, queued: str) -> None:
    before = allocation_api("GET", f"/cases/{queued}/allocation").body["tier"]
    mappa(api, queued, "M2")
    after = allocation_api("GET", f"/cases/{queued}/allocation").body["tier"]
    # No assessment yet: change level 2. MAPPA M2 is 150 protect points: level A.
    assert (before["tier"], after["tier"]) == ("D2", "A2")
    assert any("MAPPA" in reason for reason in after["reasons"])
    assert (after["inputs"]["mappaLevel"], after["inputs"]["hasValidAssessment"]) == ("M2", False)


def test_recommendations_rank_the_eligible_by_capacity_after(
    api: Caller, allocation_api: Caller, queued: str
) -> None:
    mappa(api, queued, "M2")
    ranked = allocation_api("GET", f"/cases/{queued}/allocation/recommendations").body
    assert ranked["tier"] == "A2"
    # Tier A2 community case: 158 points; 158 / 2176 = 7.26 % for anyone with an empty caseload.
    assert ranked["casePoints"] == 158
    assert {p["grade"] for p in ranked["practitioners"]} == {"PO", "SPO"}
    assert [p["rank"] for p in ranked["practitioners"]] == [1, 2, 3]
    assert all(p["capacityAfterPercent"] == 7.26 for p in ranked["practitioners"])
    assert any("MAPPA level M2 needs a PO or SPO" in line for line in ranked["eligibility"])


def test_allocating_moves_the_points_and_empties_the_queue(
    api: Caller, allocation_api: Caller, template: Template, queued: str, team: str
) -> None:
    mappa(api, queued, "M2")
    current = allocation_api("GET", f"/cases/{queued}/allocation")
    decision = {"practitionerCode": "PO001", "justification": "Capacity and MAPPA experience."}
    assert allocation_api("POST", f"/cases/{queued}/allocation", decision, roles=MANAGER).status == 428
    done = allocation_api(
        "POST",
        f"/cases/{queued}/allocation",
        decision,
        roles=MANAGER,
        headers={"If-Match": current.headers["ETag"]},
    )
    assert done.status == 200
    assert (done.body["status"], done.body["practitionerCode"], done.body["points"]) == (
        "ALLOCATED",
        "PO001",
        158,
    )
    assert done.body["practitionerName"] == next(name for code, name, _ in STAFF if code == "PO001")
    holder = allocation_api("GET", "/allocation/practitioners/PO001").body
    assert (holder["workload"]["points"], holder["workload"]["cases"], holder["capacityPercent"]) == (
        158,
        1,
        7.26,
    )
    assert allocation_api("GET", f"/allocation/teams/{team}/unallocated").body["items"] == []
    caseload = allocation_api("GET", "/allocation/practitioners/PO001/caseload").body["items"]
    assert [(c["crn"], c["tier"], c["points"], c["mappaLevel"]) for c in caseload] == [
        (queued, "A2", 158, "M2")
    ]
    # A 12-month community order from 1 March 2025 (CONVICTION above).
    assert [(c["sentenceType"], c["expectedEndDate"]) for c in caseload] == [("COMMUNITY", "2026-03-01")]
    allocated_events = [
        i
        for i in table_items(template, f"EVENTS#{queued}")
        if i["detailType"] == "person.community.manager.allocated"
    ]
    assert allocated_events[0]["detail"]["additionalInformation"]["staffCode"] == "PO001"

    stale = allocation_api(
        "POST",
        f"/cases/{queued}/allocation",
        decision,
        roles=MANAGER,
        headers={"If-Match": current.headers["ETag"]},
    )
    assert stale.status == 412


def test_reallocation_moves_the_points_to_the_new_holder(allocation_api: Caller, queued: str) -> None:
    first = allocation_api("GET", f"/cases/{queued}/allocation")
    to_po1 = {"practitionerCode": "PO001", "justification": "First."}
    after_first = allocation_api(
        "POST",
        f"/cases/{queued}/allocation",
        to_po1,
        roles=MANAGER,
        headers={"If-Match": first.headers["ETag"]},
    )
    points = after_first.body["points"]
    to_po2 = {"practitionerCode": "PO002", "justification": "Moving teams."}
    allocation_api(
        "POST",
        f"/cases/{queued}/allocation",
        to_po2,
        roles=MANAGER,
        headers={"If-Match": f'"{after_first.body["version"]}"'},
    )
    po1 = allocation_api("GET", "/allocation/practitioners/PO001").body["workload"]
    po2 = allocation_api("GET", "/allocation/practitioners/PO002").body["workload"]
    assert (po1["points"], po1["cases"]) == (0, 0)
    assert (po2["points"], po2["cases"]) == (points, 1)


def test_each_practitioners_risk_load_and_who_has_held_the_case_are_kept(
    api: Caller, allocation_api: Caller, queued: str
) -> None:
    mappa(api, queued, "M2")

    def allocate(code: str) -> None:
        etag = {"If-Match": allocation_api("GET", f"/cases/{queued}/allocation").headers["ETag"]}
        decision = {"practitionerCode": code, "justification": "Risk load test."}
        made = allocation_api("POST", f"/cases/{queued}/allocation", decision, roles=MANAGER, headers=etag)
        assert made.status == 200, made.body

    def load(code: str) -> tuple[int, int]:
        workload = allocation_api("GET", f"/allocation/practitioners/{code}").body["workload"]
        return workload["highRosh"], workload["mappa"]

    allocate("PO001")
    assert (load("PO001"), load("PO002")) == ((0, 1), (0, 0))
    # The risk rises while PO001 holds the case: the re-tiering moves PO001's count with it.
    high = {"type": "RHRH", "registrationDate": "2025-04-02"}
    assert api("POST", f"/cases/{queued}/registrations", high).status == 201
    deliver(queued, "probation-case.registration.added", "rosh-high")
    assert (load("PO001"), load("PO002")) == ((1, 1), (0, 0))
    allocate("PO002")
    assert (load("PO001"), load("PO002")) == ((0, 0), (1, 1))
    assert allocation_api("GET", f"/cases/{queued}/allocation").body["previousPractitionerCodes"] == ["PO001"]

    ranked = allocation_api("GET", f"/cases/{queued}/allocation/recommendations", roles=MANAGER).body
    seen = {
        p["code"]: (p["highRoshCases"], p["mappaCases"], p["supervisedBefore"])
        for p in ranked["practitioners"]
    }
    assert (seen["PO001"], seen["PO002"]) == ((0, 0, True), (1, 1, True))
    assert all(not held for code, (_, _, held) in seen.items() if code not in {"PO001", "PO002"})


def test_ineligible_holders_are_refused(api: Caller, allocation_api: Caller, queued: str) -> None:
    mappa(api, queued, "M2")
    etag = {"If-Match": allocation_api("GET", f"/cases/{queued}/allocation").headers["ETag"]}
    to_pso = {"practitionerCode": "PSO01", "justification": "x"}
    refused = allocation_api("POST", f"/cases/{queued}/allocation", to_pso, roles=MANAGER, headers=etag)
    assert refused.field_errors == {"practitionerCode"}
    to_partner = {"partnerId": "CRC-LONDON", "justification": "x"}
    refused = allocation_api("POST", f"/cases/{queued}/allocation", to_partner, roles=MANAGER, headers=etag)
    assert refused.field_errors == {"partnerId"}
    both = {"practitionerCode": "PO001", "partnerId": "CRC-LONDON", "justification": "x"}
    assert (
        allocation_api("POST", f"/cases/{queued}/allocation", both, roles=MANAGER, headers=etag).status == 422
    )
    assert allocation_api("GET", f"/cases/{queued}/allocation").body["status"] == "UNALLOCATED"


def register_partner(partners_api: Caller, partner_id: str) -> None:
    body = {
        "partnerId": partner_id,
        "name": partner_id,
        "contactEmail": "ops@crc.example",
        "scopes": ["cases.read"],
    }
    assert partners_api("POST", "/partner-admin/partners", body, roles=("admin",)).status == 201


def test_a_low_risk_case_can_go_to_a_registered_partner(
    allocation_api: Caller, partners_api: Caller, queued: str
) -> None:
    register_partner(partners_api, "CRC-LONDON")
    etag = {"If-Match": allocation_api("GET", f"/cases/{queued}/allocation").headers["ETag"]}
    to_partner = {"partnerId": "CRC-LONDON", "justification": "Low risk, CRC contract."}
    done = allocation_api("POST", f"/cases/{queued}/allocation", to_partner, roles=MANAGER, headers=etag)
    assert (done.status, done.body["partnerId"], done.body["points"]) == (200, "CRC-LONDON", 0)


def test_allocation_to_a_partner_no_one_registered_is_refused_and_changes_nothing(
    allocation_api: Caller, partners_api: Caller, queued: str
) -> None:
    register_partner(partners_api, "CRC-LONDON")
    before = allocation_api("GET", f"/cases/{queued}/allocation")
    to_partner = {"partnerId": "CRC-LODNON", "justification": "Low risk, CRC contract."}
    refused = allocation_api(
        "POST",
        f"/cases/{queued}/allocation",
        to_partner,
        roles=MANAGER,
        headers={"If-Match": before.headers["ETag"]},
    )
    assert (refused.status, refused.field_errors) == (422, {"partnerId"})
    after = allocation_api("GET", f"/cases/{queued}/allocation")
    assert after.body == before.body, "the case stays in its team's queue"


def test_a_tier_change_moves_the_holders_points(api: Caller, allocation_api: Caller, queued: str) -> None:
    etag = {"If-Match": allocation_api("GET", f"/cases/{queued}/allocation").headers["ETag"]}
    decision = {"practitionerCode": "PO001", "justification": "x"}
    allocated = allocation_api(
        "POST", f"/cases/{queued}/allocation", decision, roles=MANAGER, headers=etag
    ).body
    assert allocated["tier"]["tier"] == "D2"
    mappa(api, queued, "M2")
    holder = allocation_api("GET", "/allocation/practitioners/PO001").body["workload"]
    # D2 community is 41 points, A2 community 158: the holder's total follows the tier.
    assert (allocated["points"], holder["points"]) == (41, 158)


def test_a_tier_records_what_the_case_record_does_not_hold_as_unknown(
    allocation_api: Caller, queued: str
) -> None:
    tier = allocation_api("GET", f"/cases/{queued}/allocation").body["tier"]
    # The case is a woman's: her women-specific factors are not recorded yet, nor IOM. Breach and recall are
    # (the supervision summary): none is active.
    assert tier["inputs"]["womenSpecificFactors"] is None
    assert tier["inputs"]["breachOrRecall"] is False
    assert tier["inputs"]["onIom"] is None
    assert "Women-specific factors are not recorded: counted as absent" in tier["reasons"]
    assert not [reason for reason in tier["reasons"] if reason.startswith("Breach or recall")]


def test_an_allocation_from_a_stale_read_is_refused_by_the_write(
    allocation_api: Caller, queued: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service reads a version that is already stale, so only the write's condition stands between
    the second allocation and a lost one."""
    crn = queued
    stale = DynamoAllocationRepository().allocation(crn)
    assert stale is not None
    etag = {"If-Match": f'"{stale.version}"'}
    first = {"practitionerCode": "PO001", "justification": "First."}
    assert (
        allocation_api("POST", f"/cases/{crn}/allocation", first, roles=("manager",), headers=etag).status
        == 200
    )
    monkeypatch.setattr(DynamoAllocationRepository, "allocation", lambda *_: stale)
    second = {"practitionerCode": "PO002", "justification": "Second."}
    lost = allocation_api("POST", f"/cases/{crn}/allocation", second, roles=MANAGER, headers=etag)
    assert lost.status == 412
    monkeypatch.undo()
    assert allocation_api("GET", f"/cases/{crn}/allocation").body["practitionerCode"] == "PO001"

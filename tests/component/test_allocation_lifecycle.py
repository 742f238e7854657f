"""The allocation handler on moto as a case lives on: it closes and reopens, its sentences come due to end,
and it moves between teams by transfer."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from infrastructure.template import Template
from probation.adapters import aws, keys
from probation.adapters.allocation_repository import DynamoAllocationRepository
from probation.domain.allocation.models import Transfer, TransferStatus
from probation.domain.cases.models import expected_end_date
from probation.domain.cases.ports import ConcurrentChange
from tests.component.conftest import MANAGER, Caller, deliver, new_case, table_items
from tests.component.test_repository_conditions import change_of, partition, refused_and_unchanged

HOME, AWAY = "N07CAM", "N07HAC"
STAFF = {
    HOME: [("PO001", "Olu Ade", "PO"), ("PO002", "Sam Roe", "PO")],
    AWAY: [("PO101", "Ife Obi", "PO"), ("PSO11", "Ann Orr", "PSO")],
}
COUNTED = ("points", "cases", "community", "licence", "custody", "highRosh", "mappa")


def conviction(
    sentence_date: date, length_months: int = 12, sentence_type: str = "COMMUNITY"
) -> dict[str, Any]:
    sentence: dict[str, Any] = {
        "type": sentence_type,
        "sentenceDate": sentence_date.isoformat(),
        "lengthMonths": length_months,
    }
    if sentence_type == "CUSTODY":
        sentence["releaseDate"] = sentence_date.isoformat()
    return {
        "convictionDate": sentence_date.isoformat(),
        "court": "Highbury Corner Magistrates' Court",
        "offences": [{"offenceCode": "04600", "offenceDate": "2020-01-10", "main": True}],
        "sentence": sentence,
    }


def months_ago(months: int, plus_days: int = 0) -> date:
    """A sentence date ``months`` before today, moved ``plus_days`` on (a 12-month sentence from
    ``months_ago(12, 10)`` is expected to end in about 10 days)."""
    today = date.today()
    month = today.month - 1 - months
    year, month = today.year + month // 12, month % 12 + 1
    return date(year, month, min(today.day, 28)) + timedelta(days=plus_days)


def create_teams(allocation_api: Caller) -> None:
    for code, staff in STAFF.items():
        team = {"code": code, "name": f"Team {code}", "region": "London"}
        assert allocation_api("POST", "/allocation/teams", team, roles=MANAGER).status == 201
        for staff_code, name, grade in staff:
            body = {"code": staff_code, "name": name, "grade": grade, "teamCode": code}
            assert allocation_api("POST", "/allocation/practitioners", body, roles=MANAGER).status == 201


@pytest.fixture
def teams(allocation_api: Caller) -> None:
    create_teams(allocation_api)


def queued_case(api: Caller, sentence_date: date | None = None, last_name: str = "Doe") -> str:
    """A convicted case in the HOME team's queue, tiered, as the events would leave it."""
    crn: str = api("POST", "/cases", new_case(lastName=last_name)).body["crn"]
    assert api("POST", f"/cases/{crn}/convictions", conviction(sentence_date or months_ago(3))).status == 201
    deliver(crn, "probation-case.engagement.created", uuid.uuid4().hex, teamCode=HOME)
    deliver(crn, "probation-case.sentence.created", uuid.uuid4().hex)
    return crn


def allocate(allocation_api: Caller, crn: str, code: str) -> Any:
    etag = allocation_api("GET", f"/cases/{crn}/allocation").headers["ETag"]
    decision = {"practitionerCode": code, "justification": "Capacity."}
    return allocation_api(
        "POST", f"/cases/{crn}/allocation", decision, roles=MANAGER, headers={"If-Match": etag}
    )


def allocated_case(api: Caller, allocation_api: Caller, code: str = "PO001", **case: Any) -> str:
    crn = queued_case(api, **case)
    mappa = {"type": "MAPP", "registrationDate": "2025-04-01", "mappaLevel": "M2", "mappaCategory": "M2"}
    assert api("POST", f"/cases/{crn}/registrations", mappa).status == 201
    high = {"type": "RHRH", "registrationDate": "2025-04-02"}
    assert api("POST", f"/cases/{crn}/registrations", high).status == 201
    deliver(crn, "probation-case.registration.added", uuid.uuid4().hex)
    assert allocate(allocation_api, crn, code).status == 200
    return crn


def workload(allocation_api: Caller, code: str) -> dict[str, int]:
    counted: dict[str, Any] = allocation_api("GET", f"/allocation/practitioners/{code}").body["workload"]
    return {name: counted[name] for name in COUNTED}


EMPTY = dict.fromkeys(COUNTED, 0)


def set_status(template: Template, crn: str, status: str) -> None:
    """What the case records service leaves when a termination closes the case, or a conviction reopens it."""
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    table.update_item(
        Key=keys.profile_key(crn),
        UpdateExpression="SET #status = :status",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":status": status},
    )


def terminate(template: Template, crn: str, number: int) -> None:
    """A sentence's termination as the case records service stores it on the conviction."""
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    termination = {
        "date": date.today().isoformat(),
        "reason": "COMPLETED",
        "terminatedBy": "jsmith",
        "terminatedAt": datetime.now(UTC).isoformat(),
        "cancelledAppointmentIds": [],
    }
    table.update_item(
        Key=keys.conviction_key(crn, number),
        UpdateExpression="SET termination = :termination",
        ExpressionAttributeValues={":termination": termination},
    )


def close(template: Template, crn: str) -> str:
    set_status(template, crn, "CLOSED")
    event_id = uuid.uuid4().hex
    deliver(crn, "probation-case.closed", event_id)
    return event_id


def events_of(template: Template, crn: str) -> list[str]:
    return [str(item["detailType"]) for item in table_items(template, f"EVENTS#{crn}")]


# ------------------------------------------------------------------ closure and reopening


def test_a_closed_case_leaves_the_caseload_and_releases_its_whole_workload(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    held = workload(allocation_api, "PO001")
    assert (held["cases"], held["highRosh"], held["mappa"], held["community"]) == (1, 1, 1, 1)

    close(template, crn)

    closed = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (closed["status"], closed["practitionerCode"], closed["points"]) == ("CLOSED", "PO001", 0)
    assert workload(allocation_api, "PO001") == EMPTY
    assert allocation_api("GET", "/allocation/practitioners/PO001/caseload").body["items"] == []
    assert allocation_api("GET", f"/allocation/teams/{HOME}/unallocated").body["items"] == []
    [item] = [i for i in table_items(template, f"CASE#{crn}") if i["SK"] == keys.ALLOCATION]
    assert not [name for name in item if name.startswith("GSI")], "a closed case is on no index"


def test_the_termination_that_leaves_no_active_sentence_closes_the_allocation(
    api: Caller, allocation_api: Caller, supervision_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    ending = {"date": date.today().isoformat(), "reason": "COMPLETED"}
    ended = supervision_api("POST", f"/cases/{crn}/convictions/1/termination", ending, roles=MANAGER)
    assert ended.status == 200, ended.body
    for event_type in ("probation-case.sentence.terminated", "probation-case.closed"):
        assert event_type in events_of(template, crn)
        deliver(crn, event_type, uuid.uuid4().hex, convictionNumber=1)

    closed = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (closed["status"], closed["facts"]["ending"]) == ("CLOSED", None)
    assert workload(allocation_api, "PO001") == EMPTY


def test_a_closed_case_is_no_longer_tiered_and_a_second_closure_changes_nothing(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    event_id = close(template, crn)
    closed = allocation_api("GET", f"/cases/{crn}/allocation").body
    tier_events = events_of(template, crn).count("tier.calculation.complete")

    deliver(crn, "probation-case.closed", event_id)  # redelivered
    deliver(crn, "probation-case.closed", uuid.uuid4().hex)  # or told again
    deliver(crn, "probation-case.registration.added", uuid.uuid4().hex)
    deliver(crn, "risk-assessment.scores.determined", uuid.uuid4().hex)

    assert allocation_api("GET", f"/cases/{crn}/allocation").body == closed
    assert events_of(template, crn).count("tier.calculation.complete") == tier_events
    assert workload(allocation_api, "PO001") == EMPTY


def test_a_closed_case_cannot_be_allocated(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = queued_case(api)
    close(template, crn)
    refused = allocate(allocation_api, crn, "PO001")
    assert refused.status == 409
    assert workload(allocation_api, "PO001") == EMPTY


def test_a_reopened_case_is_back_in_its_team_queue_tiered_afresh(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    close(template, crn)
    set_status(template, crn, "ACTIVE")
    deliver(crn, "probation-case.reopened", "reopened-1")

    reopened = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (reopened["status"], reopened["practitionerCode"]) == ("UNALLOCATED", None)
    assert reopened["previousPractitionerCodes"] == ["PO001"]
    assert reopened["tier"]["eventId"] == "reopened-1"
    queue = allocation_api("GET", f"/allocation/teams/{HOME}/unallocated").body["items"]
    waited = (date.today() - date(2026, 1, 1)).days  # the event says it happened on 1 January
    assert [(entry["crn"], entry["daysWaiting"]) for entry in queue] == [(crn, waited)]
    assert workload(allocation_api, "PO001") == EMPTY


@pytest.mark.parametrize("first", ["probation-case.sentence.created", "probation-case.registration.added"])
def test_the_case_status_decides_whatever_event_arrives_first(
    api: Caller, allocation_api: Caller, template: Template, teams: None, first: str
) -> None:
    crn = allocated_case(api, allocation_api)
    close(template, crn)
    set_status(template, crn, "ACTIVE")  # reopened by a new conviction, its reopened event still on the way
    deliver(crn, first, uuid.uuid4().hex)
    assert allocation_api("GET", f"/cases/{crn}/allocation").body["status"] == "UNALLOCATED"
    deliver(crn, "probation-case.reopened", uuid.uuid4().hex)
    assert [
        e["crn"] for e in allocation_api("GET", f"/allocation/teams/{HOME}/unallocated").body["items"]
    ] == [crn]

    set_status(template, crn, "CLOSED")  # closed again before the event of the first closure came
    deliver(crn, "probation-case.sentence.terminated", uuid.uuid4().hex)
    assert allocation_api("GET", f"/cases/{crn}/allocation").body["status"] == "CLOSED"


def test_facts_and_tier_come_from_the_latest_active_sentence(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = queued_case(api, months_ago(6))
    custody = conviction(months_ago(2), 24, "CUSTODY")
    assert api("POST", f"/cases/{crn}/convictions", custody).status == 201
    deliver(crn, "probation-case.sentence.created", uuid.uuid4().hex)
    before = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (before["facts"]["sentenceType"], before["tier"]["inputs"]["hasCustodialSentence"]) == (
        "CUSTODY",
        True,
    )

    terminate(template, crn, 2)
    deliver(crn, "probation-case.sentence.terminated", uuid.uuid4().hex, convictionNumber=2)

    after = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (after["facts"]["sentenceType"], after["tier"]["inputs"]["hasCustodialSentence"]) == (
        "COMMUNITY",
        False,
    )
    assert after["facts"]["ending"]["convictionNumber"] == 1


# ------------------------------------------------------------------ due to end


def test_sentences_due_to_end_within_30_days_or_overdue_are_listed_soonest_first_from_one_query(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    soon = allocated_case(api, allocation_api, sentence_date=months_ago(12, 10), last_name="Soon")
    overdue = allocated_case(api, allocation_api, sentence_date=months_ago(13), last_name="Late")
    allocated_case(api, allocation_api, sentence_date=months_ago(6), last_name="Later")
    queued = queued_case(api, months_ago(12, 20), last_name="Queued")
    other = allocated_case(api, allocation_api, "PO002", sentence_date=months_ago(12, 5), last_name="Other")

    calls: list[str] = []
    aws.dynamodb().meta.client.meta.events.register(
        "before-call.dynamodb.*", lambda model, **_: calls.append(model.name)
    )
    mine = allocation_api("GET", "/allocation/practitioners/PO001/due-to-end").body["items"]
    assert calls == ["Query"]
    team = allocation_api("GET", f"/allocation/teams/{HOME}/due-to-end").body["items"]
    assert calls == ["Query", "Query"]

    today = date.today()
    ends = {
        crn: expected_end_date(start, 12)
        for crn, start in [
            (soon, months_ago(12, 10)),
            (overdue, months_ago(13)),
            (queued, months_ago(12, 20)),
            (other, months_ago(12, 5)),
        ]
    }
    assert [(e["crn"], e["expectedEndDate"], e["daysLeft"]) for e in mine] == [
        (crn, ends[crn].isoformat(), (ends[crn] - today).days) for crn in (overdue, soon)
    ]
    assert mine[0]["daysLeft"] < 0 < mine[1]["daysLeft"]
    assert mine[1] == {
        "crn": soon,
        "name": "Jane Soon",
        "teamCode": HOME,
        "practitionerCode": "PO001",
        "practitionerName": "Olu Ade",
        "convictionNumber": 1,
        "sentenceType": "COMMUNITY",
        "expectedEndDate": ends[soon].isoformat(),
        "daysLeft": (ends[soon] - today).days,
    }
    assert [e["crn"] for e in team] == [overdue, other, soon, queued]
    assert [e["practitionerCode"] for e in team] == ["PO001", "PO002", "PO001", None]

    terminate(template, crn=overdue, number=1)
    set_status(template, overdue, "CLOSED")
    deliver(overdue, "probation-case.closed", uuid.uuid4().hex)
    assert [
        e["crn"] for e in allocation_api("GET", "/allocation/practitioners/PO001/due-to-end").body["items"]
    ] == [soon]


def test_a_reallocated_case_is_due_to_end_on_its_new_holders_list(
    api: Caller, allocation_api: Caller, teams: None
) -> None:
    crn = allocated_case(api, allocation_api, sentence_date=months_ago(12, 10))
    assert allocate(allocation_api, crn, "PO002").status == 200
    assert allocation_api("GET", "/allocation/practitioners/PO001/due-to-end").body["items"] == []
    assert [
        e["crn"] for e in allocation_api("GET", "/allocation/practitioners/PO002/due-to-end").body["items"]
    ] == [crn]


# ------------------------------------------------------------------ transfers


def request_transfer(allocation_api: Caller, crn: str, team: str = AWAY, **caller: Any) -> Any:
    body = {"teamCode": team, "reason": "Moved to Hackney."}
    return allocation_api("POST", f"/cases/{crn}/transfers", body, **caller)


def test_a_transfer_queues_the_case_with_the_receiving_team_and_leaves_it_with_its_holder(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    held = workload(allocation_api, "PO001")

    requested = request_transfer(allocation_api, crn, subject="PO001")

    assert requested.status == 201, requested.body
    transfer = requested.body
    assert requested.headers["Location"] == f"/cases/{crn}/transfers/{transfer['id']}"
    assert (transfer["fromTeamCode"], transfer["toTeamCode"], transfer["fromPractitionerCode"]) == (
        HOME,
        AWAY,
        "PO001",
    )
    assert (transfer["status"], transfer["requestedBy"]) == ("PENDING", "PO001")
    assert allocation_api("GET", f"/cases/{crn}/transfers/{transfer['id']}").body == transfer
    [entry] = allocation_api("GET", f"/allocation/teams/{AWAY}/unallocated").body["items"]
    assert (entry["crn"], entry["transfer"]["fromTeamCode"], entry["transfer"]["fromPractitionerCode"]) == (
        crn,
        HOME,
        "PO001",
    )
    assert entry["daysWaiting"] == 0
    allocation = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (allocation["teamCode"], allocation["practitionerCode"]) == (HOME, "PO001")
    assert allocation["pendingTransfer"] == transfer
    assert workload(allocation_api, "PO001") == held
    assert [
        c["crn"] for c in allocation_api("GET", "/allocation/practitioners/PO001/caseload").body["items"]
    ] == [crn]
    assert "probation-case.transfer.requested" in events_of(template, crn)


def test_a_transfer_is_accepted_by_allocating_in_the_receiving_team(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    case_before = api("GET", f"/cases/{crn}")
    transfer = request_transfer(allocation_api, crn, roles=MANAGER).body
    ranked = allocation_api("GET", f"/cases/{crn}/allocation/recommendations").body
    assert (ranked["teamCode"], [p["code"] for p in ranked["practitioners"]]) == (AWAY, ["PO101"])

    accepted = allocate(allocation_api, crn, "PO101")

    assert accepted.status == 200, accepted.body
    assert (accepted.body["teamCode"], accepted.body["practitionerCode"]) == (AWAY, "PO101")
    assert accepted.body["pendingTransfer"] is None
    assert allocation_api("GET", f"/cases/{crn}/transfers/{transfer['id']}").body["status"] == "ACCEPTED"
    assert workload(allocation_api, "PO001") == EMPTY
    assert workload(allocation_api, "PO101")["cases"] == 1
    assert allocation_api("GET", f"/allocation/teams/{AWAY}/unallocated").body["items"] == []
    case_after = api("GET", f"/cases/{crn}")
    assert case_after.body["teamCode"] == AWAY
    assert case_after.headers["ETag"] != case_before.headers["ETag"]
    assert case_after.body["updatedAt"] > case_before.body["updatedAt"]
    stale_patch = api(
        "PATCH", f"/cases/{crn}", {"lastName": "Stale"}, headers={"If-Match": case_before.headers["ETag"]}
    )
    assert stale_patch.status == 412
    assert {"probation-case.transfer.accepted", "person.community.manager.allocated"} <= set(
        events_of(template, crn)
    )


def test_a_transfer_can_be_accepted_only_by_an_eligible_practitioner_of_either_team(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)  # MAPPA level 2: needs a PO or SPO
    request_transfer(allocation_api, crn, roles=MANAGER)
    refused = allocate(allocation_api, crn, "PSO11")
    assert (refused.status, refused.field_errors) == (422, {"practitionerCode"})
    # Reallocating within the sending team leaves the transfer waiting.
    assert allocate(allocation_api, crn, "PO002").status == 200
    assert allocation_api("GET", f"/cases/{crn}/allocation").body["pendingTransfer"]["toTeamCode"] == AWAY


@pytest.mark.parametrize(
    ("decision", "caller", "body"),
    [
        ("rejection", {"roles": MANAGER}, {"reason": "Not our area."}),
        ("withdrawal", {"subject": "PO001"}, None),
        ("withdrawal", {"roles": MANAGER, "subject": "boss"}, None),
    ],
)
def test_a_rejected_or_withdrawn_transfer_puts_everything_back(
    api: Caller,
    allocation_api: Caller,
    template: Template,
    teams: None,
    decision: str,
    caller: dict[str, Any],
    body: Any,
) -> None:
    crn = allocated_case(api, allocation_api)
    before = allocation_api("GET", f"/cases/{crn}/allocation").body
    held = workload(allocation_api, "PO001")
    transfer = request_transfer(allocation_api, crn, subject="PO001").body

    decided = allocation_api("POST", f"/cases/{crn}/transfers/{transfer['id']}/{decision}", body, **caller)

    assert decided.status == 200, decided.body
    status = {"rejection": "REJECTED", "withdrawal": "WITHDRAWN"}[decision]
    assert decided.body["status"] == status
    assert allocation_api("GET", f"/allocation/teams/{AWAY}/unallocated").body["items"] == []
    after = allocation_api("GET", f"/cases/{crn}/allocation").body
    unchanged = {name for name in before if name not in {"version", "transfers"}}
    assert {name: after[name] for name in unchanged} == {name: before[name] for name in unchanged}
    assert after["transfers"] == [decided.body]
    assert workload(allocation_api, "PO001") == held
    assert api("GET", f"/cases/{crn}").body["teamCode"] == HOME
    again = allocation_api("POST", f"/cases/{crn}/transfers/{transfer['id']}/{decision}", body, **caller)
    assert again.status == 409
    assert f"probation-case.transfer.{status.lower()}" in events_of(template, crn)
    assert request_transfer(allocation_api, crn, roles=MANAGER).status == 201, "a new transfer can be asked"


def test_who_may_ask_for_reject_and_withdraw_a_transfer(
    api: Caller, allocation_api: Caller, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    assert request_transfer(allocation_api, crn, subject="PO002").status == 403
    transfer = request_transfer(allocation_api, crn, subject="PO001").body
    path = f"/cases/{crn}/transfers/{transfer['id']}"
    assert allocation_api("POST", f"{path}/rejection", {"reason": "No."}, subject="PO101").status == 403
    assert allocation_api("POST", f"{path}/withdrawal", subject="PO002").status == 403
    assert allocation_api("GET", path).body["status"] == "PENDING"
    assert allocation_api("GET", f"/cases/{crn}/transfers/{uuid.uuid4().hex}").status == 404


def test_transfers_the_case_cannot_make_are_refused_and_change_nothing(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    before = allocation_api("GET", f"/cases/{crn}/allocation").body

    own = request_transfer(allocation_api, crn, HOME, roles=MANAGER)
    unknown = request_transfer(allocation_api, crn, "N99XXX", roles=MANAGER)
    invalid = allocation_api(
        "POST", f"/cases/{crn}/transfers", {"teamCode": "n0", "reason": ""}, roles=MANAGER
    )

    assert own.status == 409
    assert (unknown.status, unknown.field_errors) == (422, {"teamCode"})
    assert (invalid.status, invalid.field_errors) == (422, {"teamCode", "reason"})
    assert allocation_api("GET", f"/cases/{crn}/allocation").body == before

    first = request_transfer(allocation_api, crn, roles=MANAGER)
    assert first.status == 201
    again = request_transfer(allocation_api, crn, roles=MANAGER)
    assert again.status == 409
    assert allocation_api("GET", f"/cases/{crn}/allocation").body["transfers"] == [first.body]

    closed = queued_case(api, last_name="Closed")
    close(template, closed)
    assert request_transfer(allocation_api, closed, roles=MANAGER).status == 409


def test_closing_a_case_withdraws_its_waiting_transfer(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    request_transfer(allocation_api, crn, roles=MANAGER)
    close(template, crn)
    allocation = allocation_api("GET", f"/cases/{crn}/allocation").body
    assert (allocation["pendingTransfer"], allocation["transfers"][0]["status"]) == (None, "WITHDRAWN")
    assert allocation_api("GET", f"/allocation/teams/{AWAY}/unallocated").body["items"] == []
    assert "probation-case.transfer.withdrawn" in events_of(template, crn)


# ------------------------------------------------------------------ the store's conditions


def test_a_transfer_saved_from_a_stale_read_is_refused_with_its_queue_entry(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    allocations = DynamoAllocationRepository()
    stale = allocations.allocation(crn)
    assert stale is not None
    assert allocate(allocation_api, crn, "PO002").status == 200  # moves the version on
    now = datetime.now(UTC)
    transfer = Transfer(
        id=uuid.uuid4().hex,
        from_team_code=HOME,
        to_team_code=AWAY,
        from_practitioner_code="PO001",
        reason="Moved.",
        status=TransferStatus.PENDING,
        requested_by="boss",
        requested_at=now,
    )
    asked = stale.model_copy(update={"version": stale.version + 1, "transfers": [transfer]})
    event, audit = change_of(crn)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: (partition(template, keys.case_partition(crn)), allocations.queue(AWAY)),
        lambda: allocations.save_allocation(asked, stale.version, [], [event], audit, None),
    )


def test_a_team_move_of_a_case_with_no_record_is_refused_with_the_allocation(
    api: Caller, allocation_api: Caller, template: Template, teams: None
) -> None:
    crn = allocated_case(api, allocation_api)
    allocations = DynamoAllocationRepository()
    current = allocations.allocation(crn)
    assert current is not None
    boto3.resource("dynamodb").Table(template.physical_name("CaseTable")).delete_item(
        Key=keys.profile_key(crn)
    )
    moved = current.model_copy(update={"version": current.version + 1, "team_code": AWAY})
    event, audit = change_of(crn)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: allocations.save_allocation(
            moved, current.version, [], [event], audit, None, datetime.now(UTC)
        ),
    )

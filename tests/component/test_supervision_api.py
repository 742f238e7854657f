"""The supervision API on moto: appointments, outcomes, compliance, breaches, requirements and work lists."""

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

import functions.supervision.app as supervision_app
from infrastructure.template import Template
from probation.adapters.supervision_repository import DynamoSupervisionRepository
from tests.component.conftest import MANAGER, Caller, as_partner, deliver, table_items

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
SENTENCED = TODAY - timedelta(days=400)


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def conviction(sentence_type: str = "COMMUNITY", **sentence: Any) -> dict[str, Any]:
    day = SENTENCED.isoformat()
    body: dict[str, Any] = {
        "type": sentence_type,
        "sentenceDate": day,
        "lengthMonths": 36,
        "requirements": [
            {"type": "UNPAID_WORK", "length": 100, "lengthUnit": "HOURS"},
            {"type": "REHABILITATION_ACTIVITY", "length": 20, "lengthUnit": "DAYS"},
            {"type": "ACCREDITED_PROGRAMME", "length": 3, "lengthUnit": "DAYS"},
        ],
        **sentence,
    }
    if sentence_type == "CUSTODY":
        body.pop("requirements")
    return {
        "convictionDate": day,
        "court": "Highbury Corner Magistrates' Court",
        "offences": [{"offenceCode": "03401", "offenceDate": day, "main": True}],
        "sentence": body,
    }


@pytest.fixture
def sentenced(api: Caller, crn: str) -> str:
    assert api("POST", f"/cases/{crn}/convictions", conviction()).status == 201
    return crn


def slot(days: float, hours: float = 1, kind: str = "OFFICE_APPOINTMENT", **extra: Any) -> dict[str, Any]:
    # From the time of asking, not of this module's import: a slot a minute ahead must still be ahead when
    # the test runs, however long after the import that is.
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    return {
        "type": kind,
        "start": start.isoformat(),
        "end": (start + timedelta(hours=hours)).isoformat(),
        **extra,
    }


def times(days: float) -> dict[str, Any]:
    body = slot(days)
    body.pop("type")
    return body


def arrange(supervision_api: Caller, crn: str, body: dict[str, Any], **options: Any) -> dict[str, Any]:
    made = supervision_api("POST", f"/cases/{crn}/appointments", body, headers=key(), **options)
    assert made.status == 201, made.body
    result: dict[str, Any] = made.body
    return result


def outcome(
    supervision_api: Caller, crn: str, appointment: dict[str, Any], body: dict[str, Any], **options: Any
) -> Any:
    current = supervision_api("GET", f"/cases/{crn}/appointments/{appointment['id']}")
    return supervision_api(
        "PUT",
        f"/cases/{crn}/appointments/{appointment['id']}/outcome",
        body,
        headers={"If-Match": current.headers["ETag"]},
        **options,
    )


def compliance(supervision_api: Caller, crn: str) -> dict[str, Any]:
    response = supervision_api("GET", f"/cases/{crn}/compliance")
    assert response.status == 200, response.body
    result: dict[str, Any] = response.body
    return result


# ------------------------------------------------------------------ appointments


def test_an_appointment_is_arranged_with_its_etag_and_read_back(
    supervision_api: Caller, sentenced: str
) -> None:
    made = supervision_api("POST", f"/cases/{sentenced}/appointments", slot(2), headers=key())
    assert made.status == 201
    assert made.headers["ETag"] == '"1"'
    assert made.body["status"] == "SCHEDULED"
    assert made.body["contactTypeCode"] == "COAP"
    read = supervision_api("GET", f"/cases/{sentenced}/appointments/{made.body['id']}")
    assert (read.status, read.headers["ETag"], read.body) == (200, '"1"', made.body)


def test_the_idempotency_key_is_required_and_a_retry_arranges_nothing_more(
    supervision_api: Caller, sentenced: str
) -> None:
    missing = supervision_api("POST", f"/cases/{sentenced}/appointments", slot(2))
    assert (missing.status, missing.field_errors) == (422, {"Idempotency-Key"})
    # One body sent twice, as a client's retry would: two calls to slot() may straddle a second.
    body, headers = slot(2), key()
    first = supervision_api("POST", f"/cases/{sentenced}/appointments", body, headers=headers)
    again = supervision_api("POST", f"/cases/{sentenced}/appointments", body, headers=headers)
    assert again.body == first.body
    assert len(supervision_api("GET", f"/cases/{sentenced}/appointments").body["items"]) == 1


def test_a_repeat_makes_the_series_and_returns_the_first(supervision_api: Caller, sentenced: str) -> None:
    first = arrange(supervision_api, sentenced, slot(1, repeat={"interval": "FORTNIGHT", "count": 4}))
    items = supervision_api("GET", f"/cases/{sentenced}/appointments").body["items"]
    assert len(items) == 4
    assert {a["seriesId"] for a in items} == {first["seriesId"]}
    assert first["seriesId"]
    starts = [datetime.fromisoformat(a["start"]) for a in items]
    assert [b - a for a, b in itertools.pairwise(starts)] == [timedelta(days=14)] * 3
    until = (NOW + timedelta(days=30)).date().isoformat()
    arrange(supervision_api, sentenced, slot(1.5, repeat={"interval": "WEEK", "until": until}))
    assert len(supervision_api("GET", f"/cases/{sentenced}/appointments").body["items"]) == 4 + 5


def test_a_clash_is_409_unless_allowed(supervision_api: Caller, sentenced: str) -> None:
    arrange(supervision_api, sentenced, slot(3))
    clash = supervision_api("POST", f"/cases/{sentenced}/appointments", slot(3.01), headers=key())
    assert clash.status == 409
    assert clash.headers["Content-Type"] == "application/problem+json"
    allowed = supervision_api(
        "POST", f"/cases/{sentenced}/appointments", slot(3.01, allowClash=True), headers=key()
    )
    assert allowed.status == 201


def test_the_list_filters_by_time_and_status(supervision_api: Caller, sentenced: str) -> None:
    past = arrange(supervision_api, sentenced, slot(-3))
    arrange(supervision_api, sentenced, slot(4))
    assert outcome(supervision_api, sentenced, past, {"outcome": "ATTC"}).status == 200
    later = supervision_api(
        "GET", f"/cases/{sentenced}/appointments", query={"from": NOW.isoformat().replace("+00:00", "Z")}
    )
    assert [a["status"] for a in later.body["items"]] == ["SCHEDULED"]
    done = supervision_api("GET", f"/cases/{sentenced}/appointments", query={"status": "COMPLETED"})
    assert [a["id"] for a in done.body["items"]] == [past["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (slot(2, requirementId="1-9"), "requirementId"),
        (slot(2000), "start"),
        ({**slot(-500)}, "start"),
        (slot(2, repeat={"interval": "WEEK", "count": 31}), "repeat.count"),
        (slot(2, repeat={"interval": "FOUR_WEEKS", "count": 30}), "repeat"),
        (slot(2, kind="CASE_NOTE"), "type"),
    ],
)
def test_bad_appointments_are_422_naming_the_field_and_change_nothing(
    supervision_api: Caller, template: Template, sentenced: str, body: dict[str, Any], field: str
) -> None:
    refused = supervision_api("POST", f"/cases/{sentenced}/appointments", body, headers=key())
    assert refused.status == 422, refused.body
    assert field in refused.field_errors
    assert not table_items(template, f"TIMELINE#{sentenced}")


def test_a_case_without_a_sentence_has_nothing_to_supervise(supervision_api: Caller, crn: str) -> None:
    refused = supervision_api("POST", f"/cases/{crn}/appointments", slot(2), headers=key())
    assert (refused.status, refused.field_errors) == (422, {"start"})


def test_an_unknown_case_is_404(supervision_api: Caller) -> None:
    assert supervision_api("POST", "/cases/X000001/appointments", slot(2), headers=key()).status == 404
    assert supervision_api("GET", "/cases/X000001/compliance").status == 404


# ------------------------------------------------------------------ outcomes


def test_an_outcome_needs_if_match_and_a_stale_one_is_412(supervision_api: Caller, sentenced: str) -> None:
    made = arrange(supervision_api, sentenced, slot(-1))
    path = f"/cases/{sentenced}/appointments/{made['id']}/outcome"
    assert supervision_api("PUT", path, {"outcome": "ATTC"}).status == 428
    stale = supervision_api("PUT", path, {"outcome": "ATTC"}, headers={"If-Match": '"7"'})
    assert (stale.status, stale.headers["ETag"]) == (412, '"1"')
    assert compliance(supervision_api, sentenced)["counts"]["attendedComplied"] == 0


def test_an_appointment_not_yet_started_takes_no_outcome(supervision_api: Caller, sentenced: str) -> None:
    made = arrange(supervision_api, sentenced, slot(1))
    assert outcome(supervision_api, sentenced, made, {"outcome": "ATTC"}).status == 409


def test_afta_sets_the_evidence_due_date_and_joins_the_evidence_list(
    supervision_api: Caller, sentenced: str
) -> None:
    made = arrange(supervision_api, sentenced, slot(-2))
    recorded = outcome(supervision_api, sentenced, made, {"outcome": "AFTA"})
    assert recorded.status == 200
    start = datetime.fromisoformat(made["start"]).date()
    assert recorded.body["evidenceDueDate"] == (start + timedelta(days=7)).isoformat()
    assert compliance(supervision_api, sentenced)["counts"]["awaitingEvidence"] == 1
    evidence = supervision_api("GET", "/supervision/teams/N07CAM/due", query={"list": "EVIDENCE"})
    assert [i["appointmentId"] for i in evidence.body["items"]] == [made["id"]]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "XXXX"}, "outcome"),
        ({"outcome": "UAAB", "enforcementAction": "SHOUT"}, "enforcementAction"),
        ({"outcome": "ATTC", "enforcementAction": "WARNING_LETTER"}, "enforcementAction"),
        ({"outcome": "AFTA", "enforcementAction": "BREACH_OR_RECALL_INITIATED"}, "enforcementAction"),
        ({"outcome": "ATTC", "minutesCredited": 30}, "minutesCredited"),
    ],
)
def test_bad_outcomes_are_422_naming_the_field_and_change_nothing(
    supervision_api: Caller, sentenced: str, body: dict[str, Any], field: str
) -> None:
    made = arrange(supervision_api, sentenced, slot(-1))
    refused = outcome(supervision_api, sentenced, made, body)
    assert (refused.status, refused.field_errors) == (422, {field})
    after = supervision_api("GET", f"/cases/{sentenced}/appointments/{made['id']}")
    assert after.body == made


def test_minutes_credited_fit_an_unpaid_work_session_and_count_towards_the_hours(
    supervision_api: Caller, sentenced: str
) -> None:
    made = arrange(
        supervision_api, sentenced, slot(-1, hours=3, kind="UNPAID_WORK_SESSION", requirementId="1-1")
    )
    too_many = outcome(supervision_api, sentenced, made, {"outcome": "ATTC", "minutesCredited": 181})
    assert (too_many.status, too_many.field_errors) == (422, {"minutesCredited"})
    assert (
        outcome(supervision_api, sentenced, made, {"outcome": "ATTC", "minutesCredited": 180}).status == 200
    )
    adjusted = supervision_api(
        "POST",
        f"/cases/{sentenced}/requirements/1-1/adjustments",
        {"minutes": -600, "reason": "Court reduced the hours"},
        headers=key(),
    )
    assert adjusted.status == 201
    items = {r["id"]: r for r in supervision_api("GET", f"/cases/{sentenced}/requirements").body["items"]}
    assert items["1-1"]["progress"] == {
        "requiredMinutes": 6000,
        "creditedMinutes": 180,
        "adjustmentMinutes": -600,
        "remainingMinutes": 5220,
    }


def test_rar_days_are_distinct_attended_dates_and_future_ones_are_scheduled(
    supervision_api: Caller, sentenced: str
) -> None:
    first = arrange(supervision_api, sentenced, slot(-3, requirementId="1-2"))
    same_day = arrange(supervision_api, sentenced, slot(-2.9, requirementId="1-2"))
    arrange(supervision_api, sentenced, slot(5, requirementId="1-2"))
    for made in (first, same_day):
        assert outcome(supervision_api, sentenced, made, {"outcome": "ATTC"}).status == 200
    items = {r["id"]: r for r in supervision_api("GET", f"/cases/{sentenced}/requirements").body["items"]}
    completed = (
        1
        if datetime.fromisoformat(first["start"]).date() == datetime.fromisoformat(same_day["start"]).date()
        else 2
    )
    assert items["1-2"]["progress"] == {"requiredDays": 20, "completedDays": completed, "scheduledDays": 1}
    assert items["1-2"]["status"] == "IN_PROGRESS"


def test_changing_an_outcome_moves_the_counts_and_keeps_the_value_it_replaced(
    supervision_api: Caller, template: Template, sentenced: str
) -> None:
    made = arrange(supervision_api, sentenced, slot(-2))
    assert outcome(supervision_api, sentenced, made, {"outcome": "AFTA"}).status == 200
    changed = outcome(supervision_api, sentenced, made, {"outcome": "AAME"})
    assert changed.status == 200
    assert [p["outcome"] for p in changed.body["previousOutcomes"]] == ["AFTA"]
    counts = compliance(supervision_api, sentenced)["counts"]
    assert (counts["awaitingEvidence"], counts["acceptableAbsences"]) == (0, 1)
    events = [
        i
        for i in table_items(template, f"EVENTS#{sentenced}")
        if i["detailType"].endswith("outcome-recorded")
    ]
    assert sorted(e["detail"]["additionalInformation"].get("previousOutcome", "-") for e in events) == [
        "-",
        "AFTA",
    ]
    audits = table_items(template, f"AUDIT#{sentenced}")
    assert sum(1 for a in audits if a["action"] == "UPDATE" and a["resource"] == "appointment") == 2


# ------------------------------------------------------------------ compliance and breaches


def fail(supervision_api: Caller, crn: str, days: float, action: str | None = None) -> dict[str, Any]:
    made = arrange(supervision_api, crn, slot(days))
    body = {"outcome": "UAAB", **({"enforcementAction": action} if action else {})}
    recorded = outcome(supervision_api, crn, made, body)
    assert recorded.status == 200, recorded.body
    return made


def test_no_failures_then_one_then_a_further_after_a_warning_requires_breach(
    supervision_api: Caller, sentenced: str
) -> None:
    assert compliance(supervision_api, sentenced)["status"] == "No failures to comply"
    fail(supervision_api, sentenced, -20, "WARNING_LETTER")
    after_one = compliance(supervision_api, sentenced)
    assert after_one["failuresToComply"] == 1
    assert after_one["status"] == "1 failure to comply in the last 12 months"
    assert after_one["breachActionRequired"] is False
    assert [w["code"] for w in after_one["warnings"]] == ["EA02"]
    fail(supervision_api, sentenced, -10)
    after_two = compliance(supervision_api, sentenced)
    assert (after_two["failuresToComply"], after_two["breachActionRequired"]) == (2, True)
    assert after_two["status"] == "Breach action required"
    assert after_two["recallConsiderationRequired"] is False


def test_two_failures_on_one_day_are_one_failure_to_comply(supervision_api: Caller, sentenced: str) -> None:
    first, second = fail(supervision_api, sentenced, -5), fail(supervision_api, sentenced, -4.99)
    result = compliance(supervision_api, sentenced)
    # From the starts as made, not from this module's import: a run may cross midnight in between.
    same_day = first["start"][:10] == second["start"][:10]
    assert result["failuresToComply"] == (1 if same_day else 2)
    assert result["counts"]["unacceptableAbsences"] == 2


def test_a_breach_stops_the_prompt_and_ending_it_resets_the_count(
    supervision_api: Caller, template: Template, sentenced: str
) -> None:
    fail(supervision_api, sentenced, -20, "WARNING_LETTER")
    fail(supervision_api, sentenced, -10)
    started = supervision_api(
        "POST", f"/cases/{sentenced}/breaches", {"startedOn": TODAY.isoformat(), "reason": "Two failures"}
    )
    assert started.status == 201
    assert len(started.body["failureAppointmentIds"]) == 2
    during = compliance(supervision_api, sentenced)
    assert (during["breachActionRequired"], during["status"]) == (False, "Breach in progress")
    assert during["activeBreach"]["id"] == started.body["id"]
    second = supervision_api("POST", f"/cases/{sentenced}/breaches", {"startedOn": TODAY.isoformat()})
    assert second.status == 409
    ended = supervision_api(
        "POST",
        f"/cases/{sentenced}/breaches/{started.body['id']}/end",
        {"endedOn": TODAY.isoformat(), "outcome": "ORDER_CONTINUED"},
    )
    assert (ended.status, ended.body["status"], ended.body["outcome"]) == (200, "ENDED", "ORDER_CONTINUED")
    after = compliance(supervision_api, sentenced)
    assert (after["failuresToComply"], after["activeBreach"], after["status"]) == (
        0,
        None,
        "No failures to comply",
    )
    again = supervision_api(
        "POST",
        f"/cases/{sentenced}/breaches/{started.body['id']}/end",
        {"endedOn": TODAY.isoformat(), "outcome": "ORDER_CONTINUED"},
    )
    assert again.status == 409
    types = [i["detailType"] for i in table_items(template, f"EVENTS#{sentenced}")]
    assert types.count("probation-case.breach.started") == 1
    assert types.count("probation-case.breach.ended") == 1


def test_bad_breach_input_is_422(supervision_api: Caller, sentenced: str) -> None:
    future = supervision_api("POST", f"/cases/{sentenced}/breaches", {"startedOn": "2999-01-01"})
    assert (future.status, future.field_errors) == (422, {"startedOn"})
    outcome_missing = supervision_api(
        "POST",
        f"/cases/{sentenced}/breaches/{'a' * 32}/end",
        {"endedOn": TODAY.isoformat(), "outcome": "NOPE"},
    )
    assert (outcome_missing.status, outcome_missing.field_errors) == (422, {"outcome"})
    unknown = supervision_api(
        "POST",
        f"/cases/{sentenced}/breaches/{'a' * 32}/end",
        {"endedOn": TODAY.isoformat(), "outcome": "WITHDRAWN"},
    )
    assert unknown.status == 404


def test_on_licence_the_count_prompts_recall_consideration(
    api: Caller, supervision_api: Caller, crn: str
) -> None:
    released = (TODAY - timedelta(days=200)).isoformat()
    assert api("POST", f"/cases/{crn}/convictions", conviction("CUSTODY", releaseDate=released)).status == 201
    fail(supervision_api, crn, -20, "WARNING_LETTER")
    fail(supervision_api, crn, -10)
    result = compliance(supervision_api, crn)
    assert (result["breachActionRequired"], result["recallConsiderationRequired"]) == (False, True)
    assert result["status"] == "Recall consideration required"


def test_an_active_breach_counts_in_the_tier(
    supervision_api: Caller, allocation_api: Caller, template: Template, sentenced: str
) -> None:
    deliver(sentenced, "probation-case.engagement.created", "c-1", teamCode="N07CAM")
    deliver(sentenced, "probation-case.sentence.created", "s-1")
    before = allocation_api("GET", f"/cases/{sentenced}/allocation").body["tier"]["inputs"]["breachOrRecall"]
    started = supervision_api("POST", f"/cases/{sentenced}/breaches", {"startedOn": TODAY.isoformat()})
    assert started.status == 201
    deliver(sentenced, "probation-case.breach.started", "b-1")
    tier = allocation_api("GET", f"/cases/{sentenced}/allocation").body["tier"]
    assert (before, tier["inputs"]["breachOrRecall"]) == (False, True)
    assert "Breach or recall: 2 points" in tier["reasons"]


# ------------------------------------------------------------------ rescheduling and cancelling


def test_a_future_appointment_moves_in_place_with_if_match(supervision_api: Caller, sentenced: str) -> None:
    made = arrange(supervision_api, sentenced, slot(3))
    moved_to = times(4)
    path = f"/cases/{sentenced}/appointments/{made['id']}/reschedule"
    assert supervision_api("POST", path, moved_to).status == 428
    moved = supervision_api("POST", path, moved_to, headers={"If-Match": '"1"'})
    assert (moved.status, moved.body["id"], moved.body["start"]) == (
        200,
        made["id"],
        moved_to["start"].replace("+00:00", "Z"),
    )
    listed = supervision_api("GET", f"/cases/{sentenced}/appointments").body["items"]
    assert [a["version"] for a in listed] == [2]


def test_a_rescheduling_asked_for_closes_the_original_and_links_a_new_one(
    supervision_api: Caller, sentenced: str
) -> None:
    made = arrange(supervision_api, sentenced, slot(-1))
    path = f"/cases/{sentenced}/appointments/{made['id']}/reschedule"
    bad = supervision_api("POST", path, {**times(2), "reason": "XXXX"}, headers={"If-Match": '"1"'})
    assert (bad.status, bad.field_errors) == (422, {"reason"})
    new = supervision_api("POST", path, {**times(2), "reason": "RSOF"}, headers={"If-Match": '"1"'})
    assert new.status == 200
    assert new.body["rescheduledFrom"] == made["id"]
    original = supervision_api("GET", f"/cases/{sentenced}/appointments/{made['id']}").body
    assert (original["status"], original["outcome"], original["rescheduledTo"]) == (
        "RESCHEDULED",
        "RSOF",
        new.body["id"],
    )
    assert compliance(supervision_api, sentenced)["counts"]["rescheduledByPersonOnProbation"] == 1


def test_a_cancelled_appointment_leaves_the_diary_and_takes_no_outcome(
    supervision_api: Caller, sentenced: str
) -> None:
    made = arrange(supervision_api, sentenced, slot(0.01))
    path = f"/cases/{sentenced}/appointments/{made['id']}/cancel"
    cancelled = supervision_api("POST", path, {"reason": "Office closed"}, headers={"If-Match": '"1"'})
    assert (cancelled.status, cancelled.body["status"]) == (200, "CANCELLED")
    assert supervision_api("POST", path, {"reason": "again"}, headers={"If-Match": '"2"'}).status == 409
    diary = supervision_api("GET", "/supervision/teams/N07CAM/diary", query={"period": "WEEK"})
    assert made["id"] not in [i["appointmentId"] for i in diary.body["items"]]


# ------------------------------------------------------------------ the timeline and the overview


def test_the_timeline_and_the_overview_show_contacts_and_appointments(
    api: Caller, supervision_api: Caller, sentenced: str
) -> None:
    past = arrange(supervision_api, sentenced, slot(-2))
    outcome(supervision_api, sentenced, past, {"outcome": "ATTC"})
    future = arrange(supervision_api, sentenced, slot(2))
    note = {"type": "CASE_NOTE", "contactDate": (NOW - timedelta(days=1)).isoformat()}
    assert api("POST", f"/cases/{sentenced}/contacts", note, headers=key()).status == 201
    timeline = api("GET", f"/cases/{sentenced}/contacts").body["items"]
    assert [c["type"] for c in timeline] == ["OFFICE_APPOINTMENT", "CASE_NOTE", "OFFICE_APPOINTMENT"]
    assert timeline[0]["end"]
    assert timeline[0]["appointmentStatus"] == "SCHEDULED"
    overview = api("GET", f"/cases/{sentenced}/overview").body
    assert [c["type"] for c in overview["contacts"]] == ["CASE_NOTE", "OFFICE_APPOINTMENT"]
    assert [a["id"] for a in overview["nextAppointments"]] == [future["id"]]
    assert overview["compliance"]["counts"]["attendedComplied"] == 1


def test_the_overview_reads_a_bounded_head_of_the_timeline(
    api: Caller, supervision_api: Caller, template: Template, sentenced: str
) -> None:
    for day in range(12):
        note = {"type": "CASE_NOTE", "contactDate": (NOW - timedelta(days=day + 1)).isoformat()}
        assert api("POST", f"/cases/{sentenced}/contacts", note, headers=key()).status == 201
    overview = api("GET", f"/cases/{sentenced}/overview").body
    assert len(overview["contacts"]) == 10
    assert len(api("GET", f"/cases/{sentenced}/contacts", query={"limit": "100"}).body["items"]) == 12
    assert not [i for i in table_items(template, f"CASE#{sentenced}") if i["SK"].startswith("CONTACT#")]


# ------------------------------------------------------------------ the caseload at a glance


def allocate_to_po001(allocation_api: Caller, crn: str) -> None:
    """The case in team N07CAM's queue (its team, made with it), then allocated to its practitioner PO001."""
    holder = {"code": "PO001", "name": "Olu Ade", "grade": "PO", "teamCode": "N07CAM"}
    assert allocation_api("POST", "/allocation/practitioners", holder, roles=MANAGER).status == 201
    deliver(crn, "probation-case.engagement.created", "c-1", teamCode="N07CAM")
    etag = allocation_api("GET", f"/cases/{crn}/allocation").headers["ETag"]
    decision = {"practitionerCode": "PO001", "justification": "Capacity."}
    allocated = allocation_api(
        "POST", f"/cases/{crn}/allocation", decision, roles=MANAGER, headers={"If-Match": etag}
    )
    assert allocated.status == 200, allocated.body


def test_the_caseload_shows_each_cases_next_appointment_and_last_contact(
    api: Caller, supervision_api: Caller, allocation_api: Caller, sentenced: str
) -> None:
    allocate_to_po001(allocation_api, sentenced)

    def at_a_glance() -> tuple[Any, Any]:
        [entry] = allocation_api("GET", "/allocation/practitioners/PO001/caseload").body["items"]
        return entry["nextAppointment"], entry["lastContact"]

    assert at_a_glance() == (None, None)
    note = {"type": "CASE_NOTE", "contactDate": (NOW - timedelta(days=3)).isoformat()}
    noted = api("POST", f"/cases/{sentenced}/contacts", note, headers=key()).body
    older = {"type": "CASE_NOTE", "contactDate": (NOW - timedelta(days=5)).isoformat()}
    assert api("POST", f"/cases/{sentenced}/contacts", older, headers=key()).status == 201
    later, sooner = arrange(supervision_api, sentenced, slot(9)), arrange(supervision_api, sentenced, slot(2))
    missed = arrange(supervision_api, sentenced, slot(-1))
    next_one, last = at_a_glance()
    # Not the older note written after it, nor an appointment that has not happened or has no outcome yet.
    assert (next_one["id"], next_one["start"]) == (sooner["id"], sooner["start"])
    assert (last["contactId"], last["type"]) == (noted["contactId"], "CASE_NOTE")
    assert later["id"] != next_one["id"]
    assert outcome(supervision_api, sentenced, missed, {"outcome": "ATTC"}).status == 200
    attended = {"contactId": missed["id"], "type": "OFFICE_APPOINTMENT", "date": missed["start"]}
    assert at_a_glance()[1] == attended


# ------------------------------------------------------------------ work lists


def test_work_lists_by_practitioner_and_team(supervision_api: Caller, sentenced: str) -> None:
    past = arrange(supervision_api, sentenced, slot(-1, staffCode="PO001"))
    today = arrange(supervision_api, sentenced, slot(0.001, staffCode="PO001"))
    arrange(supervision_api, sentenced, slot(9, staffCode="PO002"))
    diary = supervision_api("GET", "/supervision/practitioners/PO001/diary", query={"period": "WEEK"})
    ids = [i["appointmentId"] for i in diary.body["items"]]
    assert today["id"] in ids
    assert len(ids) <= 2
    outcomes = supervision_api("GET", "/supervision/practitioners/PO001/due", query={"list": "OUTCOMES"})
    assert [i["appointmentId"] for i in outcomes.body["items"]] == [past["id"]]
    recorded = outcome(
        supervision_api,
        sentenced,
        past,
        {"outcome": "UAAB", "enforcementAction": "REFER_TO_OFFENDER_MANAGER"},
    )
    assert recorded.status == 200
    assert (
        supervision_api("GET", "/supervision/practitioners/PO001/due", query={"list": "OUTCOMES"}).body[
            "items"
        ]
        == []
    )
    due = supervision_api("GET", "/supervision/teams/N07CAM/due", query={"list": "ENFORCEMENT"}).body["items"]
    assert [(i["appointmentId"], i["due"]) for i in due] == [(past["id"], recorded.body["responseBy"])]


def test_a_partner_role_cannot_use_the_staff_routes(supervision_api: Caller, sentenced: str) -> None:
    refused = supervision_api("GET", f"/cases/{sentenced}/compliance", roles=("partner",), partner_id="CRC1")
    assert refused.status == 403


# ------------------------------------------------------------------ races, decided by the conditions


def test_two_outcomes_at_once_one_wins_the_other_412_and_the_failure_counts_once(
    supervision_api: Caller, sentenced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read the appointment before either wrote: the loser's read is handed to it stale, so only the
    appointment's version condition stands between it and a second count."""
    made = arrange(supervision_api, sentenced, slot(-1))
    repository = supervision_app.service().repository
    stale_read = repository.appointment(sentenced, made["id"])
    first = outcome(supervision_api, sentenced, made, {"outcome": "UAAB"})
    assert first.status == 200
    reads = iter([stale_read])
    real = repository.appointment
    monkeypatch.setattr(repository, "appointment", lambda crn, i: next(reads, None) or real(crn, i))
    second = supervision_api(
        "PUT",
        f"/cases/{sentenced}/appointments/{made['id']}/outcome",
        {"outcome": "UAAB"},
        headers={"If-Match": '"1"'},
    )
    assert (second.status, second.headers["ETag"]) == (412, '"2"')
    counts = compliance(supervision_api, sentenced)["counts"]
    assert counts["unacceptableAbsences"] == 1


def test_failures_recorded_at_once_on_two_appointments_are_both_counted(
    supervision_api: Caller, sentenced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second change is made from a summary read before the first was written: the summary's version
    condition sends it back to read again, so neither count is lost."""
    one = arrange(supervision_api, sentenced, slot(-2))
    two = arrange(supervision_api, sentenced, slot(-1))
    repository = supervision_app.service().repository
    stale_view = repository.case_view(sentenced)
    assert outcome(supervision_api, sentenced, one, {"outcome": "UAAB"}).status == 200
    views = iter([stale_view])
    real = repository.case_view
    monkeypatch.setattr(repository, "case_view", lambda crn: next(views, None) or real(crn))
    assert outcome(supervision_api, sentenced, two, {"outcome": "AFTC"}).status == 200
    counts = compliance(supervision_api, sentenced)["counts"]
    assert (counts["unacceptableAbsences"], counts["attendedFailedToComply"]) == (1, 1)


def test_a_second_breach_started_from_a_stale_read_is_refused(
    supervision_api: Caller, sentenced: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    arrange(supervision_api, sentenced, slot(2))  # the summary exists: its version decides
    repository = supervision_app.service().repository
    stale_view = repository.case_view(sentenced)
    assert (
        supervision_api("POST", f"/cases/{sentenced}/breaches", {"startedOn": TODAY.isoformat()}).status
        == 201
    )
    views = iter([stale_view])
    real = repository.case_view
    monkeypatch.setattr(repository, "case_view", lambda crn: next(views, None) or real(crn))
    second = supervision_api("POST", f"/cases/{sentenced}/breaches", {"startedOn": TODAY.isoformat()})
    assert second.status == 409
    breaches = [i for i in table_items_of(sentenced) if i["SK"].startswith("BREACH#")]
    assert len(breaches) == 1


def table_items_of(crn: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(DynamoSupervisionRepository().table_name)
    items: list[dict[str, Any]] = table.query(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": f"TIMELINE#{crn}"}
    )["Items"]
    return items


# ------------------------------------------------------------------ partners


def test_a_partner_arranges_and_records_outcomes_for_its_own_cases_only(
    partners_api: Caller, supervision_api: Caller, allocated_to_crc1: str, api: Caller
) -> None:

    crn = allocated_to_crc1
    assert api("POST", f"/cases/{crn}/convictions", conviction()).status == 201
    crc1, crc2 = as_partner(partners_api, "CRC1"), as_partner(partners_api, "CRC2")
    made = crc1("POST", f"/partner/v1/cases/{crn}/appointments", slot(-1), headers=key())
    assert made.status == 201, made.body
    assert (made.body["source"], made.body["partnerId"]) == ("PARTNER", "CRC1")
    other = crc2("POST", f"/partner/v1/cases/{crn}/appointments", slot(-2), headers=key())
    assert other.status == 404
    assert crc2("GET", f"/partner/v1/cases/{crn}/appointments/{made.body['id']}").status == 404
    etag = crc1("GET", f"/partner/v1/cases/{crn}/appointments/{made.body['id']}").headers["ETag"]
    recorded = crc1(
        "PUT",
        f"/partner/v1/cases/{crn}/appointments/{made.body['id']}/outcome",
        {"outcome": "ATTC"},
        headers={"If-Match": etag},
    )
    assert (recorded.status, recorded.body["outcome"]) == (200, "ATTC")
    read_only = as_partner(partners_api, "CRC1", scopes=("cases.read",))
    refused = read_only("POST", f"/partner/v1/cases/{crn}/appointments", slot(-3), headers=key())
    assert refused.status == 403
    assert compliance(supervision_api, crn)["counts"]["attendedComplied"] == 1


def test_staff_see_every_appointment_and_managers_too(supervision_api: Caller, sentenced: str) -> None:
    arrange(supervision_api, sentenced, slot(2))
    listed = supervision_api("GET", f"/cases/{sentenced}/appointments", roles=MANAGER)
    assert listed.status == 200
    assert len(listed.body["items"]) == 1

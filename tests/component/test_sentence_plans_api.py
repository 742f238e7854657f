"""The sentence plans handler on moto: a plan per case from the latest completed assessment, ranked areas of
need, goals and steps under If-Match, agreement and countersigning, versions, the review work list and the
daily check, events, partners' view and progress, and the bad input the issue lists."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

import functions.sentence_plans.app as sentence_plans_app
from infrastructure.local.lambdas import LocalContext
from infrastructure.local.pollers import scheduled_event
from infrastructure.template import Template
from probation.adapters.clock import new_id
from probation.adapters.sentence_plan_repository import DynamoSentencePlanRepository
from probation.domain.sentence_plans.models import Goal, SentencePlan
from probation.domain.sentence_plans.ports import NotTheirs, PlanAlreadyOpen, PlanChanged
from probation.domain.sentence_plans.service import SentencePlanService
from probation.risk.dates import add_months
from tests.component.conftest import (
    MANAGER,
    TEAM,
    Caller,
    as_partner,
    bus_event,
    deliver,
    table_items,
)
from tests.component.test_assessments_api import answer_all_required, open_draft
from tests.component.test_repository_conditions import change_of

CONVICTION = {
    "convictionDate": "2025-03-01",
    "court": "Highbury Corner Magistrates' Court",
    "offences": [{"offenceCode": "04600", "offenceDate": "2025-01-10", "main": True}],
    "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-03-01", "lengthMonths": 24},
}
# Answers that give each area a known score and links (thresholds: accommodation 2, drugs 2, alcohol 4,
# thinking and behaviour 4, relationships 2).
NEEDS = {
    # Accommodation 2 + 2 + 1 + 1 = 6 (4 over), linked to reoffending only.
    "3.3": "YES", "3.4": "2", "3.5": "1", "3.6": "1", "3.98": "NO", "3.99": "YES",
    # Education, training and employment 0, no links: not a need.
    "4.2": "NO", "4.3": "0", "4.4": "0", "4.5": "0", "4.96": "NO", "4.98": "NO",
    # Finances: unscored, no links (always shown).
    "5.98": "NO", "5.99": "NO",
    # Relationships 1 (under its threshold) but linked to harm.
    "6.1": "0", "6.3": "0", "6.6": "1", "6.98": "YES", "6.99": "NO",
    # Lifestyle 0, no links: not a need.
    "7.2": "0", "7.3": "0", "7.5": "0", "7.98": "NO", "7.99": "NO",
    # Drugs 2 + 2 + 2 + 1 + 1 = 8 (6 over), no links.
    "8.4": "2", "8.5": "2", "8.6": "2", "8.8": "1", "8.9": "1", "8.98": "NO", "8.99": "NO",
    # Alcohol 2 + 2 + 1 = 5 (1 over), no links.
    "9.1": "2", "9.2": "2", "9.3": "1", "9.5": "0", "9.98": "NO", "9.99": "NO",
    # Health and wellbeing: unscored, linked to reoffending.
    "10.98": "NO", "10.99": "YES",
    # Thinking and behaviour 2 + 2 = 4 (at the threshold), linked to harm and to reoffending.
    "11.5": "2", "11.6": "2", "11.7": "0", "11.9": "0", "11.98": "YES", "11.99": "YES",
    # Attitudes 0, no links: not a need.
    "12.1": "0", "12.4": "0", "12.5": "0", "12.8": "0", "12.98": "NO", "12.99": "NO",
}  # fmt: skip
RANKED = [
    "THINKING_AND_BEHAVIOUR",  # harm and reoffending
    "RELATIONSHIPS",  # harm
    "ACCOMMODATION",  # reoffending, 4 over
    "HEALTH_AND_WELLBEING",  # reoffending, unscored: after the scored
    "DRUGS",  # 6 over
    "ALCOHOL",  # 1 over
    "FINANCES",  # unscored
]
PSO = {"code": "PSO01", "name": "Ann Orr", "grade": "PSO", "teamCode": TEAM["code"]}
PO = {"code": "PO001", "name": "Olu Ade", "grade": "PO", "teamCode": TEAM["code"]}
PO2 = {"code": "PO002", "name": "Sam Roe", "grade": "PO", "teamCode": TEAM["code"]}
GOAL = {
    "title": "Find somewhere settled to live",
    "areaOfNeed": "ACCOMMODATION",
    "targetMonths": 6,
    "steps": [{"description": "Register with the council's housing team", "actor": "PERSON_ON_PROBATION"}],
}


def complete_assessment(assessments_api: Caller, crn: str, answers: dict[str, str] = NEEDS) -> dict[str, Any]:
    draft = answer_all_required(assessments_api, crn, open_draft(assessments_api, crn))
    path = f"/cases/{crn}/assessments/{draft['assessmentId']}"
    changes = {"answers": {code: {"value": value} for code, value in answers.items()}}
    answered = assessments_api("PATCH", path, changes, headers={"If-Match": f'"{draft["version"]}"'})
    assert answered.status == 200, answered.body
    done = assessments_api("POST", f"{path}/complete", headers={"If-Match": f'"{answered.body["version"]}"'})
    assert done.status == 200, done.body
    completed: dict[str, Any] = done.body
    return completed


@pytest.fixture
def assessed(api: Caller, assessments_api: Caller, crn: str) -> str:
    """A convicted case with a completed assessment of known needs."""
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    complete_assessment(assessments_api, crn)
    return crn


def create(plans_api: Caller, crn: str, **request: Any) -> dict[str, Any]:
    response = plans_api("POST", f"/cases/{crn}/sentence-plans", **request)
    assert response.status == 201, response.body
    plan: dict[str, Any] = response.body
    return plan


@pytest.fixture
def plan(plans_api: Caller, assessed: str) -> dict[str, Any]:
    return create(plans_api, assessed)


def url(plan: dict[str, Any], tail: str = "") -> str:
    return f"/cases/{plan['crn']}/sentence-plans/{plan['id']}{tail}"


def etag(plan: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{plan["version"]}"'}


def change(plans_api: Caller, method: str, plan: dict[str, Any], tail: str, body: Any, **request: Any) -> Any:
    return plans_api(method, url(plan, tail), body, headers=etag(plan), **request)


def with_goal(plans_api: Caller, plan: dict[str, Any], goal: dict[str, Any] = GOAL) -> dict[str, Any]:
    response = change(plans_api, "POST", plan, "/goals", goal)
    assert response.status == 201, response.body
    body: dict[str, Any] = response.body
    return body


def agreed(plans_api: Caller, plan: dict[str, Any], **request: Any) -> dict[str, Any]:
    response = change(plans_api, "POST", plan, "/agreement", {"status": "AGREED"}, **request)
    assert response.status == 200, response.body
    body: dict[str, Any] = response.body
    return body


def events_of(template: Template, crn: str, event_type: str) -> list[dict[str, Any]]:
    return [
        item["detail"] for item in table_items(template, f"EVENTS#{crn}") if item["detailType"] == event_type
    ]


def audit_of(template: Template, crn: str) -> list[dict[str, Any]]:
    return [item for item in table_items(template, f"AUDIT#{crn}") if item["resource"] == "sentence-plan"]


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def pin_clock(at: datetime) -> None:
    """The sentence plans function's service, with its time pinned."""
    sentence_plans_app._service = SentencePlanService(
        repository=DynamoSentencePlanRepository(), clock=FixedClock(at), new_id=new_id
    )


def staff(allocation_api: Caller, *people: dict[str, str]) -> None:
    for person in people:
        assert allocation_api("POST", "/allocation/practitioners", person, roles=MANAGER).status == 201


def allocate(allocation_api: Caller, crn: str, practitioner: str) -> None:
    current = allocation_api("GET", f"/cases/{crn}/allocation")
    if current.status == 404:
        deliver(crn, "probation-case.engagement.created", f"created-{crn}", teamCode=TEAM["code"])
        current = allocation_api("GET", f"/cases/{crn}/allocation")
    decision = {"practitionerCode": practitioner, "justification": "Sentence plan test."}
    done = allocation_api(
        "POST",
        f"/cases/{crn}/allocation",
        decision,
        roles=MANAGER,
        headers={"If-Match": current.headers["ETag"]},
    )
    assert done.status == 200, done.body


# ------------------------------------------------------------------ plans and areas of need


def test_a_draft_from_the_latest_completed_assessment_ranks_its_areas_of_need(
    plans_api: Caller, assessments_api: Caller, template: Template, assessed: str
) -> None:
    response = plans_api("POST", f"/cases/{assessed}/sentence-plans")
    assert response.status == 201, response.body
    plan = response.body
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == url(plan)
    assert (plan["planVersion"], plan["type"], plan["status"]) == (1, "INITIAL", "ACTIVE")
    assert (plan["agreementStatus"], plan["countersigningStatus"], plan["locked"]) == (
        "DRAFT",
        "UNSIGNED",
        False,
    )
    areas = plan["areasOfNeed"]
    assert [a["area"] for a in areas] == RANKED
    assert [a["rank"] for a in areas] == list(range(1, len(RANKED) + 1))
    by_area = {a["area"]: a for a in areas}
    accommodation = by_area["ACCOMMODATION"]
    assert {k: accommodation[k] for k in ("section", "score", "threshold", "highScoring")} == {
        "section": "3",
        "score": 6,
        "threshold": 2,
        "highScoring": True,
    }
    assert (accommodation["linkedToHarm"], accommodation["linkedToReoffending"]) == (False, True)
    assert accommodation["contributions"][0] == {"question": "3.3", "answer": "YES", "points": 2}
    assert accommodation["provenance"]["assessmentId"] == plan["assessmentId"]
    assert {"3.3", "3.4", "3.5", "3.6", "3.98", "3.99"} <= set(accommodation["provenance"]["questions"])
    relationships = by_area["RELATIONSHIPS"]
    assert (relationships["score"], relationships["highScoring"], relationships["linkedToHarm"]) == (
        1,
        False,
        True,
    )
    for unscored in ("FINANCES", "HEALTH_AND_WELLBEING"):
        area = by_area[unscored]
        assert (area["scored"], area["score"], area["threshold"], area["highScoring"]) == (
            False,
            None,
            None,
            False,
        )
    assert by_area["HEALTH_AND_WELLBEING"]["provenance"]["questions"] == ["10.98", "10.99"]
    assert by_area["THINKING_AND_BEHAVIOUR"]["threshold"] == 4  # at the threshold is high scoring
    assert by_area["THINKING_AND_BEHAVIOUR"]["highScoring"] is True

    [created] = events_of(template, assessed, "sentence-plan.created")
    assert created["additionalInformation"]["planId"] == plan["id"]
    assert created["additionalInformation"]["areasOfNeed"] == RANKED
    assert created["detailUrl"] == url(plan)
    assert [a["action"] for a in audit_of(template, assessed)] == ["CREATE"]


def test_a_second_plan_is_409_with_the_location_of_the_first(plans_api: Caller, plan: dict[str, Any]) -> None:
    again = plans_api("POST", f"/cases/{plan['crn']}/sentence-plans")
    assert again.status == 409
    assert again.headers["Location"] == url(plan)
    assert url(plan) in again.body["detail"]


def test_without_a_completed_assessment_it_is_409_saying_what_is_missing(
    plans_api: Caller, assessments_api: Caller, crn: str
) -> None:
    none = plans_api("POST", f"/cases/{crn}/sentence-plans")
    assert none.status == 409
    assert "no completed OASys assessment" in none.body["detail"]
    assert f"POST /cases/{crn}/assessments" in none.body["detail"]
    draft = open_draft(assessments_api, crn)
    pending = plans_api("POST", f"/cases/{crn}/sentence-plans")
    assert pending.status == 409
    assert f"/cases/{crn}/assessments/{draft['assessmentId']}/complete" in pending.body["detail"]
    assert plans_api("GET", f"/cases/{crn}/sentence-plans").body == {"items": []}


def test_an_unknown_case_is_404_and_an_admin_may_not_read_plans(
    plans_api: Caller, plan: dict[str, Any]
) -> None:
    assert plans_api("POST", "/cases/X999999/sentence-plans").status == 404
    assert plans_api("GET", "/cases/X999999/sentence-plans").status == 404
    assert plans_api("GET", url(plan), roles=("admin",)).status == 403
    assert plans_api("GET", url(plan), roles=("partner",)).status == 403
    assert plans_api("GET", url(plan, "/versions/2")).status == 404
    assert plans_api("GET", f"/cases/{plan['crn']}/sentence-plans/{uuid.uuid4().hex}").status == 404


def test_every_read_is_audited(plans_api: Caller, template: Template, plan: dict[str, Any]) -> None:
    listed = plans_api("GET", f"/cases/{plan['crn']}/sentence-plans")
    assert listed.status == 200
    assert [(p["id"], p["planVersion"], p["goals"]) for p in listed.body["items"]] == [(plan["id"], 1, 0)]
    one = plans_api("GET", url(plan))
    assert (one.status, one.headers["ETag"]) == (200, '"1"')
    assert plans_api("GET", url(plan, "/versions/1")).body["id"] == plan["id"]
    actions = [a["action"] for a in audit_of(template, plan["crn"])]
    assert actions.count("READ") == 3


# ------------------------------------------------------------------ goals and steps


def test_goals_and_steps_are_added_with_their_fields(plans_api: Caller, plan: dict[str, Any]) -> None:
    today = date.today()
    updated = with_goal(plans_api, plan)
    assert updated["version"] == 2
    [goal] = updated["goals"]
    assert {k: goal[k] for k in ("title", "areaOfNeed", "targetMonths", "status", "order")} == {
        "title": GOAL["title"],
        "areaOfNeed": "ACCOMMODATION",
        "targetMonths": 6,
        "status": "ACTIVE",
        "order": 1,
    }
    assert goal["targetDate"] == add_months(today, 6).isoformat()
    [step] = goal["steps"]
    assert (step["actor"], step["status"], step["appointmentId"]) == (
        "PERSON_ON_PROBATION",
        "NOT_STARTED",
        None,
    )

    future = {"title": "Think about training", "status": "FUTURE"}
    updated = with_goal(plans_api, updated, future)
    assert updated["goals"][1]["areaOfNeed"] is None  # a goal in no area
    dated = {
        "title": "Stay clean",
        "areaOfNeed": "DRUGS",
        "targetDate": (today + timedelta(days=40)).isoformat(),
    }
    updated = with_goal(plans_api, updated, dated)
    assert [g["order"] for g in updated["goals"]] == [1, 2, 3]

    step = {"description": "Meet the housing adviser", "actor": "PARTNERSHIP_AGENCY", "status": "IN_PROGRESS"}
    added = change(plans_api, "POST", updated, f"/goals/{goal['id']}/steps", step)
    assert added.status == 201, added.body
    assert [s["description"] for s in added.body["goals"][0]["steps"]][-1] == "Meet the housing adviser"


def test_a_goal_in_an_area_the_plan_does_not_have_is_422(plans_api: Caller, plan: dict[str, Any]) -> None:
    # Attitudes scored 0 and is linked to nothing: not one of the plan's areas.
    refused = change(plans_api, "POST", plan, "/goals", {**GOAL, "areaOfNeed": "ATTITUDES"})
    assert refused.status == 422
    assert refused.field_errors == {"areaOfNeed"}
    unknown = change(plans_api, "POST", plan, "/goals", {**GOAL, "areaOfNeed": "GAMBLING"})
    assert (unknown.status, unknown.field_errors) == (422, {"areaOfNeed"})
    assert plans_api("GET", url(plan)).body["version"] == 1, "a refused request changes nothing"


@pytest.mark.parametrize(
    ("goal", "field"),
    [
        ({"title": "x", "status": "ACTIVE"}, "targetMonths"),  # an active goal needs a target
        ({"title": "x", "targetMonths": 4}, "targetMonths"),  # 3, 6 or 12
        ({"title": "x", "targetMonths": 3, "targetDate": "2099-01-01"}, "targetDate"),
        ({"title": "x", "targetDate": "2020-01-01"}, "targetDate"),  # after today
        ({"title": "x", "status": "FUTURE", "targetMonths": 3}, "targetMonths"),
        ({"title": "x", "targetMonths": 3, "status": "ACHIEVED"}, "status"),  # new goals are ACTIVE or FUTURE
        ({"title": "", "targetMonths": 3}, "title"),
        ({"title": "x" * 201, "targetMonths": 3}, "title"),
        (
            {"title": "x", "targetMonths": 3, "steps": [{"description": "y", "actor": "A_FRIEND"}]},
            "steps[0].actor",
        ),
        (
            {
                "title": "x",
                "targetMonths": 3,
                "steps": [{"description": "y", "actor": "SOMEONE_ELSE", "status": "DONE"}],
            },
            "steps[0].status",
        ),
    ],
)
def test_bad_goals_are_422_naming_the_field(
    plans_api: Caller, plan: dict[str, Any], goal: dict[str, Any], field: str
) -> None:
    refused = change(plans_api, "POST", plan, "/goals", goal)
    assert refused.status == 422, refused.body
    assert field in refused.field_errors


def test_achieved_and_removed_need_a_note_and_keep_it(plans_api: Caller, plan: dict[str, Any]) -> None:
    updated = with_goal(plans_api, plan)
    goal_id = updated["goals"][0]["id"]
    for status in ("ACHIEVED", "REMOVED"):
        refused = change(plans_api, "PATCH", updated, f"/goals/{goal_id}", {"status": status})
        assert (refused.status, refused.field_errors) == (422, {"note"})
    done = change(
        plans_api, "PATCH", updated, f"/goals/{goal_id}", {"status": "REMOVED", "note": "Moved in."}
    )
    assert done.status == 200, done.body
    goal = done.body["goals"][0]
    assert goal["status"] == "REMOVED"
    assert [(n["type"], n["note"]) for n in goal["notes"]] == [("REMOVED", "Moved in.")]
    back = change(
        plans_api, "PATCH", done.body, f"/goals/{goal_id}", {"status": "ACTIVE", "note": "Back on."}
    )
    assert back.status == 200, back.body
    assert [n["type"] for n in back.body["goals"][0]["notes"]] == ["REMOVED", "READDED"]
    renamed = change(
        plans_api, "PATCH", back.body, f"/goals/{goal_id}", {"title": "A home", "areaOfNeed": None}
    )
    assert (renamed.body["goals"][0]["title"], renamed.body["goals"][0]["areaOfNeed"]) == ("A home", None)
    cleared = change(plans_api, "PATCH", renamed.body, f"/goals/{goal_id}", {"title": None})
    assert (cleared.status, cleared.field_errors) == (422, {"title"})


def test_every_change_needs_if_match_and_a_stale_one_is_412(plans_api: Caller, plan: dict[str, Any]) -> None:
    missing = plans_api("POST", url(plan, "/goals"), GOAL)
    assert missing.status == 428
    updated = with_goal(plans_api, plan)
    stale = plans_api("POST", url(plan, "/goals"), GOAL, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert stale.headers["ETag"] == f'"{updated["version"]}"'
    goal_id = updated["goals"][0]["id"]
    assert plans_api("PATCH", url(plan, f"/goals/{goal_id}"), {"title": "y"}).status == 428
    assert plans_api("POST", url(plan, "/agreement"), {"status": "AGREED"}).status == 428


def test_two_edits_with_one_etag_one_wins_the_other_gets_412(plans_api: Caller, plan: dict[str, Any]) -> None:
    first = change(plans_api, "POST", plan, "/goals", GOAL)
    second = change(plans_api, "POST", plan, "/goals", {**GOAL, "title": "Second"})
    assert (first.status, second.status) == (201, 412)
    assert [g["title"] for g in plans_api("GET", url(plan)).body["goals"]] == [GOAL["title"]]


def test_two_edits_from_one_read_race_in_the_store_and_the_loser_writes_nothing(
    template: Template, plan: dict[str, Any]
) -> None:
    """At the repository: both changes were made from version 1 (each passed the service's own check); the
    write's condition decides. Remove it and the second overwrites the first."""
    repository = DynamoSentencePlanRepository()
    read = repository.plan(plan["crn"], plan["id"])
    assert read is not None
    now = datetime.now(UTC)

    def edited(title: str) -> SentencePlan:
        goal = Goal(
            id=uuid.uuid4().hex,
            title=title,
            status="ACTIVE",
            target_months=3,
            target_date=add_months(now.date(), 3),
            order=1,
            status_changed_at=now,
            created_at=now,
            created_by="racer",
            updated_at=now,
        )
        return read.model_copy(update={"goals": [goal], "version": read.version + 1})

    winner_event, winner_audit = change_of(plan["crn"])
    loser_event, loser_audit = change_of(plan["crn"])
    repository.replace(edited("Winner"), read.version, [winner_event], winner_audit)
    with pytest.raises(PlanChanged):
        repository.replace(edited("Loser"), read.version, [loser_event], loser_audit)
    stored = repository.plan(plan["crn"], plan["id"])
    assert stored is not None
    assert ([g.title for g in stored.goals], stored.version) == (["Winner"], 2)
    event_ids = {item["detail"]["eventId"] for item in table_items(template, f"EVENTS#{plan['crn']}")}
    audit_ids = {item["auditId"] for item in table_items(template, f"AUDIT#{plan['crn']}")}
    assert winner_event.event_id in event_ids
    assert loser_event.event_id not in event_ids
    assert loser_audit.audit_id not in audit_ids


def test_goals_and_steps_are_reordered(plans_api: Caller, plan: dict[str, Any]) -> None:
    updated = with_goal(plans_api, plan)
    updated = with_goal(plans_api, updated, {**GOAL, "title": "Second", "steps": []})
    first, second = (g["id"] for g in updated["goals"])
    swapped = change(plans_api, "PUT", updated, "/goal-order", {"goalIds": [second, first]})
    assert swapped.status == 200, swapped.body
    assert [(g["id"], g["order"]) for g in swapped.body["goals"]] == [(second, 1), (first, 2)]
    for bad in ([first], [first, first], [first, uuid.uuid4().hex]):
        refused = change(plans_api, "PUT", swapped.body, "/goal-order", {"goalIds": bad})
        assert (refused.status, refused.field_errors) == (422, {"goalIds"})

    step = {"description": "Second step", "actor": "PROBATION_PRACTITIONER"}
    with_steps = change(plans_api, "POST", swapped.body, f"/goals/{first}/steps", step).body
    one, two = (s["id"] for s in with_steps["goals"][1]["steps"])
    reordered = change(plans_api, "PUT", with_steps, f"/goals/{first}/step-order", {"stepIds": [two, one]})
    assert [s["id"] for s in reordered.body["goals"][1]["steps"]] == [two, one]


def test_a_step_links_an_appointment_of_the_case_and_shows_it_as_it_stands(
    plans_api: Caller, supervision_api: Caller, plan: dict[str, Any]
) -> None:
    crn = plan["crn"]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=2)
    arranged = supervision_api(
        "POST",
        f"/cases/{crn}/appointments",
        {
            "type": "OFFICE_APPOINTMENT",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
        headers={"Idempotency-Key": "appt-1"},
    )
    assert arranged.status == 201, arranged.body
    appointment = arranged.body
    unknown = uuid.uuid4().hex
    step = {"description": "Go to the appointment", "actor": "PERSON_ON_PROBATION", "appointmentId": unknown}
    refused = change(plans_api, "POST", plan, "/goals", {**GOAL, "steps": [step]})
    assert (refused.status, refused.field_errors) == (422, {"steps[0].appointmentId"})

    linked = with_goal(plans_api, plan, {**GOAL, "steps": [{**step, "appointmentId": appointment["id"]}]})
    shown = linked["goals"][0]["steps"][0]["appointment"]
    assert (shown["id"], shown["status"], shown["outcome"]) == (appointment["id"], "SCHEDULED", None)

    outcome = supervision_api(
        "PUT",
        f"/cases/{crn}/appointments/{appointment['id']}/outcome",
        {"outcome": "ATTC"},
        headers={"If-Match": f'"{appointment["version"]}"'},
    )
    assert outcome.status == 200, outcome.body
    now = plans_api("GET", url(plan)).body["goals"][0]["steps"][0]["appointment"]
    assert (now["status"], now["outcome"]) == ("COMPLETED", "ATTC")

    step_id = linked["goals"][0]["steps"][0]["id"]
    goal_id = linked["goals"][0]["id"]
    unlinked = change(
        plans_api, "PATCH", linked, f"/goals/{goal_id}/steps/{step_id}", {"appointmentId": None}
    )
    assert unlinked.body["goals"][0]["steps"][0]["appointment"] is None


# ------------------------------------------------------------------ agreement and countersigning


def test_the_agreement_locks_the_version_and_sets_the_review_date(
    plans_api: Caller, template: Template, plan: dict[str, Any]
) -> None:
    assert change(plans_api, "POST", plan, "/agreement", {"status": "AGREED"}).status == 409  # no goals yet
    stepless = with_goal(plans_api, plan, {**GOAL, "steps": []})
    refused = change(plans_api, "POST", stepless, "/agreement", {"status": "AGREED"})
    assert refused.status == 409
    assert GOAL["title"] in refused.body["detail"]
    goal_id = stepless["goals"][0]["id"]
    step = {"description": "Call Shelter", "actor": "PERSON_ON_PROBATION"}
    ready = change(plans_api, "POST", stepless, f"/goals/{goal_id}/steps", step).body
    for status in ("DO_NOT_AGREE", "COULD_NOT_ANSWER"):
        unexplained = change(plans_api, "POST", ready, "/agreement", {"status": status})
        assert (unexplained.status, unexplained.field_errors) == (422, {"notes"})
    draft_status = change(plans_api, "POST", ready, "/agreement", {"status": "DRAFT"})
    assert (draft_status.status, draft_status.field_errors) == (422, {"status"})

    locked = agreed(plans_api, ready)
    assert (locked["agreementStatus"], locked["countersigningStatus"], locked["locked"]) == (
        "AGREED",
        "SELF_SIGNED",
        True,
    )
    assert locked["reviewDue"] == add_months(date.today(), 6).isoformat()
    assert (locked["highRosh"], locked["reviewIntervalMonths"]) == (False, 6)
    assert change(plans_api, "POST", locked, "/agreement", {"status": "AGREED"}).status == 409

    # Changing a locked version is 409: new goals and steps, titles, areas, descriptions, actors, the order.
    step_id = locked["goals"][0]["steps"][0]["id"]
    for method, tail, body in (
        ("POST", "/goals", GOAL),
        ("POST", f"/goals/{goal_id}/steps", step),
        ("PATCH", f"/goals/{goal_id}", {"title": "Changed"}),
        ("PATCH", f"/goals/{goal_id}/steps/{step_id}", {"description": "Changed"}),
        ("PUT", "/goal-order", {"goalIds": [goal_id]}),
    ):
        refused = change(plans_api, method, locked, tail, body)
        assert refused.status == 409, (method, tail, refused.body)
        assert "locked" in refused.body["detail"]
    # Progress is recorded on it.
    progressed = change(
        plans_api,
        "PATCH",
        locked,
        f"/goals/{goal_id}/steps/{step_id}",
        {"status": "COMPLETED", "note": "Done."},
    )
    assert progressed.status == 200, progressed.body
    step_now = progressed.body["goals"][0]["steps"][0]
    assert (step_now["status"], step_now["notes"][-1]["note"]) == ("COMPLETED", "Done.")
    achieved = change(
        plans_api, "PATCH", progressed.body, f"/goals/{goal_id}", {"status": "ACHIEVED", "note": "Housed."}
    )
    assert achieved.body["goals"][0]["status"] == "ACHIEVED"

    [event] = events_of(template, plan["crn"], "sentence-plan.agreed")
    information = event["additionalInformation"]
    assert (information["agreementStatus"], information["countersigningStatus"]) == ("AGREED", "SELF_SIGNED")
    assert information["reviewDue"] == locked["reviewDue"]


def test_a_high_rosh_case_is_reviewed_sooner(api: Caller, plans_api: Caller, plan: dict[str, Any]) -> None:
    registered = api(
        "POST", f"/cases/{plan['crn']}/registrations", {"type": "RHRH", "registrationDate": "2025-03-04"}
    )
    assert registered.status == 201
    assert plans_api("POST", f"/cases/{plan['crn']}/sentence-plans").status == 409  # this plan predates it
    ready = with_goal(plans_api, plan)
    reviewed = agreed(plans_api, ready)
    # The interval was set when the version was made (before the registration): the review makes a new one.
    new_version = change(plans_api, "POST", reviewed, "/reviews", {"type": "REVIEW"}).body
    assert (new_version["highRosh"], new_version["reviewIntervalMonths"]) == (True, 3)
    again = agreed(plans_api, new_version)
    assert again["reviewDue"] == add_months(date.today(), 3).isoformat()


def test_a_pso_plan_waits_for_a_managers_countersignature(
    plans_api: Caller, allocation_api: Caller, template: Template, plan: dict[str, Any]
) -> None:
    staff(allocation_api, PSO)
    ready = with_goal(plans_api, plan)
    waiting = agreed(plans_api, ready, subject="PSO01")
    assert (waiting["countersigningStatus"], waiting["agreement"]["recordedByGrade"]) == (
        "AWAITING_COUNTERSIGN",
        "PSO",
    )
    assert waiting["locked"] is True
    assert change(plans_api, "POST", waiting, "/reviews", {"type": "REVIEW"}).status == 409

    # A countersignature by anyone but a manager is 403, whatever it sends.
    for roles in (("practitioner",), ("admin",)):
        assert change(plans_api, "POST", waiting, "/countersignature", {}, roles=roles).status == 403
        assert change(plans_api, "POST", waiting, "/rejection", {"reason": "x"}, roles=roles).status == 403
    signed = change(plans_api, "POST", waiting, "/countersignature", {"notes": "Good plan."}, roles=MANAGER)
    assert signed.status == 200, signed.body
    assert signed.body["countersigningStatus"] == "COUNTERSIGNED"
    assert signed.body["countersignature"]["notes"] == "Good plan."
    again = change(plans_api, "POST", signed.body, "/countersignature", {}, roles=MANAGER)
    assert again.status == 409
    [event] = events_of(template, plan["crn"], "sentence-plan.countersigned")
    assert event["additionalInformation"]["planVersion"] == 1


def test_a_rejected_plan_is_a_draft_again_with_the_reason(
    plans_api: Caller, allocation_api: Caller, template: Template, plan: dict[str, Any]
) -> None:
    staff(allocation_api, PSO)
    waiting = agreed(plans_api, with_goal(plans_api, plan), subject="PSO01")
    unexplained = change(plans_api, "POST", waiting, "/rejection", {}, roles=MANAGER)
    assert (unexplained.status, unexplained.field_errors) == (422, {"reason"})
    rejected = change(
        plans_api, "POST", waiting, "/rejection", {"reason": "Add a drugs goal."}, roles=MANAGER
    )
    assert rejected.status == 200, rejected.body
    body = rejected.body
    assert (body["countersigningStatus"], body["agreementStatus"], body["locked"]) == (
        "REJECTED",
        "DRAFT",
        False,
    )
    assert body["rejection"]["reason"] == "Add a drugs goal."
    reopened = with_goal(plans_api, body, {**GOAL, "title": "Stay clean", "areaOfNeed": "DRUGS"})
    assert len(reopened["goals"]) == 2
    assert events_of(template, plan["crn"], "sentence-plan.rejected")


# ------------------------------------------------------------------ versions


def test_a_review_makes_a_new_version_and_the_agreed_one_stays_readable(
    plans_api: Caller, plan: dict[str, Any]
) -> None:
    assert change(plans_api, "POST", plan, "/reviews", {"type": "REVIEW"}).status == 409  # a draft
    first = agreed(plans_api, with_goal(plans_api, plan))
    bad = change(plans_api, "POST", first, "/reviews", {"type": "INITIAL"})
    assert (bad.status, bad.field_errors) == (422, {"type"})
    reviewed = change(plans_api, "POST", first, "/reviews", {"type": "REVIEW"})
    assert reviewed.status == 201, reviewed.body
    second = reviewed.body
    assert (second["planVersion"], second["type"], second["agreementStatus"], second["locked"]) == (
        2,
        "REVIEW",
        "DRAFT",
        False,
    )
    assert [g["id"] for g in second["goals"]] == [g["id"] for g in first["goals"]]
    assert second["reviewDue"] == first["reviewDue"], "still due until the new version is agreed"
    assert [(h["planVersion"], h["agreementStatus"]) for h in second["history"]] == [(1, "AGREED")]
    earlier = plans_api("GET", url(plan, "/versions/1")).body
    assert (earlier["planVersion"], earlier["agreementStatus"], earlier["locked"]) == (1, "AGREED", True)
    assert plans_api("GET", url(plan, "/versions/2")).body["version"] == second["version"]
    changed = with_goal(plans_api, second, {**GOAL, "title": "Another"})
    assert len(changed["goals"]) == 2
    assert len(plans_api("GET", url(plan, "/versions/1")).body["goals"]) == 1


def test_a_new_completed_assessment_makes_a_new_version_once(
    plans_api: Caller, assessments_api: Caller, template: Template, plan: dict[str, Any]
) -> None:
    locked = agreed(plans_api, with_goal(plans_api, plan))
    fewer_needs = {**NEEDS, "8.4": "0", "8.5": "0", "8.6": "0", "8.8": "0", "8.9": "0"}
    newer = complete_assessment(assessments_api, plan["crn"], fewer_needs)
    event = bus_event(plan["crn"], "assessment.summary.produced", "assessed-2", "probation.assessments")
    event["detail"]["additionalInformation"] = {"assessmentId": newer["assessmentId"]}
    sentence_plans_app.lambda_handler(event, LocalContext("SentencePlansFunction"))
    current = plans_api("GET", url(plan)).body
    assert (current["planVersion"], current["type"], current["assessmentId"]) == (
        2,
        "REVIEW",
        newer["assessmentId"],
    )
    assert "DRUGS" not in [a["area"] for a in current["areasOfNeed"]]
    assert current["goals"] == locked["goals"]
    assert plans_api("GET", url(plan, "/versions/1")).body["assessmentId"] == plan["assessmentId"]

    sentence_plans_app.lambda_handler(event, LocalContext("SentencePlansFunction"))  # delivered again
    assert plans_api("GET", url(plan)).body["version"] == current["version"]


def test_an_agreed_terminate_version_closes_the_plan_and_frees_the_case_for_another(
    plans_api: Caller, plan: dict[str, Any]
) -> None:
    first = agreed(plans_api, with_goal(plans_api, plan))
    ending = change(plans_api, "POST", first, "/reviews", {"type": "TERMINATE"}).body
    closed = agreed(plans_api, ending)
    assert (closed["status"], closed["type"], closed["reviewDue"]) == ("CLOSED", "TERMINATE", None)
    goal_id = closed["goals"][0]["id"]
    assert change(plans_api, "PATCH", closed, f"/goals/{goal_id}", {"status": "FUTURE"}).status == 409
    assert change(plans_api, "POST", closed, "/reviews", {"type": "REVIEW"}).status == 409
    again = create(plans_api, plan["crn"])
    assert again["id"] != plan["id"]
    listed = plans_api("GET", f"/cases/{plan['crn']}/sentence-plans").body["items"]
    assert [(p["id"], p["status"]) for p in listed] == [(again["id"], "ACTIVE"), (plan["id"], "CLOSED")]


# ------------------------------------------------------------------ the review work list and the daily check


def test_plans_due_for_review_are_on_their_practitioners_work_list(
    plans_api: Caller, allocation_api: Caller, assessed: str
) -> None:
    staff(allocation_api, PO, PO2)
    allocate(allocation_api, assessed, "PO001")
    plan = create(plans_api, assessed)
    assert plan["staffCode"] == "PO001"
    assert plans_api("GET", "/sentence-plans/practitioners/PO001/reviews-due").body["items"] == []
    locked = agreed(plans_api, with_goal(plans_api, plan))
    due = date.fromisoformat(locked["reviewDue"])
    assert plans_api("GET", "/sentence-plans/practitioners/PO001/reviews-due").body["items"] == []
    ahead = plans_api("GET", "/sentence-plans/practitioners/PO001/reviews-due", query={"within": "200"})
    [item] = ahead.body["items"]
    assert (item["crn"], item["planId"], item["reviewDue"], item["personName"]) == (
        assessed,
        plan["id"],
        locked["reviewDue"],
        "Jane Doe",
    )
    assert item["daysLeft"] == (due - date.today()).days
    pin_clock(datetime.combine(due + timedelta(days=3), datetime.min.time(), UTC))
    [overdue] = plans_api("GET", "/sentence-plans/practitioners/PO001/reviews-due").body["items"]
    assert overdue["daysLeft"] == -3

    # Reallocation moves it to the new practitioner's list.
    allocate(allocation_api, assessed, "PO002")
    moved = bus_event(assessed, "person.community.manager.allocated", "moved-1", "probation.allocation")
    moved["detail"]["additionalInformation"] = {"staffCode": "PO002", "teamCode": TEAM["code"]}
    sentence_plans_app.lambda_handler(moved, LocalContext("SentencePlansFunction"))
    assert plans_api("GET", "/sentence-plans/practitioners/PO001/reviews-due").body["items"] == []
    [now_theirs] = plans_api("GET", "/sentence-plans/practitioners/PO002/reviews-due").body["items"]
    assert now_theirs["planId"] == plan["id"]
    bad = plans_api("GET", "/sentence-plans/practitioners/PO002/reviews-due", query={"within": "400"})
    assert (bad.status, bad.field_errors) == (422, {"within"})


def test_the_daily_check_publishes_review_due_once_when_the_date_comes(
    plans_api: Caller, template: Template, plan: dict[str, Any]
) -> None:
    locked = agreed(plans_api, with_goal(plans_api, plan))
    due = date.fromisoformat(locked["reviewDue"])
    run = scheduled_event("arn:aws:events:eu-west-2:123456789012:rule/check", "eu-west-2")
    pin_clock(datetime.combine(due - timedelta(days=1), datetime.min.time(), UTC))
    sentence_plans_app.lambda_handler(run, LocalContext("SentencePlansFunction"))
    assert events_of(template, plan["crn"], "sentence-plan.review-due") == []
    pin_clock(datetime.combine(due, datetime.min.time(), UTC) + timedelta(hours=6))
    sentence_plans_app.lambda_handler(run, LocalContext("SentencePlansFunction"))
    sentence_plans_app.lambda_handler(run, LocalContext("SentencePlansFunction"))
    [event] = events_of(template, plan["crn"], "sentence-plan.review-due")
    assert event["additionalInformation"]["reviewDue"] == locked["reviewDue"]
    current = plans_api("GET", url(plan)).body
    assert current["reviewDueNotified"] is True
    # A new agreement sets a new date, announced again when it comes.
    reviewed = change(plans_api, "POST", current, "/reviews", {"type": "REVIEW"}).body
    renewed = agreed(plans_api, reviewed)
    assert renewed["reviewDueNotified"] is False


# ------------------------------------------------------------------ partners


@pytest.fixture
def partner_plan(
    plans_api: Caller, assessments_api: Caller, api: Caller, allocated_to_crc1: str
) -> dict[str, Any]:
    crn = allocated_to_crc1
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    complete_assessment(assessments_api, crn)
    plan = create(plans_api, crn)
    steps = [
        {"description": "Referral to the tenancy support service", "actor": "PARTNERSHIP_AGENCY"},
        {"description": "Bring ID to the council", "actor": "PERSON_ON_PROBATION"},
    ]
    return agreed(plans_api, with_goal(plans_api, plan, {**GOAL, "steps": steps}))


def test_a_partner_reads_its_cases_plans_and_nothing_of_the_assessments_answers(
    partners_api: Caller, template: Template, partner_plan: dict[str, Any]
) -> None:
    crc1 = as_partner(partners_api, "CRC1")
    crn = partner_plan["crn"]
    listed = crc1("GET", f"/partner/v1/cases/{crn}/sentence-plans")
    assert listed.status == 200, listed.body
    [seen] = listed.body["items"]
    assert seen["goals"] == partner_plan["goals"]
    assert set(seen["areasOfNeed"][0]) == {"area", "name", "rank"}
    one = crc1("GET", f"/partner/v1/cases/{crn}/sentence-plans/{partner_plan['id']}")
    assert (one.status, one.headers["ETag"]) == (200, f'"{partner_plan["version"]}"')
    crc2 = as_partner(partners_api, "CRC2")
    assert crc2("GET", f"/partner/v1/cases/{crn}/sentence-plans").status == 404
    assert crc2("GET", f"/partner/v1/cases/{crn}/sentence-plans/{partner_plan['id']}").status == 404
    partner_reads = [a for a in audit_of(template, crn) if a.get("partnerId") == "CRC1"]
    assert [a["action"] for a in partner_reads] == ["READ", "READ"]


def test_a_partner_records_progress_only_on_a_partnership_agency_or_crs_step(
    partners_api: Caller, plans_api: Caller, allocation_api: Caller, partner_plan: dict[str, Any]
) -> None:
    crc1 = as_partner(partners_api, "CRC1")
    crn = partner_plan["crn"]
    goal = partner_plan["goals"][0]
    agency_step, person_step = (s["id"] for s in goal["steps"])
    base = f"/partner/v1/cases/{crn}/sentence-plans/{partner_plan['id']}/goals/{goal['id']}/steps"
    progress = {"status": "IN_PROGRESS", "note": "Referral accepted."}
    assert crc1("PUT", f"{base}/{agency_step}/progress", progress).status == 428
    headers = {"If-Match": f'"{partner_plan["version"]}"'}
    not_theirs = crc1("PUT", f"{base}/{person_step}/progress", progress, headers=headers)
    assert not_theirs.status == 403
    done = crc1("PUT", f"{base}/{agency_step}/progress", progress, headers=headers)
    assert done.status == 200, done.body
    assert done.headers["ETag"] == f'"{partner_plan["version"] + 1}"'
    stale = crc1("PUT", f"{base}/{agency_step}/progress", {"status": "COMPLETED"}, headers=headers)
    assert stale.status == 412
    read_only = as_partner(partners_api, "CRC1", ("cases.read",))
    assert read_only("PUT", f"{base}/{agency_step}/progress", progress, headers=headers).status == 403
    staff_view = plans_api("GET", url(partner_plan)).body["goals"][0]["steps"][0]
    assert (staff_view["status"], staff_view["notes"][-1]["by"], staff_view["notes"][-1]["note"]) == (
        "IN_PROGRESS",
        "partner:CRC1",
        "Referral accepted.",
    )
    # Reallocated away from the partner: its plan is no longer its own.
    staff(allocation_api, PO)
    allocate(allocation_api, crn, "PO001")
    later = {"If-Match": done.headers["ETag"]}
    assert crc1("PUT", f"{base}/{agency_step}/progress", progress, headers=later).status == 404


def test_a_partners_progress_is_refused_in_the_write_once_the_case_is_no_longer_its(
    template: Template, partner_plan: dict[str, Any]
) -> None:
    """The look beforehand saw the case as the partner's; the allocation moved before the write."""
    repository = DynamoSentencePlanRepository()
    read = repository.plan(partner_plan["crn"], partner_plan["id"])
    assert read is not None
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    table.update_item(
        Key={"PK": f"CASE#{partner_plan['crn']}", "SK": "ALLOCATION"},
        UpdateExpression="SET GSI3PK = :other",
        ExpressionAttributeValues={":other": "PARTNER#CRC2"},
    )
    event, audit = change_of(partner_plan["crn"])
    with pytest.raises(NotTheirs):
        repository.replace(
            read.model_copy(update={"version": read.version + 1}),
            read.version,
            [event],
            audit,
            partner_id="CRC1",
        )
    stored = repository.plan(partner_plan["crn"], partner_plan["id"])
    assert stored is not None
    assert stored.version == read.version


def test_a_second_plan_made_beside_the_first_cannot_take_the_cases_open_place(
    template: Template, plan: dict[str, Any]
) -> None:
    """Both were made from a read that found no open plan; the open place's condition decides."""
    repository = DynamoSentencePlanRepository()
    first = repository.plan(plan["crn"], plan["id"])
    assert first is not None
    second = first.model_copy(update={"id": uuid.uuid4().hex})
    event, audit = change_of(plan["crn"])
    with pytest.raises(PlanAlreadyOpen) as refused:
        repository.create(second, [event], audit)
    assert refused.value.plan_id == plan["id"]
    assert [p.id for p in repository.plans(plan["crn"])] == [plan["id"]]
    assert event.event_id not in {
        i["detail"]["eventId"] for i in table_items(template, f"EVENTS#{plan['crn']}")
    }

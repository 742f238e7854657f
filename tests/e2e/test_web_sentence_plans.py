"""Sentence plans in a real browser (issue 22): a plan made from a completed assessment and its ranked areas
of need with their reasons; goals and steps added and reordered with the keyboard; the person's agreement,
checked before it locks the version; a PSO's plan countersigned, or sent back with a reason, by a manager and
never offered to a practitioner to countersign; bad input refused with nothing changed; a change by someone
else, and a version locked meanwhile, explained; the versions; the practitioner's reviews due; a phone. The
fixtures (Debian's Chromium, axe-core, the screenshots) are test_web_app's; every case and plan a test looks
for is made over the API here, and what the screens must show is what the API answers.
"""

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, Route, expect

from tests.e2e import test_web_app
from tests.e2e.conftest import Runner, new_case
from tests.e2e.test_local_stack import record_conviction
from tests.e2e.test_web_app import PHONE, check_screen, letters, sign_in, sign_out
from tests.e2e.test_web_assessment import answer_required, until_current
from tests.e2e.test_web_lifecycle import allocate, tab_to

pytestmark = test_web_app.pytestmark
globals().update({name: getattr(test_web_app, name) for name in ("playwright", "browser", "page")})

UK = ZoneInfo("Europe/London")
TEAM = test_web_app.TEAM  # Hackney
MANAGER = test_web_app.MANAGER  # Hackney's senior probation officer, offered on the sign-in screen
MANAGER_CODE = "N07P006"
TABLE = "probation-cases-local"
# Answers that give the plan an area linked to harm (relationships, under its threshold), one high scoring and
# linked to reoffending (accommodation), one high scoring and linked to neither (drugs); finances and health
# and wellbeing are unscored, so every plan has them. Every other required answer is "No" or the first option.
NEEDS = {
    "3.3": "YES", "3.4": "2", "3.5": "1", "3.6": "1", "3.98": "NO", "3.99": "YES",
    "6.1": "0", "6.3": "0", "6.6": "1", "6.98": "YES", "6.99": "NO",
    "8.4": "2", "8.5": "2", "8.6": "2", "8.8": "1", "8.9": "1", "8.98": "NO", "8.99": "NO",
}  # fmt: skip


@dataclass(frozen=True)
class Member:
    code: str
    name: str


@dataclass(frozen=True)
class Assessed:
    """A case with a conviction and a completed OASys assessment, and its probation officer's session."""

    crn: str
    name: str
    base: str
    staff: requests.Session


def staff_member(runner: Runner, grade: str) -> Member:
    admin = runner.session("admin", "manager", subject="web-plans-admin")
    code = f"S{random.randint(100000, 999999)}"
    name = f"Robin {letters(6).title()}"
    made = admin.post(
        f"{runner.base_url}/allocation/practitioners",
        json={"code": code, "name": name, "grade": grade, "teamCode": TEAM, "contractedHours": 37},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    return Member(code, name)


@pytest.fixture(scope="module")
def po(runner: Runner) -> Member:
    return staff_member(runner, "PO")


@pytest.fixture(scope="module")
def pso(runner: Runner) -> Member:
    return staff_member(runner, "PSO")


def assessed_case(runner: Runner, po: Member) -> Assessed:
    admin = runner.session("admin", "manager", subject="web-plans-admin")
    first, last = "Sasha", f"Planner{letters(5)}"
    made = admin.post(
        f"{runner.base_url}/cases", json=new_case(firstName=first, lastName=last, teamCode=TEAM), timeout=10
    )
    assert made.status_code == 201, made.text
    crn: str = made.json()["crn"]
    base = f"{runner.base_url}/cases/{crn}"
    record_conviction(admin, base, "10500", length_months=36)
    staff = runner.session("practitioner", subject=po.code)
    opened = staff.post(f"{base}/assessments", headers={"Idempotency-Key": letters(16)}, timeout=10)
    assert opened.status_code == 201, opened.text
    path = f"{base}/assessments/{opened.json()['assessmentId']}"
    answer_required(staff, path)
    needs = {"answers": {code: {"value": value} for code, value in NEEDS.items()}}
    until_current(
        staff, path, lambda etag: staff.patch(path, json=needs, headers={"If-Match": etag}, timeout=10)
    )
    until_current(
        staff, path, lambda etag: staff.post(f"{path}/complete", headers={"If-Match": etag}, timeout=10)
    )
    return Assessed(crn, f"{first} {last}", base, staff)


def new_plan(held: Assessed) -> dict[str, Any]:
    made = held.staff.post(
        f"{held.base}/sentence-plans", headers={"Idempotency-Key": letters(16)}, timeout=10
    )
    assert made.status_code == 201, made.text
    plan: dict[str, Any] = made.json()
    return plan


def plan_url(held: Assessed, plan: dict[str, Any]) -> str:
    return f"{held.base}/sentence-plans/{plan['id']}"


def screen(runner: Runner, held: Assessed, plan: dict[str, Any], tail: str = "") -> str:
    return f"{runner.base_url}/#/cases/{held.crn}/sentence-plans/{plan['id']}{tail}"


def changed(
    held: Assessed,
    plan: dict[str, Any],
    method: str,
    tail: str,
    body: dict[str, Any],
    session: requests.Session | None = None,
) -> dict[str, Any]:
    """The plan after a change sent with the ETag of ``plan`` (by the case's PO unless ``session``)."""
    response = (session or held.staff).request(
        method,
        f"{plan_url(held, plan)}{tail}",
        json=body,
        headers={"If-Match": f'"{plan["version"]}"'},
        timeout=10,
    )
    assert response.status_code in (200, 201), response.text
    after: dict[str, Any] = response.json()
    return after


def read(held: Assessed, plan: dict[str, Any]) -> dict[str, Any]:
    current: dict[str, Any] = held.staff.get(plan_url(held, plan), timeout=10).json()
    return current


def goal(plan: dict[str, Any], title: str) -> dict[str, Any]:
    """A goal in the plan's first area of need, to work on within 6 months, with one step."""
    return {
        "title": title,
        "areaOfNeed": plan["areasOfNeed"][0]["area"],
        "targetMonths": 6,
        "steps": [{"description": f"First step towards: {title}", "actor": "PERSON_ON_PROBATION"}],
    }


def ready_plan(runner: Runner, po: Member) -> tuple[Assessed, dict[str, Any]]:
    """A draft with one goal and its step: ready for the person's agreement."""
    held = assessed_case(runner, po)
    plan = new_plan(held)
    return held, changed(held, plan, "POST", "/goals", goal(plan, "Find somewhere settled to live"))


def long_date(moment: str) -> str:
    day = datetime.fromisoformat(moment).astimezone(UTC) if "T" in moment else date.fromisoformat(moment)
    return f"{day.day} {day:%B %Y}"


def row(card: Locator, key: str) -> Locator:
    return card.locator(".govuk-summary-list__row").filter(has=card.page.get_by_text(key, exact=True))


def reasons(area: dict[str, Any]) -> list[str]:
    """Why the API has this area in the plan, in the words the screen should use."""
    linked = [
        reason
        for is_linked, reason in (
            (area["linkedToHarm"], "Linked to risk of serious harm"),
            (area["linkedToReoffending"], "Linked to reoffending"),
        )
        if is_linked
    ]
    if not area["scored"]:
        return [*linked, "Not scored: OASys does not score this area, so every plan shows it"]
    against = "at or over" if area["highScoring"] else "under"
    return [*linked, f"Scores {area['score']}, {against} its threshold of {area['threshold']}"]


def record_agreement(page: Page, name: str) -> None:
    """From the plan: the agreement form, answered "agrees", to its check-your-answers page."""
    page.get_by_role("button", name=f"Record {name}'s agreement").click()
    expect(page.get_by_role("heading", name=f"Record {name}'s agreement")).to_be_visible()
    page.get_by_label(f"Yes, {name} agrees").check()
    page.get_by_label("Notes", exact=True).fill("Talked through each goal in the office.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check the agreement before it is recorded")).to_be_visible()


# ------------------------------------------------------------------ a plan from a completed assessment


def test_a_po_makes_a_plan_from_the_completed_assessment_and_reads_its_ranked_areas_of_need(
    page: Page, runner: Runner, po: Member
) -> None:
    held = assessed_case(runner, po)
    [completed] = [
        a
        for a in held.staff.get(f"{held.base}/assessments", timeout=10).json()["items"]
        if a["status"] == "COMPLETED"
    ]
    sign_in(page, runner, staff_code=po.code)
    page.goto(f"{runner.base_url}/#/cases/{held.crn}")
    completed_on = long_date(completed["completedAt"])
    expect(page.locator("#sentence-plan-state")).to_contain_text(
        f"No sentence plan yet. One can be made from the OASys assessment completed {completed_on}"
    )
    page.get_by_role("button", name="Create sentence plan").click()
    expect(page.get_by_role("heading", name="Sentence plan", exact=True)).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Sentence plan drafted")

    [listed] = held.staff.get(f"{held.base}/sentence-plans", timeout=10).json()["items"]
    plan = read(held, listed)
    areas = plan["areasOfNeed"]
    assert any(a["linkedToHarm"] for a in areas)
    assert any(a["highScoring"] for a in areas)
    assert any(not a["scored"] for a in areas), "finances and health and wellbeing are always shown"
    shown = page.locator("#areas > li").evaluate_all("(cards) => cards.map((card) => card.id)")
    assert shown == [f"area-{a['area']}" for a in areas], "in the API's ranking"
    for area in areas:
        card = page.locator(f"#area-{area['area']}")
        expect(card).to_contain_text(f"{area['rank']}. {area['name']}")
        expect(row(card, "Why it is a need").locator("li")).to_have_text(reasons(area))
        if area["scored"]:
            answers = row(card, "Answers that scored").locator("li")
            expect(answers).to_have_count(len(area["contributions"]))
            for shown_answer, contribution in zip(answers.all(), area["contributions"], strict=True):
                expect(shown_answer).to_contain_text(contribution["question"])
                points = contribution["points"]
                expect(shown_answer).to_contain_text(f"({points} point{'' if points == 1 else 's'})")
        source = row(card, "From")
        expect(source).to_contain_text(f"completed {long_date(area['provenance']['completedAt'])}")
        expect(source).to_contain_text(", ".join(area["provenance"]["questions"]))
    check_screen(page, "plans-01-new-plan-areas-of-need")

    page.get_by_role("link", name="Back to the case").click()
    expect(page.get_by_role("button", name="Sentence plan", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Create sentence plan")).to_have_count(0)
    expect(page.locator("#sentence-plan-state")).to_contain_text("Version 1 (first plan): not agreed yet")


# ------------------------------------------------------------------ goals, steps, the keyboard, the agreement


def test_goals_and_steps_are_added_reordered_with_the_keyboard_and_agreed(
    page: Page, runner: Runner, po: Member
) -> None:
    held = assessed_case(runner, po)
    plan = new_plan(held)
    area = plan["areasOfNeed"][0]
    first, second = f"Find a home {letters(4)}", f"Think about training {letters(4)}"
    sign_in(page, runner, staff_code=po.code)
    page.goto(screen(runner, held, plan))
    expect(page.locator("#goals")).to_have_text("No goals yet.")
    expect(page.locator("#before-agreement")).to_contain_text("Add a goal to work on now, or a future goal")

    page.get_by_role("button", name="Add a goal").click()
    expect(page.get_by_role("heading", name="Add a goal")).to_be_visible()
    page.get_by_label("What is the goal?").fill(first)
    page.get_by_label(area["name"], exact=True).check()
    page.get_by_label("Yes, it is a goal to work on now").check()
    page.get_by_label("In 6 months").check()
    check_screen(page, "plans-02-add-goal")
    page.get_by_role("button", name="Save goal").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Goal added: {first}")

    page.get_by_role("button", name="Add a goal").click()
    page.get_by_label("What is the goal?").fill(second)
    page.get_by_label("None of these areas").check()
    page.get_by_label("No, it is a future goal").check()
    page.get_by_role("button", name="Save goal").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Goal added: {second}")

    goals = read(held, plan)["goals"]
    assert [(g["title"], g["status"], g["areaOfNeed"], g["targetMonths"]) for g in goals] == [
        (first, "ACTIVE", area["area"], 6),
        (second, "FUTURE", None, None),
    ]
    first_card = page.locator(f"#goal-{goals[0]['id']}")
    expect(first_card).to_contain_text(area["name"])
    expect(first_card).to_contain_text(f"By {long_date(goals[0]['targetDate'])} (6 months)")

    steps = [("Register with the housing team", "The person on probation", None),
             ("Ring the landlord together", "Probation practitioner", "In progress")]  # fmt: skip
    for description, actor, status in steps:
        first_card.get_by_role("link", name="Add a step").click()
        expect(page.get_by_role("heading", name="Add a step")).to_be_visible()
        page.get_by_label("What needs to be done?").fill(description)
        page.get_by_label(actor, exact=True).check()
        if status:
            page.get_by_label(status, exact=True).check()
        if description == steps[0][0]:
            check_screen(page, "plans-03-add-step")
        page.get_by_role("button", name="Save step").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Step added to “{first}”"
        )
    made = read(held, plan)["goals"][0]["steps"]
    assert [(s["description"], s["actor"], s["status"]) for s in made] == [
        (steps[0][0], "PERSON_ON_PROBATION", "NOT_STARTED"),
        (steps[1][0], "PROBATION_PRACTITIONER", "IN_PROGRESS"),
    ]

    # The keyboard alone: Tab to the button, Enter to move; focus stays with what moved.
    tab_to(page, f"Move up goal: {second}")
    page.keyboard.press("Enter")
    expect(page.locator("#announcement")).to_have_text(f"Goal “{second}” moved up: it is now 1 of 2.")
    assert [g["title"] for g in read(held, plan)["goals"]] == [second, first]
    expect(page.locator("#goals > li").first).to_contain_text(second)
    assert page.evaluate("document.activeElement.textContent") == f"Move down goal: {second}"
    tab_to(page, f"Move up step: {steps[1][0]}")
    page.keyboard.press("Enter")
    expect(page.locator("#announcement")).to_have_text(f"Step “{steps[1][0]}” moved up: it is now 1 of 2.")
    reordered = read(held, plan)
    assert [s["description"] for s in reordered["goals"][1]["steps"]] == [steps[1][0], steps[0][0]]
    check_screen(page, "plans-04-plan-with-goals")

    record_agreement(page, held.name)
    expect(page.locator("#goals-to-agree")).to_contain_text(f"{second}: future goal, 0 steps")
    expect(page.locator("#locks")).to_contain_text("Version 1 will be locked")
    expect(page.locator("#signing")).to_contain_text("You sign it yourself")
    expect(page.locator("#review")).to_contain_text(
        f"due for review in {reordered['reviewIntervalMonths']} months"
    )
    check_screen(page, "plans-05-check-agreement")
    assert read(held, plan)["agreementStatus"] == "DRAFT", "nothing is recorded until it is confirmed"
    page.get_by_role("button", name="Record the agreement and lock version 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{held.name}'s agreement recorded (agreed). Version 1 is locked"
    )
    agreed = read(held, plan)
    assert (agreed["agreementStatus"], agreed["countersigningStatus"], agreed["locked"]) == (
        "AGREED",
        "SELF_SIGNED",
        True,
    )
    assert agreed["agreement"]["notes"] == "Talked through each goal in the office."
    expect(page.locator("#state")).to_contain_text("Version 1 is locked")
    expect(page.get_by_role("button", name="Add a goal")).to_have_count(0)
    expect(page.get_by_role("button", name="Move up", exact=False)).to_have_count(0)
    expect(page.get_by_role("button", name="Start a review")).to_be_visible()
    expect(page.locator("#agreement")).to_contain_text(f"{po.name} (PO)")


# ------------------------------------------------------------------ countersigning


def test_a_pso_s_plan_waits_for_a_managers_countersignature_which_a_practitioner_is_not_offered(
    page: Page, runner: Runner, po: Member, pso: Member
) -> None:
    held, plan = ready_plan(runner, po)
    sign_in(page, runner, staff_code=pso.code)
    page.goto(screen(runner, held, plan))
    record_agreement(page, held.name)
    expect(page.locator("#signing")).to_contain_text(
        "You are a PSO, so the plan will then wait for a manager's countersignature"
    )
    page.get_by_role("button", name="Record the agreement and lock version 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "it now waits for a manager's countersignature"
    )
    waiting = read(held, plan)
    assert (waiting["countersigningStatus"], waiting["agreement"]["recordedByGrade"]) == (
        "AWAITING_COUNTERSIGN",
        "PSO",
    )
    expect(page.locator("#state")).to_contain_text("Waiting for a countersignature")
    expect(page.locator("#state")).to_contain_text(f"{pso.name} (PSO)")
    expect(page.get_by_role("button", name="Countersign or send back")).to_have_count(0)
    expect(page.get_by_role("button", name="Start a review")).to_have_count(0)
    check_screen(page, "plans-06-waiting-for-countersignature")
    page.goto(screen(runner, held, plan, "/countersignature"))
    expect(page.get_by_role("heading", name="You cannot countersign plans")).to_be_visible()
    expect(page.get_by_label("Notes (optional)")).to_have_count(0)
    sign_out(page)

    sign_in(page, runner, identity=MANAGER)
    page.goto(screen(runner, held, plan))
    page.get_by_role("button", name="Countersign or send back").click()
    expect(page.get_by_role("heading", name="Countersign version 1, or send it back")).to_be_visible()
    expect(page.get_by_text(f"{pso.name} (PSO)")).to_be_visible()
    check_screen(page, "plans-07-countersign")
    notes = f"Good plan, {letters(5)}."
    page.get_by_label("Notes (optional)").fill(notes)
    page.get_by_role("button", name="Countersign version 1").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Version 1 of {held.name}'s plan countersigned"
    )
    signed = read(held, plan)
    assert signed["countersigningStatus"] == "COUNTERSIGNED"
    assert (signed["countersignature"]["by"], signed["countersignature"]["notes"]) == (MANAGER_CODE, notes)
    expect(page.locator("#agreement")).to_contain_text(f"Countersigned by {MANAGER}")
    expect(page.locator("#agreement")).to_contain_text(notes)


def test_a_manager_sends_a_plan_back_with_a_reason_and_it_is_a_draft_again(
    page: Page, runner: Runner, po: Member, pso: Member
) -> None:
    held, plan = ready_plan(runner, po)
    pso_session = runner.session("practitioner", subject=pso.code)
    waiting = changed(held, plan, "POST", "/agreement", {"status": "AGREED"}, session=pso_session)
    assert waiting["countersigningStatus"] == "AWAITING_COUNTERSIGN"
    sign_in(page, runner, identity=MANAGER)
    page.goto(screen(runner, held, plan, "/countersignature"))
    page.get_by_role("button", name="Send back").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why you are sending the plan back")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#reason")
    check_screen(page, "plans-08-send-back-error")
    assert read(held, plan)["version"] == waiting["version"]

    reason = f"Add a goal about drug use, {letters(5)}."
    page.get_by_label("Why are you sending it back?").fill(reason)
    page.get_by_role("button", name="Send back").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Version 1 sent back to {pso.name}: it is a draft again"
    )
    expect(page.locator("#rejection")).to_contain_text(f"Sent back by {MANAGER}")
    expect(page.locator("#rejection")).to_contain_text(reason)
    expect(page.get_by_role("button", name="Add a goal")).to_be_visible()
    check_screen(page, "plans-09-sent-back")
    rejected = read(held, plan)
    assert (rejected["countersigningStatus"], rejected["agreementStatus"], rejected["locked"]) == (
        "REJECTED",
        "DRAFT",
        False,
    )
    assert rejected["rejection"]["reason"] == reason


# ------------------------------------------------------------------ bad input, conflicts, a locked version


def test_bad_input_is_shown_at_its_field_and_changes_nothing(page: Page, runner: Runner, po: Member) -> None:
    held, plan = ready_plan(runner, po)
    [first] = plan["goals"]
    sign_in(page, runner, staff_code=po.code)
    page.goto(screen(runner, held, plan, "/goals/new"))
    page.get_by_label("None of these areas").check()
    page.get_by_label("Yes, it is a goal to work on now").check()
    page.get_by_label("In 3 months").check()
    page.get_by_role("button", name="Save goal").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the goal")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#title")
    expect(page.locator(".govuk-form-group--error .govuk-error-message")).to_have_text(
        "Error: Enter the goal"
    )
    expect(page.locator("#title")).to_have_class("govuk-input govuk-input--error")
    assert page.title().startswith("Error: ")
    check_screen(page, "plans-10-goal-error")

    page.goto(screen(runner, held, plan, f"/goals/{first['id']}/status"))
    expect(page.get_by_role("heading", name="Change the goal's status")).to_be_visible()
    page.get_by_label("Achieved", exact=True).check()
    page.get_by_role("button", name="Save status").click()
    expect(summary).to_contain_text("Enter a note about how the goal was achieved")
    expect(summary.get_by_role("link")).to_have_attribute("href", "#note")
    check_screen(page, "plans-11-goal-status-error")

    # The API checks too: a note it never gets (taken out on the way, as if the browser had not checked) is
    # refused, and its problem is shown at the note.
    def without_the_note(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        route.continue_(post_data=json.dumps({key: value for key, value in body.items() if key != "note"}))

    page.route(f"**/sentence-plans/{plan['id']}/goals/{first['id']}", without_the_note)
    page.get_by_label("Note", exact=True).fill("Moved into a flat of their own.")
    page.get_by_role("button", name="Save status").click()
    expect(summary).to_contain_text("Note is required to make a goal achieved")
    expect(page.locator(".govuk-form-group--error .govuk-error-message")).to_contain_text(
        "Note is required to make a goal achieved"
    )
    expect(page.get_by_label("Note", exact=True)).to_have_value("Moved into a flat of their own.")
    page.unroute(f"**/sentence-plans/{plan['id']}/goals/{first['id']}")

    after = read(held, plan)
    assert (after["version"], [(g["title"], g["status"]) for g in after["goals"]]) == (
        plan["version"],
        [(first["title"], "ACTIVE")],
    )


def test_a_change_by_someone_else_is_said_and_what_was_typed_is_kept_to_save_again(
    page: Page, runner: Runner, po: Member
) -> None:
    held, plan = ready_plan(runner, po)
    title = f"Stay in work {letters(4)}"
    sign_in(page, runner, staff_code=po.code)
    page.goto(screen(runner, held, plan, "/goals/new"))
    page.get_by_label("What is the goal?").fill(title)
    page.get_by_label("None of these areas").check()
    page.get_by_label("Yes, it is a goal to work on now").check()
    page.get_by_label("In 12 months").check()
    theirs = changed(held, plan, "POST", "/goals", goal(plan, "Added by someone else"))

    page.get_by_role("button", name="Save goal").click()
    expect(page.locator("#conflict")).to_contain_text("Someone else changed this plan")
    expect(page.locator(".govuk-error-summary")).to_contain_text("The plan changed")
    expect(page.get_by_label("What is the goal?")).to_have_value(title)
    expect(page.get_by_label("In 12 months")).to_be_checked()
    check_screen(page, "plans-12-changed-by-someone-else")
    assert read(held, plan)["version"] == theirs["version"], "nothing of this form was saved"

    page.get_by_role("button", name="Save goal").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"Goal added: {title}")
    assert [g["title"] for g in read(held, plan)["goals"]] == [
        plan["goals"][0]["title"],
        "Added by someone else",
        title,
    ]


def test_a_move_after_someone_else_s_change_moves_nothing_and_shows_the_latest_plan(
    page: Page, runner: Runner, po: Member
) -> None:
    held, plan = ready_plan(runner, po)
    two = changed(held, plan, "POST", "/goals", goal(plan, "Second goal"))
    sign_in(page, runner, staff_code=po.code)
    page.goto(screen(runner, held, plan))
    expect(page.locator("#goals > li")).to_have_count(2)
    theirs = changed(held, two, "POST", "/goals", goal(plan, "Added by someone else"))

    page.get_by_role("button", name="Move up goal: Second goal").click()
    expect(page.locator("#conflict")).to_contain_text("Someone else changed this plan")
    expect(page.locator("#conflict")).to_contain_text("Nothing has been moved")
    expect(page.locator("#goals > li")).to_have_count(3)
    expect(page.locator("#goals > li").last).to_contain_text("Added by someone else")
    assert [g["title"] for g in read(held, plan)["goals"]] == [g["title"] for g in theirs["goals"]]

    page.get_by_role("button", name="Move up goal: Second goal").click()  # again, on the latest
    expect(page.locator("#goals > li").first).to_contain_text("Second goal")
    first, second, third = (g["title"] for g in theirs["goals"])
    assert [g["title"] for g in read(held, plan)["goals"]] == [second, first, third]


def test_a_version_locked_meanwhile_is_explained_and_not_offered_for_change(
    page: Page, runner: Runner, po: Member
) -> None:
    held, plan = ready_plan(runner, po)
    sign_in(page, runner, staff_code=po.code)
    page.goto(screen(runner, held, plan, "/goals/new"))
    page.get_by_label("What is the goal?").fill("Too late for this version")
    page.get_by_label("No, it is a future goal").check()
    page.get_by_label("None of these areas").check()
    changed(held, plan, "POST", "/agreement", {"status": "AGREED"})

    page.get_by_role("button", name="Save goal").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Version 1 is locked")
    expect(summary).to_contain_text("Start a review to make a new version that can be changed")
    expect(summary).to_contain_text("Nothing has been saved")
    assert [g["title"] for g in read(held, plan)["goals"]] == [plan["goals"][0]["title"]]

    page.reload()  # the form opened again
    expect(page.get_by_role("heading", name="This version cannot be changed")).to_be_visible()
    expect(page.get_by_label("What is the goal?")).to_have_count(0)
    check_screen(page, "plans-13-locked")


# ------------------------------------------------------------------ versions, reviews due, a phone


def test_a_review_makes_a_new_version_and_the_history_reads_the_earlier_one_as_it_was(
    page: Page, runner: Runner, po: Member
) -> None:
    held, plan = ready_plan(runner, po)
    agreed = changed(held, plan, "POST", "/agreement", {"status": "AGREED"})
    sign_in(page, runner, staff_code=po.code)
    page.goto(screen(runner, held, plan))
    page.get_by_role("button", name="Start a review").click()
    expect(page.get_by_role("heading", name="Start a review")).to_be_visible()
    expect(page.get_by_text(f"due for review on {long_date(agreed['reviewDue'])}")).to_be_visible()
    page.get_by_role("button", name="Start the review").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select why the plan is changing")
    page.get_by_label("Review the plan").check()
    check_screen(page, "plans-14-start-review")
    page.get_by_role("button", name="Start the review").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Version 2 started")

    reviewed = read(held, plan)
    assert (reviewed["planVersion"], reviewed["type"], reviewed["agreementStatus"]) == (2, "REVIEW", "DRAFT")
    [earlier] = reviewed["history"]
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Version 2")
    expect(rows.nth(0)).to_contain_text("Current version")
    expect(rows.nth(1)).to_contain_text("Version 1")
    expect(rows.nth(1).get_by_role("cell", name=f"Agreed {long_date(earlier['agreedAt'])}")).to_be_visible()
    expect(rows.nth(1)).to_contain_text(long_date(earlier["supersededAt"]))
    check_screen(page, "plans-15-versions")

    rows.nth(1).get_by_role("link", name="Version 1").click()
    expect(page.get_by_role("heading", name="Sentence plan, version 1")).to_be_visible()
    expect(page.locator("#version-state")).to_contain_text(
        f"As it was when version 2 replaced it on {long_date(earlier['supersededAt'])}"
    )
    first = held.staff.get(f"{plan_url(held, plan)}/versions/1", timeout=10).json()
    expect(page.locator("#agreement")).to_contain_text(f"{po.name} ({first['agreement']['recordedByGrade']})")
    expect(page.locator("#goals > li")).to_have_count(len(first["goals"]))
    expect(page.get_by_role("link", name="Change status")).to_have_count(0)
    check_screen(page, "plans-16-earlier-version")


def make_due(runner: Runner, held: Assessed, plan: dict[str, Any], due: date) -> None:
    """As if the review date had come. It is months after the agreement and the runner's clock cannot be
    moved, so the stored plan's date and its place on its practitioner's work list (GSI4) are set here."""
    table = runner.client("dynamodb")
    key = {"PK": {"S": f"SPLAN#{held.crn}"}, "SK": {"S": f"PLAN#{plan['id']}"}}
    document = json.loads(
        table.get_item(TableName=TABLE, Key=key, ConsistentRead=True)["Item"]["document"]["S"]
    )
    table.update_item(
        TableName=TABLE,
        Key=key,
        UpdateExpression="SET #document = :document, GSI4SK = :place",
        ExpressionAttributeNames={"#document": "document"},
        ExpressionAttributeValues={
            ":document": {"S": json.dumps({**document, "reviewDue": due.isoformat()})},
            ":place": {"S": f"{due.isoformat()}#{held.crn}#{plan['id']}"},
        },
    )


def test_a_plan_due_for_review_is_on_its_practitioners_appointments_page(
    page: Page, runner: Runner, po: Member
) -> None:
    held = assessed_case(runner, po)
    allocate(runner, held.crn, po.code)
    plan = new_plan(held)
    assert plan["staffCode"] == po.code
    ready = changed(held, plan, "POST", "/goals", goal(plan, "Keep my tenancy"))
    changed(held, ready, "POST", "/agreement", {"status": "AGREED"})
    make_due(runner, held, plan, datetime.now(UK).date() - timedelta(days=2))
    listed = held.staff.get(
        f"{runner.base_url}/sentence-plans/practitioners/{po.code}/reviews-due", timeout=10
    )
    [item] = [i for i in listed.json()["items"] if i["planId"] == plan["id"]]

    sign_in(page, runner, staff_code=po.code)
    expect(page.get_by_role("heading", name="My appointments", level=1)).to_be_visible()
    row = page.locator("#reviews-due").get_by_role("row").filter(has_text=held.crn)
    expect(row).to_contain_text(item["personName"])
    expect(row).to_contain_text(long_date(item["reviewDue"]))
    expect(row).to_contain_text(f"Overdue by {-item['daysLeft']} days")
    expect(row).to_contain_text(f"Version {item['planVersion']}, agreed")
    check_screen(page, "plans-17-reviews-due")
    row.get_by_role("link", name="Review the plan").click()
    expect(page.get_by_role("heading", name="Sentence plan", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Start a review")).to_be_visible()


def test_a_plan_with_a_linked_appointment_reads_well_on_a_phone(
    browser: Browser, runner: Runner, po: Member
) -> None:
    held = assessed_case(runner, po)
    plan = new_plan(held)
    start = datetime.combine(datetime.now(UK).date() + timedelta(days=5), datetime.min.time(), UK).replace(
        hour=10
    )
    appointment = held.staff.post(
        f"{held.base}/appointments",
        json={
            "type": "OFFICE_APPOINTMENT",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
        headers={"Idempotency-Key": letters(16)},
        timeout=10,
    )
    assert appointment.status_code == 201, appointment.text
    linked = goal(plan, "Get to every appointment " + "and keep going " * 6)
    linked["steps"][0] |= {"appointmentId": appointment.json()["id"]}
    changed(held, plan, "POST", "/goals", linked)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    context.set_default_timeout(test_web_app.SCREEN_SECONDS * 1000)
    phone = context.new_page()
    try:
        sign_in(phone, runner, staff_code=po.code)
        phone.goto(screen(runner, held, plan))
        expect(phone.get_by_role("heading", name="Sentence plan", exact=True)).to_be_visible()
        expect(phone.locator(".app-linked-appointment")).to_contain_text(
            f"Appointment: Office appointment, {start.day} {start:%B %Y}"
        )
        expect(phone.locator(".app-linked-appointment")).to_contain_text("(Scheduled)")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide: it scrolls sideways on a phone"
        check_screen(phone, "plans-18-plan-phone")
    finally:
        context.close()

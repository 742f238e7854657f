"""A case's lifecycle in a real browser (issue 20): a sentence ended through its confirmation page, which
closes the case; a requirement ended; the termination form refusing bad dates (in the browser and from the
API) and an active breach; no way to end a case one does not hold; a transfer requested, withdrawn, seen in
the receiving team's queue and rejected; and the "due to end" list. The fixtures (Debian's Chromium,
axe-core and the screenshots) are test_web_app's; the cases each test looks for are made over the API here.
"""

import json
import random
import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e import test_web_app
from tests.e2e.conftest import Runner, new_case
from tests.e2e.test_local_stack import eventually
from tests.e2e.test_web_app import PHONE, check_screen, letters, sign_in, sign_out

pytestmark = test_web_app.pytestmark
globals().update({name: getattr(test_web_app, name) for name in ("playwright", "browser", "page")})

UK = ZoneInfo("Europe/London")
TEAM = test_web_app.TEAM  # Hackney
TEAM_NAME = "Hackney"
RECEIVING_TEAM, RECEIVING_TEAM_NAME = "N07CAM", "Camden and Islington"
RECEIVING_MANAGER = "Amara Okafor"  # the demo's senior probation officer in Camden and Islington
OTHER_PSO = "Ruth Evans"  # a demo PSO in Hackney, holding none of these cases
SPOS = {"N07CAM": "Amara Okafor", "N07HAC": "Marcus Bell", "N54SHF": "Gareth Lloyd"}
SENTENCED_DAYS_AGO = 60
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


@dataclass(frozen=True)
class Holder:
    code: str
    name: str


@dataclass(frozen=True)
class Held:
    """A case on a community order (unpaid work, then RAR) that began 60 days ago, allocated to the holder."""

    crn: str
    name: str
    sentence_date: date
    base: str
    staff: requests.Session


def today() -> date:
    return datetime.now(UK).date()


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@pytest.fixture(scope="module")
def holder(runner: Runner) -> Holder:
    admin = runner.session("admin", "manager", subject="web-lifecycle-admin")
    code = f"L{random.randint(100000, 999999)}"
    name = f"Lena {letters(6).title()}"
    made = admin.post(
        f"{runner.base_url}/allocation/practitioners",
        json={"code": code, "name": name, "grade": "PO", "teamCode": TEAM, "contractedHours": 37},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    return Holder(code, name)


def held_case(runner: Runner, holder: Holder, future_appointments: dict[str, int]) -> Held:
    """A new case allocated to ``holder``, with future appointments linked to its requirements (by id)."""
    admin = runner.session("admin", "manager", subject="web-lifecycle-admin")
    first, last = "Morgan", f"Reed{letters(5)}"
    case = admin.post(
        f"{runner.base_url}/cases", json=new_case(firstName=first, lastName=last, teamCode=TEAM), timeout=10
    )
    assert case.status_code == 201, case.text
    crn: str = case.json()["crn"]
    base = f"{runner.base_url}/cases/{crn}"
    sentenced = today() - timedelta(days=SENTENCED_DAYS_AGO)
    conviction: dict[str, Any] = {
        "convictionDate": sentenced.isoformat(),
        "court": "Thames Magistrates' Court",
        "offences": [
            {
                "offenceCode": "04600",
                "offenceDate": (sentenced - timedelta(days=40)).isoformat(),
                "main": True,
            }
        ],
        "sentence": {
            "type": "COMMUNITY",
            "sentenceDate": sentenced.isoformat(),
            "lengthMonths": 12,
            "requirements": [
                {"type": "UNPAID_WORK", "length": 60, "lengthUnit": "HOURS"},
                {"type": "REHABILITATION_ACTIVITY", "length": 10, "lengthUnit": "DAYS"},
            ],
        },
    }
    recorded = admin.post(f"{base}/convictions", json=conviction, timeout=10)
    assert recorded.status_code == 201, recorded.text
    allocate(runner, crn, holder.code)
    staff = runner.session("practitioner", subject=holder.code)
    day = 3
    for requirement_id, count in future_appointments.items():
        for _ in range(count):
            start = datetime.combine(today() + timedelta(days=day), datetime.min.time(), UK).replace(hour=10)
            body = {
                "type": "OFFICE_APPOINTMENT",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
                "requirementId": requirement_id,
            }
            made = staff.post(
                f"{base}/appointments", json=body, headers={"Idempotency-Key": letters(16)}, timeout=10
            )
            assert made.status_code == 201, made.text
            day += 2
    return Held(crn, f"{first} {last}", sentenced, base, staff)


def allocate(runner: Runner, crn: str, practitioner_code: str) -> None:
    manager = runner.session("manager", subject="web-lifecycle-manager")
    url = f"{runner.base_url}/cases/{crn}/allocation"

    def tiered() -> requests.Response | None:
        read = manager.get(url, timeout=10)
        return read if read.status_code == 200 and read.json().get("tier") else None

    current = eventually(tiered, f"{crn} to be tiered and queued")
    body = {"practitionerCode": practitioner_code, "justification": "Lifecycle test."}
    for _ in range(10):  # the case's own events may re-tier it meanwhile: read again and send again
        made = manager.post(url, json=body, headers={"If-Match": current.headers["ETag"]}, timeout=10)
        if made.status_code == 200:
            return
        assert made.status_code == 412, made.text
        time.sleep(0.5)
        current = manager.get(url, timeout=10)
    pytest.fail(f"the allocation of {crn} kept changing")


@pytest.fixture(scope="module")
def shared(runner: Runner, holder: Holder) -> Held:
    """A case the tests below leave open: one future appointment linked to its RAR (requirement 1-2)."""
    return held_case(runner, holder, {"1-2": 1})


def fill_termination(page: Page, day: date | tuple[str, str, str], reason: str = "Completed") -> None:
    parts = (str(day.day), str(day.month), str(day.year)) if isinstance(day, date) else day
    for label, value in zip(("Day", "Month", "Year"), parts, strict=True):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label(reason, exact=True).check()


def case_status(runner: Runner, crn: str) -> str:
    status: str = runner.session("manager").get(f"{runner.base_url}/cases/{crn}", timeout=10).json()["status"]
    return status


# ------------------------------------------------------------------ ending a sentence


def test_a_practitioner_ends_their_case_s_sentence_after_confirming_and_sees_it_closed(
    page: Page, runner: Runner, holder: Holder
) -> None:
    held = held_case(runner, holder, {"1-1": 1, "1-2": 1})
    ended = today() - timedelta(days=1)
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{held.crn}")
    expect(page.get_by_role("heading", name=held.name, exact=True)).to_be_visible()
    page.get_by_role("link", name="End this sentence").click()
    expect(page.get_by_role("heading", name="End this sentence")).to_be_visible()
    expect(page.get_by_text(f"Not before {long_date(held.sentence_date)}")).to_be_visible()
    check_screen(page, "lifecycle-01-termination-form")

    fill_termination(page, ended)
    page.get_by_label("Notes (optional)").fill("Order completed early for good progress.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Are you sure you want to end this sentence?")).to_be_visible()
    answers = page.locator("#answers")
    expect(answers).to_contain_text(long_date(ended))
    expect(answers).to_contain_text("Completed")
    expect(page.locator("#cancelled")).to_have_text("2 future appointments will be cancelled.")
    expect(page.locator("#requirements")).to_contain_text("Unpaid work")
    expect(page.locator("#requirements")).to_contain_text("Rehabilitation activity requirement")
    expect(page.locator("#closes")).to_contain_text("The case will close")
    expect(page.locator("#closes")).to_contain_text(f"{holder.name}'s caseload")
    check_screen(page, "lifecycle-02-termination-confirm")
    assert case_status(runner, held.crn) == "ACTIVE", "nothing changes until it is confirmed"

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/termination")) as sent:
        page.get_by_role("button", name="Yes, end this sentence").click()
    assert UUID.match(sent.value.headers.get("idempotency-key", "")), sent.value.headers
    expect(page.locator("#closed")).to_contain_text("This case is closed")
    expect(page.locator("#closed")).to_contain_text(f"ended on {long_date(ended)}: completed")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The case is closed")
    expect(page.locator("#ended-1")).to_have_text(f"Ended {long_date(ended)}: Completed")
    expect(page.get_by_role("button", name="Arrange an appointment")).to_have_count(0)
    expect(page.get_by_role("link", name="End this sentence")).to_have_count(0)
    expect(page.get_by_role("link", name="End this requirement")).to_have_count(0)
    expect(page.get_by_role("button", name="Transfer to another team")).to_have_count(0)
    check_screen(page, "lifecycle-03-closed-case")

    assert case_status(runner, held.crn) == "CLOSED"
    cancelled = held.staff.get(f"{held.base}/appointments?status=CANCELLED", timeout=10).json()["items"]
    assert len(cancelled) == 2


def test_a_second_press_of_the_confirmation_while_the_first_is_on_its_way_sends_nothing_more(
    page: Page, runner: Runner, holder: Holder
) -> None:
    held = held_case(runner, holder, {"1-1": 1})
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{held.crn}/convictions/1/termination")
    fill_termination(page, today() - timedelta(days=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Are you sure you want to end this sentence?")).to_be_visible()
    sent: list[Route] = []

    def hold(route: Route) -> None:  # held until the test lets it go
        sent.append(route)

    page.route("**/termination", hold)

    confirm = page.get_by_role("button", name="Yes, end this sentence")
    with page.expect_request(lambda request: request.url.endswith("/termination")):
        confirm.click()
    expect(confirm).to_have_attribute("aria-disabled", "true")
    confirm.dispatch_event("click")  # pressed again: aria-disabled alone does not stop a press
    sent[0].continue_()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("sentence ended")
    assert len(sent) == 1, "the second press sent nothing"
    assert case_status(runner, held.crn) == "CLOSED"


def test_the_termination_is_completed_with_the_keyboard_alone(
    page: Page, runner: Runner, holder: Holder
) -> None:
    held = held_case(runner, holder, {})
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{held.crn}")
    expect(page.get_by_role("heading", name=held.name, exact=True)).to_be_visible()
    tab_to(page, "End this sentence")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="End this sentence")).to_be_visible()
    yesterday = today() - timedelta(days=1)
    for part, value in (
        ("date-day", yesterday.day),
        ("date-month", yesterday.month),
        ("date-year", yesterday.year),
    ):
        tab_to(page, part, by="id")
        page.keyboard.type(str(value))
    tab_to(page, "reason", by="id")  # the radios are one stop: the first, "Completed", takes focus
    page.keyboard.press("Space")
    tab_to(page, "notes", by="id")
    page.keyboard.type("Ended by keyboard.")
    tab_to(page, "Continue")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Are you sure you want to end this sentence?")).to_be_visible()
    tab_to(page, "Yes, end this sentence")
    page.keyboard.press("Enter")
    expect(page.locator("#closed")).to_contain_text("This case is closed")
    assert case_status(runner, held.crn) == "CLOSED"


def tab_to(page: Page, wanted: str, *, by: str = "text", presses: int = 250) -> None:
    """Tabs forward until the focused element has this text (or id)."""
    probe = "document.activeElement?.id ?? ''" if by == "id" else "document.activeElement?.textContent ?? ''"
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused: str = page.evaluate(probe)
        if (focused == wanted) if by == "id" else (wanted in focused):
            return
    pytest.fail(f"Tab never reached {wanted!r}")


def test_the_termination_form_refuses_a_two_digit_year_and_a_date_before_the_sentence(
    page: Page, runner: Runner, holder: Holder, shared: Held
) -> None:
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{shared.crn}/convictions/1/termination")
    expect(page.get_by_role("heading", name="End this sentence")).to_be_visible()
    yesterday = today() - timedelta(days=1)

    fill_termination(page, (str(yesterday.day), str(yesterday.month), str(yesterday.year)[2:]))
    page.get_by_role("button", name="Continue").click()
    group = page.locator(".govuk-form-group--error")
    expect(group).to_have_count(1)
    expect(group.locator(".govuk-error-message")).to_contain_text("Year must include 4 numbers")
    assert page.title().startswith("Error: ")
    marked = [p for p in ("day", "month", "year") if "govuk-input--error" in _classes(page, f"#date-{p}")]
    assert marked == ["year"]
    check_screen(page, "lifecycle-04-termination-two-digit-year")

    before = shared.sentence_date - timedelta(days=1)
    fill_termination(page, before)
    page.get_by_role("button", name="Continue").click()
    expect(group.locator(".govuk-error-message")).to_contain_text(
        f"must be on or after {long_date(shared.sentence_date)}"
    )
    page.locator(".govuk-error-summary").get_by_role("link").click()
    assert page.evaluate("document.activeElement.id") == "date-day"

    # The API checks too: a date it refuses (sent as if the browser had not checked) comes back to the form,
    # at the date field, and nothing has changed.
    def earlier(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        body = json.loads(route.request.post_data or "{}")
        route.continue_(post_data=json.dumps({**body, "date": before.isoformat()}))

    page.route("**/convictions/1/termination", earlier)
    fill_termination(page, yesterday)
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Yes, end this sentence").click()
    expect(page.get_by_role("heading", name="End this sentence")).to_be_visible()
    began = f"must not be before the sentence began ({long_date(shared.sentence_date)})"
    expect(page.locator(".govuk-error-summary")).to_contain_text(began)
    expect(page.locator(".govuk-form-group--error .govuk-error-message")).to_contain_text(began)
    assert "govuk-input--error" in _classes(page, "#date-day")
    expect(page.get_by_label("Day", exact=True)).to_have_value(str(yesterday.day))  # what was typed is kept
    check_screen(page, "lifecycle-05-termination-refused-by-the-api")
    page.unroute("**/convictions/1/termination")
    assert case_status(runner, shared.crn) == "ACTIVE"


def _classes(page: Page, selector: str) -> str:
    return page.locator(selector).get_attribute("class") or ""


def test_an_active_breach_must_be_ended_first(
    page: Page, runner: Runner, holder: Holder, shared: Held
) -> None:
    started = shared.staff.post(
        f"{shared.base}/breaches",
        json={"startedOn": today().isoformat(), "reason": "Lifecycle test"},
        headers={"Idempotency-Key": letters(16)},
        timeout=10,
    )
    assert started.status_code == 201, started.text
    try:
        sign_in(page, runner, staff_code=holder.code)
        page.goto(f"{runner.base_url}/#/cases/{shared.crn}/convictions/1/termination")
        fill_termination(page, today(), "Revoked after breach")
        page.get_by_role("button", name="Continue").click()
        breach = f"A breach started on {long_date(today())} is still in progress"
        expect(page.locator("#breach-warning")).to_contain_text(breach)  # said before confirming, and
        page.get_by_role("button", name="Yes, end this sentence").click()
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text(breach)  # when the API refuses
        expect(summary).to_contain_text("Nothing has been changed")
        expect(summary.get_by_role("link")).to_have_attribute("href", f"#/cases/{shared.crn}")
        check_screen(page, "lifecycle-06-termination-breach")
        assert case_status(runner, shared.crn) == "ACTIVE"
    finally:
        ended = shared.staff.post(
            f"{shared.base}/breaches/{started.json()['id']}/end",
            json={"endedOn": today().isoformat(), "outcome": "WITHDRAWN"},
            headers={"Idempotency-Key": letters(16)},
            timeout=10,
        )
        assert ended.status_code == 200, ended.text


def test_the_confirmation_page_works_on_a_phone(
    browser: Browser, runner: Runner, holder: Holder, shared: Held
) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    context.set_default_timeout(test_web_app.SCREEN_SECONDS * 1000)
    phone = context.new_page()
    try:
        sign_in(phone, runner, staff_code=holder.code)
        phone.goto(f"{runner.base_url}/#/cases/{shared.crn}/convictions/1/termination")
        fill_termination(phone, today(), "Transferred out of the jurisdiction")
        phone.get_by_label("Notes (optional)").fill("Moved to Scotland; the order was transferred. " * 4)
        phone.get_by_role("button", name="Continue").click()
        expect(
            phone.get_by_role("heading", name="Are you sure you want to end this sentence?")
        ).to_be_visible()
        expect(phone.locator("#cancelled")).to_contain_text("will be cancelled")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide: it scrolls sideways on a phone"
        check_screen(phone, "lifecycle-07-termination-confirm-phone")
    finally:
        context.close()
    assert case_status(runner, shared.crn) == "ACTIVE"


def test_someone_not_holding_the_case_is_not_offered_to_end_it(
    page: Page, runner: Runner, holder: Holder, shared: Held
) -> None:
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{shared.crn}")
    expect(page.get_by_role("link", name="End this sentence")).to_be_visible()  # its holder is
    sign_out(page)

    sign_in(page, runner, identity=OTHER_PSO)
    page.goto(f"{runner.base_url}/#/cases/{shared.crn}")
    expect(page.get_by_role("heading", name=shared.name, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="End this sentence")).to_have_count(0)
    expect(page.get_by_role("link", name="End this requirement")).to_have_count(0)
    expect(page.get_by_role("button", name="Transfer to another team")).to_have_count(0)
    page.goto(f"{runner.base_url}/#/cases/{shared.crn}/convictions/1/termination")
    expect(page.get_by_role("heading", name="You cannot end this sentence")).to_be_visible()
    expect(page.get_by_label("Day", exact=True)).to_have_count(0)


def test_a_requirement_is_ended_and_its_appointment_cancelled(
    page: Page, runner: Runner, holder: Holder, shared: Held
) -> None:
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{shared.crn}")
    requirements = page.locator("#requirements")
    rar = requirements.locator(".govuk-summary-list__row").filter(has_text="Rehabilitation activity")
    rar.get_by_role("link", name="End this requirement").click()
    expect(page.get_by_role("heading", name="End this requirement")).to_be_visible()
    expect(page.locator("#linked")).to_contain_text("1 future appointment linked to it will be cancelled")
    page.get_by_role("button", name="End requirement").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the date the requirement ended")
    check_screen(page, "lifecycle-08-requirement-termination-error")

    fill_termination(page, today())
    page.get_by_role("button", name="End requirement").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Rehabilitation activity requirement (RAR) ended for {shared.name}: completed"
    )
    expect(rar).to_contain_text(f"Ended {long_date(today())}: completed")
    expect(rar.get_by_role("link", name="End this requirement")).to_have_count(0)
    unpaid = requirements.locator(".govuk-summary-list__row").filter(has_text="Unpaid work")
    expect(unpaid.get_by_role("link", name="End this requirement")).to_be_visible()
    cancelled = shared.staff.get(f"{shared.base}/appointments?status=CANCELLED", timeout=10).json()["items"]
    assert [a["requirementId"] for a in cancelled] == ["1-2"]
    assert case_status(runner, shared.crn) == "ACTIVE"


# ------------------------------------------------------------------ transfers


def test_a_transfer_is_requested_withdrawn_requested_again_and_rejected_by_the_receiving_team(
    page: Page, runner: Runner, holder: Holder, shared: Held
) -> None:
    sign_in(page, runner, staff_code=holder.code)
    page.goto(f"{runner.base_url}/#/cases/{shared.crn}")
    page.get_by_role("button", name="Transfer to another team").click()
    expect(page.get_by_role("heading", name="Transfer to another team")).to_be_visible()
    page.get_by_role("button", name="Request transfer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the team to transfer to")
    check_screen(page, "lifecycle-09-transfer-request-error")

    request_transfer(page, "First request.")
    page.get_by_role("button", name="Withdraw transfer").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Transfer to {RECEIVING_TEAM_NAME} withdrawn"
    )
    expect(page.locator("#transfer")).to_have_count(0)

    page.get_by_role("button", name="Transfer to another team").click()
    reason = f"Moved to Islington, {letters(6)}."
    request_transfer(page, reason)
    check_screen(page, "lifecycle-10-case-transfer-pending")
    sign_out(page)

    sign_in(page, runner, identity=RECEIVING_MANAGER)
    expect(page.get_by_role("heading", name="Unallocated cases")).to_be_visible()
    expect(page.get_by_text(RECEIVING_TEAM_NAME).first).to_be_visible()
    row = page.get_by_role("row").filter(has_text=shared.crn)
    expect(row).to_contain_text(f"Transfer from {TEAM_NAME}")
    check_screen(page, "lifecycle-11-queue-with-transfer")
    row.get_by_role("link", name="Allocate or reject").click()
    expect(page.get_by_role("heading", name=f"Accept the transfer from {TEAM_NAME}")).to_be_visible()
    incoming = page.locator("#incoming-transfer")
    expect(incoming).to_contain_text(reason)
    expect(incoming).to_contain_text(holder.name)
    page.get_by_role("button", name="Reject transfer").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter why you are rejecting the transfer")
    check_screen(page, "lifecycle-12-transfer-reject-error")
    page.get_by_label("Why are you rejecting it?").fill("No capacity in Islington this month.")
    page.get_by_role("button", name="Reject transfer").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Transfer of {shared.name} rejected: the case stays with {TEAM_NAME}"
    )
    expect(page.get_by_role("row").filter(has_text=shared.crn)).to_have_count(0)

    allocation = runner.session("manager").get(f"{shared.base}/allocation", timeout=10).json()
    assert (allocation["teamCode"], allocation["practitionerCode"]) == (TEAM, holder.code)
    assert [t["status"] for t in allocation["transfers"]] == ["WITHDRAWN", "REJECTED"]
    assert allocation["pendingTransfer"] is None


def request_transfer(page: Page, reason: str) -> None:
    page.get_by_label("Team to transfer to").select_option(RECEIVING_TEAM)
    page.get_by_label("Why is the case moving?").fill(reason)
    page.get_by_role("button", name="Request transfer").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"to {RECEIVING_TEAM_NAME} requested"
    )
    expect(page.locator("#transfer")).to_contain_text(f"Transfer to {RECEIVING_TEAM_NAME} requested")


# ------------------------------------------------------------------ due to end


def test_the_due_to_end_list_shows_a_demo_case_ending_soon_and_prompts_its_termination(
    page: Page, runner: Runner
) -> None:
    manager = runner.session("manager")
    soon = None
    for team in (TEAM, *[t for t in SPOS if t != TEAM]):
        items = manager.get(f"{runner.base_url}/allocation/teams/{team}/due-to-end", timeout=10).json()[
            "items"
        ]
        soon = next(((team, i, items) for i in items if 1 < i["daysLeft"] <= 30), None)
        if soon:
            break
    assert soon, "the demo has sentences ending within 30 days"
    team, item, items = soon

    sign_in(page, runner, identity=SPOS[team])
    page.get_by_role("link", name="Due to end").click()
    expect(page.get_by_role("heading", name="Due to end")).to_be_visible()
    if team != TEAM:
        page.goto(f"{runner.base_url}/#/due-to-end/{team}")
    row = page.get_by_role("row").filter(has_text=item["crn"])
    expect(row).to_contain_text(item["name"])
    expect(row).to_contain_text(f"{item['daysLeft']} days")
    ends = date.fromisoformat(item["expectedEndDate"])
    expect(row).to_contain_text(long_date(ends))
    for overdue in (i for i in items if i["daysLeft"] < 0):
        expect(page.get_by_role("row").filter(has_text=overdue["crn"])).to_contain_text("Overdue")
    check_screen(page, "lifecycle-13-due-to-end")

    row.get_by_role("link", name="End this sentence").click()
    expect(page.get_by_role("heading", name="End this sentence")).to_be_visible()
    expect(page.get_by_text(f"expected to end {long_date(ends)}")).to_be_visible()

    if item["practitionerCode"]:  # and the practitioner holding it sees it in their own list
        sign_out(page)
        sign_in(page, runner, staff_code=item["practitionerCode"])
        page.get_by_role("link", name="Due to end").click()
        expect(page.get_by_role("heading", name="Due to end")).to_be_visible()
        expect(page.get_by_text("Your cases")).to_be_visible()
        expect(page.get_by_role("row").filter(has_text=item["crn"])).to_contain_text(
            f"{item['daysLeft']} days"
        )

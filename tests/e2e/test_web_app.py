"""The practitioner web app in a real browser (Debian's Chromium, headless), against the local runner.

Each screen is checked with axe-core for WCAG 2.2 A and AA violations and photographed (full page) into
test-output/screenshots/. What the tests look for on screen comes from the API: a case, a practitioner
and a decision made over HTTP here, so a screen that showed anything else would fail.
"""

import random
import shutil
import string
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

from tests.e2e.conftest import ROOT, Runner, new_case
from tests.e2e.test_local_stack import eventually, record_conviction

CHROMIUM = shutil.which("chromium") or next(
    (path for path in ("/usr/bin/chromium",) if Path(path).is_file()), None
)
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.xdist_group("e2e"),
    pytest.mark.skipif(
        CHROMIUM is None, reason="no Chromium found (apt-get install chromium): the browser tests cannot run"
    ),
]

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
SCREEN_SECONDS = 15
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
TEAM = "N07HAC"
MANAGER = "Marcus Bell"  # the demo's senior probation officer in Hackney, offered on the sign-in screen
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
STABLE_SECONDS = 2.0
YESTERDAY = datetime.now(ZoneInfo("Europe/London")).date() - timedelta(days=1)


@dataclass(frozen=True)
class Story:
    crn: str
    name: str
    practitioner_code: str
    practitioner_name: str


def letters(count: int) -> str:
    return "".join(random.choices(string.ascii_lowercase, k=count))


def settled(read: Any, what: str, seconds: float = 30) -> Any:
    """``read()`` once it has stopped changing (the case's events have finished going round the bus)."""
    deadline = time.monotonic() + seconds
    last = read()
    while True:
        time.sleep(STABLE_SECONDS)
        now = read()
        if now == last:
            return now
        assert time.monotonic() < deadline, f"{what} kept changing"
        last = now


@pytest.fixture(scope="module")
def story(runner: Runner) -> Story:
    """A practitioner of the demo's Hackney team and a new case waiting in that team's queue."""
    admin = runner.session("admin", "manager", subject="web-test-admin")
    code = f"W{random.randint(100000, 999999)}"
    practitioner_name = f"Wendy {letters(6).title()}"
    created = admin.post(
        f"{runner.base_url}/allocation/practitioners",
        json={
            "code": code,
            "name": practitioner_name,
            "grade": "PO",
            "teamCode": TEAM,
            "contractedHours": 37,
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    first, last = "Rowan", f"Quill{letters(5)}"
    case = admin.post(
        f"{runner.base_url}/cases", json=new_case(firstName=first, lastName=last, teamCode=TEAM), timeout=10
    )
    assert case.status_code == 201, case.text
    crn: str = case.json()["crn"]
    base = f"{runner.base_url}/cases/{crn}"
    record_conviction(admin, base, "10500", length_months=36)  # still running, so appointments can be made
    rosh = admin.post(
        f"{base}/registrations", json={"type": "RHRH", "registrationDate": "2025-10-03"}, timeout=10
    )
    assert rosh.status_code == 201, rosh.text

    def queued() -> dict[str, Any] | None:
        queue = admin.get(f"{runner.base_url}/allocation/teams/{TEAM}/unallocated", timeout=10).json()
        entry = next((e for e in queue["items"] if e["crn"] == crn), None)
        return entry if entry and entry["tier"] and entry["rsrBand"] else None

    eventually(queued, "the new case to be tiered and scored in its team's queue")
    settled(lambda: admin.get(f"{base}/allocation", timeout=10).headers["ETag"], "the allocation")
    return Story(crn, f"{first} {last}", code, practitioner_name)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    assert CHROMIUM is not None
    # Chromium's sandbox needs user namespaces, which a root CI container does not have.
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    # The local stack serves one request at a time and a screen makes several: on a busy CI machine a screen
    # can take longer than Playwright's default 5 seconds to settle, for actions and assertions alike.
    context.set_default_timeout(SCREEN_SECONDS * 1000)
    expect.set_options(timeout=SCREEN_SECONDS * 1000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the page threw: {errors}"


def check_screen(page: Page, name: str) -> None:
    """No WCAG 2.2 A/AA violation that axe-core finds, and a full-page screenshot for people to look at."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
            .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' '))}))""",
        WCAG_22_AA,
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)
    report = "\n".join(f"  {v['id']} ({v['impact']}): {v['help']}\n    at {v['nodes']}" for v in violations)
    assert not violations, f"axe found WCAG violations on {name}:\n{report}"


def sign_in(page: Page, runner: Runner, *, identity: str | None = None, staff_code: str = "") -> None:
    page.goto(f"{runner.base_url}/#/sign-in")
    if identity:
        page.get_by_label(identity).check()
        page.get_by_role("button", name="Sign in", exact=True).click()
    else:
        page.get_by_label("Staff code").fill(staff_code)
        page.get_by_label("Practitioner", exact=True).check()
        page.get_by_role("button", name="Sign in with this staff code").click()
    # Signed in once the menu shows: only then may a test go elsewhere, or the home page would follow it.
    expect(page.locator("#service-menu")).to_be_visible()


def test_sign_in_offers_the_demo_staff_and_a_manager_sees_the_team_queue(
    page: Page, runner: Runner, story: Story
) -> None:
    page.goto(f"{runner.base_url}/")
    expect(page.get_by_role("heading", name="Sign in as")).to_be_visible()
    expect(page.get_by_label(MANAGER)).to_be_visible()
    check_screen(page, "01-sign-in")
    sign_in(page, runner, identity=MANAGER)
    expect(page.get_by_role("heading", name="Unallocated cases")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=story.crn)
    expect(row).to_contain_text(story.name)
    expect(row).to_contain_text("High")  # the RoSH band of the registration made over the API
    check_screen(page, "02-unallocated-queue")


def test_a_manager_allocates_the_case_with_a_justification(page: Page, runner: Runner, story: Story) -> None:
    sign_in(page, runner, identity=MANAGER)
    page.get_by_role("row").filter(has_text=story.crn).get_by_role("link", name="Allocate").click()
    expect(page.get_by_role("heading", name="Allocate to a practitioner")).to_be_visible()
    expect(page.get_by_text(f"CRN {story.crn}")).to_be_visible()
    choice = page.get_by_label(story.practitioner_name)
    expect(page.get_by_text("% after").first).to_be_visible()
    expect(page.get_by_text("high or very high RoSH").first).to_be_visible()  # each one's risk load
    check_screen(page, "03-allocation")

    choice.check()
    page.get_by_role("button", name="Allocate case").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why this practitioner should take the case")
    check_screen(page, "03-allocation-error")

    page.get_by_label("Justification").fill("Capacity after allocation and violence experience.")
    page.get_by_role("button", name="Allocate case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{story.name} allocated to {story.practitioner_name}"
    )
    expect(page.get_by_role("row").filter(has_text=story.crn)).to_have_count(0)
    decision = (
        runner.session("manager").get(f"{runner.base_url}/cases/{story.crn}/allocation", timeout=10).json()
    )
    assert (decision["practitionerCode"], decision["status"]) == (story.practitioner_code, "ALLOCATED")


def test_a_practitioner_opens_the_case_from_their_caseload(page: Page, runner: Runner, story: Story) -> None:
    sign_in(page, runner, staff_code=story.practitioner_code)
    # A practitioner starts on their appointments; the caseload is one step away in the menu.
    expect(page.get_by_role("heading", name="My appointments", level=1)).to_be_visible()
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    arranged = runner.session("practitioner", subject=story.practitioner_code).post(
        f"{runner.base_url}/cases/{story.crn}/appointments",
        json={"type": "HOME_VISIT", "start": f"{start:%Y-%m-%dT%H:%M}Z", "end": f"{start:%Y-%m-%d}T11:00Z"},
        headers={"Idempotency-Key": letters(16)},
        timeout=10,
    )
    assert arranged.status_code == 201, arranged.text
    page.get_by_role("link", name="My caseload").click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=story.crn)
    expect(row).to_contain_text(story.name)
    # At a glance: the visit just arranged (10:00 UTC, shown in UK time), and no contact yet.
    expect(row).to_contain_text(f"{start.day} {start:%B %Y}")
    expect(row).to_contain_text("Home visit")
    expect(row).to_contain_text("None recorded")
    check_screen(page, "04-caseload")

    page.get_by_role("link", name=story.name).click()
    expect(page.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
    expect(page.get_by_text(f"CRN {story.crn}")).to_be_visible()
    expect(page.locator(".app-flags")).to_contain_text("High RoSH")
    expect(page.locator(".app-chart").first).to_contain_text("largest contributions")
    expect(page.get_by_text("Highbury Corner").or_(page.get_by_text("Thames Magistrates"))).to_be_visible()
    # A 36-month community order from 1 October 2025 (record_conviction).
    ends = page.locator(".govuk-summary-list__row").filter(has_text="Expected to end")
    expect(ends).to_contain_text("1 October 2028")
    scores = runner.session("practitioner").get(f"{runner.base_url}/cases/{story.crn}/risk", timeout=10)
    lds = scores.json()["latest"]["screening"]["lds"]["ldsScore"]
    lds_row = page.locator(".govuk-summary-list__row").filter(has_text="Learning disability (LDS)")
    expect(lds_row).to_contain_text("Not enough answers" if lds is None else f"Score {lds}")
    check_screen(page, "05-case-overview")


def test_a_contact_draft_survives_a_reload_and_a_conflicting_change(
    page: Page, runner: Runner, story: Story
) -> None:
    notes = f"Discussed accommodation; reference {letters(8)}."
    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    page.get_by_label("Home visit").check()
    fill_date_of_contact(page, YESTERDAY, "14:30")
    page.get_by_label("Attended and complied").check()
    page.get_by_label("Notes").fill(notes)
    check_screen(page, "06-record-contact")

    page.reload()  # as if the tab crashed or the laptop restarted mid-way
    expect(page.locator("#restored")).to_contain_text("has been restored")
    expect(page.get_by_label("Notes")).to_have_value(notes)
    expect(page.get_by_label("Home visit")).to_be_checked()

    # Meanwhile someone else changes the case the draft was written against.
    other = runner.session("practitioner", subject="someone-else")
    current = other.get(f"{runner.base_url}/cases/{story.crn}", timeout=10)
    moved = other.patch(
        f"{runner.base_url}/cases/{story.crn}",
        json={"phoneNumber": "07700 900123"},
        headers={"If-Match": current.headers["ETag"]},
        timeout=10,
    )
    assert moved.status_code == 200, moved.text

    page.get_by_role("button", name="Save contact").click()
    expect(page.locator("#conflict")).to_contain_text("Someone else changed this case")
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_screen(page, "07-record-contact-conflict")

    page.get_by_role("button", name="Reload the case and re-apply my draft").click()
    expect(page.locator("#reloaded")).to_contain_text("re-applied")
    expect(page.get_by_label("Notes")).to_have_value(notes)
    page.get_by_role("button", name="Save contact").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Contact recorded")
    expect(page.locator(".app-timeline")).to_contain_text(notes)

    contacts = other.get(f"{runner.base_url}/cases/{story.crn}/contacts", timeout=10).json()["items"]
    assert [c["notes"] for c in contacts].count(notes) == 1
    assert drafts_in(page) == []
    recorded = next(c for c in contacts if c["notes"] == notes)
    # Typed as UK time (British Summer Time or not), stored as the instant it stands for.
    assert recorded["contactDate"] == uk_wall_time_as_utc(YESTERDAY, 14, 30)


def fill_date_of_contact(page: Page, day: date, time_of_day: str) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Time of contact").fill(time_of_day)


def drafts_in(page: Page) -> list[str]:
    """Every draft kept in the browser's storage (by its key)."""
    keys: list[str] = page.evaluate(
        "Array.from({length: localStorage.length}, (_, i) => localStorage.key(i))"
        ".filter((key) => key.includes('draft'))"
    )
    return keys


def uk_wall_time_as_utc(day: date, hour: int, minute: int) -> str:
    instant = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo("Europe/London"))
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_the_case_overview_works_on_a_phone(browser: Browser, runner: Runner, story: Story) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        sign_in(phone, runner, staff_code=story.practitioner_code)
        phone.goto(f"{runner.base_url}/#/caseload")
        phone.get_by_role("link", name=story.name).click()
        expect(phone.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
        expect(phone.get_by_role("button", name="Menu")).to_be_visible()  # service navigation collapses
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width}px wide: it scrolls sideways on a phone"
        check_screen(phone, "09-case-overview-phone")
    finally:
        context.close()


# ------------------------------------------------------------------ what staff met (issue 18)

PSO = "practitioner"


def sign_out(page: Page) -> None:
    page.get_by_role("link", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in as")).to_be_visible()


def test_a_draft_belongs_to_its_author_and_leaves_with_them(page: Page, runner: Runner, story: Story) -> None:
    """A PO types sensitive notes and signs out; a PSO then signing in on this browser never sees them."""
    secret = f"Disclosed a new partner, {letters(8)}; safeguarding referral to follow."
    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    expect(page.get_by_role("heading", name="Record a contact")).to_be_visible()
    assert drafts_in(page) == [], "opening the form is not typing: it keeps nothing"
    page.get_by_label("Notes").fill(secret)
    assert len(drafts_in(page)) == 1
    sign_out(page)
    assert drafts_in(page) == [], "signing out removes the author's drafts"

    sign_in(page, runner, staff_code=f"PSO{letters(4).upper()}")
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    expect(page.get_by_role("heading", name="Record a contact")).to_be_visible()
    expect(page.locator("#restored")).to_have_count(0)
    expect(page.get_by_label("Notes")).to_have_value("")
    for part in ("Day", "Month", "Year", "Time of contact"):
        expect(page.get_by_label(part)).to_have_value("")
    assert secret not in page.content()


def test_a_draft_left_without_signing_out_is_offered_only_to_its_author(
    page: Page, runner: Runner, story: Story
) -> None:
    notes = f"Half-written {letters(8)}"
    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    page.get_by_label("Notes").fill(notes)
    page.evaluate("sessionStorage.clear()")  # the session ends (tab closed, token expired), no sign-out

    sign_in(page, runner, staff_code=f"PSO{letters(4).upper()}")
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    expect(page.get_by_role("heading", name="Record a contact")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("")
    sign_out(page)

    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    expect(page.locator("#restored")).to_contain_text("has been restored")
    expect(page.get_by_label("Notes")).to_have_value(notes)
    page.get_by_role("button", name="Discard draft").click()
    page.get_by_role("button", name="No, keep it").click()
    expect(page.get_by_label("Notes")).to_have_value(notes)
    page.get_by_role("button", name="Discard draft").click()
    page.get_by_role("button", name="Yes, discard the draft").click()
    expect(page.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
    assert drafts_in(page) == []


def test_a_refusal_for_a_screen_left_behind_leaves_the_sign_in_form_alone(
    page: Page, runner: Runner, story: Story
) -> None:
    """A screen still waiting on the API as the session ends must not redraw the form someone is typing in."""
    sign_in(page, runner, staff_code=story.practitioner_code)
    held: list[Route] = []

    def hold(route: Route) -> None:  # a function of its own: Playwright cannot take a builtin as a handler
        held.append(route)

    page.route("**/overview", hold)
    with page.expect_request("**/overview"):
        page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    page.evaluate("sessionStorage.clear()")
    page.goto(f"{runner.base_url}/#/sign-in")
    page.get_by_label("Staff code").fill("PSO-TYPING")
    with page.expect_event("requestfinished"):
        held[0].fulfill(status=401, json={"title": "Unauthorized", "status": 401})
    page.wait_for_timeout(500)  # the refusal's handling runs in the page's own tasks after the response
    expect(page.get_by_label("Staff code")).to_have_value("PSO-TYPING")


@pytest.mark.parametrize(
    ("day", "month", "year", "time_of_day", "message", "marked"),
    [
        ("3", "2", "26", "14:30", "Year must include 4 numbers", ["Year"]),
        ("3", "2", "2031", "14:30", "Date of contact must be today or in the past", ["Day", "Month", "Year"]),
        ("3", "2", "1900", "14:30", "Date of contact must be on or after", ["Day", "Month", "Year"]),
        ("31", "2", "2026", "14:30", "Date of contact must be a real date", ["Day"]),
        ("3", "", "2026", "14:30", "Date of contact must include a month", ["Month"]),
        ("3", "2", "2026", "", "Enter time of contact", ["Time of contact"]),
        ("3", "2", "2026", "25:61", "Time of contact must be a real time, like 14:30", ["Time of contact"]),
    ],
)
def test_an_impossible_date_or_time_is_refused_the_gov_uk_way_and_nothing_recorded(
    page: Page,
    runner: Runner,
    story: Story,
    day: str,
    month: str,
    year: str,
    time_of_day: str,
    message: str,
    marked: list[str],
) -> None:
    sign_in(page, runner, staff_code=story.practitioner_code)
    before = runner.session("practitioner").get(f"{runner.base_url}/cases/{story.crn}/contacts", timeout=10)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/contact")
    page.get_by_label("Phone call").check()
    for label, value in (("Day", day), ("Month", month), ("Year", year), ("Time of contact", time_of_day)):
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Save contact").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(message)
    assert page.title().startswith("Error: ")
    inputs = {"Day": "#contact-date-day", "Month": "#contact-date-month", "Year": "#contact-date-year"}
    inputs["Time of contact"] = "#time"
    for label, selector in inputs.items():
        has_error = "govuk-input--error" in (page.locator(selector).get_attribute("class") or "")
        assert has_error == (label in marked), f"{label} marked as wrong: {has_error}"
    # The message sits under the hint, inside the field's group, and the field is described by both.
    group = page.locator(".govuk-form-group--error")
    expect(group).to_have_count(1)
    expect(group.locator(".govuk-hint + .govuk-error-message")).to_contain_text(message)
    described = page.locator(
        "#time" if marked == ["Time of contact"] else "#contact-date-day >> xpath=ancestor::fieldset"
    )
    described_by = (described.get_attribute("aria-describedby") or "").split()
    assert [token.rsplit("-", 1)[-1] for token in described_by] == ["hint", "error"]
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == (
        "time" if marked == ["Time of contact"] else inputs[marked[0]].lstrip("#")
    )
    check_screen(page, f"10-contact-error-{message.split(maxsplit=1)[0].lower()}-{year or 'none'}")
    after = runner.session("practitioner").get(f"{runner.base_url}/cases/{story.crn}/contacts", timeout=10)
    assert after.json()["items"] == before.json()["items"]


def test_a_practitioner_is_offered_no_allocation(page: Page, runner: Runner, story: Story) -> None:
    sign_in(page, runner, staff_code=story.practitioner_code)
    expect(page.get_by_role("link", name="My caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Unallocated cases")).to_be_hidden()
    page.goto(f"{runner.base_url}/#/cases/{story.crn}")
    expect(page.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Allocate")).to_have_count(0)
    expect(page.get_by_role("button", name="Reallocate")).to_have_count(0)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/allocation")
    expect(page.get_by_role("heading", name="You cannot allocate cases")).to_be_visible()
    expect(page.get_by_label("Justification")).to_have_count(0)


def test_a_manager_reallocates_an_allocated_case_and_back_returns_to_the_team(
    page: Page, runner: Runner, story: Story
) -> None:
    sign_in(page, runner, identity=MANAGER)
    expect(page.get_by_role("link", name="My caseload")).to_be_hidden()
    page.goto(f"{runner.base_url}/#/queue/{TEAM}")
    expect(page.get_by_role("heading", name="Unallocated cases")).to_be_visible()
    page.goto(f"{runner.base_url}/#/cases/{story.crn}")
    expect(page.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
    allocated = runner.session("manager").get(f"{runner.base_url}/cases/{story.crn}/allocation", timeout=10)
    label = "Reallocate" if allocated.json().get("practitionerCode") else "Allocate"
    expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(f"{runner.base_url}/#/queue/{TEAM}")
    if label == "Reallocate":
        page.goto(f"{runner.base_url}/#/cases/{story.crn}/allocation")
        holder = page.locator(".govuk-radios__item").filter(has_text=story.practitioner_name)
        expect(holder.get_by_text(f"Has supervised {story.name}")).to_be_visible()


def test_people_read_names_not_codes(page: Page, runner: Runner, story: Story) -> None:
    manager = runner.session("manager", subject="web-test-manager")
    base = f"{runner.base_url}/cases/{story.crn}"
    allocation = manager.get(f"{base}/allocation", timeout=10)
    if allocation.json().get("practitionerCode") != story.practitioner_code:
        decision = {"practitionerCode": story.practitioner_code, "justification": "Names test."}
        made = manager.post(
            f"{base}/allocation", json=decision, headers={"If-Match": allocation.headers["ETag"]}, timeout=10
        )
        assert made.status_code == 200, made.text
    author = runner.session("practitioner", subject=story.practitioner_code)
    contact = {
        "type": "PHONE_CALL",
        "contactDate": f"{YESTERDAY.isoformat()}T09:15:00Z",
        "notes": letters(12),
    }
    recorded = author.post(
        f"{base}/contacts", json=contact, headers={"Idempotency-Key": letters(16)}, timeout=10
    )
    assert recorded.status_code == 201, recorded.text
    team_name = next(
        t["name"]
        for t in manager.get(f"{runner.base_url}/allocation/teams", timeout=10).json()["items"]
        if t["code"] == TEAM
    )

    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}")
    expect(page.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Team")).to_contain_text(team_name)
    expect(page.locator(".govuk-summary-list__row").filter(has_text="Allocated to")).to_contain_text(
        story.practitioner_name
    )
    expect(page.locator(".app-timeline")).to_contain_text(f"recorded by {story.practitioner_name}")
    expect(page.locator(".app-chart").first).to_be_visible()
    shown = page.locator("main").inner_text()
    for code in (
        TEAM,
        f"Allocated to\n{story.practitioner_code}",
        "Copas rate",
        "Male age poly",
        "S7q2",
        " | ",
    ):
        assert code not in shown, f"{code!r} is shown where people read"
    page.get_by_text("Model terms for these factors").first.click()
    expect(page.locator(".govuk-details__text code").first).to_be_visible()


def test_the_queue_is_in_priority_order_and_sorts_by_any_column(
    page: Page, runner: Runner, story: Story
) -> None:
    sign_in(page, runner, identity=MANAGER)
    page.goto(f"{runner.base_url}/#/queue/{TEAM}")
    table = page.locator("#queue")
    expect(table).to_be_visible()
    tier_header = table.locator("th").filter(has_text="Tier")
    expect(tier_header).to_have_attribute("aria-sort", "ascending")
    tiers = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    order = "ABCD"
    ranks = [(order.index(t.strip()[0]), -int(t.strip()[1])) for t in tiers if t.strip()[:1] in order]
    assert len(ranks) >= 2, "the demo's Hackney queue has cases to sort"
    assert ranks == sorted(ranks), f"highest priority first: {tiers}"

    days = table.locator("th").filter(has_text="Days waiting")
    days.get_by_role("button").click()
    expect(days).to_have_attribute("aria-sort", "ascending")
    expect(tier_header).to_have_attribute("aria-sort", "none")
    waited = [int(d) for d in table.locator("tbody tr td:nth-child(7)").all_inner_texts()]
    assert waited == sorted(waited)
    days.get_by_role("button").press("Enter")  # by keyboard, the other way
    expect(days).to_have_attribute("aria-sort", "descending")
    waited = [int(d) for d in table.locator("tbody tr td:nth-child(7)").all_inner_texts()]
    assert waited == sorted(waited, reverse=True)
    check_screen(page, "11-queue-sorted")


def test_a_slow_screen_says_it_is_loading(page: Page, runner: Runner, story: Story) -> None:
    sign_in(page, runner, staff_code=story.practitioner_code)

    def slowly(route: Any) -> None:
        time.sleep(1.0)
        route.continue_()

    page.route("**/cases/*/overview", slowly)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}")
    expect(page.get_by_role("status")).to_have_text("Loading…")
    expect(page.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)


def test_on_a_phone_the_caseload_scrolls_within_itself_and_the_case_starts_with_its_latest_contacts(
    browser: Browser, runner: Runner, story: Story
) -> None:
    author = runner.session("practitioner", subject=story.practitioner_code)
    contact = {"type": "HOME_VISIT", "contactDate": f"{YESTERDAY.isoformat()}T11:00:00Z"}
    recorded = author.post(
        f"{runner.base_url}/cases/{story.crn}/contacts",
        json=contact,
        headers={"Idempotency-Key": letters(16)},
        timeout=10,
    )
    assert recorded.status_code == 201, recorded.text
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        sign_in(phone, runner, staff_code=story.practitioner_code)
        phone.goto(f"{runner.base_url}/#/caseload")
        expect(phone.get_by_role("heading", name="My caseload")).to_be_visible()
        region = phone.get_by_role("region", name="Your cases (scrolls sideways)")
        expect(region).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert region.evaluate("(r) => r.scrollWidth > r.clientWidth"), "the table scrolls inside its region"
        check_screen(phone, "12-caseload-phone")

        phone.get_by_role("link", name=story.name).click()
        expect(phone.get_by_role("heading", name=story.name, exact=True)).to_be_visible()
        headings = phone.get_by_role("heading", level=2).all_inner_texts()
        assert headings.index("Latest contacts") < headings.index("Person"), headings
    finally:
        context.close()

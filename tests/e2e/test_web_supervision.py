"""Supervision in a real browser: a practitioner's appointments (the landing page), recording an outcome
with the enforcement choices the outcome and the sentence allow, the compliance banner, arranging an
appointment with a clash, requirement progress, and bad input refused the GOV.UK way with nothing changed.
The fixtures (Debian's Chromium, axe-core and the screenshots) are test_web_app's; what each test looks
for on screen is made over the API here."""

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from tests.e2e import test_web_app
from tests.e2e.conftest import Runner, new_case
from tests.e2e.test_web_app import PHONE, check_screen, letters, sign_in

pytestmark = test_web_app.pytestmark
globals().update({name: getattr(test_web_app, name) for name in ("playwright", "browser", "page")})

UK = ZoneInfo("Europe/London")
TEAM = test_web_app.TEAM
UNPAID_WORK_HOURS = 100


@dataclass(frozen=True)
class Supervised:
    crn: str
    name: str
    practitioner_code: str
    base: str
    staff: requests.Session


@pytest.fixture(scope="module")
def supervised(runner: Runner) -> Supervised:
    """A practitioner of the Hackney team and a case on a community order (unpaid work and RAR) that began
    two months ago, so appointments now fall within it."""
    admin = runner.session("admin", "manager", subject="web-supervision-admin")
    code = f"S{random.randint(100000, 999999)}"
    made = admin.post(
        f"{runner.base_url}/allocation/practitioners",
        json={
            "code": code,
            "name": f"Sam {letters(6).title()}",
            "grade": "PO",
            "teamCode": TEAM,
            "contractedHours": 37,
        },
        timeout=10,
    )
    assert made.status_code == 201, made.text
    first, last = "Jordan", f"Vale{letters(5)}"
    case = admin.post(
        f"{runner.base_url}/cases", json=new_case(firstName=first, lastName=last, teamCode=TEAM), timeout=10
    )
    assert case.status_code == 201, case.text
    crn: str = case.json()["crn"]
    base = f"{runner.base_url}/cases/{crn}"
    sentenced = (datetime.now(UK) - timedelta(days=60)).date().isoformat()
    offence = (datetime.now(UK) - timedelta(days=120)).date().isoformat()
    conviction: dict[str, Any] = {
        "convictionDate": sentenced,
        "court": "Thames Magistrates' Court",
        "offences": [{"offenceCode": "10500", "offenceDate": offence, "main": True}],
        "sentence": {
            "type": "COMMUNITY",
            "sentenceDate": sentenced,
            "lengthMonths": 24,
            "requirements": [
                {"type": "UNPAID_WORK", "length": UNPAID_WORK_HOURS, "lengthUnit": "HOURS"},
                {"type": "REHABILITATION_ACTIVITY", "length": 20, "lengthUnit": "DAYS"},
            ],
        },
    }
    recorded = admin.post(f"{base}/convictions", json=conviction, timeout=10)
    assert recorded.status_code == 201, recorded.text
    staff = runner.session("practitioner", subject=code)
    return Supervised(crn, f"{first} {last}", code, base, staff)


def uk(day_offset: int, hour: int, minute: int = 0) -> datetime:
    day = datetime.now(UK).date() + timedelta(days=day_offset)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UK)


def arrange(s: Supervised, start: datetime, minutes: int = 60, **extra: Any) -> dict[str, Any]:
    body = {
        "type": "OFFICE_APPOINTMENT",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=minutes)).isoformat(),
        "staffCode": s.practitioner_code,
        **extra,
    }
    made = s.staff.post(
        f"{s.base}/appointments", json=body, headers={"Idempotency-Key": letters(16)}, timeout=10
    )
    assert made.status_code == 201, made.text
    result: dict[str, Any] = made.json()
    return result


def appointments(s: Supervised) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = s.staff.get(f"{s.base}/appointments?limit=100", timeout=10).json()["items"]
    return items


def test_the_landing_page_lists_an_appointment_and_its_outcome_is_recorded_with_a_warning(
    page: Page, runner: Runner, supervised: Supervised
) -> None:
    s = supervised
    past = datetime.now(UK).replace(second=0, microsecond=0) - timedelta(hours=3)
    made = arrange(s, past)
    sign_in(page, runner, staff_code=s.practitioner_code)
    expect(page.get_by_role("heading", name="My appointments", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="My appointments")).to_have_attribute("aria-current", "page")
    row = page.locator("#outcomes").get_by_role("row").filter(has_text=s.crn)
    expect(row).to_contain_text(s.name)
    expect(row).to_contain_text("Office appointment")
    check_screen(page, "20-my-appointments")

    row.get_by_role("link", name="Record outcome").click()
    expect(page.get_by_role("heading", name="Record the outcome")).to_be_visible()
    expect(page.get_by_role("group", name="Enforcement action")).to_have_count(0)
    page.get_by_label("Unacceptable absence").check()
    actions = page.get_by_role("group", name="Enforcement action")
    expect(actions.get_by_label("Warning letter")).to_be_visible()
    expect(actions.get_by_label("Breach action initiated")).to_be_visible()
    expect(actions).not_to_contain_text("Recall")
    # Attended and complied takes no enforcement action.
    page.get_by_label("Attended and complied").check()
    expect(page.get_by_role("group", name="Enforcement action")).to_have_count(0)
    page.get_by_label("Unacceptable absence").check()
    check_screen(page, "21-record-outcome")

    page.get_by_role("button", name="Save outcome").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the enforcement action for this failure")
    assert page.title().startswith("Error: ")
    check_screen(page, "22-record-outcome-error")
    unchanged = s.staff.get(f"{s.base}/appointments/{made['id']}", timeout=10).json()
    assert unchanged["outcome"] is None
    assert unchanged["version"] == made["version"]

    page.get_by_label("Warning letter").check()
    page.get_by_label("Notes (optional)").fill("Did not attend; no contact since.")
    page.get_by_role("button", name="Save outcome").click()
    expect(page.get_by_role("heading", name=s.name, exact=True)).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "unacceptable absence, warning letter"
    )
    recorded = s.staff.get(f"{s.base}/appointments/{made['id']}", timeout=10).json()
    assert (recorded["outcome"], recorded["enforcementAction"]) == ("UAAB", "WARNING_LETTER")
    status = s.staff.get(f"{s.base}/compliance", timeout=10).json()["status"]
    assert status == "1 failure to comply in the last 12 months"
    expect(page.locator("#compliance-status")).to_have_text(status)
    check_screen(page, "23-case-compliance")


def test_a_clash_is_shown_and_can_be_confirmed(page: Page, runner: Runner, supervised: Supervised) -> None:
    s = supervised
    booked = arrange(s, uk(2, 10), location="Hackney office")
    before = len(appointments(s))
    sign_in(page, runner, staff_code=s.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{s.crn}")
    page.get_by_role("button", name="Arrange an appointment").click()
    expect(page.get_by_role("heading", name="Arrange an appointment")).to_be_visible()
    when = uk(2, 10, 30)
    page.get_by_label("Video appointment").check()
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Start time").fill("10:30")
    page.get_by_label("End time").fill("11:30")
    check_screen(page, "24-arrange")
    page.get_by_role("button", name="Arrange appointment").click()
    clash = page.locator("#clash")
    expect(clash).to_contain_text("This clashes with 1 appointment")
    expect(clash).to_contain_text("Office appointment")
    expect(clash).to_contain_text("Hackney office")
    assert len(appointments(s)) == before, "nothing is arranged until the clash is confirmed"
    check_screen(page, "25-arrange-clash")

    clash.get_by_role("button", name="Arrange it anyway").click()
    expect(page.get_by_role("heading", name=s.name, exact=True)).to_be_visible()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Video appointment arranged")
    after = appointments(s)
    assert len(after) == before + 1
    assert booked["id"] in {a["id"] for a in after}
    expect(page.locator("#next-appointments")).to_contain_text("Video appointment")


def test_repeats_are_arranged_weekly(page: Page, runner: Runner, supervised: Supervised) -> None:
    s = supervised
    before = len(appointments(s))
    sign_in(page, runner, staff_code=s.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{s.crn}/appointments/new")
    when = uk(3, 7)
    page.get_by_label("Phone call").check()
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Start time").fill("07:00")
    page.get_by_label("End time").fill("07:15")
    page.get_by_label("Every week").check()
    page.get_by_label("Number of appointments in all").fill("3")
    page.get_by_role("button", name="Arrange appointment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "and 2 more appointments every week"
    )
    made = appointments(s)
    phone_calls = sorted(a["start"] for a in made if a["type"] == "PHONE_CALL")
    assert len(phone_calls) == 3
    assert len(made) == before + 3


@pytest.mark.parametrize(
    ("fill", "messages"),
    [
        (
            "before the sentence",
            ["Select the type of appointment", "Date of the appointment must be on or after"],
        ),
        (
            "empty",
            [
                "Select the type of appointment",
                "Enter date of the appointment",
                "Enter start time",
                "Enter end time",
            ],
        ),
    ],
)
def test_bad_input_gets_the_gov_uk_error_pattern_and_arranges_nothing(
    page: Page, runner: Runner, supervised: Supervised, fill: str, messages: list[str]
) -> None:
    s = supervised
    before = appointments(s)
    sign_in(page, runner, staff_code=s.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{s.crn}/appointments/new")
    expect(page.get_by_role("heading", name="Arrange an appointment")).to_be_visible()
    if fill == "before the sentence":
        page.get_by_label("Day").fill("3")
        page.get_by_label("Month").fill("1")
        page.get_by_label("Year").fill("2001")
        page.get_by_label("Start time").fill("10:00")
        page.get_by_label("End time").fill("11:00")
    page.get_by_role("button", name="Arrange appointment").click()
    summary = page.locator(".govuk-error-summary")
    for message in messages:
        expect(summary).to_contain_text(message)
    expect(summary).to_be_focused()
    assert page.title().startswith("Error: ")
    expect(page.locator("#date-day")).to_have_class(re.compile("govuk-input--error"))
    expect(page.locator(".govuk-error-message").first).to_be_visible()
    check_screen(page, f"26-arrange-error-{fill.replace(' ', '-')}")
    assert appointments(s) == before


def test_progress_shows_unpaid_work_hours_done_out_of_the_total(
    page: Page, runner: Runner, supervised: Supervised
) -> None:
    s = supervised
    session = arrange(
        s, uk(-1, 9), minutes=180, type="UNPAID_WORK_SESSION", requirementId="1-1", allowClash=True
    )
    outcome = s.staff.put(
        f"{s.base}/appointments/{session['id']}/outcome",
        json={"outcome": "ATTC", "minutesCredited": 150},
        headers={"If-Match": f'"{session["version"]}"'},
        timeout=10,
    )
    assert outcome.status_code == 200, outcome.text
    items = s.staff.get(f"{s.base}/requirements", timeout=10).json()["items"]
    unpaid = next(r for r in items if r["type"] == "UNPAID_WORK")["progress"]
    assert unpaid["creditedMinutes"] == 150
    sign_in(page, runner, staff_code=s.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{s.crn}")
    progress = page.locator("#requirements")
    expect(progress).to_contain_text(f"2 hours 30 minutes done out of {UNPAID_WORK_HOURS} hours")
    expect(progress).to_contain_text("97 hours 30 minutes left")
    expect(progress).to_contain_text("0 of 20 days completed")
    check_screen(page, "27-case-requirements")


def test_on_a_phone_and_by_keyboard_the_appointments_and_the_outcome_work(
    browser: Browser, runner: Runner, supervised: Supervised
) -> None:
    s = supervised
    arrange(s, datetime.now(UK).replace(second=0, microsecond=0) - timedelta(hours=1), allowClash=True)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        sign_in(phone, runner, staff_code=s.practitioner_code)
        expect(phone.get_by_role("heading", name="My appointments", level=1)).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check_screen(phone, "28-my-appointments-phone")
        link = phone.locator("#outcomes").get_by_role("link", name="Record outcome").first
        link.focus()
        phone.keyboard.press("Enter")
        expect(phone.get_by_role("heading", name="Record the outcome")).to_be_visible()
        phone.get_by_label("Attended and complied").focus()
        phone.keyboard.press("Space")
        expect(phone.get_by_label("Attended and complied")).to_be_checked()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        check_screen(phone, "29-record-outcome-phone")
    finally:
        context.close()


def test_an_appointment_that_has_happened_can_be_recorded_afterwards(
    page: Page, runner: Runner, supervised: Supervised
) -> None:
    """Within the sentence, an appointment may be recorded retrospectively (then its outcome is due)."""
    s = supervised
    before = len(appointments(s))
    sign_in(page, runner, staff_code=s.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{s.crn}/appointments/new")
    when = uk(-1, 8)
    page.get_by_label("Phone call").check()
    page.get_by_label("Day").fill(str(when.day))
    page.get_by_label("Month").fill(str(when.month))
    page.get_by_label("Year").fill(str(when.year))
    page.get_by_label("Start time").fill("08:00")
    page.get_by_label("End time").fill("08:20")
    page.get_by_role("button", name="Arrange appointment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    made = appointments(s)
    assert len(made) == before + 1
    assert any(a["start"].startswith(when.date().isoformat()) for a in made)

"""The OASys assessment in a real browser, as an assessor meets it after a previous assessment: a task list
of sections, answers carried forward to confirm or change, check your answers, complete. The fixtures (a
case in the demo's Hackney team, Debian's Chromium, axe-core and the screenshots) are test_web_app's."""

import re
from datetime import UTC, datetime
from typing import Any

import requests
from playwright.sync_api import Browser, Page, expect

from probation.assessments.catalogue import load_catalogue
from tests.e2e import test_web_app
from tests.e2e.conftest import Runner
from tests.e2e.test_web_app import PHONE, Story, check_screen, letters, settled, sign_in

pytestmark = test_web_app.pytestmark
# test_web_app's fixtures (a case in the demo's Hackney team, Chromium, a page at desk size), which pytest
# finds in this module's namespace by name.
globals().update({name: getattr(test_web_app, name) for name in ("playwright", "browser", "page", "story")})


def answer_required(session: requests.Session, path: str) -> None:
    """Answers every required question the draft at ``path`` lacks, "No" where it can (6.7da among them, so
    that its follow-up is not required), and confirms what an earlier assessment carried forward."""
    catalogue = load_catalogue()
    draft = session.get(path, timeout=10).json()
    changes: dict[str, dict[str, Any]] = {
        code: {"confirm": True}
        for code, answer in draft["answers"].items()
        if answer["source"] == "PREVIOUS_ASSESSMENT" and not answer["confirmed"]
    }
    for code in catalogue.required_for_completion():
        if code not in draft["answers"]:
            options = catalogue.questions[code].option_codes
            changes[code] = {"value": "NO" if "NO" in options else options[0]}
    body = {"answers": changes}
    if changes:
        until_current(
            session,
            path,
            lambda etag: session.patch(path, json=body, headers={"If-Match": etag}, timeout=10),
        )


def until_current(session: requests.Session, path: str, send: Any) -> dict[str, Any]:
    """``send(etag)`` with the ETag read just before, again while the draft changed first (new facts may
    refresh a draft at any moment); the response's body."""
    for _ in range(5):
        response = send(session.get(path, timeout=10).headers["ETag"])
        if response.status_code != 412:
            assert response.status_code == 200, response.text
            body: dict[str, Any] = response.json()
            return body
    raise AssertionError("the draft kept changing")


def carried_forward_draft(session: requests.Session, base: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A completed assessment (every required question answered over the API) and the new draft that
    carries its answers forward, unconfirmed, once the case's events have settled."""
    opened = session.post(f"{base}/assessments", headers={"Idempotency-Key": letters(16)}, timeout=10)
    assert opened.status_code == 201, opened.text
    path = f"{base}/assessments/{opened.json()['assessmentId']}"
    answer_required(session, path)
    previous = until_current(
        session, path, lambda etag: session.post(f"{path}/complete", headers={"If-Match": etag}, timeout=10)
    )
    reopened = session.post(f"{base}/assessments", headers={"Idempotency-Key": letters(16)}, timeout=10)
    assert reopened.status_code == 201, reopened.text
    draft_path = f"{base}/assessments/{reopened.json()['assessmentId']}"
    settled(lambda: session.get(draft_path, timeout=10).headers["ETag"], "the draft")
    draft: dict[str, Any] = session.get(draft_path, timeout=10).json()
    return previous, draft


def blocking(draft: dict[str, Any]) -> list[str]:
    """What stops completion, as the API counts it: required answers carried forward and not confirmed
    (the helper answers 6.7da NO, so no follow-up is required), and required questions unanswered."""
    answers = draft["answers"]
    return [
        code
        for code in load_catalogue().required_for_completion()
        if code not in answers
        or (answers[code]["source"] == "PREVIOUS_ASSESSMENT" and not answers[code]["confirmed"])
    ]


def in_words(moment: str) -> str:
    day = datetime.fromisoformat(moment).astimezone(UTC)
    return f"{day.day} {day:%B %Y}"


def assert_no_codes_or_paths(screen: Page) -> None:
    shown = screen.locator("main").inner_text()
    for leak in (
        "/cases/",
        "/assessments/",
        "PREVIOUS_ASSESSMENT",
        "CASE_RECORD",
        "_V2",
        "6.7da",
        "assessor:",
    ):
        assert leak not in shown, f"{leak!r} is on the screen"


def test_an_assessment_with_carried_forward_answers_is_completed_through_the_task_list(
    browser: Browser,
    page: Page,
    runner: Runner,
    story: Story,
) -> None:
    session = runner.session("practitioner", subject=story.practitioner_code)
    base = f"{runner.base_url}/cases/{story.crn}"
    previous, draft = carried_forward_draft(session, base)
    path = f"{base}/assessments/{draft['assessmentId']}"
    to_confirm = blocking(draft)
    assert to_confirm, "the new draft should carry required answers forward unconfirmed"
    catalogue = load_catalogue()
    accommodation = [code for code in to_confirm if catalogue.questions[code].section == "3"]
    changed = accommodation[0]
    assert changed == "3.3"  # "Currently of no fixed abode": answered "No" last time
    summary = draft["summary"]

    # The task list says up front what stands between the assessor and completion, as the API counts it.
    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}/assessment")
    expect(page.get_by_role("heading", name="OASys assessment", exact=True)).to_be_visible()
    left = page.locator("#what-is-left")
    expect(left).to_contain_text("Answers carried forward from the previous assessment")
    expect(left).to_contain_text(f"confirm or change {len(to_confirm)} answers carried forward")
    expect(
        page.get_by_text(f"{summary['remaining']} of {summary['questions']} questions have no answer yet")
    ).to_be_visible()
    task = page.locator(".govuk-task-list__item").filter(has_text="Section 3: Accommodation")
    expect(task).to_contain_text(f"{len(accommodation)} answers to confirm or change")
    expect(task).to_contain_text("Incomplete")
    assert_no_codes_or_paths(page)
    check_screen(page, "assessment-1-task-list")

    # A section: every question by number and words, its answer shown, its source in words.
    task.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Section 3: Accommodation")).to_be_visible()
    question = page.get_by_role("group", name="3.3 Currently of no fixed abode or in transient accommodation")
    expect(question).to_contain_text(f"From the previous assessment, {in_words(previous['completedAt'])}")
    expect(question.get_by_label("No", exact=True)).to_be_checked()
    assert_no_codes_or_paths(page)
    check_screen(page, "assessment-2-section")

    # Changing an answer keeps it on the screen, with what it replaced.
    question.get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("1 answer saved")
    question = page.get_by_role("group", name="3.3 Currently of no fixed abode or in transient accommodation")
    expect(question.get_by_label("Yes", exact=True)).to_be_checked()
    expect(question).to_contain_text("Answered by you")
    expect(question).to_contain_text("It was “No”, from the previous assessment")

    page.get_by_role("button", name="Confirm all in this section").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{len(accommodation) - 1} answers confirmed"
    )
    expect(
        page.locator(".govuk-task-list__item").filter(has_text="Section 3: Accommodation")
    ).to_contain_text("Completed")
    expect(page.locator("#what-is-left")).to_contain_text(
        f"confirm or change {len(to_confirm) - len(accommodation)} answers carried forward"
    )

    # Completing too early: an error summary whose links reach each question on its section's page.
    page.get_by_role("link", name="Check your answers and complete").click()
    expect(
        page.get_by_role("heading", name="Check your answers before completing the assessment")
    ).to_be_visible()
    page.get_by_role("button", name="Complete assessment").click()
    errors = page.locator(".govuk-error-summary a")
    expect(errors).to_have_count(len(to_confirm) - len(accommodation))
    expect(page).to_have_title(re.compile(r"^Error: "))
    check_screen(page, "assessment-3-complete-errors")
    first = next(code for code in to_confirm if code not in accommodation)
    field = page.locator(f"#q-{first.replace('.', '-')}")
    errors.first.click()
    expect(field).to_be_focused()
    expect(field).to_be_in_viewport()
    group = page.locator(f"#q-{first.replace('.', '-')}-group")
    expect(group).to_have_class(re.compile("govuk-form-group--error"))
    expect(group.locator(".govuk-error-message")).to_contain_text(
        "carried forward from the previous assessment"
    )
    expect(page).to_have_title(re.compile(r"^Error: Section "))
    check_screen(page, "assessment-4-section-errors")

    # Confirm every other section that still needs it, then check and complete.
    page.get_by_role("button", name="Confirm all in this section").click()
    expect(page.get_by_role("heading", name="Sections")).to_be_visible()
    while (pending := page.locator(".govuk-task-list__item").filter(has_text="Incomplete")).count():
        pending.first.get_by_role("link").click()
        page.get_by_role("button", name="Confirm all in this section").click()
        expect(page.get_by_role("heading", name="Sections")).to_be_visible()
    expect(page.locator("#what-is-left")).to_contain_text("Every required question has an answer")
    page.get_by_role("link", name="Check your answers and complete").click()
    row = page.locator(".govuk-summary-list__row").filter(has_text="3.3 Currently of no fixed abode")
    expect(row).to_contain_text("Yes")
    assert_no_codes_or_paths(page)
    check_screen(page, "assessment-5-check-answers")
    page.get_by_role("button", name="Complete assessment").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("OASys assessment completed")

    completed = session.get(path, timeout=10).json()
    assert completed["status"] == "COMPLETED"
    assert completed["answers"][changed]["source"] == "ASSESSOR"
    assert completed["answers"][changed]["value"] == "YES"
    assert all(completed["answers"][code]["confirmed"] for code in to_confirm)


def test_the_assessment_screens_fit_a_phone(
    browser: Browser,
    runner: Runner,
    story: Story,
) -> None:
    session = runner.session("practitioner", subject=story.practitioner_code)
    base = f"{runner.base_url}/cases/{story.crn}"
    carried_forward_draft(session, base)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)  # type: ignore[arg-type]
    phone = context.new_page()
    try:
        sign_in(phone, runner, staff_code=story.practitioner_code)
        phone.goto(f"{runner.base_url}/#/cases/{story.crn}/assessment")
        for heading, then in (
            ("OASys assessment", "Section 3: Accommodation"),
            ("Section 3: Accommodation", "Back to the task list"),
            ("OASys assessment", "Check your answers and complete"),
            ("Check your answers before completing the assessment", None),
        ):
            expect(phone.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            width = phone.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{heading} is {width}px wide: it scrolls sideways on a phone"
            if then:
                phone.get_by_role("link", name=then).click()
        check_screen(phone, "assessment-6-check-answers-phone")
    finally:
        context.close()


def test_the_case_says_who_is_at_risk_from_the_latest_completed_assessment(
    page: Page, runner: Runner, story: Story
) -> None:
    session = runner.session("practitioner", subject=story.practitioner_code)
    base = f"{runner.base_url}/cases/{story.crn}"
    listed = session.get(f"{base}/assessments", timeout=10).json()["items"]
    draft_id = next((a["assessmentId"] for a in listed if a["status"] == "DRAFT"), None)
    if draft_id is None:
        opened = session.post(f"{base}/assessments", headers={"Idempotency-Key": letters(16)}, timeout=10)
        assert opened.status_code == 201, opened.text
        draft_id = opened.json()["assessmentId"]
    path = f"{base}/assessments/{draft_id}"
    answer_required(session, path)
    at_risk = {"answers": {"SUM6.1.1": {"value": "H"}, "SUM6.2.1": {"value": "M"}}}
    until_current(
        session, path, lambda etag: session.patch(path, json=at_risk, headers={"If-Match": etag}, timeout=10)
    )
    until_current(
        session, path, lambda etag: session.post(f"{path}/complete", headers={"If-Match": etag}, timeout=10)
    )

    sign_in(page, runner, staff_code=story.practitioner_code)
    page.goto(f"{runner.base_url}/#/cases/{story.crn}")
    table = page.locator("table").filter(has_text="Risk of serious harm")
    expect(table).to_be_visible()
    expect(table.get_by_role("row").filter(has_text="Children")).to_contain_text("High")
    expect(table.get_by_role("row").filter(has_text="Public")).to_contain_text("Medium")
    check_screen(page, "assessment-7-risk-of-serious-harm")

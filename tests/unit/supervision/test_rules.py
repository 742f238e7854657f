"""The statutory count and prompt, the outcome bookkeeping, repeats, clashes and requirement progress."""

from datetime import UTC, date, datetime, timedelta

import pytest

from probation.domain.supervision import rules
from probation.domain.supervision.reference import reference
from probation.domain.supervision.rules import OutcomeState, RequirementFacts, SentenceFacts
from probation.domain.supervision.summary import (
    Breach,
    BreachKind,
    BreachStatus,
    FailureEntry,
    NextAppointment,
    SupervisionSummary,
)

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
COMMUNITY = SentenceFacts("COMMUNITY", date(2025, 1, 1), date(2027, 1, 1), None)
LICENCE = SentenceFacts("CUSTODY", date(2024, 1, 1), date(2028, 1, 1), date(2025, 6, 1))


def failing(
    summary: SupervisionSummary, key: str, day: date, action: str | None = None
) -> SupervisionSummary:
    return rules.with_outcome(summary, key, None, OutcomeState("UAAB", day, action), TODAY)


def test_a_first_failure_counts_one_and_prompts_nothing() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 5, 1), "WARNING_LETTER")
    result = rules.compliance(summary, COMMUNITY, NOW)
    assert (result.failures_to_comply, result.breach_action_required) == (1, False)
    assert result.status == "1 failure to comply in the last 12 months"


def test_a_further_failure_within_twelve_months_of_a_warning_requires_breach() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 1, 10), "WARNING_LETTER")
    summary = failing(summary, "b", date(2026, 5, 1))
    result = rules.compliance(summary, COMMUNITY, NOW)
    assert (result.failures_to_comply, result.breach_action_required) == (2, True)
    assert result.status == "Breach action required"


def test_two_failures_without_a_warning_do_not_yet_require_breach() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 1, 10), "NO_FURTHER_ACTION")
    summary = failing(summary, "b", date(2026, 5, 1))
    result = rules.compliance(summary, COMMUNITY, NOW)
    assert (result.failures_to_comply, result.breach_action_required) == (2, False)
    assert result.status == "2 failures to comply in the last 12 months"


def test_a_failure_older_than_the_window_no_longer_counts() -> None:
    summary = SupervisionSummary().model_copy(
        update={"failures": {"a": FailureEntry(date=date(2025, 6, 1), outcome="UAAB")}}
    )
    assert rules.compliance(summary, COMMUNITY, NOW).failures_to_comply == 0


def test_failures_before_the_end_of_the_last_breach_do_not_count() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 3, 1), "WARNING_LETTER")
    summary = failing(summary, "b", date(2026, 4, 1))
    ended = rules.pruned(
        summary.model_copy(update={"last_breach_ended_on": date(2026, 4, 2)}), TODAY, reference().rules
    )
    result = rules.compliance(ended, COMMUNITY, NOW)
    assert (result.failures_to_comply, result.breach_action_required, result.warnings) == (0, False, [])


def test_an_active_breach_silences_the_prompt() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 1, 10), "WARNING_LETTER")
    summary = failing(summary, "b", date(2026, 5, 1))
    breach = Breach(
        id="x",
        crn="X000001",
        kind=BreachKind.BREACH,
        status=BreachStatus.ACTIVE,
        started_on=date(2026, 5, 2),
        failure_appointment_ids=["a", "b"],
        failure_dates=[date(2026, 1, 10), date(2026, 5, 1)],
        started_by="me",
        version=1,
    )
    result = rules.compliance(summary.model_copy(update={"active_breach": breach}), COMMUNITY, NOW)
    assert (result.breach_action_required, result.status) == (False, "Breach in progress")


def test_on_licence_the_same_count_prompts_recall_consideration() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 1, 10), "WARNING_LETTER")
    summary = failing(summary, "b", date(2026, 5, 1))
    result = rules.compliance(summary, LICENCE, NOW)
    assert (result.breach_action_required, result.recall_consideration_required) == (False, True)


def test_changing_an_outcome_moves_each_count_once() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 5, 1))
    changed = rules.with_outcome(
        summary, "a", OutcomeState("UAAB", date(2026, 5, 1)), OutcomeState("AAME", date(2026, 5, 1)), TODAY
    )
    assert (changed.counts.unacceptable_absences, changed.counts.acceptable_absences) == (0, 1)
    assert changed.failures == {}


def test_a_second_warning_is_ea03() -> None:
    summary = failing(SupervisionSummary(), "a", date(2026, 1, 10), "WARNING_LETTER")
    summary = failing(summary, "b", date(2026, 2, 10), "WARNING_LETTER")
    assert [summary.warnings[k].code for k in ("a", "b")] == ["EA02", "EA03"]


def test_unpaid_work_progress_is_required_plus_adjustments_less_credited() -> None:
    facts = RequirementFacts("1-1", "UNPAID_WORK", 10, "HOURS")
    summary = rules.with_outcome(
        SupervisionSummary(), "a", None, OutcomeState("ATTC", TODAY, None, 240, "1-1"), TODAY
    )
    tally = summary.tallies["1-1"].model_copy(update={"adjustment_minutes": 60})
    status, progress = rules.requirement_progress(facts, tally, summary, NOW)
    assert progress == {
        "requiredMinutes": 600,
        "creditedMinutes": 240,
        "adjustmentMinutes": 60,
        "remainingMinutes": 420,
    }
    assert status == "IN_PROGRESS"
    done = tally.model_copy(update={"credited_minutes": 660})
    assert rules.requirement_progress(facts, done, summary, NOW)[0] == "COMPLETE"


def test_repeats_by_count_and_until_and_the_limit() -> None:
    start = datetime(2026, 6, 1, 10, tzinfo=UTC)
    end = start + timedelta(hours=1)
    assert len(rules.occurrences(start, end, "FORTNIGHT", 3, None, 30)) == 3
    by_date = rules.occurrences(start, end, "WEEK", None, date(2026, 6, 29), 30)
    assert [s.date() for s, _ in by_date][-1] == date(2026, 6, 29)
    with pytest.raises(ValueError, match="more than 30"):
        rules.occurrences(start, end, "WEEK", None, date(2027, 6, 1), 30)


def test_a_clash_is_an_overlap_with_an_appointment_without_an_outcome() -> None:
    start = datetime(2026, 6, 1, 10, tzinfo=UTC)
    held = NextAppointment(id="a", type="OFFICE_APPOINTMENT", start=start, end=start + timedelta(hours=1))
    assert rules.clashes([(start + timedelta(minutes=30), start + timedelta(hours=2))], [held]) == [held]
    assert rules.clashes([(start + timedelta(hours=1), start + timedelta(hours=2))], [held]) == []
    assert rules.clashes([(start, start + timedelta(hours=1))], [held], ignore="a") == []

"""Pure supervision rules: the Sentencing Act 2020 Sch.10 count and prompt, outcome bookkeeping on the
summary, requirement progress, repeats and clashes. No storage, no clock: the time comes in as an argument."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from probation.domain.cases.models import (
    Conviction,
    RequirementTerminationReason,
    TerminationReason,
)
from probation.domain.supervision.reference import ComplianceRules, OutcomeCategory, Reference, reference
from probation.domain.supervision.summary import (
    Breach,
    BreachKind,
    Compliance,
    FailureEntry,
    LastContact,
    NextAppointment,
    RequirementTally,
    SupervisionSummary,
    Warning,
)
from probation.risk.dates import add_months

WARNING_LETTER = "WARNING_LETTER"
INTERVAL_DAYS = {"WEEK": 7, "FORTNIGHT": 14, "FOUR_WEEKS": 28}


# ------------------------------------------------------------------ the sentence


@dataclass(frozen=True)
class RequirementFacts:
    id: str
    type: str
    length: int | None
    length_unit: str | None
    ended: str | None = None  # COMPLETED or REVOKED: by its own termination, or its sentence's


@dataclass(frozen=True)
class SentenceFacts:
    """What the rules need of the current sentence: the latest active conviction's, else (a closed case) the
    latest conviction's."""

    sentence_type: str
    sentence_date: date
    end_date: date
    release_date: date | None
    requirements: tuple[RequirementFacts, ...] = ()
    conviction_number: int = 0
    terminated: bool = False

    def on_licence(self, today: date) -> bool:
        """A custodial sentence whose release date has passed: licence or post-sentence supervision."""
        return (
            self.sentence_type == "CUSTODY" and self.release_date is not None and self.release_date <= today
        )

    def requirement(self, requirement_id: str) -> RequirementFacts | None:
        return next((r for r in self.requirements if r.id == requirement_id), None)


def requirement_id(conviction_number: int, index: int) -> str:
    """A requirement's id: its conviction's number and its place in the sentence (``1-2``)."""
    return f"{conviction_number}-{index + 1}"


def sentence_facts(convictions: Iterable[Conviction]) -> SentenceFacts | None:
    """The current sentence: the latest active conviction's, else the latest one's (a closed case)."""
    listed = list(convictions)
    latest = max(listed, key=lambda c: (c.active, c.conviction_date, c.conviction_number), default=None)
    if latest is None:
        return None
    sentence = latest.sentence
    sentence_ended = _requirement_ending(latest.termination.reason) if latest.termination else None
    return SentenceFacts(
        sentence_type=str(sentence.type),
        sentence_date=sentence.sentence_date,
        end_date=sentence.expected_end_date,
        release_date=sentence.release_date,
        requirements=tuple(
            RequirementFacts(
                id=requirement_id(latest.conviction_number, index),
                type=str(requirement.type),
                length=requirement.length,
                length_unit=str(requirement.length_unit) if requirement.length_unit else None,
                ended=_ended(latest, requirement_id(latest.conviction_number, index), sentence_ended),
            )
            for index, requirement in enumerate(sentence.requirements)
        ),
        conviction_number=latest.conviction_number,
        terminated=not latest.active,
    )


def _requirement_ending(reason: TerminationReason) -> RequirementTerminationReason:
    """A sentence that ends completed completes its requirements; any other ending revokes them."""
    return (
        RequirementTerminationReason.COMPLETED
        if reason is TerminationReason.COMPLETED
        else RequirementTerminationReason.REVOKED
    )


def _ended(conviction: Conviction, requirement: str, sentence_ended: str | None) -> str | None:
    own = conviction.requirement_terminations.get(requirement)
    return str(own.reason) if own else sentence_ended


# ------------------------------------------------------------------ the statutory count


def counted_from(facts: SentenceFacts | None, summary: SupervisionSummary) -> date | None:
    """Failures count from the later of the sentence date and the end of the last breach (exclusive)."""
    starts = [d for d in (facts.sentence_date if facts else None, summary.last_breach_ended_on) if d]
    return max(starts) if starts else None


def _countable(day: date, facts: SentenceFacts | None, summary: SupervisionSummary) -> bool:
    if facts is not None and day < facts.sentence_date:
        return False
    ended = summary.last_breach_ended_on
    return ended is None or day > ended


def failures_to_comply(
    summary: SupervisionSummary, facts: SentenceFacts | None, today: date, rules: ComplianceRules
) -> list[date]:
    """The distinct dates of unacceptable failures within the window, since the sentence or the last
    breach."""
    window_start = add_months(today, -rules.window_months)
    return sorted(
        {
            entry.date
            for entry in summary.failures.values()
            if entry.date > window_start and entry.date <= today and _countable(entry.date, facts, summary)
        }
    )


def warnings_in_force(summary: SupervisionSummary, facts: SentenceFacts | None, today: date) -> list[Warning]:
    return sorted(
        (
            w
            for w in summary.warnings.values()
            if w.in_force_until >= today and _countable(w.failure_date, facts, summary)
        ),
        key=lambda w: (w.failure_date, w.appointment_id),
    )


def breach_threshold_reached(
    failure_dates: list[date], warnings: list[Warning], rules: ComplianceRules
) -> bool:
    """Sch.10 para 5-6: after the warnings allowed, a further unacceptable failure within the window of a
    warning requires breach action."""
    for failure in failure_dates:
        earlier = [w for w in warnings if w.failure_date < failure <= w.in_force_until]
        if len(earlier) >= rules.warnings_before_breach:
            return True
    return False


def compliance(
    summary: SupervisionSummary,
    facts: SentenceFacts | None,
    now: datetime,
    ref: Reference | None = None,
) -> Compliance:
    rules = (ref or reference()).rules
    today = now.astimezone(UTC).date()
    dates = failures_to_comply(summary, facts, today, rules)
    warnings = warnings_in_force(summary, facts, today)
    licence = facts.on_licence(today) if facts else False
    breach = summary.active_breach
    prompted = breach is None and breach_threshold_reached(dates, warnings, rules)
    counts = summary.counts.model_copy(
        update={"outcome_not_recorded": sum(1 for a in summary.open.values() if a.start <= now)}
    )
    return Compliance(
        failures_to_comply=len(dates),
        breach_action_required=prompted and not licence,
        recall_consideration_required=prompted and licence,
        active_breach=breach,
        warnings=warnings,
        counts=counts,
        status=status_sentence(len(dates), breach, prompted, licence, rules),
    )


def status_sentence(
    failures: int, breach: Breach | None, prompted: bool, licence: bool, rules: ComplianceRules
) -> str:
    if breach is not None:
        return "Recall in progress" if breach.kind is BreachKind.RECALL else "Breach in progress"
    if prompted:
        return "Recall consideration required" if licence else "Breach action required"
    if failures == 0:
        return "No failures to comply"
    window = f"{rules.window_months} months"
    return f"{failures} failure{'s' if failures > 1 else ''} to comply in the last {window}"


# ------------------------------------------------------------------ outcome bookkeeping


@dataclass(frozen=True)
class OutcomeState:
    """An appointment's recorded outcome, as far as the summary is concerned."""

    code: str
    day: date
    action: str | None = None
    minutes_credited: int | None = None
    requirement_id: str | None = None


COUNT_FIELDS = {
    OutcomeCategory.ATTENDED_COMPLIED: "attended_complied",
    OutcomeCategory.ATTENDED_FAILED_TO_COMPLY: "attended_failed_to_comply",
    OutcomeCategory.UNACCEPTABLE_ABSENCE: "unacceptable_absences",
    OutcomeCategory.AWAITING_EVIDENCE: "awaiting_evidence",
    OutcomeCategory.ACCEPTABLE_ABSENCE: "acceptable_absences",
}
RESCHEDULE_COUNT_FIELDS = {
    "PERSON_ON_PROBATION": "rescheduled_by_person_on_probation",
    "SERVICE": "rescheduled_by_service",
}


def _count_field(code: str, ref: Reference) -> str | None:
    if code in ref.outcomes:
        return COUNT_FIELDS[ref.outcomes[code].category]
    if code in ref.rescheduling:
        return RESCHEDULE_COUNT_FIELDS[ref.rescheduling[code]]
    return None


def with_outcome(
    summary: SupervisionSummary,
    appointment_id: str,
    old: OutcomeState | None,
    new: OutcomeState | None,
    today: date,
    ref: Reference | None = None,
) -> SupervisionSummary:
    """The summary after an appointment's outcome moves from ``old`` to ``new`` (either may be None: none
    recorded). Each transition moves every count once: the caller writes it conditionally on the version
    read."""
    ref = ref or reference()
    counts = summary.counts.model_dump()
    failures = dict(summary.failures)
    warnings = dict(summary.warnings)
    tallies = {key: value.model_copy() for key, value in summary.tallies.items()}
    open_appointments = dict(summary.open)
    for state, step in ((old, -1), (new, 1)):
        if state is None:
            continue
        name = _count_field(state.code, ref)
        if name:
            counts[name] = max(0, counts[name] + step)
        if state.requirement_id:
            tally = tallies.get(state.requirement_id, RequirementTally())
            attended = dict(tally.attended_dates)
            key = state.day.isoformat()
            sessions = tally.sessions_attended
            if state.code == "ATTC":
                attended[key] = attended.get(key, 0) + step
                if attended[key] <= 0:
                    del attended[key]
                sessions = max(0, sessions + step)
            tallies[state.requirement_id] = tally.model_copy(
                update={
                    "credited_minutes": tally.credited_minutes + step * (state.minutes_credited or 0),
                    "attended_dates": attended,
                    "sessions_attended": sessions,
                }
            )
    failures.pop(appointment_id, None)
    warnings.pop(appointment_id, None)
    if new is not None:
        open_appointments.pop(appointment_id, None)
        code = ref.outcomes.get(new.code)
        if code is not None and code.unacceptable_failure:
            failures[appointment_id] = FailureEntry(date=new.day, outcome=new.code, action=new.action)
        if new.action == WARNING_LETTER:
            action = ref.actions[WARNING_LETTER]
            warnings[appointment_id] = Warning(
                appointment_id=appointment_id,
                failure_date=new.day,
                code=action.code_for(len(warnings)),
                in_force_until=add_months(new.day, ref.rules.window_months),
            )
    return pruned(
        summary.model_copy(
            update={
                "counts": summary.counts.model_validate(counts),
                "failures": failures,
                "warnings": warnings,
                "tallies": tallies,
                "open": open_appointments,
            }
        ),
        today,
        ref.rules,
    )


def pruned(summary: SupervisionSummary, today: date, rules: ComplianceRules) -> SupervisionSummary:
    """Drops the failures and warnings that can never count again, so the summary stays small."""
    window_start = add_months(today, -rules.window_months)
    ended = summary.last_breach_ended_on
    return summary.model_copy(
        update={
            "failures": {
                key: entry
                for key, entry in summary.failures.items()
                if entry.date > window_start and (ended is None or entry.date > ended)
            },
            "warnings": {
                key: warning
                for key, warning in summary.warnings.items()
                if warning.in_force_until >= today and (ended is None or warning.failure_date > ended)
            },
        }
    )


def with_recent(
    summary: SupervisionSummary, entry: Mapping[str, object], ref: Reference | None = None
) -> SupervisionSummary:
    """The head of the timeline with ``entry`` (a timeline contact, by its ``contactId``) put in or replaced:
    newest first, bounded."""
    limit = (ref or reference()).rules.recent_timeline_entries
    kept = [e for e in summary.recent if e.get("contactId") != entry.get("contactId")]
    kept.append(dict(entry))
    kept.sort(key=lambda e: (str(e.get("contactDate")), str(e.get("contactId"))), reverse=True)
    return summary.model_copy(update={"recent": kept[:limit], "last_contact": _last_contact(summary, entry)})


def _last_contact(summary: SupervisionSummary, entry: Mapping[str, object]) -> LastContact | None:
    """A contact, or an appointment once its outcome is recorded, took place; a scheduled, moved or cancelled
    appointment did not."""
    if entry.get("appointmentStatus") not in (None, "COMPLETED"):
        return summary.last_contact
    candidate = LastContact.model_validate(
        {"contactId": entry["contactId"], "type": entry["type"], "date": entry["contactDate"]}
    )
    latest = summary.last_contact
    return candidate if latest is None or candidate.date >= latest.date else latest


def _upcoming(summary: SupervisionSummary, now: datetime) -> list[NextAppointment]:
    return sorted((a for a in summary.open.values() if a.start > now), key=lambda a: (a.start, a.id))


def next_appointment(summary: SupervisionSummary, now: datetime) -> NextAppointment | None:
    return next(iter(_upcoming(summary, now)), None)


def next_appointments(
    summary: SupervisionSummary, now: datetime, ref: Reference | None = None
) -> list[NextAppointment]:
    return _upcoming(summary, now)[: (ref or reference()).rules.next_appointments_shown]


# ------------------------------------------------------------------ requirement progress


def requirement_progress(
    facts: RequirementFacts, tally: RequirementTally | None, summary: SupervisionSummary, now: datetime
) -> tuple[str, dict[str, int | None]]:
    """(status, progress) of one requirement: unpaid work minutes, RAR days, programme sessions."""
    tally = tally or RequirementTally()
    status, progress = _progress(facts, tally, summary, now)
    if facts.ended is not None:
        status = "COMPLETE" if facts.ended == RequirementTerminationReason.COMPLETED else "TERMINATED"
    return status, progress


def _progress(
    facts: RequirementFacts, tally: RequirementTally, summary: SupervisionSummary, now: datetime
) -> tuple[str, dict[str, int | None]]:
    if facts.type == "UNPAID_WORK":
        hours = facts.length if facts.length_unit == "HOURS" else None
        required = (hours or 0) * 60
        remaining = required + tally.adjustment_minutes - tally.credited_minutes
        return ("COMPLETE" if remaining <= 0 else "IN_PROGRESS"), {
            "requiredMinutes": required,
            "creditedMinutes": tally.credited_minutes,
            "adjustmentMinutes": tally.adjustment_minutes,
            "remainingMinutes": remaining,
        }
    if facts.type == "REHABILITATION_ACTIVITY":
        required_days = facts.length if facts.length_unit == "DAYS" else None
        completed = len(tally.attended_dates)
        scheduled = len(
            {a.start.date() for a in summary.open.values() if a.requirement_id == facts.id and a.start > now}
        )
        done = required_days is not None and completed >= required_days
        return ("COMPLETE" if done else "IN_PROGRESS"), {
            "requiredDays": required_days,
            "completedDays": completed,
            "scheduledDays": scheduled,
        }
    if facts.type == "ACCREDITED_PROGRAMME":
        required_sessions = facts.length if facts.length_unit == "DAYS" else None
        done = required_sessions is not None and tally.sessions_attended >= required_sessions
        return ("COMPLETE" if done else "IN_PROGRESS"), {
            "sessionsAttended": tally.sessions_attended,
            "sessionsRequired": required_sessions,
        }
    return "IN_PROGRESS", {}


# ------------------------------------------------------------------ repeats and clashes


def occurrences(
    start: datetime, end: datetime, interval: str | None, count: int | None, until: date | None, limit: int
) -> list[tuple[datetime, datetime]]:
    """The first appointment and its repeats: every ``interval`` for ``count`` in all, or until ``until``
    (inclusive). Raises ValueError past ``limit``."""
    if interval is None:
        return [(start, end)]
    step = timedelta(days=INTERVAL_DAYS[interval])
    result: list[tuple[datetime, datetime]] = []
    current = 0
    while True:
        at = start + step * current
        if count is not None and current >= count:
            break
        if until is not None and at.date() > until:
            break
        result.append((at, end + step * current))
        current += 1
        if len(result) > limit:
            raise ValueError(f"makes more than {limit} appointments: split it into several")
    return result


def clashes(
    slots: Iterable[tuple[datetime, datetime]],
    open_appointments: Iterable[NextAppointment],
    ignore: str | None = None,
) -> list[NextAppointment]:
    """The person's appointments without an outcome that overlap any of ``slots``."""
    found: list[NextAppointment] = []
    existing = [a for a in open_appointments if a.id != ignore]
    for start, end in slots:
        found.extend(a for a in existing if a.start < end and start < a.end and a not in found)
    return found

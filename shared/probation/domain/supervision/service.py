"""The supervision service: appointments and outcomes, enforcement, breaches, compliance, requirement progress
and work lists. Pure: storage, clock and ids come in through small interfaces."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from probation.domain.audit import AuditAction, AuditingService
from probation.domain.cases.models import (
    ContactOutcome,
    ContactSource,
    Conviction,
    NewRequirementTermination,
    NewTermination,
    RequirementTermination,
    Termination,
)
from probation.domain.cases.ports import SUMMARY_ATTEMPTS, SummaryChanged
from probation.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    Unavailable,
    stale,
)
from probation.domain.events import DomainEvent, case_event
from probation.domain.principal import STAFF_ROLES, Caller, PrincipalKind, Role
from probation.domain.supervision import rules
from probation.domain.supervision.models import (
    Adjustment,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    BreachEnd,
    Cancellation,
    NewAdjustment,
    NewAppointment,
    NewBreach,
    OutcomeRecord,
    PreviousOutcome,
    RequirementList,
    RequirementView,
    Reschedule,
    WorkItem,
    WorkListKind,
)
from probation.domain.supervision.ports import (
    AppointmentChanged,
    CaseView,
    NotTheirs,
    SupervisionRepository,
)
from probation.domain.supervision.reference import OutcomeCategory, Reference, reference
from probation.domain.supervision.rules import OutcomeState, SentenceFacts
from probation.domain.supervision.summary import (
    Breach,
    BreachKind,
    BreachStatus,
    Compliance,
    NextAppointment,
    RequirementTally,
    SupervisionSummary,
)
from probation.risk.dates import add_months

WRITERS = STAFF_ROLES | {Role.PARTNER}
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
T = TypeVar("T")

CONTACT_OUTCOMES = {
    OutcomeCategory.ATTENDED_COMPLIED: ContactOutcome.ATTENDED_COMPLIED,
    OutcomeCategory.ATTENDED_FAILED_TO_COMPLY: ContactOutcome.ATTENDED_FAILED_TO_COMPLY,
    OutcomeCategory.UNACCEPTABLE_ABSENCE: ContactOutcome.FAILED_TO_ATTEND_UNACCEPTABLE,
    OutcomeCategory.ACCEPTABLE_ABSENCE: ContactOutcome.FAILED_TO_ATTEND_ACCEPTABLE,
}


@dataclass(kw_only=True)
class SupervisionService(AuditingService):
    audit_resource = "appointment"
    repository: SupervisionRepository
    ref: Reference | None = None

    @property
    def _ref(self) -> Reference:
        return self.ref or reference()

    # ------------------------------------------------------------------ appointments

    def create_appointments(self, crn: str, new: NewAppointment, caller: Caller) -> Appointment:
        """The first appointment; a repeat makes the others too, linked by ``seriesId``."""
        partner_id = self._writer(caller)
        limit = self._ref.rules.max_repeats
        repeat = new.repeat
        try:
            slots = rules.occurrences(
                new.start,
                new.end,
                repeat.interval.value if repeat else None,
                repeat.count if repeat else None,
                repeat.until if repeat else None,
                limit,
            )
        except ValueError as error:
            raise InvalidInput([FieldError("repeat", str(error))]) from None

        def attempt(view: CaseView) -> Appointment:
            facts = self._sentence(view, "start")
            self._within_sentence(facts, slots)
            if new.requirement_id is not None and facts.requirement(new.requirement_id) is None:
                raise _no_requirement(new.requirement_id, facts)
            if not new.allow_clash:
                self._no_clash(slots, view.summary, None)
            now = self.clock.now()
            series_id = self.new_id() if len(slots) > 1 else None
            made = [
                Appointment(
                    id=self.new_id(),
                    crn=crn,
                    type=new.type,
                    contact_type_code=self._ref.appointment_codes.get(new.type.value),
                    start=start,
                    end=end,
                    status=AppointmentStatus.SCHEDULED,
                    requirement_id=new.requirement_id,
                    location=new.location,
                    notes=new.notes,
                    staff_code=new.staff_code or (None if partner_id else view.holder.staff_code),
                    team_code=view.holder.team_code or view.case.team_code,
                    series_id=series_id,
                    source=ContactSource.PARTNER if partner_id else ContactSource.STAFF,
                    partner_id=partner_id,
                    created_by=caller.principal.subject,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                for start, end in slots
            ]
            summary = view.summary.model_copy(
                update={
                    "version": view.summary.version + 1,
                    "open": {**view.summary.open, **{a.id: _next(a) for a in made}},
                }
            )
            first = made[0]
            event = self._event(
                caller,
                "probation-case.appointment.created",
                crn,
                f"{len(made)} {first.type} appointment(s) arranged for {crn}",
                f"/cases/{crn}/appointments/{first.id}",
                appointmentId=first.id,
                appointmentIds=[a.id for a in made],
                seriesId=series_id,
                appointmentType=first.type,
                contactTypeCode=first.contact_type_code,
                start=first.start.isoformat(),
                end=first.end.isoformat(),
                requirementId=first.requirement_id,
                staffCode=first.staff_code,
                source=first.source,
            )
            self.repository.create_appointments(
                crn,
                made,
                summary,
                [event],
                self._audit(caller, crn, AuditAction.CREATE, event),
                partner_id,
            )
            return first

        return self._with_retries(crn, attempt)

    def appointment(self, crn: str, appointment_id: str, caller: Caller) -> Appointment:
        self._reader(caller)
        found = self._appointment(crn, appointment_id, caller)
        self._record_read(caller, crn)
        return found

    def appointments(
        self,
        crn: str,
        start: datetime | None,
        end: datetime | None,
        status: AppointmentStatus | None,
        limit: int,
        cursor: str | None,
        caller: Caller,
    ) -> tuple[list[Appointment], str | None]:
        partner_id = self._reader(caller)
        if start and end and end < start:
            raise InvalidInput([FieldError("to", "must not be before from")])
        self._view(crn, partner_id)
        items, next_cursor = self.repository.appointments(
            crn,
            start or datetime(1900, 1, 1, tzinfo=UTC),
            end or datetime(2999, 12, 31, tzinfo=UTC),
            limit,
            cursor,
        )
        if status is not None:
            items = [a for a in items if a.status is status]
        self._record_read(caller, crn, "appointments")
        return items, next_cursor

    def record_outcome(
        self,
        crn: str,
        appointment_id: str,
        record: OutcomeRecord,
        expected_version: int | None,
        caller: Caller,
    ) -> Appointment:
        partner_id = self._writer(caller)
        if expected_version is None:
            raise PreconditionRequired("Recording an outcome needs If-Match with the appointment's ETag.")
        outcome = self._ref.outcomes.get(record.outcome)
        if outcome is None:
            known = ", ".join(self._ref.outcomes)
            raise InvalidInput(
                [FieldError("outcome", f"{record.outcome} is not an outcome code: one of {known}")]
            )

        def attempt(view: CaseView) -> Appointment:
            current = self._at_version(crn, appointment_id, caller, expected_version)
            if current.status in (AppointmentStatus.RESCHEDULED, AppointmentStatus.CANCELLED):
                raise Conflict(
                    f"Appointment {appointment_id} was {current.status.lower()}: it takes no outcome."
                )
            now = self.clock.now()
            if current.start > now:
                raise Conflict(
                    f"Appointment {appointment_id} has not started yet: record its outcome afterwards."
                )
            action = self._action_for(record, outcome.category)
            self._minutes_fit(record, current)
            today = now.date()
            warnings_in_force = len(view.summary.warnings) - (
                1 if appointment_id in view.summary.warnings else 0
            )
            action_type = self._ref.actions.get(action) if action else None
            updated = current.model_copy(
                update={
                    "status": AppointmentStatus.COMPLETED,
                    "outcome": outcome.code,
                    "outcome_description": outcome.description,
                    "attended": outcome.attended,
                    "complied": outcome.complied,
                    "enforcement_action": action,
                    "enforcement_action_code": action_type.code_for(warnings_in_force)
                    if action_type
                    else None,
                    "response_by": today + timedelta(days=action_type.response_by_days)
                    if action_type and action_type.response_by_days is not None
                    else None,
                    "evidence_due_date": current.start.date()
                    + timedelta(days=self._ref.rules.evidence_due_days)
                    if outcome.awaiting_evidence
                    else None,
                    "minutes_credited": record.minutes_credited,
                    "outcome_notes": record.notes,
                    "outcome_recorded_at": now,
                    "outcome_recorded_by": caller.principal.subject,
                    "previous_outcomes": [*current.previous_outcomes, _previous(current)]
                    if current.outcome
                    else current.previous_outcomes,
                    "updated_at": now,
                    "version": current.version + 1,
                }
            )
            summary = rules.with_outcome(
                view.summary, appointment_id, _state(current), _state(updated), today, self._ref
            )
            summary = rules.with_recent(summary, timeline_entry(updated, self._ref), self._ref)
            summary = summary.model_copy(update={"version": view.summary.version + 1})
            events = [
                self._event(
                    caller,
                    "probation-case.appointment.outcome-recorded",
                    crn,
                    f"Outcome {outcome.code} recorded for an appointment of {crn}",
                    f"/cases/{crn}/appointments/{appointment_id}",
                    appointmentId=appointment_id,
                    outcome=outcome.code,
                    attended=outcome.attended,
                    complied=outcome.complied,
                    previousOutcome=current.outcome,
                    enforcementAction=action,
                    minutesCredited=record.minutes_credited,
                    requirementId=current.requirement_id,
                    source=updated.source,
                )
            ]
            if action is not None:
                events.append(
                    self._event(
                        caller,
                        "probation-case.enforcement.action-recorded",
                        crn,
                        f"Enforcement action {action} recorded for {crn}",
                        f"/cases/{crn}/appointments/{appointment_id}",
                        appointmentId=appointment_id,
                        enforcementAction=action,
                        enforcementActionCode=updated.enforcement_action_code,
                        responseBy=updated.response_by.isoformat() if updated.response_by else None,
                        outcome=outcome.code,
                    )
                )
            self._change(
                crn, [(current, updated)], [], summary, events, caller, partner_id, AuditAction.UPDATE
            )
            return updated

        return self._with_retries(crn, attempt)

    def reschedule(
        self, crn: str, appointment_id: str, change: Reschedule, expected_version: int | None, caller: Caller
    ) -> Appointment:
        partner_id = self._writer(caller)
        if expected_version is None:
            raise PreconditionRequired("Rescheduling needs If-Match with the appointment's ETag.")
        if change.reason is not None and change.reason not in self._ref.rescheduling:
            known = ", ".join(self._ref.rescheduling)
            raise InvalidInput(
                [FieldError("reason", f"{change.reason} is not a rescheduling code: one of {known}")]
            )

        def attempt(view: CaseView) -> Appointment:
            current = self._at_version(crn, appointment_id, caller, expected_version)
            if current.status is not AppointmentStatus.SCHEDULED:
                raise Conflict(
                    f"Appointment {appointment_id} is {current.status.lower()}: it cannot be moved."
                )
            now = self.clock.now()
            facts = self._sentence(view, "start")
            slot = [(change.start, change.end)]
            self._within_sentence(facts, slot)
            if not change.allow_clash:
                self._no_clash(slot, view.summary, appointment_id)
            if change.reason is None:
                if current.start <= now:
                    raise Conflict(
                        f"Appointment {appointment_id} has started: it moves only with a reason "
                        "(RSOF or RSSR)."
                    )
                moved = current.model_copy(
                    update={
                        "start": change.start,
                        "end": change.end,
                        "notes": change.notes or current.notes,
                        "updated_at": now,
                        "version": current.version + 1,
                    }
                )
                summary = view.summary.model_copy(
                    update={
                        "version": view.summary.version + 1,
                        "open": {**view.summary.open, moved.id: _next(moved)},
                    }
                )
                event = self._rescheduled_event(caller, crn, current, moved, None)
                self._change(
                    crn, [(current, moved)], [], summary, [event], caller, partner_id, AuditAction.UPDATE
                )
                return moved
            replacement = current.model_copy(
                update={
                    "id": self.new_id(),
                    "start": change.start,
                    "end": change.end,
                    "notes": change.notes or current.notes,
                    "rescheduled_from": current.id,
                    "series_id": current.series_id,
                    "created_by": caller.principal.subject,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            closed = current.model_copy(
                update={
                    "status": AppointmentStatus.RESCHEDULED,
                    "outcome": change.reason,
                    "outcome_description": "Rescheduled - "
                    + ("person on probation request" if change.reason == "RSOF" else "service request"),
                    "rescheduled_to": replacement.id,
                    "outcome_recorded_at": now,
                    "outcome_recorded_by": caller.principal.subject,
                    "updated_at": now,
                    "version": current.version + 1,
                }
            )
            summary = rules.with_outcome(
                view.summary,
                current.id,
                None,
                OutcomeState(str(change.reason), current.start.date()),
                now.date(),
                self._ref,
            )
            summary = rules.with_recent(summary, timeline_entry(closed, self._ref), self._ref)
            summary = summary.model_copy(
                update={
                    "version": view.summary.version + 1,
                    "open": {**summary.open, replacement.id: _next(replacement)},
                }
            )
            event = self._rescheduled_event(caller, crn, current, replacement, change.reason)
            self._change(
                crn,
                [(current, closed)],
                [replacement],
                summary,
                [event],
                caller,
                partner_id,
                AuditAction.UPDATE,
            )
            return replacement

        return self._with_retries(crn, attempt)

    def cancel(
        self,
        crn: str,
        appointment_id: str,
        cancellation: Cancellation,
        expected_version: int | None,
        caller: Caller,
    ) -> Appointment:
        partner_id = self._writer(caller)
        if expected_version is None:
            raise PreconditionRequired("Cancelling needs If-Match with the appointment's ETag.")

        def attempt(view: CaseView) -> Appointment:
            current = self._at_version(crn, appointment_id, caller, expected_version)
            if current.status is not AppointmentStatus.SCHEDULED:
                raise Conflict(
                    f"Appointment {appointment_id} is {current.status.lower()}: it cannot be cancelled."
                )
            now = self.clock.now()
            cancelled = current.model_copy(
                update={
                    "status": AppointmentStatus.CANCELLED,
                    "cancellation_reason": cancellation.reason,
                    "updated_at": now,
                    "version": current.version + 1,
                }
            )
            open_appointments = {k: v for k, v in view.summary.open.items() if k != appointment_id}
            summary = rules.with_recent(
                view.summary.model_copy(update={"open": open_appointments}),
                timeline_entry(cancelled, self._ref),
                self._ref,
            ).model_copy(update={"version": view.summary.version + 1})
            event = self._event(
                caller,
                "probation-case.appointment.cancelled",
                crn,
                f"An appointment of {crn} was cancelled",
                f"/cases/{crn}/appointments/{appointment_id}",
                appointmentId=appointment_id,
                start=current.start.isoformat(),
                reason=cancellation.reason,
                source=current.source,
            )
            self._change(
                crn, [(current, cancelled)], [], summary, [event], caller, partner_id, AuditAction.DELETE
            )
            return cancelled

        return self._with_retries(crn, attempt)

    # ------------------------------------------------------------------ compliance and breaches

    def compliance(self, crn: str, caller: Caller) -> Compliance:
        self._staff(caller)
        view = self._view(crn, None)
        result = rules.compliance(
            view.summary, rules.sentence_facts(view.convictions), self.clock.now(), self._ref
        )
        self._record_read(caller, crn, "compliance")
        return result

    def start_breach(self, crn: str, new: NewBreach, caller: Caller) -> Breach:
        self._staff(caller)

        def attempt(view: CaseView) -> Breach:
            facts = self._sentence(view, "startedOn")
            now = self.clock.now()
            today = now.date()
            if new.started_on > today:
                raise InvalidInput([FieldError("startedOn", "must not be in the future")])
            if new.started_on < facts.sentence_date:
                raise InvalidInput([FieldError("startedOn", "must not be before the sentence date")])
            active = view.summary.active_breach
            if active is not None:
                raise Conflict(f"{crn} already has an active breach ({active.id}): end it first.")
            window_start = add_months(today, -self._ref.rules.window_months)
            failures = sorted(
                (
                    (entry.date, key)
                    for key, entry in view.summary.failures.items()
                    if entry.date > window_start and rules._countable(entry.date, facts, view.summary)
                ),
            )
            breach = Breach(
                id=self.new_id(),
                crn=crn,
                kind=BreachKind.RECALL if facts.on_licence(today) else BreachKind.BREACH,
                status=BreachStatus.ACTIVE,
                started_on=new.started_on,
                reason=new.reason,
                failure_appointment_ids=[key for _, key in failures],
                failure_dates=sorted({day for day, _ in failures}),
                started_by=caller.principal.subject,
                version=1,
            )
            summary = view.summary.model_copy(
                update={"active_breach": breach, "version": view.summary.version + 1}
            )
            event = self._event(
                caller,
                "probation-case.breach.started",
                crn,
                f"{'Recall' if breach.kind is BreachKind.RECALL else 'Breach'} action started for {crn}",
                f"/cases/{crn}/compliance",
                breachId=breach.id,
                kind=breach.kind,
                startedOn=breach.started_on.isoformat(),
                failureDates=[d.isoformat() for d in breach.failure_dates],
            )
            self.repository.start_breach(
                breach,
                summary,
                [event],
                self._audit(caller, crn, AuditAction.CREATE, event, resource="breach"),
            )
            return breach

        return self._with_retries(crn, attempt)

    def end_breach(self, crn: str, breach_id: str, end: BreachEnd, caller: Caller) -> Breach:
        self._staff(caller)

        def attempt(view: CaseView) -> Breach:
            stored = self.repository.breach(crn, breach_id)
            if stored is None:
                raise NotFound(f"No breach {breach_id} on case {crn}.")
            if stored.status is BreachStatus.ENDED:
                raise Conflict(f"Breach {breach_id} has already ended.")
            now = self.clock.now()
            if end.ended_on > now.date():
                raise InvalidInput([FieldError("endedOn", "must not be in the future")])
            if end.ended_on < stored.started_on:
                raise InvalidInput([FieldError("endedOn", "must not be before the breach started")])
            ended = stored.model_copy(
                update={
                    "status": BreachStatus.ENDED,
                    "ended_on": end.ended_on,
                    "outcome": end.outcome,
                    "ended_by": caller.principal.subject,
                    "version": stored.version + 1,
                }
            )
            summary = rules.pruned(
                view.summary.model_copy(
                    update={
                        "active_breach": None,
                        "last_breach_ended_on": end.ended_on,
                        "version": view.summary.version + 1,
                    }
                ),
                now.date(),
                self._ref.rules,
            )
            event = self._event(
                caller,
                "probation-case.breach.ended",
                crn,
                f"Breach action for {crn} ended: {end.outcome}",
                f"/cases/{crn}/compliance",
                breachId=breach_id,
                kind=stored.kind,
                endedOn=end.ended_on.isoformat(),
                outcome=end.outcome,
            )
            self.repository.end_breach(
                ended,
                summary,
                [event],
                self._audit(caller, crn, AuditAction.UPDATE, event, resource="breach"),
            )
            return ended

        return self._with_retries(crn, attempt)

    # ------------------------------------------------------------------ requirements

    def requirements(self, crn: str, caller: Caller) -> RequirementList:
        self._staff(caller)
        view = self._view(crn, None)
        items = self._requirement_views(view.convictions, view.summary)
        self._record_read(caller, crn, "requirements")
        return RequirementList(items=items)

    def _requirement_views(
        self, convictions: list[Conviction], summary: SupervisionSummary
    ) -> list[RequirementView]:
        facts = rules.sentence_facts(convictions)
        now = self.clock.now()
        views = []
        for requirement in facts.requirements if facts else ():
            status, progress = rules.requirement_progress(
                requirement, summary.tallies.get(requirement.id), summary, now
            )
            views.append(
                RequirementView(
                    id=requirement.id,
                    type=requirement.type,
                    length=requirement.length,
                    length_unit=requirement.length_unit,
                    status=status,
                    progress=progress,
                )
            )
        return views

    def add_adjustment(self, crn: str, requirement_id: str, new: NewAdjustment, caller: Caller) -> Adjustment:
        self._staff(caller)

        def attempt(view: CaseView) -> Adjustment:
            facts = rules.sentence_facts(view.convictions)
            requirement = facts.requirement(requirement_id) if facts else None
            if requirement is None:
                raise NotFound(f"No requirement {requirement_id} in the current sentence of {crn}.")
            if requirement.type != "UNPAID_WORK":
                raise InvalidInput(
                    [FieldError("requirementId", "adjustments apply to unpaid work requirements only")]
                )
            adjustment = Adjustment(
                **dict(new),
                id=self.new_id(),
                requirement_id=requirement_id,
                recorded_by=caller.principal.subject,
                recorded_at=self.clock.now(),
            )
            tally = view.summary.tallies.get(requirement_id) or RequirementTally()
            summary = view.summary.model_copy(
                update={
                    "tallies": {
                        **view.summary.tallies,
                        requirement_id: tally.model_copy(
                            update={"adjustment_minutes": tally.adjustment_minutes + new.minutes}
                        ),
                    },
                    "version": view.summary.version + 1,
                }
            )
            event = self._event(
                caller,
                "probation-case.unpaid-work.adjusted",
                crn,
                f"Unpaid work of {crn} adjusted by {new.minutes} minutes",
                f"/cases/{crn}/requirements",
                requirementId=requirement_id,
                adjustmentId=adjustment.id,
                minutes=new.minutes,
            )
            self.repository.add_adjustment(
                crn,
                adjustment,
                summary,
                [event],
                self._audit(caller, crn, AuditAction.CREATE, event, resource="requirement"),
            )
            return adjustment

        return self._with_retries(crn, attempt)

    # ------------------------------------------------------------------ endings: sentences and requirements

    def terminate_sentence(
        self, crn: str, conviction_number: int, ending: NewTermination, caller: Caller
    ) -> Conviction:
        """Ends the sentence in one change: its future appointments cancelled, its requirements ended with it,
        and the case closed when no active sentence remains. An active breach must be ended first."""
        self._staff(caller)

        def attempt(view: CaseView) -> Conviction:
            self._manager_or_holder(caller, view)
            current = _conviction(view, conviction_number)
            if not current.active:
                raise Conflict(f"Conviction {conviction_number} of {crn} was already terminated.")
            _not_before_sentence(ending.date, current, "date")
            breach = view.summary.active_breach
            if breach is not None:
                raise Conflict(
                    f"Breach {breach.id} (started {breach.started_on}) is still active: end it before "
                    "terminating the sentence."
                )
            closes = not any(c.active for c in view.convictions if c.conviction_number != conviction_number)
            ended_requirements = {
                rules.requirement_id(conviction_number, index)
                for index in range(len(current.sentence.requirements))
            }
            cancelled, summary = self._cancel_future(view, crn, ended_requirements, everything=closes)
            terminated = current.model_copy(
                update={
                    "termination": Termination(
                        **dict(ending),
                        terminated_by=caller.principal.subject,
                        terminated_at=self.clock.now(),
                        cancelled_appointment_ids=[after.id for _, after in cancelled],
                    )
                }
            )
            event = self._event(
                caller,
                "probation-case.sentence.terminated",
                crn,
                f"The sentence of conviction {conviction_number} of {crn} ended: {ending.reason}",
                f"/cases/{crn}/overview",
                convictionNumber=conviction_number,
                reason=ending.reason,
                date=ending.date.isoformat(),
                cancelledAppointmentIds=[after.id for _, after in cancelled],
            )
            events = [event]
            if closes:
                events.append(
                    self._event(
                        caller,
                        "probation-case.closed",
                        crn,
                        f"{crn} closed: no active sentence remains",
                        f"/cases/{crn}",
                        convictionNumber=conviction_number,
                    )
                )
            self.repository.record_ending(
                crn,
                terminated,
                cancelled,
                summary,
                view.conviction_count if closes else None,
                events,
                self._audit(caller, crn, AuditAction.UPDATE, event, resource="conviction"),
            )
            return terminated

        return self._with_retries(crn, attempt)

    def terminate_requirement(
        self, crn: str, requirement_id: str, ending: NewRequirementTermination, caller: Caller
    ) -> RequirementView:
        """Ends one requirement of an active sentence (its hours done, say, or revoked by the court) and
        cancels its future appointments."""
        self._staff(caller)

        def attempt(view: CaseView) -> RequirementView:
            self._manager_or_holder(caller, view)
            facts = rules.sentence_facts(view.convictions)
            if facts is None or facts.requirement(requirement_id) is None:
                raise NotFound(f"No requirement {requirement_id} in the current sentence of {crn}.")
            conviction = _conviction(view, facts.conviction_number)
            if not conviction.active:
                raise Conflict(f"Requirement {requirement_id} ended with its sentence.")
            if requirement_id in conviction.requirement_terminations:
                raise Conflict(f"Requirement {requirement_id} was already terminated.")
            _not_before_sentence(ending.date, conviction, "date")
            cancelled, summary = self._cancel_future(view, crn, {requirement_id}, everything=False)
            termination = RequirementTermination(
                **dict(ending), terminated_by=caller.principal.subject, terminated_at=self.clock.now()
            )
            changed = conviction.model_copy(
                update={
                    "requirement_terminations": {
                        **conviction.requirement_terminations,
                        requirement_id: termination,
                    }
                }
            )
            event = self._event(
                caller,
                "probation-case.requirement.terminated",
                crn,
                f"Requirement {requirement_id} of {crn} ended: {ending.reason}",
                f"/cases/{crn}/requirements",
                requirementId=requirement_id,
                convictionNumber=conviction.conviction_number,
                reason=ending.reason,
                date=ending.date.isoformat(),
                cancelledAppointmentIds=[after.id for _, after in cancelled],
            )
            self.repository.record_ending(
                crn,
                changed,
                cancelled,
                summary,
                None,
                [event],
                self._audit(caller, crn, AuditAction.UPDATE, event, resource="requirement"),
            )
            convictions = [changed if c is conviction else c for c in view.convictions]
            return next(r for r in self._requirement_views(convictions, summary) if r.id == requirement_id)

        return self._with_retries(crn, attempt)

    def _cancel_future(
        self, view: CaseView, crn: str, requirements: set[str], *, everything: bool
    ) -> tuple[list[tuple[Appointment, Appointment]], SupervisionSummary]:
        """The future appointments an ending cancels (linked to the ended requirements, or all of them when
        the case closes), and the summary without them."""
        now = self.clock.now()
        doomed = [
            a.id
            for a in view.summary.open.values()
            if a.start > now and (everything or a.requirement_id in requirements)
        ]
        limit = self._ref.rules.max_cancelled_by_ending
        if len(doomed) > limit:
            raise Conflict(
                f"{len(doomed)} future appointments would be cancelled, more than {limit} in one change: "
                "cancel some first."
            )
        summary = view.summary.model_copy(
            update={"open": {k: v for k, v in view.summary.open.items() if k not in doomed}}
        )
        cancelled = []
        for current in self.repository.appointments_by_id(crn, doomed):
            after = current.model_copy(
                update={
                    "status": AppointmentStatus.CANCELLED,
                    "cancellation_reason": "The sentence or requirement ended",
                    "updated_at": now,
                    "version": current.version + 1,
                }
            )
            cancelled.append((current, after))
            summary = rules.with_recent(summary, timeline_entry(after, self._ref), self._ref)
        return cancelled, summary.model_copy(update={"version": view.summary.version + 1})

    @staticmethod
    def _manager_or_holder(caller: Caller, view: CaseView) -> None:
        """A manager, or the practitioner the case is allocated to (as the change's own read of it says)."""
        principal = caller.principal
        if principal.roles & MANAGERS or view.holder.staff_code == principal.subject:
            return
        raise Forbidden(f"Only a manager or the practitioner holding {view.case.crn} may end its sentence.")

    # ------------------------------------------------------------------ work lists

    def diary(
        self, scope: str, code: str, day: date, period: str, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[list[WorkItem], str | None]:
        self._staff(caller)
        start = day - timedelta(days=day.weekday()) if period == "WEEK" else day
        end = start + timedelta(days=7 if period == "WEEK" else 1)
        return self.repository.diary(
            scope,
            code,
            datetime(start.year, start.month, start.day, tzinfo=UTC),
            datetime(end.year, end.month, end.day, tzinfo=UTC),
            limit,
            cursor,
        )

    def due(
        self, scope: str, code: str, kind: WorkListKind, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[list[WorkItem], str | None]:
        """Outcomes to record: started appointments with none. Evidence and enforcement responses: everything
        outstanding, soonest due first (overdue ones first of all)."""
        self._staff(caller)
        until = self.clock.now() if kind is WorkListKind.OUTCOMES else None
        return self.repository.due(scope, code, kind, until, limit, cursor)

    # ------------------------------------------------------------------ helpers

    def _at_version(
        self, crn: str, appointment_id: str, caller: Caller, expected_version: int | None
    ) -> Appointment:
        """The appointment, if it is still at the version the caller read (If-Match); else 412."""
        current = self._appointment(crn, appointment_id, caller)
        if current.version != expected_version:
            raise stale(current.version)
        return current

    def _writer(self, caller: Caller) -> str | None:
        principal = caller.principal
        principal.require_any(WRITERS)
        if principal.kind is PrincipalKind.PARTNER:
            return principal.registered_partner()
        return None

    def _reader(self, caller: Caller) -> str | None:
        return self._writer(caller)

    def _staff(self, caller: Caller) -> None:
        caller.principal.require_any(STAFF_ROLES)

    def _view(self, crn: str, partner_id: str | None) -> CaseView:
        view = self.repository.case_view(crn)
        if view is None or (partner_id is not None and view.holder.partner_id != partner_id):
            raise NotFound(f"No case with CRN {crn}.")
        return view

    def _appointment(self, crn: str, appointment_id: str, caller: Caller) -> Appointment:
        """A partner reaches it only through its own allocated cases (checked before, and in the write)."""
        found = self.repository.appointment(crn, appointment_id)
        if found is None:
            raise NotFound(f"No appointment {appointment_id} on case {crn}.")
        return found

    def _sentence(self, view: CaseView, field_name: str) -> SentenceFacts:
        facts = rules.sentence_facts(view.convictions)
        if facts is None or facts.terminated:
            raise InvalidInput([FieldError(field_name, "the case has no active sentence to supervise")])
        return facts

    def _within_sentence(self, facts: SentenceFacts, slots: list[tuple[datetime, datetime]]) -> None:
        for index, (start, _) in enumerate(slots):
            day = start.astimezone(UTC).date()
            if not facts.sentence_date <= day <= facts.end_date:
                raise InvalidInput(
                    [
                        FieldError(
                            "start" if index == 0 else "repeat",
                            f"{day} is outside the sentence ({facts.sentence_date} to {facts.end_date})",
                        )
                    ]
                )

    def _no_clash(
        self, slots: list[tuple[datetime, datetime]], summary: SupervisionSummary, ignore: str | None
    ) -> None:
        found = rules.clashes(slots, summary.open.values(), ignore)
        if found:
            described = ", ".join(f"{a.id} ({a.start.isoformat()})" for a in found[:5])
            raise Conflict(
                f"It clashes with {len(found)} appointment(s) without an outcome: {described}. "
                "Send allowClash: true to book it anyway."
            )

    def _action_for(self, record: OutcomeRecord, category: OutcomeCategory) -> str | None:
        if record.enforcement_action is None:
            return None
        action = self._ref.actions.get(record.enforcement_action)
        if action is None:
            known = ", ".join(self._ref.actions)
            raise InvalidInput(
                [
                    FieldError(
                        "enforcementAction", f"{record.enforcement_action} is not an action: one of {known}"
                    )
                ]
            )
        fit = (
            "UNACCEPTABLE"
            if category in (OutcomeCategory.ATTENDED_FAILED_TO_COMPLY, OutcomeCategory.UNACCEPTABLE_ABSENCE)
            else "AFTA"
            if category is OutcomeCategory.AWAITING_EVIDENCE
            else None
        )
        if fit is None or fit not in action.fits:
            raise InvalidInput(
                [
                    FieldError(
                        "enforcementAction", f"{action.action} does not fit the outcome {record.outcome}"
                    )
                ]
            )
        return action.action

    def _minutes_fit(self, record: OutcomeRecord, appointment: Appointment) -> None:
        if record.minutes_credited is None:
            return
        if appointment.type is not AppointmentType.UNPAID_WORK_SESSION:
            raise InvalidInput([FieldError("minutesCredited", "applies to unpaid work sessions only")])
        length = int((appointment.end - appointment.start).total_seconds() // 60)
        if record.minutes_credited > length:
            raise InvalidInput(
                [
                    FieldError(
                        "minutesCredited", f"must not be more than the session's length ({length} minutes)"
                    )
                ]
            )

    def _change(
        self,
        crn: str,
        changed: list[tuple[Appointment, Appointment]],
        created: list[Appointment],
        summary: SupervisionSummary,
        events: list[DomainEvent],
        caller: Caller,
        partner_id: str | None,
        action: AuditAction,
    ) -> None:
        audit = self._audit(caller, crn, action, events[0])
        try:
            self.repository.change_appointments(crn, changed, created, summary, events, audit, partner_id)
        except AppointmentChanged:
            before = changed[0][0]
            latest = self.repository.appointment(crn, before.id)
            raise stale(latest.version if latest else before.version) from None

    def _with_retries(self, crn: str, attempt: Callable[[CaseView], T]) -> T:
        """Runs ``attempt`` on a fresh read until its write is not overtaken by another change of the
        summary."""
        for _ in range(SUMMARY_ATTEMPTS):
            view = self.repository.case_view(crn)
            if view is None:
                raise NotFound(f"No case with CRN {crn}.")
            try:
                return attempt(view)
            except SummaryChanged:
                continue
            except NotTheirs:
                raise NotFound(f"No case with CRN {crn}.") from None
        raise Unavailable()

    def _rescheduled_event(
        self, caller: Caller, crn: str, original: Appointment, now_at: Appointment, reason: str | None
    ) -> DomainEvent:
        return self._event(
            caller,
            "probation-case.appointment.rescheduled",
            crn,
            f"An appointment of {crn} was rescheduled",
            f"/cases/{crn}/appointments/{now_at.id}",
            appointmentId=now_at.id,
            originalAppointmentId=original.id,
            inPlace=reason is None,
            reason=reason,
            previousStart=original.start.isoformat(),
            start=now_at.start.isoformat(),
            end=now_at.end.isoformat(),
            source=now_at.source,
        )

    def _event(
        self, caller: Caller, event_type: str, crn: str, description: str, detail_url: str, **information: Any
    ) -> DomainEvent:
        return case_event(
            event_id=self.new_id(),
            event_type=event_type,
            crn=crn,
            occurred_at=self.clock.now(),
            description=description,
            detail_url=detail_url,
            correlation_id=caller.correlation_id,
            **{name: value for name, value in information.items() if value is not None},
        )

    def _record_read(self, caller: Caller, crn: str, resource: str = "appointment") -> None:
        self.repository.record_reads([self._audit(caller, crn, AuditAction.READ, resource=resource)])


def _conviction(view: CaseView, number: int) -> Conviction:
    found = next((c for c in view.convictions if c.conviction_number == number), None)
    if found is None:
        raise NotFound(f"No conviction {number} on case {view.case.crn}.")
    return found


def _not_before_sentence(day: date, conviction: Conviction, field_name: str) -> None:
    if day < conviction.sentence.sentence_date:
        raise InvalidInput(
            [
                FieldError(
                    field_name, f"must not be before the sentence began ({conviction.sentence.sentence_date})"
                )
            ]
        )


def _no_requirement(requirement_id: str, facts: SentenceFacts) -> InvalidInput:
    known = ", ".join(f"{r.id} ({r.type})" for r in facts.requirements) or "none"
    return InvalidInput(
        [
            FieldError(
                "requirementId", f"{requirement_id} is not a requirement of the current sentence: {known}"
            )
        ]
    )


def _next(appointment: Appointment) -> NextAppointment:
    return NextAppointment(
        id=appointment.id,
        type=appointment.type.value,
        start=appointment.start,
        end=appointment.end,
        requirement_id=appointment.requirement_id,
        staff_code=appointment.staff_code,
        location=appointment.location,
    )


def _state(appointment: Appointment) -> OutcomeState | None:
    if appointment.outcome is None:
        return None
    return OutcomeState(
        code=appointment.outcome,
        day=appointment.start.astimezone(UTC).date(),
        action=appointment.enforcement_action,
        minutes_credited=appointment.minutes_credited,
        requirement_id=appointment.requirement_id,
    )


def _previous(appointment: Appointment) -> PreviousOutcome:
    return PreviousOutcome(
        outcome=str(appointment.outcome),
        enforcement_action=appointment.enforcement_action,
        minutes_credited=appointment.minutes_credited,
        recorded_at=appointment.outcome_recorded_at or appointment.updated_at,
        recorded_by=appointment.outcome_recorded_by or appointment.created_by,
    )


def timeline_entry(appointment: Appointment, ref: Reference | None = None) -> dict[str, Any]:
    """The appointment as the case's timeline lists it: a contact with a start and an end."""
    ref = ref or reference()
    code = ref.outcomes.get(appointment.outcome or "")
    outcome = (
        CONTACT_OUTCOMES.get(code.category)
        if code
        else ContactOutcome.RESCHEDULED
        if appointment.status is AppointmentStatus.RESCHEDULED
        else None
    )
    return {
        "type": appointment.type.value,
        "contactDate": appointment.start.isoformat(),
        "outcome": outcome.value if outcome else None,
        "notes": appointment.outcome_notes or appointment.notes,
        "sensitive": False,
        "contactId": appointment.id,
        "author": appointment.created_by,
        "authorName": None,
        "source": appointment.source.value,
        "partnerId": appointment.partner_id,
        "recordedAt": appointment.created_at.isoformat(),
        "end": appointment.end.isoformat(),
        "appointmentStatus": appointment.status.value,
        "outcomeCode": appointment.outcome,
        "enforcementAction": appointment.enforcement_action,
        "requirementId": appointment.requirement_id,
    }

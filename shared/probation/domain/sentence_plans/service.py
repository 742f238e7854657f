"""Sentence plans: a plan per case, versioned, from the latest completed OASys assessment's needs to goals and
steps the person agrees; countersigning, reviews, partners' progress and the review work list. Pure: storage,
clock and ids come in through small interfaces."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from probation.domain.assessments.models import Assessment
from probation.domain.audit import AuditAction, AuditingService
from probation.domain.cases.models import CaseStatus
from probation.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    stale,
)
from probation.domain.events import DomainEvent, case_event
from probation.domain.principal import PARTNER_ROLES, Caller, Principal, Role
from probation.domain.sentence_plans import ranking
from probation.domain.sentence_plans.models import (
    Agreement,
    AgreementStatus,
    AreaCode,
    Countersignature,
    CountersigningStatus,
    Goal,
    GoalNote,
    GoalNoteType,
    GoalOrder,
    GoalPatch,
    GoalStatus,
    NewAgreement,
    NewCountersignature,
    NewGoal,
    NewRejection,
    NewReview,
    NewStep,
    PartnerSentencePlan,
    PlanStatus,
    PlanType,
    PlanVersionSummary,
    Rejection,
    ReviewDueItem,
    SentencePlan,
    SentencePlanSummary,
    Step,
    StepNote,
    StepOrder,
    StepPatch,
    StepProgress,
)
from probation.domain.sentence_plans.ports import (
    CaseMissing,
    EventAlreadyApplied,
    NotTheirs,
    PlanAlreadyOpen,
    PlanCase,
    PlanChanged,
    SentencePlanRepository,
)
from probation.domain.sentence_plans.reference import Reference, reference
from probation.risk.dates import add_months

ASSESSORS = frozenset({Role.PRACTITIONER, Role.MANAGER})
"""As for assessments: a plan holds what the assessment found, so an admin (who assesses no one) may not read
it (README, "Admins do not read OASys assessments")."""
COUNTERSIGNERS = frozenset({Role.MANAGER})
CONSUMER = "sentence-plans"
SYSTEM = Principal.system(CONSUMER)

CREATED = "sentence-plan.created"
AGREED = "sentence-plan.agreed"
COUNTERSIGNED = "sentence-plan.countersigned"
REJECTED = "sentence-plan.rejected"
REVIEW_DUE = "sentence-plan.review-due"
ASSESSMENT_COMPLETED = "assessment.summary.produced"
ALLOCATED = "person.community.manager.allocated"
MAX_ATTEMPTS = 3
# A plan is one item, and DynamoDB holds at most 400 KB an item (the idempotency record keeps a copy too): a
# change that would make it larger is refused, with room to spare for the item's keys and attributes.
MAX_PLAN_BYTES = 300_000
ANNOUNCE_BATCH = 100
ANNOUNCE_BATCHES = 10

_GOAL_CONTENT = frozenset({"title", "area_of_need"})
_STEP_CONTENT = frozenset({"description", "actor"})
_TARGET = frozenset({"target_months", "target_date"})
_ENDED = frozenset({GoalStatus.ACHIEVED, GoalStatus.REMOVED})

Edit = Callable[[SentencePlan, datetime, str], tuple[SentencePlan, list[DomainEvent]]]


class PlanAlreadyExists(Conflict):
    def __init__(self, crn: str, plan_id: str) -> None:
        super().__init__(
            f"Case {crn} already has a sentence plan: /cases/{crn}/sentence-plans/{plan_id}. Change that "
            "one, or review it (POST …/reviews) to make a new version."
        )
        self.plan_id = plan_id


@dataclass(kw_only=True)
class SentencePlanService(AuditingService):
    audit_resource = "sentence-plan"
    repository: SentencePlanRepository
    ref: Reference | None = None

    @property
    def _ref(self) -> Reference:
        return self.ref or reference()

    # ------------------------------------------------------------------ plans

    def create(self, crn: str, caller: Caller) -> SentencePlan:
        """A draft (version 1, INITIAL) from the latest completed assessment."""
        _assessor(caller)
        facts = self._case(crn)
        if facts.case.status is CaseStatus.CLOSED:
            raise Conflict(f"Case {crn} is closed: a new conviction reopens it before a plan can be made.")
        existing = self.repository.open_plan_id(crn)
        if existing is not None:
            raise PlanAlreadyExists(crn, existing)
        assessment = facts.latest_assessment
        if assessment is None:
            raise Conflict(_no_completed_assessment(crn, facts))
        now = self.clock.now()
        who = caller.principal.subject
        plan = self._version(
            facts, assessment, now, who, plan_id=self.new_id(), plan_type=PlanType.INITIAL, base=None
        )
        event = self._event(
            caller,
            CREATED,
            plan,
            f"Sentence plan drafted for {crn}",
            type=plan.type,
            assessmentId=assessment.assessment_id,
            areasOfNeed=[area.area for area in plan.areas_of_need],
        )
        try:
            self.repository.create(plan, [event], self._audit(caller, crn, AuditAction.CREATE, event))
        except PlanAlreadyOpen as already:
            raise PlanAlreadyExists(crn, already.plan_id) from None
        except CaseMissing:
            raise NotFound(f"No case with CRN {crn}.") from None
        return plan

    def plans(self, crn: str, caller: Caller) -> list[SentencePlanSummary]:
        _assessor(caller)
        plans = self.repository.plans(crn)
        if not plans:
            self._case(crn)
        self._record_read(caller, crn)
        return [SentencePlanSummary.of(p) for p in sorted(plans, key=lambda p: p.created_at, reverse=True)]

    def plan(self, crn: str, plan_id: str, caller: Caller) -> SentencePlan:
        _assessor(caller)
        found = self._plan(crn, plan_id)
        self._record_read(caller, crn)
        return self._shown(found)

    def plan_version(self, crn: str, plan_id: str, plan_version: int, caller: Caller) -> SentencePlan:
        """Any version: the current one as it is, an earlier one as it was when it was superseded."""
        _assessor(caller)
        current = self._plan(crn, plan_id)
        found = (
            self._shown(current)
            if plan_version == current.plan_version
            else self.repository.plan_version(crn, plan_id, plan_version)
            if plan_version < current.plan_version
            else None
        )
        if found is None:
            raise NotFound(f"Plan {plan_id} has no version {plan_version}.")
        self._record_read(caller, crn)
        return found

    # ------------------------------------------------------------------ goals and steps

    def add_goal(
        self, crn: str, plan_id: str, new: NewGoal, expected_version: int | None, caller: Caller
    ) -> SentencePlan:
        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            _editable(plan)
            if len(plan.goals) >= self._ref.max_goals:
                raise Conflict(f"A plan holds at most {self._ref.max_goals} goals.")
            errors = _area_errors(plan, new.area_of_need, "areaOfNeed")
            target = _target(new.status, new.target_months, new.target_date, now.date(), errors)
            steps = self._new_steps(plan.crn, new.steps, now, who, errors)
            if errors:
                raise InvalidInput(errors)
            goal = Goal(
                id=self.new_id(),
                title=new.title,
                area_of_need=new.area_of_need,
                target_months=target[0],
                target_date=target[1],
                status=new.status,
                order=max((g.order for g in plan.goals), default=0) + 1,
                steps=steps,
                status_changed_at=now,
                created_at=now,
                created_by=who,
                updated_at=now,
            )
            return plan.model_copy(update={"goals": [*plan.goals, goal]}), []

        return self._change(crn, plan_id, expected_version, caller, edit)

    def change_goal(
        self,
        crn: str,
        plan_id: str,
        goal_id: str,
        patch: GoalPatch,
        expected_version: int | None,
        caller: Caller,
    ) -> SentencePlan:
        changing = patch.model_fields_set
        if not changing:
            raise InvalidInput([FieldError("body", "give at least one field to change")])

        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            _open(plan)
            goal = _goal(plan, goal_id)
            if plan.locked and changing & _GOAL_CONTENT:
                raise _locked(plan, "its goals' titles and areas")
            errors: list[FieldError] = []
            for name in ("title", "status"):
                if name in changing and getattr(patch, name) is None:
                    errors.append(FieldError(name, "cannot be cleared"))
            update: dict[str, Any] = {}
            if "title" in changing and patch.title is not None:
                update["title"] = patch.title
            if "area_of_need" in changing:
                errors += _area_errors(plan, patch.area_of_need, "areaOfNeed")
                update["area_of_need"] = patch.area_of_need
            status = patch.status or goal.status
            status_changed = status is not goal.status
            if changing & _TARGET:
                months, day = _target(status, patch.target_months, patch.target_date, now.date(), errors)
                update |= {"target_months": months, "target_date": day}
            elif status_changed and status is GoalStatus.FUTURE:
                update |= {"target_months": None, "target_date": None}
            elif status_changed and status is GoalStatus.ACTIVE and goal.target_date is None:
                errors.append(FieldError("targetMonths", _NEEDS_TARGET))
            if status_changed and status in _ENDED and patch.note is None:
                errors.append(FieldError("note", f"is required to make a goal {status}"))
            if errors:
                raise InvalidInput(errors)
            notes = list(goal.notes)
            if patch.note is not None:
                kind = (
                    GoalNoteType(status.value)
                    if status_changed and status in _ENDED
                    else GoalNoteType.READDED
                    if status_changed and goal.status is GoalStatus.REMOVED
                    else GoalNoteType.PROGRESS
                )
                notes.append(GoalNote(type=kind, note=patch.note, at=now, by=who))
            update |= {"status": status, "notes": notes, "updated_at": now}
            if status_changed:
                update["status_changed_at"] = now
            return _with_goal(plan, goal.model_copy(update=update)), []

        return self._change(crn, plan_id, expected_version, caller, edit)

    def order_goals(
        self, crn: str, plan_id: str, order: GoalOrder, expected_version: int | None, caller: Caller
    ) -> SentencePlan:
        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            _editable(plan)
            by_id = {goal.id: goal for goal in plan.goals}
            _permutation(order.goal_ids, list(by_id), "goalIds", "goal of the version")
            goals = [by_id[gid].model_copy(update={"order": n}) for n, gid in enumerate(order.goal_ids, 1)]
            return plan.model_copy(update={"goals": goals}), []

        return self._change(crn, plan_id, expected_version, caller, edit)

    def add_step(
        self,
        crn: str,
        plan_id: str,
        goal_id: str,
        new: NewStep,
        expected_version: int | None,
        caller: Caller,
    ) -> SentencePlan:
        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            goal = _goal(plan, goal_id)
            _editable(plan)
            if len(goal.steps) >= self._ref.max_steps_per_goal:
                raise Conflict(f"A goal holds at most {self._ref.max_steps_per_goal} steps.")
            errors: list[FieldError] = []
            [step] = self._new_steps(plan.crn, [new], now, who, errors, prefix=None)
            if errors:
                raise InvalidInput(errors)
            return _with_goal(
                plan, goal.model_copy(update={"steps": [*goal.steps, step], "updated_at": now})
            ), []

        return self._change(crn, plan_id, expected_version, caller, edit)

    def change_step(
        self,
        crn: str,
        plan_id: str,
        goal_id: str,
        step_id: str,
        patch: StepPatch,
        expected_version: int | None,
        caller: Caller,
    ) -> SentencePlan:
        changing = patch.model_fields_set
        if not changing:
            raise InvalidInput([FieldError("body", "give at least one field to change")])

        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            _open(plan)
            goal = _goal(plan, goal_id)
            step = _step(goal, step_id)
            if plan.locked and changing & _STEP_CONTENT:
                raise _locked(plan, "its steps' descriptions and actors")
            errors = [
                FieldError(name, "cannot be cleared")
                for name in ("description", "actor", "status")
                if name in changing and getattr(patch, name) is None
            ]
            update: dict[str, Any] = {
                name: getattr(patch, name)
                for name in ("description", "actor")
                if name in changing and getattr(patch, name) is not None
            }
            if "appointment_id" in changing:
                update |= self._appointment_link(plan.crn, patch.appointment_id, "appointmentId", errors)
            if errors:
                raise InvalidInput(errors)
            update |= _progress(step, patch.status, patch.note, now, who)
            return _with_step(plan, goal, step.model_copy(update=update)), []

        return self._change(crn, plan_id, expected_version, caller, edit)

    def order_steps(
        self,
        crn: str,
        plan_id: str,
        goal_id: str,
        order: StepOrder,
        expected_version: int | None,
        caller: Caller,
    ) -> SentencePlan:
        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            goal = _goal(plan, goal_id)
            _editable(plan)
            by_id = {step.id: step for step in goal.steps}
            _permutation(order.step_ids, list(by_id), "stepIds", "step of the goal")
            steps = [by_id[sid] for sid in order.step_ids]
            return _with_goal(plan, goal.model_copy(update={"steps": steps, "updated_at": now})), []

        return self._change(crn, plan_id, expected_version, caller, edit)

    # ------------------------------------------------------------------ agreement and countersigning

    def agree(
        self, crn: str, plan_id: str, agreement: NewAgreement, expected_version: int | None, caller: Caller
    ) -> SentencePlan:
        """The person's answer locks the version; a PQiP's or PSO's plan then waits for a countersignature."""
        grade = self.repository.staff_grade(caller.principal.subject)

        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            if plan.locked:
                raise Conflict(
                    f"Version {plan.plan_version} of plan {plan.id} is already {plan.agreement_status}."
                )
            _open(plan)
            if agreement.status is not AgreementStatus.AGREED and agreement.notes is None:
                raise InvalidInput(
                    [FieldError("notes", f"are required when the answer is {agreement.status}")]
                )
            _ready_to_agree(plan)
            awaiting = grade in self._ref.countersign_grades
            signing = (
                CountersigningStatus.AWAITING_COUNTERSIGN if awaiting else CountersigningStatus.SELF_SIGNED
            )
            terminating = plan.type is PlanType.TERMINATE
            due = None if terminating else ranking.review_due(now.date(), plan.review_interval_months)
            agreed = plan.model_copy(
                update={
                    "agreement_status": agreement.status,
                    "agreement": Agreement(
                        status=agreement.status,
                        notes=agreement.notes,
                        recorded_by=who,
                        recorded_by_grade=grade,
                        recorded_at=now,
                    ),
                    "countersigning_status": signing,
                    "review_due": due,
                    "review_due_notified": False,
                    "status": PlanStatus.CLOSED if terminating and not awaiting else plan.status,
                }
            )
            event = self._event(
                caller,
                AGREED,
                agreed,
                f"Sentence plan version {plan.plan_version} of {crn}: {agreement.status}",
                type=plan.type,
                agreementStatus=agreement.status,
                countersigningStatus=signing,
                reviewDue=due.isoformat() if due else None,
                staffCode=plan.staff_code,
                closed=agreed.status is PlanStatus.CLOSED,
            )
            return agreed, [event]

        return self._change(crn, plan_id, expected_version, caller, edit)

    def countersign(
        self,
        crn: str,
        plan_id: str,
        countersignature: NewCountersignature,
        expected_version: int | None,
        caller: Caller,
    ) -> SentencePlan:
        caller.principal.require_any(COUNTERSIGNERS)

        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            _awaiting_countersign(plan)
            signed = plan.model_copy(
                update={
                    "countersigning_status": CountersigningStatus.COUNTERSIGNED,
                    "countersignature": Countersignature(by=who, at=now, notes=countersignature.notes),
                    "status": PlanStatus.CLOSED if plan.type is PlanType.TERMINATE else plan.status,
                }
            )
            event = self._event(
                caller,
                COUNTERSIGNED,
                signed,
                f"Sentence plan version {plan.plan_version} of {crn} countersigned",
                type=plan.type,
                countersignedBy=who,
                closed=signed.status is PlanStatus.CLOSED,
            )
            return signed, [event]

        return self._change(crn, plan_id, expected_version, caller, edit, roles=COUNTERSIGNERS)

    def reject(
        self, crn: str, plan_id: str, rejection: NewRejection, expected_version: int | None, caller: Caller
    ) -> SentencePlan:
        """The manager sends it back: the version is a draft again, its agreement to be recorded anew."""
        caller.principal.require_any(COUNTERSIGNERS)

        def edit(plan: SentencePlan, now: datetime, who: str) -> tuple[SentencePlan, list[DomainEvent]]:
            _awaiting_countersign(plan)
            reopened = plan.model_copy(
                update={
                    "countersigning_status": CountersigningStatus.REJECTED,
                    "rejection": Rejection(by=who, at=now, reason=rejection.reason),
                    "agreement_status": AgreementStatus.DRAFT,
                    "agreement": None,
                }
            )
            event = self._event(
                caller,
                REJECTED,
                reopened,
                f"Sentence plan version {plan.plan_version} of {crn} sent back by its countersigner",
                type=plan.type,
                rejectedBy=who,
            )
            return reopened, [event]

        return self._change(crn, plan_id, expected_version, caller, edit, roles=COUNTERSIGNERS)

    def review(
        self, crn: str, plan_id: str, new: NewReview, expected_version: int | None, caller: Caller
    ) -> SentencePlan:
        """A new draft version from the agreed one: its goals and steps, and the areas of need of the latest
        completed assessment. The agreed version stays readable."""
        _assessor(caller)
        current = self._plan(crn, plan_id)
        _at(current, expected_version)
        _open(current)
        if not current.locked:
            raise Conflict(
                f"Version {current.plan_version} of plan {plan_id} is still a draft: change it, or record "
                "the agreement, before a review."
            )
        if current.countersigning_status is CountersigningStatus.AWAITING_COUNTERSIGN:
            raise Conflict(
                f"Version {current.plan_version} of plan {plan_id} is waiting for a countersignature."
            )
        facts = self._case(crn)
        assessment = facts.latest_assessment
        if assessment is None:  # the plan was made from one, which is never deleted
            raise Conflict(_no_completed_assessment(crn, facts))
        now = self.clock.now()
        revised = self._version(
            facts,
            assessment,
            now,
            caller.principal.subject,
            plan_id=plan_id,
            plan_type=new.type,
            base=current,
        )
        self._replace(caller, revised, current, [], superseded=current)
        return self._shown(revised)

    # ------------------------------------------------------------------ work list

    def reviews_due(
        self, staff_code: str, within_days: int, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[list[ReviewDueItem], str | None]:
        _assessor(caller)
        today = self.clock.now().date()
        plans, next_cursor = self.repository.reviews_due(
            staff_code, today + timedelta(days=within_days), limit, cursor
        )
        return [_due_item(plan, today) for plan in plans if plan.review_due and plan.staff_code], next_cursor

    # ------------------------------------------------------------------ partners

    def partner_plans(self, crn: str, caller: Caller) -> list[PartnerSentencePlan]:
        self._partner_case(crn, caller)
        plans = sorted(self.repository.plans(crn), key=lambda p: p.created_at, reverse=True)
        self._record_read(caller, crn)
        return [PartnerSentencePlan.of(self._shown(p)) for p in plans]

    def partner_plan(self, crn: str, plan_id: str, caller: Caller) -> PartnerSentencePlan:
        self._partner_case(crn, caller)
        found = self._plan(crn, plan_id)
        self._record_read(caller, crn)
        return PartnerSentencePlan.of(self._shown(found))

    def partner_progress(
        self,
        crn: str,
        plan_id: str,
        goal_id: str,
        step_id: str,
        progress: StepProgress,
        expected_version: int | None,
        caller: Caller,
    ) -> PartnerSentencePlan:
        """A partner records progress on a step for a partnership agency or a CRS provider, on its own
        case."""
        partner_id = self._partner_case(crn, caller)
        current = self._plan(crn, plan_id)
        _at(current, expected_version)
        _open(current)
        goal = _goal(current, goal_id)
        step = _step(goal, step_id)
        if step.actor not in self._ref.partner_step_actors:
            raise Forbidden(
                f"A partner provider records progress only on steps for a partnership agency or a CRS "
                f"provider; this step is for {step.actor}."
            )
        now = self.clock.now()
        who = f"partner:{partner_id}"
        changed = _with_step(
            current, goal, step.model_copy(update=_progress(step, progress.status, progress.note, now, who))
        )
        updated = self._replace(caller, changed, current, [], partner_id=partner_id)
        return PartnerSentencePlan.of(self._shown(updated))

    # ------------------------------------------------------------------ events and the daily check

    def on_event(self, event: DomainEvent) -> SentencePlan | None:
        """A new completed assessment makes a new version of the case's open plan; an allocation moves the
        plan to its new practitioner's work list. Once per event id."""
        if event.event_type not in (ASSESSMENT_COMPLETED, ALLOCATED):
            return None
        crn = event.person_reference.identifiers[0].value
        plan_id = self.repository.open_plan_id(crn)
        if plan_id is None:
            return None
        for _ in range(MAX_ATTEMPTS):
            current = self.repository.plan(crn, plan_id)
            if current is None or current.status is PlanStatus.CLOSED:
                return None
            try:
                if event.event_type == ASSESSMENT_COMPLETED:
                    return self._reassessed(current, event)
                return self._reallocated(current, event)
            except PlanChanged:
                continue
            except EventAlreadyApplied:
                return None
        raise Conflict(
            f"The plan of {crn} is changing too quickly to apply {event.event_id}; it will be retried."
        )

    def announce_reviews_due(self) -> int:
        """Publishes ``sentence-plan.review-due`` for every plan whose review date has come (today or before,
        not yet announced), each in its own write over the version it read. Run daily; a plan missed by one
        run (it changed meanwhile, or the run failed) is found by the next, as it stays on the list."""
        today = self.clock.now().date()
        announced = 0
        for _ in range(ANNOUNCE_BATCHES):
            due = self.repository.reviews_to_announce(today, ANNOUNCE_BATCH)
            for plan in due:
                if self._announce(plan):
                    announced += 1
            if len(due) < ANNOUNCE_BATCH:
                break
        return announced

    def _announce(self, plan: SentencePlan) -> bool:
        now = self.clock.now()
        caller = Caller(SYSTEM, None)
        announced = plan.model_copy(
            update={"review_due_notified": True, "version": plan.version + 1, "updated_at": now}
        )
        event = self._event(
            caller,
            REVIEW_DUE,
            announced,
            f"The sentence plan of {plan.crn} is due for review on {plan.review_due}",
            type=plan.type,
            reviewDue=plan.review_due.isoformat() if plan.review_due else None,
            staffCode=plan.staff_code,
        )
        audit = self._audit(caller, plan.crn, AuditAction.UPDATE, event)
        try:
            self.repository.replace(announced, plan.version, [event], audit)
        except PlanChanged:
            return False
        return True

    def _reassessed(self, current: SentencePlan, event: DomainEvent) -> SentencePlan | None:
        facts = self._case(current.crn)
        assessment = facts.latest_assessment
        if assessment is None or assessment.assessment_id == current.assessment_id:
            return None
        plan_type = PlanType.REVIEW if current.locked else current.type
        now = self.clock.now()
        revised = self._version(
            facts, assessment, now, SYSTEM.subject, plan_id=current.id, plan_type=plan_type, base=current
        )
        self._system_replace(revised, current, event, superseded=current)
        return revised

    def _reallocated(self, current: SentencePlan, event: DomainEvent) -> SentencePlan | None:
        staff_code = event.additional_information.get("staffCode")
        if current.staff_code == staff_code:
            return None
        now = self.clock.now()
        moved = current.model_copy(
            update={
                "staff_code": staff_code,
                "version": current.version + 1,
                "updated_at": now,
                "updated_by": SYSTEM.subject,
            }
        )
        self._system_replace(moved, current, event)
        return moved

    def _system_replace(
        self,
        changed: SentencePlan,
        current: SentencePlan,
        event: DomainEvent,
        *,
        superseded: SentencePlan | None = None,
    ) -> None:
        audit = self._audit(Caller(SYSTEM, event.correlation_id), changed.crn, AuditAction.UPDATE, event)
        self.repository.replace(
            changed,
            current.version,
            [],
            audit,
            superseded=superseded,
            consumed=(CONSUMER, event.event_id),
        )

    # ------------------------------------------------------------------ helpers

    def _version(
        self,
        facts: PlanCase,
        assessment: Assessment,
        now: datetime,
        who: str,
        *,
        plan_id: str,
        plan_type: PlanType,
        base: SentencePlan | None,
    ) -> SentencePlan:
        """A new draft version from ``assessment``: the first, or the next after ``base`` (its goals
        carried)."""
        is_high = ranking.high_rosh(facts.registrations, assessment, self._ref)
        case = facts.case
        history = []
        if base is not None:
            history = [
                *base.history,
                PlanVersionSummary(
                    plan_version=base.plan_version,
                    type=base.type,
                    assessment_id=base.assessment_id,
                    agreement_status=base.agreement_status,
                    countersigning_status=base.countersigning_status,
                    created_at=base.version_created_at,
                    agreed_at=base.agreement.recorded_at if base.agreement else None,
                    superseded_at=now,
                ),
            ]
        return SentencePlan(
            id=plan_id,
            crn=case.crn,
            status=PlanStatus.ACTIVE,
            plan_version=base.plan_version + 1 if base else 1,
            type=plan_type,
            assessment_id=assessment.assessment_id,
            areas_of_need=ranking.areas_of_need(assessment, self._ref),
            goals=base.goals if base else [],
            agreement_status=AgreementStatus.DRAFT,
            countersigning_status=CountersigningStatus.UNSIGNED,
            high_rosh=is_high,
            review_interval_months=ranking.review_interval_months(is_high, self._ref),
            review_due=base.review_due if base else None,
            review_due_notified=base.review_due_notified if base else False,
            staff_code=facts.staff_code if base is None else (facts.staff_code or base.staff_code),
            person_name=f"{case.first_name} {case.last_name}",
            created_at=base.created_at if base else now,
            created_by=base.created_by if base else who,
            version_created_at=now,
            version_created_by=who,
            updated_at=now,
            updated_by=who,
            history=history,
            version=base.version + 1 if base else 1,
        )

    def _change(
        self,
        crn: str,
        plan_id: str,
        expected_version: int | None,
        caller: Caller,
        edit: Edit,
        *,
        roles: frozenset[Role] = ASSESSORS,
    ) -> SentencePlan:
        """``edit`` applied to the plan at the version the caller read (If-Match), written over it."""
        caller.principal.require_any(roles)
        current = self._plan(crn, plan_id)
        _at(current, expected_version)
        now = self.clock.now()
        changed, events = edit(current, now, caller.principal.subject)
        return self._shown(self._replace(caller, changed, current, events))

    def _replace(
        self,
        caller: Caller,
        changed: SentencePlan,
        current: SentencePlan,
        events: list[DomainEvent],
        *,
        superseded: SentencePlan | None = None,
        partner_id: str | None = None,
    ) -> SentencePlan:
        now = self.clock.now()
        who = f"partner:{partner_id}" if partner_id else caller.principal.subject
        written = changed.model_copy(
            update={"version": current.version + 1, "updated_at": now, "updated_by": who}
        )
        _fits(written)
        audit = self._audit(caller, current.crn, AuditAction.UPDATE, events[0] if events else None)
        try:
            self.repository.replace(
                written, current.version, events, audit, superseded=superseded, partner_id=partner_id
            )
        except PlanChanged:
            latest = self.repository.plan(current.crn, current.id)
            raise stale(latest.version if latest else current.version) from None
        except NotTheirs:
            raise NotFound(f"No case with CRN {current.crn}.") from None
        return written

    def _new_steps(
        self,
        crn: str,
        new: list[NewStep],
        now: datetime,
        who: str,
        errors: list[FieldError],
        prefix: str | None = "steps",
    ) -> list[Step]:
        steps = []
        for index, step in enumerate(new):
            field = f"{prefix}[{index}].appointmentId" if prefix else "appointmentId"
            link = self._appointment_link(crn, step.appointment_id, field, errors)
            steps.append(
                Step(
                    id=self.new_id(),
                    description=step.description,
                    actor=step.actor,
                    status=step.status,
                    notes=[],
                    created_at=now,
                    created_by=who,
                    updated_at=now,
                    updated_by=who,
                    **link,
                )
            )
        return steps

    def _appointment_link(
        self, crn: str, appointment_id: str | None, field: str, errors: list[FieldError]
    ) -> dict[str, Any]:
        if appointment_id is None:
            return {"appointment_id": None, "appointment": None}
        found = self.repository.appointments(crn, [appointment_id]).get(appointment_id)
        if found is None:
            errors.append(FieldError(field, f"no appointment {appointment_id} on case {crn}"))
            return {}
        return {"appointment_id": appointment_id, "appointment": found}

    def _shown(self, plan: SentencePlan) -> SentencePlan:
        """The plan with each linked appointment as it stands now (one BatchGetItem)."""
        linked = [s.appointment_id for g in plan.goals for s in g.steps if s.appointment_id]
        if not linked:
            return plan
        found = self.repository.appointments(plan.crn, sorted(set(linked)))
        goals = [
            goal.model_copy(
                update={
                    "steps": [
                        step.model_copy(
                            update={"appointment": found.get(step.appointment_id, step.appointment)}
                        )
                        if step.appointment_id
                        else step
                        for step in goal.steps
                    ]
                }
            )
            for goal in plan.goals
        ]
        return plan.model_copy(update={"goals": goals})

    def _partner_case(self, crn: str, caller: Caller) -> str:
        caller.principal.require_any(PARTNER_ROLES)
        partner_id = caller.principal.registered_partner()
        if self.repository.partner_of(crn) != partner_id:
            raise NotFound(f"No case with CRN {crn}.")
        return partner_id

    def _case(self, crn: str) -> PlanCase:
        facts = self.repository.plan_case(crn)
        if facts is None:
            raise NotFound(f"No case with CRN {crn}.")
        return facts

    def _plan(self, crn: str, plan_id: str) -> SentencePlan:
        found = self.repository.plan(crn, plan_id)
        if found is None:
            raise NotFound(f"No sentence plan {plan_id} on case {crn}.")
        return found

    def _event(
        self, caller: Caller, event_type: str, plan: SentencePlan, description: str, **information: Any
    ) -> DomainEvent:
        return case_event(
            event_id=self.new_id(),
            event_type=event_type,
            crn=plan.crn,
            occurred_at=self.clock.now(),
            description=description,
            detail_url=f"/cases/{plan.crn}/sentence-plans/{plan.id}",
            correlation_id=caller.correlation_id,
            planId=plan.id,
            planVersion=plan.plan_version,
            **{name: value for name, value in information.items() if value is not None},
        )

    def _record_read(self, caller: Caller, crn: str) -> None:
        self.repository.record_reads([self._audit(caller, crn, AuditAction.READ)])


# ------------------------------------------------------------------ rules

_NEEDS_TARGET = "an ACTIVE goal needs a target: targetMonths (3, 6 or 12) or a targetDate"


def _fits(plan: SentencePlan) -> None:
    size = len(plan.model_dump_json(by_alias=True).encode())
    if size > MAX_PLAN_BYTES:
        raise Conflict(
            f"The plan would be {size // 1000} KB, more than the {MAX_PLAN_BYTES // 1000} KB a plan may "
            "hold: shorten its descriptions and notes, or remove goals that are no longer needed."
        )


def _assessor(caller: Caller) -> None:
    caller.principal.require_any(ASSESSORS)


def _at(plan: SentencePlan, expected_version: int | None) -> None:
    if expected_version is None:
        raise PreconditionRequired("Changing a sentence plan needs If-Match with the ETag you read.")
    if plan.version != expected_version:
        raise stale(plan.version)


def _open(plan: SentencePlan) -> None:
    if plan.status is PlanStatus.CLOSED:
        raise Conflict(f"Plan {plan.id} is closed: its TERMINATE version was agreed. Start a new plan.")


def _editable(plan: SentencePlan) -> None:
    _open(plan)
    if plan.locked:
        raise _locked(plan, "its goals and steps")


def _locked(plan: SentencePlan, what: str) -> Conflict:
    return Conflict(
        f"Version {plan.plan_version} of plan {plan.id} is locked by the person's agreement "
        f"({plan.agreement_status}): {what} cannot change, only progress is recorded on it. "
        "Start a review (POST …/reviews) to change the plan."
    )


def _awaiting_countersign(plan: SentencePlan) -> None:
    if plan.countersigning_status is not CountersigningStatus.AWAITING_COUNTERSIGN:
        raise Conflict(
            f"Version {plan.plan_version} of plan {plan.id} is not waiting for a countersignature "
            f"({plan.countersigning_status})."
        )


def _goal(plan: SentencePlan, goal_id: str) -> Goal:
    found = plan.goal(goal_id)
    if found is None:
        raise NotFound(f"Version {plan.plan_version} of plan {plan.id} has no goal {goal_id}.")
    return found


def _step(goal: Goal, step_id: str) -> Step:
    found = next((step for step in goal.steps if step.id == step_id), None)
    if found is None:
        raise NotFound(f"Goal {goal.id} has no step {step_id}.")
    return found


def _area_errors(plan: SentencePlan, area: AreaCode | None, field: str) -> list[FieldError]:
    known = [a.area.value for a in plan.areas_of_need]
    if area is None or area.value in known:
        return []
    return [FieldError(field, f"the plan has no area of need {area}: one of {', '.join(known)}, or none")]


def _target(
    status: GoalStatus,
    months: int | None,
    day: date | None,
    today: date,
    errors: list[FieldError],
) -> tuple[int | None, date | None]:
    """A goal's target: ``targetMonths`` from today, or ``targetDate``; an ACTIVE goal needs one, a FUTURE
    goal has none yet."""
    if months is not None and day is not None:
        errors.append(FieldError("targetDate", "give targetMonths or targetDate, not both"))
        return None, None
    if status is GoalStatus.FUTURE and (months is not None or day is not None):
        errors.append(
            FieldError(
                "targetMonths" if months is not None else "targetDate", "a FUTURE goal has no target yet"
            )
        )
        return None, None
    if day is not None and day <= today:
        errors.append(FieldError("targetDate", "must be after today"))
        return None, None
    if months is not None:
        return months, add_months(today, months)
    if day is None and status is GoalStatus.ACTIVE:
        errors.append(FieldError("targetMonths", _NEEDS_TARGET))
    return None, day


def _permutation(given: list[str], held: list[str], field: str, what: str) -> None:
    if len(given) != len(set(given)) or set(given) != set(held):
        raise InvalidInput([FieldError(field, f"must name every {what} once each ({len(held)} of them)")])


def _progress(step: Step, status: Any, note: str | None, now: datetime, who: str) -> dict[str, Any]:
    """A status change or a note: recorded in the step's notes."""
    new_status = status or step.status
    if new_status is step.status and note is None:
        return {"updated_at": now, "updated_by": who}
    return {
        "status": new_status,
        "notes": [*step.notes, StepNote(status=new_status, note=note, at=now, by=who)],
        "updated_at": now,
        "updated_by": who,
    }


def _with_goal(plan: SentencePlan, goal: Goal) -> SentencePlan:
    return plan.model_copy(update={"goals": [goal if g.id == goal.id else g for g in plan.goals]})


def _with_step(plan: SentencePlan, goal: Goal, step: Step) -> SentencePlan:
    steps = [step if s.id == step.id else s for s in goal.steps]
    return _with_goal(plan, goal.model_copy(update={"steps": steps, "updated_at": step.updated_at}))


def _ready_to_agree(plan: SentencePlan) -> None:
    live = [goal for goal in plan.goals if goal.status not in _ENDED]
    if not live:
        raise Conflict("A plan is agreed with at least one goal that is ACTIVE or FUTURE: add one first.")
    stepless = [goal.title for goal in live if goal.status is GoalStatus.ACTIVE and not goal.steps]
    if stepless:
        raise Conflict(
            f"Every ACTIVE goal needs a step before the agreement: add one to {', '.join(stepless)}."
        )


def _no_completed_assessment(crn: str, facts: PlanCase) -> str:
    if facts.open_draft_assessment_id:
        path = f"/cases/{crn}/assessments/{facts.open_draft_assessment_id}"
        return (
            f"Case {crn} has no completed OASys assessment, which a sentence plan starts from: complete the "
            f"draft {path} (POST {path}/complete) first."
        )
    return (
        f"Case {crn} has no completed OASys assessment, which a sentence plan starts from: open one "
        f"(POST /cases/{crn}/assessments) and complete it first."
    )


def _due_item(plan: SentencePlan, today: date) -> ReviewDueItem:
    assert plan.review_due is not None
    assert plan.staff_code is not None
    return ReviewDueItem(
        crn=plan.crn,
        plan_id=plan.id,
        plan_version=plan.plan_version,
        type=plan.type,
        person_name=plan.person_name,
        staff_code=plan.staff_code,
        review_due=plan.review_due,
        days_left=(plan.review_due - today).days,
        agreement_status=plan.agreement_status,
        countersigning_status=plan.countersigning_status,
        review_started=not plan.locked,
    )

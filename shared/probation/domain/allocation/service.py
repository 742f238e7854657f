"""Allocation rules: the team queue, tiering on case events, ranked recommendations, recorded decisions,
transfers between teams, and following the case as it closes and reopens."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol, cast

from probation.allocation.eligibility import eligible_grades, grade_restrictions, partner_eligible
from probation.allocation.tiering import MappaLevel, TierInputs, calculate_tier
from probation.allocation.workload import (
    NO_CAPACITY,
    CaseType,
    Grade,
    available_points,
    capacity_percent,
    case_points,
    case_type_for,
)
from probation.assessments.scoring import Need
from probation.domain.allocation.ledger import moved
from probation.domain.allocation.models import (
    ALLOCATED,
    TRANSFER_ACCEPTED,
    TRANSFER_REJECTED,
    TRANSFER_REQUESTED,
    TRANSFER_WITHDRAWN,
    Allocation,
    AllocationRequest,
    AllocationStatus,
    CaseFacts,
    CaseloadEntry,
    DueToEndEntry,
    NewPractitioner,
    NewTeam,
    Practitioner,
    PractitionerPatch,
    PractitionerView,
    QueueEntry,
    Recommendation,
    Recommendations,
    SentenceEnd,
    Team,
    Tier,
    Transfer,
    TransferRejection,
    TransferRequest,
    TransferStatus,
    Workload,
)
from probation.domain.allocation.ports import AlreadyApplied, PartnerNotRegistered
from probation.domain.assessments.models import CaseState
from probation.domain.audit import AuditAction, AuditingService, AuditRecord
from probation.domain.cases.models import (
    CaseOverview,
    CaseStatus,
    Conviction,
    SentenceType,
    expected_end_date,
)
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.cases.registers import MAPPA_CODE, REGISTER_TYPES, RegisterGroup
from probation.domain.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    no_such_team,
    stale,
)
from probation.domain.events import DomainEvent, case_event
from probation.domain.principal import STAFF_ROLES, Caller, Principal, Role
from probation.domain.supervision.rules import next_appointment
from probation.domain.supervision.summary import SupervisionSummary
from probation.risk.enums import Gender, RiskBand

TIER_COMPLETE = "tier.calculation.complete"
TIER_CHANGED = "tier.calculation.changed"
MANAGERS = frozenset({Role.MANAGER, Role.ADMIN})
RECENT = timedelta(days=7)
SYSTEM = Principal.system("allocation")
ROSH_LEVELS = {"RVHR": "VERY_HIGH", "RHRH": "HIGH", "RMRH": "MEDIUM", "RLRH": "LOW"}

TIERING_EVENTS = frozenset(
    {
        "probation-case.sentence.created",
        "probation-case.registration.added",
        "probation-case.registration.deregistered",
        "risk-assessment.scores.determined",
        "assessment.summary.produced",
        "probation-case.breach.started",
        "probation-case.breach.ended",
        "probation-case.sentence.terminated",
    }
)
CASE_CREATED = "probation-case.engagement.created"
CASE_CLOSED = "probation-case.closed"
CASE_REOPENED = "probation-case.reopened"
FOLLOWED_EVENTS = TIERING_EVENTS | {CASE_CREATED, CASE_CLOSED, CASE_REOPENED}
"""Every event after which the allocation follows the case: its queue, its status and its tier."""
DUE_TO_END_WITHIN = timedelta(days=30)
CHANGE_ATTEMPTS = 5

WorkloadChanges = list[tuple[str, Workload, Workload]]
Change = tuple[Allocation, WorkloadChanges, list[DomainEvent]]
"""An allocation one version on, the workloads it moves (code, as read, after) and its events."""


class AllocationRepository(Protocol):
    def create_team(self, team: Team) -> None: ...

    def teams(self) -> list[Team]: ...

    def team_exists(self, code: str) -> bool: ...

    def create_practitioner(self, practitioner: Practitioner) -> None: ...

    def practitioner(self, code: str) -> Practitioner | None: ...

    def practitioners(self, team_code: str) -> list[Practitioner]: ...

    def replace_practitioner(self, practitioner: Practitioner, expected_version: int) -> None: ...

    def allocation(self, crn: str) -> Allocation | None: ...

    def queue(self, team_code: str) -> list[Allocation]: ...

    def caseload(self, practitioner_code: str) -> list[Allocation]: ...

    def ending_by_practitioner(self, practitioner_code: str, until: date) -> list[Allocation]:
        """The practitioner's cases whose first active sentence ends by ``until``, soonest first."""
        ...

    def ending_in_team(self, team_code: str, until: date) -> list[Allocation]:
        """The team's cases (queued or held) whose first active sentence ends by ``until``, soonest first."""
        ...

    def supervision_summaries(self, crns: list[str]) -> Mapping[str, SupervisionSummary]: ...

    def case_state(self, crn: str) -> CaseState | None: ...

    def save_allocation(
        self,
        allocation: Allocation,
        expected_version: int | None,
        workload_changes: WorkloadChanges,
        events: list[DomainEvent],
        audit: AuditRecord,
        consumed_event_id: str | None,
        case_moved_at: datetime | None = None,
    ) -> None:
        """Writes ``allocation`` over ``expected_version`` (None: creates it) with the workloads it moves;
        ``case_moved_at``: the case's own team becomes the allocation's then."""
        ...


@dataclass(kw_only=True)
class AllocationService(AuditingService):
    audit_resource = "allocation"
    repository: AllocationRepository

    # ------------------------------------------------------------------ teams and practitioners

    def create_team(self, new_team: NewTeam, caller: Caller) -> Team:
        caller.principal.require_any(MANAGERS)
        team = Team(**dict(new_team), created_at=self.clock.now())
        try:
            self.repository.create_team(team)
        except ConcurrentChange:
            raise Conflict(f"Team {team.code} already exists.") from None
        return team

    def teams(self, caller: Caller) -> list[Team]:
        caller.principal.require_any(STAFF_ROLES)
        return self.repository.teams()

    def create_practitioner(self, new_practitioner: NewPractitioner, caller: Caller) -> PractitionerView:
        caller.principal.require_any(MANAGERS)
        self._require_team(new_practitioner.team_code, "teamCode")
        practitioner = Practitioner(**dict(new_practitioner), version=1)
        try:
            self.repository.create_practitioner(practitioner)
        except ConcurrentChange:
            raise Conflict(f"Practitioner {practitioner.code} already exists.") from None
        return self.view(practitioner)

    def practitioners(self, team_code: str, caller: Caller) -> list[PractitionerView]:
        caller.principal.require_any(STAFF_ROLES)
        self._require_team(team_code, "teamCode")
        return [self.view(p) for p in self.repository.practitioners(team_code)]

    def practitioner(self, code: str, caller: Caller) -> PractitionerView:
        caller.principal.require_any(STAFF_ROLES)
        return self.view(self._practitioner(code))

    def update_practitioner(
        self, code: str, patch: PractitionerPatch, expected_version: int | None, caller: Caller
    ) -> PractitionerView:
        caller.principal.require_any(MANAGERS)
        if expected_version is None:
            raise PreconditionRequired("PATCH needs an If-Match header with the ETag you read.")
        current = self._practitioner(code)
        if current.version != expected_version:
            raise stale(current.version)
        if patch.team_code is not None:
            self._require_team(patch.team_code, "teamCode")
        changes = {name: getattr(patch, name) for name in patch.model_fields_set}
        updated = current.model_copy(update={**changes, "version": current.version + 1})
        try:
            self.repository.replace_practitioner(updated, expected_version)
        except ConcurrentChange:
            raise stale(self._practitioner(code).version) from None
        return self.view(updated)

    def view(self, practitioner: Practitioner) -> PractitionerView:
        available = available_points(
            practitioner.grade,
            practitioner.contracted_hours,
            practitioner.reductions,
            self.clock.now().date(),
        )
        capacity = capacity_percent(practitioner.workload.points, available)
        return PractitionerView(
            **dict(practitioner),
            available_points=round(available, 2),
            capacity_percent=None if capacity == NO_CAPACITY else round(capacity, 2),
        )

    # ------------------------------------------------------------------ queue, caseload, recommendations

    def queue(self, team_code: str, caller: Caller) -> list[QueueEntry]:
        """The team's unallocated cases and the cases coming to it by transfer (still held by the sending
        team until this one allocates them), from one Query."""
        caller.principal.require_any(STAFF_ROLES)
        today = self.clock.now().date()
        waiting = []
        for a in self.repository.queue(team_code):
            incoming = a.pending_transfer if a.team_code != team_code else None
            since = incoming.requested_at if incoming else a.waiting_since
            waiting.append((since, a.tier.protect_level if a.tier else "Z", a, incoming))
        waiting.sort(key=lambda entry: (entry[0], entry[1]))
        return [
            QueueEntry(
                crn=a.crn,
                name=a.facts.name,
                tier=a.tier.tier if a.tier else None,
                sentence_type=a.facts.sentence_type,
                sentence_date=a.facts.sentence_date,
                length_months=a.facts.length_months,
                rosh=a.facts.rosh,
                rsr_band=a.facts.rsr_band,
                mappa_level=a.facts.mappa_level,
                release_date=a.facts.release_date,
                days_waiting=(today - since.date()).days,
                transfer=incoming,
            )
            for since, _, a, incoming in waiting
        ]

    def due_to_end_of_practitioner(self, code: str, caller: Caller) -> list[DueToEndEntry]:
        caller.principal.require_any(STAFF_ROLES)
        today = self.clock.now().date()
        return _due_to_end(self.repository.ending_by_practitioner(code, today + DUE_TO_END_WITHIN), today)

    def due_to_end_in_team(self, code: str, caller: Caller) -> list[DueToEndEntry]:
        caller.principal.require_any(STAFF_ROLES)
        today = self.clock.now().date()
        return _due_to_end(self.repository.ending_in_team(code, today + DUE_TO_END_WITHIN), today)

    def caseload(self, code: str, caller: Caller) -> tuple[PractitionerView, list[CaseloadEntry]]:
        caller.principal.require_any(STAFF_ROLES)
        practitioner = self._practitioner(code)
        held = self.repository.caseload(code)
        summaries = self.repository.supervision_summaries([a.crn for a in held])
        now = self.clock.now()
        entries = [
            CaseloadEntry(
                crn=a.crn,
                name=a.facts.name,
                tier=a.tier.tier if a.tier else None,
                case_type=a.case_type,
                points=a.points,
                rosh=a.facts.rosh,
                rsr_band=a.facts.rsr_band,
                mappa_level=a.facts.mappa_level,
                sentence_type=a.facts.sentence_type,
                expected_end_date=expected_end_date(a.facts.sentence_date, a.facts.length_months)
                if a.facts.sentence_date and a.facts.length_months
                else None,
                next_appointment=next_appointment(summaries[a.crn], now),
                last_contact=summaries[a.crn].last_contact,
            )
            for a in held
        ]
        return self.view(practitioner), entries

    def allocation(self, crn: str, caller: Caller) -> Allocation:
        caller.principal.require_any(STAFF_ROLES)
        return self._allocation(crn)

    def recommendations(self, crn: str, caller: Caller) -> Recommendations:
        """Every eligible practitioner of the case's team, ranked: two reads, whatever the team's size."""
        caller.principal.require_any(STAFF_ROLES)
        allocation = self._allocation(crn)
        grades, restrictions = _eligibility(allocation)
        points = self._points_for(allocation)
        now = self.clock.now()
        ranked = []
        team_code = _allocating_team(allocation)
        for practitioner in self.repository.practitioners(team_code):
            if practitioner.grade not in grades:
                continue
            view = self.view(practitioner)
            after = capacity_percent(practitioner.workload.points + points, view.available_points)
            if after == NO_CAPACITY:
                continue  # no available hours: never offered a case
            after = round(after, 2)
            recent = sum(1 for at in practitioner.workload.allocations if now - at <= RECENT)
            ranked.append((after, recent, view, practitioner))
        ranked.sort(key=lambda entry: (entry[0], entry[1], entry[2].code))
        return Recommendations(
            crn=crn,
            team_code=team_code,
            tier=allocation.tier.tier if allocation.tier else None,
            case_points=points,
            eligibility=restrictions,
            practitioners=[
                Recommendation(
                    rank=rank,
                    code=view.code,
                    name=view.name,
                    grade=view.grade,
                    capacity_percent=view.capacity_percent,
                    capacity_after_percent=after,
                    allocated_last_7_days=recent,
                    community_cases=practitioner.workload.community + practitioner.workload.licence,
                    custody_cases=practitioner.workload.custody,
                    high_rosh_cases=practitioner.workload.high_rosh,
                    mappa_cases=practitioner.workload.mappa,
                    supervised_before=view.code in _holders(allocation),
                    reasons=_reasons(rank, after, recent, view.grade, restrictions),
                )
                for rank, (after, recent, view, practitioner) in enumerate(ranked, start=1)
            ],
        )

    # ------------------------------------------------------------------ decisions

    def allocate(
        self, crn: str, request: AllocationRequest, expected_version: int | None, caller: Caller
    ) -> Allocation:
        """Allocates (or reallocates) the case. Allocating to a practitioner of the team a transfer is
        waiting for accepts the transfer: the case moves to that team in the same write."""
        caller.principal.require_any(MANAGERS)
        if expected_version is None:
            raise PreconditionRequired("Allocating needs an If-Match header with the allocation's ETag.")
        current = self._allocation(crn)
        if current.version != expected_version:
            raise stale(current.version)
        if current.status is AllocationStatus.CLOSED:
            raise Conflict(f"{crn} is closed: a new conviction reopens it.")
        now = self.clock.now()
        pending = current.pending_transfer
        accepting: Transfer | None = None
        holder_name = None
        if request.practitioner_code is not None:
            holder = self._practitioner(request.practitioner_code)
            self._check_practitioner(current, holder)
            holder_name = holder.name
            if pending is not None and holder.team_code == pending.to_team_code:
                accepting = pending
        elif not partner_eligible(_rosh(current), _mappa(current)):
            raise InvalidInput(
                [
                    FieldError(
                        "partnerId",
                        "a case with high or very high RoSH or under MAPPA stays with the probation service",
                    )
                ]
            )
        transfers, team_code, acceptance = current.transfers, current.team_code, []
        if accepting is not None:
            transfers, accepted = _decided(current, accepting, TransferStatus.ACCEPTED, caller, now)
            acceptance.append(self._transfer_event(TRANSFER_ACCEPTED, crn, accepted, caller.correlation_id))
            team_code = accepting.to_team_code
        allocated = current.model_copy(
            update={
                "status": AllocationStatus.ALLOCATED,
                "version": current.version + 1,
                "team_code": team_code,
                "practitioner_code": request.practitioner_code,
                "practitioner_name": holder_name,
                "previous_practitioner_codes": _with_previous(current),
                "partner_id": request.partner_id,
                "case_type": self._case_type(current).value,
                "points": self._points_for(current) if request.practitioner_code else 0,
                "allocated_at": now,
                "allocated_by": caller.principal.subject,
                "justification": request.justification,
                "sensitive_notes": request.sensitive_notes,
                "spo_oversight_notes": request.spo_oversight_notes,
                "transfers": transfers,
            }
        )
        event = case_event(
            event_id=self.new_id(),
            event_type=ALLOCATED,
            crn=crn,
            occurred_at=now,
            description=f"{crn} allocated to {request.practitioner_code or request.partner_id}",
            detail_url=f"/cases/{crn}/allocation",
            correlation_id=caller.correlation_id,
            teamCode=team_code,
            staffCode=request.practitioner_code,
            partnerId=request.partner_id,
            previousStaffCode=current.practitioner_code,
            previousPartnerId=current.partner_id,
            tier=current.tier.tier if current.tier else None,
        )
        events = [event, *acceptance]
        changes = self._workload_moves(current, allocated, allocated_at=now)
        audit = self._audit(caller, crn, AuditAction.UPDATE, event)
        moved_at = now if accepting is not None else None
        try:
            self.repository.save_allocation(
                allocated, expected_version, changes, events, audit, None, moved_at
            )
        except PartnerNotRegistered:
            raise InvalidInput([FieldError("partnerId", "is not a registered partner provider")]) from None
        except ConcurrentChange:
            raise stale(self._allocation(crn).version) from None
        return allocated

    # ------------------------------------------------------------------ transfers

    def transfer(self, crn: str, transfer_id: str, caller: Caller) -> Transfer:
        caller.principal.require_any(STAFF_ROLES)
        return _transfer_of(self._allocation(crn), transfer_id)

    def request_transfer(self, crn: str, request: TransferRequest, caller: Caller) -> Transfer:
        """The case joins the receiving team's queue and stays with its holder till that team allocates it."""
        caller.principal.require_any(STAFF_ROLES)

        def decide(current: Allocation, now: datetime) -> tuple[Allocation, Transfer]:
            if (
                not caller.principal.roles & MANAGERS
                and caller.principal.subject != current.practitioner_code
            ):
                raise Forbidden("Only a manager or the case's practitioner can ask for its transfer.")
            if current.status is AllocationStatus.CLOSED:
                raise Conflict(f"{crn} is closed: there is nothing to transfer.")
            self._require_team(request.team_code, "teamCode")
            if request.team_code == current.team_code:
                raise Conflict(f"{crn} is already with team {request.team_code}.")
            if (pending := current.pending_transfer) is not None:
                raise Conflict(
                    f"{crn} is already waiting to go to team {pending.to_team_code} (transfer {pending.id}): "
                    "that transfer must be accepted, rejected or withdrawn first."
                )
            transfer = Transfer(
                id=self.new_id(),
                from_team_code=current.team_code,
                to_team_code=request.team_code,
                from_practitioner_code=current.practitioner_code,
                reason=request.reason,
                status=TransferStatus.PENDING,
                requested_by=caller.principal.subject,
                requested_at=now,
            )
            return current.model_copy(update={"transfers": [*current.transfers, transfer]}), transfer

        return self._change_transfer(crn, TRANSFER_REQUESTED, caller, decide)

    def reject_transfer(
        self, crn: str, transfer_id: str, rejection: TransferRejection, caller: Caller
    ) -> Transfer:
        """The receiving team says no: the case leaves its queue and stays as it was."""
        caller.principal.require_any(MANAGERS)

        def decide(current: Allocation, now: datetime) -> tuple[Allocation, Transfer]:
            transfer = _pending_transfer(current, transfer_id)
            transfers, rejected = _decided(
                current, transfer, TransferStatus.REJECTED, caller, now, rejection.reason
            )
            return current.model_copy(update={"transfers": transfers}), rejected

        return self._change_transfer(crn, TRANSFER_REJECTED, caller, decide)

    def withdraw_transfer(self, crn: str, transfer_id: str, caller: Caller) -> Transfer:
        """Whoever asked for the transfer (or the case's practitioner, or a manager) takes it back."""
        caller.principal.require_any(STAFF_ROLES)

        def decide(current: Allocation, now: datetime) -> tuple[Allocation, Transfer]:
            transfer = _pending_transfer(current, transfer_id)
            senders = {transfer.requested_by, current.practitioner_code}
            if not caller.principal.roles & MANAGERS and caller.principal.subject not in senders:
                raise Forbidden(
                    "Only who asked for the transfer, the case's practitioner or a manager can withdraw it."
                )
            transfers, withdrawn = _decided(current, transfer, TransferStatus.WITHDRAWN, caller, now)
            return current.model_copy(update={"transfers": transfers}), withdrawn

        return self._change_transfer(crn, TRANSFER_WITHDRAWN, caller, decide)

    def _change_transfer(
        self,
        crn: str,
        event_type: str,
        caller: Caller,
        decide: Callable[[Allocation, datetime], tuple[Allocation, Transfer]],
    ) -> Transfer:
        """Decides on the allocation as it is read and writes the decision over that version; a write that
        lost a race is decided again on what won it."""
        for _ in range(CHANGE_ATTEMPTS):
            current = self._allocation(crn)
            changed, transfer = decide(current, self.clock.now())
            event = self._transfer_event(event_type, crn, transfer, caller.correlation_id)
            audit = self._audit(caller, crn, AuditAction.UPDATE, event)
            updated = changed.model_copy(update={"version": current.version + 1})
            try:
                self.repository.save_allocation(updated, current.version, [], [event], audit, None)
            except ConcurrentChange:
                continue
            return transfer
        raise Conflict(f"The allocation of {crn} kept changing: send the request again.")

    def _transfer_event(
        self, event_type: str, crn: str, transfer: Transfer, correlation_id: str | None
    ) -> DomainEvent:
        return case_event(
            event_id=self.new_id(),
            event_type=event_type,
            crn=crn,
            occurred_at=transfer.decided_at or transfer.requested_at,
            description=f"Transfer of {crn} from team {transfer.from_team_code} to team "
            f"{transfer.to_team_code}: {transfer.status.value.lower()}",
            detail_url=f"/cases/{crn}/transfers/{transfer.id}",
            correlation_id=correlation_id,
            transferId=transfer.id,
            fromTeamCode=transfer.from_team_code,
            toTeamCode=transfer.to_team_code,
            fromStaffCode=transfer.from_practitioner_code,
        )

    # ------------------------------------------------------------------ events

    def on_event(self, event: DomainEvent) -> Allocation | None:
        """Follows the case as its state now is (whatever order the events come in): queues it, tiers it
        again, closes its allocation once the case is closed, and queues it again once it reopens."""
        if event.event_type not in FOLLOWED_EVENTS:
            return None
        crn = event.person_reference.identifiers[0].value
        for _ in range(CHANGE_ATTEMPTS):
            state = self.repository.case_state(crn)
            if state is None:
                return None
            change = self._follow(crn, state, self.repository.allocation(crn), event)
            if change is None:
                return None
            updated, workloads, events = change
            audit = self._audit(Caller(SYSTEM, event.correlation_id), crn, AuditAction.UPDATE, event)
            try:
                self.repository.save_allocation(
                    updated, updated.version - 1 or None, workloads, events, audit, event.event_id
                )
            except AlreadyApplied:
                return None
            except ConcurrentChange:
                continue
            return updated
        raise Conflict(f"Allocation of {crn} kept changing; the event will be retried.")

    def _follow(
        self, crn: str, state: CaseState, current: Allocation | None, event: DomainEvent
    ) -> Change | None:
        closed = state.overview.case.status is CaseStatus.CLOSED
        if current is None:
            return None if closed else self._queued(crn, state, event)
        if closed:  # a closed case is neither queued nor tiered
            return None if current.status is AllocationStatus.CLOSED else self._closed(current, state, event)
        if current.status is AllocationStatus.CLOSED:
            reopened = {
                "status": AllocationStatus.UNALLOCATED,
                "waiting_since": event.occurred_at,
                "practitioner_code": None,
                "practitioner_name": None,
                "partner_id": None,
                "previous_practitioner_codes": _with_previous(current),
            }
            return self._tiered(current, state, event, **reopened)
        return self._tiered(current, state, event) if event.event_type in TIERING_EVENTS else None

    def _queued(self, crn: str, state: CaseState, event: DomainEvent) -> Change:
        """A case new to allocation joins its team's queue, tiered unless it has only just been created."""
        case = state.overview.case
        created = event.event_type == CASE_CREATED
        queued = Allocation(
            crn=crn,
            team_code=str(event.additional_information.get("teamCode", case.team_code))
            if created
            else case.team_code,
            status=AllocationStatus.UNALLOCATED,
            version=0,
            facts=_facts(state),
            waiting_since=event.occurred_at if created else case.created_at,
        )
        if created:
            return queued.model_copy(update={"version": 1}), [], []
        return self._tiered(queued, state, event)

    def _tiered(self, current: Allocation, state: CaseState, cause: DomainEvent, **changes: object) -> Change:
        """The allocation (with ``changes``) tiered afresh from the case as it is, and its holder's workload
        moved with it."""
        now = self.clock.now()
        inputs = _tier_inputs(state)
        calculation = calculate_tier(inputs)
        tier = Tier(
            model_version=calculation.model_version,
            tier=calculation.tier,
            protect_level=calculation.protect_level,
            protect_points=calculation.protect_points,
            change_level=calculation.change_level,
            change_points=calculation.change_points,
            reasons=list(calculation.reasons),
            inputs=inputs.model_dump(mode="json", by_alias=True),
            calculated_at=now,
            event_id=cause.event_id,
        )
        updated = current.model_copy(
            update={**changes, "tier": tier, "facts": _facts(state), "version": current.version + 1}
        )
        if updated.status is AllocationStatus.ALLOCATED:
            updated = updated.model_copy(
                update={
                    "case_type": self._case_type(updated).value,
                    "points": self._points_for(updated) if updated.practitioner_code else 0,
                }
            )
        crn = current.crn
        previous_tier = current.tier.tier if current.tier else None
        events = [self._tier_event(TIER_COMPLETE, crn, tier, previous_tier, cause)]
        if previous_tier != tier.tier:
            events.append(self._tier_event(TIER_CHANGED, crn, tier, previous_tier, cause))
        return updated, self._workload_moves(current, updated), events

    def _closed(self, current: Allocation, state: CaseState, cause: DomainEvent) -> Change:
        """The case closed: out of every queue and caseload, its share of the workload released, and a
        waiting transfer withdrawn. Its tier and who held it last stay as they were (the partner's feed is
        told of the closure by the allocation as it finds it)."""
        transfers, events = current.transfers, []
        if (pending := current.pending_transfer) is not None:
            system = Caller(SYSTEM, cause.correlation_id)
            transfers, withdrawn = _decided(
                current, pending, TransferStatus.WITHDRAWN, system, self.clock.now()
            )
            events.append(
                self._transfer_event(TRANSFER_WITHDRAWN, current.crn, withdrawn, cause.correlation_id)
            )
        closed = current.model_copy(
            update={
                "status": AllocationStatus.CLOSED,
                "version": current.version + 1,
                "facts": _facts(state),
                "case_type": None,
                "points": 0,
                "transfers": transfers,
            }
        )
        return closed, self._workload_moves(current, closed), events

    def _tier_event(
        self, event_type: str, crn: str, tier: Tier, previous: str | None, cause: DomainEvent
    ) -> DomainEvent:
        return case_event(
            event_id=self.new_id(),
            event_type=event_type,
            crn=crn,
            occurred_at=tier.calculated_at,
            description=f"Tier of {crn} calculated: {tier.tier}",
            detail_url=f"/cases/{crn}/allocation",
            correlation_id=cause.correlation_id,
            tier=tier.tier,
            previousTier=previous,
            reasons=tier.reasons,
            triggeredBy=cause.event_type,
        )

    # ------------------------------------------------------------------ helpers

    def _workload_moves(
        self, before: Allocation, after: Allocation, *, allocated_at: datetime | None = None
    ) -> WorkloadChanges:
        """Each holder's workload (before's and after's) without the case as it was and with it as it is,
        each conditional on the workload as read here."""
        changes: WorkloadChanges = []
        for code in dict.fromkeys(filter(None, [before.practitioner_code, after.practitioner_code])):
            read = self._practitioner(code).workload
            workload = moved(
                read,
                released=before if before.practitioner_code == code else None,
                taken=after if after.practitioner_code == code else None,
            )
            if allocated_at is not None and after.practitioner_code == code:
                recent = [moment for moment in workload.allocations if allocated_at - moment <= RECENT]
                workload = workload.model_copy(update={"allocations": [*recent, allocated_at]})
            if workload != read:
                changes.append((code, read, workload))
        return changes

    def _points_for(self, allocation: Allocation) -> int:
        if allocation.tier is None:
            return 0
        return case_points(allocation.tier.tier, self._case_type(allocation))

    def _case_type(self, allocation: Allocation) -> CaseType:
        facts = allocation.facts
        return case_type_for(facts.sentence_type or "COMMUNITY", facts.release_date, self.clock.now().date())

    def _check_practitioner(self, allocation: Allocation, practitioner: Practitioner) -> None:
        teams = dict.fromkeys([allocation.team_code, _allocating_team(allocation)])
        if practitioner.team_code not in teams:
            raise InvalidInput(
                [FieldError("practitionerCode", f"{practitioner.code} is not in team {' or '.join(teams)}")]
            )
        grades, restrictions = _eligibility(allocation)
        if practitioner.grade not in grades:
            raise InvalidInput(
                [
                    FieldError(
                        "practitionerCode",
                        f"a {practitioner.grade} cannot hold this case: {'; '.join(restrictions)}",
                    )
                ]
            )

    def _require_team(self, code: str, field_name: str) -> None:
        if not self.repository.team_exists(code):
            raise no_such_team(code, field_name)

    def _practitioner(self, code: str) -> Practitioner:
        practitioner = self.repository.practitioner(code)
        if practitioner is None:
            raise NotFound(f"No practitioner {code}.")
        return practitioner

    def _allocation(self, crn: str) -> Allocation:
        allocation = self.repository.allocation(crn)
        if allocation is None:
            raise NotFound(f"No allocation record for case {crn}: it has not reached a team queue.")
        return allocation


def _allocating_team(allocation: Allocation) -> str:
    """The team whose practitioners may take the case next: the one a waiting transfer goes to."""
    pending = allocation.pending_transfer
    return pending.to_team_code if pending is not None else allocation.team_code


def _transfer_of(allocation: Allocation, transfer_id: str) -> Transfer:
    transfer = next((t for t in allocation.transfers if t.id == transfer_id), None)
    if transfer is None:
        raise NotFound(f"No transfer {transfer_id} of case {allocation.crn}.")
    return transfer


def _pending_transfer(allocation: Allocation, transfer_id: str) -> Transfer:
    transfer = _transfer_of(allocation, transfer_id)
    if transfer.status is not TransferStatus.PENDING:
        raise Conflict(f"Transfer {transfer_id} is {transfer.status.value.lower()} already.")
    return transfer


def _decided(
    allocation: Allocation,
    transfer: Transfer,
    status: TransferStatus,
    caller: Caller,
    at: datetime,
    rejection_reason: str | None = None,
) -> tuple[list[Transfer], Transfer]:
    """The allocation's transfers with ``transfer`` decided, and the decided transfer."""
    decided = transfer.model_copy(
        update={
            "status": status,
            "decided_by": caller.principal.subject,
            "decided_at": at,
            "rejection_reason": rejection_reason,
        }
    )
    return [decided if t.id == transfer.id else t for t in allocation.transfers], decided


def _due_to_end(allocations: list[Allocation], today: date) -> list[DueToEndEntry]:
    return [
        DueToEndEntry(
            crn=a.crn,
            name=a.facts.name,
            team_code=a.team_code,
            practitioner_code=a.practitioner_code,
            practitioner_name=a.practitioner_name,
            conviction_number=ending.conviction_number,
            sentence_type=ending.sentence_type,
            expected_end_date=ending.expected_end_date,
            days_left=(ending.expected_end_date - today).days,
        )
        for a in allocations
        if (ending := a.facts.ending) is not None
    ]


def _with_previous(current: Allocation) -> list[str]:
    """The case's earlier holders, with the one it is moving from (once, in the order they held it)."""
    earlier = current.previous_practitioner_codes
    holder = current.practitioner_code
    return earlier if holder is None or holder in earlier else [*earlier, holder]


def _holders(allocation: Allocation) -> set[str]:
    """Everyone who has held the case, the holder now included."""
    return {*allocation.previous_practitioner_codes, *filter(None, [allocation.practitioner_code])}


def _reasons(rank: int, after: float, recent: int, grade: str, restrictions: list[str]) -> list[str]:
    reasons = [f"capacity after taking this case: {after}%"]
    if after > 100:
        reasons.append("would be over capacity")
    reasons.append(f"{recent} case(s) allocated in the last 7 days")
    if restrictions:
        reasons.append(f"eligible as {grade}: " + "; ".join(restrictions))
    if rank == 1:
        reasons.insert(0, "most capacity left after taking this case")
    return reasons


def _rosh(allocation: Allocation) -> RiskBand | None:
    return RiskBand(allocation.facts.rosh) if allocation.facts.rosh else None


def _mappa(allocation: Allocation) -> MappaLevel | None:
    return cast(MappaLevel, allocation.facts.mappa_level)


def _eligibility(allocation: Allocation) -> tuple[frozenset[Grade], list[str]]:
    tier = allocation.tier.tier if allocation.tier else None
    rosh, mappa = _rosh(allocation), _mappa(allocation)
    return eligible_grades(rosh, mappa, tier), grade_restrictions(rosh, mappa, tier)


def _latest(convictions: list[Conviction]) -> Conviction | None:
    return max(convictions, key=lambda c: (c.conviction_date, c.conviction_number), default=None)


def _active(overview: CaseOverview) -> list[Conviction]:
    return [conviction for conviction in overview.convictions if conviction.active]


def _facts(state: CaseState) -> CaseFacts:
    """The case as the queue and the rules see it: the latest active sentence (the latest of all, for
    display, once none is active) and the active sentence that ends first."""
    overview = state.overview
    case = overview.case
    active = [r for r in overview.registrations if r.status == "ACTIVE"]
    rosh = next((ROSH_LEVELS[r.type] for r in active if r.type in ROSH_LEVELS), None)
    mappa = next((r.mappa_level.value for r in active if r.type == MAPPA_CODE and r.mappa_level), None)
    risk = state.latest_risk
    rsr = risk.result.get("rsr") if risk else None
    sentences = _active(overview)
    first_to_end = min(
        sentences, key=lambda c: (c.sentence.expected_end_date, c.conviction_number), default=None
    )
    facts = CaseFacts(
        name=f"{case.first_name} {case.last_name}",
        rosh=rosh,
        mappa_level=mappa,
        rsr_band=rsr["band"] if rsr else None,
        ending=SentenceEnd(
            conviction_number=first_to_end.conviction_number,
            sentence_type=first_to_end.sentence.type.value,
            expected_end_date=first_to_end.sentence.expected_end_date,
        )
        if first_to_end
        else None,
    )
    conviction = _latest(sentences) or _latest(overview.convictions)
    if conviction is not None:
        sentence = conviction.sentence
        facts = facts.model_copy(
            update={
                "sentence_type": sentence.type.value,
                "sentence_date": sentence.sentence_date,
                "length_months": sentence.length_months,
                "release_date": sentence.release_date,
            }
        )
    return facts


def _tier_inputs(state: CaseState) -> TierInputs:
    """What the tier is calculated from: the case's registrations, scores and assessment, and its latest
    active sentence (none once every sentence has ended)."""
    overview = state.overview
    facts = _facts(state)
    active = [r for r in overview.registrations if r.status == "ACTIVE"]
    complexity = {r.type for r in active if REGISTER_TYPES[r.type].group is RegisterGroup.COMPLEXITY}
    risk = state.latest_risk
    rsr = risk.result.get("rsr") if risk else None
    arp = risk.result.get("allReoffending") if risk else None
    arp_score = (arp.get("dynamic") or arp.get("static")) if arp else None
    assessment = state.latest_completed
    needs = {need.section: need.need for need in assessment.section_needs or []} if assessment else {}
    requirements: set[str] = set()
    custodial = False
    current = _latest(_active(overview))
    if current is not None:
        sentence = current.sentence
        custodial = sentence.type is SentenceType.CUSTODY
        requirements = {requirement.type.value for requirement in sentence.requirements}
    return TierInputs(
        rosh=RiskBand(facts.rosh) if facts.rosh else None,
        mappa_level=cast(MappaLevel, facts.mappa_level),
        rsr_percent=rsr["score"] if rsr else None,
        complexity_factors=frozenset(complexity),
        # Not yet in the case record: unknown, not absent (a man has none to record).
        women_specific_factors=0 if overview.case.gender is Gender.MALE else None,
        # An active breach, or a recall (a breach on licence), as the supervision summary records it.
        breach_or_recall=overview.compliance is not None and overview.compliance.active_breach is not None,
        needs={section: Need(need) for section, need in needs.items()},
        has_valid_assessment=assessment is not None,
        ogrs_percent=arp_score["score"] if arp_score else None,
        on_iom=None,
        has_custodial_sentence=custodial,
        requirement_types=frozenset(requirements),
    )

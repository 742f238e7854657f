"""Allocation rules: the team queue, tiering on case events, ranked recommendations, recorded decisions."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
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
from probation.domain.allocation.models import (
    ALLOCATED,
    Allocation,
    AllocationRequest,
    AllocationStatus,
    CaseFacts,
    CaseloadEntry,
    NewPractitioner,
    NewTeam,
    Practitioner,
    PractitionerPatch,
    PractitionerView,
    QueueEntry,
    Recommendation,
    Recommendations,
    Team,
    Tier,
    Workload,
)
from probation.domain.allocation.ports import AlreadyApplied, PartnerNotRegistered
from probation.domain.assessments.models import CaseState
from probation.domain.audit import AuditAction, AuditingService, AuditRecord
from probation.domain.cases.models import SentenceType, expected_end_date
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.cases.registers import MAPPA_CODE, REGISTER_TYPES, RegisterGroup
from probation.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    stale,
)
from probation.domain.events import DomainEvent, case_event
from probation.domain.principal import STAFF_ROLES, Caller, Principal, Role
from probation.domain.risk_scoring.inputs import current_conviction
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
    }
)
CASE_CREATED = "probation-case.engagement.created"


class AllocationRepository(Protocol):
    def create_team(self, team: Team) -> None: ...

    def teams(self) -> list[Team]: ...

    def create_practitioner(self, practitioner: Practitioner) -> None: ...

    def practitioner(self, code: str) -> Practitioner | None: ...

    def practitioners(self, team_code: str) -> list[Practitioner]: ...

    def replace_practitioner(self, practitioner: Practitioner, expected_version: int) -> None: ...

    def allocation(self, crn: str) -> Allocation | None: ...

    def queue(self, team_code: str) -> list[Allocation]: ...

    def caseload(self, practitioner_code: str) -> list[Allocation]: ...

    def supervision_summaries(self, crns: list[str]) -> Mapping[str, SupervisionSummary]: ...

    def case_state(self, crn: str) -> CaseState | None: ...

    def save_allocation(
        self,
        allocation: Allocation,
        expected_version: int | None,
        workload_changes: list[tuple[str, Workload, Workload]],
        events: list[DomainEvent],
        audit: AuditRecord,
        consumed_event_id: str | None,
    ) -> None: ...


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
        caller.principal.require_any(STAFF_ROLES)
        today = self.clock.now().date()
        waiting = sorted(
            self.repository.queue(team_code),
            key=lambda a: (a.waiting_since, a.tier.protect_level if a.tier else "Z"),
        )
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
                days_waiting=(today - a.waiting_since.date()).days,
            )
            for a in waiting
        ]

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
        for practitioner in self.repository.practitioners(allocation.team_code):
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
            team_code=allocation.team_code,
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
        caller.principal.require_any(MANAGERS)
        if expected_version is None:
            raise PreconditionRequired("Allocating needs an If-Match header with the allocation's ETag.")
        current = self._allocation(crn)
        if current.version != expected_version:
            raise stale(current.version)
        now = self.clock.now()
        points = self._points_for(current)
        changes: list[tuple[str, Workload, Workload]] = []
        if current.practitioner_code is not None:
            previous = self._practitioner(current.practitioner_code)
            changes.append((previous.code, previous.workload, _without(previous.workload, current)))
        holder_name = None
        if request.practitioner_code is not None:
            holder = self._practitioner(request.practitioner_code)
            self._check_practitioner(current, holder)
            holder_name = holder.name
            base = next((after for code, _, after in changes if code == holder.code), holder.workload)
            changes = [c for c in changes if c[0] != holder.code]
            case_type = self._case_type(current)
            changes.append((holder.code, holder.workload, _with(base, case_type, points, now, current.facts)))
        elif not partner_eligible(_rosh(current), _mappa(current)):
            raise InvalidInput(
                [
                    FieldError(
                        "partnerId",
                        "a case with high or very high RoSH or under MAPPA stays with the probation service",
                    )
                ]
            )
        allocated = current.model_copy(
            update={
                "status": AllocationStatus.ALLOCATED,
                "version": current.version + 1,
                "practitioner_code": request.practitioner_code,
                "practitioner_name": holder_name,
                "previous_practitioner_codes": _with_previous(current),
                "partner_id": request.partner_id,
                "case_type": self._case_type(current).value,
                "points": points if request.practitioner_code else 0,
                "allocated_at": now,
                "allocated_by": caller.principal.subject,
                "justification": request.justification,
                "sensitive_notes": request.sensitive_notes,
                "spo_oversight_notes": request.spo_oversight_notes,
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
            teamCode=current.team_code,
            staffCode=request.practitioner_code,
            partnerId=request.partner_id,
            previousStaffCode=current.practitioner_code,
            previousPartnerId=current.partner_id,
            tier=current.tier.tier if current.tier else None,
        )
        audit = self._audit(caller, crn, AuditAction.UPDATE, event)
        try:
            self.repository.save_allocation(allocated, expected_version, changes, [event], audit, None)
        except PartnerNotRegistered:
            raise InvalidInput([FieldError("partnerId", "is not a registered partner provider")]) from None
        except ConcurrentChange:
            raise stale(self._allocation(crn).version) from None
        return allocated

    # ------------------------------------------------------------------ events

    def on_event(self, event: DomainEvent) -> Allocation | None:
        crn = event.person_reference.identifiers[0].value
        if event.event_type == CASE_CREATED:
            return self._join_queue(crn, event)
        if event.event_type in TIERING_EVENTS:
            return self._retier(crn, event)
        return None

    def _join_queue(self, crn: str, event: DomainEvent) -> Allocation | None:
        state = self.repository.case_state(crn)
        if state is None or self.repository.allocation(crn) is not None:
            return None
        allocation = Allocation(
            crn=crn,
            team_code=str(event.additional_information.get("teamCode", state.overview.case.team_code)),
            status=AllocationStatus.UNALLOCATED,
            version=1,
            facts=_facts(state, self.clock.now()),
            waiting_since=event.occurred_at,
        )
        self._save_from_event(allocation, None, [], [], event)
        return allocation

    def _retier(self, crn: str, event: DomainEvent) -> Allocation | None:
        for _ in range(5):
            state = self.repository.case_state(crn)
            current = self.repository.allocation(crn)
            if state is None:
                return None
            if current is None:
                current = Allocation(
                    crn=crn,
                    team_code=state.overview.case.team_code,
                    status=AllocationStatus.UNALLOCATED,
                    version=0,
                    facts=_facts(state, self.clock.now()),
                    waiting_since=state.overview.case.created_at,
                )
            now = self.clock.now()
            inputs = _tier_inputs(state, now)
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
                event_id=event.event_id,
            )
            updated = current.model_copy(
                update={"tier": tier, "facts": _facts(state, now), "version": current.version + 1}
            )
            changes: list[tuple[str, Workload, Workload]] = []
            if updated.practitioner_code is not None:
                points = self._points_for(updated)
                holder = self._practitioner(updated.practitioner_code)
                high_rosh_was, mappa_was = _risk_load(current.facts)
                high_rosh, mappa = _risk_load(updated.facts)
                changed = holder.workload.model_copy(
                    update={
                        "points": holder.workload.points - current.points + points,
                        "high_rosh": max(0, holder.workload.high_rosh - high_rosh_was + high_rosh),
                        "mappa": max(0, holder.workload.mappa - mappa_was + mappa),
                    }
                )
                changes.append((holder.code, holder.workload, changed))
                updated = updated.model_copy(update={"points": points})
            previous_tier = current.tier.tier if current.tier else None
            events = [self._tier_event(TIER_COMPLETE, crn, tier, previous_tier, event)]
            if previous_tier != tier.tier:
                events.append(self._tier_event(TIER_CHANGED, crn, tier, previous_tier, event))
            try:
                self._save_from_event(updated, current.version or None, changes, events, event)
            except ConcurrentChange:
                continue
            return updated
        raise Conflict(f"Allocation of {crn} kept changing; the event will be retried.")

    def _save_from_event(
        self,
        allocation: Allocation,
        expected_version: int | None,
        changes: list[tuple[str, Workload, Workload]],
        events: list[DomainEvent],
        cause: DomainEvent,
    ) -> None:
        audit = self._audit(Caller(SYSTEM, cause.correlation_id), allocation.crn, AuditAction.UPDATE, cause)
        try:
            self.repository.save_allocation(
                allocation, expected_version, changes, events, audit, cause.event_id
            )
        except AlreadyApplied:
            return

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

    def _points_for(self, allocation: Allocation) -> int:
        if allocation.tier is None:
            return 0
        return case_points(allocation.tier.tier, self._case_type(allocation))

    def _case_type(self, allocation: Allocation) -> CaseType:
        facts = allocation.facts
        return case_type_for(facts.sentence_type or "COMMUNITY", facts.release_date, self.clock.now().date())

    def _check_practitioner(self, allocation: Allocation, practitioner: Practitioner) -> None:
        if practitioner.team_code != allocation.team_code:
            raise InvalidInput(
                [FieldError("practitionerCode", f"{practitioner.code} is not in team {allocation.team_code}")]
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
        if code not in {team.code for team in self.repository.teams()}:
            raise InvalidInput([FieldError(field_name, f"{code} is not a team: create it first")])

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


def _with(workload: Workload, case_type: CaseType, points: int, at: datetime, facts: CaseFacts) -> Workload:
    recent = [moment for moment in workload.allocations if at - moment <= RECENT]
    counts = {CaseType.COMMUNITY: "community", CaseType.LICENCE: "licence", CaseType.CUSTODY: "custody"}
    field_name = counts[case_type]
    high_rosh, mappa = _risk_load(facts)
    return workload.model_copy(
        update={
            "points": workload.points + points,
            "cases": workload.cases + 1,
            field_name: getattr(workload, field_name) + 1,
            "high_rosh": workload.high_rosh + high_rosh,
            "mappa": workload.mappa + mappa,
            "allocations": [*recent, at],
        }
    )


def _without(workload: Workload, allocation: Allocation) -> Workload:
    field_name = (allocation.case_type or "COMMUNITY").lower()
    high_rosh, mappa = _risk_load(allocation.facts)
    return workload.model_copy(
        update={
            "points": max(0, workload.points - allocation.points),
            "cases": max(0, workload.cases - 1),
            field_name: max(0, getattr(workload, field_name) - 1),
            "high_rosh": max(0, workload.high_rosh - high_rosh),
            "mappa": max(0, workload.mappa - mappa),
        }
    )


def _with_previous(current: Allocation) -> list[str]:
    """The case's earlier holders, with the one it is moving from (once, in the order they held it)."""
    earlier = current.previous_practitioner_codes
    holder = current.practitioner_code
    return earlier if holder is None or holder in earlier else [*earlier, holder]


def _risk_load(facts: CaseFacts) -> tuple[int, int]:
    """What a case adds to its holder's high-RoSH and MAPPA counts: each 1 or 0."""
    return int(facts.rosh in HIGH_ROSH), int(facts.mappa_level is not None)


HIGH_ROSH = frozenset({RiskBand.HIGH.value, RiskBand.VERY_HIGH.value})


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


def _facts(state: CaseState, at: datetime) -> CaseFacts:
    overview = state.overview
    case = overview.case
    active = [r for r in overview.registrations if r.status == "ACTIVE"]
    rosh = next((ROSH_LEVELS[r.type] for r in active if r.type in ROSH_LEVELS), None)
    mappa = next((r.mappa_level.value for r in active if r.type == MAPPA_CODE and r.mappa_level), None)
    risk = state.latest_risk
    rsr = risk.result.get("rsr") if risk else None
    facts = CaseFacts(
        name=f"{case.first_name} {case.last_name}",
        rosh=rosh,
        mappa_level=mappa,
        rsr_band=rsr["band"] if rsr else None,
    )
    if overview.convictions:
        conviction = current_conviction(overview)
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


def _tier_inputs(state: CaseState, at: datetime) -> TierInputs:
    facts = _facts(state, at)
    overview = state.overview
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
    if overview.convictions:
        sentence = current_conviction(overview).sentence
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

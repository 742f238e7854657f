"""Risk scoring: stateless calculation, and scoring a case from its record, on request or on events."""

from dataclasses import dataclass
from typing import Protocol

from probation.domain.assessments.models import Assessment
from probation.domain.audit import AuditAction, AuditingService, AuditRecord
from probation.domain.cases.models import CaseOverview
from probation.domain.errors import Conflict, InvalidInput, NotFound
from probation.domain.events import DomainEvent, case_event
from probation.domain.principal import STAFF_ROLES, Caller, Principal
from probation.domain.risk_scoring.inputs import derive_inputs
from probation.domain.risk_scoring.records import (
    RiskScoreRecord,
    ScoringTrigger,
    ScreeningSummary,
    TriggerKind,
    headline_bands,
)
from probation.risk import RiskCalculationRequest, RiskCalculationResult, calculate

SCORES_DETERMINED = "risk-assessment.scores.determined"

# Events after which a case's scores may differ, so it is scored again.
RESCORING_EVENTS = frozenset(
    {
        "probation-case.sentence.created",
        "probation-case.sanctions.recorded",
        "probation-case.registration.added",
        "probation-case.registration.deregistered",
        "assessment.summary.produced",
    }
)

SYSTEM = Principal.system("risk")


class AlreadyScored(Exception):
    """The event was consumed before: scoring it again would double-count it."""


class ScoredMeanwhile(Exception):
    """Another score was saved after the one this one was compared with: its band change would be wrong."""


# Each attempt re-reads the case and the latest score; two scorings of one case at once are rare.
SCORING_ATTEMPTS = 3


@dataclass(frozen=True)
class ScoringCase:
    overview: CaseOverview
    latest_assessment: Assessment | None


class RiskRepository(Protocol):
    def case(self, crn: str) -> ScoringCase | None: ...

    def latest(self, crn: str) -> RiskScoreRecord | None: ...

    def history(
        self, crn: str, limit: int, cursor: str | None
    ) -> tuple[list[RiskScoreRecord], str | None]: ...

    def save(
        self,
        record: RiskScoreRecord,
        previous: RiskScoreRecord | None,
        event: DomainEvent,
        audit: AuditRecord,
        consumed_event_id: str | None,
    ) -> None:
        """Saves ``record`` only while ``previous`` is still the case's latest score (else ScoredMeanwhile),
        so the band change it reports is against the score that really came before it."""
        ...

    def record_reads(self, records: list[AuditRecord]) -> None: ...


@dataclass(kw_only=True)
class RiskScoringService(AuditingService):
    audit_resource = "risk"
    repository: RiskRepository

    def calculate(self, request: RiskCalculationRequest, caller: Caller) -> RiskCalculationResult:
        caller.principal.require_any(STAFF_ROLES)
        return calculate(request, today=self.clock.now().date())

    def score_case(self, crn: str, caller: Caller) -> RiskScoreRecord:
        caller.principal.require_any(STAFF_ROLES)
        trigger = ScoringTrigger(kind=TriggerKind.REQUEST, requested_by=caller.principal.subject)
        return self._score(crn, caller, trigger)

    def history(
        self, crn: str, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[RiskScoreRecord | None, list[RiskScoreRecord], str | None]:
        caller.principal.require_any(STAFF_ROLES)
        if self.repository.case(crn) is None:
            raise NotFound(f"No case with CRN {crn}.")
        records, next_cursor = self.repository.history(crn, limit, cursor)
        latest = records[0] if records and cursor is None else self.repository.latest(crn)
        self.repository.record_reads([self._audit(caller, crn, AuditAction.READ, None)])
        return latest, records, next_cursor

    def on_event(self, event: DomainEvent) -> RiskScoreRecord | None:
        """Rescore the event's case, once per event id; None when there is nothing (new) to score."""
        if event.event_type not in RESCORING_EVENTS:
            return None
        crn = event.person_reference.identifiers[0].value
        trigger = ScoringTrigger(kind=TriggerKind.EVENT, event_id=event.event_id, event_type=event.event_type)
        try:
            return self._score(
                crn, Caller(SYSTEM, event.correlation_id), trigger, consumed_event_id=event.event_id
            )
        except (AlreadyScored, InvalidInput):
            return None  # already done, or the case has no conviction to score yet

    def _score(
        self, crn: str, caller: Caller, trigger: ScoringTrigger, consumed_event_id: str | None = None
    ) -> RiskScoreRecord:
        for _ in range(SCORING_ATTEMPTS):
            try:
                return self._score_once(crn, caller, trigger, consumed_event_id)
            except ScoredMeanwhile:
                continue
        raise Conflict(f"{crn} is being scored by another request; score it again.")

    def _score_once(
        self, crn: str, caller: Caller, trigger: ScoringTrigger, consumed_event_id: str | None
    ) -> RiskScoreRecord:
        case = self.repository.case(crn)
        if case is None:
            raise NotFound(f"No case with CRN {crn}.")
        now = self.clock.now()
        inputs = derive_inputs(case.overview, now.date(), case.latest_assessment)
        result = calculate(inputs.request, today=now.date())
        previous = self.repository.latest(crn)
        rsr_band = result.rsr["band"] if result.rsr else None
        previous_band = previous.rsr_band if previous else None
        result_json = result.model_dump(mode="json")
        record = RiskScoreRecord(
            score_id=self.new_id(),
            crn=crn,
            calculated_at=now,
            model_version=result.model_version,
            trigger=trigger,
            inputs=inputs.request.model_dump(mode="json", by_alias=True, exclude_none=True),
            provenance=inputs.provenance,
            result=result_json,
            rsr_band=rsr_band,
            previous_rsr_band=previous_band,
            rsr_band_changed=previous is not None and previous_band != rsr_band,
            screening=ScreeningSummary.of(result_json),
        )
        event = self._scores_determined(record, result, caller)
        self.repository.save(
            record, previous, event, self._audit(caller, crn, AuditAction.CREATE, event), consumed_event_id
        )
        return record

    def _scores_determined(
        self, record: RiskScoreRecord, result: RiskCalculationResult, caller: Caller
    ) -> DomainEvent:
        return case_event(
            event_id=self.new_id(),
            event_type=SCORES_DETERMINED,
            crn=record.crn,
            occurred_at=record.calculated_at,
            description=f"Risk scores determined for {record.crn} (model {record.model_version})",
            detail_url=f"/cases/{record.crn}/risk",
            correlation_id=caller.correlation_id,
            scoreId=record.score_id,
            modelVersion=record.model_version,
            rsr=dict(result.rsr) if result.rsr else None,
            bands=headline_bands(record.result),
            directContactSexualBand=result.direct_contact_sexual["band"]
            if result.direct_contact_sexual
            else None,
            indirectContactSexualBand=(
                result.indirect_contact_sexual["band"] if result.indirect_contact_sexual else None
            ),
            rsrBandChanged=record.rsr_band_changed,
            previousRsrBand=record.previous_rsr_band,
            screening=record.screening.to_json_dict() if record.screening else None,
        )

"""The assessment lifecycle: open a pre-filled draft, answer and confirm, complete, refresh on events."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from probation.assessments.catalogue import AnswerType, Catalogue, load_catalogue
from probation.assessments.predictors import predictor_answers
from probation.assessments.scoring import section_scores
from probation.assessments.screening import screening_answers
from probation.domain.assessments.models import (
    FOLLOW_UP_GATE_ANSWER,
    Answer,
    AnswerSource,
    Assessment,
    AssessmentPatch,
    AssessmentStatus,
    AssessmentSummary,
    CaseState,
    PreviousAnswer,
    SectionNeed,
    required_follow_ups,
)
from probation.domain.assessments.prefill import personal_details, prefill, system_answers
from probation.domain.audit import AuditAction, AuditingService, AuditRecord
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.cases.service import MAX_ATTEMPTS
from probation.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    stale,
)
from probation.domain.events import DomainEvent, case_event
from probation.domain.principal import Caller, Principal, Role

SUMMARY_PRODUCED = "assessment.summary.produced"
SYSTEM = Principal.system("assessments")
ASSESSORS = frozenset({Role.PRACTITIONER, Role.MANAGER})

# Case changes after which an open draft's unconfirmed facts are brought up to date.
REFRESHING_EVENTS = frozenset(
    {
        "probation-case.sentence.created",
        "probation-case.sanctions.recorded",
        "probation-case.registration.added",
        "probation-case.registration.deregistered",
        "probation-case.personal-details.updated",
        "risk-assessment.scores.determined",
    }
)


class DraftAlreadyOpen(Conflict):
    def __init__(self, assessment_id: str) -> None:
        super().__init__(f"The case already has an open draft assessment: {assessment_id}.")
        self.assessment_id = assessment_id


class AssessmentRepository(Protocol):
    def case_state(self, crn: str) -> CaseState | None: ...

    def assessment(self, crn: str, assessment_id: str) -> Assessment | None: ...

    def open_draft(self, assessment: Assessment, audit: AuditRecord) -> None: ...

    def replace(
        self, assessment: Assessment, expected_version: int, events: list[DomainEvent], audit: AuditRecord
    ) -> None: ...

    def record_reads(self, records: list[AuditRecord]) -> None: ...


@dataclass(kw_only=True)
class AssessmentService(AuditingService):
    audit_resource = "assessment"
    repository: AssessmentRepository
    catalogue: Catalogue

    def open_draft(self, crn: str, caller: Caller) -> Assessment:
        caller.principal.require_any(ASSESSORS)
        state = self._state(crn)
        if state.open_draft is not None:
            raise DraftAlreadyOpen(state.open_draft.assessment_id)
        now = self.clock.now()
        answers = prefill(self.catalogue, state.overview, state.latest_risk, state.latest_completed, now)
        draft = Assessment(
            assessment_id=self.new_id(),
            crn=crn,
            status=AssessmentStatus.DRAFT,
            version=1,
            catalogue_version=self.catalogue.version,
            created_at=now,
            created_by=caller.principal.subject,
            updated_at=now,
            personal_details=personal_details(state.overview),
            answers=answers,
            summary=self._summary(answers),
        )
        try:
            self.repository.open_draft(draft, self._audit(caller, crn, AuditAction.CREATE, None))
        except ConcurrentChange:
            latest = self._state(crn).open_draft
            raise DraftAlreadyOpen(latest.assessment_id if latest else "unknown") from None
        return draft

    def questions(self, version: str, caller: Caller) -> Catalogue:
        """The catalogue an assessment names by its ``catalogueVersion``: it holds no case data."""
        caller.principal.require_any(ASSESSORS)
        if version == self.catalogue.version:
            return self.catalogue
        try:
            return load_catalogue(version)
        except ValueError:
            raise NotFound(f"No question catalogue {version}.") from None

    def get(self, crn: str, assessment_id: str, caller: Caller) -> Assessment:
        caller.principal.require_any(ASSESSORS)
        assessment = self._assessment(crn, assessment_id)
        self.repository.record_reads([self._audit(caller, crn, AuditAction.READ, None)])
        return assessment

    def for_case(self, crn: str, caller: Caller) -> list[Assessment]:
        caller.principal.require_any(ASSESSORS)
        state = self._state(crn)
        self.repository.record_reads([self._audit(caller, crn, AuditAction.READ, None)])
        return sorted(state.assessments, key=lambda a: a.created_at, reverse=True)

    def answer(
        self,
        crn: str,
        assessment_id: str,
        patch: AssessmentPatch,
        expected_version: int | None,
        caller: Caller,
    ) -> Assessment:
        caller.principal.require_any(ASSESSORS)
        current = self._editable(crn, assessment_id, expected_version)
        now = self.clock.now()
        answers = dict(current.answers)
        errors: list[FieldError] = []
        for code, change in patch.answers.items():
            question = self.catalogue.questions.get(code)
            if question is None:
                errors.append(FieldError(f"answers.{code}", "is not a question of this assessment"))
                continue
            held = answers.get(code)
            if change.confirm:
                if held is None:
                    errors.append(FieldError(f"answers.{code}", "has no answer to confirm: give a value"))
                else:
                    answers[code] = held.model_copy(update={"confirmed": True, "as_of": now})
                continue
            if question.answer_type in (AnswerType.COMPUTED, AnswerType.SUBFORM):
                errors.append(FieldError(f"answers.{code}", "is filled by the system, not answered"))
                continue
            try:
                value = question.parse_answer(change.value)
            except ValueError as error:
                errors.append(FieldError(f"answers.{code}.value", str(error)))
                continue
            previous = (
                PreviousAnswer(
                    value=held.value, source=held.source, source_ref=held.source_ref, as_of=held.as_of
                )
                if held is not None and held.value != value
                else None
            )
            answers[code] = Answer(
                value=value,
                source=AnswerSource.ASSESSOR,
                source_ref=f"assessor:{caller.principal.subject}",
                as_of=now,
                confirmed=True,
                previous=previous or (held.previous if held else None),
            )
        if errors:
            raise InvalidInput(errors)
        updated = self._revised(current, answers, now)
        self._replace(updated, current.version, [], caller, AuditAction.UPDATE)
        return updated

    def complete(
        self, crn: str, assessment_id: str, expected_version: int | None, caller: Caller
    ) -> Assessment:
        caller.principal.require_any(ASSESSORS)
        current = self._editable(crn, assessment_id, expected_version)
        missing = self._missing(current)
        if missing:
            raise InvalidInput(missing)
        now = self.clock.now()
        values = _values(current)
        earlier = [_values(a) for a in self._state(crn).assessments if a.status is AssessmentStatus.COMPLETED]
        needs = [
            SectionNeed(
                section=score.section,
                score=score.score,
                standard_threshold=score.standard_threshold,
                severe_threshold=score.severe_threshold,
                need=score.need.value,
            )
            for score in section_scores(self.catalogue, values).values()
        ]
        completed = current.model_copy(
            update={
                "status": AssessmentStatus.COMPLETED,
                "version": current.version + 1,
                "updated_at": now,
                "completed_at": now,
                "completed_by": caller.principal.subject,
                "section_needs": needs,
                "predictor_answers": predictor_answers(values),
                "screening_answers": screening_answers(values, earlier),
            }
        )
        event = case_event(
            event_id=self.new_id(),
            event_type=SUMMARY_PRODUCED,
            crn=crn,
            occurred_at=now,
            description=f"OASys assessment {assessment_id} completed for {crn}",
            detail_url=f"/cases/{crn}/assessments/{assessment_id}",
            correlation_id=caller.correlation_id,
            assessmentId=assessment_id,
            predictorAnswers=completed.predictor_answers,
            screeningAnswers=completed.screening_answers,
            needs={need.section: need.need for need in needs},
            sectionScores={need.section: need.score for need in needs},
        )
        self._replace(completed, current.version, [event], caller, AuditAction.UPDATE)
        return completed

    def on_event(self, event: DomainEvent) -> Assessment | None:
        """Bring an open draft's unconfirmed facts up to date; the assessor's answers are never touched."""
        if event.event_type not in REFRESHING_EVENTS:
            return None
        crn = event.person_reference.identifiers[0].value
        for _ in range(MAX_ATTEMPTS):
            state = self._state(crn)
            draft = state.open_draft
            if draft is None:
                return None
            now = self.clock.now()
            fresh = system_answers(self.catalogue, state.overview, state.latest_risk, now)
            answers = {code: a for code, a in draft.answers.items() if not a.is_refreshable}
            for code, answer in fresh.items():
                if code not in answers:
                    answers[code] = answer
            details = personal_details(state.overview)
            if answers == draft.answers and details == draft.personal_details:
                return draft
            refreshed = self._revised(draft, answers, now).model_copy(update={"personal_details": details})
            try:
                self.repository.replace(refreshed, draft.version, [], self._system_audit(crn, event))
            except ConcurrentChange:
                continue
            return refreshed
        raise Conflict(f"The draft for {crn} is changing too quickly to refresh; the event will be retried.")

    # ------------------------------------------------------------------ helpers

    def _missing(self, assessment: Assessment) -> list[FieldError]:
        """What stops completion: a required question unanswered (a follow-up predictor question counts
        as required once its gate is answered YES), or a carried-forward answer not yet reviewed."""
        missing = []
        follow_ups = tuple(
            code
            for code, gate in required_follow_ups(self.catalogue).items()
            if (held := assessment.answers.get(gate)) is not None and held.value == FOLLOW_UP_GATE_ANSWER
        )
        for code in self.catalogue.required_for_completion() + follow_ups:
            answer = assessment.answers.get(code)
            text = self.catalogue.questions[code].text
            if answer is None:
                missing.append(FieldError(f"answers.{code}", f"is required to complete: {text}"))
            elif answer.source is AnswerSource.PREVIOUS_ASSESSMENT and not answer.confirmed:
                missing.append(
                    FieldError(
                        f"answers.{code}",
                        f"was carried forward from the last assessment: confirm or change it ({text})",
                    )
                )
        return missing

    def _revised(self, assessment: Assessment, answers: dict[str, Answer], at: datetime) -> Assessment:
        return assessment.model_copy(
            update={
                "answers": answers,
                "summary": self._summary(answers),
                "version": assessment.version + 1,
                "updated_at": at,
            }
        )

    def _summary(self, answers: Mapping[str, Answer]) -> AssessmentSummary:
        answerable = [
            code for code, q in self.catalogue.questions.items() if q.answer_type is not AnswerType.SUBFORM
        ]
        answered = sum(1 for code in answerable if code in answers)
        return AssessmentSummary(
            questions=len(answerable),
            prefilled=sum(1 for a in answers.values() if a.source is not AnswerSource.ASSESSOR),
            confirmed=sum(1 for a in answers.values() if a.confirmed),
            remaining=len(answerable) - answered,
        )

    def _editable(self, crn: str, assessment_id: str, expected_version: int | None) -> Assessment:
        if expected_version is None:
            raise PreconditionRequired("Changing an assessment needs If-Match with the ETag you read.")
        current = self._assessment(crn, assessment_id)
        if current.status is AssessmentStatus.COMPLETED:
            raise Conflict(f"Assessment {assessment_id} is completed; completed assessments cannot change.")
        if current.version != expected_version:
            raise stale(current.version)
        return current

    def _replace(
        self,
        updated: Assessment,
        expected_version: int,
        events: list[DomainEvent],
        caller: Caller,
        action: AuditAction,
    ) -> None:
        audit = self._audit(caller, updated.crn, action, events[0] if events else None)
        try:
            self.repository.replace(updated, expected_version, events, audit)
        except ConcurrentChange:
            latest = self.repository.assessment(updated.crn, updated.assessment_id)
            if latest is not None and latest.status is AssessmentStatus.COMPLETED:
                raise Conflict(f"Assessment {updated.assessment_id} was completed meanwhile.") from None
            raise stale(latest.version if latest else expected_version) from None

    def _state(self, crn: str) -> CaseState:
        state = self.repository.case_state(crn)
        if state is None:
            raise NotFound(f"No case with CRN {crn}.")
        return state

    def _assessment(self, crn: str, assessment_id: str) -> Assessment:
        assessment = self.repository.assessment(crn, assessment_id)
        if assessment is None:
            raise NotFound(f"No assessment {assessment_id} on case {crn}.")
        return assessment

    def _system_audit(self, crn: str, event: DomainEvent) -> AuditRecord:
        return self._audit(Caller(SYSTEM, event.correlation_id), crn, AuditAction.UPDATE, event)


def _values(assessment: Assessment) -> dict[str, object]:
    return {code: answer.value for code, answer in assessment.answers.items()}

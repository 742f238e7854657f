"""The areas of need of a plan, read from a completed OASys assessment and ranked. Pure.

The order (issue 22): linked to risk of serious harm first, then linked to reoffending; then by how far the
score is above the section's standard threshold (the unscored areas after every scored one); then by name.
"""

from collections.abc import Iterable
from datetime import date

from probation.assessments.catalogue import Catalogue, QuestionRole, load_catalogue
from probation.domain.assessments.models import Assessment, AssessmentSummaryView, SectionNeed
from probation.domain.cases.models import Registration, RegistrationStatus
from probation.domain.sentence_plans.models import (
    AnswerContribution,
    AreaCode,
    AreaOfNeed,
    AreaProvenance,
)
from probation.domain.sentence_plans.reference import AreaSpec, Reference
from probation.risk.dates import add_months

LINKED = "YES"


def areas_of_need(assessment: Assessment, ref: Reference) -> list[AreaOfNeed]:
    """The plan's areas from ``assessment``: every scored area at or over its threshold or linked to harm or
    reoffending, and both unscored areas; ranked."""
    catalogue = load_catalogue(assessment.catalogue_version)
    needs = {need.section: need for need in assessment.section_needs or []}
    found = []
    for spec in ref.areas:
        area = _area(spec, assessment, catalogue, needs.get(spec.section))
        if not spec.scored or area.high_scoring or area.linked_to_harm or area.linked_to_reoffending:
            found.append(area)
    return ranked(found)


def ranked(areas: Iterable[AreaOfNeed]) -> list[AreaOfNeed]:
    """``areas`` in rank order, each with its ``rank`` (1 first)."""
    ordered = sorted(areas, key=rank_key)
    return [area.model_copy(update={"rank": place}) for place, area in enumerate(ordered, start=1)]


def rank_key(area: AreaOfNeed) -> tuple[bool, bool, bool, int, str]:
    margin = area.score - area.threshold if area.score is not None and area.threshold is not None else None
    return (
        not area.linked_to_harm,
        not area.linked_to_reoffending,
        margin is None,
        -(margin or 0),
        area.name,
    )


def _area(
    spec: AreaSpec, assessment: Assessment, catalogue: Catalogue, need: SectionNeed | None
) -> AreaOfNeed:
    section = next(s for s in catalogue.sections if s.id == spec.section)
    questions = [catalogue.questions[code] for code in section.questions]
    answers = {code: answer.value for code, answer in assessment.answers.items()}
    harm = [q.code for q in questions if q.role is QuestionRole.LINKED_TO_HARM]
    reoffending = [q.code for q in questions if q.role is QuestionRole.LINKED_TO_REOFFENDING]
    contributions = sorted(
        (
            AnswerContribution(question=q.code, answer=str(answers[q.code]), points=points)
            for q in questions
            if q.scored and q.code in answers
            for points in (q.points.get(str(answers[q.code]), 0),)
            if points > 0
        ),
        key=lambda c: -c.points,
    )
    read = [q.code for q in questions if q.scored and q.code in answers] + [
        code for code in harm + reoffending if code in answers
    ]
    scored = need if spec.scored else None
    score = scored.score if scored else None
    threshold = scored.standard_threshold if scored else None
    return AreaOfNeed(
        area=AreaCode(spec.code),
        name=spec.name,
        section=spec.section,
        scored=spec.scored,
        score=score,
        threshold=threshold,
        severe_threshold=scored.severe_threshold if scored else None,
        high_scoring=score is not None and threshold is not None and score >= threshold,
        linked_to_harm=any(answers.get(code) == LINKED for code in harm),
        linked_to_reoffending=any(answers.get(code) == LINKED for code in reoffending),
        rank=0,
        contributions=contributions,
        provenance=AreaProvenance(
            assessment_id=assessment.assessment_id,
            completed_at=assessment.completed_at,
            catalogue_version=assessment.catalogue_version,
            questions=read,
        ),
    )


def high_rosh(registrations: Iterable[Registration], assessment: Assessment, ref: Reference) -> bool:
    """An active high or very high RoSH registration, or such a level anywhere in the assessment's RoSH
    summary."""
    if any(
        r.status is RegistrationStatus.ACTIVE and r.type in ref.high_rosh_registrations for r in registrations
    ):
        return True
    summary = AssessmentSummaryView.of(assessment).rosh_summary
    return any(
        level in ref.high_rosh_summary_levels
        for risk in summary
        for level in (risk.community, risk.custody)
        if level is not None
    )


def review_interval_months(is_high_rosh: bool, ref: Reference) -> int:
    return ref.high_rosh_review_months if is_high_rosh else ref.default_review_months


def review_due(agreed_on: date, months: int) -> date:
    return add_months(agreed_on, months)

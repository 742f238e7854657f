"""Criminogenic need scores of the OASys sections, as ARNS and hmpps-tier compute them."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from probation.assessments.catalogue import Catalogue, Question


class Need(StrEnum):
    NONE = "NONE"
    STANDARD = "STANDARD"
    SEVERE = "SEVERE"


@dataclass(frozen=True, slots=True)
class SectionScore:
    section: str
    """The section's id, e.g. ``3``."""
    score: int
    standard_threshold: int
    severe_threshold: int
    need: Need


def section_scores(catalogue: Catalogue, answers: Mapping[str, object]) -> dict[str, SectionScore]:
    """The need score of each need-scored section (those with thresholds), by section id.

    A section's score is the sum of the points of the answers to its scored questions. An unanswered
    question scores 0, and so does "M" (Missing), which carries no points. The need is SEVERE from the severe
    threshold, STANDARD from the standard threshold, NONE below it. An answer the question does not take
    raises ``ValueError``.
    """
    scores = {}
    for section in catalogue.sections:
        if section.standard_threshold is None or section.severe_threshold is None:
            continue
        score = sum(
            _points(question, answers.get(question.code))
            for question in map(catalogue.question, section.questions)
            if question.scored
        )
        if score >= section.severe_threshold:
            need = Need.SEVERE
        elif score >= section.standard_threshold:
            need = Need.STANDARD
        else:
            need = Need.NONE
        scores[section.id] = SectionScore(
            section=section.id,
            score=score,
            standard_threshold=section.standard_threshold,
            severe_threshold=section.severe_threshold,
            need=need,
        )
    return scores


def _points(question: Question, answer: object) -> int:
    if answer is None:
        return 0
    # A scored question is a single choice, so its parsed answer is an option code.
    return question.points.get(str(question.parse_answer(answer)), 0)

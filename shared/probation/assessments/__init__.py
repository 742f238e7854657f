"""The OASys Layer 3 assessment: its question catalogue and the pure rules over answers.

``catalogue`` holds the versioned questions and how each is answered, ``scoring`` the sections' need scores,
``predictors`` the mapping of answers onto the risk calculator's request, and ``screening`` onto the screening
tools' part of it. No I/O beyond reading the
package's own data files once.
"""

from probation.assessments.answers import MISSING, AnswerValue, is_answered
from probation.assessments.catalogue import (
    CURRENT_VERSION,
    MAX_TEXT_LENGTH,
    AnswerType,
    Catalogue,
    Option,
    Question,
    QuestionRole,
    Section,
    load_catalogue,
)
from probation.assessments.predictors import (
    CONDITIONAL_PREDICTOR_QUESTIONS,
    PREDICTOR_FIELD_QUESTIONS,
    PREDICTOR_QUESTIONS,
    predictor_answers,
)
from probation.assessments.scoring import Need, SectionScore, section_scores
from probation.assessments.screening import (
    SCREENING_FIELD_QUESTIONS,
    SCREENING_QUESTIONS,
    screening_answers,
)

__all__ = [
    "CONDITIONAL_PREDICTOR_QUESTIONS",
    "CURRENT_VERSION",
    "MAX_TEXT_LENGTH",
    "MISSING",
    "PREDICTOR_FIELD_QUESTIONS",
    "PREDICTOR_QUESTIONS",
    "SCREENING_FIELD_QUESTIONS",
    "SCREENING_QUESTIONS",
    "AnswerType",
    "AnswerValue",
    "Catalogue",
    "Need",
    "Option",
    "Question",
    "QuestionRole",
    "Section",
    "SectionScore",
    "is_answered",
    "load_catalogue",
    "predictor_answers",
    "screening_answers",
    "section_scores",
]

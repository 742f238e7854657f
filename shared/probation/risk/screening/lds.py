"""LDS, the Learning Disability (and challenges) Screening, from education, training and employment
answers (SCREENING.md §3). It applies to everyone.

Answers are read as plain attributes: off the calculator's view of the request each read costs ~100
instructions, where a ``field_reader`` costs ~800 plus ~230 a field.
"""

from probation.risk.enums import ANSWER_SCORE
from probation.risk.errors import ErrorCode
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import LearningDisabilityScreening, ScreeningError
from probation.risk.screening.common import missing_inputs, screening_error, unexpected_error
from probation.risk.screening.rules import screening_rules

COUNTED_FIELDS = (
    "workRelatedSkills",
    "problemsWithReadingWritingNumeracy",
    "learningDifficulties",
    "professionalOrVocationalQualifications",
)
"""The answers enough of which must be given; reported together when too few are."""
_ORPHANED_FOLLOW_UP = "problemsWithReadingWritingNumeracy Field Not Present But {} Present"


def _failed(errors: list[ScreeningError]) -> LearningDisabilityScreening:
    return {"ldsScore": None, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    errors = []
    reading_writing_numeracy = request.problems_with_reading_writing_numeracy
    if reading_writing_numeracy is None:
        # Its follow-ups may not be answered without it.
        orphans = [
            _ORPHANED_FOLLOW_UP.format(field)
            for field, answer in (
                ("hasProblemsWithReading", request.has_problems_with_reading),
                ("hasProblemsWithNumeracy", request.has_problems_with_numeracy),
            )
            if answer is not None
        ]
        if orphans:
            errors.append(missing_inputs(orphans))
    # The COUNTED_FIELDS given, added as bools: a count over a tuple of them costs more to build.
    counted = (
        (request.work_related_skills is not None)
        + (reading_writing_numeracy is not None)
        + (request.learning_difficulties is not None)
        + (request.professional_or_vocational_qualifications is not None)
    )
    if counted < screening_rules().learning_disability.counted_answers_required:
        errors.append(screening_error(ErrorCode.LDS_NOT_ENOUGH_FIELDS_PRESENT, COUNTED_FIELDS))
    return errors


def score(request: RiskCalculationRequest) -> int:
    """The 0/1/2 score of the answers, whether or not they pass validation; a missing answer scores 0."""
    # Added term by term: sum(map(...)) over the seven costs ~3,800 instructions, this ~2,100.
    subtotal = (
        ANSWER_SCORE[request.is_currently_of_no_fixed_abode_or_transient_accommodation]
        + ANSWER_SCORE[request.work_related_skills]
        + ANSWER_SCORE[request.problems_with_reading_writing_numeracy]
        + ANSWER_SCORE[request.has_problems_with_reading]
        + ANSWER_SCORE[request.has_problems_with_numeracy]
        + ANSWER_SCORE[request.learning_difficulties]
        + ANSWER_SCORE[request.professional_or_vocational_qualifications]
    )
    return screening_rules().learning_disability.score_of_subtotal[subtotal]


def learning_disability_screening(request: RiskCalculationRequest) -> LearningDisabilityScreening:
    try:
        errors = validation_errors(request)
        if errors:
            return _failed(errors)
        return {"ldsScore": score(request), "validationError": []}
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

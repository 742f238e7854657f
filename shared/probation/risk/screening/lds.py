"""LDS, the Learning Disability (and challenges) Screening, from education, training and employment
answers (SCREENING.md §3). It applies to everyone."""

from probation.risk.enums import ANSWER_SCORE
from probation.risk.errors import ErrorCode
from probation.risk.request import RiskCalculationRequest, field_reader
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
# Follow-ups of problemsWithReadingWritingNumeracy, which may not be answered without it.
_SUB_QUESTIONS = ("hasProblemsWithReading", "hasProblemsWithNumeracy")
_answers = field_reader(
    "isCurrentlyOfNoFixedAbodeOrTransientAccommodation",
    "workRelatedSkills",
    "problemsWithReadingWritingNumeracy",
    "hasProblemsWithReading",
    "hasProblemsWithNumeracy",
    "learningDifficulties",
    "professionalOrVocationalQualifications",
)
_counted = field_reader(*COUNTED_FIELDS)


def _failed(errors: list[ScreeningError]) -> LearningDisabilityScreening:
    return {"ldsScore": None, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    errors = []
    if request.problems_with_reading_writing_numeracy is None:
        orphans = [
            f"problemsWithReadingWritingNumeracy Field Not Present But {field} Present"
            for field, answer in zip(
                _SUB_QUESTIONS,
                (request.has_problems_with_reading, request.has_problems_with_numeracy),
                strict=True,
            )
            if answer is not None
        ]
        if orphans:
            errors.append(missing_inputs(orphans))
    counted = _counted(request)
    if len(counted) - counted.count(None) < screening_rules().learning_disability.counted_answers_required:
        errors.append(screening_error(ErrorCode.LDS_NOT_ENOUGH_FIELDS_PRESENT, COUNTED_FIELDS))
    return errors


def score(request: RiskCalculationRequest) -> int:
    """The 0/1/2 score of the answers, whether or not they pass validation; a missing answer scores 0."""
    subtotal = sum(map(ANSWER_SCORE.__getitem__, _answers(request)))
    return screening_rules().learning_disability.score_of_subtotal[subtotal]


def learning_disability_screening(request: RiskCalculationRequest) -> LearningDisabilityScreening:
    try:
        errors = validation_errors(request)
        if errors:
            return _failed(errors)
        return {"ldsScore": score(request), "validationError": []}
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

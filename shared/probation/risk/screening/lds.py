"""LDS, the Learning Disability (and challenges) Screening, from education, training and employment
answers (SCREENING.md §3). It applies to everyone."""

from operator import itemgetter

from probation.risk.enums import ANSWER_SCORE
from probation.risk.errors import ErrorCode
from probation.risk.request import RiskCalculationRequest, field_reader
from probation.risk.result import LearningDisabilityScreening, ScreeningError
from probation.risk.screening.common import missing_inputs, screening_error, unexpected_error
from probation.risk.screening.rules import screening_rules

_ANSWER_FIELDS = (
    "isCurrentlyOfNoFixedAbodeOrTransientAccommodation",
    "workRelatedSkills",
    "problemsWithReadingWritingNumeracy",
    "hasProblemsWithReading",
    "hasProblemsWithNumeracy",
    "learningDifficulties",
    "professionalOrVocationalQualifications",
)
"""Every answer LDS reads, all scored; read once per case, in one call."""
COUNTED_FIELDS = (
    "workRelatedSkills",
    "problemsWithReadingWritingNumeracy",
    "learningDifficulties",
    "professionalOrVocationalQualifications",
)
"""The answers enough of which must be given; reported together when too few are."""
# Follow-ups of problemsWithReadingWritingNumeracy, which may not be answered without it.
_SUB_QUESTIONS = ("hasProblemsWithReading", "hasProblemsWithNumeracy")
_answers = field_reader(*_ANSWER_FIELDS)
_counted = itemgetter(*map(_ANSWER_FIELDS.index, COUNTED_FIELDS))
_sub_questions = itemgetter(*map(_ANSWER_FIELDS.index, _SUB_QUESTIONS))
_READING_WRITING_NUMERACY = _ANSWER_FIELDS.index("problemsWithReadingWritingNumeracy")


def _failed(errors: list[ScreeningError]) -> LearningDisabilityScreening:
    return {"ldsScore": None, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    return _validation_errors(_answers(request))


def _validation_errors(answers: tuple[object, ...]) -> list[ScreeningError]:
    errors = []
    if answers[_READING_WRITING_NUMERACY] is None:
        orphans = [
            f"problemsWithReadingWritingNumeracy Field Not Present But {field} Present"
            for field, answer in zip(_SUB_QUESTIONS, _sub_questions(answers), strict=True)
            if answer is not None
        ]
        if orphans:
            errors.append(missing_inputs(orphans))
    counted = _counted(answers)
    if len(counted) - counted.count(None) < screening_rules().learning_disability.counted_answers_required:
        errors.append(screening_error(ErrorCode.LDS_NOT_ENOUGH_FIELDS_PRESENT, COUNTED_FIELDS))
    return errors


def score(request: RiskCalculationRequest) -> int:
    """The 0/1/2 score of the answers, whether or not they pass validation; a missing answer scores 0."""
    return _score(_answers(request))


def _score(answers: tuple[object, ...]) -> int:
    (
        no_fixed_abode,
        work_skills,
        reading_writing_numeracy,
        reading,
        numeracy,
        learning_difficulties,
        qualifications,
    ) = answers
    # Added term by term: sum(map(...)) over the seven costs ~3,800 instructions, this ~2,100.
    subtotal = (
        ANSWER_SCORE[no_fixed_abode]
        + ANSWER_SCORE[work_skills]
        + ANSWER_SCORE[reading_writing_numeracy]
        + ANSWER_SCORE[reading]
        + ANSWER_SCORE[numeracy]
        + ANSWER_SCORE[learning_difficulties]
        + ANSWER_SCORE[qualifications]
    )
    return screening_rules().learning_disability.score_of_subtotal[subtotal]


def learning_disability_screening(request: RiskCalculationRequest) -> LearningDisabilityScreening:
    try:
        answers = _answers(request)
        errors = _validation_errors(answers)
        if errors:
            return _failed(errors)
        return {"ldsScore": _score(answers), "validationError": []}
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

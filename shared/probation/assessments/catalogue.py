"""The OASys Layer 3 question catalogue: its sections and questions, and the answers each question takes.

The catalogue is versioned data, ``data/oasys_layer3_v<n>.csv`` with ``data/oasys_layer3_v<n>_sections.json``
(see data/ATTRIBUTION.md for their sources), read once per version on first use.
"""

import csv
import functools
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from importlib import resources
from types import MappingProxyType

from probation.assessments.answers import AnswerValue
from probation.assessments.predictors import CONDITIONAL_PREDICTOR_QUESTIONS, PREDICTOR_QUESTIONS

CURRENT_VERSION = "OASYS_LAYER3_V2"
MAX_TEXT_LENGTH = 4000

_DATA_PACKAGE = "probation.assessments.data"
_VERSION = re.compile(r"OASYS_LAYER3_V[0-9]+")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# "points <code>=<n>|…", then, for some rows, "; <remark>".
_WEIGHT = re.compile(r"points ([^;]+)(?:;.*)?")


class AnswerType(StrEnum):
    """How a question is answered, and so what its stored answer is."""

    SELECT = "SELECT"
    """A single choice, stored as its option code (the Yes/No questions included)."""
    TICK = "TICK"
    """A single tick box, stored as ``YES`` when ticked."""
    MULTI_SELECT = "MULTI_SELECT"
    """Tick boxes of which any may be ticked, stored as the list of ticked option codes."""
    COUNT = "COUNT"
    """A whole number, 0 or more."""
    DATE = "DATE"
    """A calendar date, stored as ``YYYY-MM-DD``."""
    TEXT = "TEXT"
    """Free text of at most ``MAX_TEXT_LENGTH`` characters."""
    COMPUTED = "COMPUTED"
    """An output the system sets (predictor results), never an assessor."""
    SUBFORM = "SUBFORM"
    """A link to a sub-form (victim details), answered there rather than here."""


class QuestionRole(StrEnum):
    QUESTION = "question"
    LINKED_TO_HARM = "linked_to_harm"
    """The section's "issues linked to risk of serious harm" flag."""
    LINKED_TO_REOFFENDING = "linked_to_reoffending"
    """The section's "issues linked to offending behaviour" flag."""
    ISSUES_TEXT = "issues_text"
    """The section's free-text analysis of its issues."""


# The reference file describes how OASys renders an item; this is how its answer is stored.
_ANSWER_TYPES: Mapping[str, AnswerType] = {
    "select (single choice)": AnswerType.SELECT,
    "select (YES/NO)": AnswerType.SELECT,
    "tick box (single)": AnswerType.TICK,
    "checkbox (multi-select)": AnswerType.MULTI_SELECT,
    "count (integer)": AnswerType.COUNT,
    "date": AnswerType.DATE,
    "free text (textarea)": AnswerType.TEXT,
    "free text (short)": AnswerType.TEXT,
    "computed output (textarea)": AnswerType.COMPUTED,
    "link to sub-form (victim details)": AnswerType.SUBFORM,
}
_CHOICE_TYPES = frozenset({AnswerType.SELECT, AnswerType.TICK, AnswerType.MULTI_SELECT})
_UNANSWERABLE_TYPES = frozenset({AnswerType.COMPUTED, AnswerType.SUBFORM})

# Option lists the reference file gives as labels without answer codes, with the codes OASys stores: YES/NO
# (as the option values R1.4~NO and R2.3~YES show), DK for "Don't Know" (as in the other RoSH selects),
# YES for a tick, and for ketamine's inferred frequencies the other drugs' codes.
_UNCODED_OPTIONS: Mapping[str, str] = {
    "Yes|No": "YES=Yes|NO=No",
    "Yes|No|Don't Know": "YES=Yes|NO=No|DK=Don't Know",
    "YES (ticked)": "YES=Yes",
    "Daily|Weekly|Monthly|Occasional (inferred: same as other drugs)": (
        "100=Daily|110=Weekly|120=Monthly|130=Occasional"
    ),
}


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    """What OASys stores, e.g. ``0``, ``YES``, ``M``, ``100``."""
    label: str


@dataclass(frozen=True, slots=True)
class Question:
    code: str
    section: str
    """The id of its ``Section``."""
    text: str
    answer_type: AnswerType
    options: tuple[Option, ...]
    """The choices of a SELECT, TICK or MULTI_SELECT, in display order; empty for the other types."""
    parent_code: str | None
    """What it sits under: a question (6.7da for 6.7.2.1da) or a heading that is none (8.2.1, heroin)."""
    mandatory: bool
    """Mandatory in the OASys reference data (``mandatory_2021``)."""
    scored: bool
    """Counts towards its section's need score."""
    points: Mapping[str, int]
    """The need-score points per answer code of a scored question; empty otherwise."""
    role: QuestionRole
    predictor_input: bool
    """Read by an OASys predictor (OGRS4, OGP2, OVP2, SNSV or OSP), per the reference file."""

    @property
    def option_codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    def parse_answer(self, value: object) -> AnswerValue:
        """The answer to store for ``value``, or ``ValueError`` saying what the question takes.

        A SELECT or TICK takes one of its option codes (``str``); a MULTI_SELECT a list of option codes
        (empty when none is ticked), kept once each in display order; a COUNT an ``int`` of 0 or more (not a
        ``bool``); a DATE a ``date`` or a ``YYYY-MM-DD`` string, stored as the string; a TEXT non-blank text
        of at most ``MAX_TEXT_LENGTH`` characters. COMPUTED and SUBFORM questions take no answer, and
        ``None`` is no answer: clearing an answer is not answering it.
        """
        if value is None:
            raise ValueError(f"{self.code} cannot be answered with None")
        match self.answer_type:
            case AnswerType.SELECT | AnswerType.TICK:
                if isinstance(value, str) and value in self.option_codes:
                    return value
                raise ValueError(f"{self.code} must be one of {self._allowed_codes()}")
            case AnswerType.MULTI_SELECT:
                return self._ticked_codes(value)
            case AnswerType.COUNT:
                if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                    return value
                raise ValueError(f"{self.code} must be a whole number, 0 or more")
            case AnswerType.DATE:
                return self._iso_date(value)
            case AnswerType.TEXT:
                if isinstance(value, str) and value.strip() and len(value) <= MAX_TEXT_LENGTH:
                    return value
                raise ValueError(
                    f"{self.code} must be non-blank text of at most {MAX_TEXT_LENGTH} characters"
                )
            case AnswerType.COMPUTED:
                raise ValueError(f"{self.code} is computed by the system")
            case AnswerType.SUBFORM:
                raise ValueError(f"{self.code} is answered in its sub-form")

    def _allowed_codes(self) -> str:
        return ", ".join(self.option_codes)

    def _ticked_codes(self, value: object) -> list[str]:
        if isinstance(value, list | tuple) and all(isinstance(code, str) for code in value):
            ticked = set(value)
            if ticked <= set(self.option_codes):
                return [code for code in self.option_codes if code in ticked]
        raise ValueError(f"{self.code} must be a list of option codes, each one of {self._allowed_codes()}")

    def _iso_date(self, value: object) -> str:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value).isoformat()
            except ValueError:
                pass  # Well formed but no such day (2025-02-30): the same error as any other bad date.
        raise ValueError(f"{self.code} must be a date written as YYYY-MM-DD")


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    """``1`` to ``13``, ``ROSH`` (RoSH screening) or ``ROSHSUM`` (RoSH summary)."""
    title: str
    questions: tuple[str, ...]
    """The codes of its questions, in catalogue order."""
    standard_threshold: int | None
    """The need score from which the section is a standard need; ``None`` if it is not need-scored."""
    severe_threshold: int | None
    """The need score from which the section is a severe need; ``None`` if it is not need-scored."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    version: str
    """E.g. ``OASYS_LAYER3_V1``: the data files it was read from, and what stored assessments name."""
    questions: Mapping[str, Question]
    """By code, in catalogue order."""
    sections: tuple[Section, ...]

    def question(self, code: str) -> Question:
        try:
            return self.questions[code]
        except KeyError:
            raise KeyError(f"{code!r} is not a question of {self.version}") from None

    def required_for_completion(self) -> tuple[str, ...]:
        """The codes an assessment must have answered before it can be completed, in catalogue order.

        They are the questions an assessor answers (not COMPUTED outputs or SUBFORM links) that are

        * mandatory in OASys, or
        * scored towards a section's need score, or
        * read by the risk predictors (``predictors.PREDICTOR_QUESTIONS``), except the follow-ups asked only
          after a gate answer (``CONDITIONAL_PREDICTOR_QUESTIONS``: the perpetrator question behind 6.7da,
          each drug's current usage behind 8.1), whose gates are required instead.

        "M" (Missing) is an answer. The list is the same for every assessment: it does not drop the questions
        OASys skips after a gate answer, such as the rest of section 8 after 8.1 = NO.
        """
        predictor_questions = set(PREDICTOR_QUESTIONS) - set(CONDITIONAL_PREDICTOR_QUESTIONS)
        return tuple(
            question.code
            for question in self.questions.values()
            if question.answer_type not in _UNANSWERABLE_TYPES
            and (question.mandatory or question.scored or question.code in predictor_questions)
        )


def load_catalogue(version: str = CURRENT_VERSION) -> Catalogue:
    """The catalogue of ``version``, by default the current one; ``ValueError`` if there is none such."""
    if not _VERSION.fullmatch(version):
        raise ValueError(f"{version!r} is not a catalogue version like {CURRENT_VERSION}")
    return _read_catalogue(version)


@functools.cache
def _read_catalogue(version: str) -> Catalogue:
    data = resources.files(_DATA_PACKAGE)
    questions_file = data.joinpath(f"{version.lower()}.csv")
    if not questions_file.is_file():
        raise ValueError(f"there is no catalogue version {version}")
    questions: dict[str, Question] = {}
    for row in csv.DictReader(io.StringIO(questions_file.read_text(encoding="utf-8"))):
        if row["code"] in questions:
            raise ValueError(f"{version}: question {row['code']} appears twice")
        questions[row["code"]] = _question(row, questions)
    sections_data = json.loads(data.joinpath(f"{version.lower()}_sections.json").read_text(encoding="utf-8"))
    sections = tuple(
        Section(
            id=section["id"],
            title=section["title"],
            questions=tuple(
                code for code, question in questions.items() if question.section == section["id"]
            ),
            standard_threshold=section["standard_threshold"],
            severe_threshold=section["severe_threshold"],
        )
        for section in sections_data["sections"]
    )
    unlisted = {question.section for question in questions.values()} - {section.id for section in sections}
    if unlisted:
        raise ValueError(f"{version}: sections {sorted(unlisted)} are missing from the sections file")
    return Catalogue(version=version, questions=MappingProxyType(questions), sections=sections)


def _question(row: Mapping[str, str], earlier: Mapping[str, Question]) -> Question:
    """The question of one row, given the questions of the rows before it (where its parent is)."""
    code = row["code"]
    answer_type = _ANSWER_TYPES.get(row["answer_type"])
    if answer_type is None:
        raise ValueError(f"question {code}: unknown answer type {row['answer_type']!r}")
    parent_code = row["parent_code"] or None
    options = _options(code, row["options"])
    if answer_type in _CHOICE_TYPES and not options:
        # R1.4.5 and R1.4.6, whose order names were not found, list none: they are Yes/No like R1.4.
        if parent_code is None or parent_code not in earlier:
            raise ValueError(f"question {code} lists no options and has no parent question to take them from")
        options = earlier[parent_code].options
    scored = row["scored"] == "Y"
    points = _points(code, row["weight"]) if scored else {}
    if not points.keys() <= {option.code for option in options}:
        raise ValueError(f"question {code}: points {dict(points)} are not all for its options")
    return Question(
        code=code,
        section=row["section"],
        text=row["text"],
        answer_type=answer_type,
        options=options,
        parent_code=parent_code,
        mandatory=row["mandatory_2021"] == "Y",
        scored=scored,
        points=MappingProxyType(points),
        role=QuestionRole(row["role"]),
        predictor_input=row["predictor_input"] == "Y",
    )


def _options(code: str, text: str) -> tuple[Option, ...]:
    """The options of ``code`` from ``code=label|code=label``; the uncoded lists get their codes first."""
    coded = _UNCODED_OPTIONS.get(text, text)
    if not coded:
        return ()
    options = []
    for pair in coded.split("|"):
        option_code, separator, label = pair.partition("=")
        if not (option_code and separator):
            raise ValueError(f"question {code}: option {pair!r} is not written code=label")
        options.append(Option(code=option_code, label=label))
    return tuple(options)


def _points(code: str, weight: str) -> dict[str, int]:
    match = _WEIGHT.fullmatch(weight)
    if match is None:
        raise ValueError(f"question {code}: weight {weight!r} is not written 'points code=n|…'")
    return {
        option_code: int(points)
        for option_code, _, points in (pair.partition("=") for pair in match[1].split("|"))
    }

"""The OASys Layer 3 catalogues against their sources: v1 against SOURCES.md, hmpps.md and risk SPEC §2.2;
v2, the current one, against v1 and SCREENING.md."""

import re
from dataclasses import replace

import pytest

from probation.assessments import (
    CURRENT_VERSION,
    PREDICTOR_QUESTIONS,
    SCREENING_QUESTIONS,
    AnswerType,
    QuestionRole,
    load_catalogue,
)

from .catalogue_rows import CATALOGUE_ROWS

# A published version never changes, so v1 is checked as it was published.
CATALOGUE = load_catalogue("OASYS_LAYER3_V1")
CURRENT = load_catalogue()

# hmpps.md "OASys sections", RoSH split into screening and summary; need thresholds standard / severe.
SECTIONS = [
    ("1", "Offending information", None, None),
    ("2", "Analysis of offences", None, None),
    ("3", "Accommodation", 2, 7),
    ("4", "Education, training and employment", 3, 7),
    ("5", "Financial management", None, None),
    ("6", "Relationships", 2, 5),
    ("7", "Lifestyle and associates", 2, 5),
    ("8", "Drug misuse", 2, 8),
    ("9", "Alcohol misuse", 4, 7),
    ("10", "Emotional wellbeing", None, None),
    ("11", "Thinking and behaviour", 4, 7),
    ("12", "Attitudes", 2, 7),
    ("13", "Health and other considerations", None, None),
    ("ROSH", "RoSH screening", None, None),
    ("ROSHSUM", "RoSH summary", None, None),
]

# Rows per section of the reference questions.csv once ROSHFULL, SAN and legacy rows are dropped.
QUESTIONS_PER_SECTION = {
    "1": 38,
    "2": 36,
    "3": 8,
    "4": 16,
    "5": 9,
    "6": 18,
    "7": 8,
    "8": 65,
    "9": 10,
    "10": 18,
    "11": 15,
    "12": 10,
    "13": 105,
    "ROSH": 112,
    "ROSHSUM": 18,
}

# Rows per answer type in the same selection ("select (single choice)" 270 + "select (YES/NO)" 7, etc.).
QUESTIONS_PER_ANSWER_TYPE = {
    AnswerType.SELECT: 277,
    AnswerType.TICK: 86,
    AnswerType.MULTI_SELECT: 4,
    AnswerType.COUNT: 15,
    AnswerType.DATE: 6,
    AnswerType.TEXT: 91,
    AnswerType.COMPUTED: 6,
    AnswerType.SUBFORM: 1,
}

# The questions behind the calculator's OASys fields (risk SPEC §2.2), with the section 8 gate and
# each drug's current usage (A-P and ketamine).
SPEC_PREDICTOR_QUESTIONS = [
    "2.2_V2_WEAPON",
    "3.4",
    "4.2",
    "6.4",
    "6.7da",
    "6.8",
    "7.2",
    "8.8",
    "9.1",
    "9.2",
    "11.2",
    "11.4",
    "12.1",
]
DRUG_CURRENT_USAGE_QUESTIONS = [f"8.2.{drug}.1" for drug in range(1, 17)]

# Replaced codes (legacy), RoSH full analysis and SAN codes of the reference file.
DROPPED_CODES = [
    "2.2",
    "2.2.t",
    "2.9",
    "6.7",
    "6.7.1",
    "10.7",
    "R1.2.1.1",
    "R2.1",
    "R4.2",
    "FA1",
    "TBA_SAN_STRENGTH",
]

YES_NO = [("YES", "Yes"), ("NO", "No")]
DRUG_FREQUENCIES = [("100", "Daily"), ("110", "Weekly"), ("120", "Monthly"), ("130", "Occasional")]


def test_the_version_is_named_by_the_data_file() -> None:
    assert CATALOGUE.version == "OASYS_LAYER3_V1"
    assert CURRENT.version == CURRENT_VERSION == "OASYS_LAYER3_V2"


def test_sections_come_in_order_with_their_titles_and_thresholds() -> None:
    assert [
        (section.id, section.title, section.standard_threshold, section.severe_threshold)
        for section in CATALOGUE.sections
    ] == SECTIONS


def test_each_section_holds_its_questions_in_data_file_order() -> None:
    assert {section.id: len(section.questions) for section in CATALOGUE.sections} == QUESTIONS_PER_SECTION
    for section in CATALOGUE.sections:
        assert list(section.questions) == [
            row["code"] for row in CATALOGUE_ROWS if row["section"] == section.id
        ]


def test_the_catalogue_holds_the_data_file_row_for_row() -> None:
    assert len(CATALOGUE.questions) == sum(QUESTIONS_PER_SECTION.values()) == 486
    assert [(q.code, q.section, q.text) for q in CATALOGUE.questions.values()] == [
        (row["code"], row["section"], row["text"]) for row in CATALOGUE_ROWS
    ]


def test_legacy_rosh_full_analysis_and_san_rows_are_left_out() -> None:
    assert not [row["code"] for row in CATALOGUE_ROWS if row["status"].startswith("legacy")]
    assert {row["section"] for row in CATALOGUE_ROWS} == set(QUESTIONS_PER_SECTION)
    assert not set(DROPPED_CODES) & set(CATALOGUE.questions)


def test_the_catalogue_holds_every_predictor_and_need_score_question() -> None:
    for code in [*SPEC_PREDICTOR_QUESTIONS, "8.1", "6.7.2.1da", *DRUG_CURRENT_USAGE_QUESTIONS]:
        assert CATALOGUE.question(code).code == code
    scored_rows = {row["code"] for row in CATALOGUE_ROWS if row["scored"] == "Y"}
    assert {q.code for q in CATALOGUE.questions.values() if q.scored} == scored_rows


def test_answer_types() -> None:
    counts = dict.fromkeys(AnswerType, 0)
    for question in CATALOGUE.questions.values():
        counts[question.answer_type] += 1
    assert counts == QUESTIONS_PER_ANSWER_TYPE
    assert CATALOGUE.question("6.7da").answer_type is AnswerType.SELECT
    assert CATALOGUE.question("3_SAN_STRENGTH").answer_type is AnswerType.SELECT  # "select (YES/NO)"
    assert CATALOGUE.question("2.2.t_V2").answer_type is AnswerType.TEXT  # "free text (short)"
    assert CATALOGUE.question("D3").answer_type is AnswerType.COMPUTED
    assert CATALOGUE.question("2.4").answer_type is AnswerType.SUBFORM


def test_every_choice_question_has_options_with_distinct_codes() -> None:
    choice_types = {AnswerType.SELECT, AnswerType.TICK, AnswerType.MULTI_SELECT}
    for question in CATALOGUE.questions.values():
        if question.answer_type in choice_types:
            assert question.options, question.code
            assert len(set(question.option_codes)) == len(question.options), question.code
        else:
            assert not question.options, question.code


def test_options_keep_their_codes_labels_and_order() -> None:
    assert [(o.code, o.label) for o in CATALOGUE.question("4.2").options] == [
        ("NO", "0 - No"),
        ("NA", "0 - Not Available for work"),
        ("YES", "2 - Yes"),
        ("M", "Missing"),
    ]
    assert [(o.code, o.label) for o in CATALOGUE.question("8.2.1.1").options] == DRUG_FREQUENCIES


@pytest.mark.parametrize(
    ("code", "options"),
    [
        ("1.44", YES_NO),  # "Yes|No"
        ("R1.2.13.2_V2", YES_NO),
        ("R1.4", YES_NO),
        ("R4.6", [*YES_NO, ("DK", "Don't Know")]),  # "Yes|No|Don't Know"
        ("8.2.16.1", DRUG_FREQUENCIES),  # ketamine: "Daily|Weekly|Monthly|Occasional (inferred: ...)"
        ("8.2.16.2", [("YES", "Yes")]),  # "YES (ticked)"
        ("R1.4.5", YES_NO),  # no options listed: those of its parent R1.4
        ("R1.4.6", YES_NO),
    ],
)
def test_option_lists_without_codes_get_the_codes_oasys_stores(
    code: str, options: list[tuple[str, str]]
) -> None:
    assert [(o.code, o.label) for o in CATALOGUE.question(code).options] == options


@pytest.mark.parametrize(
    ("code", "points"),
    [
        ("3.3", {"YES": 2, "NO": 0}),
        ("3.4", {"0": 0, "1": 1, "2": 2}),
        ("4.2", {"NO": 0, "NA": 0, "YES": 2}),
        ("8.4", {"0": 0, "2": 2}),
        ("8.5", {"0": 0, "2": 2}),
        ("8.6", {"0": 0, "1": 1, "2": 2}),
        ("11.5", {"0": 0, "1": 1, "2": 2}),  # weight "points …; section need severity weighted x2 …"
        ("12.8", {"0": 0, "1": 1, "2": 2}),
    ],
)
def test_scored_questions_carry_points_per_answer(code: str, points: dict[str, int]) -> None:
    assert dict(CATALOGUE.question(code).points) == points


def test_only_scored_questions_carry_points() -> None:
    assert all(bool(q.points) == q.scored for q in CATALOGUE.questions.values())
    assert not CATALOGUE.question("6.4").points  # carries display scores, but is not in the need score


def test_flags_and_parents_follow_the_data_file() -> None:
    assert {q.code for q in CATALOGUE.questions.values() if q.mandatory} == {
        row["code"] for row in CATALOGUE_ROWS if row["mandatory_2021"] == "Y"
    }
    assert {q.code for q in CATALOGUE.questions.values() if q.predictor_input} == {
        row["code"] for row in CATALOGUE_ROWS if row["predictor_input"] == "Y"
    }
    assert CATALOGUE.question("6.7.2.1da").parent_code == "6.7da"
    assert CATALOGUE.question("8.2.1.1").parent_code == "8.2.1"
    assert CATALOGUE.question("3.4").parent_code is None
    assert CATALOGUE.question("4.96").role is QuestionRole.LINKED_TO_HARM
    assert CATALOGUE.question("4.98").role is QuestionRole.LINKED_TO_REOFFENDING
    assert CATALOGUE.question("4.94").role is QuestionRole.ISSUES_TEXT
    assert CATALOGUE.question("4.2").role is QuestionRole.QUESTION


def test_an_unknown_code_is_a_key_error() -> None:
    with pytest.raises(KeyError, match=re.escape("'6.7' is not a question of OASYS_LAYER3_V1")):
        CATALOGUE.question("6.7")


def test_the_catalogue_is_read_once() -> None:
    assert load_catalogue() is load_catalogue("OASYS_LAYER3_V2")
    assert load_catalogue("OASYS_LAYER3_V1") is CATALOGUE


@pytest.mark.parametrize("version", ["OASYS_LAYER3_V9", "oasys_layer3_v1", "../data/oasys_layer3_v1", ""])
def test_unknown_versions_are_refused(version: str) -> None:
    with pytest.raises(ValueError, match="catalogue version"):
        load_catalogue(version)


def test_completion_requires_the_mandatory_scored_and_predictor_questions() -> None:
    mandatory = {row["code"] for row in CATALOGUE_ROWS if row["mandatory_2021"] == "Y"}
    scored = {row["code"] for row in CATALOGUE_ROWS if row["scored"] == "Y"}
    required = CATALOGUE.required_for_completion()
    # The gates of the predictors' follow-up questions (8.1 for the drugs, 6.7da for the perpetrator
    # question) are required; the follow-ups are not, as OASys asks them only after a YES.
    assert set(required) == mandatory | scored | set(SPEC_PREDICTOR_QUESTIONS) | {"8.1"}
    assert len(required) == 62
    assert not set(required) & {"6.7.2.1da", *DRUG_CURRENT_USAGE_QUESTIONS}
    assert list(required) == [code for code in CATALOGUE.questions if code in required]


def test_completion_requires_nothing_the_assessor_cannot_answer() -> None:
    mandatory_outputs = {
        code: replace(CATALOGUE.question(code), mandatory=True, scored=True) for code in ["D3", "2.4", "2.1"]
    }
    catalogue = replace(CATALOGUE, questions=mandatory_outputs)
    assert catalogue.required_for_completion() == ("2.1",)


# ------------------------------------------------------------------ version 2: the screening tools' questions

# What v2 adds to v1 (SCREENING.md section 6 and 4.7): no OASys Layer 3 question holds them.
V2_QUESTIONS = {
    "saraRiskLevelToPartner": ("SARA", [("1", "Low"), ("2", "Medium"), ("3", "High")]),
    "saraRiskLevelToOther": ("SARA", [("1", "Low"), ("2", "Medium"), ("3", "High")]),
    "applyOPDOverride": ("OPD", YES_NO),
}


def test_v2_is_v1_unchanged_with_the_screening_questions_after_it() -> None:
    assert list(CURRENT.questions)[: len(CATALOGUE.questions)] == list(CATALOGUE.questions)
    for code, question in CATALOGUE.questions.items():
        assert CURRENT.question(code) == question
    added = {code: q for code, q in CURRENT.questions.items() if code not in CATALOGUE.questions}
    assert {
        code: (q.section, [(o.code, o.label) for o in q.options]) for code, q in added.items()
    } == V2_QUESTIONS
    assert all(q.answer_type is AnswerType.SELECT and not q.scored for q in added.values())


def test_v2_adds_the_sara_and_opd_sections_after_v1s() -> None:
    assert [(s.id, s.title) for s in CURRENT.sections] == [
        *[(s.id, s.title) for s in CATALOGUE.sections],
        ("SARA", "Spousal Assault Risk Assessment (SARA)"),
        ("OPD", "Offender personality disorder screening"),
    ]
    assert all(s.standard_threshold is None for s in CURRENT.sections[len(CATALOGUE.sections) :])


def test_v2_holds_every_question_the_screening_tools_read() -> None:
    for code in SCREENING_QUESTIONS:
        assert CURRENT.question(code).code == code
    # SCREENING.md section 6's OASys items of the PNI fields, and the MST, LDS and OPD items of the same
    # wording in the catalogue.
    assert {"6.11", "6.12", "6.1", "6.6", "7.3", "10.1", "11.3", "11.6", "11.11", "11.12", "12.9"} <= set(
        SCREENING_QUESTIONS
    )
    assert not set(SCREENING_QUESTIONS) & set(PREDICTOR_QUESTIONS) - {"6.7da", "6.7.2.1da"}


def test_v2_requires_for_completion_what_v1_does() -> None:
    # The screening questions are optional: a tool short of answers says so in its own block.
    assert CURRENT.required_for_completion() == CATALOGUE.required_for_completion()

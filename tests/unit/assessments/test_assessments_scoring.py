"""Section need scores and needs, against SOURCES.md "Section-level facts" and the hmpps.md thresholds."""

import re

import pytest

from probation.assessments import Need, SectionScore, load_catalogue, section_scores

CATALOGUE = load_catalogue()

# SOURCES.md "Section-level facts": the need-score items of each section; every other section has none.
NEED_SCORE_QUESTIONS = {
    "3": ["3.3", "3.4", "3.5", "3.6"],
    "4": ["4.2", "4.3", "4.4", "4.5"],
    "6": ["6.1", "6.3", "6.6"],
    "7": ["7.2", "7.3", "7.5"],
    "8": ["8.4", "8.5", "8.6", "8.8", "8.9"],
    "9": ["9.1", "9.2", "9.3", "9.5"],
    "11": ["11.5", "11.6", "11.7", "11.9"],
    "12": ["12.1", "12.4", "12.5", "12.8"],
}
# hmpps.md: standard / severe thresholds.
THRESHOLDS = {
    "3": (2, 7),
    "4": (3, 7),
    "6": (2, 5),
    "7": (2, 5),
    "8": (2, 8),
    "9": (4, 7),
    "11": (4, 7),
    "12": (2, 7),
}


def test_each_section_scores_the_items_of_the_sources_table() -> None:
    scored = {
        section.id: [code for code in section.questions if CATALOGUE.question(code).scored]
        for section in CATALOGUE.sections
    }
    assert {section: codes for section, codes in scored.items() if codes} == NEED_SCORE_QUESTIONS


def test_with_no_answers_every_need_scored_section_scores_0_and_no_need() -> None:
    assert section_scores(CATALOGUE, {}) == {
        section: SectionScore(section, 0, standard, severe, Need.NONE)
        for section, (standard, severe) in THRESHOLDS.items()
    }


@pytest.mark.parametrize(
    ("section", "answers", "score", "need"),
    [
        # Accommodation, 2 / 7.
        ("3", {"3.4": "1"}, 1, Need.NONE),
        ("3", {"3.3": "YES"}, 2, Need.STANDARD),
        ("3", {"3.3": "YES", "3.4": "2", "3.5": "2"}, 6, Need.STANDARD),
        ("3", {"3.3": "YES", "3.4": "2", "3.5": "2", "3.6": "1"}, 7, Need.SEVERE),
        # Education, training and employment, 3 / 7.
        ("4", {"4.3": "2"}, 2, Need.NONE),
        ("4", {"4.2": "YES", "4.3": "1"}, 3, Need.STANDARD),
        ("4", {"4.2": "YES", "4.3": "2", "4.4": "2"}, 6, Need.STANDARD),
        ("4", {"4.2": "YES", "4.3": "2", "4.4": "2", "4.5": "1"}, 7, Need.SEVERE),
        # Relationships, 2 / 5.
        ("6", {"6.1": "1"}, 1, Need.NONE),
        ("6", {"6.1": "2"}, 2, Need.STANDARD),
        ("6", {"6.1": "2", "6.3": "2"}, 4, Need.STANDARD),
        ("6", {"6.1": "2", "6.3": "2", "6.6": "1"}, 5, Need.SEVERE),
        # Drug misuse, 2 / 8.
        ("8", {"8.6": "1"}, 1, Need.NONE),
        ("8", {"8.4": "2"}, 2, Need.STANDARD),
        ("8", {"8.4": "2", "8.5": "2", "8.6": "2", "8.8": "1"}, 7, Need.STANDARD),
        ("8", {"8.4": "2", "8.5": "2", "8.6": "2", "8.8": "1", "8.9": "1"}, 8, Need.SEVERE),
        # Alcohol misuse, 4 / 7.
        ("9", {"9.1": "2", "9.2": "1"}, 3, Need.NONE),
        ("9", {"9.1": "2", "9.2": "2"}, 4, Need.STANDARD),
        ("9", {"9.1": "2", "9.2": "2", "9.3": "2"}, 6, Need.STANDARD),
        ("9", {"9.1": "2", "9.2": "2", "9.3": "2", "9.5": "1"}, 7, Need.SEVERE),
        # Thinking and behaviour, 4 / 7.
        ("11", {"11.5": "2", "11.6": "1"}, 3, Need.NONE),
        ("11", {"11.5": "2", "11.6": "2"}, 4, Need.STANDARD),
        ("11", {"11.5": "2", "11.6": "2", "11.7": "2", "11.9": "1"}, 7, Need.SEVERE),
        # Attitudes, 2 / 7.
        ("12", {"12.8": "1"}, 1, Need.NONE),
        ("12", {"12.8": "2"}, 2, Need.STANDARD),
        ("12", {"12.1": "2", "12.4": "2", "12.5": "2", "12.8": "1"}, 7, Need.SEVERE),
        # Lifestyle and associates, 2 / 5.
        ("7", {"7.2": "1"}, 1, Need.NONE),
        ("7", {"7.2": "2", "7.3": "2", "7.5": "1"}, 5, Need.SEVERE),
    ],
)
def test_the_need_follows_the_thresholds(
    section: str, answers: dict[str, object], score: int, need: Need
) -> None:
    result = section_scores(CATALOGUE, answers)[section]
    assert (result.score, result.need) == (score, need)


def test_missing_answers_score_0() -> None:
    scores = section_scores(
        CATALOGUE, {"3.3": "M", "3.4": "M", "3.5": "M", "3.6": "2", "4.2": "M", "4.3": "1"}
    )
    assert (scores["3"].score, scores["4"].score) == (2, 1)


def test_a_cleared_answer_scores_0() -> None:
    assert section_scores(CATALOGUE, {"3.4": None, "3.5": "1"})["3"].score == 1


def test_not_available_for_work_and_no_score_0() -> None:
    assert section_scores(CATALOGUE, {"4.2": "NA"})["4"].score == 0
    assert section_scores(CATALOGUE, {"4.2": "NO", "3.3": "NO"})["4"].score == 0


def test_questions_outside_the_need_score_do_not_count() -> None:
    # 6.4, 11.2 and 11.4 feed the predictors, 4.7 and 10.5 carry display scores: none is a need-score item.
    answers = {"6.4": "2", "11.2": "2", "11.4": "2", "4.7": "2", "10.5": "YES"}
    scores = section_scores(CATALOGUE, answers)
    assert (scores["6"].score, scores["11"].score, scores["4"].score) == (0, 0, 0)
    assert "10" not in scores


def test_an_answer_the_question_does_not_take_is_refused() -> None:
    with pytest.raises(ValueError, match=re.escape("3.4 must be one of 0, 1, 2, M")):
        section_scores(CATALOGUE, {"3.4": "3"})

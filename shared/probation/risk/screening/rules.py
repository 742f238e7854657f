"""The screening tools' thresholds and bandings, read once from ``data/screening_rules.json``.

Each banding is tabulated on load into a tuple indexed by the whole-number score it bands, so that the
tools look a result up rather than search for it.
"""

import functools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, TypeVar

from probation.risk.enums import NeedLevel, RiskBand

T = TypeVar("T")

DOMAINS = ("sex", "thinking", "relationship", "self_management")
"""PNI's need domains, in the order their missing answers are reported."""


@dataclass(frozen=True, slots=True)
class MaturityRules:
    ages: frozenset[int]
    """Ages screened, in whole years."""
    answers_required: int
    """Of the ten MST answers; with fewer, every missing one is reported."""
    flag_from_score: int


@dataclass(frozen=True, slots=True)
class LearningDisabilityRules:
    counted_answers_required: int
    score_of_subtotal: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PersonalityDisorderRules:
    early_start_ages: frozenset[int]
    """Ages at the first sanction that count as an early start."""
    high_risk_of_serious_harm: frozenset[RiskBand]
    male_personality_screen_in_from: int
    male_indicator_screen_in_from: int
    female_screen_in_from: int


@dataclass(frozen=True, slots=True)
class ScoreThresholds:
    """A predictor's score that makes PNI's risk high (from ``high_from``), and the range that makes it
    medium (bounds inclusive). Scores between the two ranges are neither, as in the Ministry's rules. PNI
    compares with these inline rather than through methods, each call of which cost ~500 instructions."""

    high_from: float
    medium_lowest: float
    medium_highest: float


@dataclass(frozen=True, slots=True)
class ProgrammeNeedsRules:
    domain_score_of_sum: Mapping[str, tuple[int, ...]]
    """By domain, the score of each sum of the domain's answers."""
    sex_domain_known_from_sum: int
    """With sex-domain answers missing, a lower sum of those given leaves the domain unscored."""
    need_of_total: tuple[NeedLevel, ...]
    """The need level of each total of the four domain scores."""
    all_reoffending: ScoreThresholds
    violent_reoffending: ScoreThresholds
    combined_serious: ScoreThresholds
    projected_combined_serious: float
    """The RSR score assumed, for the projected risk, when there is none."""


@dataclass(frozen=True, slots=True)
class ScreeningRules:
    maturity: MaturityRules
    learning_disability: LearningDisabilityRules
    personality_disorder: PersonalityDisorderRules
    programme_needs: ProgrammeNeedsRules


def _tabulated(banding: Sequence[Sequence[Any]], highest: int, result: Callable[[Any], T]) -> tuple[T, ...]:
    """The result of each value from 0 to ``highest`` under ``banding`` ([lowest value, result] pairs)."""
    lowest_values = [int(lowest) for lowest, _ in banding]
    if not lowest_values or lowest_values[0] != 0 or lowest_values != sorted(set(lowest_values)):
        raise ValueError(f"a banding must start at 0 and ascend: {banding}")
    return tuple(
        result(next(band for lowest, band in reversed(banding) if value >= lowest))
        for value in range(highest + 1)
    )


def _thresholds(block: Mapping[str, Any]) -> ScoreThresholds:
    lowest, highest = block["medium_range"]
    return ScoreThresholds(float(block["high_from"]), float(lowest), float(highest))


def _inclusive(bounds: Sequence[int]) -> frozenset[int]:
    """The whole numbers from the lower bound to the upper, as a set: the tools test a number against them
    for every case, and a set answers in ~200 instructions where a range takes ~700."""
    lowest, highest = bounds
    return frozenset(range(lowest, highest + 1))


# Highest sum of each PNI domain's answers: two points for each of its answers.
_DOMAIN_ANSWERS = {"sex": 3, "thinking": 2, "relationship": 4, "self_management": 4}
# Highest LDS subtotal: three yes/no answers at 1 point, four graded answers at 2.
_LDS_HIGHEST_SUBTOTAL = 3 + 4 * 2


@functools.cache
def screening_rules() -> ScreeningRules:
    data = json.loads(
        resources.files("probation.risk.data").joinpath("screening_rules.json").read_text(encoding="utf-8")
    )
    maturity = data["maturity"]
    learning = data["learning_disability"]
    personality = data["personality_disorder"]
    needs = data["programme_needs"]
    bandings = needs["domain_score_from_sum"]
    if set(bandings) != set(DOMAINS):
        raise ValueError(f"PNI domains must be {DOMAINS}, not {sorted(bandings)}")
    return ScreeningRules(
        maturity=MaturityRules(
            ages=_inclusive(maturity["age_range"]),
            answers_required=maturity["answers_required"],
            flag_from_score=maturity["flag_from_score"],
        ),
        learning_disability=LearningDisabilityRules(
            counted_answers_required=learning["counted_answers_required"],
            score_of_subtotal=_tabulated(learning["score_from_subtotal"], _LDS_HIGHEST_SUBTOTAL, int),
        ),
        personality_disorder=PersonalityDisorderRules(
            early_start_ages=_inclusive(personality["early_start_age_range"]),
            high_risk_of_serious_harm=frozenset(
                RiskBand(band) for band in personality["high_risk_of_serious_harm"]
            ),
            male_personality_screen_in_from=personality["male_personality_screen_in_from"],
            male_indicator_screen_in_from=personality["male_indicator_screen_in_from"],
            female_screen_in_from=personality["female_screen_in_from"],
        ),
        programme_needs=ProgrammeNeedsRules(
            domain_score_of_sum={
                domain: _tabulated(bandings[domain], 2 * _DOMAIN_ANSWERS[domain], int) for domain in DOMAINS
            },
            sex_domain_known_from_sum=needs["sex_domain_known_from_sum"],
            need_of_total=_tabulated(needs["need_from_total"], 2 * len(DOMAINS), NeedLevel),
            all_reoffending=_thresholds(needs["risk"]["all_reoffending"]),
            violent_reoffending=_thresholds(needs["risk"]["violent_reoffending"]),
            combined_serious=_thresholds(needs["risk"]["combined_serious"]),
            projected_combined_serious=float(needs["projected_combined_serious"]),
        ),
    )

"""Sentence plan reference data (``data/sentence_plans_v1.json``): the areas of need and their OASys sections,
review intervals, what counts as high RoSH, which grades need a countersignature, which step actors a partner
may progress, and the plan's bounds. Loaded once; sources and choices in ``data/ATTRIBUTION.md``."""

import functools
import json
from dataclasses import dataclass
from importlib import resources

_DATA_PACKAGE = "probation.domain.sentence_plans.data"
_FILE = "sentence_plans_v1.json"


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    section: str
    """The OASys section it is read from."""
    scored: bool
    """Need-scored in OASys: it has a score and a standard threshold."""


@dataclass(frozen=True)
class Reference:
    version: str
    areas: tuple[AreaSpec, ...]
    default_review_months: int
    high_rosh_review_months: int
    high_rosh_registrations: frozenset[str]
    high_rosh_summary_levels: frozenset[str]
    countersign_grades: frozenset[str]
    partner_step_actors: frozenset[str]
    goal_target_months: tuple[int, ...]
    reviews_due_within_days: int
    max_goals: int
    max_steps_per_goal: int

    def area(self, code: str) -> AreaSpec | None:
        return next((area for area in self.areas if area.code == code), None)


@functools.cache
def reference() -> Reference:
    data = json.loads(resources.files(_DATA_PACKAGE).joinpath(_FILE).read_text(encoding="utf-8"))
    return Reference(
        version=data["version"],
        areas=tuple(
            AreaSpec(code=a["code"], name=a["name"], section=a["section"], scored=a["scored"])
            for a in data["areas"]
        ),
        default_review_months=data["reviewIntervalMonths"]["default"],
        high_rosh_review_months=data["reviewIntervalMonths"]["highRosh"],
        high_rosh_registrations=frozenset(data["highRoshRegistrations"]),
        high_rosh_summary_levels=frozenset(data["highRoshSummaryLevels"]),
        countersign_grades=frozenset(data["countersignGrades"]),
        partner_step_actors=frozenset(data["partnerStepActors"]),
        goal_target_months=tuple(data["goalTargetMonths"]),
        reviews_due_within_days=data["reviewsDueWithinDays"],
        max_goals=data["maxGoals"],
        max_steps_per_goal=data["maxStepsPerGoal"],
    )

"""hmpps-workload's case points and a practitioner's capacity.

Points per case by tier and case type, and each grade's nominal target and default contracted hours, are data
(``data/workload_points_v1.json``).

Available points follow hmpps-workload's ``CapacityCalculator``: the grade's nominal target scaled by the
practitioner's contracted hours over the grade's default contracted hours, then by the share of those hours
left after reductions. The two ratios simplify to::

    available points = nominal target * (contracted hours - reductions in force) / default contracted hours

so a part-time practitioner holds proportionally fewer points than a full-time one; for a practitioner on the
grade's default hours (37 for every grade here) it is "nominal target * available hours / contracted hours".
hmpps-workload rounds the ratios to 2 places and truncates the result; this keeps the exact value.
"""

import functools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from importlib import resources
from typing import Any, Self

from pydantic import Field, model_validator

from probation.domain.model import ApiModel

_DATA_PACKAGE = "probation.allocation.data"
_POINTS_FILE = "workload_points_v1.json"


class CaseType(StrEnum):
    COMMUNITY = "COMMUNITY"
    LICENCE = "LICENCE"
    CUSTODY = "CUSTODY"


class Grade(StrEnum):
    PO = "PO"
    """Probation officer."""
    PQIP = "PQiP"
    """Trainee probation officer (Professional Qualification in Probation)."""
    PSO = "PSO"
    """Probation services officer."""
    SPO = "SPO"
    """Senior probation officer."""


class Reduction(ApiModel):
    """Hours a practitioner cannot spend on cases (training, sick leave, other duties), from start to end
    inclusive."""

    hours: float = Field(ge=0)
    start: date
    end: date

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.end < self.start:
            raise ValueError(f"the reduction ends ({self.end}) before it starts ({self.start})")
        return self

    def in_force_on(self, day: date) -> bool:
        return self.start <= day <= self.end


NO_CAPACITY: float = math.inf
"""The capacity of a practitioner with no available points: over any limit, so never offered a case. It is
not a number JSON can carry; an API shows it as "no available hours"."""


@dataclass(frozen=True, slots=True)
class _GradeTarget:
    nominal_target: int
    default_contracted_hours: float


@dataclass(frozen=True, slots=True)
class _WorkloadPoints:
    version: str
    tier_points: dict[CaseType, dict[str, int]]
    grades: dict[Grade, _GradeTarget]


@functools.cache
def _workload_points() -> _WorkloadPoints:
    data: dict[str, Any] = json.loads(
        resources.files(_DATA_PACKAGE).joinpath(_POINTS_FILE).read_text(encoding="utf-8")
    )
    return _WorkloadPoints(
        version=data["version"],
        tier_points={CaseType(case_type): dict(points) for case_type, points in data["tier_points"].items()},
        grades={
            Grade(grade): _GradeTarget(
                nominal_target=target["nominal_target"],
                default_contracted_hours=float(target["default_contracted_hours"]),
            )
            for grade, target in data["grades"].items()
        },
    )


WORKLOAD_POINTS_VERSION: str = _workload_points().version


def case_points(tier: str, case_type: CaseType) -> int:
    """The workload points of a case of ``tier`` (e.g. ``B2``); ``ValueError`` for an unknown tier."""
    points = _workload_points().tier_points[case_type]
    if tier not in points:
        raise ValueError(f"{tier!r} is not a tier (A3 … D0)")
    return points[tier]


def case_type_for(sentence_type: str, release_date: date | None, on: date) -> CaseType:
    """The workload case type of a sentence on ``on``.

    Community orders and suspended sentences are community cases. A custodial sentence is a custody case
    until the release date and a licence case from it (the day of release is on licence); with no release
    date known the person is still in custody.
    """
    if sentence_type in ("COMMUNITY", "SUSPENDED"):
        return CaseType.COMMUNITY
    if sentence_type == "CUSTODY":
        if release_date is not None and on >= release_date:
            return CaseType.LICENCE
        return CaseType.CUSTODY
    raise ValueError(f"{sentence_type!r} is not a sentence type (COMMUNITY, SUSPENDED or CUSTODY)")


def available_hours(contracted_hours: float, reductions: Iterable[Reduction], on: date) -> float:
    """Contracted hours less the reductions in force on ``on``, never below 0."""
    if contracted_hours < 0:
        raise ValueError(f"contracted hours cannot be negative: {contracted_hours}")
    reduced = sum(reduction.hours for reduction in reductions if reduction.in_force_on(on))
    return max(contracted_hours - reduced, 0.0)


def available_points(
    grade: Grade, contracted_hours: float, reductions: Iterable[Reduction], on: date
) -> float:
    """Nominal target of the grade * available hours / the grade's default contracted hours."""
    target = _workload_points().grades[grade]
    hours = available_hours(contracted_hours, reductions, on)
    return target.nominal_target * hours / target.default_contracted_hours


def capacity_percent(total_points: float, available_points: float) -> float:
    """Total points as a percentage of available points; ``NO_CAPACITY`` (infinity) when none are available,
    so that a practitioner with no available hours compares as over capacity, never as having room."""
    if total_points < 0 or available_points < 0:
        raise ValueError("points cannot be negative")
    if available_points == 0:
        return NO_CAPACITY
    return total_points / available_points * 100

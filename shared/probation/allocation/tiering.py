"""hmpps-tier's "V2" tier, A3 … D0: a protect level (letter) from risk and complexity, a change level (digit)
from criminogenic needs, reoffending likelihood and IOM.

The points, weights and thresholds are data (``data/tier_v2.json``); this module applies them the way
hmpps-tier's ``ProtectLevelCalculator``, ``ChangeLevelCalculator`` and ``MandateForChange`` do:

* only the higher of the RSR and RoSH contributions counts;
* OGRS points are the All Reoffending percentage divided by 10 and rounded down, as hmpps-tier's integer
  division (``ogrsScore.div(10)`` on an ``Int``) does;
* no mandate for change is checked before the assessment, so a case without one is level 0 whether or not
  it has an assessment; without a valid assessment the change level is 2 and no change points are counted.
"""

import functools
import json
import math
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal, Self, TypeVar

from pydantic import Field, field_validator, model_validator

from probation.assessments.scoring import Need
from probation.domain.cases.registers import REGISTER_TYPES, RegisterGroup
from probation.domain.model import ApiModel
from probation.risk.enums import RiskBand

_DATA_PACKAGE = "probation.allocation.data"
_RULES_FILE = "tier_v2.json"

MappaLevel = Literal["M1", "M2", "M3"]
ProtectLevel = Literal["A", "B", "C", "D"]
_Level = TypeVar("_Level")


@dataclass(frozen=True, slots=True)
class _NeedSection:
    name: str
    weight: int


@dataclass(frozen=True, slots=True)
class _TierRules:
    version: str
    rsr_bands: tuple[tuple[float, int], ...]
    """(minimum percentage, points), highest band first."""
    rosh_points: dict[str, int]
    mappa_points: dict[str, int]
    points_per_complexity_factor: int
    points_per_women_specific_factor: int
    breach_or_recall_points: int
    protect_levels: tuple[tuple[ProtectLevel, int], ...]
    """(level, minimum points), highest level first."""
    need_severity_points: dict[str, int]
    need_sections: dict[str, _NeedSection]
    ogrs_divisor: int
    iom_points: int
    change_levels: tuple[tuple[int, int], ...]
    """(level, minimum points), highest level first."""
    no_valid_assessment_level: int
    no_mandate_level: int
    unpaid_work_requirement_types: frozenset[str]
    restrictive_requirement_types: frozenset[str]


@functools.cache
def _rules() -> _TierRules:
    data: dict[str, Any] = json.loads(
        resources.files(_DATA_PACKAGE).joinpath(_RULES_FILE).read_text(encoding="utf-8")
    )
    protect, change = data["protect"], data["change"]
    return _TierRules(
        version=data["version"],
        rsr_bands=tuple(
            (float(band["min_percent"]), int(band["points"]))
            for band in sorted(protect["rsr_bands"], key=lambda band: -band["min_percent"])
        ),
        rosh_points=dict(protect["rosh_points"]),
        mappa_points=dict(protect["mappa_points"]),
        points_per_complexity_factor=protect["points_per_complexity_factor"],
        points_per_women_specific_factor=protect["points_per_women_specific_factor"],
        breach_or_recall_points=protect["breach_or_recall_points"],
        protect_levels=_levels(protect["levels"]),
        need_severity_points=dict(change["need_severity_points"]),
        need_sections={
            section_id: _NeedSection(name=section["name"], weight=section["weight"])
            for section_id, section in change["need_sections"].items()
        },
        ogrs_divisor=change["ogrs_divisor"],
        iom_points=change["iom_points"],
        change_levels=_levels(change["levels"]),
        no_valid_assessment_level=change["no_valid_assessment_level"],
        no_mandate_level=change["no_mandate_level"],
        unpaid_work_requirement_types=frozenset(change["unpaid_work_requirement_types"]),
        restrictive_requirement_types=frozenset(change["restrictive_requirement_types"]),
    )


def _levels(levels: list[dict[str, Any]]) -> tuple[tuple[Any, int], ...]:
    return tuple(
        (level["level"], int(level["min_points"]))
        for level in sorted(levels, key=lambda level: -level["min_points"])
    )


TIER_MODEL_VERSION: str = _rules().version
"""The version of the tier rules in force, recorded with every calculation."""


class TierInputs(ApiModel):
    """What the V2 tier is calculated from, gathered by the caller from the case record."""

    rosh: RiskBand | None = None
    """Level of the active RoSH registration."""
    mappa_level: MappaLevel | None = None
    rsr_percent: float | None = Field(default=None, ge=0, le=100)
    complexity_factors: frozenset[str] = frozenset()
    """Register codes of the active complexity-factor registrations."""
    women_specific_factors: int | None = Field(default=None, ge=0)
    """How many of the additional factors for women apply; 0 for men; null while the record does not
    hold them (counted as none, and the reasons say so)."""
    breach_or_recall: bool | None = None
    """Whether a breach or recall is in progress; null while the record does not hold it (counted as
    absent, and the reasons say so)."""
    needs: dict[str, Need] = Field(default_factory=dict)
    """Need of each OASys section, by section id; empty without a valid assessment."""
    has_valid_assessment: bool = False
    ogrs_percent: float | None = Field(default=None, ge=0, le=100)
    """The All Reoffending (OGRS) percentage."""
    on_iom: bool | None = None
    """Whether the person is managed under Integrated Offender Management; null while the record does not
    hold it (counted as not, and the reasons say so)."""
    has_custodial_sentence: bool = False
    requirement_types: frozenset[str] = frozenset()
    """Requirement types of the current sentence, e.g. ``UNPAID_WORK``, ``CURFEW``."""

    @field_validator("rosh")
    @classmethod
    def _rosh_is_a_registration_level(cls, rosh: RiskBand | None) -> RiskBand | None:
        if rosh is RiskBand.NOT_APPLICABLE:
            raise ValueError("a RoSH registration is LOW, MEDIUM, HIGH or VERY_HIGH")
        return rosh

    @field_validator("complexity_factors")
    @classmethod
    def _complexity_factors_are_known(cls, codes: frozenset[str]) -> frozenset[str]:
        unknown = sorted(
            code
            for code in codes
            if code not in REGISTER_TYPES or REGISTER_TYPES[code].group is not RegisterGroup.COMPLEXITY
        )
        if unknown:
            raise ValueError(f"not complexity-factor register codes: {', '.join(unknown)}")
        return codes

    @field_validator("needs")
    @classmethod
    def _needs_are_of_need_sections(cls, needs: dict[str, Need]) -> dict[str, Need]:
        unknown = sorted(section for section in needs if section not in _rules().need_sections)
        if unknown:
            raise ValueError(f"not need-scored OASys sections: {', '.join(unknown)}")
        return needs

    @model_validator(mode="after")
    def _needs_come_from_a_valid_assessment(self) -> Self:
        if self.needs and not self.has_valid_assessment:
            raise ValueError("needs are given but there is no valid assessment")
        return self


class TierCalculation(ApiModel):
    model_version: str
    tier: str
    """Protect level then change level, e.g. ``B2``."""
    protect_level: ProtectLevel
    protect_points: int
    change_level: int = Field(ge=0, le=3)
    change_points: int
    reasons: list[str]
    """One line per rule that contributed, protect level first."""


def calculate_tier(inputs: TierInputs) -> TierCalculation:
    rules = _rules()
    reasons: list[str] = []
    protect_points = _protect_points(inputs, rules, reasons)
    protect_level: ProtectLevel = _level_for(protect_points, rules.protect_levels, "Protect", reasons)
    change_level, change_points = _change(inputs, rules, reasons)
    return TierCalculation(
        model_version=rules.version,
        tier=f"{protect_level}{change_level}",
        protect_level=protect_level,
        protect_points=protect_points,
        change_level=change_level,
        change_points=change_points,
        reasons=reasons,
    )


def _protect_points(inputs: TierInputs, rules: _TierRules, reasons: list[str]) -> int:
    points = _risk_points(inputs, rules, reasons)
    if inputs.mappa_level is not None:
        mappa_points = rules.mappa_points[inputs.mappa_level]
        reasons.append(f"MAPPA level {inputs.mappa_level}: {mappa_points} points")
        points += mappa_points
    if inputs.complexity_factors:
        count = len(inputs.complexity_factors)
        complexity_points = count * rules.points_per_complexity_factor
        codes = ", ".join(sorted(inputs.complexity_factors))
        reasons.append(
            f"{count} complexity factor(s) ({codes}) x {rules.points_per_complexity_factor}: "
            f"{complexity_points} points"
        )
        points += complexity_points
    if inputs.women_specific_factors is None:
        reasons.append("Women-specific factors are not recorded: counted as absent")
    elif inputs.women_specific_factors:
        women_points = inputs.women_specific_factors * rules.points_per_women_specific_factor
        reasons.append(
            f"{inputs.women_specific_factors} women-specific factor(s) x "
            f"{rules.points_per_women_specific_factor}: {women_points} points"
        )
        points += women_points
    if inputs.breach_or_recall is None:
        reasons.append("Breach or recall is not recorded: counted as absent")
    elif inputs.breach_or_recall:
        reasons.append(f"Breach or recall: {rules.breach_or_recall_points} points")
        points += rules.breach_or_recall_points
    return points


def _risk_points(inputs: TierInputs, rules: _TierRules, reasons: list[str]) -> int:
    """The higher of the RSR and RoSH points: the two measure the same risk, so they do not add up."""
    rsr_points, rsr_reason = 0, ""
    if inputs.rsr_percent is not None:
        for min_percent, band_points in rules.rsr_bands:
            if inputs.rsr_percent >= min_percent:
                rsr_points = band_points
                rsr_reason = f"RSR {inputs.rsr_percent:g}% (≥ {min_percent:g}%): {band_points} points"
                break
    rosh_points, rosh_reason = 0, ""
    if inputs.rosh is not None:
        rosh_points = rules.rosh_points[inputs.rosh]
        rosh_reason = f"RoSH {_label(inputs.rosh)}: {rosh_points} points"
    if rsr_points and rosh_points:
        reasons.append(
            f"{rsr_reason}; {rosh_reason} — only the higher ({max(rsr_points, rosh_points)}) counts"
        )
    elif rsr_points:
        reasons.append(rsr_reason)
    elif rosh_points:
        reasons.append(rosh_reason)
    return max(rsr_points, rosh_points)


def _change(inputs: TierInputs, rules: _TierRules, reasons: list[str]) -> tuple[int, int]:
    """The change level and the change points it was read from."""
    if not _has_mandate_for_change(inputs, rules):
        reasons.append(
            "No mandate for change: no custodial sentence and no requirement other than unpaid work or a "
            f"restrictive one → change level {rules.no_mandate_level}"
        )
        return rules.no_mandate_level, 0
    if not inputs.has_valid_assessment:
        reasons.append(f"No valid assessment → change level {rules.no_valid_assessment_level}")
        return rules.no_valid_assessment_level, 0
    points = 0
    for section_id, need in sorted(inputs.needs.items(), key=lambda item: int(item[0])):
        section = rules.need_sections[section_id]
        severity = rules.need_severity_points[need]
        need_points = severity * section.weight
        if need_points:
            reasons.append(
                f"{section.name} (section {section_id}) need {need.value.lower()}: "
                f"{severity} x weight {section.weight} = {need_points} points"
            )
            points += need_points
    if inputs.ogrs_percent is not None:
        ogrs_points = math.floor(inputs.ogrs_percent / rules.ogrs_divisor)
        if ogrs_points:
            reasons.append(
                f"OGRS {inputs.ogrs_percent:g}% ÷ {rules.ogrs_divisor}, rounded down: {ogrs_points} points"
            )
            points += ogrs_points
    if inputs.on_iom is None:
        reasons.append("IOM is not recorded: counted as not managed under IOM")
    elif inputs.on_iom:
        reasons.append(f"On IOM: {rules.iom_points} points")
        points += rules.iom_points
    level: int = _level_for(points, rules.change_levels, "Change", reasons)
    return level, points


def _has_mandate_for_change(inputs: TierInputs, rules: _TierRules) -> bool:
    """A custodial sentence, or a requirement that is neither unpaid work nor restrictive, gives one."""
    no_mandate_types = rules.unpaid_work_requirement_types | rules.restrictive_requirement_types
    return inputs.has_custodial_sentence or not inputs.requirement_types <= no_mandate_types


def _level_for(points: int, levels: tuple[tuple[_Level, int], ...], kind: str, reasons: list[str]) -> _Level:
    higher_min: int | None = None
    for level, min_points in levels:
        if points >= min_points:
            if higher_min is None:
                band = f"≥ {min_points}"
            elif min_points == 0:
                band = f"< {higher_min}"
            else:
                band = f"{min_points}-{higher_min - 1}"
            reasons.append(f"{kind} points {points} ({band}) → {kind.lower()} level {level}")
            return level
        higher_min = min_points
    raise ValueError(f"{points} {kind.lower()} points are below every level")


def _label(rosh: RiskBand) -> str:
    return rosh.value.replace("_", " ").lower()

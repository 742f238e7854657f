"""Who may hold a case: which grades of practitioner, and whether a partner provider (CRC) may."""

import re

from probation.allocation.tiering import MappaLevel
from probation.allocation.workload import Grade
from probation.risk.enums import RiskBand

_HIGH_ROSH = frozenset({RiskBand.HIGH, RiskBand.VERY_HIGH})
_PO_MAPPA_LEVELS = frozenset({"M2", "M3"})
_PO_PROTECT_LEVEL = "A"
_QUALIFIED_GRADES = frozenset({Grade.PO, Grade.SPO})
_TIER = re.compile(r"[ABCD][0-3]")


def grade_restrictions(rosh: RiskBand | None, mappa_level: MappaLevel | None, tier: str | None) -> list[str]:
    """Why the case needs a qualified probation officer (PO or SPO), one line per reason; empty when any grade
    may hold it. ``tier`` is the V2 tier (e.g. ``A2``), ``None`` when the case is not yet tiered."""
    if tier is not None and not _TIER.fullmatch(tier):
        raise ValueError(f"{tier!r} is not a tier (A3 … D0)")
    restrictions = []
    if rosh in _HIGH_ROSH:
        restrictions.append(f"RoSH {rosh.value.replace('_', ' ').lower()} needs a PO or SPO")
    if mappa_level in _PO_MAPPA_LEVELS:
        restrictions.append(f"MAPPA level {mappa_level} needs a PO or SPO")
    if tier is not None and tier.startswith(_PO_PROTECT_LEVEL):
        restrictions.append(f"Tier {tier} (protect level {_PO_PROTECT_LEVEL}) needs a PO or SPO")
    return restrictions


def eligible_grades(
    rosh: RiskBand | None, mappa_level: MappaLevel | None, tier: str | None
) -> frozenset[Grade]:
    """PO and SPO when ``grade_restrictions`` gives a reason, otherwise every grade."""
    if grade_restrictions(rosh, mappa_level, tier):
        return _QUALIFIED_GRADES
    return frozenset(Grade)


def partner_eligible(rosh: RiskBand | None, mappa_level: MappaLevel | None) -> bool:
    """A partner provider may hold a case that is neither high / very high RoSH nor MAPPA at any level."""
    return rosh not in _HIGH_ROSH and mappa_level is None

"""A practitioner's workload as the sum of what their allocated cases add to it: each allocation, move,
re-tiering and closure takes a case's share off one workload and puts it on another, and the operator's
audit adds the shares up afresh to find any drift."""

from collections.abc import Iterable
from dataclasses import dataclass

from probation.domain.allocation.models import Allocation, AllocationStatus, CaseFacts, Workload
from probation.risk.enums import RiskBand

HIGH_ROSH = frozenset({RiskBand.HIGH.value, RiskBand.VERY_HIGH.value})
COUNTED = ("points", "cases", "community", "licence", "custody", "high_rosh", "mappa")
"""The workload's fields that are sums over the caseload (its recent allocation times are not)."""


def risk_load(facts: CaseFacts) -> tuple[int, int]:
    """What a case adds to its holder's high-RoSH and MAPPA counts: each 1 or 0."""
    return int(facts.rosh in HIGH_ROSH), int(facts.mappa_level is not None)


def share(allocation: Allocation) -> Workload:
    """What the case adds to its practitioner's workload: nothing unless it is allocated to one."""
    if allocation.status is not AllocationStatus.ALLOCATED or allocation.practitioner_code is None:
        return Workload()
    high_rosh, mappa = risk_load(allocation.facts)
    counts = {(allocation.case_type or "COMMUNITY").lower(): 1}
    return Workload.model_validate(
        {"points": allocation.points, "cases": 1, "high_rosh": high_rosh, "mappa": mappa, **counts}
    )


def moved(
    workload: Workload, *, released: Allocation | None = None, taken: Allocation | None = None
) -> Workload:
    """``workload`` without the share of ``released`` (as it was) and with the share of ``taken``."""
    off = share(released) if released is not None else Workload()
    on = share(taken) if taken is not None else Workload()
    return workload.model_copy(
        update={name: getattr(workload, name) - getattr(off, name) + getattr(on, name) for name in COUNTED}
    )


@dataclass(frozen=True)
class Drift:
    practitioner_code: str
    stored: Workload
    expected: Workload

    @property
    def fields(self) -> list[str]:
        return [name for name in COUNTED if getattr(self.stored, name) != getattr(self.expected, name)]


def drift(stored: dict[str, Workload], allocations: Iterable[Allocation]) -> list[Drift]:
    """Each practitioner whose stored workload is not the sum of their allocated cases' shares (a case held
    by a practitioner with no record counts against an empty workload), by code."""
    expected: dict[str, Workload] = {}
    for allocation in allocations:
        if allocation.status is AllocationStatus.ALLOCATED and allocation.practitioner_code is not None:
            code = allocation.practitioner_code
            expected[code] = moved(expected.get(code, Workload()), taken=allocation)
    found = [
        Drift(code, stored.get(code, Workload()), expected.get(code, Workload()))
        for code in sorted(stored.keys() | expected.keys())
    ]
    return [entry for entry in found if entry.fields]

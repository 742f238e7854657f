"""A workload as the sum of its allocated cases' shares, and finding where a stored one drifted from it."""

from datetime import UTC, datetime

import pytest

from probation.domain.allocation.ledger import drift, moved, share
from probation.domain.allocation.models import Allocation, AllocationStatus, CaseFacts, Workload

_AT = datetime(2026, 1, 5, tzinfo=UTC)


def allocation(
    crn: str = "X000001",
    *,
    status: AllocationStatus = AllocationStatus.ALLOCATED,
    practitioner: str | None = "PO001",
    points: int = 41,
    case_type: str = "COMMUNITY",
    rosh: str | None = None,
    mappa: str | None = None,
) -> Allocation:
    return Allocation(
        crn=crn,
        team_code="N07CAM",
        status=status,
        version=1,
        facts=CaseFacts(name="Jane Doe", rosh=rosh, mappa_level=mappa),
        waiting_since=_AT,
        practitioner_code=practitioner,
        partner_id=None if practitioner else "CRC1",
        case_type=case_type,
        points=points,
    )


def test_an_allocated_case_adds_its_points_one_case_of_its_type_and_its_risk_counts() -> None:
    held = share(allocation(points=158, case_type="LICENCE", rosh="VERY_HIGH", mappa="M2"))
    assert held == Workload(points=158, cases=1, licence=1, high_rosh=1, mappa=1)
    assert share(allocation(rosh="MEDIUM")).high_rosh == 0


@pytest.mark.parametrize(
    "unheld",
    [
        allocation(status=AllocationStatus.UNALLOCATED, practitioner=None),
        allocation(status=AllocationStatus.CLOSED, practitioner=None),
        allocation(practitioner=None, points=0),  # a partner's
    ],
)
def test_a_case_no_practitioner_holds_adds_nothing(unheld: Allocation) -> None:
    assert share(unheld) == Workload()


def test_moving_takes_the_case_as_it_was_off_and_puts_it_as_it_is_on() -> None:
    before = allocation(points=41, rosh="HIGH")
    after = allocation(points=158, case_type="CUSTODY", mappa="M1")
    start = Workload(points=100, cases=2, community=2, high_rosh=1, allocations=[_AT])
    assert moved(start, released=before, taken=after) == Workload(
        points=217, cases=2, community=1, custody=1, mappa=1, allocations=[_AT]
    )
    assert moved(moved(start, taken=after), released=after) == start


def test_drift_names_each_practitioner_whose_workload_is_not_their_cases_sum() -> None:
    cases = [
        allocation("X000001", points=41),
        allocation("X000002", points=158, mappa="M2"),
        allocation("X000003", status=AllocationStatus.CLOSED, practitioner=None),
        allocation("X000004", practitioner="PO003"),
    ]
    stored = {
        "PO001": Workload(points=199, cases=2, community=2, mappa=1),
        "PO002": Workload(points=41, cases=1, community=1),  # released nowhere: holds nothing
        # PO003 holds X000004, but has no workload record
    }
    found = {entry.practitioner_code: entry.fields for entry in drift(stored, cases)}
    assert found == {
        "PO002": ["points", "cases", "community"],
        "PO003": ["points", "cases", "community"],
    }

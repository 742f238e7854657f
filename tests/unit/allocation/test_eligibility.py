"""Which grades, and whether a partner provider, may hold a case."""

import pytest

from probation.allocation.eligibility import eligible_grades, grade_restrictions, partner_eligible
from probation.allocation.tiering import MappaLevel
from probation.allocation.workload import Grade
from probation.risk.enums import RiskBand

_PO_OR_SPO = frozenset({Grade.PO, Grade.SPO})
_ANY = frozenset({Grade.PO, Grade.PQIP, Grade.PSO, Grade.SPO})


@pytest.mark.parametrize(
    ("rosh", "mappa", "tier", "grades"),
    [
        (RiskBand.VERY_HIGH, None, "B1", _PO_OR_SPO),
        (RiskBand.HIGH, None, "B1", _PO_OR_SPO),
        (RiskBand.MEDIUM, None, "B1", _ANY),
        (RiskBand.LOW, None, "C1", _ANY),
        (None, "M3", "B1", _PO_OR_SPO),
        (None, "M2", "B1", _PO_OR_SPO),
        (None, "M1", "B1", _ANY),
        (None, None, "A0", _PO_OR_SPO),
        (None, None, "B3", _ANY),
        (None, None, None, _ANY),
    ],
)
def test_eligible_grades(
    rosh: RiskBand | None, mappa: MappaLevel | None, tier: str | None, grades: frozenset[Grade]
) -> None:
    assert eligible_grades(rosh, mappa, tier) == grades


def test_one_reason_per_restriction() -> None:
    assert grade_restrictions(RiskBand.VERY_HIGH, "M2", "A3") == [
        "RoSH very high needs a PO or SPO",
        "MAPPA level M2 needs a PO or SPO",
        "Tier A3 (protect level A) needs a PO or SPO",
    ]
    assert grade_restrictions(RiskBand.MEDIUM, "M1", "B2") == []


def test_rejects_a_malformed_tier() -> None:
    with pytest.raises(ValueError, match="not a tier"):
        eligible_grades(None, None, "A")


@pytest.mark.parametrize(
    ("rosh", "mappa", "eligible"),
    [
        (None, None, True),
        (RiskBand.LOW, None, True),
        (RiskBand.MEDIUM, None, True),
        (RiskBand.HIGH, None, False),
        (RiskBand.VERY_HIGH, None, False),
        (RiskBand.LOW, "M1", False),
        (None, "M3", False),
    ],
)
def test_partner_eligible(rosh: RiskBand | None, mappa: MappaLevel | None, eligible: bool) -> None:
    assert partner_eligible(rosh, mappa) is eligible

"""The V2 tier rules, each worked by hand from hmpps-tier (hmpps.md, "Tiering")."""

from typing import Any

import pytest
from pydantic import ValidationError

from probation.allocation.tiering import TierCalculation, TierInputs, calculate_tier
from probation.assessments.scoring import Need

# A case with a mandate for change (a non-restrictive requirement) and a valid assessment scoring nothing,
# and whose women-specific factors, breach or recall and IOM are known to be none, so each test moves only
# the rule it is about.
_BASE: dict[str, Any] = {
    "has_valid_assessment": True,
    "requirement_types": {"REHABILITATION_ACTIVITY"},
    "women_specific_factors": 0,
    "breach_or_recall": False,
    "on_iom": False,
}


def _tier(**overrides: Any) -> TierCalculation:
    return calculate_tier(TierInputs(**{**_BASE, **overrides}))


# --- protect level -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rsr", "points"),
    [(None, 0), (0.0, 0), (2.99, 0), (3.0, 10), (6.99, 10), (7.0, 20), (55.5, 20)],
)
def test_rsr_bands(rsr: float | None, points: int) -> None:
    assert _tier(rsr_percent=rsr).protect_points == points


@pytest.mark.parametrize(
    ("rosh", "points"),
    [(None, 0), ("LOW", 0), ("MEDIUM", 10), ("HIGH", 20), ("VERY_HIGH", 150)],
)
def test_rosh_points(rosh: str | None, points: int) -> None:
    assert _tier(rosh=rosh).protect_points == points


def test_only_the_higher_of_rsr_and_rosh_counts_when_rsr_is_higher() -> None:
    # RSR 7 % → 20, RoSH medium → 10: 20, not 30.
    result = _tier(rsr_percent=7.0, rosh="MEDIUM")
    assert result.protect_points == 20
    assert any("only the higher (20) counts" in reason for reason in result.reasons)


def test_only_the_higher_of_rsr_and_rosh_counts_when_rosh_is_higher() -> None:
    # RSR 7.2 % → 20, RoSH very high → 150: 150, not 170.
    result = _tier(rsr_percent=7.2, rosh="VERY_HIGH")
    assert result.protect_points == 150
    assert result.protect_level == "A"


@pytest.mark.parametrize(("mappa", "points"), [(None, 0), ("M1", 5), ("M2", 150), ("M3", 150)])
def test_mappa_levels(mappa: str | None, points: int) -> None:
    assert _tier(mappa_level=mappa).protect_points == points


def test_mappa_adds_to_rsr_and_rosh() -> None:
    # RoSH high 20 + MAPPA M1 5 = 25.
    assert _tier(rosh="HIGH", mappa_level="M1").protect_points == 25


def test_each_complexity_factor_scores_two() -> None:
    # 3 factors x 2 = 6.
    assert _tier(complexity_factors={"RMDO", "ALSH", "RTAO"}).protect_points == 6


def test_each_women_specific_factor_scores_two() -> None:
    # 2 factors x 2 = 4.
    assert _tier(women_specific_factors=2).protect_points == 4


def test_breach_or_recall_scores_two() -> None:
    assert _tier(breach_or_recall=True).protect_points == 2


def test_additive_factors_sum() -> None:
    # RSR 3 % 10 + MAPPA M1 5 + 1 complexity factor 2 + 1 women-specific factor 2 + breach 2 = 21 → B.
    result = _tier(
        rsr_percent=3.0,
        mappa_level="M1",
        complexity_factors={"RVLN"},
        women_specific_factors=1,
        breach_or_recall=True,
    )
    assert (result.protect_points, result.protect_level) == (21, "B")


@pytest.mark.parametrize(
    ("overrides", "points", "level"),
    [
        # 4 factors x 2 = 8; + MAPPA M1 5 = 13; MAPPA M1 5 + 2 factors 4 = 9; + RoSH medium 10 = 19.
        ({"complexity_factors": {"RMDO", "ALSH", "RVLN", "RCCO"}}, 8, "D"),
        ({"complexity_factors": {"RMDO", "ALSH", "RVLN", "RCCO"}, "mappa_level": "M1"}, 13, "C"),
        ({"mappa_level": "M1", "complexity_factors": {"RMDO", "ALSH"}}, 9, "D"),
        ({"rosh": "MEDIUM"}, 10, "C"),
        ({"rosh": "MEDIUM", "mappa_level": "M1", "complexity_factors": {"RMDO", "ALSH"}}, 19, "C"),
        ({"rosh": "HIGH"}, 20, "B"),
        # 20 + 5 + 62 x 2 = 149: women-specific factors are a count, so 62 of them reach the boundary.
        ({"rosh": "HIGH", "mappa_level": "M1", "women_specific_factors": 62}, 149, "B"),
        ({"mappa_level": "M2"}, 150, "A"),
    ],
)
def test_protect_level_boundaries(overrides: dict[str, Any], points: int, level: str) -> None:
    result = _tier(**overrides)
    assert (result.protect_points, result.protect_level) == (points, level)


# --- change level --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "need", "points"),
    [
        ("3", Need.STANDARD, 1),
        ("3", Need.SEVERE, 2),
        ("4", Need.SEVERE, 2),
        ("6", Need.SEVERE, 2),
        ("7", Need.SEVERE, 2),
        ("8", Need.SEVERE, 2),
        ("9", Need.SEVERE, 2),
        ("11", Need.STANDARD, 2),
        ("11", Need.SEVERE, 4),
        ("12", Need.SEVERE, 4),
        ("5", Need.SEVERE, 0),
        ("10", Need.SEVERE, 0),
        ("12", Need.NONE, 0),
    ],
)
def test_need_severity_times_weight(section: str, need: Need, points: int) -> None:
    assert _tier(needs={section: need}).change_points == points


@pytest.mark.parametrize(("ogrs", "points"), [(None, 0), (9, 0), (10, 1), (57, 5), (59.9, 5), (99, 9)])
def test_ogrs_divided_by_ten_rounded_down(ogrs: float | None, points: int) -> None:
    assert _tier(ogrs_percent=ogrs).change_points == points


def test_iom_scores_two() -> None:
    assert _tier(on_iom=True).change_points == 2


# Every need severe: 3,4,6,7,8,9 → 6 x 2 = 12; 11,12 → 2 x 4 = 8; total 20.
_ALL_SEVERE = dict.fromkeys(("3", "4", "6", "7", "8", "9", "11", "12"), Need.SEVERE)


@pytest.mark.parametrize(
    ("overrides", "points", "level"),
    [
        # accommodation severe 2 + attitudes severe 4 + OGRS 30 → 3 = 9.
        ({"needs": {"3": Need.SEVERE, "12": Need.SEVERE}, "ogrs_percent": 30}, 9, 1),
        # the same + IOM 2 - accommodation standard (1 less) = 10.
        ({"needs": {"3": Need.STANDARD, "12": Need.SEVERE}, "ogrs_percent": 30, "on_iom": True}, 10, 2),
        # OGRS 99 → 9 + thinking severe 4 + attitudes severe 4 + IOM 2 = 19.
        ({"needs": {"11": Need.SEVERE, "12": Need.SEVERE}, "ogrs_percent": 99, "on_iom": True}, 19, 2),
        ({"needs": _ALL_SEVERE}, 20, 3),
        ({}, 0, 1),
    ],
)
def test_change_level_boundaries(overrides: dict[str, Any], points: int, level: int) -> None:
    result = _tier(**overrides)
    assert (result.change_points, result.change_level) == (points, level)


def test_no_valid_assessment_is_change_level_two() -> None:
    # OGRS 99 and IOM would make 11 points, but without an assessment the level is 2 and no points count.
    result = _tier(has_valid_assessment=False, ogrs_percent=99, on_iom=True)
    assert (result.change_level, result.change_points) == (2, 0)
    assert "No valid assessment → change level 2" in result.reasons


@pytest.mark.parametrize(
    "requirements",
    [set(), {"UNPAID_WORK"}, {"CURFEW", "EXCLUSION"}, {"UNPAID_WORK", "ELECTRONIC_MONITORING", "RESIDENCE"}],
)
def test_no_mandate_for_change_is_change_level_zero(requirements: set[str]) -> None:
    result = _tier(requirement_types=requirements, needs=_ALL_SEVERE)
    assert (result.change_level, result.change_points) == (0, 0)
    assert result.reasons[-1].startswith("No mandate for change")


def test_no_mandate_comes_before_no_assessment() -> None:
    assert _tier(requirement_types={"UNPAID_WORK"}, has_valid_assessment=False).change_level == 0


def test_a_custodial_sentence_gives_a_mandate() -> None:
    assert _tier(requirement_types=set(), has_custodial_sentence=True, needs=_ALL_SEVERE).change_level == 3


def test_one_non_restrictive_requirement_gives_a_mandate() -> None:
    assert _tier(requirement_types={"UNPAID_WORK", "CURFEW", "REHABILITATION_ACTIVITY"}).change_level == 1


# --- the whole tier ------------------------------------------------------------------------------------


def test_tier_joins_protect_and_change_levels() -> None:
    # RoSH high 20 + MAPPA M2 150 = 170 → A; thinking severe 4 + attitudes severe 4 + OGRS 45 → 4 = 12 → 2.
    result = _tier(
        rosh="HIGH", mappa_level="M2", needs={"11": Need.SEVERE, "12": Need.SEVERE}, ogrs_percent=45
    )
    assert result.tier == "A2"
    assert result.model_version == "TIER_V2"
    assert result.reasons == [
        "RoSH high: 20 points",
        "MAPPA level M2: 150 points",
        "Protect points 170 (≥ 150) → protect level A",
        "Thinking and behaviour (section 11) need severe: 2 x weight 2 = 4 points",
        "Attitudes (section 12) need severe: 2 x weight 2 = 4 points",
        "OGRS 45% ÷ 10, rounded down: 4 points",
        "Change points 12 (10-19) → change level 2",
    ]


def test_what_the_record_does_not_hold_is_unknown_counted_as_absent_and_said_so() -> None:
    known = _tier(rosh="MEDIUM")
    unknown = _tier(rosh="MEDIUM", women_specific_factors=None, breach_or_recall=None, on_iom=None)
    assert (unknown.tier, unknown.protect_points, unknown.change_points) == (
        known.tier,
        known.protect_points,
        known.change_points,
    )
    said = set(unknown.reasons) - set(known.reasons)
    assert said == {
        "Women-specific factors are not recorded: counted as absent",
        "Breach or recall is not recorded: counted as absent",
        "IOM is not recorded: counted as not managed under IOM",
    }


def test_unknown_is_the_default_not_a_guess() -> None:
    inputs = TierInputs()
    assert (inputs.women_specific_factors, inputs.breach_or_recall, inputs.on_iom) == (None, None, None)


def test_lowest_tier_is_d0() -> None:
    assert _tier(requirement_types={"UNPAID_WORK"}).tier == "D0"


# --- inputs --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        {"complexity_factors": {"MAPP"}},
        {"complexity_factors": {"NOPE"}},
        {"needs": {"1": Need.SEVERE}},
        {"needs": {"3": Need.SEVERE}, "has_valid_assessment": False},
        {"rosh": "NOT_APPLICABLE"},
        {"mappa_level": "M4"},
        {"rsr_percent": -1},
        {"women_specific_factors": -1},
    ],
)
def test_rejects_impossible_inputs(overrides: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        TierInputs(**{**_BASE, **overrides})

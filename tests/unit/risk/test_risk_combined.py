"""The Combined Serious Reoffending Predictor, CSRP or new RSR (SPEC §7, §9.5)."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from probation.risk.coefficients import load_model

from .builders import SEXUAL_HISTORY, errors_of, score


def expected_rsr(*percentages: float) -> float:
    """Summed in binary64 in the given order, then half-up to 2 dp from the exact value of the sum."""
    total = 0.0
    for percentage in percentages:
        total += percentage
    return float(Decimal(total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_sum_of_svrp_dc_and_iic() -> None:
    result = score(SEXUAL_HISTORY)
    svrp, direct, indirect = (
        result.serious_violent_reoffending["dynamic"],
        result.direct_contact_sexual,
        result.indirect_contact_sexual,
    )
    assert svrp is not None
    assert direct is not None
    assert indirect is not None
    assert indirect["score"] == 3.33  # one indecent image sanction

    percentage = expected_rsr(svrp["score"], direct["score"], indirect["score"])

    assert result.rsr == {
        "score": percentage,
        "band": "HIGH" if 3 <= percentage < 6.9 else "VERY_HIGH",
        "type": "DYNAMIC",
    }
    assert result.rsr["score"] > 3


def test_without_sexual_history_rsr_is_svrp() -> None:
    result = score()
    svrp = result.serious_violent_reoffending["dynamic"]
    assert svrp is not None
    assert result.rsr is not None
    assert result.rsr["score"] == svrp["score"]
    assert result.rsr["band"] == svrp["band"]


def test_a_woman_with_sexual_history_adds_0_38() -> None:
    # 1/261 = 0.0038314…, as a percentage half-up to 2 dp: 0.38.
    result = score(SEXUAL_HISTORY, gender="FEMALE")
    svrp = result.serious_violent_reoffending["dynamic"]
    assert svrp is not None
    assert result.direct_contact_sexual is not None
    assert result.direct_contact_sexual["band"] == "NOT_APPLICABLE"
    assert result.rsr is not None
    assert result.rsr["score"] == expected_rsr(svrp["score"], 0.0, 0.0, 0.38)


def test_a_woman_without_sexual_history_adds_nothing() -> None:
    result = score(gender="FEMALE")
    svrp = result.serious_violent_reoffending["dynamic"]
    assert svrp is not None
    assert result.rsr is not None
    assert result.rsr["score"] == svrp["score"]


def test_rsr_builds_on_the_static_svrp_when_its_dynamic_inputs_are_missing() -> None:
    result = score(SEXUAL_HISTORY, proCriminalAttitudes=None)
    svrp = result.serious_violent_reoffending
    assert svrp["dynamic"] is None
    assert svrp["static"] is not None
    assert result.rsr is not None
    assert result.rsr["type"] == "STATIC"
    assert result.direct_contact_sexual is not None
    assert result.indirect_contact_sexual is not None
    assert result.rsr["score"] == expected_rsr(
        svrp["static"]["score"],
        result.direct_contact_sexual["score"],
        result.indirect_contact_sexual["score"],
    )


def test_rsr_is_held_below_100() -> None:
    # A 20-year-old with every DC-SRP point (64) and two image sanctions: 83.12 + 10.31 + a high SVRP.
    result = score(
        SEXUAL_HISTORY,
        dateOfBirth="2000-01-01",
        assessmentDate="2020-06-01",
        dateOfCurrentConviction="2020-06-01",
        dateAtStartOfFollowup="2020-06-01",
        ageAtFirstSanction=10,
        totalNumberOfSanctionsForAllOffences=40,
        totalNumberOfViolentSanctions=40,
        totalContactAdultSexualSanctions=3,
        totalContactChildSexualSanctions=3,
        totalNonContactSexualOffences=3,
        totalIndecentImageSanctions=2,
        dateOfMostRecentSexualOffence="2018-06-01",
        isCurrentOffenceAgainstVictimStranger=True,
    )
    assert result.direct_contact_sexual is not None
    assert result.direct_contact_sexual["points"] == 64
    assert result.direct_contact_sexual["score"] == 83.12
    assert result.rsr is not None
    assert (result.rsr["score"], result.rsr["band"]) == (99.99, "VERY_HIGH")


@pytest.mark.parametrize(
    ("percentage", "band"),
    [
        (0.0, "LOW"),
        (0.99, "LOW"),
        (1.0, "MEDIUM"),
        (2.99, "MEDIUM"),
        (3.0, "HIGH"),
        (6.89, "HIGH"),
        (6.9, "VERY_HIGH"),
        (99.99, "VERY_HIGH"),
    ],
)
def test_band_boundaries(percentage: float, band: str) -> None:
    assert load_model("V1_0").combined_serious.bands.band_of(percentage) == band


@pytest.mark.parametrize(
    ("changes", "component"),
    [
        ({"totalNumberOfViolentSanctions": -1}, "totalNumberOfViolentSanctions"),  # SVRP
        ({"totalIndecentImageSanctions": None}, "totalIndecentImageSanctions"),  # DC and IIC
        ({"dateOfMostRecentSexualOffence": None}, "dateOfMostRecentSexualOffence"),  # DC only
    ],
)
def test_a_failing_component_stops_rsr(changes: dict[str, Any], component: str) -> None:
    result = score({**SEXUAL_HISTORY, **changes})

    assert result.rsr is None
    messages = errors_of(result, component)
    assert messages
    assert all(message.endswith("rsr [COMPONENT_VALIDATION_ERROR].") for message in messages)


def test_rsr_needs_the_sexual_history_answer() -> None:
    result = score(hasEverCommittedSexualOffence=None)
    assert result.rsr is None
    assert errors_of(result, "hasEverCommittedSexualOffence") == [
        "hasEverCommittedSexualOffence is required. [MISSING_MANDATORY_INPUT] Affects: directContactSexual, "
        "indirectContactSexual, rsr."
    ]


def test_rounding_the_sum_of_whole_hundredths_is_rounding_half_up() -> None:
    # The CSRP rounds its sum with round(): its terms are whole hundredths, so no sum is near a half.
    model = load_model("V1_0")
    rungs = (*model.indirect_contact_sexual.rung_by_counts.values(), model.indirect_contact_sexual.otherwise)
    indirect = sorted({rung.percent for rung in rungs})
    direct = sorted(set(model.direct_contact_sexual.percent_by_points))
    female = (0.0, model.combined_serious.female_sexual_history_addition_percent)
    for svrp in range(0, 10_000, 7):
        for index, dc in enumerate(direct):
            terms = (svrp / 100, dc, indirect[index % len(indirect)], female[svrp % 2])
            assert round(sum(terms) * 100) / 100 == expected_rsr(*terms), terms

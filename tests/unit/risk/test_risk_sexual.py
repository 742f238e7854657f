"""DC-SRP (SPEC §5) and IIC-SRP (SPEC §6), and their checks (SPEC §9.4)."""

from datetime import date, timedelta
from typing import Any

import pytest

from .builders import SEXUAL_HISTORY, errors_of, score
from .reference import direct_contact_probability, percent

# In custody no band is reduced, so these cases show the band of the points themselves; 20 sanctions leave
# room for the sexual ones.
IN_CUSTODY = {**SEXUAL_HISTORY, "supervisionStatus": "CUSTODY", "totalNumberOfSanctionsForAllOffences": 20}


def expected_points(
    *,
    adult: int = 1,
    child: int = 2,
    non_contact: int = 0,
    followup_age: int = 40,
    offence_age: int = 39,
    sanctions: int = 5,
    stranger: bool | None = None,
) -> int:
    """SPEC §5's table, defaulting to the IN_CUSTODY case (born 1980-01-01, followed up at 40)."""

    def by_count(count: int, one: int, two: int, three_or_more: int) -> int:
        return {1: one, 2: two}.get(count, three_or_more if count >= 3 else 0)

    followup = 0 if followup_age >= 60 else 14 - max(0, (followup_age - 18) // 3)
    offence = 0 if offence_age <= 15 else 5 if offence_age <= 17 else 10
    return (
        by_count(adult, 5, 10, 15)
        + by_count(child, 3, 6, 9)
        + by_count(non_contact, 2, 4, 6)
        + followup
        + offence
        + (6 if sanctions >= 2 else 0)
        + (4 if stranger else 0)
    )


def band_of_points(points: int) -> str:
    return "LOW" if points <= 21 else "MEDIUM" if points <= 29 else "HIGH" if points <= 35 else "VERY_HIGH"


def assert_direct_contact(result: Any, points: int, band: str | None = None) -> None:
    probability = direct_contact_probability(points)
    assert result.direct_contact_sexual is not None
    assert result.direct_contact_sexual["points"] == points
    assert result.direct_contact_sexual["probability"] == pytest.approx(probability, rel=1e-12)
    assert result.direct_contact_sexual["score"] == percent(probability)
    assert result.direct_contact_sexual["band"] == (band or band_of_points(points))


@pytest.mark.parametrize("count", [-1, 0, 1, 2, 3, 7])
def test_contact_adult_sanction_points(count: int) -> None:
    assert_direct_contact(
        score(IN_CUSTODY, totalContactAdultSexualSanctions=count), expected_points(adult=count)
    )


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4])
def test_contact_child_sanction_points(count: int) -> None:
    assert_direct_contact(
        score(IN_CUSTODY, totalContactChildSexualSanctions=count), expected_points(child=count)
    )


@pytest.mark.parametrize("count", [0, 1, 2, 3, -2])
def test_non_contact_offence_points(count: int) -> None:
    assert_direct_contact(
        score(IN_CUSTODY, totalNonContactSexualOffences=count), expected_points(non_contact=count)
    )


@pytest.mark.parametrize(
    ("age", "points"), [(17, 14), (20, 14), (21, 13), (23, 13), (24, 12), (57, 1), (59, 1), (60, 0), (75, 0)]
)
def test_age_at_start_of_followup_points(age: int, points: int) -> None:
    result = score(IN_CUSTODY, dateAtStartOfFollowup=f"{1980 + age}-01-01")
    assert expected_points(followup_age=age) - expected_points(followup_age=60) == points
    assert_direct_contact(result, expected_points(followup_age=age))


@pytest.mark.parametrize(
    ("offence_date", "age", "points"),
    [
        ("1995-01-01", 15, 0),
        ("1995-12-31", 15, 0),
        ("1996-01-01", 16, 5),
        ("1997-12-31", 17, 5),
        ("1998-01-01", 18, 10),
    ],
)
def test_age_at_most_recent_sexual_offence_points(offence_date: str, age: int, points: int) -> None:
    result = score(IN_CUSTODY, dateOfMostRecentSexualOffence=offence_date)
    assert expected_points(offence_age=age) - expected_points(offence_age=0) == points
    assert_direct_contact(result, expected_points(offence_age=age))


@pytest.mark.parametrize(("sanctions", "points"), [(1, 0), (2, 6), (999, 6)])
def test_total_sanction_points(sanctions: int, points: int) -> None:
    history = {**IN_CUSTODY, "totalContactChildSexualSanctions": 0, "totalIndecentImageSanctions": 0}
    result = score(history, totalNumberOfSanctionsForAllOffences=sanctions, totalNumberOfViolentSanctions=0)
    assert expected_points(child=0, sanctions=sanctions) - expected_points(child=0, sanctions=1) == points
    assert_direct_contact(result, expected_points(child=0, sanctions=sanctions))


@pytest.mark.parametrize(("stranger", "points"), [(True, 4), (False, 0), (None, 0)])
def test_stranger_victim_points(stranger: bool | None, points: int) -> None:
    result = score(IN_CUSTODY, isCurrentOffenceAgainstVictimStranger=stranger)
    assert_direct_contact(result, expected_points(stranger=stranger))
    assert expected_points(stranger=stranger) - expected_points() == points


def test_no_points_is_no_probability() -> None:
    # Images only (no DC-SRP points), one sanction, followed up at 60, last sexual offence at 15.
    result = score(
        IN_CUSTODY,
        dateOfBirth="1950-01-01",
        dateAtStartOfFollowup="2010-01-01",
        dateOfCurrentConviction="2010-01-01",
        ageAtFirstSanction=20,
        dateOfMostRecentSexualOffence="1965-01-01",
        totalNumberOfSanctionsForAllOffences=1,
        totalNumberOfViolentSanctions=0,
        totalContactAdultSexualSanctions=0,
        totalContactChildSexualSanctions=0,
        totalIndecentImageSanctions=1,
    )
    assert result.direct_contact_sexual == {"points": 0, "probability": 0.0, "score": 0.0, "band": "LOW"}


# Point totals at each band boundary, with the counts (adult, child, non-contact), follow-up date and age.
BOUNDARIES = [
    (21, (1, 0, 0), "2010-01-01", 30),
    (22, (1, 0, 0), "2007-01-01", 27),
    (29, (1, 2, 1), "2010-01-01", 30),
    (30, (1, 2, 1), "2007-01-01", 27),
    (35, (2, 1, 1), "2000-01-01", 20),
    (36, (2, 2, 0), "2000-01-01", 20),
]


@pytest.mark.parametrize(("points", "counts", "followup", "age"), BOUNDARIES)
def test_band_boundaries(points: int, counts: tuple[int, int, int], followup: str, age: int) -> None:
    adult, child, non_contact = counts
    assert (
        expected_points(adult=adult, child=child, non_contact=non_contact, followup_age=age, offence_age=15)
        == points
    )
    result = score(
        IN_CUSTODY,
        totalContactAdultSexualSanctions=adult,
        totalContactChildSexualSanctions=child,
        totalNonContactSexualOffences=non_contact,
        totalIndecentImageSanctions=1,
        dateAtStartOfFollowup=followup,
        dateOfMostRecentSexualOffence="1995-01-01",  # at 15: no points
    )
    assert_direct_contact(result, points)


# SEXUAL_HISTORY in the community is 34 points, HIGH, and qualifies for a step down: follow-up and the last
# sexual offence both at least 5 complete years before the 2025-01-01 assessment.
@pytest.mark.parametrize(
    ("changes", "band"),
    [
        ({}, "MEDIUM"),
        ({"supervisionStatus": "CUSTODY"}, "HIGH"),
        ({"supervisionStatus": "REMAND"}, "MEDIUM"),
        ({"dateAtStartOfFollowup": "2020-01-02"}, "HIGH"),  # 4 years 11 months
        ({"dateOfMostRecentSexualOffence": "2020-01-02"}, "HIGH"),
        ({"mostRecentOffenceDate": "2020-01-02"}, "HIGH"),
        ({"mostRecentOffenceDate": "2020-01-01"}, "MEDIUM"),
        # 44 points: VERY_HIGH, one step down.
        ({"totalContactAdultSexualSanctions": 3, "totalNumberOfSanctionsForAllOffences": 20}, "HIGH"),
        ({"totalContactChildSexualSanctions": 0, "dateOfMostRecentSexualOffence": "1995-01-01"}, "LOW"),  # 18
    ],
)
def test_band_reduction_after_five_offence_free_years_in_the_community(
    changes: dict[str, Any], band: str
) -> None:
    result = score({**SEXUAL_HISTORY, **changes})
    in_custody = score({**SEXUAL_HISTORY, **changes, "supervisionStatus": "CUSTODY"})

    assert result.direct_contact_sexual is not None
    assert in_custody.direct_contact_sexual is not None
    assert result.direct_contact_sexual["band"] == band
    # Only the band moves.
    assert result.direct_contact_sexual["score"] == in_custody.direct_contact_sexual["score"]


@pytest.mark.parametrize(
    "changes",
    [
        {
            "hasEverCommittedSexualOffence": False,
            "totalContactAdultSexualSanctions": 0,
            "totalContactChildSexualSanctions": 0,
            "totalIndecentImageSanctions": 0,
        },
        {"gender": "FEMALE"},
    ],
)
def test_direct_contact_does_not_apply_to_women_or_without_sexual_history(changes: dict[str, Any]) -> None:
    result = score({**SEXUAL_HISTORY, **changes})
    assert result.direct_contact_sexual == {
        "points": 0,
        "probability": 0.0,
        "score": 0.0,
        "band": "NOT_APPLICABLE",
    }


@pytest.mark.parametrize(
    ("counts", "probability", "percentage", "band"),
    [
        ((2, 0, 0, 0), 0.10310, 10.31, "HIGH"),  # (images, child, non-contact, adult)
        ((1, 5, 5, 5), 0.03328, 3.33, "MEDIUM"),
        ((0, 2, 1, 1), 0.00926, 0.93, "LOW"),
        ((0, 1, 0, 0), 0.00634, 0.63, "LOW"),
        ((0, 0, 1, 1), 0.00281, 0.28, "LOW"),
        ((0, 0, 0, 1), 0.0, 0.0, "LOW"),  # HEAD's rule: adult contact alone scores nothing
        ((0, 0, 1, 0), 0.0, 0.0, "LOW"),
    ],
)
def test_indirect_contact_hierarchy(
    counts: tuple[int, int, int, int], probability: float, percentage: float, band: str
) -> None:
    images, child, non_contact, adult = counts
    result = score(
        SEXUAL_HISTORY,
        totalIndecentImageSanctions=images,
        totalContactChildSexualSanctions=child,
        totalNonContactSexualOffences=non_contact,
        totalContactAdultSexualSanctions=adult,
        totalNumberOfSanctionsForAllOffences=20,
    )
    assert result.indirect_contact_sexual == {"probability": probability, "score": percentage, "band": band}


def test_indirect_contact_for_women_and_without_history() -> None:
    assert score(SEXUAL_HISTORY, gender="FEMALE").indirect_contact_sexual == {
        "probability": 0.0,
        "score": 0.0,
        "band": "LOW",
    }
    assert score().indirect_contact_sexual == {"probability": 0.0, "score": 0.0, "band": "NOT_APPLICABLE"}


@pytest.mark.parametrize(
    "field",
    [
        "totalContactAdultSexualSanctions",
        "totalContactChildSexualSanctions",
        "totalNonContactSexualOffences",
        "totalIndecentImageSanctions",
    ],
)
def test_a_man_with_history_needs_all_four_counts(field: str) -> None:
    result = score(SEXUAL_HISTORY, **{field: None})

    assert (result.direct_contact_sexual, result.indirect_contact_sexual, result.rsr) == (None, None, None)
    assert errors_of(result, field) == [
        f"{field} is required. [MISSING_MANDATORY_INPUT] Affects: directContactSexual, "
        "indirectContactSexual, rsr [COMPONENT_VALIDATION_ERROR]."
    ]


def test_a_man_with_history_needs_a_sanction_counted() -> None:
    result = score(
        SEXUAL_HISTORY,
        totalContactAdultSexualSanctions=0,
        totalContactChildSexualSanctions=0,
        totalIndecentImageSanctions=0,
    )
    assert (result.direct_contact_sexual, result.indirect_contact_sexual) == (None, None)
    assert any(
        "[SEXUAL_REOFFENDING_PREDICTOR_NO_SANCTIONS]" in m
        for m in errors_of(result, "totalIndecentImageSanctions")
    )


@pytest.mark.parametrize(("sanctions", "valid"), [(4, True), (3, False)])
def test_sexual_counts_cannot_outnumber_all_sanctions(sanctions: int, valid: bool) -> None:
    # SEXUAL_HISTORY counts 1 + 2 + 0 + 1 = 4 sexual sanctions.
    result = score(
        SEXUAL_HISTORY, totalNumberOfSanctionsForAllOffences=sanctions, totalNumberOfViolentSanctions=0
    )
    assert (result.direct_contact_sexual is not None) is valid
    assert (result.indirect_contact_sexual is not None) is valid
    messages = errors_of(result, "totalContactChildSexualSanctions")
    assert any("[TOTAL_NUMBER_OF_SEXUAL_SANCTIONS_OUT_OF_RANGE]" in m for m in messages) is not valid


@pytest.mark.parametrize("history", [False, None])
def test_counts_without_a_sexual_history_are_inconsistent(history: bool | None) -> None:
    result = score(SEXUAL_HISTORY, hasEverCommittedSexualOffence=history)

    assert (result.direct_contact_sexual, result.indirect_contact_sexual) == (None, None)
    inconsistent = [m for m in errors_of(result, "hasEverCommittedSexualOffence") if "INCONSISTENT" in m]
    assert inconsistent == [
        "Sexual sanctions are counted, but hasEverCommittedSexualOffence is not true. "
        "[SEXUAL_REOFFENDING_PREDICTOR_INCONSISTENT_INPUT] Affects: directContactSexual, "
        "indirectContactSexual, rsr [COMPONENT_VALIDATION_ERROR]."
    ]
    assert errors_of(result, "totalIndecentImageSanctions") == inconsistent


@pytest.mark.parametrize(
    ("offence_date", "error"),
    [
        (None, "[MISSING_MANDATORY_INPUT]"),
        ("1980-01-01", "[DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_BEFORE_DATE_OF_BIRTH]"),
        ("1970-01-01", "[DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_BEFORE_DATE_OF_BIRTH]"),
    ],
)
def test_direct_contact_needs_a_valid_most_recent_sexual_offence_date(
    offence_date: str | None, error: str
) -> None:
    result = score(SEXUAL_HISTORY, dateOfMostRecentSexualOffence=offence_date)

    assert result.direct_contact_sexual is None
    assert result.indirect_contact_sexual is not None
    messages = errors_of(result, "dateOfMostRecentSexualOffence")
    assert len(messages) == 1
    assert error in messages[0]


@pytest.mark.parametrize("birth", ["1980-01-01", "1980-02-29"])
def test_age_at_most_recent_sexual_offence_on_and_before_every_birthday(birth: str) -> None:
    # The calculator settles most ages from the years alone: each birthday, and the day before, checks it.
    born = date.fromisoformat(birth)
    followup_age = 40 if born.month == 1 else 39
    for years in range(1, 113):
        # In a year without 29 February, Java's age turns on 1 March.
        birthday = (
            date(born.year + years, 3, 1)
            if born.month == 2 and years % 4
            else born.replace(year=born.year + years)
        )
        for offence in (birthday - timedelta(days=1), birthday):
            age = years - (offence < birthday)
            result = score(IN_CUSTODY, dateOfBirth=birth, dateOfMostRecentSexualOffence=offence.isoformat())
            if age >= 110:
                assert result.direct_contact_sexual is None, offence
            else:
                assert result.direct_contact_sexual is not None, offence
                assert result.direct_contact_sexual["points"] == expected_points(
                    followup_age=followup_age, offence_age=age
                ), offence


def test_ages_of_110_or_more_are_refused() -> None:
    result = score(
        SEXUAL_HISTORY,
        dateOfBirth="1900-01-01",
        dateOfCurrentConviction="2000-01-01",
        dateAtStartOfFollowup="2010-01-01",
        dateOfMostRecentSexualOffence="2010-01-01",
    )
    assert result.direct_contact_sexual is None
    assert any(
        "[DATE_OF_START_OF_FOLLOWUP_OUT_OF_RANGE]" in m for m in errors_of(result, "dateAtStartOfFollowup")
    )
    assert any(
        "[DATE_OF_MOST_RECENT_SEXUAL_OFFENCE_OUT_OF_RANGE]" in m
        for m in errors_of(result, "dateOfMostRecentSexualOffence")
    )


def test_direct_contact_breaks_on_a_followup_before_birth() -> None:
    result = score(SEXUAL_HISTORY, dateAtStartOfFollowup="1979-01-01")
    assert result.direct_contact_sexual is None
    assert any(
        "dateAtStartOfFollowup must be after dateOfBirth. [UNEXPECTED_ERROR] Affects: "
        "seriousViolentReoffending, directContactSexual" in m
        for m in errors_of(result, "dateAtStartOfFollowup")
    )


def test_direct_contact_requires_supervision_status_even_when_it_does_not_apply() -> None:
    result = score(supervisionStatus=None)
    assert result.direct_contact_sexual is None
    assert result.indirect_contact_sexual is not None
    assert errors_of(result, "supervisionStatus") == [
        "supervisionStatus is required. [MISSING_MANDATORY_INPUT] Affects: directContactSexual, "
        "rsr [COMPONENT_VALIDATION_ERROR]."
    ]


def test_women_with_history_skip_the_count_checks_but_iic_still_reads_the_counts() -> None:
    female = {**SEXUAL_HISTORY, "gender": "FEMALE"}

    all_zero = score(
        female,
        totalContactAdultSexualSanctions=0,
        totalContactChildSexualSanctions=0,
        totalIndecentImageSanctions=0,
    )
    assert all_zero.indirect_contact_sexual == {"probability": 0.0, "score": 0.0, "band": "LOW"}
    assert all_zero.errors == []

    uncounted = score(female, totalIndecentImageSanctions=None)
    assert uncounted.indirect_contact_sexual is None
    assert uncounted.direct_contact_sexual is not None
    assert errors_of(uncounted, "totalIndecentImageSanctions") == [
        "totalIndecentImageSanctions is required, even for a woman, by the Ministry's IIC-SRP. "
        "[UNEXPECTED_ERROR] Affects: indirectContactSexual, rsr [COMPONENT_VALIDATION_ERROR]."
    ]

"""Offence-code lookups over the Ministry's offence mapping and OGRS3 weights."""

import pytest

from probation.risk import (
    Offence,
    get_offence,
    is_known_offence,
    is_violent,
    offence_category,
    ogrs3_offence_weight,
)
from probation.risk.offences import _offences, _ogrs3_weights, ogrs3_weight_by_code


def test_an_offence_row() -> None:
    assert get_offence("00100") == Offence(
        code="00100",
        actuarial_category="VIOLENCE_AGAINST_THE_PERSON_ABH_PLUS",
        is_violent=True,
        description="Violence against the person | Murder | Murder    "
        "[Use this code only if you are unable to determine which subcoded Offence applies]",
    )


@pytest.mark.parametrize(
    ("code", "category", "violent"),
    [
        ("02700", "OTHER_OFFENCES", False),
        ("04600", "THEFT_NON_MOTOR", False),
        ("00821", "VIOLENCE_AGAINST_THE_PERSON_SUB_ABH", True),
        ("05333", "WELFARE_FRAUD", False),
        ("00000", "UNKNOWN", False),
    ],
)
def test_category_and_violence_of_a_code(code: str, category: str, violent: bool) -> None:
    assert offence_category(code) == category
    assert is_violent(code) is violent


@pytest.mark.parametrize("code", ["99999", "2700", "027000", ""])
def test_unmapped_codes_have_no_category(code: str) -> None:
    assert get_offence(code) is None
    assert offence_category(code) is None
    assert is_violent(code) is None
    assert not is_known_offence(code)


@pytest.mark.parametrize(("code", "known"), [("02700", True), ("00000", False), ("00001", False)])
def test_placeholder_codes_are_not_known_offences(code: str, known: bool) -> None:
    assert is_known_offence(code) is known


def test_ogrs3_weights() -> None:
    soliciting = ogrs3_offence_weight("02700")
    assert soliciting is not None
    assert (soliciting.weight, soliciting.group_description, soliciting.error_code) == (
        0.7606,
        "Soliciting or prostitution",
        None,
    )
    # The 999 sentinel means the group's weight depends on the exact offence (SPEC §8).
    miscellaneous = ogrs3_offence_weight("08800")
    assert miscellaneous is not None
    assert (miscellaneous.weight, miscellaneous.error_code) == (None, "NEED_DETAILS_OF_EXACT_OFFENCE")
    court_martial = ogrs3_offence_weight("95000")
    assert court_martial is not None
    assert (court_martial.weight, court_martial.error_code) == (None, "OFFENCE_CODE_MAPPING_NOT_FOUND")
    assert ogrs3_offence_weight("00000") is None


def test_ogrs3_weight_by_code_is_each_weight_there_is() -> None:
    # Every code of the CSV, every code of the offence mapping, and some of other lengths.
    codes = {*_ogrs3_weights(), *_offences(), "", "2700", "027000", "99999"}
    assert len(codes) > 3000
    expected = {}
    for code in codes:
        weighting = ogrs3_offence_weight(code)
        if weighting is not None and weighting.weight is not None:
            expected[code] = weighting.weight
    assert ogrs3_weight_by_code() == expected
    assert ogrs3_weight_by_code()["02700"] == 0.7606
    assert "08800" not in ogrs3_weight_by_code()

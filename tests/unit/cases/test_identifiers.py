import pytest

from probation.domain.identifiers import is_crn, new_crn, pnc_check_character, pnc_check_character_is_valid


def test_new_crns_are_one_letter_and_six_digits() -> None:
    crns = {new_crn() for _ in range(200)}
    assert all(is_crn(crn) for crn in crns)
    assert len(crns) > 190  # random, so a clash among 200 is vanishingly rare


@pytest.mark.parametrize("value", ["X12345", "x123456", "X1234567", "1234567", "XX12345"])
def test_malformed_crns_are_refused(value: str) -> None:
    assert not is_crn(value)


def test_pnc_check_character_follows_the_mod_23_rule() -> None:
    # 02 followed by 0073319 is 20073319 = 23 * 872753, remainder 0, which is "Z" in the PNC alphabet.
    assert pnc_check_character("2002", "0073319") == "Z"
    # 20073320 leaves remainder 1: "A"; remainder 8 skips I (the alphabet has no I or O): "H".
    assert pnc_check_character("2002", "73320") == "A"
    assert pnc_check_character("2002", "73327") == "H"


def test_a_pnc_with_the_wrong_check_character_is_invalid() -> None:
    assert pnc_check_character_is_valid("2002/0073319Z")
    assert not pnc_check_character_is_valid("2002/0073319A")

import pytest

from probation.domain.risk_scoring.sexual_history import SexualOffenceKind, sexual_offence_kind
from probation.risk import get_offence


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("01908", SexualOffenceKind.CONTACT_ADULT),  # rape of a female aged 16 or over
        ("02006", SexualOffenceKind.CONTACT_CHILD),  # sexual assault on a female child under 13
        ("08610", SexualOffenceKind.INDECENT_IMAGES),  # possession of an indecent photograph of a child
        ("08615", SexualOffenceKind.INDECENT_IMAGES),  # possessing prohibited images of children
        ("08809", SexualOffenceKind.NON_CONTACT),  # exposure
        ("08810", SexualOffenceKind.NON_CONTACT),  # voyeurism
        ("02111", SexualOffenceKind.NON_CONTACT),  # causing a child under 13 to watch a sexual act
        (
            "07102",
            SexualOffenceKind.CONTACT_CHILD,
        ),  # paying for sex with a child: its group names pornography
        ("04600", None),  # shoplifting
        ("10500", None),  # common assault
    ],
)
def test_offences_are_sorted_into_the_predictors_kinds(code: str, kind: SexualOffenceKind | None) -> None:
    offence = get_offence(code)
    assert offence is not None
    assert sexual_offence_kind(offence) == kind

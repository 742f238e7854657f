"""Which kind of sexual offence a Home Office offence code is, for the sexual predictors' four counts.

The offence list marks sexual offences only as against a child or not. The predictors count contact
offences against adults, contact offences against children, non-contact offences and indecent-image
offences separately, so the kind is read from the offence's Home Office description: the words
below, in the offence's own description (not its group's), mark image and non-contact offences;
every other sexual offence is a contact offence.
"""

from enum import StrEnum

from probation.risk.offences import Offence

SEXUAL_AGAINST_CHILD = "SEXUAL_AGAINST_CHILD"
SEXUAL_NOT_AGAINST_CHILD = "SEXUAL_NOT_AGAINST_CHILD"

_IMAGE_WORDS = (
    "indecent photograph",
    "pseudo-photograph",
    "indecent image",
    "prohibited image",
    "pornographic image",
    "paedophile manual",
)
_NON_CONTACT_WORDS = (
    "exposure",
    "exposing",
    "voyeurism",
    "beneath clothing",
    "communication",
    "watch",
    "grooming",
    "photograph or film of genitals",
    "indecent display",
)


class SexualOffenceKind(StrEnum):
    CONTACT_ADULT = "CONTACT_ADULT"
    CONTACT_CHILD = "CONTACT_CHILD"
    NON_CONTACT = "NON_CONTACT"
    INDECENT_IMAGES = "INDECENT_IMAGES"


def sexual_offence_kind(offence: Offence) -> SexualOffenceKind | None:
    """The kind of sexual offence, or None when the offence is not sexual."""
    description = offence.description.casefold()
    is_sexual = offence.actuarial_category in (SEXUAL_AGAINST_CHILD, SEXUAL_NOT_AGAINST_CHILD) or (
        description.startswith("sexual offences")
    )
    if not is_sexual:
        return None
    description = description.rsplit("|", 1)[-1]
    if any(word in description for word in _IMAGE_WORDS):
        return SexualOffenceKind.INDECENT_IMAGES
    if any(word in description for word in _NON_CONTACT_WORDS):
        return SexualOffenceKind.NON_CONTACT
    if offence.actuarial_category == SEXUAL_AGAINST_CHILD:
        return SexualOffenceKind.CONTACT_CHILD
    return SexualOffenceKind.CONTACT_ADULT

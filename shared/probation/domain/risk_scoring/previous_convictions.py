"""Which serious previous convictions (the dynamic SVRP's terms) a Home Office offence is.

Read from the offence list: the actuarial category where it is specific enough (firearms, other
weapons, criminal damage), otherwise the offence group, the second part of the offence's description.
"""

from probation.risk import Offence, PreviousConviction

_BY_GROUP = {
    "murder": PreviousConviction.HOMICIDE,
    "manslaughter etc": PreviousConviction.HOMICIDE,
    "infanticide": PreviousConviction.HOMICIDE,
    "kidnapping": PreviousConviction.KIDNAPPING,
    "arson": PreviousConviction.ARSON,
}
_BY_GROUP_PREFIX = {
    "robbery": PreviousConviction.ROBBERY,
    "aggravated burglary": PreviousConviction.AGGRAVATED_BURGLARY,
}
_BY_CATEGORY_PREFIX = {
    "FIREARMS": PreviousConviction.FIREARMS,
    "WEAPONS_NON_FIREARM": PreviousConviction.WEAPON,
    "CRIMINAL_DAMAGE": PreviousConviction.CRIMINAL_DAMAGE,
}


def previous_conviction_kind(offence: Offence) -> PreviousConviction | None:
    parts = [part.strip().casefold() for part in offence.description.split("|")]
    group = parts[1] if len(parts) > 1 else ""
    if group in _BY_GROUP:
        return _BY_GROUP[group]
    if "wounding" in group:
        return PreviousConviction.WOUNDING_GBH
    for prefix, kind in _BY_GROUP_PREFIX.items():
        if group.startswith(prefix):
            return kind
    for prefix, kind in _BY_CATEGORY_PREFIX.items():
        if offence.actuarial_category.startswith(prefix):
            return kind
    return None

"""What a stored OASys answer is, and when a question counts as answered."""

AnswerValue = str | int | list[str]
"""A normalised answer: an option code (single choice, tick box), free text or an ISO date (``str``), a count
(``int``), or the option codes ticked in a multi-select (``list[str]``)."""

MISSING = "M"
"""The OASys answer code "Missing": the assessor recorded that the information is not available."""


def is_answered(value: object) -> bool:
    """Whether ``value`` gives information: neither absent (``None``) nor the "Missing" code."""
    return value is not None and value != MISSING

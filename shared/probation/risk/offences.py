"""Home Office offence codes: their actuarial category (ARP, VRP, SVRP), legacy OGRS3 weight and OPD
violence-or-sex flag.

The lists are read once, on first use, from the package's ``data`` folder (see its ATTRIBUTION.md).
"""

import csv
import functools
import io
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

UNKNOWN_CATEGORY = "UNKNOWN"
"""The category of the two placeholder codes (00000, 00001), which the predictors reject."""


@dataclass(frozen=True, slots=True)
class Offence:
    """One row of the Ministry's offence mapping."""

    code: str
    """Home Office code: 3-digit offence group then 2-digit sub-code, e.g. ``02700``."""
    actuarial_category: str
    """The offence category term of ARP, VRP and SVRP, e.g. ``VIOLENCE_AGAINST_THE_PERSON_ABH_PLUS``."""
    is_violent: bool
    """Whether a sanction for it counts as violent (towards ``totalNumberOfViolentSanctions``)."""
    description: str
    """Parent group, category and sub-category, joined with `` | ``."""


@dataclass(frozen=True, slots=True)
class Ogrs3OffenceWeight:
    """One row of the legacy OGRS3 offence weights."""

    code: str
    weight: float | None
    """``None`` when OGRS3 cannot score the offence; ``error_code`` then says why."""
    group_description: str
    error_code: str | None


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("probation.risk.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@functools.cache
def _offences() -> Mapping[str, Offence]:
    return {
        row["offence_code"]: Offence(
            code=row["offence_code"],
            actuarial_category=row["actuarial_category"],
            is_violent=row["is_violent"] == "true",
            description=row["description"],
        )
        for row in _read_csv("offence_categories.csv")
    }


# The sentinel weight meaning "need details of the exact offence" (SPEC §8).
_NEEDS_EXACT_OFFENCE_WEIGHT = "999"


@functools.cache
def _ogrs3_weights() -> Mapping[str, Ogrs3OffenceWeight]:
    return {
        row["offence_code"]: Ogrs3OffenceWeight(
            code=row["offence_code"],
            weight=(
                float(row["ogrs3_weight"])
                if row["ogrs3_weight"] not in ("", _NEEDS_EXACT_OFFENCE_WEIGHT)
                else None
            ),
            group_description=row["ogrs3_group_description"],
            error_code=row["error_code"] or None,
        )
        for row in _read_csv("ogrs3_offence_weights.csv")
    }


def get_offence(code: str) -> Offence | None:
    """The mapping's row for ``code``, or ``None`` if the code is not in it."""
    return _offences().get(code)


@functools.cache
def _categories() -> Mapping[str, str]:
    return {code: offence.actuarial_category for code, offence in _offences().items()}


def offence_category(code: str) -> str | None:
    """The actuarial category of ``code`` (``UNKNOWN`` for the placeholders), or ``None`` if unmapped."""
    return _categories().get(code)


def is_violent(code: str) -> bool | None:
    """Whether a sanction for ``code`` is a violent sanction, or ``None`` if the code is unmapped."""
    offence = _offences().get(code)
    return offence.is_violent if offence is not None else None


def has_offence_code_format(code: str) -> bool:
    """Whether ``code`` is written as a Home Office offence code: exactly five ASCII digits."""
    return len(code) == 5 and code.isascii() and code.isdigit()


def is_known_offence(code: str) -> bool:
    """Whether ``code`` is a real offence the predictors can score: mapped, and not a placeholder."""
    offence = _offences().get(code)
    return offence is not None and offence.actuarial_category != UNKNOWN_CATEGORY


@functools.cache
def _opd_violence_sex() -> Mapping[str, bool]:
    return {
        row["offence_code"]: row["opd_violence_sex"] == "true" for row in _read_csv("opd_offence_flags.csv")
    }


def opd_violence_sex(code: str) -> bool | None:
    """Whether an offence of ``code`` makes a man eligible for OPD screening (the Manage Offences API's
    ``opdViolenceSex``, set per code), or ``None`` if the code is not in the list."""
    return _opd_violence_sex().get(code)


@functools.cache
def ogrs3_weight_by_code() -> Mapping[str, float]:
    """The OGRS3 weight of each code it weighs: the hot path's lookup, sparing ``ogrs3_offence_weight``'s
    call (~400 instructions). For a code not here, ``ogrs3_offence_weight`` says why."""
    return {
        code: weighting.weight for code, weighting in _ogrs3_weights().items() if weighting.weight is not None
    }


def ogrs3_offence_weight(code: str) -> Ogrs3OffenceWeight | None:
    """The legacy OGRS3 weighting of ``code``, or ``None`` if the code is not in the OGRS3 list."""
    return _ogrs3_weights().get(code)

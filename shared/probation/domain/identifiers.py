"""Identifiers of a person on probation: CRN (nDelius), PNC (Police National Computer) and CRO numbers."""

import re
import secrets
import string

CRN_PATTERN = r"^[A-Z][0-9]{6}$"
PNC_PATTERN = r"^[0-9]{4}/[0-9]{7}[A-Z]$"
CRO_PATTERN = r"^[0-9]{1,6}/[0-9]{2}[A-Z]$"
TEAM_CODE_PATTERN = r"^[A-Z0-9]{3,10}$"

# The PNC check character: (2-digit year followed by the 7-digit serial) mod 23, indexed into this alphabet.
_PNC_CHECK_ALPHABET = "ZABCDEFGHJKLMNPQRTUVWXY"


def new_crn() -> str:
    """A random CRN; the caller creates it with a condition so that a clash is retried, never overwritten."""
    return secrets.choice(string.ascii_uppercase) + f"{secrets.randbelow(1_000_000):06d}"


def is_crn(value: str) -> bool:
    return re.fullmatch(CRN_PATTERN, value) is not None


def pnc_check_character(year: str, serial: str) -> str:
    return _PNC_CHECK_ALPHABET[int(year[-2:] + serial.zfill(7)) % 23]


def pnc_check_character_is_valid(pnc: str) -> bool:
    """True when ``pnc`` (already in YYYY/NNNNNNNC form) carries the check character its digits call for."""
    year, rest = pnc.split("/")
    return pnc_check_character(year, rest[:-1]) == rest[-1]

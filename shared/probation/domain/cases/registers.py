"""nDelius register types the platform records (codes from hmpps-tier's Delius registration enums)."""

from dataclasses import dataclass
from enum import StrEnum


class RegisterGroup(StrEnum):
    """A case holds at most one active registration per group: a new RoSH level supersedes the old one."""

    ROSH = "ROSH"
    MAPPA = "MAPPA"
    COMPLEXITY = "COMPLEXITY"
    OTHER = "OTHER"


@dataclass(frozen=True)
class RegisterType:
    code: str
    description: str
    group: RegisterGroup

    @property
    def supersedes_within_group(self) -> bool:
        return self.group in (RegisterGroup.ROSH, RegisterGroup.MAPPA)

    @property
    def uniqueness_key(self) -> str:
        """What must be unique among active registrations: the group when it supersedes, else the code."""
        return self.group.value if self.supersedes_within_group else self.code


MAPPA_CODE = "MAPP"

REGISTER_TYPES: dict[str, RegisterType] = {
    register.code: register
    for register in (
        RegisterType("RVHR", "Very High RoSH", RegisterGroup.ROSH),
        RegisterType("RHRH", "High RoSH", RegisterGroup.ROSH),
        RegisterType("RMRH", "Medium RoSH", RegisterGroup.ROSH),
        RegisterType("RLRH", "Low RoSH", RegisterGroup.ROSH),
        RegisterType(MAPPA_CODE, "MAPPA", RegisterGroup.MAPPA),
        RegisterType("RMDO", "Mental Health Issues", RegisterGroup.COMPLEXITY),
        RegisterType("ALSH", "Suicide/Self Harm", RegisterGroup.COMPLEXITY),
        RegisterType("RVLN", "Vulnerability Issue", RegisterGroup.COMPLEXITY),
        RegisterType("RCCO", "Child Concerns", RegisterGroup.COMPLEXITY),
        RegisterType("RCPR", "Child Protection", RegisterGroup.COMPLEXITY),
        RegisterType("RCHD", "Risk to Children", RegisterGroup.COMPLEXITY),
        RegisterType("RPIR", "Public Interest Case", RegisterGroup.COMPLEXITY),
        RegisterType("RVAD", "Adult at Risk", RegisterGroup.COMPLEXITY),
        RegisterType("STRG", "Street Gangs", RegisterGroup.COMPLEXITY),
        RegisterType("RTAO", "Terrorism Act Offender", RegisterGroup.COMPLEXITY),
        RegisterType("INLL", "Lifer", RegisterGroup.OTHER),
        RegisterType("ADVP", "Domestic Abuse Perpetrator", RegisterGroup.OTHER),
        RegisterType("REG30", "Domestic Abuse History", RegisterGroup.OTHER),
        RegisterType("SPO", "Stalking", RegisterGroup.OTHER),
    )
}

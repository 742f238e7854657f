"""The closed vocabularies of the Ministry's calculator, spelled exactly as its API spells them.

In CPython 3.11 reading a member off its class (``Gender.MALE``) goes through ``EnumType.__getattr__``'s
slot, some twenty times slower than reading a global, so the calculator's per-request code reads the members
it compares with once, into module constants.
"""

from enum import StrEnum


class Gender(StrEnum):
    MALE = "MALE"
    FEMALE = "FEMALE"


class ProblemLevel(StrEnum):
    """An OASys 0/1/2 answer."""

    NO_PROBLEMS = "NO_PROBLEMS"
    SOME_PROBLEMS = "SOME_PROBLEMS"
    SIGNIFICANT_PROBLEMS = "SIGNIFICANT_PROBLEMS"


class MotivationLevel(StrEnum):
    """OASys 8.8, motivation to tackle drug misuse, scored 0/1/2 in this order."""

    FULL_MOTIVATION = "FULL_MOTIVATION"
    PARTIAL_MOTIVATION = "PARTIAL_MOTIVATION"
    NO_MOTIVATION = "NO_MOTIVATION"


class CurrentRelationshipStatus(StrEnum):
    """OASys 6.8."""

    NOT_IN_RELATIONSHIP = "NOT_IN_RELATIONSHIP"
    IN_RELATIONSHIP_LIVING_TOGETHER = "IN_RELATIONSHIP_LIVING_TOGETHER"
    IN_RELATIONSHIP_NOT_LIVING_TOGETHER = "IN_RELATIONSHIP_NOT_LIVING_TOGETHER"


class SupervisionStatus(StrEnum):
    CUSTODY = "CUSTODY"
    COMMUNITY = "COMMUNITY"
    REMAND = "REMAND"


class PreviousConviction(StrEnum):
    """Serious previous convictions recorded in OASys; each is a term of the dynamic SVRP."""

    HOMICIDE = "HOMICIDE"
    WOUNDING_GBH = "WOUNDING_GBH"
    KIDNAPPING = "KIDNAPPING"
    FIREARMS = "FIREARMS"
    ROBBERY = "ROBBERY"
    AGGRAVATED_BURGLARY = "AGGRAVATED_BURGLARY"
    WEAPON = "WEAPON"
    CRIMINAL_DAMAGE = "CRIMINAL_DAMAGE"
    ARSON = "ARSON"


class YesSometimesNo(StrEnum):
    """An OASys yes / sometimes / no answer, yes being the good one: scored 0/1/2 in this order."""

    YES = "YES"
    SOMETIMES = "SOMETIMES"
    NO = "NO"


class HasQualifications(StrEnum):
    """OASys professional or vocational qualifications, scored 0 or 2 (there is no 1)."""

    ANY_QUALIFICATION = "ANY_QUALIFICATION"
    NO_QUALIFICATIONS = "NO_QUALIFICATIONS"


class RiskBand(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"
    NOT_APPLICABLE = "NOT_APPLICABLE"


class PniContext(StrEnum):
    """Which other predictors' results the Programme Needs Identifier sees (SCREENING.md §5.2)."""

    FULL = "FULL"
    """ARP, VRP, DC-SRP, IIC-SRP and RSR of the same calculation, as the model intends."""
    LIVE = "LIVE"
    """ARP and VRP only, as the Ministry's live service, which runs PNI before the sexual predictors."""


class NeedLevel(StrEnum):
    """How much a person needs an accredited programme, from PNI's domain scores."""

    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"


class OpdResult(StrEnum):
    SCREEN_IN = "SCREEN_IN"
    SCREEN_OUT = "SCREEN_OUT"


class PniPathway(StrEnum):
    """The intensity of accredited programme needed; OMISSION when answers missing leave it undecided."""

    HIGH = "HIGH"
    MODERATE = "MODERATE"
    ALTERNATIVE = "ALTERNATIVE"
    OMISSION = "OMISSION"


class ScoreType(StrEnum):
    """Which variant of a predictor produced a score: criminal history only, or with OASys needs too."""

    STATIC = "STATIC"
    DYNAMIC = "DYNAMIC"


# Scores of the answers; no answer scores 0, as the predictors that need an answer check it is there.
PROBLEM_LEVEL_SCORE: dict[ProblemLevel | None, int] = {
    None: 0,
    ProblemLevel.NO_PROBLEMS: 0,
    ProblemLevel.SOME_PROBLEMS: 1,
    ProblemLevel.SIGNIFICANT_PROBLEMS: 2,
}
# No answer is full motivation, for ARP, the one predictor that does not require it (SPEC §4.2).
MOTIVATION_LEVEL_SCORE: dict[MotivationLevel | None, int] = {
    None: 0,
    MotivationLevel.FULL_MOTIVATION: 0,
    MotivationLevel.PARTIAL_MOTIVATION: 1,
    MotivationLevel.NO_MOTIVATION: 2,
}
# The screening tools' scale of every answer (SCREENING.md §1.2); no answer scores 0.
ANSWER_SCORE: dict[object, int] = {
    **dict[object, int](PROBLEM_LEVEL_SCORE.items()),
    YesSometimesNo.YES: 0,
    YesSometimesNo.SOMETIMES: 1,
    YesSometimesNo.NO: 2,
    HasQualifications.ANY_QUALIFICATION: 0,
    HasQualifications.NO_QUALIFICATIONS: 2,
    True: 1,
    False: 0,
}
# OPD's "any problem" scale: 1 for some or significant problems, 0 for none or no answer.
ANY_PROBLEM_SCORE: dict[ProblemLevel | None, int] = {
    level: min(score, 1) for level, score in PROBLEM_LEVEL_SCORE.items()
}

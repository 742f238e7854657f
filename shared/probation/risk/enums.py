"""The closed vocabularies of the Ministry's calculator, spelled exactly as its API spells them."""

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


class RiskBand(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    VERY_HIGH = "VERY_HIGH"
    NOT_APPLICABLE = "NOT_APPLICABLE"


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

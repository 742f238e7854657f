"""OASys answers → the risk calculator's request fields (risk SPEC §2.2, and the section 8 drug flags).

The calculator (``probation.risk``) takes the OASys needs as named fields of ``RiskCalculationRequest``;
this module reads them off an assessment's answers, so that a completed assessment can be scored.
"""

from collections.abc import Mapping
from typing import TypeVar

from probation.assessments.answers import is_answered
from probation.risk.enums import CurrentRelationshipStatus, MotivationLevel, ProblemLevel

_Value = TypeVar("_Value")

YES_NO: Mapping[str, bool] = {"YES": True, "NO": False}
PROBLEM_LEVELS: Mapping[str, ProblemLevel] = {
    "0": ProblemLevel.NO_PROBLEMS,
    "1": ProblemLevel.SOME_PROBLEMS,
    "2": ProblemLevel.SIGNIFICANT_PROBLEMS,
}

# Question → (request field, the field's value for each answer code).
_ANSWER_FIELDS: Mapping[str, tuple[str, Mapping[str, object]]] = {
    "2.2_V2_WEAPON": ("didOffenceInvolveCarryingOrUsingWeapon", YES_NO),
    "3.4": ("suitabilityOfAccommodation", PROBLEM_LEVELS),
    # "Not available for work" scores 0 in OASys, as "No" does.
    "4.2": ("isUnemployed", {"YES": True, "NO": False, "NA": False}),
    "6.4": ("currentRelationshipWithPartner", PROBLEM_LEVELS),
    "6.8": (
        "currentRelationshipStatus",
        {
            "1": CurrentRelationshipStatus.IN_RELATIONSHIP_LIVING_TOGETHER,
            "2": CurrentRelationshipStatus.IN_RELATIONSHIP_NOT_LIVING_TOGETHER,
            "3": CurrentRelationshipStatus.NOT_IN_RELATIONSHIP,
        },
    ),
    "7.2": ("regularOffendingActivities", PROBLEM_LEVELS),
    "8.8": (
        "motivationToTackleDrugMisuse",
        {
            "0": MotivationLevel.FULL_MOTIVATION,
            "1": MotivationLevel.PARTIAL_MOTIVATION,
            "2": MotivationLevel.NO_MOTIVATION,
        },
    ),
    "9.1": ("currentAlcoholUseProblems", PROBLEM_LEVELS),
    "9.2": ("excessiveAlcoholUse", PROBLEM_LEVELS),
    "11.2": ("impulsivityProblems", PROBLEM_LEVELS),
    "11.4": ("temperControl", PROBLEM_LEVELS),
    "12.1": ("proCriminalAttitudes", PROBLEM_LEVELS),
}

_DOMESTIC_ABUSE = "6.7da"
"""Is there evidence of current or previous domestic abuse? (YES/NO; release 6.30 onwards)"""
_PERPETRATOR_AGAINST_PARTNER = "6.7.2.1da"
"""Perpetrator of domestic abuse against a partner (YES/NO), asked when 6.7da is YES."""
_DRUGS_EVER_MISUSED = "8.1"
"""Drugs ever misused (YES/NO): the gate of section 8."""
_MOTIVATION_FIELD = _ANSWER_FIELDS["8.8"][0]

# Each drug's "current usage" question (a frequency, asked only for the drugs used) → its flag.
# Amphetamines (8.2.8.1) and ecstasy (8.2.10.1) are recorded in OASys but feature in no predictor.
_DRUG_USAGE_FIELDS: Mapping[str, str] = {
    "8.2.1.1": "hasHeroinUsage",
    "8.2.2.1": "hasMethadoneUsage",
    "8.2.3.1": "hasOtherOpiateUsage",
    "8.2.4.1": "hasCrackCocaineUsage",
    "8.2.5.1": "hasPowderCocaineUsage",
    "8.2.6.1": "hasMisusedPrescriptionDrugUsage",
    "8.2.7.1": "hasBenzodiazepinesUsage",
    "8.2.9.1": "hasHallucinogensUsage",
    "8.2.11.1": "hasCannabisUsage",
    "8.2.12.1": "hasSolventsUsage",
    "8.2.13.1": "hasSteroidsUsage",
    "8.2.14.1": "hasOtherDrugsUsage",
    "8.2.15.1": "hasSpiceUsage",
    "8.2.16.1": "hasKetamineUsage",
}

PREDICTOR_FIELD_QUESTIONS: Mapping[str, tuple[str, ...]] = {
    **{field: (code,) for code, (field, _) in _ANSWER_FIELDS.items()},
    "evidenceOfDomesticAbuse": (_DOMESTIC_ABUSE, _PERPETRATOR_AGAINST_PARTNER),
    _MOTIVATION_FIELD: ("8.8", _DRUGS_EVER_MISUSED),
    **{field: (code, _DRUGS_EVER_MISUSED) for code, field in _DRUG_USAGE_FIELDS.items()},
}
"""The question(s) each field of ``predictor_answers`` is read from: what a score's provenance names."""

CONDITIONAL_PREDICTOR_QUESTIONS: tuple[str, ...] = (_PERPETRATOR_AGAINST_PARTNER, *_DRUG_USAGE_FIELDS)
"""The predictor questions OASys asks only after a gate answer (6.7da YES; a drug used, after 8.1 YES)."""

PREDICTOR_QUESTIONS: tuple[str, ...] = (
    *_ANSWER_FIELDS,
    _DOMESTIC_ABUSE,
    _DRUGS_EVER_MISUSED,
    *CONDITIONAL_PREDICTOR_QUESTIONS,
)
"""Every question ``predictor_answers`` reads."""


def predictor_answers(answers: Mapping[str, object]) -> dict[str, object]:
    """The calculator's request fields (camelCase, as ``RiskCalculationRequest`` takes them) for ``answers``.

    ``answers`` maps question codes to stored answers. A field is left out when its question is unanswered
    or answered "M" (Missing), so that the calculator reports it by name; an answer the mapping does not
    know raises ``ValueError``. Beyond one question → one field:

    * ``evidenceOfDomesticAbuse`` is the *perpetrator* flag (the analysts' S6Q7_PERP). 6.7da only says
      whether there is domestic abuse, either way round, so the flag is its perpetrator-against-partner
      follow-up 6.7.2.1da when 6.7da is YES, and false when 6.7da is NO, as OASys derives its own predictor
      input. Abuse against a family member (6.7.2.2da) is not part of it.
    * ``motivationToTackleDrugMisuse`` is full motivation when 8.1 (drugs ever misused) is NO: OASys then
      skips the rest of section 8 and scores 8.8 as 0.
    * A drug flag (``has…Usage``) is true iff that drug's current-usage question (8.2.N.1) has an answer
      (a frequency); otherwise it is false once 8.1 is answered, and left out while 8.1 is unanswered
      (section 8 not started).
    """
    request: dict[str, object] = {}
    for code, (field, values) in _ANSWER_FIELDS.items():
        value = mapped(answers, code, values)
        if value is not None:
            request[field] = value
    evidence_of_domestic_abuse = mapped(answers, _DOMESTIC_ABUSE, YES_NO)
    if evidence_of_domestic_abuse:
        evidence_of_domestic_abuse = mapped(answers, _PERPETRATOR_AGAINST_PARTNER, YES_NO)
    if evidence_of_domestic_abuse is not None:
        request["evidenceOfDomesticAbuse"] = evidence_of_domestic_abuse
    drugs_ever_misused = mapped(answers, _DRUGS_EVER_MISUSED, YES_NO)
    if drugs_ever_misused is False:
        request[_MOTIVATION_FIELD] = MotivationLevel.FULL_MOTIVATION
    for code, field in _DRUG_USAGE_FIELDS.items():
        if is_answered(answers.get(code)):
            request[field] = True
        elif drugs_ever_misused is not None:
            request[field] = False
    return request


def mapped(answers: Mapping[str, object], code: str, values: Mapping[str, _Value]) -> _Value | None:
    """The value ``values`` gives the answer to ``code``, or ``None`` if it is unanswered or "M"."""
    answer = answers.get(code)
    if not is_answered(answer):
        return None
    if not isinstance(answer, str) or answer not in values:
        raise ValueError(f"{code} answer {answer!r} is not one of {', '.join(values)}")
    return values[answer]

"""OASys answers → the screening tools' request fields (SCREENING.md: MST, LDS, OPD, PNI).

Like ``predictors``, this reads the calculator's named fields off an assessment's answers, so that a completed
assessment gives the screening tools their inputs. A field the predictors already read (impulsivity, temper
control, pro-criminal attitudes, weapon, domestic abuse) is theirs alone: one question, one field.

Which question answers which field: SCREENING.md section 6 gives the OASys item of the PNI fields (and of
a few others); the service names none for MST, LDS or most of OPD. For those, the question is the catalogue's
question of the same wording and answer scale (``7.5`` "Recklessness and risk-taking behaviour" for
``recklessnessAndRiskTakingBehaviour``, and so on): an inference from names (the README's table says which
links are stated and which inferred). The SARA risk levels and the OPD override are no OASys Layer 3
question: catalogue version 2 adds them under the Ministry's own names.
"""

from collections.abc import Iterable, Mapping

from probation.assessments.predictors import PROBLEM_LEVELS, YES_NO, mapped, predictor_answers
from probation.risk.enums import HasQualifications, RiskBand, YesSometimesNo

# "Don't know" (DK) says nothing either way, so the field is left out, as for "M" (Missing).
_YES_NO_DONT_KNOW: Mapping[str, bool | None] = {**YES_NO, "DK": None}
_SARA_LEVELS: Mapping[str, RiskBand] = {"1": RiskBand.LOW, "2": RiskBand.MEDIUM, "3": RiskBand.HIGH}
# RoSH summary levels (SUM6: each group at risk, in the community and in custody).
_ROSH_LEVELS: Mapping[str, RiskBand] = {
    "L": RiskBand.LOW,
    "M": RiskBand.MEDIUM,
    "H": RiskBand.HIGH,
    "V": RiskBand.VERY_HIGH,
}
_ROSH_ORDER = (RiskBand.LOW, RiskBand.MEDIUM, RiskBand.HIGH, RiskBand.VERY_HIGH)
ROSH_SUMMARY_QUESTIONS = (
    "SUM6.1.1",
    "SUM6.1.2",
    "SUM6.2.1",
    "SUM6.2.2",
    "SUM6.3.1",
    "SUM6.3.2",
    "SUM6.4.1",
    "SUM6.4.2",
    "SUM6.5.2",
)
"""The RoSH summary's risk levels, per group at risk and setting: the overall risk is the highest of them."""

# Question → (request field, the field's value for each answer code).
_ANSWER_FIELDS: Mapping[str, tuple[tuple[str, Mapping[str, object]], ...]] = {
    "2.2_V2_ANYVIOL": (("didOffenceInvolveViolenceOrThreatOfViolence", YES_NO),),
    "2.2_V2_EXCESSIVE": (("didOffenceInvolveExcessiveUseOfViolence", YES_NO),),
    "2.2_V2_ARSON": (("didOffenceInvolveArson", YES_NO),),
    "2.6": (("doesRecogniseImpactOfOffendingOnOthers", YES_NO),),
    "2.9_V2_EMOTIONAL": (("offenceMotivationEmotionalState", YES_NO),),
    "2.99": (("isAnalysisOfOffenceIssuesLinkedToRisk", YES_NO),),
    "3.3": (("isCurrentlyOfNoFixedAbodeOrTransientAccommodation", YES_NO),),
    "3.98": (("hasAccommodationIssuesLinkedToRisk", YES_NO),),
    "4.4": (("workRelatedSkills", PROBLEM_LEVELS),),
    "4.7": (("problemsWithReadingWritingNumeracy", PROBLEM_LEVELS),),
    "4.8": (("learningDifficulties", PROBLEM_LEVELS),),
    "4.9": (
        (
            "professionalOrVocationalQualifications",
            {"0": HasQualifications.ANY_QUALIFICATION, "2": HasQualifications.NO_QUALIFICATIONS},
        ),
    ),
    "5.5": (("overRelianceOnOthersForFinancialSupport", PROBLEM_LEVELS),),
    "6.1": (("currentRelationshipWithFamilyMembers", PROBLEM_LEVELS),),
    "6.3": (("experienceOfChildhood", PROBLEM_LEVELS),),
    "6.6": (("previousCloseRelationships", PROBLEM_LEVELS),),
    "6.11": (("isARiskOfSexualHarm", YES_NO),),
    "6.12": (("emotionalCongruenceWithChildren", PROBLEM_LEVELS),),
    "6.98": (("relationshipIssuesLinkedToRisk", YES_NO),),
    # One question, asked once, that MST and PNI each name in their own words.
    "7.3": (
        ("easilyInfluencedByCriminalAssociates", PROBLEM_LEVELS),
        ("influenceFromCriminalAssociates", PROBLEM_LEVELS),
    ),
    "7.4": (("manipulativeOrPredatoryBehaviour", PROBLEM_LEVELS),),
    "7.5": (("recklessnessAndRiskTakingBehaviour", PROBLEM_LEVELS),),
    "10.1": (("difficultiesCoping", PROBLEM_LEVELS),),
    "10.2": (("currentPsychologicalProblems", PROBLEM_LEVELS),),
    "10.4": (("attitudesTowardsSelf", PROBLEM_LEVELS),),
    "10.5": (("hasSelfHarmOrAttemptedSuicide", YES_NO),),
    "10.6": (("currentPsychiatricProblems", PROBLEM_LEVELS),),
    "10.7_V2_CHILDHOOD": (("isEvidenceOfChildhoodBehaviouralProblems", YES_NO),),
    "10.7_V2_HISTPSYCH": (("hasHistoryOfPsychiatricTreatment", YES_NO),),
    "10.7_V2_MEDICATION": (("hasBeenOnMedicationForMentalHealthProblems", YES_NO),),
    "10.7_V2_PATIENT": (("hasEverBeenInSpecialHospitalOrRegionalSecureUnit", YES_NO),),
    "10.7_V2_PSYCHTREAT": (("hasCurrentPsychiatricTreatment", YES_NO),),
    "10.98": (("areEmotionalIssuesLinkedToRisk", YES_NO),),
    "11.3": (("controllingOrAggressiveBehaviour", PROBLEM_LEVELS),),
    "11.6": (("problemSolvingSkills", PROBLEM_LEVELS),),
    # No problems is the good answer, YES, as on MST's scale (YES 0, SOMETIMES 1, NO 2).
    "11.7": (
        (
            "awarenessOfConsequences",
            {"0": YesSometimesNo.YES, "1": YesSometimesNo.SOMETIMES, "2": YesSometimesNo.NO},
        ),
    ),
    "11.9": (("understandsOtherPeoplesViews", PROBLEM_LEVELS),),
    "11.11": (("sexualPreoccupation", PROBLEM_LEVELS),),
    "11.12": (("offenceRelatedSexualInterests", PROBLEM_LEVELS),),
    "11.98": (("areThinkingAndBehaviourIssuesLinkedToRisk", YES_NO),),
    "12.4": (("attitudeTowardsSupervisionOrLicence", PROBLEM_LEVELS),),
    "12.9": (("hostileOrientation", PROBLEM_LEVELS),),
    "R4.1": (("hasEscapedOrAbsconded", _YES_NO_DONT_KNOW),),
    "R4.6": (("hasControlIssues", _YES_NO_DONT_KNOW),),
    "saraRiskLevelToPartner": (("saraRiskToPartner", _SARA_LEVELS),),
    "saraRiskLevelToOther": (("saraRiskToOthers", _SARA_LEVELS),),
    "applyOPDOverride": (("applyOPDOverride", YES_NO),),
}

_OTHERS_INVOLVED = "2.7"
_PEER_GROUP_INFLUENCES = "2.7.2"
"""Asked only when others were involved (2.7 YES)."""
_READING_WRITING_NUMERACY_AREAS = "4.7.1"
"""The problem areas ticked under 4.7: READING, WRITING, NUMERACY."""
# Each asked as "current" and "previous": true if either is YES.
_CURRENT_OR_PREVIOUS: Mapping[str, tuple[str, str]] = {
    "hasAssaultedOrThreatenedStaff": ("R1.3.1.1_V2", "R1.3.1.2_V2"),
    "hasDisplayedObsessiveBehaviourLinkedToOffending": ("R1.3.13.1_V2", "R1.3.13.2_V2"),
}
_DOMESTIC_ABUSE_AGAINST_FAMILY = "6.7.2.2da"
"""Perpetrator of domestic abuse against a family member, asked when 6.7da is YES."""

SCREENING_FIELD_QUESTIONS: Mapping[str, tuple[str, ...]] = {
    **{field: (code,) for code, fields in _ANSWER_FIELDS.items() for field, _ in fields},
    "hasPeerGroupInfluences": (_PEER_GROUP_INFLUENCES, _OTHERS_INVOLVED),
    "hasProblemsWithReading": (_READING_WRITING_NUMERACY_AREAS,),
    "hasProblemsWithNumeracy": (_READING_WRITING_NUMERACY_AREAS,),
    **_CURRENT_OR_PREVIOUS,
    "domesticAbuseAgainstPartner": ("6.7da", "6.7.2.1da"),
    "domesticAbuseAgainstFamily": ("6.7da", "6.7.2.1da", _DOMESTIC_ABUSE_AGAINST_FAMILY),
    "overallRiskForAssessment": ROSH_SUMMARY_QUESTIONS,
    "highestRiskLevelOverAllAssessments": ROSH_SUMMARY_QUESTIONS,
}
"""The question(s) each screening field is read from: what a score's provenance names."""

SCREENING_QUESTIONS: tuple[str, ...] = tuple(
    dict.fromkeys(code for codes in SCREENING_FIELD_QUESTIONS.values() for code in codes)
)
"""Every question ``screening_answers`` reads. None is required for completion: a tool short of answers says
which in its own block, and never stops the predictors."""


def screening_answers(
    answers: Mapping[str, object], earlier: Iterable[Mapping[str, object]] = ()
) -> dict[str, object]:
    """The screening tools' request fields (camelCase) for ``answers``, leaving out what the predictors read;
    ``earlier`` are the answers of the case's earlier completed assessments.

    A field is left out when its question is unanswered, "M" (Missing) or "DK" (Don't know), so that the tool
    names it; an answer the mapping does not know raises ``ValueError``. Beyond one question → one field:

    * ``hasPeerGroupInfluences`` is 2.7.2, and false when 2.7 (others involved) is NO: OASys then skips it.
    * ``hasProblemsWithReading`` and ``hasProblemsWithNumeracy`` are whether 4.7.1 ticks READING or NUMERACY,
      once 4.7.1 is answered.
    * ``hasAssaultedOrThreatenedStaff`` and ``hasDisplayedObsessiveBehaviourLinkedToOffending`` are true if
      the RoSH screening's "current" or "previous" question is YES, false if those answered are NO.
    * ``domesticAbuseAgainstPartner`` and ``domesticAbuseAgainstFamily`` are given only when the predictors'
      ``evidenceOfDomesticAbuse`` (the perpetrator against a partner, 6.7.2.1da) is true: OPD refuses them
      beside a false one. Against a partner is then true; against family is 6.7.2.2da.
    * ``overallRiskForAssessment`` is the highest RoSH summary level (SUM6) answered: OASys's overall RoSH.
      ``highestRiskLevelOverAllAssessments`` is the highest of it over these and the ``earlier`` answers.
    """
    request: dict[str, object] = {}
    for code, fields in _ANSWER_FIELDS.items():
        for field, values in fields:
            value = mapped(answers, code, values)
            if value is not None:
                request[field] = value
    peer_group = mapped(answers, _PEER_GROUP_INFLUENCES, YES_NO)
    if peer_group is None and mapped(answers, _OTHERS_INVOLVED, YES_NO) is False:
        peer_group = False
    if peer_group is not None:
        request["hasPeerGroupInfluences"] = peer_group
    areas = answers.get(_READING_WRITING_NUMERACY_AREAS)
    if isinstance(areas, list):
        request["hasProblemsWithReading"] = "READING" in areas
        request["hasProblemsWithNumeracy"] = "NUMERACY" in areas
    for field, codes in _CURRENT_OR_PREVIOUS.items():
        said = [value for code in codes if (value := mapped(answers, code, YES_NO)) is not None]
        if said:
            request[field] = any(said)
    if predictor_answers(answers).get("evidenceOfDomesticAbuse") is True:
        request["domesticAbuseAgainstPartner"] = True
        against_family = mapped(answers, _DOMESTIC_ABUSE_AGAINST_FAMILY, YES_NO)
        if against_family is not None:
            request["domesticAbuseAgainstFamily"] = against_family
    overall = _overall_risk_level(answers)
    if overall is not None:
        request["overallRiskForAssessment"] = overall
    highest = _highest([overall, *map(_overall_risk_level, earlier)])
    if highest is not None:
        request["highestRiskLevelOverAllAssessments"] = highest
    return request


def _overall_risk_level(answers: Mapping[str, object]) -> RiskBand | None:
    """The highest RoSH summary level answered (SUM6), or ``None`` when none is."""
    levels: list[RiskBand | None] = []
    for code in ROSH_SUMMARY_QUESTIONS:
        # Not ``mapped``: "M" is Medium here, not Missing, for these questions have no Missing answer.
        answer = answers.get(code)
        if answer is not None and (not isinstance(answer, str) or answer not in _ROSH_LEVELS):
            raise ValueError(f"{code} answer {answer!r} is not one of {', '.join(_ROSH_LEVELS)}")
        levels.append(_ROSH_LEVELS.get(answer) if isinstance(answer, str) else None)
    return _highest(levels)


def _highest(levels: list[RiskBand | None]) -> RiskBand | None:
    known = [level for level in levels if level is not None]
    return max(known, key=_ROSH_ORDER.index) if known else None

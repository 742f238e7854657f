"""OPD: screening men and women into or out of the Offender Personality Disorder pathway (SCREENING.md §4).

Men are scored on a personality score and an indicator score, women on one score. A boolean answer counts
only when true, so a missing one scores as false, except that a man who does not say he recognises the
impact of his offending scores as one who does not. An item worth one point is a ``bool``, which sums as
1 or 0 without a conversion per item.
"""

from typing import NamedTuple

from probation.risk.enums import ANY_PROBLEM_SCORE, Gender, OpdResult, ProblemLevel, RiskBand
from probation.risk.errors import ErrorCode
from probation.risk.offences import has_offence_code_format, is_known_offence, opd_violence_sex
from probation.risk.request import RiskCalculationRequest, field_reader
from probation.risk.result import PersonalityDisorderScreening, ScreeningError
from probation.risk.screening.common import missing_inputs, screening_error, unexpected_error
from probation.risk.screening.rules import screening_rules

# Members read once, as the hot path compares with them (see probation.risk.enums).
_MALE, _FEMALE = Gender.MALE, Gender.FEMALE
_SCREEN_IN, _SCREEN_OUT = OpdResult.SCREEN_IN, OpdResult.SCREEN_OUT

REQUIRED_FIELDS = (
    "gender",
    "overallRiskForAssessment",
    "highestRiskLevelOverAllAssessments",
    "currentOffenceCode",
    "hasCustodialSentence",
)
"""Required of everyone, in the order missing ones are reported."""
DOMESTIC_ABUSE_FIELDS = (
    "evidenceOfDomesticAbuse",
    "domesticAbuseAgainstFamily",
    "domesticAbuseAgainstPartner",
)
"""What an inconsistent domestic-abuse answer is reported against."""
# What OPD reads of everyone, in one call: whether the answers are valid, and whether OPD applies.
_case = field_reader(
    *REQUIRED_FIELDS,
    "isEligibleForMappa",
    "evidenceOfDomesticAbuse",
    "domesticAbuseAgainstPartner",
    "domesticAbuseAgainstFamily",
    "applyOPDOverride",
)
_Case = tuple[
    Gender | None,
    RiskBand | None,
    RiskBand | None,
    str | None,
    bool | None,
    bool | None,
    bool | None,
    bool | None,
    bool | None,
    bool | None,
]
# A woman is screened when she has answered at least one of her first ten answers, her questions. Five of
# her scoring items are not among them, as in the Ministry's code.
_FEMALE_QUESTIONS = 10
_NO_FEMALE_ANSWERS = (None,) * _FEMALE_QUESTIONS
_female_answers = field_reader(
    "didOffenceInvolveCarryingOrUsingWeapon",
    "didOffenceInvolveViolenceOrThreatOfViolence",
    "didOffenceInvolveExcessiveUseOfViolence",
    "didOffenceInvolveArson",
    "offenceMotivationEmotionalState",
    "isAnalysisOfOffenceIssuesLinkedToRisk",
    "hasAccommodationIssuesLinkedToRisk",
    "experienceOfChildhood",
    "evidenceOfDomesticAbuse",
    "relationshipIssuesLinkedToRisk",
    "domesticAbuseAgainstPartner",
    "domesticAbuseAgainstFamily",
    "difficultiesCoping",
    "currentPsychologicalProblems",
    "hasSelfHarmOrAttemptedSuicide",
    "areEmotionalIssuesLinkedToRisk",
    "areThinkingAndBehaviourIssuesLinkedToRisk",
)
_Yes = bool | None
_Level = ProblemLevel | None
_FemaleAnswers = tuple[
    _Yes, _Yes, _Yes, _Yes, _Yes, _Yes, _Yes, _Level, _Yes, _Yes, _Yes, _Yes, _Level, _Level, _Yes, _Yes, _Yes
]


class MalePersonalityItems(NamedTuple):
    early_start: int
    violence: int
    excessive_violence: int
    no_victim_awareness: int
    financial_reliance: int
    manipulative: int
    recklessness: int
    childhood_behaviour: int
    impulsivity: int
    controlling: int


class MaleIndicatorItems(NamedTuple):
    childhood_difficulties: int
    mental_health_history: int
    self_harm: int
    severe_challenging_behaviour: int


class FemaleItems(NamedTuple):
    weapon: int
    violence: int
    excessive_violence: int
    arson: int
    emotional_motivation: int
    offence_analysis_linked_to_risk: int
    accommodation_linked_to_risk: int
    childhood_experience: int
    domestic_abuse: int
    relationships_linked_to_risk: int
    difficulties_coping: int
    psychological_problems: int
    self_harm: int
    emotions_linked_to_risk: int
    thinking_and_behaviour_linked_to_risk: int


def _not_run() -> PersonalityDisorderScreening:
    return {"opdCheck": False, "opdOverride": None, "opdResult": None, "validationError": []}


def _failed(errors: list[ScreeningError]) -> PersonalityDisorderScreening:
    return {"opdCheck": False, "opdOverride": None, "opdResult": None, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    return _validation_errors(_case(request))


def _validation_errors(case: _Case) -> list[ScreeningError]:
    (
        gender,
        overall_risk,
        highest_risk,
        code,
        custodial,
        mappa,
        evidence,
        against_partner,
        against_family,
        _,
    ) = case
    errors: list[ScreeningError] = []
    # Tested one by one, which costs a fifth of collecting the missing ones when, as usual, none is.
    if (
        gender is None
        or overall_risk is None
        or highest_risk is None
        or code is None
        or custodial is None
        or (gender is _FEMALE and mappa is None)
        or (evidence and (against_partner is None or against_family is None))
    ):
        required = case[: len(REQUIRED_FIELDS)]
        missing = [field for field, value in zip(REQUIRED_FIELDS, required, strict=True) if value is None]
        if gender is _FEMALE and mappa is None:
            missing.append("isEligibleForMappa")
        if evidence:
            missing += [
                field
                for field, value in (
                    ("domesticAbuseAgainstPartner", against_partner),
                    ("domesticAbuseAgainstFamily", against_family),
                )
                if value is None
            ]
        errors.append(missing_inputs(missing))
    if not evidence and (against_partner is not None or against_family is not None):
        errors.append(screening_error(ErrorCode.DOMESTIC_ABUSE_INCONSISTENT_INPUT, DOMESTIC_ABUSE_FIELDS))
    if code is not None and not is_known_offence(code):
        error = (
            ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND
            if has_offence_code_format(code)
            else ErrorCode.OFFENCE_CODE_INCORRECT_FORMAT
        )
        errors.append(screening_error(error, ("currentOffenceCode",)))
    return errors


def is_applicable(
    gender: Gender | None,
    overall_risk: RiskBand | None,
    custodial: bool | None,
    code: str | None,
    mappa: bool | None,
) -> bool:
    """Men: high risk of serious harm, in custody, for a violent or sexual offence. Women: high risk of
    serious harm, or eligible for MAPPA."""
    high_risk = overall_risk in screening_rules().personality_disorder.high_risk_of_serious_harm
    if gender is _MALE:
        return high_risk and custodial is True and code is not None and opd_violence_sex(code) is True
    return high_risk or mappa is True


def _excessive_violence(excessive: bool | None, violent: bool | None) -> int:
    """Excessive violence scores double where the offence is not also recorded as violent."""
    if not excessive:
        return 0
    return 1 if violent else 2


# Each set of items' answers, read in one call.
_MALE_PERSONALITY_FIELDS = (
    "ageAtFirstSanction",
    "didOffenceInvolveViolenceOrThreatOfViolence",
    "didOffenceInvolveExcessiveUseOfViolence",
    "doesRecogniseImpactOfOffendingOnOthers",
    "overRelianceOnOthersForFinancialSupport",
    "manipulativeOrPredatoryBehaviour",
    "recklessnessAndRiskTakingBehaviour",
    "isEvidenceOfChildhoodBehaviouralProblems",
    "impulsivityProblems",
    "controllingOrAggressiveBehaviour",
)
_MALE_INDICATOR_FIELDS = (
    "experienceOfChildhood",
    "isEvidenceOfChildhoodBehaviouralProblems",
    "currentPsychologicalProblems",
    "currentPsychiatricProblems",
    "hasHistoryOfPsychiatricTreatment",
    "hasBeenOnMedicationForMentalHealthProblems",
    "hasEverBeenInSpecialHospitalOrRegionalSecureUnit",
    "hasCurrentPsychiatricTreatment",
    "hasDisplayedObsessiveBehaviourLinkedToOffending",
    "hasSelfHarmOrAttemptedSuicide",
    "attitudeTowardsSupervisionOrLicence",
    "hasAssaultedOrThreatenedStaff",
    "hasEscapedOrAbsconded",
    "hasControlIssues",
)
_male_personality_answers = field_reader(*_MALE_PERSONALITY_FIELDS)
_male_indicator_answers = field_reader(*_MALE_INDICATOR_FIELDS)
# A man is screened when he has answered at least one of the items he is scored on.
_NO_MALE_PERSONALITY_ANSWERS = (None,) * len(_MALE_PERSONALITY_FIELDS)
_NO_MALE_INDICATOR_ANSWERS = (None,) * len(_MALE_INDICATOR_FIELDS)


def male_personality_items(request: RiskCalculationRequest) -> MalePersonalityItems:
    (
        age,
        violent,
        excessive,
        recognises_impact,
        financial_reliance,
        manipulative,
        recklessness,
        childhood_behaviour,
        impulsivity,
        controlling,
    ) = _male_personality_answers(request)
    return MalePersonalityItems(
        early_start=age is not None and age in screening_rules().personality_disorder.early_start_ages,
        violence=violent is True,
        excessive_violence=_excessive_violence(excessive, violent),
        no_victim_awareness=0 if recognises_impact else 1,
        financial_reliance=ANY_PROBLEM_SCORE[financial_reliance],
        manipulative=ANY_PROBLEM_SCORE[manipulative],
        recklessness=ANY_PROBLEM_SCORE[recklessness],
        childhood_behaviour=childhood_behaviour is True,
        impulsivity=ANY_PROBLEM_SCORE[impulsivity],
        controlling=ANY_PROBLEM_SCORE[controlling],
    )


def male_indicator_items(request: RiskCalculationRequest) -> MaleIndicatorItems:
    (
        childhood,
        childhood_behaviour,
        psychological,
        psychiatric,
        psychiatric_history,
        medication,
        special_hospital,
        psychiatric_treatment,
        obsessive,
        self_harm,
        supervision_attitude,
        assaulted_staff,
        escaped,
        control_issues,
    ) = _male_indicator_answers(request)
    return MaleIndicatorItems(
        childhood_difficulties=ANY_PROBLEM_SCORE[childhood] == 1 or childhood_behaviour is True,
        mental_health_history=ANY_PROBLEM_SCORE[psychological] == 1
        or ANY_PROBLEM_SCORE[psychiatric] == 1
        or psychiatric_history is True
        or medication is True
        or special_hospital is True
        or psychiatric_treatment is True
        or obsessive is True,
        self_harm=self_harm is True,
        severe_challenging_behaviour=ANY_PROBLEM_SCORE[supervision_attitude] == 1
        or assaulted_staff is True
        or escaped is True
        or control_issues is True,
    )


def female_items(request: RiskCalculationRequest) -> FemaleItems:
    return FemaleItems._make(_female_item_scores(_female_answers(request)))


def _female_item_scores(answers: _FemaleAnswers) -> tuple[int, ...]:
    """``FemaleItems``, as a plain tuple for screening to sum: building the named tuple would cost more
    (~4,000 instructions) than working out the items."""
    (
        weapon,
        violent,
        excessive,
        arson,
        emotional_motivation,
        offence_analysis,
        accommodation,
        childhood,
        domestic_abuse,
        relationships,
        against_partner,
        against_family,
        difficulties_coping,
        psychological,
        self_harm,
        emotions,
        thinking_and_behaviour,
    ) = answers
    return (
        weapon is True,
        violent is True,
        _excessive_violence(excessive, violent),
        arson is True,
        emotional_motivation is True,
        offence_analysis is True,
        accommodation is True,
        ANY_PROBLEM_SCORE[childhood],
        domestic_abuse is True and (against_partner is True or against_family is True),
        relationships is True,
        ANY_PROBLEM_SCORE[difficulties_coping],
        ANY_PROBLEM_SCORE[psychological],
        self_harm is True,
        emotions is True,
        thinking_and_behaviour is True,
    )


def _screened(override: bool | None, screens_in: bool) -> PersonalityDisorderScreening:
    if screens_in:
        return {"opdCheck": True, "opdOverride": None, "opdResult": _SCREEN_IN, "validationError": []}
    return {"opdCheck": True, "opdOverride": bool(override), "opdResult": _SCREEN_OUT, "validationError": []}


def personality_disorder_screening(request: RiskCalculationRequest) -> PersonalityDisorderScreening:
    try:
        case: _Case = _case(request)
        errors = _validation_errors(case)
        if errors:
            return _failed(errors)
        gender, overall_risk, _, code, custodial, mappa, _, _, _, override = case
        # Compared with all Nones, which stops at the first answer given, where count(None) reads them all.
        if gender is _MALE:
            # His indicator answers are read only if he gave no personality answer, which is rare.
            unanswered = (
                _male_personality_answers(request) == _NO_MALE_PERSONALITY_ANSWERS
                and _male_indicator_answers(request) == _NO_MALE_INDICATOR_ANSWERS
            )
        else:
            female_answers: _FemaleAnswers = _female_answers(request)
            unanswered = female_answers[:_FEMALE_QUESTIONS] == _NO_FEMALE_ANSWERS
        if unanswered:
            return _not_run()
        if not is_applicable(gender, overall_risk, custodial, code, mappa):
            return {"opdCheck": True, "opdOverride": None, "opdResult": _SCREEN_OUT, "validationError": []}
        rules = screening_rules().personality_disorder
        if gender is _MALE:
            # Few men get this far (4 of the bench's 400): their items are read again, by the item functions.
            return _screened(
                override,
                sum(male_personality_items(request)) >= rules.male_personality_screen_in_from
                or sum(male_indicator_items(request)) >= rules.male_indicator_screen_in_from,
            )
        return _screened(override, sum(_female_item_scores(female_answers)) >= rules.female_screen_in_from)
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

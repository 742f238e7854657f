"""OPD: screening men and women into or out of the Offender Personality Disorder pathway (SCREENING.md §4).

Men are scored on a personality score and an indicator score, women on one score. A boolean answer counts
only when true, so a missing one scores as false, except that a man who does not say he recognises the
impact of his offending scores as one who does not. An item worth one point is a ``bool``, which sums as
1 or 0 without a conversion per item.
"""

from typing import NamedTuple

from probation.risk.enums import ANY_PROBLEM_SCORE, Gender, OpdResult
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
_required = field_reader(*REQUIRED_FIELDS)
DOMESTIC_ABUSE_FIELDS = (
    "evidenceOfDomesticAbuse",
    "domesticAbuseAgainstFamily",
    "domesticAbuseAgainstPartner",
)
"""What an inconsistent domestic-abuse answer is reported against."""
# A woman is screened when she has answered at least one of these. Five of her scoring items are not among
# them, as in the Ministry's code.
_female_questions = field_reader(
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
)


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
    missing = [
        field for field, value in zip(REQUIRED_FIELDS, _required(request), strict=True) if value is None
    ]
    if request.gender is _FEMALE and request.is_eligible_for_mappa is None:
        missing.append("isEligibleForMappa")
    evidence = request.evidence_of_domestic_abuse
    against_partner = request.domestic_abuse_against_partner
    against_family = request.domestic_abuse_against_family
    if evidence:
        missing += [
            field
            for field, value in (
                ("domesticAbuseAgainstPartner", against_partner),
                ("domesticAbuseAgainstFamily", against_family),
            )
            if value is None
        ]
    errors = [missing_inputs(missing)] if missing else []
    if not evidence and (against_partner is not None or against_family is not None):
        errors.append(screening_error(ErrorCode.DOMESTIC_ABUSE_INCONSISTENT_INPUT, DOMESTIC_ABUSE_FIELDS))
    code = request.current_offence_code
    if code is not None and not is_known_offence(code):
        error = (
            ErrorCode.OFFENCE_CODE_MAPPING_NOT_FOUND
            if has_offence_code_format(code)
            else ErrorCode.OFFENCE_CODE_INCORRECT_FORMAT
        )
        errors.append(screening_error(error, ("currentOffenceCode",)))
    return errors


def is_applicable(request: RiskCalculationRequest) -> bool:
    """Men: high risk of serious harm, in custody, for a violent or sexual offence. Women: high risk of
    serious harm, or eligible for MAPPA."""
    high_risk = (
        request.overall_risk_for_assessment
        in screening_rules().personality_disorder.high_risk_of_serious_harm
    )
    if request.gender is _MALE:
        code = request.current_offence_code
        return (
            high_risk
            and request.has_custodial_sentence is True
            and code is not None
            and opd_violence_sex(code) is True
        )
    return high_risk or request.is_eligible_for_mappa is True


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
_male_questions = field_reader(*dict.fromkeys(_MALE_PERSONALITY_FIELDS + _MALE_INDICATOR_FIELDS))
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
    "domesticAbuseAgainstPartner",
    "domesticAbuseAgainstFamily",
    "relationshipIssuesLinkedToRisk",
    "difficultiesCoping",
    "currentPsychologicalProblems",
    "hasSelfHarmOrAttemptedSuicide",
    "areEmotionalIssuesLinkedToRisk",
    "areThinkingAndBehaviourIssuesLinkedToRisk",
)


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
        against_partner,
        against_family,
        relationships,
        difficulties_coping,
        psychological,
        self_harm,
        emotions,
        thinking_and_behaviour,
    ) = _female_answers(request)
    return FemaleItems(
        weapon=weapon is True,
        violence=violent is True,
        excessive_violence=_excessive_violence(excessive, violent),
        arson=arson is True,
        emotional_motivation=emotional_motivation is True,
        offence_analysis_linked_to_risk=offence_analysis is True,
        accommodation_linked_to_risk=accommodation is True,
        childhood_experience=ANY_PROBLEM_SCORE[childhood],
        domestic_abuse=domestic_abuse is True and (against_partner is True or against_family is True),
        relationships_linked_to_risk=relationships is True,
        difficulties_coping=ANY_PROBLEM_SCORE[difficulties_coping],
        psychological_problems=ANY_PROBLEM_SCORE[psychological],
        self_harm=self_harm is True,
        emotions_linked_to_risk=emotions is True,
        thinking_and_behaviour_linked_to_risk=thinking_and_behaviour is True,
    )


def screens_in(request: RiskCalculationRequest) -> bool:
    rules = screening_rules().personality_disorder
    if request.gender is _MALE:
        return (
            sum(male_personality_items(request)) >= rules.male_personality_screen_in_from
            or sum(male_indicator_items(request)) >= rules.male_indicator_screen_in_from
        )
    return sum(female_items(request)) >= rules.female_screen_in_from


def personality_disorder_screening(request: RiskCalculationRequest) -> PersonalityDisorderScreening:
    try:
        errors = validation_errors(request)
        if errors:
            return _failed(errors)
        questions = _male_questions(request) if request.gender is _MALE else _female_questions(request)
        if questions.count(None) == len(questions):
            return _not_run()
        if not is_applicable(request):
            return {
                "opdCheck": True,
                "opdOverride": None,
                "opdResult": _SCREEN_OUT,
                "validationError": [],
            }
        if screens_in(request):
            return {
                "opdCheck": True,
                "opdOverride": None,
                "opdResult": _SCREEN_IN,
                "validationError": [],
            }
        return {
            "opdCheck": True,
            "opdOverride": bool(request.apply_opd_override),
            "opdResult": _SCREEN_OUT,
            "validationError": [],
        }
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

"""OPD: screening men and women into or out of the Offender Personality Disorder pathway (SCREENING.md §4).

Men are scored on a personality score and an indicator score, women on one score. A boolean answer counts
only when true, so a missing one scores as false, except that a man who does not say he recognises the
impact of his offending scores as one who does not. An item worth one point is a ``bool``, which sums as
1 or 0 without a conversion per item.

Answers are read as plain attributes: off the calculator's view of the request each read costs ~100
instructions, where a ``field_reader`` costs ~800 plus ~230 a field.
"""

from typing import NamedTuple

from probation.risk.enums import ANY_PROBLEM_SCORE, Gender, OpdResult, ProblemLevel
from probation.risk.errors import ErrorCode
from probation.risk.offences import has_offence_code_format, is_known_offence, opd_violence_sex
from probation.risk.request import RiskCalculationRequest
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
# A woman is screened when she has answered at least one of her first ten answers, her questions. Five of
# her scoring items are not among them, as in the Ministry's code.
_FEMALE_QUESTIONS = 10
_NO_FEMALE_ANSWERS = (None,) * _FEMALE_QUESTIONS
_Yes = bool | None
_Level = ProblemLevel | None
_FemaleAnswers = tuple[
    _Yes, _Yes, _Yes, _Yes, _Yes, _Yes, _Yes, _Level, _Yes, _Yes, _Yes, _Yes, _Level, _Level, _Yes, _Yes, _Yes
]
_MalePersonalityAnswers = tuple[int | None, _Yes, _Yes, _Yes, _Level, _Level, _Level, _Yes, _Level, _Level]
_MaleIndicatorAnswers = tuple[
    _Level, _Yes, _Level, _Level, _Yes, _Yes, _Yes, _Yes, _Yes, _Yes, _Level, _Yes, _Yes, _Yes
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


def _failed(errors: list[ScreeningError]) -> PersonalityDisorderScreening:
    return {"opdCheck": False, "opdOverride": None, "opdResult": None, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    gender = request.gender
    overall_risk = request.overall_risk_for_assessment
    highest_risk = request.highest_risk_level_over_all_assessments
    code = request.current_offence_code
    custodial = request.has_custodial_sentence
    mappa = request.is_eligible_for_mappa
    evidence = request.evidence_of_domestic_abuse
    against_partner = request.domestic_abuse_against_partner
    against_family = request.domestic_abuse_against_family
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
        required = (gender, overall_risk, highest_risk, code, custodial)  # as REQUIRED_FIELDS
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


def _excessive_violence(excessive: bool | None, violent: bool | None) -> int:
    """Excessive violence scores double where the offence is not also recorded as violent."""
    if not excessive:
        return 0
    return 1 if violent else 2


# Each set of items' answers, read together: whether any is given decides whether OPD runs at all.


def _male_personality_answers(request: RiskCalculationRequest) -> _MalePersonalityAnswers:
    return (
        request.age_at_first_sanction,
        request.did_offence_involve_violence_or_threat_of_violence,
        request.did_offence_involve_excessive_use_of_violence,
        request.does_recognise_impact_of_offending_on_others,
        request.over_reliance_on_others_for_financial_support,
        request.manipulative_or_predatory_behaviour,
        request.recklessness_and_risk_taking_behaviour,
        request.is_evidence_of_childhood_behavioural_problems,
        request.impulsivity_problems,
        request.controlling_or_aggressive_behaviour,
    )


def _male_indicator_answers(request: RiskCalculationRequest) -> _MaleIndicatorAnswers:
    return (
        request.experience_of_childhood,
        request.is_evidence_of_childhood_behavioural_problems,
        request.current_psychological_problems,
        request.current_psychiatric_problems,
        request.has_history_of_psychiatric_treatment,
        request.has_been_on_medication_for_mental_health_problems,
        request.has_ever_been_in_special_hospital_or_regional_secure_unit,
        request.has_current_psychiatric_treatment,
        request.has_displayed_obsessive_behaviour_linked_to_offending,
        request.has_self_harm_or_attempted_suicide,
        request.attitude_towards_supervision_or_licence,
        request.has_assaulted_or_threatened_staff,
        request.has_escaped_or_absconded,
        request.has_control_issues,
    )


def _female_answers(request: RiskCalculationRequest) -> _FemaleAnswers:
    """Her ten questions first, then the rest of what her items score."""
    return (
        request.did_offence_involve_carrying_or_using_weapon,
        request.did_offence_involve_violence_or_threat_of_violence,
        request.did_offence_involve_excessive_use_of_violence,
        request.did_offence_involve_arson,
        request.offence_motivation_emotional_state,
        request.is_analysis_of_offence_issues_linked_to_risk,
        request.has_accommodation_issues_linked_to_risk,
        request.experience_of_childhood,
        request.evidence_of_domestic_abuse,
        request.relationship_issues_linked_to_risk,
        request.domestic_abuse_against_partner,
        request.domestic_abuse_against_family,
        request.difficulties_coping,
        request.current_psychological_problems,
        request.has_self_harm_or_attempted_suicide,
        request.are_emotional_issues_linked_to_risk,
        request.are_thinking_and_behaviour_issues_linked_to_risk,
    )


# A man is screened when he has answered at least one of the items he is scored on.
_NO_MALE_PERSONALITY_ANSWERS = (None,) * 10
_NO_MALE_INDICATOR_ANSWERS = (None,) * 14


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


def personality_disorder_screening(request: RiskCalculationRequest) -> PersonalityDisorderScreening:
    try:
        errors = validation_errors(request)
        if errors:
            return _failed(errors)
        gender = request.gender
        # Compared with all Nones, which stops at the first answer given, where count(None) reads them all.
        if gender is _MALE:
            # His indicator answers are read only if he gave no personality answer, which is rare.
            unanswered = (
                _male_personality_answers(request) == _NO_MALE_PERSONALITY_ANSWERS
                and _male_indicator_answers(request) == _NO_MALE_INDICATOR_ANSWERS
            )
        else:
            female_answers = _female_answers(request)
            unanswered = female_answers[:_FEMALE_QUESTIONS] == _NO_FEMALE_ANSWERS
        if unanswered:
            return {"opdCheck": False, "opdOverride": None, "opdResult": None, "validationError": []}
        rules = screening_rules().personality_disorder
        # Applicable to men at high risk of serious harm, in custody, for a violent or sexual offence; to
        # women at high risk of serious harm, or eligible for MAPPA.
        high_risk = request.overall_risk_for_assessment in rules.high_risk_of_serious_harm
        if gender is _MALE:
            code = request.current_offence_code
            applicable = (
                high_risk
                and request.has_custodial_sentence is True
                and code is not None
                and opd_violence_sex(code) is True
            )
        else:
            applicable = high_risk or request.is_eligible_for_mappa is True
        if not applicable:
            return {"opdCheck": True, "opdOverride": None, "opdResult": _SCREEN_OUT, "validationError": []}
        if gender is _MALE:
            # Few men get this far (4 of the bench's 400): their items are read again, by the item functions.
            screens_in = (
                sum(male_personality_items(request)) >= rules.male_personality_screen_in_from
                or sum(male_indicator_items(request)) >= rules.male_indicator_screen_in_from
            )
        else:
            screens_in = sum(_female_item_scores(female_answers)) >= rules.female_screen_in_from
        if screens_in:
            return {"opdCheck": True, "opdOverride": None, "opdResult": _SCREEN_IN, "validationError": []}
        override = bool(request.apply_opd_override)
        return {"opdCheck": True, "opdOverride": override, "opdResult": _SCREEN_OUT, "validationError": []}
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

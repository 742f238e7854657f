"""OPD: screening men and women into or out of the Offender Personality Disorder pathway (SCREENING.md §4).

Men are scored on a personality score and an indicator score, women on one score. A boolean answer counts
only when true, so a missing one scores as false, except that a man who does not say he recognises the
impact of his offending scores as one who does not. An item worth one point is a ``bool``, which sums as
1 or 0 without a conversion per item.
"""

from operator import attrgetter
from typing import NamedTuple

from probation.risk.enums import ANY_PROBLEM_SCORE, Gender, OpdResult
from probation.risk.errors import ErrorCode
from probation.risk.offences import has_offence_code_format, is_known_offence, opd_violence_sex
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import PersonalityDisorderScreening, ScreeningError
from probation.risk.screening.common import answers_unexpected_errors, missing_inputs, screening_error
from probation.risk.screening.rules import screening_rules

REQUIRED_FIELDS = (
    "gender",
    "overallRiskForAssessment",
    "highestRiskLevelOverAllAssessments",
    "currentOffenceCode",
    "hasCustodialSentence",
)
"""Required of everyone, in the order missing ones are reported."""
_required = attrgetter(
    "gender",
    "overall_risk_for_assessment",
    "highest_risk_level_over_all_assessments",
    "current_offence_code",
    "has_custodial_sentence",
)
DOMESTIC_ABUSE_FIELDS = (
    "evidenceOfDomesticAbuse",
    "domesticAbuseAgainstFamily",
    "domesticAbuseAgainstPartner",
)
"""What an inconsistent domestic-abuse answer is reported against."""
# The questions of which at least one must be answered for the screening to run. Five of the women's
# scoring items are not among theirs, as in the Ministry's code.
_male_questions = attrgetter(
    "age_at_first_sanction",
    "did_offence_involve_violence_or_threat_of_violence",
    "did_offence_involve_excessive_use_of_violence",
    "does_recognise_impact_of_offending_on_others",
    "over_reliance_on_others_for_financial_support",
    "manipulative_or_predatory_behaviour",
    "recklessness_and_risk_taking_behaviour",
    "is_evidence_of_childhood_behavioural_problems",
    "impulsivity_problems",
    "controlling_or_aggressive_behaviour",
    "experience_of_childhood",
    "current_psychological_problems",
    "current_psychiatric_problems",
    "has_history_of_psychiatric_treatment",
    "has_been_on_medication_for_mental_health_problems",
    "has_ever_been_in_special_hospital_or_regional_secure_unit",
    "has_current_psychiatric_treatment",
    "has_displayed_obsessive_behaviour_linked_to_offending",
    "has_self_harm_or_attempted_suicide",
    "attitude_towards_supervision_or_licence",
    "has_assaulted_or_threatened_staff",
    "has_escaped_or_absconded",
    "has_control_issues",
)
_female_questions = attrgetter(
    "did_offence_involve_carrying_or_using_weapon",
    "did_offence_involve_violence_or_threat_of_violence",
    "did_offence_involve_excessive_use_of_violence",
    "did_offence_involve_arson",
    "offence_motivation_emotional_state",
    "is_analysis_of_offence_issues_linked_to_risk",
    "has_accommodation_issues_linked_to_risk",
    "experience_of_childhood",
    "evidence_of_domestic_abuse",
    "relationship_issues_linked_to_risk",
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
    if request.gender is Gender.FEMALE and request.is_eligible_for_mappa is None:
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
    if request.gender is Gender.MALE:
        code = request.current_offence_code
        return (
            high_risk
            and request.has_custodial_sentence is True
            and code is not None
            and opd_violence_sex(code) is True
        )
    return high_risk or request.is_eligible_for_mappa is True


def _excessive_violence(request: RiskCalculationRequest) -> int:
    """Excessive violence scores double where the offence is not also recorded as violent."""
    if not request.did_offence_involve_excessive_use_of_violence:
        return 0
    return 1 if request.did_offence_involve_violence_or_threat_of_violence else 2


def male_personality_items(request: RiskCalculationRequest) -> MalePersonalityItems:
    age = request.age_at_first_sanction
    return MalePersonalityItems(
        early_start=age is not None and age in screening_rules().personality_disorder.early_start_ages,
        violence=request.did_offence_involve_violence_or_threat_of_violence is True,
        excessive_violence=_excessive_violence(request),
        no_victim_awareness=0 if request.does_recognise_impact_of_offending_on_others else 1,
        financial_reliance=ANY_PROBLEM_SCORE[request.over_reliance_on_others_for_financial_support],
        manipulative=ANY_PROBLEM_SCORE[request.manipulative_or_predatory_behaviour],
        recklessness=ANY_PROBLEM_SCORE[request.recklessness_and_risk_taking_behaviour],
        childhood_behaviour=request.is_evidence_of_childhood_behavioural_problems is True,
        impulsivity=ANY_PROBLEM_SCORE[request.impulsivity_problems],
        controlling=ANY_PROBLEM_SCORE[request.controlling_or_aggressive_behaviour],
    )


def male_indicator_items(request: RiskCalculationRequest) -> MaleIndicatorItems:
    return MaleIndicatorItems(
        childhood_difficulties=ANY_PROBLEM_SCORE[request.experience_of_childhood] == 1
        or request.is_evidence_of_childhood_behavioural_problems is True,
        mental_health_history=ANY_PROBLEM_SCORE[request.current_psychological_problems] == 1
        or ANY_PROBLEM_SCORE[request.current_psychiatric_problems] == 1
        or request.has_history_of_psychiatric_treatment is True
        or request.has_been_on_medication_for_mental_health_problems is True
        or request.has_ever_been_in_special_hospital_or_regional_secure_unit is True
        or request.has_current_psychiatric_treatment is True
        or request.has_displayed_obsessive_behaviour_linked_to_offending is True,
        self_harm=request.has_self_harm_or_attempted_suicide is True,
        severe_challenging_behaviour=ANY_PROBLEM_SCORE[request.attitude_towards_supervision_or_licence] == 1
        or request.has_assaulted_or_threatened_staff is True
        or request.has_escaped_or_absconded is True
        or request.has_control_issues is True,
    )


def female_items(request: RiskCalculationRequest) -> FemaleItems:
    return FemaleItems(
        weapon=request.did_offence_involve_carrying_or_using_weapon is True,
        violence=request.did_offence_involve_violence_or_threat_of_violence is True,
        excessive_violence=_excessive_violence(request),
        arson=request.did_offence_involve_arson is True,
        emotional_motivation=request.offence_motivation_emotional_state is True,
        offence_analysis_linked_to_risk=request.is_analysis_of_offence_issues_linked_to_risk is True,
        accommodation_linked_to_risk=request.has_accommodation_issues_linked_to_risk is True,
        childhood_experience=ANY_PROBLEM_SCORE[request.experience_of_childhood],
        domestic_abuse=request.evidence_of_domestic_abuse is True
        and (request.domestic_abuse_against_partner is True or request.domestic_abuse_against_family is True),
        relationships_linked_to_risk=request.relationship_issues_linked_to_risk is True,
        difficulties_coping=ANY_PROBLEM_SCORE[request.difficulties_coping],
        psychological_problems=ANY_PROBLEM_SCORE[request.current_psychological_problems],
        self_harm=request.has_self_harm_or_attempted_suicide is True,
        emotions_linked_to_risk=request.are_emotional_issues_linked_to_risk is True,
        thinking_and_behaviour_linked_to_risk=request.are_thinking_and_behaviour_issues_linked_to_risk
        is True,
    )


def screens_in(request: RiskCalculationRequest) -> bool:
    rules = screening_rules().personality_disorder
    if request.gender is Gender.MALE:
        return (
            sum(male_personality_items(request)) >= rules.male_personality_screen_in_from
            or sum(male_indicator_items(request)) >= rules.male_indicator_screen_in_from
        )
    return sum(female_items(request)) >= rules.female_screen_in_from


@answers_unexpected_errors(_failed)
def personality_disorder_screening(request: RiskCalculationRequest) -> PersonalityDisorderScreening:
    errors = validation_errors(request)
    if errors:
        return _failed(errors)
    questions = _male_questions(request) if request.gender is Gender.MALE else _female_questions(request)
    if questions.count(None) == len(questions):
        return _not_run()
    if not is_applicable(request):
        return {
            "opdCheck": True,
            "opdOverride": None,
            "opdResult": OpdResult.SCREEN_OUT,
            "validationError": [],
        }
    if screens_in(request):
        return {
            "opdCheck": True,
            "opdOverride": None,
            "opdResult": OpdResult.SCREEN_IN,
            "validationError": [],
        }
    return {
        "opdCheck": True,
        "opdOverride": bool(request.apply_opd_override),
        "opdResult": OpdResult.SCREEN_OUT,
        "validationError": [],
    }

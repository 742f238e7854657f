"""The calculator's input: the Ministry calculator's request, field for field (SPEC §2, SCREENING.md §2-5).

Every field may be absent, so that a missing input becomes a named error of the predictors that need it
rather than a parse failure. What does fail to parse (HTTP 422 upstream) is a value of the wrong type,
following the Ministry's rules (SPEC §9.1): unknown properties, enums given as numbers, booleans given as
0/1 or strings, numbers given as strings or beyond a Java int, and dates not written as ``YYYY-MM-DD``.
"""

import re
from collections.abc import Callable
from datetime import date, datetime
from operator import itemgetter
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from probation.risk.enums import (
    CurrentRelationshipStatus,
    Gender,
    HasQualifications,
    MotivationLevel,
    PniContext,
    PreviousConviction,
    ProblemLevel,
    RiskBand,
    SupervisionStatus,
    YesSometimesNo,
)

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_calendar_date(value: object) -> object:
    # Pydantic's lax date parsing would also take Unix timestamps and midnight datetimes; Java's
    # LocalDate takes neither.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be a calendar date written as YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_calendar_date)]
# The Ministry's counts are Java ints: a number beyond their range does not parse there either.
JavaInt = Annotated[StrictInt, Field(ge=-(2**31), le=2**31 - 1)]


class RiskCalculationRequest(BaseModel):
    """Case data for every predictor; camelCase in JSON, snake_case in Python."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    # Model version to score with, e.g. "V1_0"; the latest when absent.
    version: StrictStr | None = None

    # Criminal history (ARP, VRP, SVRP static; OGRS3).
    gender: Gender | None = None
    date_of_birth: IsoDate | None = None
    assessment_date: IsoDate | None = None
    date_of_current_conviction: IsoDate | None = None
    date_at_start_of_followup: IsoDate | None = None
    age_at_first_sanction: JavaInt | None = None
    total_number_of_sanctions_for_all_offences: JavaInt | None = None
    total_number_of_violent_sanctions: JavaInt | None = None
    current_offence_code: StrictStr | None = None

    # OASys needs (dynamic variants).
    did_offence_involve_carrying_or_using_weapon: StrictBool | None = None
    suitability_of_accommodation: ProblemLevel | None = None
    is_unemployed: StrictBool | None = None
    current_relationship_with_partner: ProblemLevel | None = None
    current_relationship_status: CurrentRelationshipStatus | None = None
    evidence_of_domestic_abuse: StrictBool | None = None
    regular_offending_activities: ProblemLevel | None = None
    motivation_to_tackle_drug_misuse: MotivationLevel | None = None
    current_alcohol_use_problems: ProblemLevel | None = None
    excessive_alcohol_use: ProblemLevel | None = None
    impulsivity_problems: ProblemLevel | None = None
    temper_control: ProblemLevel | None = None
    pro_criminal_attitudes: ProblemLevel | None = None
    previous_convictions: list[PreviousConviction] | None = None

    # Drug misuse in OASys section 8.
    has_heroin_usage: StrictBool | None = None
    has_methadone_usage: StrictBool | None = None
    has_other_opiate_usage: StrictBool | None = None
    has_crack_cocaine_usage: StrictBool | None = None
    has_powder_cocaine_usage: StrictBool | None = None
    has_misused_prescription_drug_usage: StrictBool | None = None
    has_benzodiazepines_usage: StrictBool | None = None
    has_cannabis_usage: StrictBool | None = None
    has_steroids_usage: StrictBool | None = None
    has_other_drugs_usage: StrictBool | None = None
    has_ketamine_usage: StrictBool | None = None
    has_spice_usage: StrictBool | None = None
    has_hallucinogens_usage: StrictBool | None = None
    has_solvents_usage: StrictBool | None = None
    # Part of the Ministry's request (its end-to-end fixture sends it), used by none of its predictors
    # or screening tools.
    current_drug_misuse: ProblemLevel | None = None

    # Sexual offending (DC-SRP, IIC-SRP, RSR).
    supervision_status: SupervisionStatus | None = None
    has_ever_committed_sexual_offence: StrictBool | None = None
    # Part of the Ministry's request, used by none of these predictors.
    is_current_offence_sexually_motivated: StrictBool | None = None
    is_current_offence_against_victim_stranger: StrictBool | None = None
    total_contact_adult_sexual_sanctions: JavaInt | None = None
    total_contact_child_sexual_sanctions: JavaInt | None = None
    total_non_contact_sexual_offences: JavaInt | None = None
    total_indecent_image_sanctions: JavaInt | None = None
    date_of_most_recent_sexual_offence: IsoDate | None = None
    most_recent_offence_date: IsoDate | None = None

    # Screening tools (SCREENING.md); an answer some other tool also reads is declared above only.
    # Maturity (MST).
    has_peer_group_influences: StrictBool | None = None
    influence_from_criminal_associates: ProblemLevel | None = None
    recklessness_and_risk_taking_behaviour: ProblemLevel | None = None
    difficulties_coping: ProblemLevel | None = None
    attitudes_towards_self: ProblemLevel | None = None
    problem_solving_skills: ProblemLevel | None = None
    awareness_of_consequences: YesSometimesNo | None = None
    understands_other_peoples_views: ProblemLevel | None = None

    # Learning disability (LDS).
    is_currently_of_no_fixed_abode_or_transient_accommodation: StrictBool | None = None
    work_related_skills: ProblemLevel | None = None
    problems_with_reading_writing_numeracy: ProblemLevel | None = None
    has_problems_with_reading: StrictBool | None = None
    has_problems_with_numeracy: StrictBool | None = None
    learning_difficulties: ProblemLevel | None = None
    professional_or_vocational_qualifications: HasQualifications | None = None

    # Offender personality disorder pathway (OPD).
    overall_risk_for_assessment: RiskBand | None = None
    # Required by the Ministry's OPD, used by none of its rules.
    highest_risk_level_over_all_assessments: RiskBand | None = None
    has_custodial_sentence: StrictBool | None = None
    is_eligible_for_mappa: StrictBool | None = None
    # The Ministry's spelling, which the alias generator would not produce.
    apply_opd_override: StrictBool | None = Field(default=None, alias="applyOPDOverride")
    domestic_abuse_against_partner: StrictBool | None = None
    domestic_abuse_against_family: StrictBool | None = None
    did_offence_involve_violence_or_threat_of_violence: StrictBool | None = None
    did_offence_involve_excessive_use_of_violence: StrictBool | None = None
    did_offence_involve_arson: StrictBool | None = None
    offence_motivation_emotional_state: StrictBool | None = None
    does_recognise_impact_of_offending_on_others: StrictBool | None = None
    over_reliance_on_others_for_financial_support: ProblemLevel | None = None
    manipulative_or_predatory_behaviour: ProblemLevel | None = None
    is_evidence_of_childhood_behavioural_problems: StrictBool | None = None
    controlling_or_aggressive_behaviour: ProblemLevel | None = None
    experience_of_childhood: ProblemLevel | None = None
    current_psychological_problems: ProblemLevel | None = None
    current_psychiatric_problems: ProblemLevel | None = None
    has_history_of_psychiatric_treatment: StrictBool | None = None
    has_been_on_medication_for_mental_health_problems: StrictBool | None = None
    has_ever_been_in_special_hospital_or_regional_secure_unit: StrictBool | None = None
    has_current_psychiatric_treatment: StrictBool | None = None
    has_displayed_obsessive_behaviour_linked_to_offending: StrictBool | None = None
    has_self_harm_or_attempted_suicide: StrictBool | None = None
    attitude_towards_supervision_or_licence: ProblemLevel | None = None
    has_assaulted_or_threatened_staff: StrictBool | None = None
    has_escaped_or_absconded: StrictBool | None = None
    has_control_issues: StrictBool | None = None
    is_analysis_of_offence_issues_linked_to_risk: StrictBool | None = None
    has_accommodation_issues_linked_to_risk: StrictBool | None = None
    relationship_issues_linked_to_risk: StrictBool | None = None
    are_emotional_issues_linked_to_risk: StrictBool | None = None
    are_thinking_and_behaviour_issues_linked_to_risk: StrictBool | None = None

    # Programme needs (PNI).
    is_a_risk_of_sexual_harm: StrictBool | None = None
    sexual_preoccupation: ProblemLevel | None = None
    offence_related_sexual_interests: ProblemLevel | None = None
    emotional_congruence_with_children: ProblemLevel | None = None
    hostile_orientation: ProblemLevel | None = None
    current_relationship_with_family_members: ProblemLevel | None = None
    previous_close_relationships: ProblemLevel | None = None
    easily_influenced_by_criminal_associates: ProblemLevel | None = None
    sara_risk_to_partner: RiskBand | None = None
    sara_risk_to_others: RiskBand | None = None

    # Not the Ministry's: which predictors' results PNI sees; FULL (the model's intent) when absent.
    pni_context: PniContext | None = None


class _FieldValues:
    """A request's field values as plain attributes (see ``field_values``); read-only."""

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a request's field values are read-only, so {name} cannot be set")


def field_values(request: RiskCalculationRequest) -> RiskCalculationRequest:
    """The request's fields, for the calculator's per-request code to read: each read costs about a quarter
    of one off the request itself.

    Pydantic keeps a model's field values in its instance dict, but every attribute read off the model goes
    through ``BaseModel.__getattr__``'s slot, which CPython 3.11 cannot specialise (~400 instructions a
    read). A plain object sharing that same dict is read by the specialised path (~100). So the view has
    the request's fields, typed as the request's, and nothing else (none of its methods); it shares the
    request's values rather than copying them, and cannot change them.
    """
    # Typed as the request, as the view answers every field attribute as the request would (and only
    # those); an annotation rather than typing.cast, whose call costs ~400 instructions.
    view: RiskCalculationRequest = _FieldValues()  # type: ignore[assignment]
    _set_attribute(view, "__dict__", request.__dict__)
    return view


# Past _FieldValues.__setattr__; read once, as looking it up costs more than the call.
_set_attribute = object.__setattr__


_ATTRIBUTE_BY_FIELD = {
    field.alias or attribute: attribute for attribute, field in RiskCalculationRequest.model_fields.items()
}


def field_reader(*fields: str) -> Callable[[RiskCalculationRequest], Any]:
    """What ``operator.attrgetter`` of the attributes behind ``fields`` (camelCase, as in the JSON) gives:
    the value of the one field, or a tuple of each field's value in that order.

    For fields named by data, such as the coefficient files' required inputs: one C call reads them all from
    the model's (or its ``field_values``') instance dict. Code that names its fields reads them as
    attributes of ``field_values``, which is cheaper still.
    """
    unknown = [field for field in fields if field not in _ATTRIBUTE_BY_FIELD]
    if unknown or not fields:
        raise ValueError(f"not fields of the request: {unknown or 'none given'}")
    values = itemgetter(*(_ATTRIBUTE_BY_FIELD[field] for field in fields))

    def read(request: RiskCalculationRequest) -> Any:
        return values(request.__dict__)

    return read

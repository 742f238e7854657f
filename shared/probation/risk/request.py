"""The calculator's input: the Ministry calculator's request, field for field (SPEC §2).

Every field may be absent, so that a missing input becomes a named error of the predictors that need it
rather than a parse failure. What does fail to parse (HTTP 422 upstream) is a value of the wrong type,
following the Ministry's rules (SPEC §9.1): unknown properties, enums given as numbers, booleans given as
0/1 or strings, numbers given as strings or beyond a Java int, and dates not written as ``YYYY-MM-DD``.
"""

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from probation.risk.enums import (
    CurrentRelationshipStatus,
    Gender,
    MotivationLevel,
    PreviousConviction,
    ProblemLevel,
    SupervisionStatus,
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

"""What the case records API accepts and returns. Field rules that need no other data live here."""

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    computed_field,
    model_validator,
)

from probation.domain.identifiers import (
    CRN_PATTERN,
    CRO_PATTERN,
    PNC_PATTERN,
    TEAM_CODE_PATTERN,
    pnc_check_character_is_valid,
)
from probation.domain.model import ApiModel
from probation.domain.risk_scoring.records import RiskSummary
from probation.domain.supervision.summary import Compliance, NextAppointment
from probation.risk.dates import add_months
from probation.risk.enums import Gender

Name = Annotated[
    str, StringConstraints(min_length=1, max_length=35, pattern=r"^[^\d<>{}\[\]\\/@#$%^*=+|~]+$")
]
Crn = Annotated[str, StringConstraints(pattern=CRN_PATTERN)]
TeamCode = Annotated[str, StringConstraints(pattern=TEAM_CODE_PATTERN)]
OffenceCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
FreeText = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=100)]


def _upper_case(value: object) -> object:
    return value.upper() if isinstance(value, str) else value


UpperCase = BeforeValidator(_upper_case)
Postcode = Annotated[str, UpperCase, StringConstraints(pattern=r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")]
PhoneNumber = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{7,20}$")]

# Age of criminal responsibility in England & Wales.
MINIMUM_AGE = 10


def _valid_pnc(value: str) -> str:
    if not pnc_check_character_is_valid(value):
        raise ValueError("PNC number's check character does not match its digits")
    return value


PncNumber = Annotated[str, UpperCase, StringConstraints(pattern=PNC_PATTERN), AfterValidator(_valid_pnc)]
CroNumber = Annotated[str, UpperCase, StringConstraints(pattern=CRO_PATTERN)]


def _not_in_future(value: date) -> date:
    if value > date.today():
        raise ValueError("must not be in the future")
    return value


PastDate = Annotated[date, AfterValidator(_not_in_future)]


def _plausible_birth_date(value: date) -> date:
    today = date.today()
    if value.year < 1900:
        raise ValueError("must be on or after 1900-01-01")
    age = today.year - value.year - ((today.month, today.day) < (value.month, value.day))
    if age < MINIMUM_AGE:
        raise ValueError(f"the person must be at least {MINIMUM_AGE} years old")
    return value


BirthDate = Annotated[date, AfterValidator(_plausible_birth_date)]


class Address(ApiModel):
    address_line1: ShortText
    address_line2: ShortText | None = None
    town: ShortText
    postcode: Postcode


class _PersonFields(ApiModel):
    first_name: Name
    middle_names: Name | None = None
    last_name: Name
    date_of_birth: BirthDate
    gender: Gender
    pnc_number: PncNumber | None = None
    cro_number: CroNumber | None = None
    address: Address | None = None
    phone_number: PhoneNumber | None = None
    ethnicity: ShortText | None = None
    preferred_language: ShortText | None = None


class NewCase(_PersonFields):
    """``POST /cases``: the server assigns the CRN."""

    team_code: TeamCode


class CasePatch(ApiModel):
    """``PATCH /cases/{crn}`` as a JSON Merge Patch (RFC 7396): absent keeps, null clears, a value replaces.

    ``address`` is replaced as a whole. The managing team changes through allocation, not here.
    """

    first_name: Name | None = None
    middle_names: Name | None = None
    last_name: Name | None = None
    date_of_birth: BirthDate | None = None
    gender: Gender | None = None
    pnc_number: PncNumber | None = None
    cro_number: CroNumber | None = None
    address: Address | None = None
    phone_number: PhoneNumber | None = None
    ethnicity: ShortText | None = None
    preferred_language: ShortText | None = None

    @model_validator(mode="after")
    def _required_fields_are_not_cleared(self) -> Self:
        for name in ("first_name", "last_name", "date_of_birth", "gender"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed, only replaced")
        if not self.model_fields_set:
            raise ValueError("the patch changes nothing: name at least one field")
        return self


class CaseStatus(StrEnum):
    """A case is CLOSED when none of its sentences is still active (each ended by a termination); a new
    conviction makes it ACTIVE again."""

    ACTIVE = "ACTIVE"
    CLOSED = "CLOSED"


class Case(NewCase):
    crn: Crn
    version: int
    created_at: datetime
    updated_at: datetime
    status: CaseStatus = Field(
        default=CaseStatus.ACTIVE,
        description="CLOSED once every sentence is terminated; a new conviction reopens it",
    )

    def patched(self, patch: CasePatch, at: datetime) -> "Case":
        changes = {name: getattr(patch, name) for name in patch.model_fields_set}
        return self.model_copy(update={**changes, "version": self.version + 1, "updated_at": at})


# ------------------------------------------------------------------ convictions and sentences


class SentenceType(StrEnum):
    COMMUNITY = "COMMUNITY"
    SUSPENDED = "SUSPENDED"
    CUSTODY = "CUSTODY"


class RequirementType(StrEnum):
    UNPAID_WORK = "UNPAID_WORK"
    REHABILITATION_ACTIVITY = "REHABILITATION_ACTIVITY"
    ACCREDITED_PROGRAMME = "ACCREDITED_PROGRAMME"
    PROHIBITED_ACTIVITY = "PROHIBITED_ACTIVITY"
    CURFEW = "CURFEW"
    EXCLUSION = "EXCLUSION"
    RESIDENCE = "RESIDENCE"
    FOREIGN_TRAVEL_PROHIBITION = "FOREIGN_TRAVEL_PROHIBITION"
    MENTAL_HEALTH_TREATMENT = "MENTAL_HEALTH_TREATMENT"
    DRUG_REHABILITATION = "DRUG_REHABILITATION"
    ALCOHOL_TREATMENT = "ALCOHOL_TREATMENT"
    ALCOHOL_ABSTINENCE_MONITORING = "ALCOHOL_ABSTINENCE_MONITORING"
    ATTENDANCE_CENTRE = "ATTENDANCE_CENTRE"
    ELECTRONIC_MONITORING = "ELECTRONIC_MONITORING"


class LengthUnit(StrEnum):
    HOURS = "HOURS"
    DAYS = "DAYS"
    MONTHS = "MONTHS"


class Requirement(ApiModel):
    type: RequirementType
    length: Annotated[int, Field(ge=1, le=999)] | None = None
    length_unit: LengthUnit | None = None

    @model_validator(mode="after")
    def _length_has_unit(self) -> Self:
        if (self.length is None) != (self.length_unit is None):
            raise ValueError("length and lengthUnit go together")
        return self


class Offence(ApiModel):
    offence_code: OffenceCode
    offence_date: PastDate
    main: bool = False
    description: str | None = Field(default=None, description="Filled by the server from the offence list")


def expected_end_date(sentence_date: date, length_months: int) -> date:
    """When a sentence (for custody, its licence) is expected to end: its date plus its length, on the same
    day of the month or the month's last day."""
    return add_months(sentence_date, length_months)


class Sentence(ApiModel):
    type: SentenceType
    sentence_date: PastDate
    length_months: Annotated[int, Field(ge=1, le=1200)]
    requirements: Annotated[list[Requirement], Field(max_length=20)] = []
    release_date: date | None = Field(default=None, description="Custody only: the (expected) release date")

    @model_validator(mode="after")
    def _fits_sentence_type(self) -> Self:
        if self.type is SentenceType.CUSTODY:
            if self.requirements:
                raise ValueError("a custodial sentence has no community requirements")
            if self.release_date is None:
                raise ValueError("releaseDate is required for a custodial sentence")
            if self.release_date < self.sentence_date:
                raise ValueError("releaseDate must not be before sentenceDate")
        elif self.release_date is not None:
            raise ValueError("releaseDate applies to custodial sentences only")
        return self

    @computed_field(  # type: ignore[prop-decorator]
        description="The sentence date plus its length: for custody, when the licence ends"
    )
    @property
    def expected_end_date(self) -> date:
        return expected_end_date(self.sentence_date, self.length_months)


class NewConviction(ApiModel):
    conviction_date: PastDate
    court: ShortText
    offences: Annotated[list[Offence], Field(min_length=1, max_length=20)]
    sentence: Sentence

    @model_validator(mode="after")
    def _one_main_offence_before_sentencing(self) -> Self:
        if sum(offence.main for offence in self.offences) != 1:
            raise ValueError("exactly one offence must be marked main")
        if any(offence.offence_date > self.conviction_date for offence in self.offences):
            raise ValueError("an offence date must not be after the conviction date")
        if self.sentence.sentence_date < self.conviction_date:
            raise ValueError("sentence.sentenceDate must not be before convictionDate")
        return self


class TerminationReason(StrEnum):
    """Why a sentence ended early or on time (nDelius's termination reasons, grouped)."""

    COMPLETED = "COMPLETED"
    REVOKED_ON_BREACH = "REVOKED_ON_BREACH"
    REVOKED_OTHER = "REVOKED_OTHER"
    DECEASED = "DECEASED"
    TRANSFERRED_OUT_OF_JURISDICTION = "TRANSFERRED_OUT_OF_JURISDICTION"
    OTHER = "OTHER"


class NewTermination(ApiModel):
    date: PastDate = Field(description="When the sentence ended")
    reason: TerminationReason
    notes: FreeText | None = None


class Termination(NewTermination):
    terminated_by: str
    terminated_at: datetime
    cancelled_appointment_ids: list[str] = Field(
        default_factory=list, description="The future appointments the termination cancelled"
    )


class RequirementTerminationReason(StrEnum):
    COMPLETED = "COMPLETED"
    REVOKED = "REVOKED"


class NewRequirementTermination(ApiModel):
    date: PastDate = Field(description="When the requirement ended")
    reason: RequirementTerminationReason
    notes: FreeText | None = None


class RequirementTermination(NewRequirementTermination):
    terminated_by: str
    terminated_at: datetime


class Conviction(NewConviction):
    conviction_number: int
    created_at: datetime
    termination: Termination | None = Field(default=None, description="Set once the sentence has ended")
    requirement_terminations: dict[str, RequirementTermination] = Field(
        default_factory=dict, description="Requirements ended before their sentence, by requirement id"
    )

    @property
    def main_offence(self) -> Offence:
        return next(offence for offence in self.offences if offence.main)

    @property
    def active(self) -> bool:
        return self.termination is None


# ------------------------------------------------------------------ previous sanctions


class NewSanction(ApiModel):
    sanction_date: PastDate
    offence_code: OffenceCode
    outcome: ShortText | None = Field(default=None, description="e.g. caution, fine, community order")


class NewSanctions(ApiModel):
    """``POST /cases/{crn}/sanctions``: the criminal history, recorded in one go."""

    sanctions: Annotated[list[NewSanction], Field(min_length=1, max_length=50)]


class Sanction(NewSanction):
    sanction_id: str
    offence_description: str
    violent: bool
    recorded_at: datetime


# ------------------------------------------------------------------ contacts


class ContactType(StrEnum):
    OFFICE_APPOINTMENT = "OFFICE_APPOINTMENT"
    HOME_VISIT = "HOME_VISIT"
    VIDEO_APPOINTMENT = "VIDEO_APPOINTMENT"
    PHONE_CALL = "PHONE_CALL"
    EMAIL = "EMAIL"
    UNPAID_WORK_SESSION = "UNPAID_WORK_SESSION"
    PROGRAMME_SESSION = "PROGRAMME_SESSION"
    CASE_NOTE = "CASE_NOTE"


class ContactOutcome(StrEnum):
    ATTENDED_COMPLIED = "ATTENDED_COMPLIED"
    ATTENDED_FAILED_TO_COMPLY = "ATTENDED_FAILED_TO_COMPLY"
    FAILED_TO_ATTEND_ACCEPTABLE = "FAILED_TO_ATTEND_ACCEPTABLE"
    FAILED_TO_ATTEND_UNACCEPTABLE = "FAILED_TO_ATTEND_UNACCEPTABLE"
    RESCHEDULED = "RESCHEDULED"


class ContactSource(StrEnum):
    STAFF = "STAFF"
    PARTNER = "PARTNER"


# A device clock a little ahead of ours must not make a contact typed "now" a future one.
CLOCK_SKEW = timedelta(minutes=2)


def _has_happened(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("needs a UTC offset, for example 2026-11-26T10:00:00Z")
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError(
            "must be now or in the past: a meeting still to come is an appointment, not a contact"
        )
    return value


class NewContact(ApiModel):
    type: ContactType
    contact_date: Annotated[datetime, AfterValidator(_has_happened)] = Field(
        description="When it happened, with a UTC offset: now or in the past, and not before the person's "
        "10th birthday (the age of criminal responsibility)"
    )
    outcome: ContactOutcome | None = None
    notes: FreeText | None = None
    sensitive: bool = False


class Contact(ApiModel):
    """A contact on the case's one timeline. An appointment is a contact with a start (``contactDate``) and
    an ``end``, as in nDelius; its ``appointmentStatus``, nDelius ``outcomeCode`` and enforcement action are
    set."""

    type: ContactType
    contact_date: datetime
    outcome: ContactOutcome | None = None
    notes: FreeText | None = None
    sensitive: bool = False
    contact_id: str
    author: str
    author_name: str | None = Field(
        default=None, description="The author's name when the contact was recorded (null if not known)"
    )
    source: ContactSource
    partner_id: str | None = None
    recorded_at: datetime
    end: datetime | None = Field(default=None, description="An appointment's end")
    appointment_status: str | None = Field(
        default=None, description="An appointment's status: SCHEDULED, COMPLETED, RESCHEDULED or CANCELLED"
    )
    outcome_code: str | None = Field(default=None, description="An appointment's nDelius outcome code")
    enforcement_action: str | None = None
    requirement_id: str | None = None


# ------------------------------------------------------------------ registrations


class MappaLevel(StrEnum):
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"


class MappaCategory(StrEnum):
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M4 = "M4"


class NewRegistration(ApiModel):
    type: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,6}$")] = Field(
        description="nDelius register code: RVHR, RHRH, RMRH, RLRH (RoSH), MAPP (MAPPA), or a flag"
    )
    registration_date: PastDate
    mappa_level: MappaLevel | None = None
    mappa_category: MappaCategory | None = None
    notes: FreeText | None = None
    review_date: date | None = None


class RegistrationStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DEREGISTERED = "DEREGISTERED"


class Deregistration(ApiModel):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class Registration(NewRegistration):
    registration_id: str
    description: str
    group: str
    status: RegistrationStatus
    registered_by: str
    deregistered_at: datetime | None = None
    deregistered_by: str | None = None
    deregistration_reason: str | None = None
    version: int


# ------------------------------------------------------------------ reads


class CaseOverview(ApiModel):
    case: Case
    convictions: list[Conviction]
    sanctions: list[Sanction]
    registrations: list[Registration]
    contacts: list[Contact] = Field(
        description="The head of the timeline (contacts and appointments, newest first, at most 10); "
        "GET /cases/{crn}/contacts pages the rest"
    )
    latest_risk: RiskSummary | None = Field(
        default=None,
        description="The latest risk scores and screening results; none until the case is scored",
    )
    compliance: Compliance | None = Field(
        default=None, description="The compliance summary; none until the case has a sentence"
    )
    next_appointments: list[NextAppointment] = Field(
        default_factory=list, description="The next appointments, soonest first"
    )

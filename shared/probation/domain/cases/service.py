"""The rules of the case records service. Pure: storage, clock and ids come in through small interfaces."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from probation.domain.audit import AuditAction, AuditingService, AuditRecord
from probation.domain.cases.models import (
    MINIMUM_AGE,
    Case,
    CaseOverview,
    CasePatch,
    CaseStatus,
    Contact,
    ContactSource,
    Conviction,
    Deregistration,
    NewCase,
    NewContact,
    NewConviction,
    NewRegistration,
    NewSanctions,
    Registration,
    RegistrationStatus,
    Sanction,
)
from probation.domain.cases.ports import (
    SUMMARY_ATTEMPTS,
    CaseRepository,
    ConcurrentChange,
    StoredCase,
    SummaryChanged,
)
from probation.domain.cases.registers import MAPPA_CODE, REGISTER_TYPES, RegisterType
from probation.domain.errors import (
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PreconditionRequired,
    Unavailable,
    no_such_team,
    stale,
)
from probation.domain.events import DomainEvent, case_event
from probation.domain.identifiers import new_crn
from probation.domain.principal import STAFF_ROLES, Caller, PrincipalKind, Role
from probation.domain.supervision.rules import with_recent
from probation.domain.supervision.summary import SupervisionSummary

# Conditional writes that lose a race are retried from a fresh read this many times.
MAX_ATTEMPTS = 5

AUDIT_READERS = frozenset({Role.MANAGER, Role.ADMIN})

T = TypeVar("T")


@dataclass(frozen=True)
class KnownOffence:
    code: str
    description: str
    violent: bool


OffenceLookup = Callable[[str], KnownOffence | None]


@dataclass(kw_only=True)
class CaseService(AuditingService):
    audit_resource = "case"
    repository: CaseRepository
    offences: OffenceLookup

    # ------------------------------------------------------------------ person

    def create_case(self, new_case: NewCase, caller: Caller) -> Case:
        caller.principal.require_any(STAFF_ROLES)
        if not self.repository.team_exists(new_case.team_code):
            raise no_such_team(new_case.team_code)
        now = self.clock.now()
        for _ in range(MAX_ATTEMPTS):
            case = Case(**dict(new_case), crn=new_crn(), version=1, created_at=now, updated_at=now)
            event = self._event(
                caller,
                "probation-case.engagement.created",
                case.crn,
                f"A new case {case.crn} was created for team {case.team_code}",
                f"/cases/{case.crn}",
                teamCode=case.team_code,
            )
            try:
                self.repository.create(
                    case, event, self._audit(caller, case.crn, AuditAction.CREATE, event, resource="case")
                )
            except ConcurrentChange:
                continue  # the random CRN was taken: draw another
            return case
        raise Conflict("Could not assign a free CRN; please retry.")

    def get_case(self, crn: str, caller: Caller) -> Case:
        caller.principal.require_any(STAFF_ROLES)
        case = self._stored(crn).case
        self._record_read(caller, crn, "case")
        return case

    def update_case(self, crn: str, patch: CasePatch, expected_version: int | None, caller: Caller) -> Case:
        caller.principal.require_any(STAFF_ROLES)
        if expected_version is None:
            raise PreconditionRequired("PATCH needs an If-Match header with the ETag of the case you read.")
        current = self._stored(crn).case
        if current.version != expected_version:
            raise stale(current.version)
        updated = current.patched(patch, self.clock.now())
        changed = sorted(patch.model_dump(by_alias=True, exclude_unset=True))
        event = self._event(
            caller,
            "probation-case.personal-details.updated",
            crn,
            f"Personal details of {crn} were updated: {', '.join(changed)}",
            f"/cases/{crn}",
            changedFields=changed,
        )
        try:
            self.repository.update(
                updated,
                expected_version,
                event,
                self._audit(caller, crn, AuditAction.UPDATE, event, resource="case"),
            )
        except ConcurrentChange:
            raise stale(self._stored(crn).case.version) from None
        return updated

    def search(
        self, last_name: str, date_of_birth: date, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[list[Case], str | None]:
        caller.principal.require_any(STAFF_ROLES)
        cases, next_cursor = self.repository.search(last_name, date_of_birth, limit, cursor)
        now = self.clock.now()
        self.repository.record_reads(
            [self._audit(caller, case.crn, AuditAction.SEARCH, resource="case", at=now) for case in cases]
        )
        return cases, next_cursor

    def overview(self, crn: str, caller: Caller) -> CaseOverview:
        caller.principal.require_any(STAFF_ROLES)
        overview = self.repository.overview(crn)
        if overview is None:
            raise _no_case(crn)
        self._record_read(caller, crn, "overview")
        return overview

    # ------------------------------------------------------------------ convictions and sanctions

    def add_conviction(self, crn: str, new_conviction: NewConviction, caller: Caller) -> Conviction:
        caller.principal.require_any(STAFF_ROLES)
        offences = [
            offence.model_copy(update={"description": known.description})
            for offence, known in zip(
                new_conviction.offences,
                self._known_offences(
                    [
                        (f"offences[{i}].offenceCode", o.offence_code)
                        for i, o in enumerate(new_conviction.offences)
                    ]
                ),
                strict=True,
            )
        ]

        def attempt(stored: StoredCase) -> Conviction:
            _after_birth(stored.case, new_conviction.conviction_date, "convictionDate")
            conviction = Conviction(
                **{**dict(new_conviction), "offences": offences},
                conviction_number=stored.conviction_count + 1,
                created_at=self.clock.now(),
            )
            main = conviction.main_offence
            event = self._event(
                caller,
                "probation-case.sentence.created",
                crn,
                f"Conviction {conviction.conviction_number} of {crn}: {conviction.sentence.type} sentence",
                f"/cases/{crn}/overview",
                convictionNumber=conviction.conviction_number,
                sentenceType=conviction.sentence.type,
                sentenceDate=conviction.sentence.sentence_date.isoformat(),
                mainOffenceCode=main.offence_code,
            )
            events = [event]
            status = stored.case.status
            if status is CaseStatus.CLOSED:
                events.append(
                    self._event(
                        caller,
                        "probation-case.reopened",
                        crn,
                        f"{crn} reopened by conviction {conviction.conviction_number}",
                        f"/cases/{crn}",
                        convictionNumber=conviction.conviction_number,
                    )
                )
            self.repository.add_conviction(
                crn,
                conviction,
                events,
                self._audit(caller, crn, AuditAction.CREATE, event, resource="conviction"),
                status,
            )
            return conviction

        return self._with_retries(crn, attempt)

    def record_sanctions(self, crn: str, new_sanctions: NewSanctions, caller: Caller) -> list[Sanction]:
        caller.principal.require_any(STAFF_ROLES)
        known = self._known_offences(
            [(f"sanctions[{i}].offenceCode", s.offence_code) for i, s in enumerate(new_sanctions.sanctions)]
        )
        stored = self._stored(crn)
        for index, sanction in enumerate(new_sanctions.sanctions):
            _after_birth(stored.case, sanction.sanction_date, f"sanctions[{index}].sanctionDate")
        now = self.clock.now()
        sanctions = [
            Sanction(
                **dict(sanction),
                sanction_id=self.new_id(),
                offence_description=offence.description,
                violent=offence.violent,
                recorded_at=now,
            )
            for sanction, offence in zip(new_sanctions.sanctions, known, strict=True)
        ]
        event = self._event(
            caller,
            "probation-case.sanctions.recorded",
            crn,
            f"{len(sanctions)} previous sanction(s) recorded for {crn}",
            f"/cases/{crn}/overview",
            sanctionIds=[sanction.sanction_id for sanction in sanctions],
        )
        self.repository.add_sanctions(
            crn, sanctions, event, self._audit(caller, crn, AuditAction.CREATE, event, resource="sanctions")
        )
        return sanctions

    # ------------------------------------------------------------------ contacts

    def record_contact(
        self, crn: str, new_contact: NewContact, caller: Caller, expected_version: int | None = None
    ) -> Contact:
        """``expected_version`` (If-Match, optional): record it only if the case is still as the author read
        it, so a note written against details someone else has since changed is not filed unseen."""
        principal = caller.principal
        principal.require_any(STAFF_ROLES | {Role.PARTNER})
        context = self.repository.contact_context(crn, principal)
        if context is None:
            raise _no_case(crn)
        _within_responsibility(context.stored.case, new_contact.contact_date.date(), "contactDate")
        summary = context.summary
        for _ in range(SUMMARY_ATTEMPTS):
            try:
                return self._record_contact_once(
                    crn, new_contact, caller, expected_version, summary, context.author_name
                )
            except SummaryChanged:
                # Another change of the timeline's head came first: put this one in the new head.
                summary = self.repository.summary(crn)
        raise Unavailable()

    def _record_contact_once(
        self,
        crn: str,
        new_contact: NewContact,
        caller: Caller,
        expected_version: int | None,
        summary: SupervisionSummary,
        author_name: str | None,
    ) -> Contact:
        principal = caller.principal
        is_partner = principal.kind is PrincipalKind.PARTNER
        contact = Contact(
            **dict(new_contact),
            contact_id=self.new_id(),
            author=principal.subject,
            author_name=author_name,
            source=ContactSource.PARTNER if is_partner else ContactSource.STAFF,
            partner_id=principal.partner_id if is_partner else None,
            recorded_at=self.clock.now(),
        )
        event = self._event(
            caller,
            "probation-case.contact.created",
            crn,
            f"A {contact.type} contact was recorded for {crn}",
            f"/cases/{crn}/contacts",
            contactId=contact.contact_id,
            contactType=contact.type,
            contactDate=contact.contact_date.isoformat(),
            outcome=contact.outcome,
            source=contact.source,
        )
        audit = self._audit(caller, crn, AuditAction.CREATE, event, resource="contact")
        head = with_recent(summary, contact.model_dump(mode="json", by_alias=True))
        try:
            self.repository.add_contact(
                crn,
                contact,
                event,
                audit,
                expected_version,
                head.model_copy(update={"version": summary.version + 1}),
            )
        except ConcurrentChange:
            raise stale(self._stored(crn).case.version) from None
        return contact

    def contacts(
        self, crn: str, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[list[Contact], str | None]:
        caller.principal.require_any(STAFF_ROLES)
        self._stored(crn)
        page = self.repository.contacts(crn, limit, cursor)
        self._record_read(caller, crn, "contacts")
        return page

    # ------------------------------------------------------------------ registrations

    def add_registration(self, crn: str, new_registration: NewRegistration, caller: Caller) -> Registration:
        caller.principal.require_any(STAFF_ROLES)
        register = _register_type(new_registration)

        def attempt(stored: StoredCase) -> Registration:
            _after_birth(stored.case, new_registration.registration_date, "registrationDate")
            now = self.clock.now()
            registration = Registration(
                **dict(new_registration),
                registration_id=self.new_id(),
                description=register.description,
                group=register.group,
                status=RegistrationStatus.ACTIVE,
                registered_by=caller.principal.subject,
                version=1,
            )
            events = [self._registration_event(caller, crn, registration, "added")]
            superseded = None
            holder = stored.active_registrations.get(register.uniqueness_key)
            if holder is not None:
                if not register.supersedes_within_group:
                    raise Conflict(f"{crn} already has an active {register.code} registration ({holder}).")
                current = self.repository.registration(crn, holder)
                if current is None:
                    raise ConcurrentChange(["registration slot"])
                superseded = _deregistered(current, f"Superseded by {register.code}", caller, now)
                events.append(self._registration_event(caller, crn, superseded, "deregistered"))
            self.repository.add_registration(
                crn,
                registration,
                register.uniqueness_key,
                superseded,
                events,
                self._audit(caller, crn, AuditAction.CREATE, events[0], resource="registration"),
            )
            return registration

        return self._with_retries(crn, attempt)

    def deregister(
        self,
        crn: str,
        registration_id: str,
        deregistration: Deregistration,
        expected_version: int | None,
        caller: Caller,
    ) -> Registration:
        caller.principal.require_any(STAFF_ROLES)
        current = self.repository.registration(crn, registration_id)
        if current is None:
            raise NotFound(f"No registration {registration_id} on case {crn}.")
        if current.status is RegistrationStatus.DEREGISTERED:
            raise Conflict(f"Registration {registration_id} was already deregistered.")
        if expected_version is not None and expected_version != current.version:
            raise stale(current.version)
        updated = _deregistered(current, deregistration.reason, caller, self.clock.now())
        event = self._registration_event(caller, crn, updated, "deregistered")
        register = REGISTER_TYPES[current.type]
        try:
            self.repository.deregister(
                crn,
                updated,
                register.uniqueness_key,
                event,
                self._audit(caller, crn, AuditAction.DELETE, event, resource="registration"),
            )
        except ConcurrentChange:
            latest = self.repository.registration(crn, registration_id)
            if latest is not None and latest.status is RegistrationStatus.DEREGISTERED:
                raise Conflict(f"Registration {registration_id} was already deregistered.") from None
            raise stale(latest.version if latest else current.version) from None
        return updated

    # ------------------------------------------------------------------ access log

    def audit_trail(
        self, crn: str, limit: int, cursor: str | None, caller: Caller
    ) -> tuple[list[AuditRecord], str | None]:
        caller.principal.require_any(AUDIT_READERS)
        self._stored(crn)
        page = self.repository.audit_trail(crn, limit, cursor)
        self._record_read(caller, crn, "audit")
        return page

    # ------------------------------------------------------------------ helpers

    def _stored(self, crn: str) -> StoredCase:
        stored = self.repository.get(crn)
        if stored is None:
            raise _no_case(crn)
        return stored

    def _with_retries(self, crn: str, attempt: Callable[[StoredCase], T]) -> T:
        """Runs ``attempt`` on a fresh read until its conditional write is not overtaken by another."""
        for _ in range(MAX_ATTEMPTS):
            try:
                return attempt(self._stored(crn))
            except ConcurrentChange:
                continue
        raise Conflict(f"Case {crn} is changing too quickly to apply this; please retry.")

    def _known_offences(self, codes: list[tuple[str, str]]) -> list[KnownOffence]:
        found = [(field_name, code, self.offences(code)) for field_name, code in codes]
        errors = [
            FieldError(field_name, f"{code} is not a Home Office offence code on the offence list")
            for field_name, code, known in found
            if known is None
        ]
        if errors:
            raise InvalidInput(errors)
        return [known for _, _, known in found if known is not None]

    def _registration_event(
        self, caller: Caller, crn: str, registration: Registration, change: str
    ) -> DomainEvent:
        return self._event(
            caller,
            f"probation-case.registration.{change}",
            crn,
            f"{registration.description} registration {change} on {crn}",
            f"/cases/{crn}/overview",
            registrationId=registration.registration_id,
            registerTypeCode=registration.type,
            registerTypeDescription=registration.description,
            registerGroup=registration.group,
            mappaLevel=registration.mappa_level,
            mappaCategory=registration.mappa_category,
            reason=registration.deregistration_reason,
        )

    def _event(
        self,
        caller: Caller,
        event_type: str,
        crn: str,
        description: str,
        detail_url: str,
        **information: object,
    ) -> DomainEvent:
        return case_event(
            event_id=self.new_id(),
            event_type=event_type,
            crn=crn,
            occurred_at=self.clock.now(),
            description=description,
            detail_url=detail_url,
            correlation_id=caller.correlation_id,
            **{name: value for name, value in information.items() if value is not None},
        )

    def _record_read(self, caller: Caller, crn: str, resource: str) -> None:
        self.repository.record_reads([self._audit(caller, crn, AuditAction.READ, resource=resource)])


def _no_case(crn: str) -> NotFound:
    return NotFound(f"No case with CRN {crn}.")


def _after_birth(case: Case, value: date, field_name: str) -> None:
    if value <= case.date_of_birth:
        raise InvalidInput([FieldError(field_name, "must be after the person's date of birth")])


def _within_responsibility(case: Case, value: date, field_name: str) -> None:
    """No one is supervised before the age of criminal responsibility, so an earlier date is a typing slip
    (a year of "26" read as 0026, say)."""
    tenth_birthday = _birthday(case.date_of_birth, MINIMUM_AGE)
    if value < tenth_birthday:
        raise InvalidInput(
            [
                FieldError(
                    field_name,
                    f"must be on or after the person's {MINIMUM_AGE}th birthday "
                    f"({tenth_birthday:%-d %B %Y}), the age of criminal responsibility",
                )
            ]
        )


def _birthday(birth: date, age: int) -> date:
    try:
        return birth.replace(year=birth.year + age)
    except ValueError:  # born on 29 February, and that year has none
        return birth.replace(year=birth.year + age, day=28)


def _register_type(new_registration: NewRegistration) -> RegisterType:
    register = REGISTER_TYPES.get(new_registration.type)
    if register is None:
        known = ", ".join(sorted(REGISTER_TYPES))
        raise InvalidInput(
            [FieldError("type", f"{new_registration.type} is not a register type: one of {known}")]
        )
    is_mappa = register.code == MAPPA_CODE
    errors = [
        FieldError(
            name,
            "is required for a MAPPA registration" if is_mappa else "applies to MAPPA registrations only",
        )
        for name, value in (
            ("mappaLevel", new_registration.mappa_level),
            ("mappaCategory", new_registration.mappa_category),
        )
        if (value is None) == is_mappa
    ]
    if errors:
        raise InvalidInput(errors)
    return register


def _deregistered(registration: Registration, reason: str, caller: Caller, at: datetime) -> Registration:
    return registration.model_copy(
        update={
            "status": RegistrationStatus.DEREGISTERED,
            "deregistered_at": at,
            "deregistered_by": caller.principal.subject,
            "deregistration_reason": reason,
            "version": registration.version + 1,
        }
    )

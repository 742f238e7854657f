"""Partner rules: registration, a provider's view of exactly its own cases, its feed and its webhooks."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from probation.domain.allocation.models import ALLOCATED, Allocation
from probation.domain.assessments.models import CaseState
from probation.domain.audit import AuditAction, AuditingService
from probation.domain.cases.models import Contact, ContactSource, NewContact
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.cases.service import MAX_ATTEMPTS, CaseService
from probation.domain.errors import Conflict, FieldError, InvalidInput, NotFound
from probation.domain.events import DomainEvent
from probation.domain.partners.models import (
    Delivery,
    Feed,
    NewPartner,
    NewSubscription,
    Partner,
    PartnerCase,
    PartnerCaseSummary,
    PartnerCredentials,
    PartnerPerson,
    PartnerRegistration,
    PartnerSentence,
    Scope,
    Subscription,
    SubscriptionWithSecret,
)
from probation.domain.partners.ports import (
    AlreadyInFeed,
    DuplicatePartner,
    IdentityProvider,
    PartnerRepository,
    SubscriptionLimitReached,
    UsagePlan,
)
from probation.domain.partners.webhooks import new_delivery
from probation.domain.principal import Caller, Role
from probation.domain.risk_scoring.records import headline_bands
from probation.domain.supervision.models import Appointment, NewAppointment, OutcomeRecord
from probation.domain.supervision.service import SupervisionService

ADMINS = frozenset({Role.ADMIN})
MAX_SUBSCRIPTIONS = 10
"""Each feed entry writes a delivery per subscription in one transaction, which holds 100 writes."""
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(kw_only=True)
class PartnerService(AuditingService):
    audit_resource = "partner-view"
    repository: PartnerRepository
    identity: IdentityProvider
    usage_plan: UsagePlan
    cases: CaseService
    supervision: SupervisionService | None = None
    allow_loopback_webhooks: bool = False
    """Plain-http webhooks on this machine, for the local runner and its tests; never in AWS."""

    def register(self, new_partner: NewPartner, caller: Caller) -> PartnerCredentials:
        caller.principal.require_any(ADMINS)
        if any(p.partner_id == new_partner.partner_id for p in self.repository.partners()):
            raise Conflict(f"Partner {new_partner.partner_id} is already registered.")
        client_id, secret, token_scopes = self.identity.create_client(
            new_partner.partner_id, [scope.value for scope in new_partner.scopes]
        )
        partner = Partner(
            **dict(new_partner),
            client_id=client_id,
            registered_at=self.clock.now(),
            registered_by=caller.principal.subject,
        )
        # Each step undone when a later one fails, so no client or key is left that nothing records.
        try:
            usage_key = self.usage_plan.issue_key(new_partner.partner_id)
            try:
                self.repository.save_partner(partner, usage_key.value)
            except BaseException:
                self.usage_plan.revoke_key(usage_key)
                raise
        except DuplicatePartner:
            self.identity.delete_client(client_id)
            raise Conflict(f"Partner {new_partner.partner_id} is already registered.") from None
        except BaseException:
            self.identity.delete_client(client_id)
            raise
        return PartnerCredentials(
            partner=partner, client_id=client_id, client_secret=secret, scopes=token_scopes
        )

    def partners(self, caller: Caller) -> list[Partner]:
        caller.principal.require_any(ADMINS)
        return self.repository.partners()

    def case_list(
        self, caller: Caller, limit: int, cursor: str | None
    ) -> tuple[list[PartnerCaseSummary], str | None]:
        partner_id = self._partner(caller, Scope.CASES_READ)
        allocations, next_cursor = self.repository.partner_cases(partner_id, limit, cursor)
        now = self.clock.now()
        self.cases.repository.record_reads(
            [self._audit(caller, a.crn, AuditAction.SEARCH, at=now) for a in allocations]
        )
        return [
            PartnerCaseSummary(
                crn=a.crn,
                name=a.facts.name,
                tier=a.tier.tier if a.tier else None,
                allocated_at=a.allocated_at,
            )
            for a in allocations
        ], next_cursor

    def case(self, crn: str, caller: Caller) -> PartnerCase:
        partner_id = self._partner(caller, Scope.CASES_READ)
        allocation = self._allocated_to(crn, partner_id)
        state = self.repository.case_state(crn)
        if state is None:
            raise _no_case(crn)
        self.cases.repository.record_reads([self._audit(caller, crn, AuditAction.READ)])
        return _partner_view(state, allocation, partner_id)

    def record_contact(self, crn: str, new_contact: NewContact, caller: Caller) -> Contact:
        partner_id = self._partner(caller, Scope.CONTACTS_WRITE)
        self._allocated_to(crn, partner_id)
        return self.cases.record_contact(crn, new_contact, caller)

    def arrange_appointments(self, crn: str, new: NewAppointment, caller: Caller) -> Appointment:
        """Under the same rules as staff, with the partner as source; another partner's case is 404."""
        partner_id = self._partner(caller, Scope.CONTACTS_WRITE)
        self._allocated_to(crn, partner_id)
        return self._supervision().create_appointments(crn, new, caller)

    def appointment(self, crn: str, appointment_id: str, caller: Caller) -> Appointment:
        """One of the appointments the partner arranged, with its ETag."""
        partner_id = self._partner(caller, Scope.CASES_READ)
        self._allocated_to(crn, partner_id)
        return self._supervision().appointment(crn, appointment_id, caller)

    def record_outcome(
        self,
        crn: str,
        appointment_id: str,
        record: OutcomeRecord,
        expected_version: int | None,
        caller: Caller,
    ) -> Appointment:
        partner_id = self._partner(caller, Scope.CONTACTS_WRITE)
        self._allocated_to(crn, partner_id)
        return self._supervision().record_outcome(crn, appointment_id, record, expected_version, caller)

    def _supervision(self) -> SupervisionService:
        if self.supervision is None:
            raise NotFound("Appointments are not served here.")
        return self.supervision

    def feed(self, caller: Caller, after: int, limit: int) -> Feed:
        partner_id = self._partner(caller, Scope.EVENTS_READ)
        entries = self.repository.feed(partner_id, after, limit)
        # What the page tells the partner about each case is a disclosure, logged in that case's audit.
        crns = dict.fromkeys(e.event.person_reference.identifiers[0].value for e in entries)
        now = self.clock.now()
        self.cases.repository.record_reads(
            [self._audit(caller, crn, AuditAction.READ, resource="partner-feed", at=now) for crn in crns]
        )
        return Feed(items=entries, cursor=str(entries[-1].sequence if entries else after))

    def on_event(self, event: DomainEvent) -> list[str]:
        """Appends ``event`` to the feed of every partner it concerns: the case's partner, and on an
        allocation both the partner it goes to and the one it leaves. Returns those partners."""
        crn = event.person_reference.identifiers[0].value
        partners = {
            str(event.additional_information[name])
            for name in ("partnerId", "previousPartnerId")
            if event.event_type == ALLOCATED and event.additional_information.get(name)
        }
        allocation = self.repository.allocation(crn)
        if allocation is not None and allocation.partner_id:
            partners.add(allocation.partner_id)
        for partner_id in sorted(partners):
            self._append(partner_id, event)
        return sorted(partners)

    def _append(self, partner_id: str, event: DomainEvent) -> None:
        """Each entry takes the next place only if the feed still ends where it was read: no gaps, no
        reordering, whatever appends race; a redelivered event is already in place. Each subscription
        that wants the event gets a delivery in the same write."""
        subscriptions = [s for s in self.repository.subscriptions(partner_id) if s.wants(event.event_type)]
        for _ in range(MAX_ATTEMPTS):
            sequence = self.repository.feed_end(partner_id) + 1
            now = self.clock.now()
            deliveries = [new_delivery(s, self.new_id(), sequence, event, now) for s in subscriptions]
            try:
                self.repository.append_to_feed(partner_id, sequence, event, deliveries)
            except AlreadyInFeed:
                return
            except ConcurrentChange:
                continue
            return
        raise Conflict(f"The feed of {partner_id} is changing too quickly; the event will be retried.")

    def subscribe(self, new_subscription: NewSubscription, caller: Caller) -> Subscription:
        partner_id = self._partner(caller, Scope.EVENTS_READ)
        url = urlsplit(new_subscription.url)
        if url.scheme != "https" and not (self.allow_loopback_webhooks and url.hostname in LOOPBACK_HOSTS):
            raise InvalidInput([FieldError("url", "must be an https URL")])
        subscription = SubscriptionWithSecret(
            subscription_id=self.new_id(),
            partner_id=partner_id,
            url=new_subscription.url,
            event_types=new_subscription.event_types,
            secret=new_subscription.secret,
            created_at=self.clock.now(),
            created_by=caller.principal.subject,
        )
        try:
            self.repository.save_subscription(subscription, MAX_SUBSCRIPTIONS)
        except SubscriptionLimitReached:
            raise Conflict(
                f"A partner can hold at most {MAX_SUBSCRIPTIONS} subscriptions; delete one first."
            ) from None
        return subscription.public()

    def subscriptions(self, caller: Caller) -> list[Subscription]:
        partner_id = self._partner(caller, Scope.EVENTS_READ)
        return [s.public() for s in self.repository.subscriptions(partner_id)]

    def subscription(self, subscription_id: str, caller: Caller) -> Subscription:
        partner_id = self._partner(caller, Scope.EVENTS_READ)
        found = self.repository.subscription(partner_id, subscription_id)
        if found is None:
            raise _no_subscription(subscription_id)
        return found.public()

    def unsubscribe(self, subscription_id: str, caller: Caller) -> None:
        """Deliveries still waiting are cancelled when their turn comes."""
        partner_id = self._partner(caller, Scope.EVENTS_READ)
        if not self.repository.delete_subscription(partner_id, subscription_id):
            raise _no_subscription(subscription_id)

    def deliveries(
        self, subscription_id: str, caller: Caller, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        partner_id = self._partner(caller, Scope.EVENTS_READ)
        if self.repository.subscription(partner_id, subscription_id) is None:
            raise _no_subscription(subscription_id)
        return self.repository.deliveries(partner_id, subscription_id, limit, cursor)

    def _partner(self, caller: Caller, scope: Scope) -> str:
        partner_id = caller.principal.registered_partner()
        caller.principal.require_scope(scope.value)
        return partner_id

    def _allocated_to(self, crn: str, partner_id: str) -> Allocation:
        """A case allocated elsewhere is answered exactly as one that does not exist."""
        allocation = self.repository.allocation(crn)
        if allocation is None or allocation.partner_id != partner_id:
            raise _no_case(crn)
        return allocation


def _no_case(crn: str) -> NotFound:
    return NotFound(f"No case with CRN {crn}.")


def _no_subscription(subscription_id: str) -> NotFound:
    """Another partner's subscription is answered exactly as one that does not exist."""
    return NotFound(f"No subscription {subscription_id}.")


def _partner_view(state: CaseState, allocation: Allocation, partner_id: str) -> PartnerCase:
    overview = state.overview
    case = overview.case
    sentence = None
    if overview.convictions:
        current = max(overview.convictions, key=lambda c: (c.conviction_date, c.conviction_number))
        s = current.sentence
        sentence = PartnerSentence(
            type=s.type.value,
            sentence_date=s.sentence_date,
            length_months=s.length_months,
            requirements=[requirement.type.value for requirement in s.requirements],
            release_date=s.release_date,
        )
    risk = state.latest_risk.result if state.latest_risk else {}
    bands = headline_bands(risk)
    bands["rsr"] = (risk.get("rsr") or {}).get("band")
    return PartnerCase(
        crn=case.crn,
        person=PartnerPerson(
            first_name=case.first_name,
            last_name=case.last_name,
            date_of_birth=case.date_of_birth,
            gender=case.gender.value,
        ),
        sentence=sentence,
        registrations=[
            PartnerRegistration(
                type=r.type,
                description=r.description,
                mappa_level=r.mappa_level.value if r.mappa_level else None,
                mappa_category=r.mappa_category.value if r.mappa_category else None,
            )
            for r in overview.registrations
            if r.status == "ACTIVE"
        ],
        risk_bands=bands,
        tier=allocation.tier.tier if allocation.tier else None,
        responsible_officer=partner_id,
        allocated_at=allocation.allocated_at,
        contacts=[
            c for c in overview.contacts if c.source is ContactSource.PARTNER and c.partner_id == partner_id
        ],
    )

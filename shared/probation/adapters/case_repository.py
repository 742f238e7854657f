"""The case records service's DynamoDB repository: every change is one conditional transaction."""

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from probation import config
from probation.adapters import aws, keys
from probation.adapters.dynamodb import (
    Item,
    Transaction,
    TransactionConflict,
    batch_get,
    from_attributes,
    from_document,
    query_page,
    query_pages,
    to_attributes,
    to_document,
)
from probation.adapters.outbox import audit_item, record_change
from probation.domain.audit import AuditRecord
from probation.domain.cases.models import (
    Case,
    CaseOverview,
    CaseStatus,
    Contact,
    Conviction,
    Registration,
    Sanction,
)
from probation.domain.cases.ports import ConcurrentChange, ContactContext, StoredCase, SummaryChanged
from probation.domain.errors import NotFound
from probation.domain.events import DomainEvent
from probation.domain.principal import Principal
from probation.domain.risk_scoring.records import RiskScoreRecord, RiskSummary
from probation.domain.supervision import rules
from probation.domain.supervision.summary import SupervisionSummary

SOURCE = "probation.cases"
ModelT = TypeVar("ModelT", bound=BaseModel)
_CASE_ALIASES = frozenset(info.alias or name for name, info in Case.model_fields.items())
CASE_EXISTS = "attribute_exists(PK)"


@dataclass
class DynamoCaseRepository:
    table_name: str = field(default_factory=config.table_name)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    def _transaction(self) -> Transaction:
        return Transaction(self.table_name)

    def _execute(self, transaction: Transaction, crn: str) -> None:
        execute_on_case(transaction, self._table, crn)

    # ------------------------------------------------------------------ reads

    def get(self, crn: str) -> StoredCase | None:
        item = self._table.get_item(Key=keys.profile_key(crn), ConsistentRead=True).get("Item")
        return _stored_case(item) if item else None

    def team_exists(self, code: str) -> bool:
        found = self._table.get_item(Key=keys.team_key(code), ConsistentRead=True, ProjectionExpression="PK")
        return "Item" in found

    def contact_context(self, crn: str, author: Principal) -> ContactContext | None:
        """One BatchGetItem (consistent) for the profile, the summary and the author's name."""
        profile, summary = keys.profile_key(crn), keys.summary_key(crn)
        author_key = (
            keys.partner_key(author.partner_id) if author.partner_id else keys.staff_key(author.subject)
        )
        found = batch_get(self._table, [profile, summary, author_key])
        stored = found.get(_key_of(profile))
        if stored is None:
            return None
        name = found.get(_key_of(author_key), {}).get("name")
        return ContactContext(
            stored=_stored_case(stored),
            summary=from_document(found[_key_of(summary)], SupervisionSummary)
            if _key_of(summary) in found
            else SupervisionSummary(),
            author_name=str(name) if name else None,
        )

    def overview(self, crn: str) -> CaseOverview | None:
        """The whole case from one Query of its partition."""
        return overview_of(self.partition(crn))

    def partition(self, crn: str) -> dict[str, list[Item]]:
        """Every item of the case partition, grouped by item kind (the sort key's prefix), from one Query."""
        by_kind: dict[str, list[Item]] = {}
        for item in query_pages(
            self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": keys.case_partition(crn)},
            ConsistentRead=True,
        ):
            by_kind.setdefault(item["SK"].split("#", 1)[0], []).append(item)
        return by_kind

    def search(
        self, last_name: str, date_of_birth: date, limit: int, cursor: str | None
    ) -> tuple[list[Case], str | None]:
        lookup = keys.person_lookup_key(last_name, date_of_birth)
        page = query_page(
            self._table,
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk",
            ExpressionAttributeValues={":pk": lookup},
            Limit=limit,
            cursor=cursor,
            cursor_scope={"GSI1PK": lookup},
        )
        return [_stored_case(item).case for item in page.items], page.cursor

    def contacts(self, crn: str, limit: int, cursor: str | None) -> tuple[list[Contact], str | None]:
        """The case's one timeline, newest first: contacts and appointments (contacts with a start and an
        end)."""
        partition = keys.timeline_partition(crn)
        page = query_page(
            self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": partition, ":prefix": keys.CONTACT},
            ScanIndexForward=False,
            Limit=limit,
            cursor=cursor,
            cursor_scope={"PK": partition},
        )
        return [_timeline_contact(item) for item in page.items], page.cursor

    def summary(self, crn: str) -> SupervisionSummary:
        item = self._table.get_item(Key=keys.summary_key(crn), ConsistentRead=True).get("Item")
        return from_document(item, SupervisionSummary) if item else SupervisionSummary()

    def summaries(self, crns: list[str]) -> dict[str, SupervisionSummary]:
        """The supervision summary of each case, from BatchGetItem: a case with none yet has an empty one."""
        found = batch_get(self._table, [keys.summary_key(crn) for crn in dict.fromkeys(crns)])
        return {
            crn: from_document(found[key], SupervisionSummary) if key in found else SupervisionSummary()
            for crn in crns
            for key in [_key_of(keys.summary_key(crn))]
        }

    def audit_trail(self, crn: str, limit: int, cursor: str | None) -> tuple[list[AuditRecord], str | None]:
        page = query_page(
            self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": keys.audit_partition(crn)},
            ScanIndexForward=False,
            Limit=limit,
            cursor=cursor,
            cursor_scope={"PK": keys.audit_partition(crn)},
        )
        return [AuditRecord.model_validate(from_attributes(item)) for item in page.items], page.cursor

    def registration(self, crn: str, registration_id: str) -> Registration | None:
        item = self._table.get_item(Key=keys.registration_key(crn, registration_id), ConsistentRead=True).get(
            "Item"
        )
        return Registration.model_validate(from_attributes(item)) if item else None

    def record_reads(self, records: list[AuditRecord]) -> None:
        with self._table.batch_writer() as batch:
            for record in records:
                batch.put_item(Item=audit_item(record))

    # ------------------------------------------------------------------ changes

    def create(self, case: Case, event: DomainEvent, audit: AuditRecord) -> None:
        transaction = self._transaction()
        transaction.create("case", {**_profile_item(case), "convictionCount": 0, "activeRegistrations": {}})
        transaction.answers(case)
        record_change(transaction, SOURCE, [event], audit)
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            raise ConcurrentChange(conflict.failed) from conflict

    def update(self, case: Case, expected_version: int, event: DomainEvent, audit: AuditRecord) -> None:
        """Replace the person's details if, and only if, the stored version is still ``expected_version``."""
        # The status is the sentences' to move (termination and a new conviction), never a details PATCH's.
        attributes = {
            name: value for name, value in _profile_item(case).items() if name not in ("PK", "SK", "status")
        }
        update = "SET " + ", ".join(f"#{name} = :{name}" for name in attributes)
        names = {f"#{name}": name for name in attributes}
        values = {f":{name}": value for name, value in attributes.items()}
        transaction = self._transaction()
        transaction.update(
            "case version",
            keys.profile_key(case.crn),
            update,
            condition="attribute_exists(PK) AND #version = :expectedVersion",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":expectedVersion": expected_version},
        )
        record_change(transaction, SOURCE, [event], audit)
        self._execute(transaction, case.crn)

    def add_conviction(
        self,
        crn: str,
        conviction: Conviction,
        events: list[DomainEvent],
        audit: AuditRecord,
        read_status: CaseStatus,
    ) -> None:
        """Numbered after the case's last conviction, and the case ACTIVE: a concurrent addition, or a
        termination that closed the case since it was read, makes this one retry."""
        item = {**keys.conviction_key(crn, conviction.conviction_number), "itemType": "CONVICTION"}
        transaction = self._transaction()
        transaction.update(
            "conviction number",
            keys.profile_key(crn),
            "SET convictionCount = :number, #status = :active",
            condition=f"attribute_exists(PK) AND convictionCount = :previous AND {status_is(read_status)}",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":number": conviction.conviction_number,
                ":previous": conviction.conviction_number - 1,
                ":active": CaseStatus.ACTIVE.value,
                ":read": read_status.value,
            },
        )
        transaction.create("conviction", {**item, **to_attributes(conviction)})
        transaction.answers(conviction)
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, crn)

    def add_sanctions(
        self, crn: str, sanctions: list[Sanction], event: DomainEvent, audit: AuditRecord
    ) -> None:
        transaction = self._transaction()
        transaction.require("case exists", keys.profile_key(crn), CASE_EXISTS)
        for sanction in sanctions:
            sort_key = keys.sanction_sort_key(sanction.sanction_date, sanction.sanction_id)
            item = {"PK": keys.case_partition(crn), "SK": sort_key, "itemType": "SANCTION"}
            transaction.create("sanction", {**item, **to_attributes(sanction)})
        transaction.answers(sanctions)
        record_change(transaction, SOURCE, [event], audit)
        self._execute(transaction, crn)

    def add_contact(
        self,
        crn: str,
        contact: Contact,
        event: DomainEvent,
        audit: AuditRecord,
        expected_version: int | None = None,
        summary: SupervisionSummary | None = None,
    ) -> None:
        """The contact on the case's timeline and, with ``summary`` (the head of the timeline with it), the
        summary over the version it was read at (else SummaryChanged: read it again)."""
        transaction = self._transaction()
        if expected_version is None:
            transaction.require("case exists", keys.profile_key(crn), CASE_EXISTS)
        else:
            transaction.require(
                "case version",
                keys.profile_key(crn),
                "attribute_exists(PK) AND #version = :expectedVersion",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":expectedVersion": expected_version},
            )
        if contact.partner_id is not None:
            # In the same write: a case that moved away from the partner since it was looked at is
            # refused, as one that does not exist.
            transaction.require(
                ALLOCATED_TO_THE_PARTNER,
                keys.allocation_key(crn),
                "GSI3PK = :caseload",
                ExpressionAttributeValues={":caseload": keys.partner_caseload(contact.partner_id)},
            )
        item = {
            **keys.timeline_contact_key(crn, contact.contact_date, contact.contact_id),
            "itemType": "CONTACT",
        }
        transaction.create("contact", {**item, **to_attributes(contact)})
        if summary is not None:
            put_summary_over_previous(transaction, crn, summary)
        transaction.answers(contact)
        record_change(transaction, SOURCE, [event], audit)
        try:
            self._execute(transaction, crn)
        except ConcurrentChange as change:
            if SUMMARY_VERSION in change.failed and len(change.failed) == 1:
                raise summary_overtaken(crn) from change
            raise

    def add_registration(
        self,
        crn: str,
        registration: Registration,
        uniqueness_key: str,
        superseded: Registration | None,
        events: list[DomainEvent],
        audit: AuditRecord,
    ) -> None:
        """Claims the uniqueness slot on the profile: two active registrations of one kind cannot coexist."""
        transaction = self._transaction()
        slot_is_free = "attribute_not_exists(activeRegistrations.#slot)"
        slot_holds_superseded = "activeRegistrations.#slot = :superseded"
        values: dict[str, Any] = {":id": registration.registration_id}
        if superseded is not None:
            values[":superseded"] = superseded.registration_id
            self._deregister_in(transaction, crn, superseded)
        transaction.update(
            "registration slot",
            keys.profile_key(crn),
            "SET activeRegistrations.#slot = :id",
            condition=f"attribute_exists(PK) AND {slot_holds_superseded if superseded else slot_is_free}",
            ExpressionAttributeNames={"#slot": uniqueness_key},
            ExpressionAttributeValues=values,
        )
        item = {**keys.registration_key(crn, registration.registration_id), "itemType": "REGISTRATION"}
        transaction.create("registration", {**item, **to_attributes(registration)})
        transaction.answers(registration)
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, crn)

    def deregister(
        self,
        crn: str,
        registration: Registration,
        uniqueness_key: str,
        event: DomainEvent,
        audit: AuditRecord,
    ) -> None:
        transaction = self._transaction()
        transaction.update(
            "registration slot",
            keys.profile_key(crn),
            "REMOVE activeRegistrations.#slot",
            condition="activeRegistrations.#slot = :id",
            ExpressionAttributeNames={"#slot": uniqueness_key},
            ExpressionAttributeValues={":id": registration.registration_id},
        )
        self._deregister_in(transaction, crn, registration)
        record_change(transaction, SOURCE, [event], audit)
        self._execute(transaction, crn)

    def _deregister_in(self, transaction: Transaction, crn: str, registration: Registration) -> None:
        """Writes ``registration`` (already marked deregistered) over the version it was read at."""
        transaction.put(
            "registration version",
            {
                **keys.registration_key(crn, registration.registration_id),
                "itemType": "REGISTRATION",
                **to_attributes(registration),
            },
            condition="#version = :readVersion AND #status = :active",
            ExpressionAttributeNames={"#version": "version", "#status": "status"},
            ExpressionAttributeValues={":readVersion": registration.version - 1, ":active": "ACTIVE"},
        )


ALLOCATED_TO_THE_PARTNER = "allocated to the partner"


def status_is(status: CaseStatus) -> str:
    """A condition that the case profile's ``#status`` is still ``:read`` (``status``): a profile from
    before statuses were kept is ACTIVE."""
    if status is CaseStatus.ACTIVE:
        return "(attribute_not_exists(#status) OR #status = :read)"
    return "#status = :read"


def execute_on_case(transaction: Transaction, table: Any, crn: str) -> None:
    """Runs a change to case ``crn``: a missing case is NotFound, any other failed condition a lost race."""
    try:
        transaction.execute(table.meta.client)
    except TransactionConflict as conflict:
        if "case exists" in conflict.failed or ALLOCATED_TO_THE_PARTNER in conflict.failed:
            raise NotFound(f"No case with CRN {crn}.") from conflict
        raise ConcurrentChange(conflict.failed) from conflict


def overview_of(partition: dict[str, list[Item]]) -> CaseOverview | None:
    """The case records service's view of a case partition read by ``partition``."""
    profile = partition.get(keys.PROFILE)
    if not profile:
        return None

    def parsed(kind: str, model: type[ModelT]) -> list[ModelT]:
        return [model.model_validate(from_attributes(item)) for item in partition.get(kind, [])]

    latest_risk = latest_risk_in(partition)
    convictions = parsed("CONVICTION", Conviction)
    summary_items = partition.get(keys.SUMMARY)
    summary = from_document(summary_items[0], SupervisionSummary) if summary_items else SupervisionSummary()
    facts = rules.sentence_facts(convictions)
    now = datetime.now(UTC)
    return CaseOverview(
        case=_stored_case(profile[0]).case,
        convictions=convictions,
        sanctions=parsed("SANCTION", Sanction),
        registrations=parsed("REG", Registration),
        contacts=[Contact.model_validate(entry) for entry in summary.recent],
        latest_risk=RiskSummary.of(latest_risk) if latest_risk else None,
        compliance=rules.compliance(summary, facts, now) if facts else None,
        next_appointments=rules.next_appointments(summary, now),
    )


SUMMARY_VERSION = "summary version"


def _key_of(item: Item) -> tuple[str, str]:
    return item["PK"], item["SK"]


def summary_overtaken(crn: str) -> SummaryChanged:
    """What a write whose summary was overtaken raises, after a jittered pause: writers to one case contend
    for its summary, and retrying at once would meet the same others again (AWS's advice: full jitter)."""
    time.sleep(random.uniform(0, SUMMARY_RETRY_PAUSE_SECONDS))  # noqa: S311 - a pause, not a secret
    return SummaryChanged(crn)


SUMMARY_RETRY_PAUSE_SECONDS = 0.2


def summary_item(crn: str, summary: SupervisionSummary) -> Item:
    return {**keys.summary_key(crn), "itemType": "SUMMARY", **to_document(summary, indexed=("version",))}


def put_summary_over_previous(transaction: Transaction, crn: str, summary: SupervisionSummary) -> None:
    """The summary at ``summary.version``, written only over the version before it (or none, for the first):
    every change of it is counted once, whatever races it."""
    item = summary_item(crn, summary)
    if summary.version == 1:
        transaction.put(SUMMARY_VERSION, item, condition="attribute_not_exists(PK)")
    else:
        transaction.put(
            SUMMARY_VERSION,
            item,
            condition="#version = :read",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":read": summary.version - 1},
        )


def _timeline_contact(item: Item) -> Contact:
    return Contact.model_validate({k: v for k, v in from_attributes(item).items() if k != "appointment"})


def latest_risk_in(partition: dict[str, list[Item]]) -> RiskScoreRecord | None:
    """The latest score of a partition read by ``partition`` (its ``RISK#`` keys sort by time)."""
    records = partition.get("RISK", [])
    return from_document(records[-1], RiskScoreRecord) if records else None


def _profile_item(case: Case) -> Item:
    return {
        **keys.profile_key(case.crn),
        "itemType": "CASE",
        "GSI1PK": keys.person_lookup_key(case.last_name, case.date_of_birth),
        "GSI1SK": keys.case_partition(case.crn),
        **to_attributes(case),
    }


def _stored_case(item: Item) -> StoredCase:
    attributes = from_attributes(item)
    return StoredCase(
        case=Case.model_validate(
            {name: value for name, value in attributes.items() if name in _CASE_ALIASES}
        ),
        conviction_count=int(attributes.get("convictionCount", 0)),
        active_registrations=dict(attributes.get("activeRegistrations", {})),
    )

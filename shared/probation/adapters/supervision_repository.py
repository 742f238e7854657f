"""The supervision service's DynamoDB repository. Every change is one transaction: the appointments (each over
the version it was read at), their timeline entries, the case's summary (over the version it was read at: the
counts move once per change however many changes race), the outbox events and the access-log entry."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.case_repository import (
    ALLOCATED_TO_THE_PARTNER,
    CASE_EXISTS,
    SUMMARY_VERSION,
    put_summary_over_previous,
    status_is,
    summary_overtaken,
)
from probation.adapters.clock import timestamp_key
from probation.adapters.dynamodb import (
    DOCUMENT,
    Item,
    Transaction,
    TransactionConflict,
    batch_get,
    from_attributes,
    from_document,
    query_page,
    to_attributes,
    to_document,
)
from probation.adapters.outbox import audit_item, record_change
from probation.domain.allocation.models import Allocation
from probation.domain.audit import AuditRecord
from probation.domain.cases.models import Case, CaseStatus, Contact, Conviction
from probation.domain.errors import Conflict, NotFound
from probation.domain.events import DomainEvent
from probation.domain.supervision.models import (
    Adjustment,
    Appointment,
    AppointmentStatus,
    WorkItem,
    WorkListKind,
)
from probation.domain.supervision.ports import (
    AppointmentChanged,
    CaseView,
    Holder,
    NotTheirs,
)
from probation.domain.supervision.reference import reference
from probation.domain.supervision.service import timeline_entry
from probation.domain.supervision.summary import Breach, SupervisionSummary

SOURCE = "probation.supervision"
APPOINTMENT_VERSION = "appointment version"
BREACH_VERSION = "breach version"
SENTENCE_ACTIVE = "sentence active"
CASE_AS_READ = "case still as read"
# A conviction is stored with ``termination`` null until its sentence ends.
NOT_TERMINATED = "(attribute_not_exists(termination) OR attribute_type(termination, :null))"
_CASE_FIELDS = frozenset(info.alias or name for name, info in Case.model_fields.items())
DUE_PREFIX = {
    WorkListKind.OUTCOMES: "OUTCOME#",
    WorkListKind.EVIDENCE: "EVIDENCE#",
    WorkListKind.ENFORCEMENT: "ENFORCEMENT#",
}
INDEXES = {
    ("staff", "diary"): ("GSI2", keys.diary),
    ("team", "diary"): ("GSI3", keys.team_diary),
    ("staff", "due"): ("GSI4", keys.due),
    ("team", "due"): ("GSI1", keys.team_due),
}


@dataclass
class DynamoSupervisionRepository:
    table_name: str = field(default_factory=config.table_name)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    # ------------------------------------------------------------------ reads

    def case_view(self, crn: str) -> CaseView | None:
        """Two calls whatever the case's history: the person, summary and allocation in one BatchGetItem, and
        the convictions in one Query of their range of the case partition."""
        wanted = [keys.profile_key(crn), keys.summary_key(crn), keys.allocation_key(crn)]
        items = {sort_key: item for (_, sort_key), item in batch_get(self._table, wanted).items()}
        if keys.PROFILE not in items:
            return None
        convictions = self._table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": keys.case_partition(crn), ":prefix": keys.CONVICTION},
            ConsistentRead=True,
        ).get("Items", [])
        profile = from_attributes(items[keys.PROFILE])
        holder = Holder()
        if keys.ALLOCATION in items:
            allocation = from_document(items[keys.ALLOCATION], Allocation)
            holder = Holder(
                team_code=allocation.team_code,
                staff_code=allocation.practitioner_code,
                partner_id=allocation.partner_id,
            )
        return CaseView(
            case=Case.model_validate({k: v for k, v in profile.items() if k in _CASE_FIELDS}),
            convictions=[Conviction.model_validate(from_attributes(item)) for item in convictions],
            summary=summary_of(items.get(keys.SUMMARY)),
            holder=holder,
            conviction_count=int(profile.get("convictionCount", 0)),
        )

    def appointment(self, crn: str, appointment_id: str) -> Appointment | None:
        item = self._table.get_item(Key=keys.appointment_key(crn, appointment_id), ConsistentRead=True).get(
            "Item"
        )
        return from_document(item, Appointment) if item else None

    def appointments(
        self, crn: str, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> tuple[list[Appointment], str | None]:
        partition = keys.timeline_partition(crn)
        page = query_page(
            self._table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :from AND :to",
            FilterExpression="attribute_exists(#appointment)",
            ExpressionAttributeNames={"#appointment": "appointment"},
            ExpressionAttributeValues={
                ":pk": partition,
                ":from": f"{keys.CONTACT}{timestamp_key(start)}",
                ":to": f"{keys.CONTACT}{timestamp_key(end)}~",
            },
            Limit=limit,
            cursor=cursor,
            cursor_scope={"PK": partition},
        )
        return [Appointment.model_validate_json(item["appointment"]) for item in page.items], page.cursor

    def appointments_by_id(self, crn: str, ids: list[str]) -> list[Appointment]:
        """The appointment records, read consistently by BatchGetItem (an ending cancels fewer than 100)."""
        found = batch_get(self._table, [keys.appointment_key(crn, appointment_id) for appointment_id in ids])
        return sorted(
            (from_document(item, Appointment) for item in found.values()), key=lambda a: (a.start, a.id)
        )

    def breach(self, crn: str, breach_id: str) -> Breach | None:
        item = self._table.get_item(Key=keys.breach_key(crn, breach_id), ConsistentRead=True).get("Item")
        return from_document(item, Breach) if item else None

    def record_reads(self, records: list[AuditRecord]) -> None:
        with self._table.batch_writer() as batch:
            for record in records:
                batch.put_item(Item=audit_item(record))

    def diary(
        self, scope: str, code: str, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> tuple[list[WorkItem], str | None]:
        index, partition_of = INDEXES[(scope, "diary")]
        partition = partition_of(code)
        page = query_page(
            self._table,
            IndexName=index,
            KeyConditionExpression=f"{index}PK = :pk AND {index}SK BETWEEN :from AND :to",
            ExpressionAttributeValues={
                ":pk": partition,
                ":from": timestamp_key(start),
                ":to": timestamp_key(end),
            },
            Limit=limit,
            cursor=cursor,
            cursor_scope={f"{index}PK": partition},
        )
        return [work_item(item) for item in page.items], page.cursor

    def due(
        self,
        scope: str,
        code: str,
        kind: WorkListKind,
        until: datetime | None,
        limit: int,
        cursor: str | None,
    ) -> tuple[list[WorkItem], str | None]:
        index, partition_of = INDEXES[(scope, "due")]
        partition = partition_of(code)
        prefix = DUE_PREFIX[kind]
        page = query_page(
            self._table,
            IndexName=index,
            KeyConditionExpression=f"{index}PK = :pk AND {index}SK BETWEEN :from AND :to",
            ExpressionAttributeValues={
                ":pk": partition,
                ":from": prefix,
                ":to": f"{prefix}{timestamp_key(until) if until else '~'}",
            },
            Limit=limit,
            cursor=cursor,
            cursor_scope={f"{index}PK": partition},
        )
        return [work_item(item) for item in page.items], page.cursor

    # ------------------------------------------------------------------ changes

    def create_appointments(
        self,
        crn: str,
        appointments: list[Appointment],
        summary: SupervisionSummary,
        events: list[DomainEvent],
        audit: AuditRecord,
        partner_id: str | None,
    ) -> None:
        transaction = self._change_of_case(crn, summary, partner_id)
        for appointment in appointments:
            transaction.create("appointment", appointment_item(appointment))
            transaction.create("timeline entry", entry_item(appointment))
        transaction.answers(appointments[0])
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, crn)

    def change_appointments(
        self,
        crn: str,
        changed: list[tuple[Appointment, Appointment]],
        created: list[Appointment],
        summary: SupervisionSummary,
        events: list[DomainEvent],
        audit: AuditRecord,
        partner_id: str | None,
    ) -> None:
        transaction = self._change_of_case(crn, summary, partner_id)
        self._change_in(transaction, crn, changed)
        for appointment in created:
            transaction.create("appointment", appointment_item(appointment))
            transaction.create("timeline entry", entry_item(appointment))
        transaction.answers(created[0] if created else changed[0][1])
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, crn)

    def record_ending(
        self,
        crn: str,
        conviction: Conviction,
        cancelled: list[tuple[Appointment, Appointment]],
        summary: SupervisionSummary,
        closing_at_count: int | None,
        events: list[DomainEvent],
        audit: AuditRecord,
    ) -> None:
        # Closing writes the case profile, which then stands for its own existence check.
        transaction = self._change_of_case(crn, summary, None, check_case_exists=closing_at_count is None)
        transaction.put(
            SENTENCE_ACTIVE,
            {
                **keys.conviction_key(crn, conviction.conviction_number),
                "itemType": "CONVICTION",
                **to_attributes(conviction),
            },
            condition=f"attribute_exists(PK) AND {NOT_TERMINATED}",
            ExpressionAttributeValues={":null": "NULL"},
        )
        self._change_in(transaction, crn, cancelled)
        if closing_at_count is not None:
            transaction.update(
                CASE_AS_READ,
                keys.profile_key(crn),
                "SET #status = :closed",
                condition="attribute_exists(PK) AND convictionCount = :count AND "
                + status_is(CaseStatus.ACTIVE),
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":count": closing_at_count,
                    ":closed": CaseStatus.CLOSED.value,
                    ":read": CaseStatus.ACTIVE.value,
                },
            )
        transaction.answers(conviction)
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, crn)

    def start_breach(
        self, breach: Breach, summary: SupervisionSummary, events: list[DomainEvent], audit: AuditRecord
    ) -> None:
        transaction = self._change_of_case(breach.crn, summary, None)
        transaction.create("breach", breach_item(breach))
        transaction.answers(breach)
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, breach.crn)

    def end_breach(
        self, breach: Breach, summary: SupervisionSummary, events: list[DomainEvent], audit: AuditRecord
    ) -> None:
        transaction = self._change_of_case(breach.crn, summary, None)
        transaction.put(
            BREACH_VERSION,
            breach_item(breach),
            condition="#version = :read",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":read": breach.version - 1},
        )
        transaction.answers(breach)
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, breach.crn)

    def add_adjustment(
        self,
        crn: str,
        adjustment: Adjustment,
        summary: SupervisionSummary,
        events: list[DomainEvent],
        audit: AuditRecord,
    ) -> None:
        transaction = self._change_of_case(crn, summary, None)
        transaction.create(
            "adjustment",
            {
                **keys.adjustment_key(crn, adjustment.recorded_at, adjustment.id),
                "itemType": "UPW_ADJUSTMENT",
                **to_attributes(adjustment),
            },
        )
        transaction.answers(adjustment)
        record_change(transaction, SOURCE, events, audit)
        self._execute(transaction, crn)

    @staticmethod
    def _change_in(
        transaction: Transaction, crn: str, changed: list[tuple[Appointment, Appointment]]
    ) -> None:
        """Each ``(before, after)``: the record over ``before``'s version, and its timeline entry moved."""
        for before, after in changed:
            transaction.put(
                APPOINTMENT_VERSION,
                appointment_item(after),
                condition="#version = :read",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":read": before.version},
            )
            if before.start != after.start:
                transaction.delete(
                    "old timeline entry", keys.timeline_contact_key(crn, before.start, before.id)
                )
            transaction.put("timeline entry", entry_item(after))

    def _change_of_case(
        self, crn: str, summary: SupervisionSummary, partner_id: str | None, *, check_case_exists: bool = True
    ) -> Transaction:
        """A transaction that moves the summary from the version it was read at, on a case that exists (and,
        for a partner, is still allocated to it)."""
        transaction = Transaction(self.table_name)
        if check_case_exists:
            transaction.require("case exists", keys.profile_key(crn), CASE_EXISTS)
        if partner_id is not None:
            transaction.require(
                ALLOCATED_TO_THE_PARTNER,
                keys.allocation_key(crn),
                "GSI3PK = :caseload",
                ExpressionAttributeValues={":caseload": keys.partner_caseload(partner_id)},
            )
        put_summary_over_previous(transaction, crn, summary)
        return transaction

    def _execute(self, transaction: Transaction, crn: str) -> None:
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            failed = conflict.failed
            if "case exists" in failed:
                raise NotFound(f"No case with CRN {crn}.") from conflict
            if ALLOCATED_TO_THE_PARTNER in failed:
                raise NotTheirs(crn) from conflict
            if APPOINTMENT_VERSION in failed or BREACH_VERSION in failed:
                raise AppointmentChanged(crn) from conflict
            if SUMMARY_VERSION in failed or CASE_AS_READ in failed:
                raise summary_overtaken(crn) from conflict
            if SENTENCE_ACTIVE in failed:
                raise Conflict(f"The sentence of {crn} was terminated meanwhile.") from conflict
            raise


def summary_of(item: Item | None) -> SupervisionSummary:
    return from_document(item, SupervisionSummary) if item else SupervisionSummary()


def appointment_item(appointment: Appointment) -> Item:
    """The appointment's record, with its place in the diary and work-list indexes (sparse)."""
    item: Item = {
        **keys.appointment_key(appointment.crn, appointment.id),
        "itemType": "APPOINTMENT",
        **to_document(appointment, indexed=("version",)),
    }
    place = f"{timestamp_key(appointment.start)}#{appointment.crn}#{appointment.id}"
    in_diary = appointment.status in (AppointmentStatus.SCHEDULED, AppointmentStatus.COMPLETED)
    due = due_key(appointment)
    if in_diary and appointment.staff_code:
        item |= {"GSI2PK": keys.diary(appointment.staff_code), "GSI2SK": place}
    if in_diary and appointment.team_code:
        item |= {"GSI3PK": keys.team_diary(appointment.team_code), "GSI3SK": place}
    if due and appointment.staff_code:
        item |= {"GSI4PK": keys.due(appointment.staff_code), "GSI4SK": due}
    if due and appointment.team_code:
        item |= {"GSI1PK": keys.team_due(appointment.team_code), "GSI1SK": due}
    return item


def due_key(appointment: Appointment) -> str | None:
    """What is due of the appointment, if anything: its outcome (once it has started), evidence for AFTA, or
    the response to an enforcement action that leaves one outstanding."""
    tail = f"{appointment.crn}#{appointment.id}"
    if appointment.status is AppointmentStatus.SCHEDULED:
        return f"OUTCOME#{timestamp_key(appointment.start)}#{tail}"
    if appointment.status is not AppointmentStatus.COMPLETED:
        return None
    if appointment.evidence_due_date is not None:
        return f"EVIDENCE#{appointment.evidence_due_date.isoformat()}#{tail}"
    action = reference().actions.get(appointment.enforcement_action or "")
    if action is not None and action.outstanding_contact_action and appointment.response_by is not None:
        return f"ENFORCEMENT#{appointment.response_by.isoformat()}#{tail}"
    return None


def entry_item(appointment: Appointment) -> Item:
    """The appointment on the case's timeline, as a contact with a start and an end; ``appointment`` keeps the
    whole record for the appointments list."""
    contact = Contact.model_validate(timeline_entry(appointment))
    return {
        **keys.timeline_contact_key(appointment.crn, appointment.start, appointment.id),
        "itemType": "CONTACT",
        **to_attributes(contact),
        "appointment": appointment.model_dump_json(by_alias=True, round_trip=True),
    }


def breach_item(breach: Breach) -> Item:
    return {
        **keys.breach_key(breach.crn, breach.id),
        "itemType": "BREACH",
        **to_document(breach, indexed=("version",)),
    }


def work_item(item: Item) -> WorkItem:
    appointment = Appointment.model_validate_json(item[DOCUMENT])
    due = appointment.evidence_due_date or appointment.response_by
    return WorkItem(
        crn=appointment.crn,
        appointment_id=appointment.id,
        type=appointment.type.value,
        start=appointment.start,
        end=appointment.end,
        staff_code=appointment.staff_code,
        team_code=appointment.team_code,
        status=appointment.status.value,
        outcome=appointment.outcome,
        enforcement_action=appointment.enforcement_action,
        due=due,
    )

"""Sentence plans in the case's sibling partition ``SPLAN#{crn}`` (``keys``): the plan's current version, each
superseded version's snapshot and the open-plan place. Every change is one transaction: the plan over the
version it was read at, the snapshot it supersedes (created once), the outbox events and the access-log
entry; a partner's change only while the case is still allocated to it."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.assessment_repository import assessments_in
from probation.adapters.case_repository import (
    ALLOCATED_TO_THE_PARTNER,
    CASE_EXISTS,
    DynamoCaseRepository,
    overview_of,
)
from probation.adapters.dynamodb import (
    Item,
    Transaction,
    TransactionConflict,
    batch_get,
    from_document,
    query_page,
    to_document,
)
from probation.adapters.outbox import consumed_marker, record_change
from probation.domain.allocation.models import Allocation
from probation.domain.assessments.models import AssessmentStatus
from probation.domain.audit import AuditRecord
from probation.domain.events import DomainEvent
from probation.domain.sentence_plans.models import LinkedAppointment, PlanStatus, SentencePlan
from probation.domain.sentence_plans.ports import (
    CaseMissing,
    EventAlreadyApplied,
    NotTheirs,
    PlanAlreadyOpen,
    PlanCase,
    PlanChanged,
)
from probation.domain.supervision.models import Appointment

SOURCE = "probation.sentence-plans"
PLAN_VERSION = "plan version"
OPEN_PLAN = "open plan"
SUPERSEDED = "superseded version"
CONSUMED = "consumed event"


@dataclass
class DynamoSentencePlanRepository:
    table_name: str = field(default_factory=config.table_name)
    cases: DynamoCaseRepository = field(default_factory=DynamoCaseRepository)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    # ------------------------------------------------------------------ reads

    def plan_case(self, crn: str) -> PlanCase | None:
        """One Query of the case partition: the person, assessments, registrations and allocation."""
        partition = self.cases.partition(crn)
        overview = overview_of(partition)
        if overview is None:
            return None
        assessments = assessments_in(partition)
        allocation = next(
            (
                from_document(item, Allocation)
                for item in partition.get(keys.ALLOCATION, [])
                if item["SK"] == keys.ALLOCATION
            ),
            None,
        )
        return PlanCase(
            case=overview.case,
            completed_assessments=[a for a in assessments if a.status is AssessmentStatus.COMPLETED],
            open_draft_assessment_id=next(
                (a.assessment_id for a in assessments if a.status is AssessmentStatus.DRAFT), None
            ),
            registrations=overview.registrations,
            staff_code=allocation.practitioner_code if allocation else None,
            partner_id=allocation.partner_id if allocation else None,
        )

    def plans(self, crn: str) -> list[SentencePlan]:
        items = self._table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={
                ":pk": keys.sentence_plans_partition(crn),
                ":prefix": keys.SENTENCE_PLAN,
            },
            ConsistentRead=True,
        ).get("Items", [])
        return [from_document(item, SentencePlan) for item in items]

    def plan(self, crn: str, plan_id: str) -> SentencePlan | None:
        return self._get(keys.sentence_plan_key(crn, plan_id))

    def plan_version(self, crn: str, plan_id: str, plan_version: int) -> SentencePlan | None:
        return self._get(keys.sentence_plan_version_key(crn, plan_id, plan_version))

    def open_plan_id(self, crn: str) -> str | None:
        item = self._item(keys.open_sentence_plan_key(crn))
        return str(item["planId"]) if item else None

    def partner_of(self, crn: str) -> str | None:
        item = self._item(keys.allocation_key(crn))
        return from_document(item, Allocation).partner_id if item else None

    def staff_grade(self, staff_code: str) -> str | None:
        item = self._item(keys.staff_key(staff_code))
        return str(item["grade"]) if item and item.get("grade") else None

    def appointments(self, crn: str, appointment_ids: list[str]) -> dict[str, LinkedAppointment]:
        """The appointment records, read consistently by BatchGetItem (a plan links at most a few hundred:
        30 goals of 20 steps)."""
        found = batch_get(self._table, [keys.appointment_key(crn, i) for i in appointment_ids])
        appointments = (from_document(item, Appointment) for item in found.values())
        return {appointment.id: linked(appointment) for appointment in appointments}

    def record_reads(self, records: list[AuditRecord]) -> None:
        self.cases.record_reads(records)

    def reviews_due(
        self, staff_code: str, until: date, limit: int, cursor: str | None
    ) -> tuple[list[SentencePlan], str | None]:
        partition = keys.plan_reviews(staff_code)
        page = query_page(
            self._table,
            IndexName="GSI4",
            KeyConditionExpression="GSI4PK = :pk AND GSI4SK <= :until",
            ExpressionAttributeValues={":pk": partition, ":until": f"{until.isoformat()}~"},
            Limit=limit,
            cursor=cursor,
            cursor_scope={"GSI4PK": partition},
        )
        return [from_document(item, SentencePlan) for item in page.items], page.cursor

    def reviews_to_announce(self, until: date, limit: int) -> list[SentencePlan]:
        items = self._table.query(
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :pk AND GSI1SK <= :until",
            ExpressionAttributeValues={
                ":pk": keys.PLAN_REVIEWS_TO_ANNOUNCE,
                ":until": f"{until.isoformat()}~",
            },
            Limit=limit,
        ).get("Items", [])
        return [from_document(item, SentencePlan) for item in items]

    # ------------------------------------------------------------------ changes

    def create(self, plan: SentencePlan, events: list[DomainEvent], audit: AuditRecord) -> None:
        transaction = Transaction(self.table_name)
        transaction.require("case exists", keys.profile_key(plan.crn), CASE_EXISTS)
        transaction.create(
            OPEN_PLAN,
            {**keys.open_sentence_plan_key(plan.crn), "itemType": "OPEN_SENTENCE_PLAN", "planId": plan.id},
        )
        transaction.create("plan", plan_item(plan))
        transaction.answers(plan)
        record_change(transaction, SOURCE, events, audit)
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            if "case exists" in conflict.failed:
                raise CaseMissing(plan.crn) from conflict
            if OPEN_PLAN in conflict.failed:
                raise PlanAlreadyOpen(self.open_plan_id(plan.crn) or "unknown") from conflict
            raise

    def replace(
        self,
        plan: SentencePlan,
        expected_version: int,
        events: list[DomainEvent],
        audit: AuditRecord,
        *,
        superseded: SentencePlan | None = None,
        partner_id: str | None = None,
        consumed: tuple[str, str] | None = None,
    ) -> None:
        transaction = Transaction(self.table_name)
        transaction.put(
            PLAN_VERSION,
            plan_item(plan),
            condition="#version = :read",
            ExpressionAttributeNames={"#version": "version"},
            ExpressionAttributeValues={":read": expected_version},
        )
        if superseded is not None:
            transaction.create(SUPERSEDED, snapshot_item(superseded))
        if plan.status is PlanStatus.CLOSED:
            # The case may start a new plan: its open place is freed (and stays free for any later write).
            transaction.delete(
                OPEN_PLAN,
                keys.open_sentence_plan_key(plan.crn),
                condition="attribute_not_exists(PK) OR planId = :id",
                ExpressionAttributeValues={":id": plan.id},
            )
        if partner_id is not None:
            transaction.require(
                ALLOCATED_TO_THE_PARTNER,
                keys.allocation_key(plan.crn),
                "GSI3PK = :caseload",
                ExpressionAttributeValues={":caseload": keys.partner_caseload(partner_id)},
            )
        if consumed is not None:
            consumed_marker(transaction, *consumed)
        transaction.answers(plan)
        record_change(transaction, SOURCE, events, audit)
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            failed = conflict.failed
            if ALLOCATED_TO_THE_PARTNER in failed:
                raise NotTheirs(plan.crn) from conflict
            if CONSUMED in failed:
                raise EventAlreadyApplied(consumed) from conflict
            if PLAN_VERSION in failed or SUPERSEDED in failed:
                raise PlanChanged(plan.id) from conflict
            raise

    # ------------------------------------------------------------------ helpers

    def _item(self, key: Item) -> Item | None:
        item: Item | None = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        return item

    def _get(self, key: Item) -> SentencePlan | None:
        item = self._item(key)
        return from_document(item, SentencePlan) if item else None


def plan_item(plan: SentencePlan) -> Item:
    """The plan's current version, with its place on the review work list and the daily check's list (both
    sparse: only while they apply)."""
    item: Item = {
        **keys.sentence_plan_key(plan.crn, plan.id),
        "itemType": "SENTENCE_PLAN",
        **to_document(plan, indexed=("version", "status")),
    }
    if plan.status is PlanStatus.ACTIVE and plan.review_due is not None:
        place = f"{plan.review_due.isoformat()}#{plan.crn}#{plan.id}"
        if plan.staff_code:
            item |= {"GSI4PK": keys.plan_reviews(plan.staff_code), "GSI4SK": place}
        if not plan.review_due_notified:
            item |= {"GSI1PK": keys.PLAN_REVIEWS_TO_ANNOUNCE, "GSI1SK": place}
    return item


def snapshot_item(plan: SentencePlan) -> Item:
    """A superseded version, as it was: read-only, on no index."""
    return {
        **keys.sentence_plan_version_key(plan.crn, plan.id, plan.plan_version),
        "itemType": "SENTENCE_PLAN_VERSION",
        **to_document(plan, indexed=("version",)),
    }


def linked(appointment: Appointment) -> LinkedAppointment:
    return LinkedAppointment(
        id=appointment.id,
        type=appointment.type.value,
        start=appointment.start,
        end=appointment.end,
        status=appointment.status.value,
        outcome=appointment.outcome,
        staff_code=appointment.staff_code,
    )

"""OASys assessments in the case partition (``OASYS#{id}``), with the one-open-draft lock beside them."""

from dataclasses import dataclass, field
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.case_repository import (
    DynamoCaseRepository,
    execute_on_case,
    latest_risk_in,
    overview_of,
)
from probation.adapters.dynamodb import Item, Transaction, from_document, to_document
from probation.adapters.outbox import audit_item, record_change
from probation.domain.assessments.models import Assessment, AssessmentStatus, CaseState
from probation.domain.audit import AuditRecord
from probation.domain.events import DomainEvent

SOURCE = "probation.assessments"


def assessments_in(partition: dict[str, list[Item]]) -> list[Assessment]:
    return [from_document(item, Assessment) for item in partition.get("OASYS", [])]


@dataclass
class DynamoAssessmentRepository:
    table_name: str = field(default_factory=config.table_name)
    cases: DynamoCaseRepository = field(default_factory=DynamoCaseRepository)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    def case_state(self, crn: str) -> CaseState | None:
        partition = self.cases.partition(crn)
        overview = overview_of(partition)
        if overview is None:
            return None
        return CaseState(overview, assessments_in(partition), latest_risk_in(partition))

    def assessment(self, crn: str, assessment_id: str) -> Assessment | None:
        key = keys.assessment_key(crn, assessment_id)
        item = self._table.get_item(Key=key, ConsistentRead=True).get("Item")
        return from_document(item, Assessment) if item else None

    def open_draft(self, assessment: Assessment, audit: AuditRecord) -> None:
        crn = assessment.crn
        transaction = Transaction(self.table_name)
        transaction.require("case exists", keys.profile_key(crn), "attribute_exists(PK)")
        transaction.create(
            "open draft",
            {**keys.open_draft_key(crn), "itemType": "OPEN_DRAFT", "assessmentId": assessment.assessment_id},
        )
        transaction.create("assessment", self._item(assessment))
        transaction.create("audit", audit_item(audit))
        transaction.answers(assessment)
        execute_on_case(transaction, self._table, crn)

    def replace(
        self, assessment: Assessment, expected_version: int, events: list[DomainEvent], audit: AuditRecord
    ) -> None:
        """Writes over ``expected_version`` of a draft; completing it frees the case for another draft."""
        crn = assessment.crn
        transaction = Transaction(self.table_name)
        transaction.put(
            "assessment version",
            self._item(assessment),
            condition="#version = :expected AND #status = :draft",
            ExpressionAttributeNames={"#version": "version", "#status": "status"},
            ExpressionAttributeValues={":expected": expected_version, ":draft": AssessmentStatus.DRAFT.value},
        )
        if assessment.status is AssessmentStatus.COMPLETED:
            transaction.delete(
                "open draft",
                keys.open_draft_key(crn),
                condition="assessmentId = :id",
                ExpressionAttributeValues={":id": assessment.assessment_id},
            )
        record_change(transaction, SOURCE, events, audit)
        execute_on_case(transaction, self._table, crn)

    def record_reads(self, records: list[AuditRecord]) -> None:
        self.cases.record_reads(records)

    def _item(self, assessment: Assessment) -> Item:
        key = keys.assessment_key(assessment.crn, assessment.assessment_id)
        return {**key, "itemType": "ASSESSMENT", **to_document(assessment, indexed=("version", "status"))}

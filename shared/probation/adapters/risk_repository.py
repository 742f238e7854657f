"""Risk score records in the case partition (``RISK#{timestamp}#{id}``), written with their event."""

from dataclasses import dataclass, field
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.assessment_repository import assessments_in
from probation.adapters.case_repository import DynamoCaseRepository, overview_of
from probation.adapters.dynamodb import (
    Transaction,
    TransactionConflict,
    from_document,
    query_page,
    to_document,
)
from probation.adapters.outbox import consumed_marker, record_change
from probation.domain.assessments.models import latest_completed
from probation.domain.audit import AuditRecord
from probation.domain.events import DomainEvent
from probation.domain.risk_scoring.records import RiskScoreRecord
from probation.domain.risk_scoring.service import AlreadyScored, ScoredMeanwhile, ScoringCase

SOURCE = "probation.risk"
CONSUMER = "risk"


LATEST_SCORE = "latest score"


@dataclass
class DynamoRiskRepository:
    table_name: str = field(default_factory=config.table_name)
    cases: DynamoCaseRepository = field(default_factory=DynamoCaseRepository)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    def case(self, crn: str) -> ScoringCase | None:
        """The case and its latest completed assessment, from one Query of the partition."""
        partition = self.cases.partition(crn)
        overview = overview_of(partition)
        if overview is None:
            return None
        return ScoringCase(overview, latest_completed(assessments_in(partition)))

    def latest(self, crn: str) -> RiskScoreRecord | None:
        records, _ = self.history(crn, 1, None)
        return records[0] if records else None

    def history(self, crn: str, limit: int, cursor: str | None) -> tuple[list[RiskScoreRecord], str | None]:
        page = query_page(
            self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": keys.case_partition(crn), ":prefix": keys.RISK},
            ScanIndexForward=False,
            Limit=limit,
            ConsistentRead=True,
            cursor=cursor,
            cursor_scope={"PK": keys.case_partition(crn)},
        )
        return [from_document(item, RiskScoreRecord) for item in page.items], page.cursor

    def save(
        self,
        record: RiskScoreRecord,
        previous: RiskScoreRecord | None,
        event: DomainEvent,
        audit: AuditRecord,
        consumed_event_id: str | None,
    ) -> None:
        transaction = Transaction(self.table_name)
        item = {**keys.risk_key(record.crn, record.calculated_at, record.score_id), "itemType": "RISK_SCORE"}
        transaction.create("risk score", {**item, **to_document(record)})
        transaction.answers(record)
        latest = {**keys.latest_risk_key(record.crn), "itemType": "RISK_LATEST", "scoreId": record.score_id}
        if previous is None:
            transaction.put(LATEST_SCORE, latest, condition="attribute_not_exists(PK)")
        else:
            # A case scored before the pointer existed has none: its latest score is the one read.
            transaction.put(
                LATEST_SCORE,
                latest,
                condition="attribute_not_exists(PK) OR scoreId = :previous",
                ExpressionAttributeValues={":previous": previous.score_id},
            )
        if consumed_event_id is not None:
            consumed_marker(transaction, CONSUMER, consumed_event_id)
        record_change(transaction, SOURCE, [event], audit)
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            if "consumed event" in conflict.failed:
                raise AlreadyScored(consumed_event_id) from conflict
            if LATEST_SCORE in conflict.failed:
                raise ScoredMeanwhile(record.crn) from conflict
            raise

    def record_reads(self, records: list[AuditRecord]) -> None:
        self.cases.record_reads(records)

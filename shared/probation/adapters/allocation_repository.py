"""Teams, practitioners and case allocations; a decision and the workloads it moves are one transaction."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic_core import to_jsonable_python

from probation import config
from probation.adapters import aws, keys
from probation.adapters.assessment_repository import assessments_in
from probation.adapters.case_repository import DynamoCaseRepository, latest_risk_in, overview_of
from probation.adapters.dynamodb import (
    Item,
    Transaction,
    TransactionConflict,
    from_attributes,
    from_document,
    query_pages,
    to_attributes,
    to_document,
)
from probation.adapters.outbox import consumed_marker, record_change
from probation.domain.allocation.models import Allocation, AllocationStatus, Practitioner, Team, Workload
from probation.domain.allocation.ports import AlreadyApplied, PartnerNotRegistered
from probation.domain.assessments.models import CaseState
from probation.domain.audit import AuditRecord
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.events import DomainEvent
from probation.domain.supervision.summary import SupervisionSummary

SOURCE = "probation.allocation"
CONSUMER = "allocation"


@dataclass
class DynamoAllocationRepository:
    table_name: str = field(default_factory=config.table_name)
    cases: DynamoCaseRepository = field(default_factory=DynamoCaseRepository)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    # ------------------------------------------------------------------ teams and practitioners

    def create_team(self, team: Team) -> None:
        item = {**keys.team_key(team.code), "itemType": "TEAM", "GSI2PK": keys.TEAMS, "GSI2SK": team.code}
        self._create({**item, **to_attributes(team)})

    def teams(self) -> list[Team]:
        items = query_pages(
            self._table,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": keys.TEAMS},
        )
        return [Team.model_validate(from_attributes(item)) for item in items]

    def team_exists(self, code: str) -> bool:
        return self.cases.team_exists(code)

    def create_practitioner(self, practitioner: Practitioner) -> None:
        self._create(self._practitioner_item(practitioner))

    def practitioner(self, code: str) -> Practitioner | None:
        item = self._table.get_item(Key=keys.staff_key(code), ConsistentRead=True).get("Item")
        return Practitioner.model_validate(from_attributes(item)) if item else None

    def practitioners(self, team_code: str) -> list[Practitioner]:
        """The team's practitioners with their workloads, from one Query of the index."""
        items = query_pages(
            self._table,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": keys.team_members(team_code)},
        )
        return [Practitioner.model_validate(from_attributes(item)) for item in items]

    def replace_practitioner(self, practitioner: Practitioner, expected_version: int) -> None:
        """Writes the practitioner's details over ``expected_version``; the workload is left as it stands,
        since allocations move it without changing the details' version."""
        item = self._practitioner_item(practitioner)
        details = {name: value for name, value in item.items() if name not in ("PK", "SK", "workload")}
        try:
            self._table.update_item(
                Key=keys.staff_key(practitioner.code),
                UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in details),
                ConditionExpression="#version = :expected",
                ExpressionAttributeNames={f"#{name}": name for name in details},
                ExpressionAttributeValues={
                    **{f":{name}": value for name, value in details.items()},
                    ":expected": expected_version,
                },
            )
        except self._table.meta.client.exceptions.ConditionalCheckFailedException as error:
            raise ConcurrentChange(["practitioner version"]) from error

    # ------------------------------------------------------------------ allocations

    def allocation(self, crn: str) -> Allocation | None:
        item = self._table.get_item(Key=keys.allocation_key(crn), ConsistentRead=True).get("Item")
        return from_document(item, Allocation) if item else None

    def queue(self, team_code: str) -> list[Allocation]:
        return self._allocations_on(keys.team_queue(team_code))

    def caseload(self, practitioner_code: str) -> list[Allocation]:
        return self._allocations_on(keys.caseload(practitioner_code))

    def ending_by_practitioner(self, practitioner_code: str, until: date) -> list[Allocation]:
        return self._ending("GSI2", keys.ending(practitioner_code), until)

    def ending_in_team(self, team_code: str, until: date) -> list[Allocation]:
        return self._ending("GSI3", keys.team_ending(team_code), until)

    def supervision_summaries(self, crns: list[str]) -> dict[str, SupervisionSummary]:
        return self.cases.summaries(crns)

    def case_state(self, crn: str) -> CaseState | None:
        partition = self.cases.partition(crn)
        overview = overview_of(partition)
        if overview is None:
            return None
        return CaseState(overview, assessments_in(partition), latest_risk_in(partition))

    def save_allocation(
        self,
        allocation: Allocation,
        expected_version: int | None,
        workload_changes: list[tuple[str, Workload, Workload]],
        events: list[DomainEvent],
        audit: AuditRecord,
        consumed_event_id: str | None,
        case_moved_at: datetime | None = None,
    ) -> None:
        """The allocation with its sparse siblings (each put while it applies, else deleted), the workloads
        it moves (each conditional on what was read), the case's own team when the case moves, and its
        events. Only the allocation's own write is conditional on its version: the siblings are copies of it
        and change only with it."""
        transaction = Transaction(self.table_name)
        crn = allocation.crn
        item = {**keys.allocation_key(crn), "itemType": "ALLOCATION", **self._index_keys(allocation)}
        document = {**item, **to_document(allocation, indexed=("version",))}
        if expected_version is None:
            transaction.create("allocation", document)
        else:
            transaction.put(
                "allocation version",
                document,
                condition="#version = :expected",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={":expected": expected_version},
            )
        for label, key, index_keys in self._siblings(allocation):
            if index_keys:
                transaction.put(label, {**key, "itemType": label, **index_keys, **to_document(allocation)})
            else:
                transaction.delete(label, key)
        if case_moved_at is not None:
            # The case's team follows it (its version too: PATCH /cases/{crn} names the version it read).
            transaction.update(
                "case team",
                keys.profile_key(crn),
                "SET teamCode = :team, updatedAt = :at, #version = #version + :one",
                condition="attribute_exists(PK)",
                ExpressionAttributeNames={"#version": "version"},
                ExpressionAttributeValues={
                    ":team": allocation.team_code,
                    ":at": to_jsonable_python(case_moved_at),
                    ":one": 1,
                },
            )
        for code, before, after in workload_changes:
            transaction.update(
                "workload",
                keys.staff_key(code),
                "SET workload = :after",
                condition="workload = :before",
                ExpressionAttributeValues={":before": to_attributes(before), ":after": to_attributes(after)},
            )
        if allocation.partner_id is not None:
            # In the same write, so a case never goes to a partner that no one can sign in as.
            transaction.require(
                "partner registered", keys.partner_key(allocation.partner_id), "attribute_exists(PK)"
            )
        if consumed_event_id is not None:
            consumed_marker(transaction, CONSUMER, consumed_event_id)
        record_change(transaction, SOURCE, events, audit)
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            if "consumed event" in conflict.failed:
                raise AlreadyApplied(consumed_event_id) from conflict
            if "partner registered" in conflict.failed:
                raise PartnerNotRegistered(allocation.partner_id) from conflict
            raise ConcurrentChange(conflict.failed) from conflict

    # ------------------------------------------------------------------ helpers

    def _ending(self, index: str, partition: str, until: date) -> list[Allocation]:
        items = query_pages(
            self._table,
            IndexName=index,
            KeyConditionExpression=f"{index}PK = :pk AND {index}SK <= :until",
            # Every case of that day, whatever its CRN ("~" sorts after any of them).
            ExpressionAttributeValues={":pk": partition, ":until": f"{until.isoformat()}#~"},
        )
        return [from_document(item, Allocation) for item in items]

    def _allocations_on(self, gsi2_partition: str) -> list[Allocation]:
        items = query_pages(
            self._table,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": gsi2_partition},
        )
        return [from_document(item, Allocation) for item in items]

    @staticmethod
    def _index_keys(allocation: Allocation) -> Item:
        case = keys.case_partition(allocation.crn)
        if allocation.status is AllocationStatus.CLOSED:
            return {}
        if allocation.status is AllocationStatus.UNALLOCATED:
            return {"GSI2PK": keys.team_queue(allocation.team_code), "GSI2SK": case}
        if allocation.practitioner_code is not None:
            return {"GSI2PK": keys.caseload(allocation.practitioner_code), "GSI2SK": case}
        return {"GSI3PK": keys.partner_caseload(str(allocation.partner_id)), "GSI3SK": case}

    @staticmethod
    def _siblings(allocation: Allocation) -> list[tuple[str, Item, Item]]:
        """Each sparse sibling's label (its item type), key and index keys (none: it does not apply)."""
        crn = allocation.crn
        ending: Item = {}
        if allocation.status is not AllocationStatus.CLOSED and allocation.facts.ending is not None:
            by_date = f"{allocation.facts.ending.expected_end_date.isoformat()}#{crn}"
            ending = {"GSI3PK": keys.team_ending(allocation.team_code), "GSI3SK": by_date}
            if allocation.status is AllocationStatus.ALLOCATED and allocation.practitioner_code is not None:
                ending |= {"GSI2PK": keys.ending(allocation.practitioner_code), "GSI2SK": by_date}
        transfer = allocation.pending_transfer
        incoming: Item = {}
        if transfer is not None:
            incoming = {"GSI2PK": keys.team_queue(transfer.to_team_code), "GSI2SK": keys.case_partition(crn)}
        return [
            ("ALLOCATION-ENDING", keys.allocation_ending_key(crn), ending),
            ("ALLOCATION-TRANSFER", keys.allocation_transfer_key(crn), incoming),
        ]

    @staticmethod
    def _practitioner_item(practitioner: Practitioner) -> Item:
        return {
            **keys.staff_key(practitioner.code),
            "itemType": "PRACTITIONER",
            "GSI2PK": keys.team_members(practitioner.team_code),
            "GSI2SK": f"STAFF#{practitioner.code}",
            **to_attributes(practitioner),
        }

    def _create(self, item: Item) -> None:
        try:
            self._table.put_item(Item=item, ConditionExpression="attribute_not_exists(PK)")
        except self._table.meta.client.exceptions.ConditionalCheckFailedException as error:
            raise ConcurrentChange(["exists"]) from error

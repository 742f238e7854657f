"""The partner registry and the partner's view of its cases."""

from dataclasses import dataclass, field
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.allocation_repository import DynamoAllocationRepository
from probation.adapters.dynamodb import (
    Transaction,
    TransactionConflict,
    from_attributes,
    from_document,
    query_page,
    query_pages,
    to_attributes,
)
from probation.adapters.partner_registry import client_key
from probation.domain.allocation.models import Allocation
from probation.domain.assessments.models import CaseState
from probation.domain.partners.models import Partner
from probation.domain.partners.service import DuplicatePartner

PARTNERS = "PARTNERS"


@dataclass
class DynamoPartnerRepository:
    table_name: str = field(default_factory=config.table_name)
    allocations: DynamoAllocationRepository = field(default_factory=DynamoAllocationRepository)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    def save_partner(self, partner: Partner) -> None:
        """The partner and its client's registry entry, together: the authorizer trusts only the latter."""
        transaction = Transaction(self.table_name)
        transaction.create(
            "partner",
            {
                "PK": f"PARTNER#{partner.partner_id}",
                "SK": keys.PROFILE,
                "itemType": "PARTNER",
                "GSI2PK": PARTNERS,
                "GSI2SK": partner.partner_id,
                **to_attributes(partner),
            },
        )
        transaction.create(
            "client",
            {**client_key(partner.client_id), "itemType": "PARTNER_CLIENT", "partnerId": partner.partner_id},
        )
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            raise DuplicatePartner(partner.partner_id) from conflict

    def partners(self) -> list[Partner]:
        items = query_pages(
            self._table,
            IndexName="GSI2",
            KeyConditionExpression="GSI2PK = :pk",
            ExpressionAttributeValues={":pk": PARTNERS},
        )
        return [Partner.model_validate(from_attributes(item)) for item in items]

    def partner_cases(
        self, partner_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Allocation], str | None]:
        partition = keys.partner_caseload(partner_id)
        page = query_page(
            self._table,
            IndexName="GSI3",
            KeyConditionExpression="GSI3PK = :pk",
            ExpressionAttributeValues={":pk": partition},
            Limit=limit,
            cursor=cursor,
            cursor_scope={"GSI3PK": partition},
        )
        return [from_document(item, Allocation) for item in page.items], page.cursor

    def allocation(self, crn: str) -> Allocation | None:
        return self.allocations.allocation(crn)

    def case_state(self, crn: str) -> CaseState | None:
        return self.allocations.case_state(crn)

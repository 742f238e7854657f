"""The partner registry, the partner's view of its cases, its feed, subscriptions and deliveries."""

from dataclasses import dataclass, field

from probation.adapters import keys
from probation.adapters.allocation_repository import DynamoAllocationRepository
from probation.adapters.dynamodb import (
    Transaction,
    TransactionConflict,
    from_attributes,
    from_document,
    query_page,
    query_pages,
    to_attributes,
    to_document,
)
from probation.adapters.outbox import consumed_marker
from probation.adapters.partner_registry import client_key
from probation.adapters.subscription_store import (
    SUBSCRIPTION_COUNT,
    SubscriptionStore,
    delivery_item,
    feed_place,
)
from probation.domain.allocation.models import Allocation
from probation.domain.assessments.models import CaseState
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.events import DomainEvent
from probation.domain.partners.models import Delivery, FeedEntry, Partner
from probation.domain.partners.ports import AlreadyInFeed, DuplicatePartner

PARTNERS = "PARTNERS"
LAST_PLACE = 10**12 - 1


@dataclass
class DynamoPartnerRepository(SubscriptionStore):
    """The partner registry, each partner's view and feed, and (inherited) its subscriptions."""

    allocations: DynamoAllocationRepository = field(default_factory=DynamoAllocationRepository)

    def save_partner(self, partner: Partner, usage_key: str) -> None:
        """The partner and its client's registry entry, together: the authorizer trusts only the latter."""
        transaction = Transaction(self.table_name)
        transaction.create(
            "partner",
            {
                **keys.partner_key(partner.partner_id),
                "itemType": "PARTNER",
                "GSI2PK": PARTNERS,
                "GSI2SK": partner.partner_id,
                **to_attributes(partner),
            },
        )
        transaction.create(
            "client",
            {
                **client_key(partner.client_id),
                "itemType": "PARTNER_CLIENT",
                "partnerId": partner.partner_id,
                "usageKey": usage_key,
            },
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
        return [
            Partner.model_validate(
                {k: v for k, v in from_attributes(item).items() if k != SUBSCRIPTION_COUNT}
            )
            for item in items
        ]

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

    def feed(self, partner_id: str, after: int, limit: int) -> list[FeedEntry]:
        response = self._table.query(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
            ExpressionAttributeValues={
                ":pk": _feed(partner_id),
                ":first": feed_place(after + 1),
                ":last": feed_place(LAST_PLACE),
            },
            Limit=limit,
            ConsistentRead=True,
        )
        return [from_document(item, FeedEntry) for item in response.get("Items", [])]

    def feed_end(self, partner_id: str) -> int:
        item = self._table.get_item(Key=_feed_end_key(partner_id), ConsistentRead=True).get("Item")
        return int(item["sequence"]) if item else 0

    def append_to_feed(
        self, partner_id: str, sequence: int, event: DomainEvent, deliveries: list[Delivery]
    ) -> None:
        transaction = Transaction(self.table_name)
        end = {**_feed_end_key(partner_id), "itemType": "FEED_END", "sequence": sequence}
        if sequence == 1:
            transaction.create("feed end", end)
        else:
            transaction.put(
                "feed end",
                end,
                condition="#sequence = :previous",
                ExpressionAttributeNames={"#sequence": "sequence"},
                ExpressionAttributeValues={":previous": sequence - 1},
            )
        entry = FeedEntry(sequence=sequence, event=event)
        transaction.create(
            "feed entry",
            {
                "PK": _feed(partner_id),
                "SK": feed_place(sequence),
                "itemType": "FEED_ENTRY",
                **to_document(entry),
            },
        )
        consumed_marker(transaction, f"feed-{partner_id}", event.event_id)
        for delivery in deliveries:
            # The insert on the table stream is what sends the delivery on its way (functions/webhooks).
            transaction.create(
                f"delivery to {delivery.subscription_id}",
                {**delivery_item(delivery), "event": event.model_dump_json(by_alias=True, round_trip=True)},
            )
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            if "consumed event" in conflict.failed:
                raise AlreadyInFeed(event.event_id) from conflict
            raise ConcurrentChange(conflict.failed) from conflict

    def allocation(self, crn: str) -> Allocation | None:
        return self.allocations.allocation(crn)

    def case_state(self, crn: str) -> CaseState | None:
        return self.allocations.case_state(crn)


def _feed(partner_id: str) -> str:
    return f"FEED#{partner_id}"


def _feed_end_key(partner_id: str) -> dict[str, str]:
    return {"PK": _feed(partner_id), "SK": "END"}

"""Partners' webhook subscriptions and their deliveries in the table: what both the partner gateway and the
webhooks function read, without the rest of the partner repository (the webhooks function's cold start)."""

from dataclasses import dataclass, field
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.dynamodb import (
    Item,
    Transaction,
    TransactionConflict,
    from_document,
    query_page,
    query_pages,
    to_document,
)
from probation.domain.partners.models import Delivery, SubscriptionWithSecret
from probation.domain.partners.ports import SubscriptionLimitReached

SUBSCRIPTION = "SUBSCRIPTION#"
SUBSCRIPTION_COUNT = "subscriptionCount"
"""Kept on the partner's profile item by every subscribe and unsubscribe: the cap's atomic counter."""
DELIVERY_ITEM = "WEBHOOK_DELIVERY"


@dataclass
class SubscriptionStore:
    table_name: str = field(default_factory=config.table_name)

    @property
    def _table(self) -> Any:
        return aws.table(self.table_name)

    def save_subscription(self, subscription: SubscriptionWithSecret, limit: int) -> None:
        transaction = Transaction(self.table_name)
        transaction.update(
            "subscription count",
            keys.partner_key(subscription.partner_id),
            f"SET {SUBSCRIPTION_COUNT} = if_not_exists({SUBSCRIPTION_COUNT}, :zero) + :one",
            condition=f"attribute_exists(PK) AND "
            f"(attribute_not_exists({SUBSCRIPTION_COUNT}) OR {SUBSCRIPTION_COUNT} < :limit)",
            ExpressionAttributeValues={":zero": 0, ":one": 1, ":limit": limit},
        )
        transaction.create(
            "subscription",
            {
                **_subscription_key(subscription.partner_id, subscription.subscription_id),
                "itemType": "SUBSCRIPTION",
                **to_document(subscription),
            },
        )
        transaction.answers(subscription.public())
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict as conflict:
            if "subscription count" in conflict.failed:
                raise SubscriptionLimitReached(subscription.partner_id) from conflict
            raise

    def subscriptions(self, partner_id: str) -> list[SubscriptionWithSecret]:
        items = query_pages(
            self._table,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :subscription)",
            ExpressionAttributeValues={
                ":pk": keys.partner_partition(partner_id),
                ":subscription": SUBSCRIPTION,
            },
            ConsistentRead=True,
        )
        return [from_document(item, SubscriptionWithSecret) for item in items]

    def subscription(self, partner_id: str, subscription_id: str) -> SubscriptionWithSecret | None:
        item = self._table.get_item(
            Key=_subscription_key(partner_id, subscription_id), ConsistentRead=True
        ).get("Item")
        return from_document(item, SubscriptionWithSecret) if item else None

    def delete_subscription(self, partner_id: str, subscription_id: str) -> bool:
        transaction = Transaction(self.table_name)
        transaction.delete(
            "subscription", _subscription_key(partner_id, subscription_id), condition="attribute_exists(PK)"
        )
        # A partner registered before subscriptions were counted has no count: it is not taken below 0.
        transaction.update(
            "subscription count",
            keys.partner_key(partner_id),
            f"SET {SUBSCRIPTION_COUNT} = if_not_exists({SUBSCRIPTION_COUNT}, :one) - :one",
            ExpressionAttributeValues={":one": 1},
        )
        try:
            transaction.execute(self._table.meta.client)
        except TransactionConflict:
            return False
        return True

    def deliveries(
        self, partner_id: str, subscription_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]:
        partition = deliveries_partition(partner_id, subscription_id)
        page = query_page(
            self._table,
            KeyConditionExpression="PK = :pk",
            ExpressionAttributeValues={":pk": partition},
            ScanIndexForward=False,
            Limit=limit,
            cursor=cursor,
            cursor_scope={"PK": partition},
        )
        return [from_document(item, Delivery) for item in page.items], page.cursor


def delivery_key(partner_id: str, subscription_id: str, sequence: int) -> dict[str, str]:
    """One delivery per subscription and feed entry, in feed order."""
    return {"PK": deliveries_partition(partner_id, subscription_id), "SK": feed_place(sequence)}


def deliveries_partition(partner_id: str, subscription_id: str) -> str:
    return f"WEBHOOK#{partner_id}#{subscription_id}"


def delivery_item(delivery: Delivery) -> Item:
    """The delivery as stored: a document, with what conditions and the stream need as attributes."""
    return {
        **delivery_key(delivery.partner_id, delivery.subscription_id, delivery.sequence),
        "itemType": DELIVERY_ITEM,
        "partnerId": delivery.partner_id,
        "subscriptionId": delivery.subscription_id,
        "sequence": delivery.sequence,
        "status": delivery.status.value,
        "attemptCount": len(delivery.attempts),
        **to_document(delivery),
    }


def _subscription_key(partner_id: str, subscription_id: str) -> dict[str, str]:
    return {"PK": keys.partner_partition(partner_id), "SK": f"{SUBSCRIPTION}{subscription_id}"}


def feed_place(sequence: int) -> str:
    """Fixed width, so the sort key orders places as numbers; the feed's "END" item sorts after them all."""
    return f"{sequence:012d}"

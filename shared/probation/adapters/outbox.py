"""Outbox and access-log items: written in the same transaction as the change they describe."""

from probation.adapters import keys
from probation.adapters.dynamodb import Item, Transaction, to_attributes
from probation.domain.audit import AuditRecord
from probation.domain.events import DomainEvent


def event_item(event: DomainEvent, source: str) -> Item:
    crn = event.person_reference.identifiers[0].value
    return {
        **keys.event_key(crn, event.occurred_at, event.event_id),
        "itemType": "EVENT",
        "source": source,
        "detailType": event.event_type,
        "detail": to_attributes(event),
    }


def audit_item(record: AuditRecord) -> Item:
    return {
        **keys.audit_key(record.crn, record.at, record.audit_id),
        "itemType": "AUDIT",
        **to_attributes(record),
    }


def consumed_marker(transaction: Transaction, consumer: str, event_id: str) -> None:
    transaction.create("consumed event", {**keys.consumed_key(consumer, event_id), "itemType": "CONSUMED"})


def record_change(
    transaction: Transaction, source: str, events: list[DomainEvent], audit: AuditRecord
) -> None:
    for event in events:
        transaction.create(f"event {event.event_type}", event_item(event, source))
    transaction.create("audit", audit_item(audit))

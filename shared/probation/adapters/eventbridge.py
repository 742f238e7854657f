"""Putting outbox events on the probation bus."""

import json
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from probation import config
from probation.adapters import aws
from probation.adapters.dynamodb import from_attributes

# PutEvents takes at most ten entries per call.
PUT_EVENTS_BATCH = 10

_deserializer = TypeDeserializer()


@dataclass(frozen=True)
class OutboxEntry:
    sequence_number: str
    source: str
    detail_type: str
    detail: dict[str, Any]

    @classmethod
    def from_stream_image(cls, sequence_number: str, image: dict[str, Any]) -> "OutboxEntry":
        item = {name: _deserializer.deserialize(value) for name, value in image.items()}
        return cls(
            sequence_number=sequence_number,
            source=str(item["source"]),
            detail_type=str(item["detailType"]),
            detail=from_attributes(item["detail"]),
        )

    def as_put_events_entry(self, bus_name: str) -> dict[str, str]:
        return {
            "EventBusName": bus_name,
            "Source": self.source,
            "DetailType": self.detail_type,
            "Detail": json.dumps(self.detail, separators=(",", ":")),
        }


def publish(entries: list[OutboxEntry]) -> list[str]:
    """Puts ``entries`` in order; returns the sequence numbers from the first failure onwards."""
    bus = config.event_bus_name()
    for start in range(0, len(entries), PUT_EVENTS_BATCH):
        batch = entries[start : start + PUT_EVENTS_BATCH]
        response = aws.events().put_events(Entries=[entry.as_put_events_entry(bus) for entry in batch])
        results = response.get("Entries", [])
        for offset, result in enumerate(results):
            if result.get("ErrorCode"):
                return [entry.sequence_number for entry in entries[start + offset :]]
    return []

"""The partner registry: which partner each registered app client belongs to, and its usage plan key."""

from dataclasses import dataclass
from typing import Any

from probation import config
from probation.adapters import aws


@dataclass(frozen=True)
class RegisteredClient:
    partner_id: str
    usage_key: str | None
    """The API key that meters the partner against the partner usage plan (API Gateway reads it from the
    authorizer's answer, so the partner never sends or sees it)."""


def client_key(client_id: str) -> dict[str, str]:
    return {"PK": f"CLIENT#{client_id}", "SK": "PARTNER"}


_known: dict[str, RegisteredClient] = {}


def registered_client(client_id: str) -> RegisteredClient | None:
    """A registered client is remembered while the authorizer is warm (a registration never moves to another
    partner); an unknown one is asked about again, since it may be registered next."""
    if client_id not in _known:
        table = aws.table(config.table_name())
        item: dict[str, Any] | None = table.get_item(Key=client_key(client_id), ConsistentRead=True).get(
            "Item"
        )
        if item is None:
            return None
        _known[client_id] = RegisteredClient(str(item["partnerId"]), item.get("usageKey"))
    return _known[client_id]

"""The partner registry: which partner each registered app client belongs to."""

from typing import Any

from probation import config
from probation.adapters import aws


def client_key(client_id: str) -> dict[str, str]:
    return {"PK": f"CLIENT#{client_id}", "SK": "PARTNER"}


_known: dict[str, str] = {}


def partner_for_client(client_id: str) -> str | None:
    """A registered client is remembered while the authorizer is warm (a registration never moves to another
    partner); an unknown one is asked about again, since it may be registered next."""
    if client_id not in _known:
        table = aws.table(config.table_name())
        item: dict[str, Any] | None = table.get_item(Key=client_key(client_id), ConsistentRead=True).get(
            "Item"
        )
        if item is None:
            return None
        _known[client_id] = str(item["partnerId"])
    return _known[client_id]

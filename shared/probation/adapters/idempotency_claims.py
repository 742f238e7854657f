"""An Idempotency-Key's claim on the change it makes, written in the same transaction as that change.

Powertools' idempotency record is completed only after the change has committed, so a crash between the two
would let a retry make the change again. While a request runs under a claim, the first transaction that
commits also writes the claim's record (the request body's hash and what the request answers with), on the
condition that no record exists. A retry whose change reaches the store finds the record in its way and is
answered from it; the change is never made twice.
"""

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from probation.adapters import aws

APPLIED = "idempotency key"
_RECORD_PREFIX = "applied#"


@dataclass
class Claim:
    key_hash: str
    body_hash: str
    table_name: str
    expires_at: int
    spent: bool = False

    @property
    def record_key(self) -> dict[str, str]:
        return {"id": _RECORD_PREFIX + self.key_hash}

    def record(self, outcome: str | None) -> dict[str, Any]:
        """The Put that writes this claim's record, unless one is there already."""
        item: dict[str, Any] = {**self.record_key, "bodyHash": self.body_hash, "expiration": self.expires_at}
        if outcome is not None:
            item["outcome"] = outcome
        return {
            "TableName": self.table_name,
            "Item": item,
            "ConditionExpression": "attribute_not_exists(id)",
        }


@dataclass(frozen=True)
class AppliedRecord:
    body_hash: str
    outcome: str | None


class AlreadyApplied(Exception):
    """The claim's record is already written: an earlier attempt of this request made the change."""


_current: ContextVar[Claim | None] = ContextVar("idempotency_claim", default=None)


@contextlib.contextmanager
def claiming(claim: Claim) -> Iterator[Claim]:
    token = _current.set(claim)
    try:
        yield claim
    finally:
        _current.reset(token)


def unspent() -> Claim | None:
    """The claim the next transaction must write, if the running request has one it has not yet written."""
    claim = _current.get()
    return claim if claim is not None and not claim.spent else None


def applied(claim: Claim) -> AppliedRecord | None:
    item = (
        aws.dynamodb_client()
        .get_item(TableName=claim.table_name, Key={"id": {"S": claim.record_key["id"]}}, ConsistentRead=True)
        .get("Item")
    )
    if item is None:
        return None
    outcome = item.get("outcome")
    return AppliedRecord(body_hash=item["bodyHash"]["S"], outcome=outcome["S"] if outcome else None)

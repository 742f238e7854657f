"""batch_get: BatchGetItem in batches of 100, asking again for what DynamoDB left unprocessed."""

from dataclasses import dataclass, field
from typing import Any

from probation.adapters.dynamodb import batch_get

TABLE = "cases"


@dataclass
class LaggingClient:
    """Answers each request's first key at once and leaves the rest unprocessed, as a throttled table does."""

    stored: dict[tuple[str, str], dict[str, str]]
    requests: list[int] = field(default_factory=list)

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 - boto3's name
        wanted = RequestItems[TABLE]["Keys"]
        assert RequestItems[TABLE]["ConsistentRead"] is True
        self.requests.append(len(wanted))
        first, rest = wanted[0], wanted[1:]
        item = self.stored.get((first["PK"], first["SK"]))
        answer = [item] if item else []
        unprocessed = {TABLE: {**RequestItems[TABLE], "Keys": rest}} if rest else {}
        return {"Responses": {TABLE: answer}, "UnprocessedKeys": unprocessed}


@dataclass
class FakeTable:
    meta: Any
    name: str = TABLE


@dataclass
class Meta:
    client: LaggingClient


def key(number: int) -> dict[str, str]:
    return {"PK": f"CASE#{number}", "SK": "PROFILE"}


def test_every_key_is_asked_for_until_none_is_left_and_missing_items_are_absent() -> None:
    stored = {(k["PK"], k["SK"]): {**k, "name": str(n)} for n in range(0, 150, 2) for k in [key(n)]}
    client = LaggingClient(stored)
    found = batch_get(FakeTable(Meta(client)), [key(n) for n in range(150)])
    assert found == stored
    # Two batches (100 and 50 keys), each asked again key by key as DynamoDB leaves the rest.
    assert client.requests[0] == 100
    assert client.requests[100] == 50
    assert len(client.requests) == 150

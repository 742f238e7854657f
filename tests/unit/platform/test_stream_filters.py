from typing import Any

import pytest

from infrastructure.local.pollers import matches

OUTBOX_FILTER = {"eventName": ["INSERT"], "dynamodb": {"Keys": {"SK": {"S": [{"prefix": "EVT#"}]}}}}


def record(event_name: str, sort_key: str) -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"Keys": {"PK": {"S": "EVENTS#X1"}, "SK": {"S": sort_key}}}}


@pytest.mark.parametrize(
    ("event_name", "sort_key", "expected"),
    [
        ("INSERT", "EVT#2026-01-01#1", True),
        ("MODIFY", "EVT#2026-01-01#1", False),
        ("INSERT", "PROFILE", False),
        ("INSERT", "AUDIT#2026", False),
    ],
)
def test_the_outbox_filter_passes_only_new_event_items(
    event_name: str, sort_key: str, expected: bool
) -> None:
    assert matches(OUTBOX_FILTER, record(event_name, sort_key)) is expected


def test_a_missing_field_does_not_match() -> None:
    assert not matches(OUTBOX_FILTER, {"eventName": "INSERT"})

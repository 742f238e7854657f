"""A store that stays busy: every write path answers 503 with Retry-After and changes nothing, never 500."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from probation.adapters import aws, dynamodb
from tests.component.conftest import Caller


def cancelled_by_another_transaction(**_: Any) -> None:
    raise ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "Transaction cancelled"},
            "CancellationReasons": [{"Code": "TransactionConflict"}],
        },
        "TransactWriteItems",
    )


def throttled(**_: Any) -> None:
    raise ClientError(
        {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "Rate exceeded"}}, "PutItem"
    )


@pytest.fixture
def busy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dynamodb, "pause_before_retry", lambda _: None)


def test_a_patch_that_meets_conflicts_every_time_is_503_with_retry_after_and_changes_nothing(
    api: Caller, crn: str, busy: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = aws.dynamodb().meta.client
    monkeypatch.setattr(client, "transact_write_items", cancelled_by_another_transaction)
    response = api("PATCH", f"/cases/{crn}", {"lastName": "Smith"}, headers={"If-Match": '"1"'})
    assert response.status == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.body["type"].endswith("unavailable")
    monkeypatch.undo()
    assert api("GET", f"/cases/{crn}").body["lastName"] == "Doe"


def test_throttling_that_outlasts_boto3_s_retries_is_503_not_500(
    api: Caller, crn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = aws.dynamodb().meta.client
    monkeypatch.setattr(client, "batch_write_item", throttled)  # the read's access log
    monkeypatch.setattr(client, "put_item", throttled)
    response = api("GET", f"/cases/{crn}")
    assert response.status == 503
    assert "Retry-After" in response.headers

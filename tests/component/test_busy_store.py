"""A store that stays busy: every write path answers 503 with Retry-After and changes nothing, never 500."""

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infrastructure.local import moto_patches
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


# The same, with the faults coming from the stand-in itself (LOCAL_AWS_FAULTS), as the local runner has them.


@pytest.fixture
def faults() -> Iterator[moto_patches.Faults]:
    yield moto_patches.FAULTS
    moto_patches.FAULTS.set("")


def test_the_stand_in_cancelling_every_transaction_makes_a_patch_503_and_changes_nothing(
    api: Caller, crn: str, busy: None, faults: moto_patches.Faults
) -> None:
    faults.set("TransactionConflict=1")
    response = api("PATCH", f"/cases/{crn}", {"lastName": "Smith"}, headers={"If-Match": '"1"'})
    assert (response.status, response.headers["Retry-After"]) == (503, "1")
    faults.set("")
    assert api("GET", f"/cases/{crn}").body["lastName"] == "Doe"


def test_a_contact_recorded_while_transactions_conflict_half_the_time_is_recorded_once(
    api: Caller, crn: str, busy: None, faults: moto_patches.Faults
) -> None:
    faults.set("TransactionConflict=0.5", seed=2026)
    contact = {
        "type": "OFFICE_APPOINTMENT",
        "contactDate": "2026-01-05T10:00:00Z",
        "outcome": "ATTENDED_COMPLIED",
    }
    answers = [
        api("POST", f"/cases/{crn}/contacts", contact, headers={"Idempotency-Key": f"busy-{n}"}).status
        for n in range(6)
    ]
    faults.set("")
    assert set(answers) <= {201, 503}
    assert 201 in answers, "the retries get most writes through"
    recorded = api("GET", f"/cases/{crn}/contacts").body["items"]
    assert len(recorded) == answers.count(201), "each accepted contact once, each refused one not at all"


def test_throttling_by_the_stand_in_past_boto3_s_retries_is_503(
    api: Caller, crn: str, faults: moto_patches.Faults
) -> None:
    faults.set("Throttling=1")
    response = api("GET", f"/cases/{crn}")  # its access-log entry is a write
    faults.set("")
    assert response.status == 503


def test_an_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        moto_patches.Faults().set("Gremlins=1")

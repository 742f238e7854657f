"""Transactions under contention: a failed condition is reported at once; a transaction cancelled because
the table was busy is tried again a bounded number of times, with the same token, then is Unavailable."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from probation.adapters import dynamodb
from probation.adapters.dynamodb import TRANSIENT_ATTEMPTS, Transaction, TransactionConflict
from probation.domain.errors import Unavailable

PAUSE = dynamodb.pause_before_retry  # the real one: the tests below skip the pauses


def cancelled(*reasons: str) -> ClientError:
    return ClientError(
        {
            "Error": {"Code": "TransactionCanceledException", "Message": "cancelled"},
            "CancellationReasons": [{"Code": reason} for reason in reasons],
        },
        "TransactWriteItems",
    )


def refused(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "TransactWriteItems")


class Client:
    """Answers each call with the next of ``outcomes`` (an error to raise, or None for success)."""

    def __init__(self, *outcomes: ClientError | None) -> None:
        self.outcomes = list(outcomes)
        self.tokens: list[str] = []

    def transact_write_items(self, TransactItems: list[Any], ClientRequestToken: str) -> None:  # noqa: N803
        self.tokens.append(ClientRequestToken)
        outcome = self.outcomes.pop(0)
        if outcome is not None:
            raise outcome


@pytest.fixture(autouse=True)
def no_pauses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pauses: list[int] = []
    monkeypatch.setattr(dynamodb, "pause_before_retry", pauses.append)
    return pauses


def transaction() -> Transaction:
    write = Transaction("table")
    write.create("case", {"PK": "CASE#X000001", "SK": "PROFILE"})
    write.create("event", {"PK": "EVENTS#X000001", "SK": "EVT#1"})
    return write


def test_a_conflict_with_another_transaction_is_tried_again_with_the_same_token(no_pauses: list[int]) -> None:
    client = Client(cancelled("TransactionConflict", "None"), cancelled("None", "TransactionConflict"), None)
    transaction().execute(client)
    assert len(client.tokens) == 3
    assert len(set(client.tokens)) == 1, "a retry carries the first attempt's token"
    assert no_pauses == [1, 2]


def test_a_conflict_that_lasts_is_unavailable_after_a_bounded_number_of_attempts() -> None:
    client = Client(*[cancelled("TransactionConflict", "None")] * TRANSIENT_ATTEMPTS)
    with pytest.raises(Unavailable) as raised:
        transaction().execute(client)
    assert len(client.tokens) == TRANSIENT_ATTEMPTS
    assert raised.value.retry_after_seconds >= 1


def test_a_transaction_cancelled_by_throttling_is_tried_again_then_unavailable() -> None:
    client = Client(*[cancelled("ThrottlingError")] * TRANSIENT_ATTEMPTS)
    with pytest.raises(Unavailable):
        transaction().execute(client)
    assert len(client.tokens) == TRANSIENT_ATTEMPTS


@pytest.mark.parametrize(
    "code", ["ThrottlingException", "ProvisionedThroughputExceededException", "RequestLimitExceeded"]
)
def test_throttling_botocore_already_retried_is_unavailable_at_once(code: str) -> None:
    """botocore's standard mode has tried these again already: more attempts here would multiply its own
    and keep the caller waiting past API Gateway's 29 seconds."""
    client = Client(refused(code), None)
    with pytest.raises(Unavailable):
        transaction().execute(client)
    assert len(client.tokens) == 1


def test_a_failed_condition_is_reported_at_once_by_its_label(no_pauses: list[int]) -> None:
    client = Client(cancelled("None", "ConditionalCheckFailed"))
    with pytest.raises(TransactionConflict) as raised:
        transaction().execute(client)
    assert raised.value.failed == ["event"]
    assert (len(client.tokens), no_pauses) == (1, [])


def test_a_failed_condition_beside_a_conflict_is_still_the_condition() -> None:
    client = Client(cancelled("TransactionConflict", "ConditionalCheckFailed"))
    with pytest.raises(TransactionConflict):
        transaction().execute(client)
    assert len(client.tokens) == 1


def test_other_refusals_are_not_retried() -> None:
    client = Client(refused("ValidationException"))
    with pytest.raises(ClientError):
        transaction().execute(client)
    assert len(client.tokens) == 1


def test_the_pause_grows_and_is_jittered_under_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    ceilings: list[float] = []

    def lowest(low: float, high: float) -> float:
        ceilings.append(high)
        return low

    monkeypatch.setattr("probation.adapters.dynamodb.random.uniform", lowest)
    monkeypatch.setattr("probation.adapters.dynamodb.time.sleep", lambda _: None)
    for attempt in range(1, 8):
        PAUSE(attempt)
    assert ceilings == sorted(ceilings)
    assert ceilings[0] == dynamodb.RETRY_BASE_SECONDS * 2
    assert max(ceilings) == dynamodb.RETRY_CAP_SECONDS

"""A crash between a change's commit and its response: the retry with the same Idempotency-Key is answered
with what the first attempt did, and the change is made once (issue 17, item 4).

The crash is injected right after the change's transaction commits. A crash the handler survives long
enough to clean up after (an exception) leaves no Powertools record; one it does not (the runtime killed,
here a BaseException) leaves the record in progress until the invocation's time runs out. Either way only
the key's claim, written in the change's own transaction, can stop the retry making the change again.
"""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

import functions.assessments.app as assessments_app
import functions.cases.app as cases_app
import functions.risk.app as risk_app
from infrastructure.local.lambdas import LocalContext
from infrastructure.template import Template
from probation.adapters.dynamodb import Transaction
from probation.api.http import LambdaHandler
from tests.component.conftest import (
    ApiResponse,
    Caller,
    api_event,
    as_partner,
    invoke,
    new_case,
    table_items,
)
from tests.component.test_cases_api import CONTACT, CONVICTION, events_of


class Crashed(Exception):
    """The function failed after the commit, and its handler cleaned up and answered 500."""


class Killed(BaseException):
    """The execution environment died after the commit: nothing in the handler ran after it."""


@pytest.fixture
def crash_after_commit(monkeypatch: pytest.MonkeyPatch) -> Callable[[type[BaseException]], None]:
    """Arms a crash, of the given kind, right after the next transaction commits."""

    def arm(kind: type[BaseException]) -> None:
        original = Transaction.execute

        def execute(self: Transaction, client: Any) -> None:
            original(self, client)
            monkeypatch.setattr(Transaction, "execute", original)
            raise kind("after the commit, before the response")

        monkeypatch.setattr(Transaction, "execute", execute)

    return arm


@dataclass(frozen=True)
class Write:
    """An idempotent write, and where what it writes is found afterwards."""

    handler: LambdaHandler
    path: str
    body: Any
    sort_key_prefix: str
    event_type: str
    partition: str = "CASE"


def writes(crn: str) -> dict[str, Write]:
    return {
        "contact": Write(
            cases_app.lambda_handler,
            f"/cases/{crn}/contacts",
            CONTACT,
            "CONTACT#",
            "probation-case.contact.created",
            partition="TIMELINE",
        ),
        "conviction": Write(
            cases_app.lambda_handler,
            f"/cases/{crn}/convictions",
            CONVICTION,
            "CONVICTION#",
            "probation-case.sentence.created",
        ),
        "sanctions": Write(
            cases_app.lambda_handler,
            f"/cases/{crn}/sanctions",
            {"sanctions": [{"sanctionDate": "2010-02-01", "offenceCode": "10500"}]},
            "SANCTION#",
            "probation-case.sanctions.recorded",
        ),
        "registration": Write(
            cases_app.lambda_handler,
            f"/cases/{crn}/registrations",
            {"registrationDate": "2025-04-01", "type": "RHRH"},
            "REG#",
            "probation-case.registration.added",
        ),
        "assessment": Write(
            assessments_app.lambda_handler,
            f"/cases/{crn}/assessments",
            None,
            "OASYS#",
            "",
        ),
        "risk score": Write(
            risk_app.lambda_handler,
            f"/cases/{crn}/risk",
            None,
            "RISK#",
            "risk-assessment.scores.determined",
        ),
    }


@pytest.fixture
def case_with_conviction(api: Caller, team: str) -> str:
    crn: str = api("POST", "/cases", new_case()).body["crn"]
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    return crn


def written(template: Template, crn: str, write: Write) -> list[dict[str, Any]]:
    return [
        item
        for item in table_items(template, f"{write.partition}#{crn}")
        if item["SK"].startswith(write.sort_key_prefix)
    ]


def post(write: Write, key: str) -> ApiResponse:
    return invoke(write.handler, "POST", write.path, write.body, headers={"Idempotency-Key": key})


class ShortLivedContext(LocalContext):
    """An invocation with almost no time left, so its in-progress record expires at once."""

    def get_remaining_time_in_millis(self) -> int:  # type: ignore[override]
        return 1


WRITES = sorted(writes("X000000"))


@pytest.mark.parametrize("name", WRITES)
def test_a_retry_after_a_crash_is_answered_with_the_first_change(
    template: Template,
    case_with_conviction: str,
    crash_after_commit: Callable[[type[BaseException]], None],
    name: str,
) -> None:
    crn = case_with_conviction
    write = writes(crn)[name]
    before = written(template, crn, write)
    events_before = events_of(template, crn).count(write.event_type)
    crash_after_commit(Crashed)
    assert post(write, "crash-1").status == 500
    made = [item for item in written(template, crn, write) if item not in before]
    assert made, "the first attempt committed its change before it crashed"

    retry = post(write, "crash-1")

    assert retry.status == 201, retry.body
    assert [item for item in written(template, crn, write) if item not in before] == made
    if write.event_type:
        assert events_of(template, crn).count(write.event_type) == events_before + 1
    assert _identity(retry.body) == _identity_of_stored(made)


def _identity(body: dict[str, Any]) -> set[str]:
    """The ids of what a response describes (one resource, or the sanctions recorded)."""
    items = body.get("sanctions") or [body]
    return {str(_id_of(item)) for item in items}


def _identity_of_stored(items: list[dict[str, Any]]) -> set[str]:
    return {str(_id_of(item)) for item in items}


def _id_of(item: dict[str, Any]) -> Any:
    for name in ("contactId", "sanctionId", "registrationId", "assessmentId", "scoreId", "convictionNumber"):
        if name in item:
            return item[name]
    if "document" in item:
        return _id_of(json.loads(item["document"]))
    raise AssertionError(f"no id in {sorted(item)}")


def test_a_retry_after_the_environment_died_waits_for_the_attempt_then_gets_its_answer(
    api: Caller,
    template: Template,
    case_with_conviction: str,
    crash_after_commit: Callable[[type[BaseException]], None],
) -> None:
    crn = case_with_conviction
    write = writes(crn)["contact"]
    crash_after_commit(Killed)
    event = api_event("POST", write.path, write.body, headers={"Idempotency-Key": "killed-1"})
    with pytest.raises(Killed):
        write.handler(event, ShortLivedContext("ApiFunction"))
    time.sleep(0.01)  # past the dead attempt's in-progress expiry

    retry = post(write, "killed-1")

    assert retry.status == 201, retry.body
    contacts = written(template, crn, write)
    assert [c["contactId"] for c in contacts] == [retry.body["contactId"]]
    assert events_of(template, crn).count(write.event_type) == 1


def test_a_key_reused_with_another_body_after_a_crash_is_refused(
    template: Template,
    case_with_conviction: str,
    crash_after_commit: Callable[[type[BaseException]], None],
) -> None:
    crn = case_with_conviction
    write = writes(crn)["contact"]
    crash_after_commit(Crashed)
    assert post(write, "crash-2").status == 500

    other = Write(**{**write.__dict__, "body": {**CONTACT, "outcome": "FAILED_TO_ATTEND_UNACCEPTABLE"}})
    retry = post(other, "crash-2")

    assert retry.status == 422
    assert {error["field"] for error in retry.body["errors"]} == {"Idempotency-Key"}
    assert len(written(template, crn, write)) == 1


def test_a_partners_retry_after_a_crash_records_its_contact_once(
    api: Caller,
    partners_api: Caller,
    allocated_to_crc1: str,
    crash_after_commit: Callable[[type[BaseException]], None],
) -> None:
    crc1 = as_partner(partners_api, "CRC1")
    path = f"/partner/v1/cases/{allocated_to_crc1}/contacts"
    crash_after_commit(Crashed)
    assert crc1("POST", path, CONTACT, headers={"Idempotency-Key": "upw-crash"}).status == 500

    retry = crc1("POST", path, CONTACT, headers={"Idempotency-Key": "upw-crash"})

    assert retry.status == 201, retry.body
    staff_view = api("GET", f"/cases/{allocated_to_crc1}/contacts").body["items"]
    assert [c["contactId"] for c in staff_view] == [retry.body["contactId"]]

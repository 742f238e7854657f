"""Sentences and requirements ending, on moto: termination, the case closing and reopening (issue 20)."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from infrastructure.template import Template
from probation.adapters.supervision_repository import DynamoSupervisionRepository
from probation.domain.audit import AuditRecord
from probation.domain.cases.models import Termination, TerminationReason
from probation.domain.cases.ports import SummaryChanged
from probation.domain.errors import Conflict
from probation.domain.events import DomainEvent
from tests.component.conftest import MANAGER, Caller, table_items
from tests.component.test_repository_conditions import change_of
from tests.component.test_supervision_api import (
    SENTENCED,
    TODAY,
    allocate_to_po001,
    arrange,
    conviction,
    key,
    slot,
)

ENDED = {"date": TODAY.isoformat(), "reason": "COMPLETED"}


@pytest.fixture
def sentenced(api: Caller, crn: str) -> str:
    assert api("POST", f"/cases/{crn}/convictions", conviction()).status == 201
    return crn


def terminate(supervision_api: Caller, crn: str, number: int = 1, **request: Any) -> Any:
    request.setdefault("roles", MANAGER)
    return supervision_api("POST", f"/cases/{crn}/convictions/{number}/termination", ENDED, **request)


def event_types(template: Template, crn: str) -> list[str]:
    return [item["detailType"] for item in table_items(template, f"EVENTS#{crn}")]


def appointment(supervision_api: Caller, crn: str, made: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = supervision_api("GET", f"/cases/{crn}/appointments/{made['id']}").body
    return found


def test_terminating_the_only_sentence_cancels_what_is_to_come_and_closes_the_case(
    api: Caller, supervision_api: Caller, template: Template, sentenced: str
) -> None:
    past = arrange(supervision_api, sentenced, slot(-2))
    to_come = [arrange(supervision_api, sentenced, slot(days)) for days in (3, 10)]
    assert api("GET", f"/cases/{sentenced}").body["status"] == "ACTIVE"

    ended = terminate(supervision_api, sentenced)

    assert ended.status == 200, ended.body
    termination = ended.body["termination"]
    assert (termination["reason"], termination["date"]) == ("COMPLETED", TODAY.isoformat())
    assert sorted(termination["cancelledAppointmentIds"]) == sorted(a["id"] for a in to_come)
    assert [appointment(supervision_api, sentenced, a)["status"] for a in to_come] == ["CANCELLED"] * 2
    assert appointment(supervision_api, sentenced, past)["status"] == "SCHEDULED"  # its outcome is still due
    assert api("GET", f"/cases/{sentenced}").body["status"] == "CLOSED"
    overview = api("GET", f"/cases/{sentenced}/overview").body
    assert overview["nextAppointments"] == []
    assert overview["convictions"][0]["termination"]["reason"] == "COMPLETED"
    assert {"probation-case.sentence.terminated", "probation-case.closed"} <= set(
        event_types(template, sentenced)
    )
    # Still readable, and the reads are still in the access log.
    reads = [i for i in table_items(template, f"AUDIT#{sentenced}") if i.get("action") == "READ"]
    assert len(reads) >= 3


def test_a_second_termination_is_a_conflict_and_changes_nothing(
    api: Caller, supervision_api: Caller, sentenced: str
) -> None:
    assert terminate(supervision_api, sentenced).status == 200
    before = api("GET", f"/cases/{sentenced}/overview").body["convictions"]
    again = terminate(supervision_api, sentenced)
    assert again.status == 409
    assert "already terminated" in again.body["detail"]
    assert api("GET", f"/cases/{sentenced}/overview").body["convictions"] == before


def test_with_two_sentences_the_case_closes_only_when_both_have_ended(
    api: Caller, supervision_api: Caller, template: Template, sentenced: str
) -> None:
    assert api("POST", f"/cases/{sentenced}/convictions", conviction()).status == 201
    assert terminate(supervision_api, sentenced, 1).status == 200
    assert api("GET", f"/cases/{sentenced}").body["status"] == "ACTIVE"
    assert "probation-case.closed" not in event_types(template, sentenced)
    assert terminate(supervision_api, sentenced, 2).status == 200
    assert api("GET", f"/cases/{sentenced}").body["status"] == "CLOSED"


def test_a_new_conviction_reopens_a_closed_case(
    api: Caller, supervision_api: Caller, template: Template, sentenced: str
) -> None:
    assert terminate(supervision_api, sentenced).status == 200
    assert arrange_refused(supervision_api, sentenced) == {"start"}
    assert api("POST", f"/cases/{sentenced}/convictions", conviction()).status == 201
    assert api("GET", f"/cases/{sentenced}").body["status"] == "ACTIVE"
    assert event_types(template, sentenced).count("probation-case.reopened") == 1
    arrange(supervision_api, sentenced, slot(2))


def arrange_refused(supervision_api: Caller, crn: str) -> set[str]:
    refused = supervision_api("POST", f"/cases/{crn}/appointments", slot(2), headers=key())
    assert refused.status == 422, refused.body
    return refused.field_errors


def test_an_active_breach_must_be_ended_first(supervision_api: Caller, sentenced: str) -> None:
    started = supervision_api("POST", f"/cases/{sentenced}/breaches", {"startedOn": TODAY.isoformat()})
    assert started.status == 201
    refused = terminate(supervision_api, sentenced)
    assert refused.status == 409
    assert started.body["id"] in refused.body["detail"]
    ended = supervision_api(
        "POST",
        f"/cases/{sentenced}/breaches/{started.body['id']}/end",
        {"endedOn": TODAY.isoformat(), "outcome": "ORDER_REVOKED"},
    )
    assert ended.status == 200
    revoked = supervision_api(
        "POST",
        f"/cases/{sentenced}/convictions/1/termination",
        {"date": TODAY.isoformat(), "reason": "REVOKED_ON_BREACH"},
        roles=MANAGER,
    )
    assert revoked.status == 200, revoked.body


def test_only_a_manager_or_the_cases_practitioner_may_terminate(
    supervision_api: Caller, allocation_api: Caller, sentenced: str
) -> None:
    allocate_to_po001(allocation_api, sentenced)
    other = terminate(supervision_api, sentenced, roles=("practitioner",), subject="PO999")
    assert other.status == 403
    requirement = f"/cases/{sentenced}/requirements/1-1/termination"
    assert supervision_api("POST", requirement, ENDED, roles=("practitioner",), subject="PO999").status == 403
    holder = terminate(supervision_api, sentenced, roles=("practitioner",), subject="PO001")
    assert holder.status == 200, holder.body


def test_bad_endings_are_refused_naming_the_field(supervision_api: Caller, sentenced: str) -> None:
    path = f"/cases/{sentenced}/convictions/1/termination"
    cases = [
        ({"date": (SENTENCED - timedelta(days=1)).isoformat(), "reason": "COMPLETED"}, {"date"}),
        # Tomorrow as of now, not of this module's import: a run may cross midnight in between.
        (
            {"date": (datetime.now(UTC).date() + timedelta(days=1)).isoformat(), "reason": "COMPLETED"},
            {"date"},
        ),
        ({"date": TODAY.isoformat(), "reason": "FINISHED"}, {"reason"}),
    ]
    for body, fields in cases:
        refused = supervision_api("POST", path, body, roles=MANAGER)
        assert (refused.status, refused.field_errors) == (422, fields), body
    missing = supervision_api("POST", f"/cases/{sentenced}/convictions/7/termination", ENDED, roles=MANAGER)
    assert missing.status == 404


def test_a_requirement_ends_on_its_own_and_its_sessions_to_come_are_cancelled(
    supervision_api: Caller, template: Template, sentenced: str
) -> None:
    session = arrange(supervision_api, sentenced, slot(4, kind="UNPAID_WORK_SESSION", requirementId="1-1"))
    office = arrange(supervision_api, sentenced, slot(5))
    path = f"/cases/{sentenced}/requirements/1-1/termination"

    done = supervision_api("POST", path, ENDED, roles=MANAGER)

    assert done.status == 200, done.body
    assert (done.body["id"], done.body["status"]) == ("1-1", "COMPLETE")
    assert appointment(supervision_api, sentenced, session)["status"] == "CANCELLED"
    assert appointment(supervision_api, sentenced, office)["status"] == "SCHEDULED"
    statuses = {
        r["id"]: r["status"] for r in supervision_api("GET", f"/cases/{sentenced}/requirements").body["items"]
    }
    assert statuses["1-1"] == "COMPLETE"
    assert statuses["1-2"] == "IN_PROGRESS"
    assert "probation-case.requirement.terminated" in event_types(template, sentenced)
    assert supervision_api("POST", path, ENDED, roles=MANAGER).status == 409
    revoked = supervision_api(
        "POST",
        f"/cases/{sentenced}/requirements/1-2/termination",
        {"date": TODAY.isoformat(), "reason": "REVOKED"},
        roles=MANAGER,
    )
    assert (revoked.status, revoked.body["status"]) == (200, "TERMINATED")
    unknown = supervision_api(
        "POST", f"/cases/{sentenced}/requirements/1-9/termination", ENDED, roles=MANAGER
    )
    assert unknown.status == 404


def test_a_sentence_ending_in_revocation_ends_its_requirements_as_terminated(
    supervision_api: Caller, sentenced: str
) -> None:
    revoked = supervision_api(
        "POST",
        f"/cases/{sentenced}/convictions/1/termination",
        {"date": TODAY.isoformat(), "reason": "REVOKED_OTHER"},
        roles=MANAGER,
    )
    assert revoked.status == 200
    items = supervision_api("GET", f"/cases/{sentenced}/requirements").body["items"]
    assert {r["status"] for r in items} == {"TERMINATED"}


# ------------------------------------------------------------------ the conditions that decide races


def ending_change(crn: str) -> tuple[list[DomainEvent], AuditRecord]:
    event, audit = change_of(crn)
    return [event], audit


def test_an_ending_from_a_read_before_the_sentence_was_terminated_is_refused(
    supervision_api: Caller, template: Template, sentenced: str
) -> None:
    repository = DynamoSupervisionRepository()
    before = repository.case_view(sentenced)
    assert before is not None
    assert terminate(supervision_api, sentenced).status == 200
    after = repository.case_view(sentenced)
    assert after is not None
    # The summary as it is now (so only the sentence's own condition can refuse), the conviction as it was.
    [stale] = before.convictions
    racing = stale.model_copy(update={"requirement_terminations": {}})
    summary = after.summary.model_copy(update={"version": after.summary.version + 1})
    stored = table_items(template, f"CASE#{sentenced}")
    with pytest.raises(Conflict):
        repository.record_ending(sentenced, racing, [], summary, None, *ending_change(sentenced))
    assert table_items(template, f"CASE#{sentenced}") == stored


def test_closing_from_a_read_before_another_conviction_was_added_is_refused(
    api: Caller, template: Template, sentenced: str
) -> None:
    repository = DynamoSupervisionRepository()
    view = repository.case_view(sentenced)
    assert view is not None
    assert api("POST", f"/cases/{sentenced}/convictions", conviction()).status == 201
    now = repository.case_view(sentenced)
    assert now is not None
    [first] = view.convictions
    ended = first.model_copy(
        update={
            "termination": Termination(
                date=TODAY,
                reason=TerminationReason.COMPLETED,
                terminated_by="racer",
                terminated_at=datetime.now(UTC),
            )
        }
    )
    summary = now.summary.model_copy(update={"version": now.summary.version + 1})
    stored = table_items(template, f"CASE#{sentenced}")
    # Read when the case had one conviction: it would close a case that now has an active sentence.
    with pytest.raises(SummaryChanged):
        repository.record_ending(
            sentenced, ended, [], summary, view.conviction_count, *ending_change(sentenced)
        )
    assert table_items(template, f"CASE#{sentenced}") == stored

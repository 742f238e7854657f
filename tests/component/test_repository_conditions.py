"""Each store's conditional writes, reached directly: the repository is handed a write built from a read
that is already stale, or one that takes a slot already taken, as the loser of a race would. Each test sees
the refusal and that what was there is still there. Neutralising the condition makes the test fail (the
table in issue 17's note says which test reaches which condition)."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import boto3
import pytest
from botocore.exceptions import ClientError

from infrastructure.template import Template
from probation.adapters import keys
from probation.adapters.allocation_repository import DynamoAllocationRepository
from probation.adapters.assessment_repository import DynamoAssessmentRepository
from probation.adapters.case_repository import DynamoCaseRepository
from probation.adapters.partner_repository import DynamoPartnerRepository
from probation.adapters.risk_repository import DynamoRiskRepository
from probation.adapters.webhooks import DynamoDeliveryRepository
from probation.domain.assessments.models import Assessment, AssessmentStatus
from probation.domain.audit import AuditAction, AuditRecord
from probation.domain.cases.models import CaseStatus, RegistrationStatus
from probation.domain.cases.ports import ConcurrentChange
from probation.domain.cases.registers import REGISTER_TYPES
from probation.domain.errors import NotFound
from probation.domain.events import DomainEvent, case_event
from probation.domain.partners.models import Delivery, DeliveryAttempt, DeliveryStatus
from probation.domain.partners.ports import AlreadyInFeed, DuplicatePartner
from probation.domain.risk_scoring.service import ScoredMeanwhile
from tests.component.conftest import MANAGER, TEAM, Caller, deliver, register
from tests.component.test_allocation_api import STAFF
from tests.component.test_assessments_api import CONVICTION, answer_all_required, complete, open_draft
from tests.component.test_cases_api import CONTACT

Read = TypeVar("Read")


def change_of(crn: str) -> tuple[DomainEvent, AuditRecord]:
    """An event and its access-log entry, as every change writes them with itself."""
    now = datetime.now(UTC)
    event = case_event(
        event_id=uuid.uuid4().hex,
        event_type="probation-case.test.changed",
        crn=crn,
        occurred_at=now,
        description="a racing change",
        detail_url=f"/cases/{crn}",
        correlation_id=None,
    )
    audit = AuditRecord(
        audit_id=uuid.uuid4().hex,
        crn=crn,
        at=now,
        actor="racer",
        actor_kind="staff",
        action=AuditAction.UPDATE,
        resource="case",
        event_id=event.event_id,
    )
    return event, audit


def refused_and_unchanged(
    refusal: type[Exception], read: Callable[[], Read], losing_write: Callable[[], object]
) -> None:
    """The losing write raises ``refusal`` and what ``read`` sees is as it was before it."""
    before = read()
    with pytest.raises(refusal):
        losing_write()
    assert read() == before, "the losing write changed what was stored"


def partition(template: Template, pk: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    items: list[dict[str, Any]] = table.query(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": pk}, ConsistentRead=True
    )["Items"]
    return items


def new_id() -> str:
    return uuid.uuid4().hex


# ------------------------------------------------------------------ cases


def test_a_case_created_under_a_crn_already_taken_is_refused(
    api: Caller, template: Template, crn: str
) -> None:
    cases = DynamoCaseRepository()
    stored = cases.get(crn)
    assert stored is not None
    impostor = stored.case.model_copy(update={"last_name": "Impostor"})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: cases.create(impostor, *change_of(crn)),
    )


def test_two_convictions_numbered_from_one_count_are_not_both_kept(api: Caller, crn: str) -> None:
    cases = DynamoCaseRepository()
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    overview = cases.overview(crn)
    assert overview is not None
    [first] = overview.convictions
    # Built from the same read of convictionCount (0) as the first, so numbered 1 too.
    rival = first.model_copy(update={"court": "Rival Crown Court"})
    event, audit = change_of(crn)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: cases.overview(crn),
        lambda: cases.add_conviction(crn, rival, [event], audit, CaseStatus.ACTIVE),
    )


def test_a_conviction_added_from_a_read_before_the_case_closed_is_refused(
    api: Caller, template: Template, crn: str
) -> None:
    cases = DynamoCaseRepository()
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    overview = cases.overview(crn)
    assert overview is not None
    [first] = overview.convictions
    # The last sentence was terminated meanwhile: its case closed. A conviction from the read before must
    # retry, so that it reopens the case (and says so) rather than leave it closed with an active sentence.
    boto3.resource("dynamodb").Table(template.physical_name("CaseTable")).update_item(
        Key=keys.profile_key(crn),
        UpdateExpression="SET #s = :closed",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":closed": "CLOSED"},
    )
    second = first.model_copy(update={"conviction_number": 2})
    event, audit = change_of(crn)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: cases.overview(crn),
        lambda: cases.add_conviction(crn, second, [event], audit, CaseStatus.ACTIVE),
    )


def test_a_conviction_that_lost_the_count_is_numbered_next_by_the_retry(
    api: Caller, crn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = DynamoCaseRepository().get(crn)
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    reads = iter([stale])
    real_get = DynamoCaseRepository.get
    # The first attempt reads the count as it was before the conviction above; the retry reads afresh.
    monkeypatch.setattr(
        DynamoCaseRepository, "get", lambda self, crn: next(reads, None) or real_get(self, crn)
    )
    second = api("POST", f"/cases/{crn}/convictions", {**CONVICTION, "court": "Second Court"})
    assert (second.status, second.body["convictionNumber"]) == (201, 2), second.body
    monkeypatch.undo()
    courts = [c["court"] for c in api("GET", f"/cases/{crn}/overview").body["convictions"]]
    assert courts == [CONVICTION["court"], "Second Court"]


def test_a_second_active_registration_of_one_kind_cannot_take_the_slot(
    api: Caller, template: Template, crn: str
) -> None:
    cases = DynamoCaseRepository()
    assert (
        api("POST", f"/cases/{crn}/registrations", {"registrationDate": "2025-04-01", "type": "RMDO"}).status
        == 201
    )
    overview = cases.overview(crn)
    assert overview is not None
    [held] = overview.registrations
    # Built from a read of the case taken before the first registration: the slot looked free.
    rival = held.model_copy(update={"registration_id": new_id()})
    event, audit = change_of(crn)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: cases.add_registration(
            crn, rival, REGISTER_TYPES["RMDO"].uniqueness_key, None, [event], audit
        ),
    )


def test_a_registration_deregistered_from_an_old_read_is_refused(
    api: Caller, template: Template, crn: str
) -> None:
    cases = DynamoCaseRepository()
    added = api("POST", f"/cases/{crn}/registrations", {"registrationDate": "2025-04-01", "type": "ALSH"})
    read_before = cases.registration(crn, added.body["registrationId"])
    assert read_before is not None
    path = f"/cases/{crn}/registrations/{added.body['registrationId']}"
    assert api("DELETE", path, {"reason": "First"}).status == 200
    stale = read_before.model_copy(
        update={"status": RegistrationStatus.DEREGISTERED, "version": 2, "deregistration_reason": "Second"}
    )
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: cases.deregister(crn, stale, REGISTER_TYPES["ALSH"].uniqueness_key, *change_of(crn)),
    )


def test_a_contact_written_against_a_stale_case_version_is_refused(
    api: Caller, template: Template, crn: str
) -> None:
    cases = DynamoCaseRepository()
    assert api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": new_id()}).status == 201
    [contact] = cases.contacts(crn, 10, None)[0]
    assert api("PATCH", f"/cases/{crn}", {"lastName": "Moved"}, headers={"If-Match": '"1"'}).status == 200
    rival = contact.model_copy(update={"contact_id": new_id()})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: cases.add_contact(crn, rival, *change_of(crn), expected_version=1),
    )


def test_a_contact_or_sanctions_for_a_case_that_does_not_exist_are_refused(
    api: Caller, template: Template, crn: str
) -> None:
    cases = DynamoCaseRepository()
    assert api("POST", f"/cases/{crn}/contacts", CONTACT, headers={"Idempotency-Key": new_id()}).status == 201
    [contact] = cases.contacts(crn, 10, None)[0]
    missing = "Z999999"
    refused_and_unchanged(
        NotFound,
        lambda: partition(template, keys.case_partition(missing)),
        lambda: cases.add_contact(missing, contact, *change_of(missing)),
    )
    refused_and_unchanged(
        NotFound,
        lambda: partition(template, keys.case_partition(missing)),
        lambda: cases.add_sanctions(missing, [], *change_of(missing)),
    )


# ------------------------------------------------------------------ assessments


@pytest.fixture
def draft(api: Caller, assessments_api: Caller, crn: str) -> dict[str, Any]:
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    return open_draft(assessments_api, crn)


def stored_assessment(crn: str, assessment_id: str) -> Assessment:
    found = DynamoAssessmentRepository().assessment(crn, assessment_id)
    assert found is not None
    return found


def test_an_assessment_saved_over_a_stale_version_is_refused(
    assessments_api: Caller, template: Template, crn: str, draft: dict[str, Any]
) -> None:
    stale = stored_assessment(crn, draft["assessmentId"])
    answer_all_required(assessments_api, crn, draft)  # version 2, by someone else
    overwrite = stale.model_copy(update={"version": stale.version + 1})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: DynamoAssessmentRepository().replace(overwrite, stale.version, *_events_and_audit(crn)),
    )


def test_a_completed_assessment_is_not_written_over_even_at_its_current_version(
    assessments_api: Caller, template: Template, crn: str, draft: dict[str, Any]
) -> None:
    answered = answer_all_required(assessments_api, crn, draft)
    assert complete(assessments_api, crn, answered).status == 200
    completed = stored_assessment(crn, draft["assessmentId"])
    # An edit of the draft as it was, from a writer whose read somehow carried the completed version.
    again = completed.model_copy(update={"version": completed.version + 1, "status": AssessmentStatus.DRAFT})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: DynamoAssessmentRepository().replace(again, completed.version, *_events_and_audit(crn)),
    )


def test_a_second_open_draft_cannot_be_started_beside_the_first(
    template: Template, crn: str, draft: dict[str, Any]
) -> None:
    first = stored_assessment(crn, draft["assessmentId"])
    rival = first.model_copy(update={"assessment_id": new_id()})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: DynamoAssessmentRepository().open_draft(rival, change_of(crn)[1]),
    )


def test_completing_a_draft_does_not_free_another_drafts_lock(
    template: Template, crn: str, draft: dict[str, Any]
) -> None:
    """The open-draft marker names its draft: a completion of any other one leaves it in place."""
    other = stored_assessment(crn, draft["assessmentId"]).model_copy(update={"assessment_id": new_id()})
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    table.put_item(Item=DynamoAssessmentRepository()._item(other))  # a stray draft, as a fault might leave
    completed = other.model_copy(update={"version": other.version + 1, "status": AssessmentStatus.COMPLETED})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: DynamoAssessmentRepository().replace(completed, other.version, *_events_and_audit(crn)),
    )


def test_a_draft_for_a_case_that_does_not_exist_is_refused(
    template: Template, crn: str, draft: dict[str, Any]
) -> None:
    missing = "Z999999"
    rival = stored_assessment(crn, draft["assessmentId"]).model_copy(
        update={"assessment_id": new_id(), "crn": missing}
    )
    refused_and_unchanged(
        NotFound,
        lambda: partition(template, keys.case_partition(missing)),
        lambda: DynamoAssessmentRepository().open_draft(rival, change_of(missing)[1]),
    )


def _events_and_audit(crn: str) -> tuple[list[DomainEvent], AuditRecord]:
    event, audit = change_of(crn)
    return [event], audit


# ------------------------------------------------------------------ risk


def test_a_first_score_saved_beside_another_first_score_is_refused(
    api: Caller, risk_api: Caller, template: Template, crn: str
) -> None:
    """Two scorings that both read no score: the RISK-LATEST pointer takes only one of them."""
    assert api("POST", f"/cases/{crn}/convictions", CONVICTION).status == 201
    assert risk_api("POST", f"/cases/{crn}/risk").status == 201
    risk = DynamoRiskRepository()
    first = risk.latest(crn)
    assert first is not None
    rival = first.model_copy(update={"score_id": new_id()})
    event, audit = change_of(crn)
    refused_and_unchanged(
        ScoredMeanwhile,
        lambda: partition(template, keys.case_partition(crn)),
        lambda: risk.save(rival, None, event, audit, None),
    )


# ------------------------------------------------------------------ allocation


@pytest.fixture
def queued_case(api: Caller, allocation_api: Caller, crn: str) -> str:
    for code, name, grade in STAFF:
        body = {"code": code, "name": name, "grade": grade, "teamCode": TEAM["code"]}
        assert allocation_api("POST", "/allocation/practitioners", body, roles=MANAGER).status == 201
    deliver(crn, "probation-case.engagement.created", "created-1", teamCode=TEAM["code"])
    return crn


def test_a_second_first_allocation_of_a_case_is_refused(template: Template, queued_case: str) -> None:
    allocations = DynamoAllocationRepository()
    current = allocations.allocation(queued_case)
    assert current is not None
    event, audit = change_of(queued_case)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: allocations.allocation(queued_case),
        lambda: allocations.save_allocation(current, None, [], [event], audit, None),
    )


def test_a_workload_moved_from_a_stale_read_is_refused_with_the_allocation(
    template: Template, queued_case: str
) -> None:
    allocations = DynamoAllocationRepository()
    current = allocations.allocation(queued_case)
    practitioner = allocations.practitioner("PO001")
    assert current is not None
    assert practitioner is not None
    stale = practitioner.workload.model_copy(update={"points": practitioner.workload.points + 7})
    moved = stale.model_copy(update={"points": stale.points + 1})
    event, audit = change_of(queued_case)
    refused_and_unchanged(
        ConcurrentChange,
        lambda: (allocations.allocation(queued_case), allocations.practitioner("PO001")),
        lambda: allocations.save_allocation(
            current, current.version, [("PO001", stale, moved)], [event], audit, None
        ),
    )


def test_practitioner_details_saved_over_a_stale_version_are_refused(queued_case: str) -> None:
    allocations = DynamoAllocationRepository()
    practitioner = allocations.practitioner("PO001")
    assert practitioner is not None
    renamed = practitioner.model_copy(update={"name": "Someone Else", "version": practitioner.version + 1})
    refused_and_unchanged(
        ConcurrentChange,
        lambda: allocations.practitioner("PO001"),
        lambda: allocations.replace_practitioner(renamed, practitioner.version - 1),
    )


def test_a_team_or_practitioner_created_twice_is_refused(queued_case: str) -> None:
    allocations = DynamoAllocationRepository()
    [team] = allocations.teams()
    practitioner = allocations.practitioner("PO001")
    assert practitioner is not None
    refused_and_unchanged(
        ConcurrentChange,
        allocations.teams,
        lambda: allocations.create_team(team.model_copy(update={"name": "Impostor"})),
    )
    refused_and_unchanged(
        ConcurrentChange,
        lambda: allocations.practitioner("PO001"),
        lambda: allocations.create_practitioner(practitioner.model_copy(update={"name": "Impostor"})),
    )


# ------------------------------------------------------------------ partners


def test_a_second_partner_with_a_client_already_registered_is_refused(
    partners_api: Caller, template: Template
) -> None:
    register(partners_api, "CRC1")
    partners = DynamoPartnerRepository()
    [first] = partners.partners()
    rival = first.model_copy(update={"partner_id": "CRC9"})  # another partner, the first's client id
    refused_and_unchanged(
        DuplicatePartner,
        lambda: (partners.partners(), partition(template, keys.partner_partition("CRC9"))),
        lambda: partners.save_partner(rival, "usage-key"),
    )


def feed_event(crn: str) -> DomainEvent:
    return change_of(crn)[0]


@pytest.mark.parametrize("taken", [1, 2])
def test_a_feed_place_taken_meanwhile_is_refused(
    partners_api: Caller, template: Template, crn: str, taken: int
) -> None:
    """Two appends that read the same end of the feed: the second finds its place taken."""
    register(partners_api, "CRC1")
    partners = DynamoPartnerRepository()
    for sequence in range(1, taken + 1):
        partners.append_to_feed("CRC1", sequence, feed_event(crn), [])
    refused_and_unchanged(
        ConcurrentChange,
        lambda: (partners.feed("CRC1", 0, 10), partners.feed_end("CRC1")),
        lambda: partners.append_to_feed("CRC1", taken, feed_event(crn), []),
    )


def test_an_event_already_in_the_feed_is_not_appended_again(
    partners_api: Caller, template: Template, crn: str
) -> None:
    register(partners_api, "CRC1")
    partners = DynamoPartnerRepository()
    event = feed_event(crn)
    partners.append_to_feed("CRC1", 1, event, [])
    refused_and_unchanged(
        AlreadyInFeed,
        lambda: (partners.feed("CRC1", 0, 10), partners.feed_end("CRC1")),
        lambda: partners.append_to_feed("CRC1", 2, event, []),
    )


def test_unsubscribing_what_is_already_gone_changes_no_count(
    partners_api: Caller, template: Template
) -> None:
    register(partners_api, "CRC1")
    partners = DynamoPartnerRepository()
    before = partition(template, keys.partner_partition("CRC1"))
    assert partners.delete_subscription("CRC1", new_id()) is False
    assert partition(template, keys.partner_partition("CRC1")) == before


def test_a_delivery_attempt_recorded_from_a_stale_read_is_refused(partners_api: Caller, crn: str) -> None:
    """Two receipts of one delivery message at once: the attempt is recorded by one of them only."""
    register(partners_api, "CRC1")
    event = feed_event(crn)
    delivery = Delivery(
        delivery_id=new_id(),
        subscription_id="sub-1",
        partner_id="CRC1",
        sequence=1,
        event_id=event.event_id,
        event_type=event.event_type,
        status=DeliveryStatus.PENDING,
        created_at=event.occurred_at,
    )
    DynamoPartnerRepository().append_to_feed("CRC1", 1, event, [delivery])
    deliveries = DynamoDeliveryRepository()

    def attempted(status_code: int) -> Delivery:
        attempt = DeliveryAttempt(attempt=1, at=event.occurred_at, status_code=status_code, duration_ms=5)
        return delivery.model_copy(update={"attempts": [attempt], "status": DeliveryStatus.DELIVERED})

    deliveries.record_attempt(delivery, attempted(200))
    refused_and_unchanged(
        ClientError,
        lambda: deliveries.delivery_target("CRC1", "sub-1", 1),
        lambda: deliveries.record_attempt(delivery, attempted(500)),
    )

"""The partner gateway on moto: registration, and each partner seeing only the cases allocated to it."""

import json
import random
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

import functions.partners.app as partners_app
from infrastructure.local.lambdas import LocalContext
from infrastructure.template import Template
from probation import config
from probation.adapters.partner_repository import DynamoPartnerRepository
from probation.domain.partners.models import SubscriptionWithSecret
from probation.domain.partners.ports import SubscriptionLimitReached
from probation.domain.partners.service import PartnerService
from tests.component.conftest import (
    ADMIN,
    MANAGER,
    Caller,
    as_partner,
    bus_event,
    deliver,
    register,
    table_items,
)

CONTACT = {
    "type": "UNPAID_WORK_SESSION",
    "contactDate": "2026-02-03T09:00:00Z",
    "outcome": "ATTENDED_COMPLIED",
}


def test_registration_is_for_admins_and_returns_the_secret_once(partners_api: Caller, template: Any) -> None:
    body = {
        "partnerId": "CRC1",
        "name": "CRC One",
        "contactEmail": "ops@crc.example",
        "scopes": ["cases.read"],
    }
    assert partners_api("POST", "/partner-admin/partners", body, roles=MANAGER).status == 403
    created = partners_api("POST", "/partner-admin/partners", body, roles=ADMIN)
    assert created.status == 201
    assert created.body["clientSecret"]
    assert created.body["scopes"] == ["probation-partner-api/cases.read"]
    assert created.headers["Cache-Control"] == "no-store"
    listed = partners_api("GET", "/partner-admin/partners", roles=ADMIN).body["items"]
    assert [(p["partnerId"], p["clientId"]) for p in listed] == [("CRC1", created.body["clientId"])]
    assert "clientSecret" not in listed[0]
    assert partners_api("POST", "/partner-admin/partners", body, roles=ADMIN).status == 409
    registry = table_items(template, f"CLIENT#{created.body['clientId']}")
    assert [item["partnerId"] for item in registry] == ["CRC1"]
    # Metered by its own key in the partner usage plan, which the partner is never shown.
    plan_keys = boto3.client("apigateway").get_usage_plan_keys(
        usagePlanId=template.physical_name("PartnerUsagePlan")
    )["items"]
    assert [key["value"] for key in plan_keys] == [registry[0]["usageKey"]]
    assert registry[0]["usageKey"] not in json.dumps(created.body)


def test_a_partner_sees_only_its_own_cases(partners_api: Caller, allocated_to_crc1: str) -> None:
    crc1, crc2 = as_partner(partners_api, "CRC1"), as_partner(partners_api, "CRC2")
    assert [c["crn"] for c in crc1("GET", "/partner/v1/cases").body["items"]] == [allocated_to_crc1]
    assert crc2("GET", "/partner/v1/cases").body["items"] == []
    view = crc1("GET", f"/partner/v1/cases/{allocated_to_crc1}")
    assert view.status == 200
    assert view.body["responsibleOfficer"] == "CRC1"
    assert "sensitiveNotes" not in view.body
    other = crc2("GET", f"/partner/v1/cases/{allocated_to_crc1}")
    missing = crc2("GET", "/partner/v1/cases/Z999999")
    assert (other.status, other.body["detail"]) == (404, f"No case with CRN {allocated_to_crc1}.")
    assert missing.status == 404


def test_partner_reads_are_in_the_case_audit(
    api: Caller, partners_api: Caller, allocated_to_crc1: str
) -> None:
    crc1 = as_partner(partners_api, "CRC1")
    crc1("GET", "/partner/v1/cases")
    crc1("GET", f"/partner/v1/cases/{allocated_to_crc1}")
    trail = api("GET", f"/cases/{allocated_to_crc1}/audit", roles=MANAGER).body["items"]
    partner_entries = [
        (e["action"], e["actorKind"], e["partnerId"]) for e in trail if e["actorKind"] == "partner"
    ]
    assert partner_entries == [("READ", "partner", "CRC1"), ("SEARCH", "partner", "CRC1")]


def test_a_partner_reports_contacts_back_into_the_case_record(
    api: Caller, partners_api: Caller, template: Any, allocated_to_crc1: str
) -> None:
    crc1 = as_partner(partners_api, "CRC1")
    path = f"/partner/v1/cases/{allocated_to_crc1}/contacts"
    first = crc1("POST", path, CONTACT, headers={"Idempotency-Key": "upw-1"})
    replay = crc1("POST", path, CONTACT, headers={"Idempotency-Key": "upw-1"})
    assert (first.status, replay.status, replay.body) == (201, 201, first.body)
    assert (first.body["source"], first.body["partnerId"]) == ("PARTNER", "CRC1")
    assert first.body["authorName"] == "CRC1 CRC"  # the name it was registered with
    staff_view = api("GET", f"/cases/{allocated_to_crc1}/contacts").body["items"]
    assert [c["contactId"] for c in staff_view] == [first.body["contactId"]]
    assert "probation-case.contact.created" in [
        i["detailType"] for i in table_items(template, f"EVENTS#{allocated_to_crc1}")
    ]
    assert (
        crc1("GET", f"/partner/v1/cases/{allocated_to_crc1}").body["contacts"][0]["contactId"]
        == first.body["contactId"]
    )


def test_a_write_to_another_partners_case_is_404_and_changes_nothing(
    api: Caller, partners_api: Caller, allocated_to_crc1: str
) -> None:
    crc2 = as_partner(partners_api, "CRC2")
    response = crc2(
        "POST", f"/partner/v1/cases/{allocated_to_crc1}/contacts", CONTACT, headers={"Idempotency-Key": "x"}
    )
    assert response.status == 404
    assert api("GET", f"/cases/{allocated_to_crc1}/contacts").body["items"] == []


def test_writing_needs_the_contacts_write_scope(partners_api: Caller, allocated_to_crc1: str) -> None:
    reader = as_partner(partners_api, "CRC1", scopes=("cases.read",))
    response = reader(
        "POST", f"/partner/v1/cases/{allocated_to_crc1}/contacts", CONTACT, headers={"Idempotency-Key": "y"}
    )
    assert response.status == 403


def test_after_reallocation_away_the_partner_gets_404_at_once(
    allocation_api: Caller, partners_api: Caller, allocated_to_crc1: str
) -> None:
    crc1 = as_partner(partners_api, "CRC1")
    assert crc1("GET", f"/partner/v1/cases/{allocated_to_crc1}").status == 200
    etag = {"If-Match": allocation_api("GET", f"/cases/{allocated_to_crc1}/allocation").headers["ETag"]}
    decision = {"partnerId": "CRC2", "justification": "Contract moved."}
    assert (
        allocation_api(
            "POST", f"/cases/{allocated_to_crc1}/allocation", decision, roles=MANAGER, headers=etag
        ).status
        == 200
    )
    assert crc1("GET", f"/partner/v1/cases/{allocated_to_crc1}").status == 404
    assert as_partner(partners_api, "CRC2")("GET", f"/partner/v1/cases/{allocated_to_crc1}").status == 200


def test_staff_cannot_use_the_partner_api(partners_api: Caller) -> None:
    assert partners_api("GET", "/partner/v1/cases").status == 403


def allocate_to(allocation_api: Caller, crn: str, partner_id: str) -> None:
    deliver(crn, "probation-case.engagement.created", f"created-{crn}", teamCode="N07CAM")
    etag = {"If-Match": allocation_api("GET", f"/cases/{crn}/allocation").headers["ETag"]}
    decision = {"partnerId": partner_id, "justification": "CRC contract."}
    assert (
        allocation_api("POST", f"/cases/{crn}/allocation", decision, roles=MANAGER, headers=etag).status
        == 200
    )


def feed_of(partners_api: Caller, partner_id: str, page_size: int) -> list[dict[str, Any]]:
    reader = as_partner(partners_api, partner_id, scopes=("events.read",))
    entries: list[dict[str, Any]] = []
    cursor = "0"
    while True:
        page = reader("GET", "/partner/v1/events", query={"after": cursor, "limit": str(page_size)}).body
        if not page["items"]:
            return entries
        entries += page["items"]
        cursor = page["cursor"]


@pytest.mark.usefixtures("team")
def test_each_partners_feed_has_exactly_its_own_events_in_order_once(
    api: Caller, allocation_api: Caller, partners_api: Caller
) -> None:
    register(partners_api, "CRC1")
    register(partners_api, "CRC2")
    cases = {"CRC1": [], "CRC2": []}  # type: dict[str, list[str]]
    for index in range(6):
        crn = api(
            "POST",
            "/cases",
            {
                "firstName": "Pat",
                "lastName": f"Lee{chr(65 + index)}",
                "dateOfBirth": "1985-01-01",
                "gender": "MALE",
                "teamCode": "N07CAM",
            },
        ).body["crn"]
        partner_id = "CRC1" if index % 2 else "CRC2"
        allocate_to(allocation_api, crn, partner_id)
        cases[partner_id].append(crn)
    rng = random.Random(7)
    delivered: dict[str, list[str]] = {"CRC1": [], "CRC2": []}
    for number in range(200):
        partner_id = rng.choice(["CRC1", "CRC2"])
        crn = rng.choice(cases[partner_id])
        event_type = rng.choice(
            [
                "probation-case.contact.created",
                "probation-case.registration.added",
                "tier.calculation.complete",
            ]
        )
        event = bus_event(crn, event_type, f"change-{number}")
        partners_app.lambda_handler(event, LocalContext("PartnersFunction"))
        if number % 10 == 0:
            partners_app.lambda_handler(event, LocalContext("PartnersFunction"))  # delivered twice: kept once
        delivered[partner_id].append(f"change-{number}")

    for partner_id in ("CRC1", "CRC2"):
        feed = feed_of(partners_api, partner_id, page_size=17)
        changes = [
            entry["event"]["eventId"] for entry in feed if entry["event"]["eventId"].startswith("change-")
        ]
        assert changes == delivered[partner_id]
        assert [entry["sequence"] for entry in feed] == list(range(1, len(feed) + 1))
        crns = {entry["event"]["personReference"]["identifiers"][0]["value"] for entry in feed}
        assert crns <= set(cases[partner_id])


def test_reallocation_reaches_both_feeds_and_reading_needs_events_read(
    allocation_api: Caller, partners_api: Caller, allocated_to_crc1: str, template: Template
) -> None:
    etag = {"If-Match": allocation_api("GET", f"/cases/{allocated_to_crc1}/allocation").headers["ETag"]}
    decision = {"partnerId": "CRC2", "justification": "Contract moved."}
    moved = allocation_api(
        "POST", f"/cases/{allocated_to_crc1}/allocation", decision, roles=MANAGER, headers=etag
    )
    event = bus_event(
        allocated_to_crc1, "person.community.manager.allocated", "moved-1", source="probation.allocation"
    )
    event["detail"]["additionalInformation"] = {"partnerId": "CRC2", "previousPartnerId": "CRC1"}
    partners_app.lambda_handler(event, LocalContext("PartnersFunction"))
    assert moved.status == 200
    for partner_id in ("CRC1", "CRC2"):
        assert [e["event"]["eventId"] for e in feed_of(partners_api, partner_id, page_size=5)] == ["moved-1"]
    # Each partner's reading of the case's events is in the case's access log (DPA 2018 s.62).
    feed_reads = [
        (item["partnerId"], item["action"])
        for item in table_items(template, f"AUDIT#{allocated_to_crc1}")
        if item["resource"] == "partner-feed"
    ]
    assert sorted(feed_reads) == [("CRC1", "READ"), ("CRC2", "READ")]
    no_scope = as_partner(partners_api, "CRC1", scopes=("cases.read",))
    assert no_scope("GET", "/partner/v1/events").status == 403


def test_the_partner_contract_holds_only_partner_routes(partners_api: Caller, allocated_to_crc1: str) -> None:
    spec = as_partner(partners_api, "CRC1")("GET", "/partner/v1/openapi.json").body
    assert spec["paths"]
    assert all(path.startswith("/partner/v1/") for path in spec["paths"])


def test_the_subscription_cap_is_kept_by_the_store_however_many_subscribe_at_once(
    partners_api: Caller, template: Any
) -> None:
    """The store counts each subscription on the partner in the subscription's own write, so the cap holds
    without the service's looking first: two saves past it are refused even when nothing checked."""

    body = {
        "partnerId": "CRC-CAP",
        "name": "CRC Cap",
        "contactEmail": "ops@crc.example",
        "scopes": ["events.read"],
    }
    assert partners_api("POST", "/partner-admin/partners", body, roles=ADMIN).status == 201
    store = DynamoPartnerRepository()

    def subscription(number: int) -> SubscriptionWithSecret:
        return SubscriptionWithSecret(
            subscription_id=f"sub-{number}",
            partner_id="CRC-CAP",
            url="https://crc.example/hook",
            event_types=["*"],
            secret="s" * 32,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            created_by="client",
        )

    store.save_subscription(subscription(1), limit=2)
    store.save_subscription(subscription(2), limit=2)
    with pytest.raises(SubscriptionLimitReached):
        store.save_subscription(subscription(3), limit=2)
    assert [s.subscription_id for s in store.subscriptions("CRC-CAP")] == ["sub-1", "sub-2"]
    assert store.delete_subscription("CRC-CAP", "sub-1")
    assert not store.delete_subscription("CRC-CAP", "sub-1"), "a second delete finds nothing"
    store.save_subscription(subscription(3), limit=2)  # room again, and only one
    with pytest.raises(SubscriptionLimitReached):
        store.save_subscription(subscription(4), limit=2)
    assert [
        p["partnerId"] for p in partners_api("GET", "/partner-admin/partners", roles=ADMIN).body["items"]
    ] == ["CRC-CAP"]


EMAIL = "ops@crc.example"


def partner_clients_and_keys(partner_id: str) -> tuple[list[str], list[str]]:
    cognito, apigateway = boto3.client("cognito-idp"), boto3.client("apigateway")
    pool = config.user_pool_id()
    clients = cognito.list_user_pool_clients(UserPoolId=pool, MaxResults=60)["UserPoolClients"]
    keys = apigateway.get_api_keys(limit=500)["items"]
    name = f"partner-{partner_id}"
    return (
        [client["ClientId"] for client in clients if client["ClientName"] == name],
        [key["id"] for key in keys if key["name"] == name],
    )


def test_a_registration_that_fails_to_be_recorded_leaves_no_client_or_key_behind(
    partners_api: Caller, template: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def store_down(*_: Any) -> None:
        raise RuntimeError("the table is unreachable")

    monkeypatch.setattr(DynamoPartnerRepository, "save_partner", store_down)
    body = {
        "partnerId": "CRC-LOST",
        "name": "Lost",
        "contactEmail": "ops@crc.example",
        "scopes": ["cases.read"],
    }
    assert partners_api("POST", "/partner-admin/partners", body, roles=ADMIN).status == 500
    assert partner_clients_and_keys("CRC-LOST") == ([], [])


def test_a_second_registration_of_a_partner_leaves_only_the_first_client_and_key(
    partners_api: Caller, template: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {
        "partnerId": "CRC-TWICE",
        "name": "Twice",
        "contactEmail": "ops@crc.example",
        "scopes": ["cases.read"],
    }
    first = partners_api("POST", "/partner-admin/partners", body, roles=ADMIN)
    assert first.status == 201
    # Two registrations at once both pass the service's look at the list; the store's write decides.
    monkeypatch.setattr(DynamoPartnerRepository, "partners", lambda _: [])
    assert partners_api("POST", "/partner-admin/partners", body, roles=ADMIN).status == 409
    clients, keys = partner_clients_and_keys("CRC-TWICE")
    assert clients == [first.body["clientId"]]
    assert len(keys) == 1


def test_a_contact_for_a_case_that_moved_away_meanwhile_is_refused_by_the_write_itself(
    api: Caller, partners_api: Caller, allocated_to_crc1: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """CRC2 looked while the case was its own; by the time it writes, the case is CRC1's. The look is
    skipped here, so only the contact's own write stands between CRC2 and CRC1's case."""
    monkeypatch.setattr(PartnerService, "_allocated_to", lambda *_: None)
    crc2 = as_partner(partners_api, "CRC2")
    response = crc2(
        "POST",
        f"/partner/v1/cases/{allocated_to_crc1}/contacts",
        CONTACT,
        headers={"Idempotency-Key": "late"},
    )
    assert response.status == 404
    assert api("GET", f"/cases/{allocated_to_crc1}/contacts").body["items"] == []
    crc1 = as_partner(partners_api, "CRC1")
    own = crc1(
        "POST", f"/partner/v1/cases/{allocated_to_crc1}/contacts", CONTACT, headers={"Idempotency-Key": "own"}
    )
    assert own.status == 201

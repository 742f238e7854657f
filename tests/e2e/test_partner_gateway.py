"""The partner gateway over HTTP on the local runner, with two partners: each sees only its own cases,
feed and deliveries, and its webhook gets signed pushes, retried, and dead-lettered when it never answers."""

import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Runner
from tests.e2e.test_local_stack import _with_current_etag, create_case, eventually
from tests.webhook_receiver import WebhookReceiver, running

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SECRET = "partner-shared-secret-" + "z" * 20
ALL_SCOPES = ("cases.read", "contacts.write", "events.read")
Feed = list[dict[str, Any]]
CONTACT = {"type": "PROGRAMME_SESSION", "contactDate": "2026-03-01T10:00:00Z", "outcome": "ATTENDED_COMPLIED"}


@dataclass
class Partner:
    partner_id: str
    session: requests.Session
    base_url: str

    def get(self, path: str, **params: Any) -> requests.Response:
        return self._polite(lambda: self.session.get(f"{self.base_url}{path}", params=params, timeout=10))

    def post(self, path: str, body: Any, **headers: str) -> requests.Response:
        url = f"{self.base_url}{path}"
        return self._polite(lambda: self.session.post(url, json=body, headers=headers, timeout=10))

    @staticmethod
    def _polite(send: Callable[[], requests.Response]) -> requests.Response:
        """As a partner's client should: over its rate, wait as long as Retry-After says and try again."""
        while (response := send()).status_code == 429:
            time.sleep(int(response.headers["Retry-After"]))
        return response

    def feed(self, page_size: int) -> Feed:
        """The whole feed, page by page from the start, as a partner back from a week offline reads it."""
        entries: Feed = []
        cursor = "0"
        while True:
            page = self.get("/partner/v1/events", after=cursor, limit=page_size).json()
            entries += page["items"]
            if not page["items"]:
                return entries
            cursor = page["cursor"]

    def report_contact(self, crn: str, idempotency_key: str) -> requests.Response:
        return self.post(f"/partner/v1/cases/{crn}/contacts", CONTACT, **{"Idempotency-Key": idempotency_key})

    def subscription_ids(self) -> list[str]:
        return [s["subscriptionId"] for s in self.get("/partner/v1/subscriptions").json()["items"]]

    def subscribe(self, url: str, event_types: list[str]) -> str:
        body = {"url": url, "eventTypes": event_types, "secret": SECRET}
        response = self.post("/partner/v1/subscriptions", body, **{"Idempotency-Key": uuid.uuid4().hex})
        assert response.status_code == 201, response.text
        subscription_id: str = response.json()["subscriptionId"]
        return subscription_id

    def deliveries(self, subscription_id: str) -> list[dict[str, Any]]:
        response = self.get(f"/partner/v1/subscriptions/{subscription_id}/deliveries")
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


@dataclass
class TwoPartners:
    a: Partner
    b: Partner
    case_of_a: str
    case_of_b: str


def register(runner: Runner, name: str, scopes: tuple[str, ...] = ALL_SCOPES) -> Partner:
    """A newly registered partner holding ``scopes``, with a token that carries them."""
    partner_id = f"{name}-{uuid.uuid4().hex[:6]}"
    body = {
        "partnerId": partner_id,
        "name": name,
        "contactEmail": "ops@crc.example",
        "scopes": list(scopes),
    }
    admin = runner.session("admin", subject="admin")
    registered = admin.post(f"{runner.base_url}/partner-admin/partners", json=body, timeout=10)
    assert registered.status_code == 201, registered.text
    client_id = registered.json()["clientId"]
    session = requests.Session()
    token = runner.token("partner", subject=client_id, client_id=client_id, scopes=scopes)
    session.headers["Authorization"] = f"Bearer {token}"
    return Partner(partner_id, session, runner.base_url)


def allocate(runner: Runner, crn: str, partner_id: str) -> None:
    manager = runner.session("manager")
    url = f"{runner.base_url}/cases/{crn}/allocation"
    eventually(lambda: manager.get(url, timeout=10).ok or None, "the case to reach its team queue")
    decision = {"partnerId": partner_id, "justification": "CRC contract."}
    allocated = _with_current_etag(
        manager, url, lambda etag: manager.post(url, json=decision, headers={"If-Match": etag}, timeout=10)
    )
    assert allocated.status_code == 200, allocated.text


@pytest.fixture(scope="module")
def partners(runner: Runner) -> TwoPartners:
    a, b = register(runner, "CRC-A"), register(runner, "CRC-B")
    case_of_a = create_case(runner, teamCode="N07CAM")["crn"]
    case_of_b = create_case(runner, teamCode="N07CAM")["crn"]
    allocate(runner, case_of_a, a.partner_id)
    allocate(runner, case_of_b, b.partner_id)
    return TwoPartners(a, b, case_of_a, case_of_b)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with running(WebhookReceiver(SECRET)) as started:
        yield started


def staff_contact(runner: Runner, crn: str, contact_date: str = CONTACT["contactDate"]) -> str:
    """A practitioner records a contact on the case; its id."""
    contact = {**CONTACT, "contactDate": contact_date}
    response = runner.session("practitioner").post(
        f"{runner.base_url}/cases/{crn}/contacts",
        json=contact,
        headers={"Idempotency-Key": uuid.uuid4().hex},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    contact_id: str = response.json()["contactId"]
    return contact_id


def test_each_partner_sees_only_its_own_cases_and_writes_to_the_other_change_nothing(
    runner: Runner, partners: TwoPartners
) -> None:
    a, b = partners.a, partners.b
    assert [c["crn"] for c in a.get("/partner/v1/cases").json()["items"]] == [partners.case_of_a]
    assert [c["crn"] for c in b.get("/partner/v1/cases").json()["items"]] == [partners.case_of_b]
    assert a.get(f"/partner/v1/cases/{partners.case_of_b}").status_code == 404
    assert a.get("/partner/v1/cases/X999999").status_code == 404

    practitioner = runner.session("practitioner")
    contacts_url = f"{runner.base_url}/cases/{partners.case_of_b}/contacts"
    before = practitioner.get(contacts_url, timeout=10).json()["items"]
    assert a.report_contact(partners.case_of_b, "x-1").status_code == 404
    assert practitioner.get(contacts_url, timeout=10).json()["items"] == before


def test_a_webhook_gets_signed_pushes_with_retries_and_a_dead_one_is_dead_lettered(
    runner: Runner, partners: TwoPartners, receiver: WebhookReceiver
) -> None:
    a, b = partners.a, partners.b
    receiver.fail_first = 2
    subscription_of_a = a.subscribe(receiver.url, ["probation-case.contact.created"])
    with running(WebhookReceiver(SECRET, always_fail=True)) as dead_receiver:
        subscription_of_b = b.subscribe(dead_receiver.url, ["*"])
        contact = a.report_contact(partners.case_of_a, "w-1")
        assert contact.status_code == 201, contact.text
        staff_contact(runner, partners.case_of_b)

        delivered = eventually(
            lambda: next(iter(a.deliveries(subscription_of_a)), {}).get("status") == "DELIVERED" or None,
            "the third attempt to be acknowledged",
        )
        assert delivered
        dead = eventually(
            lambda: [d for d in b.deliveries(subscription_of_b) if d["status"] == "DEAD_LETTERED"] or None,
            "the dead webhook's delivery to be dead-lettered",
        )

    # A's webhook: two refusals, then an acknowledgement, every one correctly signed, all one delivery.
    assert [r.answered for r in receiver.received] == [503, 503, 204]
    assert all(r.signature_valid for r in receiver.received)
    assert {r.json["deliveryId"] for r in receiver.received} == {
        r.headers["Probation-Delivery-Id"] for r in receiver.received
    }
    assert len({r.json["deliveryId"] for r in receiver.received}) == 1
    pushed = receiver.received[0].json["event"]
    assert pushed["additionalInformation"]["contactId"] == contact.json()["contactId"]
    assert pushed["personReference"]["identifiers"][0]["value"] == partners.case_of_a
    [delivery] = a.deliveries(subscription_of_a)
    assert [attempt["statusCode"] for attempt in delivery["attempts"]] == [503, 503, 204]

    # B's webhook never answers: three attempts, then the dead-letter queue.
    [dead_delivery] = [d for d in dead if d["eventType"] == "probation-case.contact.created"]
    assert [attempt["statusCode"] for attempt in dead_delivery["attempts"]] == [503, 503, 503]
    assert all(r.signature_valid for r in dead_receiver.received)
    assert all(
        r.json["event"]["personReference"]["identifiers"][0]["value"] == partners.case_of_b
        for r in dead_receiver.received
    )
    sqs = runner.client("sqs")
    dlq = sqs.get_queue_url(QueueName="probation-webhooks-dlq-local")["QueueUrl"]
    refs = eventually(
        lambda: (
            [
                m["Body"]
                for m in sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
                    "Messages", []
                )
                # Every dead delivery of B's goes there, in no set order: this one is looked for.
                if subscription_of_b in m["Body"] and f'"sequence": {dead_delivery["sequence"]}' in m["Body"]
            ]
            or None
        ),
        "the dead delivery to reach the dead-letter queue",
    )
    assert f'"partnerId": "{partners.b.partner_id}"' in refs[0]
    # ...and the operators are paged.
    cloudwatch = runner.client("cloudwatch")
    eventually(
        lambda: (
            cloudwatch.describe_alarms(AlarmNames=["probation-webhooks-dead-lettered-local"])["MetricAlarms"][
                0
            ]["StateValue"]
            == "ALARM"
            or None
        ),
        "the dead-letter alarm",
    )

    # Neither partner can see the other's subscription or deliveries.
    assert b.get(f"/partner/v1/subscriptions/{subscription_of_a}/deliveries").status_code == 404
    assert a.get(f"/partner/v1/subscriptions/{subscription_of_b}").status_code == 404
    assert [s["subscriptionId"] for s in a.get("/partner/v1/subscriptions").json()["items"]] == [
        subscription_of_a
    ]


def test_two_hundred_random_changes_reach_each_partners_feed_in_order_once_each(
    runner: Runner, partners: TwoPartners
) -> None:
    """The feed's order is the order events reached it (EventBridge does not promise the order of
    changes); what is promised is one place per event, gapless, the same on every read."""
    rng = random.Random(2026)
    recorded: dict[str, list[str]] = {partners.case_of_a: [], partners.case_of_b: []}
    already = {
        partner.partner_id: {e["event"]["eventId"] for e in partner.feed(100)}
        for partner in (partners.a, partners.b)
    }
    for _ in range(200):
        crn = rng.choice(list(recorded))
        recorded[crn].append(staff_contact(runner, crn, f"2026-03-{rng.randint(1, 28):02d}T10:00:00Z"))

    for partner, own, other in (
        (partners.a, partners.case_of_a, partners.case_of_b),
        (partners.b, partners.case_of_b, partners.case_of_a),
    ):

        def new_contacts(entries: Feed, partner: Partner = partner) -> list[str]:
            return [
                e["event"]["additionalInformation"]["contactId"]
                for e in entries
                if e["event"]["eventId"] not in already[partner.partner_id]
                and e["event"]["eventType"] == "probation-case.contact.created"
            ]

        def caught_up(partner: Partner = partner, expected: int = len(recorded[own])) -> Feed | None:
            entries = partner.feed(page_size=37)
            return entries if len(new_contacts(entries)) >= expected else None

        entries = eventually(caught_up, f"{partner.partner_id}'s feed to catch up", seconds=120)
        assert [e["sequence"] for e in entries] == list(range(1, len(entries) + 1)), "gapless and in order"
        event_ids = [e["event"]["eventId"] for e in entries]
        assert len(event_ids) == len(set(event_ids)), "each event once"
        cases = {e["event"]["personReference"]["identifiers"][0]["value"] for e in entries}
        assert cases == {own}, f"{partner.partner_id} sees only its own case, never {other}"
        assert sorted(new_contacts(entries)) == sorted(recorded[own]), "every new contact on its case, once"
        assert partner.feed(page_size=100) == entries, "the same feed whatever the page size"


def test_after_reallocation_the_partner_left_behind_gets_404_at_once(runner: Runner) -> None:
    leaving, taking = register(runner, "CRC-OLD"), register(runner, "CRC-NEW")
    crn = create_case(runner, teamCode="N07CAM")["crn"]
    allocate(runner, crn, leaving.partner_id)
    assert leaving.get(f"/partner/v1/cases/{crn}").status_code == 200

    allocate(runner, crn, taking.partner_id)
    assert leaving.get(f"/partner/v1/cases/{crn}").status_code == 404
    assert leaving.report_contact(crn, "late").status_code == 404
    assert taking.get(f"/partner/v1/cases/{crn}").status_code == 200
    assert crn not in [c["crn"] for c in leaving.get("/partner/v1/cases").json()["items"]]


def test_a_partner_over_its_rate_gets_429_with_retry_after_and_nobody_else_is_slowed(
    runner: Runner, partners: TwoPartners
) -> None:
    """One partner hammering its list spends its usage plan's burst (20 locally)."""
    answers: list[requests.Response] = []
    lock = threading.Lock()
    url = f"{runner.base_url}/partner/v1/cases"

    def hammer() -> None:
        for _ in range(6):
            response = partners.a.session.get(url, timeout=30)
            with lock:
                answers.append(response)

    # Forty at a time: the rate overruns the plan even while the stack is busy and answers slowly.
    threads = [threading.Thread(target=hammer) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    throttled = [r for r in answers if r.status_code == 429]
    statuses = sorted(r.status_code for r in answers)
    assert throttled, f"240 requests, 40 at a time, must overrun a burst of 20: {statuses}"
    assert set(statuses) == {200, 429}
    assert all(int(r.headers["Retry-After"]) >= 1 for r in throttled)
    assert throttled[0].headers["Content-Type"] == "application/problem+json"
    assert throttled[0].json()["status"] == 429
    # Metered per partner: the other partner and staff go on as before.
    assert partners.b.session.get(url, timeout=10).status_code == 200
    staff = runner.session("practitioner")
    assert staff.get(f"{runner.base_url}/cases/{partners.case_of_a}", timeout=10).status_code == 200

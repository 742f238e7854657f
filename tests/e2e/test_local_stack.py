"""The platform as a newcomer meets it: `make run`'s stack, over HTTP."""

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import jwt
import pytest
import requests

from infrastructure.local.demo import DEMO_BREACH_REASON
from infrastructure.template import Template
from probation.assessments.catalogue import load_catalogue
from tests.e2e.conftest import Runner, StartedRunner, new_case

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]
Found = TypeVar("Found")

# Answers to the predictor questions of an assessment: some problems, no drugs, no domestic abuse.
ANSWERS = {
    "3.4": "1",
    "4.2": "YES",
    "6.8": "3",
    "7.2": "1",
    "9.1": "1",
    "11.2": "2",
    "12.1": "1",
    "8.1": "NO",
}
CONTACT = {"type": "HOME_VISIT", "contactDate": "2026-02-03T14:30:00Z", "outcome": "ATTENDED_COMPLIED"}


def create_case(runner: Runner, **changes: Any) -> dict[str, Any]:
    response = runner.session("practitioner").post(
        f"{runner.base_url}/cases", json=new_case(**changes), timeout=10
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def conviction(offence_code: str, length_months: int = 12) -> dict[str, Any]:
    return {
        "convictionDate": "2025-10-01",
        "court": "Thames Magistrates' Court",
        "offences": [{"offenceCode": offence_code, "offenceDate": "2025-08-01", "main": True}],
        "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-10-01", "lengthMonths": length_months},
    }


def record_conviction(
    session: requests.Session, base: str, offence_code: str, length_months: int = 12
) -> None:
    response = session.post(f"{base}/convictions", json=conviction(offence_code, length_months), timeout=10)
    assert response.status_code == 201


def record_common_assault_in_2012(session: requests.Session, base: str) -> None:
    history = {"sanctions": [{"sanctionDate": "2012-03-04", "offenceCode": "10500", "outcome": "Fine"}]}
    assert session.post(f"{base}/sanctions", json=history, timeout=10).status_code == 201


def eventually(probe: Callable[[], Found | None], what: str, seconds: float = 30) -> Found:
    """What ``probe`` finds once the events it waits for have gone round the bus."""
    deadline = time.monotonic() + seconds
    while (found := probe()) is None:
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)
    return found


def test_health_needs_no_token(runner: Runner) -> None:
    response = requests.get(f"{runner.base_url}/health", timeout=10)
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/cases/X123456"),
        ("POST", "/cases"),
        ("GET", "/cases/X123456/overview"),
        ("GET", "/cases/X123456/audit"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-jwt", "Basic dXNlcjpwYXNz"])
def test_anonymous_and_bad_tokens_get_401_problem_json(
    runner: Runner, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.request(method, f"{runner.base_url}{path}", headers=headers, json={}, timeout=10)
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_the_demo_data_is_there_to_use(runner: Runner) -> None:
    table = runner.client("dynamodb")
    items: list[dict[str, Any]] = []
    for page in table.get_paginator("scan").paginate(TableName="probation-cases-local"):
        items += page["Items"]
    kinds = [item["itemType"]["S"] for item in items]
    assert kinds.count("TEAM") >= 2
    practitioners = [item for item in items if item["itemType"]["S"] == "PRACTITIONER"]
    assert len(practitioners) >= 10
    assert {p["grade"]["S"] for p in practitioners} == {"PO", "PQiP", "PSO", "SPO"}
    assert kinds.count("CASE") >= 30
    codes = [item["type"]["S"] for item in items if item["itemType"]["S"] == "REGISTRATION"]
    assert "MAPP" in codes
    assert {"RHRH", "RVHR"} & set(codes)
    assert kinds.count("CONVICTION") >= 30
    assert kinds.count("SANCTION") > 30
    assert kinds.count("CONTACT") > 30
    # Appointment histories: every case has some, with a mix of outcomes, failures, one breach, and unpaid
    # work hours credited.
    appointments = [
        json.loads(item["document"]["S"]) for item in items if item["itemType"]["S"] == "APPOINTMENT"
    ]
    assert len({a["crn"] for a in appointments}) >= 28
    outcomes = {a["outcome"] for a in appointments if a["outcome"]}
    assert {"ATTC", "AAME", "UAAB", "AFTC"} <= outcomes
    assert any(a["minutesCredited"] for a in appointments)
    # The demo starts one breach (other tests sharing this runner start their own).
    breaches = [json.loads(item["document"]["S"]) for item in items if item["itemType"]["S"] == "BREACH"]
    assert [b["reason"] for b in breaches].count(DEMO_BREACH_REASON) == 1


def test_a_case_event_reaches_the_bus_and_a_rule_target(runner: Runner) -> None:
    sqs, events = runner.client("sqs"), runner.client("events")
    queue_url = sqs.create_queue(QueueName="e2e-engagements")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    pattern = {"source": ["probation.cases"], "detail-type": ["probation-case.engagement.created"]}
    events.put_rule(Name="e2e-engagements", EventBusName="probation-local", EventPattern=json.dumps(pattern))
    events.put_targets(
        Rule="e2e-engagements", EventBusName="probation-local", Targets=[{"Id": "q", "Arn": queue_arn}]
    )

    crn = create_case(runner)["crn"]

    deadline = time.monotonic() + 20
    crns: list[str] = []
    while crn not in crns and time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        ):
            detail = json.loads(message["Body"])["detail"]
            crns += [identifier["value"] for identifier in detail["personReference"]["identifiers"]]
    assert crn in crns


WRITERS = 50


def test_fifty_concurrent_patches_with_one_etag_have_exactly_one_winner_and_one_audited_change(
    runner: Runner,
) -> None:
    crn = create_case(runner)["crn"]
    url = f"{runner.base_url}/cases/{crn}"
    token = runner.token("practitioner")

    def patch(writer: int) -> requests.Response:
        return requests.patch(
            url,
            json={"lastName": f"Writer{chr(65 + writer // 26)}{chr(97 + writer % 26)}"},
            headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
            timeout=60,
        )

    results = _race(patch, WRITERS)
    assert sorted(r.status_code for r in results) == [200] + [412] * (WRITERS - 1)
    winner = next(response.json() for response in results if response.status_code == 200)
    assert all(r.headers["ETag"] == '"2"' for r in results)
    stored = runner.session("practitioner").get(url, timeout=10).json()
    assert (stored["lastName"], stored["version"]) == (winner["lastName"], 2)
    trail = runner.session("manager").get(f"{url}/audit", timeout=10).json()["items"]
    changes = [entry for entry in trail if entry["action"] == "UPDATE" and entry["resource"] == "case"]
    assert len(changes) == 1, "the access log holds the one change that happened, and no lost one"


def test_ten_contacts_recorded_at_once_on_one_case_are_all_kept_once(runner: Runner) -> None:
    """Every contact moves the case's summary (the head of its timeline) conditionally on its version, so
    writers to one case contend for it: each loser re-reads and tries again, none is lost or doubled."""
    crn = create_case(runner)["crn"]
    url = f"{runner.base_url}/cases/{crn}/contacts"
    token = runner.token("practitioner")

    def record(writer: int) -> requests.Response:
        return requests.post(
            url,
            json={**CONTACT, "notes": f"writer {writer}"},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"at-once-{crn}-{writer}"},
            timeout=60,
        )

    results = _race(record, CONTACT_WRITERS)
    assert [r.status_code for r in results] == [201] * CONTACT_WRITERS
    session = runner.session("practitioner")
    listed = session.get(url, params={"limit": 50}, timeout=10).json()["items"]
    assert sorted(c["notes"] for c in listed) == sorted(f"writer {n}" for n in range(CONTACT_WRITERS))
    head = session.get(f"{runner.base_url}/cases/{crn}/overview", timeout=10).json()["contacts"]
    assert sorted(c["notes"] for c in head) == sorted(f"writer {n}" for n in range(CONTACT_WRITERS))


CONTACT_WRITERS = 10


def test_a_replayed_contact_post_creates_one_contact(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    session = runner.session("practitioner")
    url = f"{runner.base_url}/cases/{crn}/contacts"
    first = session.post(url, json=CONTACT, headers={"Idempotency-Key": "visit-1"}, timeout=10)
    replay = session.post(url, json=CONTACT, headers={"Idempotency-Key": "visit-1"}, timeout=10)
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    listed = session.get(url, timeout=10).json()["items"]
    assert [contact["contactId"] for contact in listed] == [first.json()["contactId"]]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/cases", new_case(dateOfBirth="1988-02-30"), "dateOfBirth"),
        ("/cases", new_case(gender="OTHER"), "gender"),
        ("/cases", new_case(lastName="x" * 200), "lastName"),
        ("/cases/{crn}/convictions", {"convictionDate": "2025-01-01"}, "court"),
        (
            "/cases/{crn}/sanctions",
            {"sanctions": [{"sanctionDate": "2011-01-01", "offenceCode": "ABCDE"}]},
            "sanctions[0].offenceCode",
        ),
        ("/cases/{crn}/registrations", {"type": "MAPP", "registrationDate": "2025-01-01"}, "mappaLevel"),
    ],
)
def test_out_of_range_input_names_the_field_and_writes_nothing(
    runner: Runner, path: str, body: dict[str, Any], field: str
) -> None:
    crn = create_case(runner)["crn"]
    session = runner.session("manager")
    before = session.get(f"{runner.base_url}/cases/{crn}/overview", timeout=10).json()
    response = session.post(f"{runner.base_url}{path.format(crn=crn)}", json=body, timeout=10)
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "application/problem+json"
    assert field in {error["field"] for error in response.json()["errors"]}
    after = session.get(f"{runner.base_url}/cases/{crn}/overview", timeout=10).json()
    assert after == before


def test_malformed_json_is_a_400_problem(runner: Runner) -> None:
    response = runner.session("practitioner").post(
        f"{runner.base_url}/cases", data="{not json", headers={"Content-Type": "application/json"}, timeout=10
    )
    assert response.status_code == 400
    assert response.json()["type"].endswith("/malformed-request")


def test_the_whole_case_comes_back_in_the_overview(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    session = runner.session("practitioner")
    base = f"{runner.base_url}/cases/{crn}"
    conviction: dict[str, Any] = {
        "convictionDate": "2025-09-01",
        "court": "Snaresbrook Crown Court",
        "offences": [{"offenceCode": "03401", "offenceDate": "2025-06-01", "main": True}],
        "sentence": {
            "type": "CUSTODY",
            "sentenceDate": "2025-09-01",
            "lengthMonths": 24,
            "releaseDate": "2026-09-01",
        },
    }
    assert session.post(f"{base}/convictions", json=conviction, timeout=10).status_code == 201
    sanctions = {"sanctions": [{"sanctionDate": "2008-01-01", "offenceCode": "04600", "outcome": "Caution"}]}
    assert session.post(f"{base}/sanctions", json=sanctions, timeout=10).status_code == 201
    registration = {"type": "RHRH", "registrationDate": "2025-09-02"}
    assert session.post(f"{base}/registrations", json=registration, timeout=10).status_code == 201
    assert (
        session.post(
            f"{base}/contacts", json=CONTACT, headers={"Idempotency-Key": "o-1"}, timeout=10
        ).status_code
        == 201
    )

    overview = session.get(f"{base}/overview", timeout=10).json()
    assert overview["case"]["crn"] == crn
    assert overview["convictions"][0]["sentence"]["releaseDate"] == "2026-09-01"
    assert overview["sanctions"][0]["offenceCode"] == "04600"
    assert overview["registrations"][0]["type"] == "RHRH"
    assert overview["contacts"][0]["type"] == "HOME_VISIT"


def test_the_audit_trail_records_who_read_the_case(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    runner.session("practitioner", subject="curious").get(f"{runner.base_url}/cases/{crn}", timeout=10)
    trail = runner.session("manager", subject="lead").get(f"{runner.base_url}/cases/{crn}/audit", timeout=10)
    assert trail.status_code == 200
    assert ("curious", "READ") in [(entry["actor"], entry["action"]) for entry in trail.json()["items"]]


def test_the_local_token_endpoint_validates_its_input(runner: Runner) -> None:
    bodies: list[dict[str, Any]] = [
        {"sub": "x", "roles": []},
        {"sub": "x", "roles": ["wizard"]},
        {"sub": "x", "roles": ["partner"]},
    ]
    for body in bodies:
        response = requests.post(f"{runner.base_url}/local/token", json=body, timeout=10)
        assert response.status_code == 422
        assert response.headers["Content-Type"] == "application/problem+json"


def registered_partner(runner: Runner, scopes: list[str]) -> tuple[str, str]:
    """A new partner's app client id and the secret registration gives once."""
    body = {
        "partnerId": f"CC-{time.time_ns()}",
        "name": "CC",
        "contactEmail": "ops@crc.example",
        "scopes": scopes,
    }
    registered = runner.session("admin", subject="admin").post(
        f"{runner.base_url}/partner-admin/partners", json=body, timeout=10
    )
    assert registered.status_code == 201, registered.text
    return registered.json()["clientId"], registered.json()["clientSecret"]


def client_credentials(runner: Runner, client_id: str, secret: str, scope: str | None) -> requests.Response:
    form = {"grant_type": "client_credentials"} | ({"scope": scope} if scope else {})
    return requests.post(
        f"{runner.base_url}/local/partners/oauth2/token", data=form, auth=(client_id, secret), timeout=10
    )


def test_a_partner_takes_a_token_for_its_scopes_with_its_secret_as_from_cognito(runner: Runner) -> None:
    client_id, secret = registered_partner(runner, ["cases.read", "events.read"])

    granted = client_credentials(runner, client_id, secret, "probation-partner-api/cases.read")
    assert granted.status_code == 200, granted.text
    partner = requests.Session()
    partner.headers["Authorization"] = f"Bearer {granted.json()['access_token']}"
    assert partner.get(f"{runner.base_url}/partner/v1/cases", timeout=10).status_code == 200
    assert partner.get(f"{runner.base_url}/partner/v1/events", timeout=10).status_code == 403, "not asked for"

    wrong_secret = client_credentials(runner, client_id, "not-the-secret", None)
    assert (wrong_secret.status_code, wrong_secret.json()["error"]) == (401, "invalid_client")
    beyond = client_credentials(runner, client_id, secret, "probation-partner-api/contacts.write")
    assert (beyond.status_code, beyond.json()["error"]) == (400, "invalid_scope")


def test_staff_and_partners_have_issuers_of_their_own(runner: Runner) -> None:
    keys = {
        pool: requests.get(f"{runner.base_url}/local/{pool}/.well-known/jwks.json", timeout=10).json()
        for pool in ("staff", "partners")
    }
    assert keys["staff"]["keys"][0]["kid"] != keys["partners"]["keys"][0]["kid"]
    staff = jwt.decode(runner.token("practitioner"), options={"verify_signature": False})
    assert (staff["iss"], staff["username"], staff["cognito:groups"]) == (
        f"{runner.base_url}/local/staff",
        "jsmith",
        ["practitioner"],
    )
    mixed = {"sub": "x", "roles": ["practitioner", "partner"], "clientId": "c"}
    assert requests.post(f"{runner.base_url}/local/token", json=mixed, timeout=10).status_code == 422


def test_the_gateway_answers_as_the_templates_gateway_responses(runner: Runner) -> None:
    responses = Template.load({"Stage": "local"}).gateway_responses()
    for path, expected in (("/no-such-route", "MISSING_AUTHENTICATION_TOKEN"), ("/cases", "UNAUTHORIZED")):
        response = requests.get(f"{runner.base_url}{path}", timeout=10)
        answer = responses[expected]
        assert (response.status_code, response.text) == (answer.status, answer.body), path
        assert {name: response.headers.get(name) for name in answer.headers} == answer.headers, path


def test_the_api_documents_itself(runner: Runner) -> None:
    spec = requests.get(f"{runner.base_url}/openapi.json", timeout=10).json()
    assert spec["openapi"].startswith("3.1")
    assert {"/cases", "/cases/{crn}", "/cases/{crn}/overview"} <= set(spec["paths"])
    swagger = requests.get(f"{runner.base_url}/swagger", timeout=10)
    assert swagger.status_code == 200
    assert "SwaggerUIBundle" in swagger.text


def test_a_new_conviction_gets_the_case_scored_through_the_bus(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    session = runner.session("practitioner")
    base = f"{runner.base_url}/cases/{crn}"
    record_common_assault_in_2012(session, base)
    record_conviction(session, base, "04600")

    def scored_for_the_sentence() -> dict[str, Any] | None:
        for record in session.get(f"{base}/risk", timeout=10).json()["history"]:
            if record["trigger"].get("eventType") == "probation-case.sentence.created":
                return dict(record)
        return None

    record = eventually(scored_for_the_sentence, "the case to be rescored")
    assert record["trigger"]["kind"] == "EVENT"
    assert record["inputs"]["totalNumberOfSanctionsForAllOffences"] == 2


def test_an_assessment_completed_over_http_makes_the_rsr_dynamic_by_itself(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    session = runner.session("practitioner")
    base = f"{runner.base_url}/cases/{crn}"
    record_common_assault_in_2012(session, base)
    record_conviction(session, base, "03401")

    draft = session.post(f"{base}/assessments", timeout=10)
    assert draft.status_code == 201, draft.text
    body = draft.json()
    assert body["answers"]["1.32"]["value"] == 2
    catalogue = load_catalogue()
    answers = {
        code: {"value": "0" if "0" in catalogue.questions[code].option_codes else "NO"}
        for code in catalogue.required_for_completion()
        if code not in body["answers"]
    }
    answers |= {code: {"value": value} for code, value in ANSWERS.items()}
    # LDS: work-related skills 1 and no qualifications 2, the rest 0 or unanswered: 3 points, ldsScore 1.
    answers |= {"4.4": {"value": "1"}, "4.8": {"value": "0"}, "4.9": {"value": "2"}}
    url = f"{base}/assessments/{body['assessmentId']}"
    # New risk scores may refresh the draft meanwhile: re-read and retry, as a client would.
    patched = _with_current_etag(
        session,
        url,
        lambda etag: session.patch(url, json={"answers": answers}, headers={"If-Match": etag}, timeout=10),
    )
    assert patched.status_code == 200, patched.text
    completed = _with_current_etag(
        session, url, lambda etag: session.post(f"{url}/complete", headers={"If-Match": etag}, timeout=10)
    )
    assert completed.status_code == 200, completed.text

    def dynamic_score() -> dict[str, Any] | None:
        """The score the completed assessment's event made. (A rescore for an earlier event of the case
        may be applied after the completion too, and so be dynamic as well: events arrive in no set order.)"""
        history: list[dict[str, Any]] = session.get(f"{base}/risk", timeout=10).json()["history"]
        return next(
            (
                score
                for score in history
                if score["trigger"].get("eventType") == "assessment.summary.produced"
                and score["result"]["rsr"]
                and score["result"]["rsr"]["type"] == "DYNAMIC"
            ),
            None,
        )

    dynamic = eventually(dynamic_score, "a dynamic RSR after the assessment was completed")
    # The screening results come with it, beside the scores in the history and on the overview.
    assert dynamic["screening"]["lds"] == {"ldsScore": 1}
    assert dynamic["provenance"]["workRelatedSkills"]["detail"] == "question 4.4"
    overview = session.get(f"{base}/overview", timeout=10).json()
    assert overview["latestRisk"]["screening"] == dynamic["screening"]


def test_concurrent_answers_and_completions_each_have_one_winner(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    session = runner.session("manager")
    base = f"{runner.base_url}/cases/{crn}"
    draft = session.post(f"{base}/assessments", timeout=10)
    url = f"{base}/assessments/{draft.json()['assessmentId']}"
    token = runner.token("practitioner")

    def patch(writer: int) -> requests.Response:
        return requests.patch(
            url,
            json={"answers": {"3.4": {"value": str(writer % 3)}}},
            headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
            timeout=30,
        )

    assert sorted(r.status_code for r in _race(patch, WRITERS)) == [200] + [412] * (WRITERS - 1)

    catalogue = load_catalogue()
    current = session.get(url, timeout=10)
    everything = {
        code: {"value": catalogue.questions[code].options[-1].code}
        for code in catalogue.required_for_completion()
    }
    ready = session.patch(
        url, json={"answers": everything}, headers={"If-Match": current.headers["ETag"]}, timeout=10
    )
    assert ready.status_code == 200, ready.text

    def finish(_: int) -> requests.Response:
        return requests.post(
            f"{url}/complete",
            headers={"Authorization": f"Bearer {token}", "If-Match": ready.headers["ETag"]},
            timeout=60,
        )

    statuses = sorted(r.status_code for r in _race(finish, WRITERS))
    assert statuses[0] == 200
    assert statuses.count(200) == 1
    assert set(statuses[1:]) <= {409, 412}


def _with_current_etag(
    session: requests.Session, url: str, send: Callable[[str], requests.Response]
) -> requests.Response:
    for _ in range(5):
        response = send(session.get(url, timeout=10).headers["ETag"])
        if response.status_code != 412:
            return response
    return response


def _race(call: Callable[[int], requests.Response], writers: int) -> list[requests.Response]:
    barrier = threading.Barrier(writers)
    results: list[requests.Response] = []

    def run(writer: int) -> None:
        barrier.wait()
        results.append(call(writer))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_mappa_case_is_tiered_queued_recommended_and_allocated(runner: Runner) -> None:
    crn = create_case(runner, teamCode="N07HAC")["crn"]
    staff = runner.session("practitioner")
    base = f"{runner.base_url}/cases/{crn}"
    record_conviction(staff, base, "00801", length_months=24)
    registration = {"type": "MAPP", "registrationDate": "2025-10-02", "mappaLevel": "M2"} | {
        "mappaCategory": "M1"
    }
    assert staff.post(f"{base}/registrations", json=registration, timeout=10).status_code == 201

    manager = runner.session("manager", subject="lead")

    def tiered_a() -> dict[str, Any] | None:
        response = manager.get(f"{base}/allocation", timeout=10)
        allocation: dict[str, Any] = response.json() if response.status_code == 200 else {}
        return allocation if (allocation.get("tier") or {}).get("tier", "").startswith("A") else None

    allocation = eventually(tiered_a, "the MAPPA case to tier to A")
    assert allocation["tier"]["tier"].startswith("A"), allocation
    queue = manager.get(f"{runner.base_url}/allocation/teams/N07HAC/unallocated", timeout=10).json()["items"]
    assert crn in [entry["crn"] for entry in queue]

    ranked = manager.get(f"{base}/allocation/recommendations", timeout=10).json()["practitioners"]
    assert ranked
    assert {p["grade"] for p in ranked} <= {"PO", "SPO"}
    chosen = ranked[0]
    before = manager.get(f"{runner.base_url}/allocation/practitioners/{chosen['code']}", timeout=10).json()

    decision = {"practitionerCode": chosen["code"], "justification": "Top of the recommendations."}
    # Events may re-tier the case meanwhile: re-read and retry, as a manager's client would.
    done = _with_current_etag(
        manager,
        f"{base}/allocation",
        lambda etag: manager.post(
            f"{base}/allocation", json=decision, headers={"If-Match": etag}, timeout=10
        ),
    )
    assert done.status_code == 200, done.text

    after = manager.get(f"{runner.base_url}/allocation/practitioners/{chosen['code']}", timeout=10).json()
    assert after["workload"]["points"] == before["workload"]["points"] + done.json()["points"]
    assert after["capacityPercent"] == chosen["capacityAfterPercent"]
    queue = manager.get(f"{runner.base_url}/allocation/teams/N07HAC/unallocated", timeout=10).json()["items"]
    assert crn not in [entry["crn"] for entry in queue]


def test_partners_see_only_their_own_cases_over_http(runner: Runner) -> None:
    admin = runner.session("admin", subject="admin")
    clients = {}
    for partner_id, scopes in (
        ("CRC-NORTH", ["cases.read", "contacts.write"]),
        ("CRC-SOUTH", ["cases.read"]),
    ):
        body = {
            "partnerId": partner_id,
            "name": partner_id,
            "contactEmail": "ops@crc.example",
            "scopes": scopes,
        }
        registered = admin.post(f"{runner.base_url}/partner-admin/partners", json=body, timeout=10)
        assert registered.status_code == 201, registered.text
        clients[partner_id] = (registered.json()["clientId"], tuple(scopes))

    def partner(partner_id: str) -> requests.Session:
        client_id, scopes = clients[partner_id]
        session = requests.Session()
        token = runner.token("partner", subject=client_id, client_id=client_id, scopes=scopes)
        session.headers["Authorization"] = f"Bearer {token}"
        return session

    crn = create_case(runner, teamCode="N07CAM")["crn"]
    manager = runner.session("manager")
    eventually(
        lambda: manager.get(f"{runner.base_url}/cases/{crn}/allocation", timeout=10).ok or None,
        "the case to reach its team queue",
    )
    decision = {"partnerId": "CRC-NORTH", "justification": "CRC contract."}
    allocated = _with_current_etag(
        manager,
        f"{runner.base_url}/cases/{crn}/allocation",
        lambda etag: manager.post(
            f"{runner.base_url}/cases/{crn}/allocation", json=decision, headers={"If-Match": etag}, timeout=10
        ),
    )
    assert allocated.status_code == 200, allocated.text

    north, south = partner("CRC-NORTH"), partner("CRC-SOUTH")
    assert crn in [
        c["crn"] for c in north.get(f"{runner.base_url}/partner/v1/cases", timeout=10).json()["items"]
    ]
    assert crn not in [
        c["crn"] for c in south.get(f"{runner.base_url}/partner/v1/cases", timeout=10).json()["items"]
    ]
    assert north.get(f"{runner.base_url}/partner/v1/cases/{crn}", timeout=10).status_code == 200
    assert south.get(f"{runner.base_url}/partner/v1/cases/{crn}", timeout=10).status_code == 404

    contact = {
        "type": "PROGRAMME_SESSION",
        "contactDate": "2026-03-01T10:00:00Z",
        "outcome": "ATTENDED_COMPLIED",
    }
    url = f"{runner.base_url}/partner/v1/cases/{crn}/contacts"
    written = [
        north.post(url, json=contact, headers={"Idempotency-Key": "session-1"}, timeout=10) for _ in range(2)
    ]
    assert [r.status_code for r in written] == [201, 201]
    assert written[0].json() == written[1].json()
    # CRC-SOUTH holds no contacts.write scope: the authorizer's policy stops it before any function runs.
    assert south.post(url, json=contact, headers={"Idempotency-Key": "s"}, timeout=10).status_code == 403
    staff_contacts = manager.get(f"{runner.base_url}/cases/{crn}/contacts", timeout=10).json()["items"]
    assert [c["contactId"] for c in staff_contacts] == [written[0].json()["contactId"]]

    # A client id nobody registered gets nothing.
    stranger = requests.Session()
    stranger.headers["Authorization"] = "Bearer " + runner.token(
        "partner", subject="x", client_id="not-registered", scopes=("cases.read",)
    )
    assert stranger.get(f"{runner.base_url}/partner/v1/cases", timeout=10).status_code == 401


def test_the_operator_tools_work_against_the_local_runner(runner: Runner) -> None:
    crn = create_case(runner)["crn"]
    ops = [sys.executable, "-m", "probation.ops", "--stage", "local", "--endpoint-url", runner.aws_endpoint]
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}
    for name in ("TABLE_NAME", "EVENT_BUS_NAME", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    history = subprocess.run(
        [*ops, "history", crn, "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert history.returncode == 0, history.stderr
    assert [json.loads(line)["eventType"] for line in history.stdout.splitlines()] == [
        "probation-case.engagement.created"
    ]
    replayed = subprocess.run(
        [*ops, "replay", "--from", "2020-01-01T00:00:00", "--to", "2099-01-01T00:00:00", "--crn", crn],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert (replayed.returncode, replayed.stdout.strip()) == (0, "replayed 1 event onto probation-local")


def test_fifty_managers_allocating_one_case_at_once_have_one_winner_and_lose_no_workload(
    runner: Runner,
) -> None:
    crn = create_case(runner, teamCode="N07CAM")["crn"]
    # A sentence gives the case a tier and so workload points to win.
    record_conviction(runner.session("practitioner"), f"{runner.base_url}/cases/{crn}", "00801")
    manager = runner.session("manager", subject="racing-lead")
    url = f"{runner.base_url}/cases/{crn}/allocation"

    def settled_etag() -> str | None:
        """The allocation's ETag once the case's own events have stopped changing it."""
        first = manager.get(url, timeout=10)
        time.sleep(1.5)
        second = manager.get(url, timeout=10)
        stable = first.ok and second.ok and first.headers["ETag"] == second.headers["ETag"]
        return second.headers["ETag"] if stable else None

    etag = eventually(settled_etag, "the new case to settle in its team queue")
    ranked = manager.get(f"{url}/recommendations", timeout=10).json()["practitioners"]
    codes = [p["code"] for p in ranked]
    points_before = {
        code: manager.get(f"{runner.base_url}/allocation/practitioners/{code}", timeout=10).json()[
            "workload"
        ]["points"]
        for code in codes
    }
    token = runner.token("manager", subject="racing-lead")

    def allocate(writer: int) -> requests.Response:
        decision = {"practitionerCode": codes[writer % len(codes)], "justification": f"Racer {writer}."}
        return requests.post(
            url, json=decision, headers={"Authorization": f"Bearer {token}", "If-Match": etag}, timeout=60
        )

    results = _race(allocate, WRITERS)
    assert sorted(r.status_code for r in results) == [200] + [412] * (WRITERS - 1)
    won = next(r.json() for r in results if r.status_code == 200)
    assert won["points"] > 0
    points_after = {
        code: manager.get(f"{runner.base_url}/allocation/practitioners/{code}", timeout=10).json()[
            "workload"
        ]["points"]
        for code in codes
    }
    gained = {
        code: points_after[code] - points_before[code]
        for code in codes
        if points_after[code] != points_before[code]
    }
    assert gained == {won["practitionerCode"]: won["points"]}, "one practitioner gained the case, once"
    trail = manager.get(f"{runner.base_url}/cases/{crn}/audit", timeout=10).json()["items"]
    decisions = [e for e in trail if e["resource"] == "allocation" and e["actor"] == "racing-lead"]
    assert [e["action"] for e in decisions] == ["UPDATE"]


def test_health_says_starting_until_the_demo_and_its_events_are_in(started_runner: StartedRunner) -> None:
    """The session's runner seeds the demo: /health said 503 "starting" while it did, then 200 "ok"."""
    assert started_runner.health_seen[0] == (503, {"status": "starting"})
    assert started_runner.health_seen[-1] == (200, {"status": "ok"})
    # Ready means usable: the demo's events have been applied, so the team queues are filled.
    manager = started_runner.runner.session("manager")
    queue = manager.get(f"{started_runner.runner.base_url}/allocation/teams/N07CAM/unallocated", timeout=10)
    assert queue.json()["items"], "the demo's cases are tiered and queued by the time /health says ok"

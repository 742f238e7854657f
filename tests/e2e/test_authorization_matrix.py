"""The authorization matrix: every route of template.yaml, called as each kind of caller, against the
policy written down here. The routes come from the template, so a route added without an entry fails.

The policy is the README's route table and the role checks of each service: staff tokens pass the
authorizer everywhere and each function checks the roles; a partner token opens only the partner routes
its scopes name; a metered ``/partner/v1/*`` route needs a partner's usage plan key. DENIED is 401 or
403; anything else the request got past authorization (a 404 for another partner's resource, a 409 or
428 from the rules that come after the role check). Every probe sends a valid request, so a role check
is never hidden behind a 422 from input validation (which runs before the function's code).
"""

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from infrastructure.template import ApiRoute, Template
from probation.assessments.catalogue import CURRENT_VERSION as CATALOGUE_VERSION
from tests.e2e.conftest import Runner, new_case
from tests.e2e.test_local_stack import create_case
from tests.e2e.test_partner_gateway import ALL_SCOPES, SECRET, allocate, register

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ANONYMOUS = "anonymous"
PRACTITIONER = "practitioner"
MANAGER = "manager"
ADMIN = "admin"
PARTNER_A = "partner A"
PARTNER_B = "partner B"
PRINCIPALS = (ANONYMOUS, PRACTITIONER, MANAGER, ADMIN, PARTNER_A, PARTNER_B)

STAFF = frozenset({PRACTITIONER, MANAGER, ADMIN})
MANAGERS = frozenset({MANAGER, ADMIN})  # allocation's MANAGERS; the case service's AUDIT_READERS
ASSESSORS = frozenset({PRACTITIONER, MANAGER})  # the assessment service's ASSESSORS: not admin
ADMINS = frozenset({ADMIN})
PARTNERS = frozenset({PARTNER_A, PARTNER_B})  # both hold every scope; B meets A's resources as 404
EVERYONE = frozenset(PRINCIPALS)

# Who is ALLOWED on each route; every other principal must be DENIED (anonymous: exactly 401).
MATRIX: dict[tuple[str, str], frozenset[str]] = {
    # Case records: any staff role; the access log only for managers and admins.
    ("GET", "/health"): EVERYONE,
    ("POST", "/cases"): STAFF,
    ("GET", "/cases"): STAFF,
    ("GET", "/cases/{crn}"): STAFF,
    ("PATCH", "/cases/{crn}"): STAFF,
    ("GET", "/cases/{crn}/overview"): STAFF,
    ("POST", "/cases/{crn}/convictions"): STAFF,
    ("POST", "/cases/{crn}/sanctions"): STAFF,
    # NOTE: the case service also lets the partner role record a contact here (for the partner route,
    # which goes through it); only the authorizer's policy keeps partner tokens off this staff route.
    ("POST", "/cases/{crn}/contacts"): STAFF,
    ("GET", "/cases/{crn}/contacts"): STAFF,
    ("POST", "/cases/{crn}/registrations"): STAFF,
    ("DELETE", "/cases/{crn}/registrations/{registrationId}"): STAFF,
    ("GET", "/cases/{crn}/audit"): MANAGERS,
    # Risk scoring: any staff role.
    ("POST", "/risk/calculate"): STAFF,
    ("POST", "/cases/{crn}/risk"): STAFF,
    ("GET", "/cases/{crn}/risk"): STAFF,
    # OASys assessments: practitioners and managers; an admin may not even read one.
    ("POST", "/cases/{crn}/assessments"): ASSESSORS,
    ("GET", "/cases/{crn}/assessments"): ASSESSORS,
    ("GET", "/cases/{crn}/assessments/{assessmentId}"): ASSESSORS,
    ("PATCH", "/cases/{crn}/assessments/{assessmentId}"): ASSESSORS,
    ("POST", "/cases/{crn}/assessments/{assessmentId}/complete"): ASSESSORS,
    ("GET", "/assessments/catalogues/{version}"): ASSESSORS,
    # Allocation: staff read; managers and admins create teams and practitioners, change them, allocate.
    ("POST", "/allocation/teams"): MANAGERS,
    ("GET", "/allocation/teams"): STAFF,
    ("POST", "/allocation/practitioners"): MANAGERS,
    ("GET", "/allocation/practitioners"): STAFF,
    ("GET", "/allocation/practitioners/{code}"): STAFF,
    ("PATCH", "/allocation/practitioners/{code}"): MANAGERS,
    ("GET", "/allocation/practitioners/{code}/caseload"): STAFF,
    ("GET", "/allocation/teams/{code}/unallocated"): STAFF,
    ("GET", "/cases/{crn}/allocation"): STAFF,
    ("GET", "/cases/{crn}/allocation/recommendations"): STAFF,
    ("POST", "/cases/{crn}/allocation"): MANAGERS,
    # Partner administration: admins only.
    ("POST", "/partner-admin/partners"): ADMINS,
    ("GET", "/partner-admin/partners"): ADMINS,
    # The partner API: partners only (staff have no usage plan key: 403 at the gateway).
    ("GET", "/partner/v1/cases"): PARTNERS,
    ("GET", "/partner/v1/cases/{crn}"): PARTNERS,
    ("POST", "/partner/v1/cases/{crn}/contacts"): PARTNERS,
    ("GET", "/partner/v1/events"): PARTNERS,
    ("GET", "/partner/v1/openapi.json"): PARTNERS,
    ("POST", "/partner/v1/subscriptions"): PARTNERS,
    ("GET", "/partner/v1/subscriptions"): PARTNERS,
    ("GET", "/partner/v1/subscriptions/{subscription_id}"): PARTNERS,
    ("DELETE", "/partner/v1/subscriptions/{subscription_id}"): PARTNERS,
    ("GET", "/partner/v1/subscriptions/{subscription_id}/deliveries"): PARTNERS,
}

ROUTES: dict[tuple[str, str], ApiRoute] = {(r.method, r.path): r for r in Template.load({}).api_routes()}

DENIED_STATUSES = frozenset({401, 403})
THROTTLE_PATIENCE_SECONDS = 30
MATRIX_TEAM = "N54SHF"  # new cases go to a queue the other end-to-end tests do not look at
NEVER_SENT = "probation-matrix.never-sent"  # subscriptions to this get no deliveries at all
WEBHOOK = "https://matrix.invalid/hook"
CONTACT = {"type": "HOME_VISIT", "contactDate": "2026-02-03T14:30:00Z", "outcome": "ATTENDED_COMPLIED"}
CONVICTION: dict[str, Any] = {
    "convictionDate": "2025-10-01",
    "court": "Thames Magistrates' Court",
    "offences": [{"offenceCode": "04600", "offenceDate": "2025-08-01", "main": True}],
    "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-10-01", "lengthMonths": 12},
}


@dataclass(frozen=True)
class Resources:
    """Real things for the path parameters to name, so an allowed caller meets the route's rules."""

    crn: str  # allocated to partner A; every write of this module goes to it
    registration_id: str
    assessment_id: str  # an open draft
    practitioner_code: str
    team_code: str
    partner_a: str
    subscription_id: str  # partner A's, read by the GET routes
    doomed_subscription_id: str  # partner A's, for the DELETE route
    sessions: dict[str, requests.Session]


@dataclass(frozen=True)
class Probe:
    """What a route is sent besides its path: a valid body and query, so the role check is reached."""

    body: Any = None
    query: dict[str, str] = field(default_factory=dict)


# Routes that need more than their path. Writes that would succeed are aimed at this module's own case or
# answered by a rule after the role check (409 for something that exists, 428 for a missing If-Match).
PROBES: dict[tuple[str, str], Callable[[Resources], Probe]] = {
    ("POST", "/cases"): lambda r: Probe(new_case(teamCode=MATRIX_TEAM)),
    ("GET", "/cases"): lambda r: Probe(query={"lastName": "Walsh", "dateOfBirth": "1988-02-29"}),
    ("PATCH", "/cases/{crn}"): lambda r: Probe({"lastName": "Matrix"}),  # no If-Match: 428
    ("POST", "/cases/{crn}/convictions"): lambda r: Probe(CONVICTION),
    ("POST", "/cases/{crn}/sanctions"): lambda r: Probe(
        {"sanctions": [{"sanctionDate": "2012-03-04", "offenceCode": "10500", "outcome": "Fine"}]}
    ),
    ("POST", "/cases/{crn}/contacts"): lambda r: Probe(CONTACT),
    ("POST", "/cases/{crn}/registrations"): lambda r: Probe(
        {"type": "ALSH", "registrationDate": "2025-01-03"}
    ),
    ("DELETE", "/cases/{crn}/registrations/{registrationId}"): lambda r: Probe({"reason": "Matrix check"}),
    ("POST", "/risk/calculate"): lambda r: Probe({"gender": "MALE", "dateOfBirth": "1988-02-29"}),
    ("PATCH", "/cases/{crn}/assessments/{assessmentId}"): lambda r: Probe(
        {"answers": {"3.4": {"value": "1"}}}
    ),
    ("POST", "/allocation/teams"): lambda r: Probe(
        {"code": r.team_code, "name": "Again", "region": "London"}
    ),
    ("POST", "/allocation/practitioners"): lambda r: Probe(
        {"code": r.practitioner_code, "name": "Again", "grade": "PO", "teamCode": r.team_code}
    ),
    ("GET", "/allocation/practitioners"): lambda r: Probe(query={"teamCode": r.team_code}),
    ("PATCH", "/allocation/practitioners/{code}"): lambda r: Probe({"contractedHours": 37.0}),
    ("POST", "/cases/{crn}/allocation"): lambda r: Probe(
        {"partnerId": r.partner_a, "justification": "Matrix check."}
    ),
    ("POST", "/partner-admin/partners"): lambda r: Probe(
        {
            "partnerId": r.partner_a,
            "name": "Again",
            "contactEmail": "ops@crc.example",
            "scopes": list(ALL_SCOPES),
        }
    ),
    ("POST", "/partner/v1/cases/{crn}/contacts"): lambda r: Probe(CONTACT),
    ("POST", "/partner/v1/subscriptions"): lambda r: Probe(
        {"url": WEBHOOK, "eventTypes": [NEVER_SENT], "secret": SECRET}
    ),
}


def path_values(route: ApiRoute, resources: Resources) -> dict[str, str]:
    team_route = route.path.startswith("/allocation/teams/")
    deleting = route.method == "DELETE"
    return {
        "crn": resources.crn,
        "registrationId": resources.registration_id,
        "assessmentId": resources.assessment_id,
        "version": CATALOGUE_VERSION,
        "code": resources.team_code if team_route else resources.practitioner_code,
        "subscription_id": resources.doomed_subscription_id if deleting else resources.subscription_id,
    }


def send(session: requests.Session, url: str, method: str, probe: Probe) -> requests.Response:
    """One request; over a partner's rate (429), wait as Retry-After says and send it again."""
    headers = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else {}
    deadline = time.monotonic() + THROTTLE_PATIENCE_SECONDS
    while True:
        response = session.request(
            method, url, params=probe.query, json=probe.body, headers=headers, timeout=30
        )
        if response.status_code != 429:
            return response
        assert time.monotonic() < deadline, f"{method} {url} is still throttled"
        time.sleep(int(response.headers.get("Retry-After", "1")))


def staff_session(runner: Runner, role: str) -> requests.Session:
    return runner.session(role, subject=f"matrix-{role}")


@pytest.fixture(scope="module")
def resources(runner: Runner) -> Resources:
    partner_a, partner_b = register(runner, "MATRIX-A"), register(runner, "MATRIX-B")
    crn = create_case(runner, teamCode="N07CAM")["crn"]
    allocate(runner, crn, partner_a.partner_id)

    practitioner = staff_session(runner, PRACTITIONER)
    base = f"{runner.base_url}/cases/{crn}"
    registered = practitioner.post(
        f"{base}/registrations", json={"type": "RMDO", "registrationDate": "2025-01-02"}, timeout=10
    )
    assert registered.status_code == 201, registered.text
    draft = practitioner.post(f"{base}/assessments", timeout=10)
    assert draft.status_code == 201, draft.text

    anonymous = requests.Session()
    return Resources(
        crn=crn,
        registration_id=registered.json()["registrationId"],
        assessment_id=draft.json()["assessmentId"],
        practitioner_code="N07P001",
        team_code="N07CAM",
        partner_a=partner_a.partner_id,
        subscription_id=partner_a.subscribe(WEBHOOK, [NEVER_SENT]),
        doomed_subscription_id=partner_a.subscribe(WEBHOOK, [NEVER_SENT]),
        sessions={
            ANONYMOUS: anonymous,
            PRACTITIONER: practitioner,
            MANAGER: staff_session(runner, MANAGER),
            ADMIN: staff_session(runner, ADMIN),
            PARTNER_A: partner_a.session,
            PARTNER_B: partner_b.session,
        },
    )


def test_the_matrix_has_exactly_the_template_routes() -> None:
    missing = sorted(set(ROUTES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not missing, f"routes of template.yaml with no entry in the authorization matrix: {missing}"
    assert not stale, f"matrix entries for routes template.yaml does not have: {stale}"
    assert not set(PROBES) - set(ROUTES), "probes for routes template.yaml does not have"
    for key, allowed in MATRIX.items():
        assert allowed <= EVERYONE, key
        assert (ANONYMOUS in allowed) == (not ROUTES[key].authorized), (
            f"{key}: anonymous callers are allowed exactly where the template sets no authorizer"
        )


@pytest.mark.parametrize("key", sorted(ROUTES), ids=[f"{method} {path}" for method, path in sorted(ROUTES)])
def test_each_principal_gets_the_verdict_of_the_matrix(
    runner: Runner, resources: Resources, key: tuple[str, str]
) -> None:
    if key not in MATRIX:
        pytest.fail(f"{key[0]} {key[1]} has no entry in the authorization matrix")
    route, allowed = ROUTES[key], MATRIX[key]
    url = runner.base_url + route.path.format(**path_values(route, resources))
    probe = PROBES[key](resources) if key in PROBES else Probe()

    wrong = []
    for principal in PRINCIPALS:
        response = send(resources.sessions[principal], url, route.method, probe)
        status = response.status_code
        if principal in allowed:
            expected = "ALLOWED (neither 401 nor 403, nor a 5xx)"
            right = status not in DENIED_STATUSES and status < 500
        elif principal == ANONYMOUS:
            expected = "DENIED (401)"
            right = status == 401
        else:
            expected = "DENIED (401 or 403)"
            right = status in DENIED_STATUSES
        if not right:
            wrong.append(f"{principal}: expected {expected}, got {status} {response.text[:300]}")
    assert not wrong, f"{route.method} {route.path}:\n  " + "\n  ".join(wrong)

"""The authorization matrix: every route of template.yaml, called as each kind of caller, against the
policy written down here. The routes come from the template, so a route added without an entry fails.

The policy is the README's route table and the role checks of each service: staff tokens pass the
authorizer everywhere and each function checks the roles; a partner token opens only the partner routes
its scopes name; a metered ``/partner/v1/*`` route needs a partner's usage plan key.

ALLOWED means the route's documented success status (its one 2xx in openapi.json), never merely "not
refused": a 404, 409, 412, 422 or 428 would hide a role check that was never reached. So every probe is
a request that succeeds for a caller the policy allows: a valid body, an Idempotency-Key, the current
ETag in If-Match, a resource that exists and is the caller's own, and a fresh resource wherever a
probe uses up what it acts on (a draft completed, a registration deregistered, a slot taken). Every
other principal sends the same kind of request and must be DENIED: anonymous callers exactly 401, the
rest 403 (or 401 where the authorizer answers).
"""

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests

from infrastructure.template import ApiRoute, Template
from probation.assessments.catalogue import CURRENT_VERSION as CATALOGUE_VERSION
from probation.assessments.catalogue import load_catalogue
from tests.e2e.conftest import ROOT, Runner, new_case
from tests.e2e.test_local_stack import create_case
from tests.e2e.test_partner_gateway import ALL_SCOPES, SECRET, Partner, allocate, register

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

ANONYMOUS = "anonymous"
PRACTITIONER = "practitioner"
MANAGER = "manager"
ADMIN = "admin"
PARTNER_A = "partner A"
PARTNER_B = "partner B"
CASES_READER = "partner with cases.read only"
EVENTS_READER = "partner with events.read only"
CONTACTS_WRITER = "partner with contacts.write only"

# What each partner's token (and registration) holds: two with every scope, and one for each scope alone,
# so that each partner route shows which scope opens it.
SCOPES_OF: dict[str, tuple[str, ...]] = {
    PARTNER_A: ALL_SCOPES,
    PARTNER_B: ALL_SCOPES,
    CASES_READER: ("cases.read",),
    EVENTS_READER: ("events.read",),
    CONTACTS_WRITER: ("contacts.write",),
}
PRINCIPALS = (ANONYMOUS, PRACTITIONER, MANAGER, ADMIN, *SCOPES_OF)


def holding(scope: str) -> frozenset[str]:
    return frozenset(partner for partner, scopes in SCOPES_OF.items() if scope in scopes)


STAFF = frozenset({PRACTITIONER, MANAGER, ADMIN})
MANAGERS = frozenset({MANAGER, ADMIN})  # allocation's MANAGERS; the case service's AUDIT_READERS
ASSESSORS = frozenset({PRACTITIONER, MANAGER})  # the assessment service's ASSESSORS: not admin
COUNTERSIGNERS = frozenset({MANAGER})  # the sentence plan service's: a manager, never an admin
ADMINS = frozenset({ADMIN})
PARTNERS = frozenset(SCOPES_OF)  # whatever their scopes
CASE_READERS = holding("cases.read")
CONTACT_WRITERS = holding("contacts.write")
EVENT_READERS = holding("events.read")
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
    ("GET", "/allocation/practitioners/{code}/due-to-end"): STAFF,
    ("GET", "/allocation/teams/{code}/due-to-end"): STAFF,
    # Transfers: asked for by a manager or the case's practitioner (the matrix's are neither), withdrawn by
    # the one who asked or a manager, rejected by a manager.
    ("POST", "/cases/{crn}/transfers"): MANAGERS,
    ("GET", "/cases/{crn}/transfers/{transferId}"): STAFF,
    ("POST", "/cases/{crn}/transfers/{transferId}/rejection"): MANAGERS,
    ("POST", "/cases/{crn}/transfers/{transferId}/withdrawal"): MANAGERS,
    # Supervision: any staff role (partners only through their own routes).
    ("POST", "/cases/{crn}/appointments"): STAFF,
    ("GET", "/cases/{crn}/appointments"): STAFF,
    ("GET", "/cases/{crn}/appointments/{appointmentId}"): STAFF,
    ("PUT", "/cases/{crn}/appointments/{appointmentId}/outcome"): STAFF,
    ("POST", "/cases/{crn}/appointments/{appointmentId}/reschedule"): STAFF,
    ("POST", "/cases/{crn}/appointments/{appointmentId}/cancel"): STAFF,
    ("GET", "/cases/{crn}/compliance"): STAFF,
    ("POST", "/cases/{crn}/breaches"): STAFF,
    ("POST", "/cases/{crn}/breaches/{breachId}/end"): STAFF,
    ("GET", "/cases/{crn}/requirements"): STAFF,
    ("POST", "/cases/{crn}/requirements/{requirementId}/adjustments"): STAFF,
    # Endings: a manager, or the case's practitioner (the matrix's practitioner holds none).
    ("POST", "/cases/{crn}/convictions/{convictionNumber}/termination"): MANAGERS,
    ("POST", "/cases/{crn}/requirements/{requirementId}/termination"): MANAGERS,
    ("GET", "/supervision/practitioners/{code}/diary"): STAFF,
    ("GET", "/supervision/teams/{code}/diary"): STAFF,
    ("GET", "/supervision/practitioners/{code}/due"): STAFF,
    ("GET", "/supervision/teams/{code}/due"): STAFF,
    # Sentence plans: practitioners and managers, as for the assessments they come from; only a manager
    # countersigns or rejects.
    ("POST", "/cases/{crn}/sentence-plans"): ASSESSORS,
    ("GET", "/cases/{crn}/sentence-plans"): ASSESSORS,
    ("GET", "/cases/{crn}/sentence-plans/{planId}"): ASSESSORS,
    ("GET", "/cases/{crn}/sentence-plans/{planId}/versions/{planVersion}"): ASSESSORS,
    ("POST", "/cases/{crn}/sentence-plans/{planId}/goals"): ASSESSORS,
    ("PATCH", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}"): ASSESSORS,
    ("PUT", "/cases/{crn}/sentence-plans/{planId}/goal-order"): ASSESSORS,
    ("POST", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/steps"): ASSESSORS,
    ("PATCH", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/steps/{stepId}"): ASSESSORS,
    ("PUT", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/step-order"): ASSESSORS,
    ("POST", "/cases/{crn}/sentence-plans/{planId}/agreement"): ASSESSORS,
    ("POST", "/cases/{crn}/sentence-plans/{planId}/countersignature"): COUNTERSIGNERS,
    ("POST", "/cases/{crn}/sentence-plans/{planId}/rejection"): COUNTERSIGNERS,
    ("POST", "/cases/{crn}/sentence-plans/{planId}/reviews"): ASSESSORS,
    ("GET", "/sentence-plans/practitioners/{code}/reviews-due"): ASSESSORS,
    # Partner administration: admins only.
    ("POST", "/partner-admin/partners"): ADMINS,
    ("GET", "/partner-admin/partners"): ADMINS,
    # The partner API: partners only, each route for the scope the README names (staff have no usage
    # plan key: 403 at the gateway). The partner API's own contract needs no scope.
    ("GET", "/partner/v1/cases"): CASE_READERS,
    ("GET", "/partner/v1/cases/{crn}"): CASE_READERS,
    ("POST", "/partner/v1/cases/{crn}/contacts"): CONTACT_WRITERS,
    ("POST", "/partner/v1/cases/{crn}/appointments"): CONTACT_WRITERS,
    ("GET", "/partner/v1/cases/{crn}/appointments/{appointmentId}"): CASE_READERS,
    ("PUT", "/partner/v1/cases/{crn}/appointments/{appointmentId}/outcome"): CONTACT_WRITERS,
    ("GET", "/partner/v1/cases/{crn}/sentence-plans"): CASE_READERS,
    ("GET", "/partner/v1/cases/{crn}/sentence-plans/{planId}"): CASE_READERS,
    ("PUT", "/partner/v1/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/steps/{stepId}/progress"): (
        CONTACT_WRITERS
    ),
    ("GET", "/partner/v1/events"): EVENT_READERS,
    ("GET", "/partner/v1/openapi.json"): PARTNERS,
    ("POST", "/partner/v1/subscriptions"): EVENT_READERS,
    ("GET", "/partner/v1/subscriptions"): EVENT_READERS,
    ("GET", "/partner/v1/subscriptions/{subscription_id}"): EVENT_READERS,
    ("DELETE", "/partner/v1/subscriptions/{subscription_id}"): EVENT_READERS,
    ("GET", "/partner/v1/subscriptions/{subscription_id}/deliveries"): EVENT_READERS,
}

ROUTES: dict[tuple[str, str], ApiRoute] = {(r.method, r.path): r for r in Template.load({}).api_routes()}
DOCUMENTED: dict[str, Any] = json.loads((ROOT / "openapi.json").read_text())["paths"]

DENIED_STATUSES = frozenset({401, 403})
THROTTLE_PATIENCE_SECONDS = 30
STALE_RETRIES = 5  # events may change what an ETag names between its read and the write
PARTNER_API = "/partner/v1/"
MATRIX_TEAM = "N54SHF"  # new cases go to a queue the other end-to-end tests do not look at
NEVER_SENT = "probation-matrix.never-sent"  # subscriptions to this get no deliveries at all
WEBHOOK = "https://matrix.invalid/hook"
CONTACT = {"type": "HOME_VISIT", "contactDate": "2026-02-03T14:30:00Z", "outcome": "ATTENDED_COMPLIED"}
REGISTRATION = {"type": "ALSH", "registrationDate": "2025-01-03"}  # a second active one would be 409
CONVICTION: dict[str, Any] = {
    "convictionDate": "2025-10-01",
    "court": "Thames Magistrates' Court",
    "offences": [{"offenceCode": "04600", "offenceDate": "2025-08-01", "main": True}],
    "sentence": {"type": "COMMUNITY", "sentenceDate": "2025-10-01", "lengthMonths": 12},
}
# Within the conviction's sentence (2025-10-01 for 12 months), which has started: retrospective.
APPOINTMENT = {
    "type": "OFFICE_APPOINTMENT",
    "start": "2026-02-03T10:00:00Z",
    "end": "2026-02-03T11:00:00Z",
    "allowClash": True,
}
UPW_CONVICTION: dict[str, Any] = {
    **CONVICTION,
    "sentence": {
        **CONVICTION["sentence"],
        "requirements": [{"type": "UNPAID_WORK", "length": 40, "lengthUnit": "HOURS"}],
    },
}
ENDED = {"date": "2026-02-01", "reason": "COMPLETED"}  # within the conviction's sentence, and past
TRANSFER = {"teamCode": "N07CAM", "reason": "Matrix check"}  # a demo team: not the matrix's own
APPOINTMENT_PATH = "/cases/{crn}/appointments/{appointmentId}"
CASE_PATH = "/cases/{crn}"
ASSESSMENT_PATH = "/cases/{crn}/assessments/{assessmentId}"
PLAN_PATH = "/cases/{crn}/sentence-plans/{planId}"
# A goal in no area (each plan has one of those at least) with a step for a partnership agency, so that a
# partner may record its progress.
PLAN_GOAL: dict[str, Any] = {
    "title": "Matrix goal",
    "targetMonths": 6,
    "steps": [{"description": "Matrix step", "actor": "PARTNERSHIP_AGENCY"}],
}
PLAN_STEP = {"description": "Matrix step", "actor": "PERSON_ON_PROBATION"}


def until_written(
    send: Callable[[str], requests.Response], read_etag: Callable[[], str]
) -> requests.Response:
    """A conditional write sent again with the current ETag while events change what it names meanwhile."""
    for _ in range(STALE_RETRIES):
        response = send(read_etag())
        if response.status_code != 412:
            return response
    return response


def completed_assessment(runner: Runner, session: requests.Session, crn: str) -> None:
    """A completed assessment of ``crn``: every answer completion needs, the last option each time."""
    base = f"{runner.base_url}{CASE_PATH.format(crn=crn)}/assessments"
    draft = created(session, base)
    path = f"{base}/{draft['assessmentId']}"
    catalogue = load_catalogue()
    answers = {
        code: {"value": catalogue.questions[code].options[-1].code}
        for code in catalogue.required_for_completion()
    }

    def etag() -> str:
        return str(session.get(path, timeout=30).headers["ETag"])

    for send in (
        lambda tag: session.patch(path, json={"answers": answers}, headers={"If-Match": tag}, timeout=30),
        lambda tag: session.post(f"{path}/complete", headers={"If-Match": tag}, timeout=30),
    ):
        done = until_written(send, etag)
        assert done.status_code == 200, f"setting up: assessment of {crn}: {done.status_code} {done.text}"


def planned(
    runner: Runner, session: requests.Session, crn: str, agreed_by: requests.Session | None = None
) -> dict[str, str]:
    """A plan of ``crn`` (which has a completed assessment) with a goal and its step; agreed by ``agreed_by``
    when one is given."""
    plan = created(session, f"{runner.base_url}/cases/{crn}/sentence-plans")
    path = runner.base_url + PLAN_PATH.format(crn=crn, planId=plan["id"])

    def etag() -> str:
        return str(session.get(path, timeout=30).headers["ETag"])

    with_goal = until_written(
        lambda tag: session.post(f"{path}/goals", json=PLAN_GOAL, headers={"If-Match": tag}, timeout=30), etag
    )
    assert with_goal.status_code == 201, f"setting up: a goal: {with_goal.text}"
    goal = with_goal.json()["goals"][0]
    if agreed_by is not None:
        agreement = until_written(
            lambda tag: agreed_by.post(
                f"{path}/agreement", json={"status": "AGREED"}, headers={"If-Match": tag}, timeout=30
            ),
            etag,
        )
        assert agreement.status_code == 200, f"setting up: the agreement: {agreement.text}"
    return {"crn": crn, "planId": plan["id"], "goalId": goal["id"], "stepId": goal["steps"][0]["id"]}


def documented_successes(key: tuple[str, str]) -> list[int]:
    method, path = key
    return [int(status) for status in DOCUMENTED[path][method.lower()]["responses"] if status.startswith("2")]


def created(session: requests.Session, url: str, body: Any = None) -> dict[str, Any]:
    """What a POST of the setting up made; anything but 201 stops the test there."""
    response = session.post(url, json=body, headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert response.status_code == 201, f"setting up: POST {url}: {response.status_code} {response.text}"
    answer: dict[str, Any] = response.json()
    return answer


def fresh_code(prefix: str) -> str:
    """A team or staff code no one has used: both are 3 to 10 capitals and digits."""
    return prefix + uuid.uuid4().hex[:8].upper()


@dataclass(frozen=True)
class Caller:
    name: str
    session: requests.Session
    crn: str  # its own case on the partner routes: the one allocated to it
    partner: Partner | None = None


@dataclass(frozen=True)
class World:
    """What the probes act on, and a practitioner to set up fresh resources and read current ETags."""

    runner: Runner
    setup: requests.Session
    manager: requests.Session  # asks for the transfers the probes act on
    pso: requests.Session  # a PSO, whose agreed plans wait for a countersignature
    crn: str  # the matrix case: convicted, with an open draft, allocated to partner A
    assessment_id: str  # the open draft
    practitioner_code: str  # the matrix's own, in MATRIX_TEAM
    partner_a: str
    callers: dict[str, Caller]
    subscriptions: dict[str, str]  # each subscriber's standing subscription; partner A's for the others
    plans: dict[str, dict[str, str]]  # each case's standing draft plan (partners' own cases and the matrix's)

    def url(self, path: str) -> str:
        return self.runner.base_url + path

    def created(self, path: str, body: Any = None) -> dict[str, Any]:
        return created(self.setup, self.url(path), body)

    def etag(self, path: str) -> str:
        response = self.setup.get(self.url(path), timeout=30)
        assert response.status_code == 200, (
            f"reading the ETag of {path}: {response.status_code} {response.text}"
        )
        return response.headers["ETag"]

    def fresh_case(self) -> dict[str, str]:
        crn: str = self.created("/cases", new_case(teamCode=MATRIX_TEAM))["crn"]
        return {"crn": crn}

    def fresh_queued_case(self) -> dict[str, str]:
        """A new case once its allocation record is there (the queue joins it from the case's event)."""
        case = self.fresh_case()
        path = CASE_PATH.format(**case) + "/allocation"
        deadline = time.monotonic() + THROTTLE_PATIENCE_SECONDS
        while self.setup.get(self.url(path), timeout=30).status_code != 200:
            assert time.monotonic() < deadline, f"setting up: {path} never appeared"
            time.sleep(0.1)
        return case

    def fresh_transfer(self) -> dict[str, str]:
        case = self.fresh_queued_case()
        transfer = created(self.manager, self.url(CASE_PATH.format(**case) + "/transfers"), TRANSFER)
        return case | {"transferId": transfer["id"]}

    def fresh_registration(self) -> dict[str, str]:
        case = self.fresh_case()
        registration = self.created(CASE_PATH.format(**case) + "/registrations", REGISTRATION)
        return case | {"registrationId": registration["registrationId"]}

    def fresh_draft(self) -> dict[str, str]:
        """A new case's draft: no event of the case's own ever refreshes it."""
        case = self.fresh_case()
        draft = self.created(CASE_PATH.format(**case) + "/assessments")
        return case | {"assessmentId": draft["assessmentId"]}

    def fresh_completable_draft(self) -> dict[str, str]:
        """A new case's draft with every answer completion needs."""
        values = self.fresh_draft()
        catalogue = load_catalogue()
        answers = {
            code: {"value": catalogue.questions[code].options[-1].code}
            for code in catalogue.required_for_completion()
        }
        path = ASSESSMENT_PATH.format(**values)
        answered = self.setup.patch(
            self.url(path), json={"answers": answers}, headers={"If-Match": self.etag(path)}, timeout=30
        )
        assert answered.status_code == 200, f"setting up: PATCH {path}: {answered.text}"
        return values

    def fresh_appointment(self, crn: str) -> dict[str, str]:
        """A new appointment (past, without an outcome) on ``crn``, which is convicted."""
        made = self.created(CASE_PATH.format(crn=crn) + "/appointments", APPOINTMENT)
        return {"crn": crn, "appointmentId": made["id"]}

    def fresh_convicted_case(self, conviction: dict[str, Any] = CONVICTION) -> dict[str, str]:
        case = self.fresh_case()
        self.created(CASE_PATH.format(**case) + "/convictions", conviction)
        return case

    def fresh_breach(self) -> dict[str, str]:
        case = self.fresh_convicted_case()
        breach = self.created(CASE_PATH.format(**case) + "/breaches", {"startedOn": "2026-01-05"})
        return case | {"breachId": breach["id"]}

    def fresh_assessed_case(self) -> dict[str, str]:
        case = self.fresh_case()
        completed_assessment(self.runner, self.setup, case["crn"])
        return case

    def fresh_plan(
        self, caller: Caller, key: tuple[str, str], agreed_by: requests.Session | None = None
    ) -> dict[str, str]:
        """A new plan for a caller the route allows (a draft, or agreed by ``agreed_by``); the standing one
        for the others, who are refused before it is read."""
        if caller.name not in MATRIX[key]:
            return self.plans[self.crn]
        return planned(self.runner, self.setup, self.fresh_assessed_case()["crn"], agreed_by)

    def plan_ids(self, crn: str, what: str) -> list[str]:
        """The ids of the standing plan's goals (or its first goal's steps), in their order now."""
        plan = self.setup.get(self.url(PLAN_PATH.format(**self.plans[crn])), timeout=30).json()
        if what == "goals":
            return [goal["id"] for goal in plan["goals"]]
        return [step["id"] for step in plan["goals"][0]["steps"]]

    def subscription_to_delete(self, caller: Caller) -> dict[str, str]:
        """A new subscription of the caller's own; for a caller that cannot subscribe, partner A's standing
        one (a caller the policy lets delete it would get 404, never the 403 expected)."""
        if caller.partner is not None and caller.name in EVENT_READERS:
            return {"subscription_id": caller.partner.subscribe(WEBHOOK, [NEVER_SENT])}
        return {"subscription_id": self.subscriptions[caller.name]}


@dataclass(frozen=True)
class Probe:
    """What a route is sent besides its caller's path values, so that it succeeds where it is allowed."""

    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    path: dict[str, str] = field(default_factory=dict)  # a fresh resource's, over the caller's own
    if_match: str | None = None  # the path whose current ETag goes in If-Match


# Routes that need more than the caller's own resources: a body, a query, the current ETag, or a fresh
# resource where the probe uses up what it acts on. Each is built just before its caller sends it.
PROBES: dict[tuple[str, str], Callable[[World, Caller], Probe]] = {
    ("POST", "/cases"): lambda w, c: Probe(new_case(teamCode=MATRIX_TEAM)),
    ("GET", "/cases"): lambda w, c: Probe(query={"lastName": "Walsh", "dateOfBirth": "1988-02-29"}),
    ("PATCH", "/cases/{crn}"): lambda w, c: Probe({"lastName": "Matrix"}, if_match=CASE_PATH),
    ("POST", "/cases/{crn}/convictions"): lambda w, c: Probe(CONVICTION),
    ("POST", "/cases/{crn}/sanctions"): lambda w, c: Probe(
        {"sanctions": [{"sanctionDate": "2012-03-04", "offenceCode": "10500", "outcome": "Fine"}]}
    ),
    ("POST", "/cases/{crn}/contacts"): lambda w, c: Probe(CONTACT),
    ("POST", "/cases/{crn}/registrations"): lambda w, c: Probe(REGISTRATION, path=w.fresh_case()),
    ("DELETE", "/cases/{crn}/registrations/{registrationId}"): lambda w, c: Probe(
        {"reason": "Matrix check"}, path=w.fresh_registration()
    ),
    ("POST", "/risk/calculate"): lambda w, c: Probe({"gender": "MALE", "dateOfBirth": "1988-02-29"}),
    ("POST", "/cases/{crn}/assessments"): lambda w, c: Probe(path=w.fresh_case()),
    # A fresh draft of its own: the matrix case's draft is refreshed by the assessments service whenever
    # another probe's event (a risk score, a registration) reaches it, which would make its ETag stale.
    ("PATCH", "/cases/{crn}/assessments/{assessmentId}"): lambda w, c: Probe(
        {"answers": {"3.4": {"value": "1"}}}, path=w.fresh_draft(), if_match=ASSESSMENT_PATH
    ),
    ("POST", "/cases/{crn}/assessments/{assessmentId}/complete"): lambda w, c: Probe(
        path=w.fresh_completable_draft(), if_match=ASSESSMENT_PATH
    ),
    ("POST", "/allocation/teams"): lambda w, c: Probe(
        {"code": fresh_code("MT"), "name": "Matrix", "region": "London"}
    ),
    ("POST", "/allocation/practitioners"): lambda w, c: Probe(
        {"code": fresh_code("MP"), "name": "Matrix", "grade": "PO", "teamCode": MATRIX_TEAM}
    ),
    ("GET", "/allocation/practitioners"): lambda w, c: Probe(query={"teamCode": MATRIX_TEAM}),
    ("PATCH", "/allocation/practitioners/{code}"): lambda w, c: Probe(
        {"contractedHours": 37.0}, if_match="/allocation/practitioners/{code}"
    ),
    # Reallocated to the partner that holds it already, so that partner A's case stays its own.
    ("POST", "/cases/{crn}/allocation"): lambda w, c: Probe(
        {"partnerId": w.partner_a, "justification": "Matrix check."},
        if_match="/cases/{crn}/allocation",
    ),
    ("POST", "/partner-admin/partners"): lambda w, c: Probe(
        {
            "partnerId": f"MATRIX-NEW-{uuid.uuid4().hex[:8]}",
            "name": "Matrix",
            "contactEmail": "ops@crc.example",
            "scopes": ["cases.read"],
        }
    ),
    ("POST", "/partner/v1/cases/{crn}/contacts"): lambda w, c: Probe(CONTACT),
    ("POST", "/cases/{crn}/appointments"): lambda w, c: Probe(APPOINTMENT),
    ("GET", "/cases/{crn}/appointments/{appointmentId}"): lambda w, c: Probe(path=w.fresh_appointment(w.crn)),
    ("PUT", "/cases/{crn}/appointments/{appointmentId}/outcome"): lambda w, c: Probe(
        {"outcome": "ATTC"}, path=w.fresh_appointment(w.crn), if_match=APPOINTMENT_PATH
    ),
    ("POST", "/cases/{crn}/appointments/{appointmentId}/reschedule"): lambda w, c: Probe(
        {
            "start": "2026-02-10T10:00:00Z",
            "end": "2026-02-10T11:00:00Z",
            "reason": "RSSR",
            "allowClash": True,
        },
        path=w.fresh_appointment(w.crn),
        if_match=APPOINTMENT_PATH,
    ),
    ("POST", "/cases/{crn}/appointments/{appointmentId}/cancel"): lambda w, c: Probe(
        {"reason": "Matrix check"}, path=w.fresh_appointment(w.crn), if_match=APPOINTMENT_PATH
    ),
    ("POST", "/cases/{crn}/breaches"): lambda w, c: Probe(
        {"startedOn": "2026-01-05"}, path=w.fresh_convicted_case()
    ),
    ("POST", "/cases/{crn}/breaches/{breachId}/end"): lambda w, c: Probe(
        {"endedOn": "2026-02-01", "outcome": "WITHDRAWN"}, path=w.fresh_breach()
    ),
    ("POST", "/cases/{crn}/requirements/{requirementId}/adjustments"): lambda w, c: Probe(
        {"minutes": 60, "reason": "Matrix check"},
        path=w.fresh_convicted_case(UPW_CONVICTION) | {"requirementId": "1-1"},
    ),
    ("POST", "/cases/{crn}/convictions/{convictionNumber}/termination"): lambda w, c: Probe(
        ENDED, path=w.fresh_convicted_case() | {"convictionNumber": "1"}
    ),
    ("POST", "/cases/{crn}/requirements/{requirementId}/termination"): lambda w, c: Probe(
        ENDED, path=w.fresh_convicted_case(UPW_CONVICTION) | {"requirementId": "1-1"}
    ),
    ("POST", "/cases/{crn}/transfers"): lambda w, c: Probe(TRANSFER, path=w.fresh_queued_case()),
    ("GET", "/cases/{crn}/transfers/{transferId}"): lambda w, c: Probe(path=w.fresh_transfer()),
    ("POST", "/cases/{crn}/transfers/{transferId}/rejection"): lambda w, c: Probe(
        {"reason": "Matrix check"}, path=w.fresh_transfer()
    ),
    ("POST", "/cases/{crn}/transfers/{transferId}/withdrawal"): lambda w, c: Probe(path=w.fresh_transfer()),
    ("GET", "/supervision/practitioners/{code}/due"): lambda w, c: Probe(query={"list": "OUTCOMES"}),
    ("GET", "/supervision/teams/{code}/due"): lambda w, c: Probe(query={"list": "OUTCOMES"}),
    ("POST", "/partner/v1/cases/{crn}/appointments"): lambda w, c: Probe(APPOINTMENT),
    ("GET", "/partner/v1/cases/{crn}/appointments/{appointmentId}"): lambda w, c: Probe(
        path=w.fresh_appointment(c.crn)
    ),
    ("PUT", "/partner/v1/cases/{crn}/appointments/{appointmentId}/outcome"): lambda w, c: Probe(
        {"outcome": "ATTC"}, path=w.fresh_appointment(c.crn), if_match=APPOINTMENT_PATH
    ),
    ("POST", "/cases/{crn}/sentence-plans"): lambda w, c: Probe(
        path=w.fresh_assessed_case() if c.name in ASSESSORS else {"crn": w.crn}
    ),
    ("POST", "/cases/{crn}/sentence-plans/{planId}/goals"): lambda w, c: Probe(PLAN_GOAL, if_match=PLAN_PATH),
    ("PATCH", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}"): lambda w, c: Probe(
        {"title": "Matrix goal, renamed"}, if_match=PLAN_PATH
    ),
    ("PUT", "/cases/{crn}/sentence-plans/{planId}/goal-order"): lambda w, c: Probe(
        {"goalIds": w.plan_ids(w.crn, "goals")}, if_match=PLAN_PATH
    ),
    ("POST", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/steps"): lambda w, c: Probe(
        PLAN_STEP, if_match=PLAN_PATH
    ),
    ("PATCH", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/steps/{stepId}"): lambda w, c: Probe(
        {"status": "IN_PROGRESS"}, if_match=PLAN_PATH
    ),
    ("PUT", "/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/step-order"): lambda w, c: Probe(
        {"stepIds": w.plan_ids(w.crn, "steps")}, if_match=PLAN_PATH
    ),
    ("POST", "/cases/{crn}/sentence-plans/{planId}/agreement"): lambda w, c: Probe(
        {"status": "AGREED"},
        path=w.fresh_plan(c, ("POST", "/cases/{crn}/sentence-plans/{planId}/agreement")),
        if_match=PLAN_PATH,
    ),
    ("POST", "/cases/{crn}/sentence-plans/{planId}/countersignature"): lambda w, c: Probe(
        {},
        path=w.fresh_plan(c, ("POST", "/cases/{crn}/sentence-plans/{planId}/countersignature"), w.pso),
        if_match=PLAN_PATH,
    ),
    ("POST", "/cases/{crn}/sentence-plans/{planId}/rejection"): lambda w, c: Probe(
        {"reason": "Matrix check"},
        path=w.fresh_plan(c, ("POST", "/cases/{crn}/sentence-plans/{planId}/rejection"), w.pso),
        if_match=PLAN_PATH,
    ),
    ("POST", "/cases/{crn}/sentence-plans/{planId}/reviews"): lambda w, c: Probe(
        {"type": "REVIEW"},
        path=w.fresh_plan(c, ("POST", "/cases/{crn}/sentence-plans/{planId}/reviews"), w.setup),
        if_match=PLAN_PATH,
    ),
    ("PUT", "/partner/v1/cases/{crn}/sentence-plans/{planId}/goals/{goalId}/steps/{stepId}/progress"): (
        lambda w, c: Probe({"status": "IN_PROGRESS"}, if_match=PLAN_PATH)
    ),
    ("POST", "/partner/v1/subscriptions"): lambda w, c: Probe(
        {"url": WEBHOOK, "eventTypes": [NEVER_SENT], "secret": SECRET}
    ),
    ("DELETE", "/partner/v1/subscriptions/{subscription_id}"): lambda w, c: Probe(
        path=w.subscription_to_delete(c)
    ),
}


def path_values(route: ApiRoute, world: World, caller: Caller) -> dict[str, str]:
    """The caller's own resources: on the partner routes its own case, elsewhere the matrix case."""
    crn = caller.crn if route.path.startswith(PARTNER_API) else world.crn
    return {
        **world.plans[crn],
        "planVersion": "1",
        "crn": crn,
        "assessmentId": world.assessment_id,
        "version": CATALOGUE_VERSION,
        "code": MATRIX_TEAM if "/teams/" in route.path else world.practitioner_code,
        "subscription_id": world.subscriptions[caller.name],
    }


def send(
    world: World,
    caller: Caller,
    route: ApiRoute,
    probe: Probe,
    *,
    idempotency_key: str | None = None,
    if_match: str | None = None,
) -> requests.Response:
    """One request, with If-Match read just before it (or ``if_match``, read already). Over a partner's
    rate (429) it waits as Retry-After says; on a 412 (the resource changed by an event since its ETag was
    read) it reads it again. A POST carries ``idempotency_key``, or a new key each time."""
    values = path_values(route, world, caller) | probe.path
    url = world.url(route.path.format(**values))
    deadline = time.monotonic() + THROTTLE_PATIENCE_SECONDS
    stale_retries = STALE_RETRIES
    while True:
        headers = {"Idempotency-Key": idempotency_key or uuid.uuid4().hex} if route.method == "POST" else {}
        if probe.if_match:
            headers["If-Match"] = if_match or world.etag(probe.if_match.format(**values))
        response = caller.session.request(
            route.method, url, params=probe.query, json=probe.body, headers=headers, timeout=30
        )
        if response.status_code == 429:
            assert time.monotonic() < deadline, f"{route.method} {url} is still throttled"
            time.sleep(int(response.headers.get("Retry-After", "1")))
        elif response.status_code == 412 and probe.if_match and stale_retries:
            stale_retries -= 1
        else:
            return response


@pytest.fixture(scope="module")
def world(runner: Runner) -> World:
    partners = {name: register(runner, "MATRIX", scopes) for name, scopes in SCOPES_OF.items()}
    setup = runner.session(PRACTITIONER, subject="matrix-setup")
    crn = create_case(runner, teamCode=MATRIX_TEAM)["crn"]
    own_cases = {PARTNER_A: crn} | {
        name: create_case(runner, teamCode=MATRIX_TEAM)["crn"] for name in partners if name != PARTNER_A
    }
    for name, partner in partners.items():
        allocate(runner, own_cases[name], partner.partner_id)

    base = f"{runner.base_url}/cases/{crn}"
    created(setup, f"{base}/convictions", CONVICTION)  # so that it can be scored
    for name, own in own_cases.items():  # so that appointments can be arranged on each partner's case
        if name != PARTNER_A:
            created(setup, f"{runner.base_url}/cases/{own}/convictions", CONVICTION)
    # Each case a completed assessment and a standing draft plan, before the matrix case's open draft.
    plans = {}
    for own in own_cases.values():
        completed_assessment(runner, setup, own)
        plans[own] = planned(runner, setup, own)
    draft = created(setup, f"{base}/assessments")
    practitioner = {"code": fresh_code("MP"), "name": "Matrix", "grade": "PO", "teamCode": MATRIX_TEAM}
    manager = runner.session(MANAGER, subject="matrix-setup")
    created(manager, f"{runner.base_url}/allocation/practitioners", practitioner)
    pso = {"code": fresh_code("MS"), "name": "Matrix PSO", "grade": "PSO", "teamCode": MATRIX_TEAM}
    created(manager, f"{runner.base_url}/allocation/practitioners", pso)

    standing = {
        name: p.subscribe(WEBHOOK, [NEVER_SENT]) for name, p in partners.items() if name in EVENT_READERS
    }
    callers = {
        ANONYMOUS: Caller(ANONYMOUS, requests.Session(), crn),
        **{role: Caller(role, runner.session(role, subject=f"matrix-{role}"), crn) for role in STAFF},
        **{name: Caller(name, p.session, own_cases[name], p) for name, p in partners.items()},
    }
    return World(
        runner=runner,
        setup=setup,
        manager=manager,
        pso=runner.session(PRACTITIONER, subject=pso["code"]),
        crn=crn,
        assessment_id=draft["assessmentId"],
        practitioner_code=practitioner["code"],
        partner_a=partners[PARTNER_A].partner_id,
        callers=callers,
        subscriptions={name: standing.get(name, standing[PARTNER_A]) for name in PRINCIPALS},
        plans=plans,
    )


def test_the_matrix_has_exactly_the_template_routes() -> None:
    missing = sorted(set(ROUTES) - set(MATRIX))
    stale = sorted(set(MATRIX) - set(ROUTES))
    assert not missing, f"routes of template.yaml with no entry in the authorization matrix: {missing}"
    assert not stale, f"matrix entries for routes template.yaml does not have: {stale}"
    assert not set(PROBES) - set(ROUTES), "probes for routes template.yaml does not have"
    for key, allowed in MATRIX.items():
        assert allowed, f"{key}: nobody may use it"
        assert allowed <= EVERYONE, key
        assert (ANONYMOUS in allowed) == (not ROUTES[key].authorized), (
            f"{key}: anonymous callers are allowed exactly where the template sets no authorizer"
        )
        assert len(documented_successes(key)) == 1, f"{key}: openapi.json documents no single success status"
    for scope in ALL_SCOPES:
        assert any(allowed & PARTNERS == holding(scope) for allowed in MATRIX.values()), (
            f"no partner route is opened by {scope} alone"
        )


@pytest.mark.parametrize("key", sorted(ROUTES), ids=[f"{method} {path}" for method, path in sorted(ROUTES)])
def test_each_principal_gets_the_verdict_of_the_matrix(world: World, key: tuple[str, str]) -> None:
    if key not in MATRIX:
        pytest.fail(f"{key[0]} {key[1]} has no entry in the authorization matrix")
    route, allowed = ROUTES[key], MATRIX[key]
    [success] = documented_successes(key)

    wrong = []
    for principal in PRINCIPALS:
        caller = world.callers[principal]
        probe = PROBES[key](world, caller) if key in PROBES else Probe()
        response = send(world, caller, route, probe)
        status = response.status_code
        if principal in allowed:
            expected = f"ALLOWED ({success}, as openapi.json documents)"
            right = status == success
        elif principal == ANONYMOUS:
            expected = "DENIED (401)"
            right = status == 401
        else:
            expected = "DENIED (401 or 403)"
            right = status in DENIED_STATUSES
        if not right:
            wrong.append(f"{principal}: expected {expected}, got {status} {response.text[:300]}")
    assert not wrong, f"{route.method} {route.path}:\n  " + "\n  ".join(wrong)


# ------------------------------------------------------------------ every write path under faults

WRITES = sorted(key for key in ROUTES if key[0] != "GET")
WRITES_NOTHING = {("POST", "/risk/calculate")}  # a calculation: no store is touched
# One item written with its condition, no transaction: TransactionConflict (which cancels transactions
# only) leaves them be, while throttling refuses them as any other write.
SINGLE_ITEM_WRITES = {
    ("POST", "/allocation/teams"),
    ("POST", "/allocation/practitioners"),
    ("PATCH", "/allocation/practitioners/{code}"),
}
TRANSACTION_CONFLICT = "TransactionConflict=1"
FAULTS = (TRANSACTION_CONFLICT, "Throttling=1", "RequestLimitExceeded=1")


def set_faults(world: World, setting: str) -> None:
    changed = requests.post(f"{world.runner.aws_endpoint}/_local/faults", data=setting, timeout=10)
    assert changed.status_code == 200, changed.text


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("key", WRITES, ids=[f"{method} {path}" for method, path in WRITES])
def test_every_write_under_a_busy_store_is_503_then_succeeds_when_sent_again(
    world: World, key: tuple[str, str], fault: str
) -> None:
    """The store refuses every write (the stand-in's injected fault): the answer is 503 with Retry-After,
    never a 500; the same request sent again (same Idempotency-Key) once the store is well succeeds."""
    route = ROUTES[key]
    caller = world.callers[sorted(MATRIX[key] - {ANONYMOUS})[0]]
    probe = PROBES[key](world, caller) if key in PROBES else Probe()
    [success] = documented_successes(key)
    key_header = uuid.uuid4().hex
    values = path_values(route, world, caller) | probe.path
    # Read before the store turns busy: a read is written to the access log, so it would be refused too.
    current = world.etag(probe.if_match.format(**values)) if probe.if_match else None
    set_faults(world, fault)
    try:
        refused = send(world, caller, route, probe, idempotency_key=key_header, if_match=current)
    finally:
        set_faults(world, "")
    if key in WRITES_NOTHING or (key in SINGLE_ITEM_WRITES and fault == TRANSACTION_CONFLICT):
        assert refused.status_code == success, refused.text
        return
    assert refused.status_code == 503, f"{route.method} {route.path} under {fault}: {refused.text[:300]}"
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert int(refused.headers["Retry-After"]) >= 1

    again = send(world, caller, route, probe, idempotency_key=key_header)
    assert again.status_code == success, f"sent again: {again.status_code} {again.text[:300]}"
    assert again.headers.get("Idempotent-Replayed") is None, "the refused attempt left nothing to replay"

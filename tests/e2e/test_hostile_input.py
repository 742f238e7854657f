"""Beside the fuzzer, what a hostile client tried and once got through, kept as tests so that the next such
hole shows up: a body nested thousands deep (a 500, from the parser's recursion) or larger than any request
needs, and a team code that names no team (a case in no team's queue, so supervised by no one). Each is
sent over HTTP to the local runner, through its gateway and authorizer, to every function and the partner
API."""

import json
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

from infrastructure.openapi import CONTRACT
from probation.api.http import MAX_BODY_BYTES
from tests.e2e.conftest import Runner
from tests.e2e.test_local_stack import create_case, eventually
from tests.e2e.test_partner_gateway import register

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]

PATHS: dict[str, Any] = json.loads(CONTRACT.read_text())["paths"]
SCHEMAS: dict[str, Any] = json.loads(CONTRACT.read_text())["components"]["schemas"]
PARTNER_API = "/partner/v1/"
NO_TEAM = "NOTEAM99"  # a team code in the right form that no team has
PROBLEM_JSON = "application/problem+json"


def send(session: requests.Session, method: str, url: str, **request: Any) -> requests.Response:
    """Over a partner's rate, wait as Retry-After says and send again."""
    while (response := session.request(method, url, timeout=30, **request)).status_code == 429:
        time.sleep(int(response.headers["Retry-After"]))
    return response


def test_a_body_too_deep_or_too_large_is_a_problem_for_every_operation_that_takes_one(runner: Runner) -> None:
    staff = runner.session("practitioner", "manager", "admin")
    partner = register(runner, "CRC-HOSTILE").session
    too_deep = "[" * 5000 + "]" * 5000
    too_large = json.dumps({"notes": "x" * MAX_BODY_BYTES})
    wrong = []
    for path, item in PATHS.items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            session = partner if path.startswith(PARTNER_API) else staff
            url = runner.base_url + re.sub(r"\{[^}]+\}", "X123456", path)
            headers = {"Content-Type": "application/json"}
            deep = send(session, method.upper(), url, data=too_deep, headers=headers)
            large = send(session, method.upper(), url, data=too_large, headers=headers)
            answers = [(r.status_code, r.headers.get("Content-Type")) for r in (deep, large)]
            if answers != [(400, PROBLEM_JSON), (413, PROBLEM_JSON)]:
                wrong.append(f"{method.upper()} {path}: {answers}")
    assert not wrong, "\n".join(wrong)


def _takes_team_code(operation: dict[str, Any]) -> bool:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    properties = SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]].get("properties", {}) if schema else {}
    return "teamCode" in properties or any(p["name"] == "teamCode" for p in operation.get("parameters", []))


def test_a_team_code_that_names_no_team_is_refused_naming_it_wherever_one_is_taken(runner: Runner) -> None:
    manager = runner.session("manager", subject="hostile-manager")
    url = runner.base_url

    def transfer() -> requests.Response:
        crn = create_case(runner)["crn"]
        allocation = f"{url}/cases/{crn}/allocation"
        eventually(lambda: manager.get(allocation, timeout=10).ok or None, "the case to reach its team queue")
        body = {"teamCode": NO_TEAM, "reason": "Moving away."}
        return manager.post(f"{url}/cases/{crn}/transfers", json=body, timeout=10)

    def move_practitioner() -> requests.Response:
        practitioner = f"{url}/allocation/practitioners/N07P002"  # one of the demo's
        etag = manager.get(practitioner, timeout=10).headers["ETag"]
        return manager.patch(practitioner, json={"teamCode": NO_TEAM}, headers={"If-Match": etag}, timeout=10)

    refused: dict[tuple[str, str], Callable[[], requests.Response]] = {
        ("POST", "/cases"): lambda: manager.post(
            f"{url}/cases",
            json={
                "firstName": "Ned",
                "lastName": "Nowhere",
                "dateOfBirth": "1990-01-01",
                "gender": "MALE",
                "teamCode": NO_TEAM,
            },
            timeout=10,
        ),
        ("POST", "/allocation/practitioners"): lambda: manager.post(
            f"{url}/allocation/practitioners",
            json={"code": "HOSTILE01", "name": "Hostile Test", "grade": "PO", "teamCode": NO_TEAM},
            timeout=10,
        ),
        ("GET", "/allocation/practitioners"): lambda: manager.get(
            f"{url}/allocation/practitioners", params={"teamCode": NO_TEAM}, timeout=10
        ),
        ("PATCH", "/allocation/practitioners/{code}"): move_practitioner,
        ("POST", "/cases/{crn}/transfers"): transfer,
    }
    taking = {
        (method.upper(), path)
        for path, item in PATHS.items()
        for method, operation in item.items()
        if _takes_team_code(operation)
    }
    assert taking == set(refused), "every operation that takes a teamCode is tried here"
    wrong = []
    for (method, path), attempt in refused.items():
        response = attempt()
        errors = response.json().get("errors", []) if response.status_code == 422 else []
        if [error["field"] for error in errors] != ["teamCode"]:
            wrong.append(f"{method} {path}: {response.status_code} {response.text[:300]}")
    assert not wrong, "\n".join(wrong)

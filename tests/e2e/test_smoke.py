"""`python -m probation.ops smoke`, the post-deploy check, run as a pipeline runs it, on the local runner."""

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass

import pytest

from infrastructure.local.stack import free_port
from tests.e2e.conftest import ROOT, Runner
from tests.e2e.test_local_stack import create_case
from tests.e2e.test_partner_gateway import ALL_SCOPES, allocate

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

SECRET_VARIABLE = "PROBATION_SMOKE_CLIENT_SECRET"


@dataclass(frozen=True)
class AppClient:
    partner_id: str
    client_id: str
    secret: str


def app_client(runner: Runner, scopes: tuple[str, ...] = ALL_SCOPES) -> AppClient:
    """A newly registered partner's app client, with the secret registration gives once."""
    partner_id = f"SMOKE-{uuid.uuid4().hex[:6]}"
    body = {
        "partnerId": partner_id,
        "name": "Smoke",
        "contactEmail": "ops@crc.example",
        "scopes": list(scopes),
    }
    admin = runner.session("admin", subject="admin")
    registered = admin.post(f"{runner.base_url}/partner-admin/partners", json=body, timeout=10)
    assert registered.status_code == 201, registered.text
    credentials = registered.json()
    return AppClient(partner_id, credentials["clientId"], credentials["clientSecret"])


def smoke(
    base_url: str, client: AppClient, *arguments: str, secret: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "probation.ops",
            "smoke",
            "--base-url",
            base_url,
            "--token-url",
            f"{base_url}/local/partners/oauth2/token",
            "--client-id",
            client.client_id,
            *arguments,
        ],
        cwd=ROOT,
        env={**os.environ, SECRET_VARIABLE: client.secret if secret is None else secret},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def client_with_a_case(runner: Runner) -> AppClient:
    client = app_client(runner)
    allocate(runner, create_case(runner, teamCode="N07CAM")["crn"], client.partner_id)
    return client


def test_the_smoke_check_passes_against_a_working_stack(
    runner: Runner, client_with_a_case: AppClient
) -> None:
    result = smoke(runner.base_url, client_with_a_case)
    assert result.returncode == 0, result.stderr
    steps = [line.split()[1] for line in result.stdout.splitlines() if line.startswith("ok ")]
    assert steps == ["health", "token", "read", "feed", "write", "event"]
    assert "probation-case.contact.created" in result.stdout


def test_a_wrong_secret_fails_at_the_token(runner: Runner, client_with_a_case: AppClient) -> None:
    result = smoke(runner.base_url, client_with_a_case, secret="not-the-secret")
    assert result.returncode == 1
    assert result.stderr.startswith("smoke check FAILED at token: ")
    assert client_with_a_case.client_id in result.stderr


def test_a_partner_without_a_case_fails_at_the_read(runner: Runner) -> None:
    result = smoke(runner.base_url, app_client(runner))
    assert result.returncode == 1
    assert "FAILED at read: " in result.stderr
    assert "holds no case" in result.stderr


def test_a_client_that_may_not_read_the_feed_fails_there(runner: Runner) -> None:
    client = app_client(runner, scopes=("cases.read", "contacts.write"))
    allocate(runner, create_case(runner, teamCode="N07CAM")["crn"], client.partner_id)
    result = smoke(runner.base_url, client)
    assert result.returncode == 1
    assert "FAILED at feed: GET /partner/v1/events" in result.stderr
    assert "answered 403" in result.stderr


def test_an_api_that_does_not_answer_fails_at_health(client_with_a_case: AppClient) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    result = smoke(nowhere, client_with_a_case)
    assert result.returncode == 1
    assert result.stderr.startswith(f"smoke check FAILED at health: GET {nowhere}/health got no answer")


def test_without_the_secret_it_does_not_run(runner: Runner, client_with_a_case: AppClient) -> None:
    result = smoke(runner.base_url, client_with_a_case, secret="")
    assert result.returncode == 2
    assert SECRET_VARIABLE in result.stderr

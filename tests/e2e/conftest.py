"""End-to-end: the local runner started as `make run` starts it, driven over HTTP on free ports."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from infrastructure.local.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180

pytestmark = pytest.mark.e2e


@dataclass
class Runner:
    base_url: str
    aws_endpoint: str
    output: Path

    def token(
        self, *roles: str, subject: str = "jsmith", client_id: str | None = None, scopes: tuple[str, ...] = ()
    ) -> str:
        body: dict[str, Any] = {"sub": subject, "roles": list(roles)}
        if client_id:
            body |= {"clientId": client_id, "scopes": list(scopes)}
        response = requests.post(f"{self.base_url}/local/token", json=body, timeout=10)
        response.raise_for_status()
        token: str = response.json()["access_token"]
        return token

    def session(self, *roles: str, subject: str = "jsmith") -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token(*roles, subject=subject)}"
        return session

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.aws_endpoint, region_name="eu-west-2")


@dataclass
class StartedRunner:
    """A local runner process, started as `make run` starts it, and what its /health said on the way."""

    process: subprocess.Popen[bytes]
    port: int
    runner: Runner
    health_seen: list[tuple[int, Any]]
    """Each distinct (status, body) /health answered while the runner started, in order."""

    def stop(self, stop_signal: signal.Signals = signal.SIGTERM) -> int:
        self.process.send_signal(stop_signal)
        return self.process.wait(timeout=60)


def start_runner(
    data_dir: Path,
    output: Path,
    *arguments: str,
    port: int | None = None,
    environment: dict[str, str] | None = None,
) -> StartedRunner:
    """Starts the runner on free ports, with ``environment`` added to this process's, and waits until
    /health says it is ready (200)."""
    port, moto_port = port or free_port(), free_port()
    with output.open("a") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infrastructure.local",
                "--port",
                str(port),
                "--moto-port",
                str(moto_port),
                "--data-dir",
                str(data_dir),
                *arguments,
            ],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # INFO, so that the consumers' log lines can be followed by their correlation id.
            env={**os.environ, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO", **(environment or {})},
        )
    base_url = f"http://127.0.0.1:{port}"
    seen: list[tuple[int, Any]] = []
    deadline = time.monotonic() + STARTUP_SECONDS
    while not seen or seen[-1][0] != 200:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local runner did not start:\n{output.read_text()[-5000:]}")
        try:
            response = requests.get(f"{base_url}/health", timeout=5)
        except requests.ConnectionError:
            time.sleep(0.1)
            continue
        answer = (response.status_code, response.json())
        if not seen or seen[-1] != answer:
            seen.append(answer)
        time.sleep(0.1)
    return StartedRunner(process, port, Runner(base_url, f"http://127.0.0.1:{moto_port}", output), seen)


@pytest.fixture(scope="session")
def started_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartedRunner]:
    folder = tmp_path_factory.mktemp("runner")
    started = start_runner(folder / "data", folder / "output.log")
    yield started
    started.stop()


@pytest.fixture(scope="session")
def runner(started_runner: StartedRunner) -> Runner:
    return started_runner.runner


TEAM = "N07HAC"  # one of the demo's teams


def new_case(**changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Erin",
        "lastName": "Walsh",
        "dateOfBirth": "1988-02-29",
        "gender": "FEMALE",
        "teamCode": TEAM,
        **changes,
    }


def create_team(runner: Runner, code: str = TEAM) -> None:
    """A team for new cases where the runner started without demo data: a case is made only for a team."""
    team = {"code": code, "name": f"Team {code}", "region": "London"}
    response = runner.session("manager").post(f"{runner.base_url}/allocation/teams", json=team, timeout=10)
    assert response.status_code == 201, response.text

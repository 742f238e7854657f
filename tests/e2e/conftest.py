"""End-to-end: the local runner started as `make run` starts it, driven over HTTP on free ports."""

import os
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


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    port, moto_port = free_port(), free_port()
    output = tmp_path_factory.mktemp("runner") / "output.log"
    with output.open("w") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infrastructure.local",
                "--port",
                str(port),
                "--moto-port",
                str(moto_port),
            ],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            # INFO, so that the consumers' log lines can be followed by their correlation id.
            env={**os.environ, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO"},
        )
    deadline = time.monotonic() + STARTUP_SECONDS
    while "running at" not in output.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the local runner did not start:\n{output.read_text()[-5000:]}")
        time.sleep(0.2)
    yield Runner(f"http://127.0.0.1:{port}", f"http://127.0.0.1:{moto_port}", output)
    process.terminate()
    process.wait(timeout=20)


def new_case(**changes: Any) -> dict[str, Any]:
    return {
        "firstName": "Erin",
        "lastName": "Walsh",
        "dateOfBirth": "1988-02-29",
        "gender": "FEMALE",
        "teamCode": "N07HAC",
        **changes,
    }

"""Fuzzing: schemathesis drives every operation of the merged OpenAPI document against the running local
runner, with valid and invalid data, unexpected methods and media types. No response may be a 5xx, and
every one must conform to the contract: a documented status, content type, headers and body schema."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from infrastructure.openapi import CONTRACT
from tests.e2e.conftest import Runner
from tests.e2e.test_partner_gateway import register

# A group of its own: with its own local stack on the other worker, it runs beside the other e2e tests
# rather than after them.
pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("fuzz")]

CHECKS = ",".join(
    (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    )
)
PARTNER_PATHS = "^/partner/v1/"
# A fixed seed: CI fuzzes the same cases every run, so a red build is reproducible with the same command.
SEED = "20261126"
EXAMPLES_PER_OPERATION = "10"


def fuzz(runner: Runner, token: str, report: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        str(CONTRACT),
        "--url",
        runner.base_url,
        "--header",
        f"Authorization: Bearer {token}",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        CHECKS,
        "--max-examples",
        EXAMPLES_PER_OPERATION,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
        "--no-color",
        *selection,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert re.search(r"\d+ generated, \d+ passed", result.stdout), result.stdout[-5000:]


def test_every_staff_operation_survives_fuzzing_and_keeps_to_its_contract(
    runner: Runner, tmp_path: Path
) -> None:
    # Every staff role at once, so that each operation reaches its own logic rather than a 403.
    token = runner.token("practitioner", "manager", "admin")
    result = fuzz(runner, token, tmp_path / "staff.xml", "--exclude-path-regex", PARTNER_PATHS)

    assert_clean(result)


def test_every_partner_operation_survives_fuzzing_and_keeps_to_its_contract(
    runner: Runner, tmp_path: Path
) -> None:
    token = str(register(runner, "CRC-FUZZ").session.headers["Authorization"]).removeprefix("Bearer ")
    # Under the partner's usage plan, so that requests reach the API rather than only its 429.
    result = fuzz(
        runner,
        token,
        tmp_path / "partner.xml",
        "--include-path-regex",
        PARTNER_PATHS,
        "--rate-limit",
        "8/s",
    )

    assert_clean(result)

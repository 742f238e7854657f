"""Fuzzing: schemathesis drives every operation of the merged OpenAPI document against the running local
runner, with valid and invalid data, unexpected methods and media types. No response may be a 5xx, and
every one must conform to the contract: a documented status, content type, headers and body schema.

What it sent and got back (its HAR record) shows more: that the headers the contract declares let it past
the precondition of every write, and that no answer tells a person pydantic's wording or a pattern."""

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from infrastructure.openapi import CONTRACT
from tests.component.test_request_gate import NOT_FOR_PEOPLE, said_to_people
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


WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# A write read and acted on: made, or refused for what it found (no such resource, a conflict, a stale ETag).
PAST_THE_PRECONDITION = {200, 201, 204, 404, 409, 412}
PATHS: dict[str, Any] = json.loads(CONTRACT.read_text())["paths"]


@dataclass(frozen=True)
class Exchange:
    """One request the fuzzer sent, as its HAR record keeps it."""

    operation: tuple[str, str]  # method and path as the contract names them
    status: int
    sent_if_match: bool
    answer: Any  # the problem+json body, when the answer is one


@dataclass(frozen=True)
class Fuzzing:
    result: subprocess.CompletedProcess[str]
    exchanges: list[Exchange]


def operation_of(method: str, url: str) -> tuple[str, str] | None:
    path = urlsplit(url).path
    for template, item in PATHS.items():
        if method.lower() in item and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            return method, template
    return None


def exchanges(har: Path) -> Iterator[Exchange]:
    for entry in json.loads(har.read_text())["log"]["entries"]:
        request, response = entry["request"], entry["response"]
        operation = operation_of(request["method"], request["url"])
        if operation is None or not response["status"]:
            continue
        answer = None
        if response["content"].get("mimeType") == "application/problem+json" and not response["content"].get(
            "comment"
        ):
            answer = json.loads(response["content"].get("text") or "null")
        sent = {header["name"].lower() for header in request["headers"]}
        yield Exchange(operation, response["status"], "if-match" in sent, answer)


def fuzz(runner: Runner, token: str, reports: Path, *selection: str) -> Fuzzing:
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
        "junit,har",
        "--report-junit-path",
        str(reports / "fuzz.xml"),
        "--report-har-path",
        str(reports / "fuzz.har"),
        "--no-color",
        *selection,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    return Fuzzing(result, list(exchanges(reports / "fuzz.har")))


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    assert re.search(r"\d+ generated, \d+ passed", result.stdout), result.stdout[-5000:]


@pytest.fixture(scope="module")
def staff_fuzzing(runner: Runner, tmp_path_factory: pytest.TempPathFactory) -> Fuzzing:
    # Every staff role at once, so that each operation reaches its own logic rather than a 403.
    token = runner.token("practitioner", "manager", "admin")
    return fuzz(runner, token, tmp_path_factory.mktemp("staff"), "--exclude-path-regex", PARTNER_PATHS)


@pytest.fixture(scope="module")
def partner_fuzzing(runner: Runner, tmp_path_factory: pytest.TempPathFactory) -> Fuzzing:
    token = str(register(runner, "CRC-FUZZ").session.headers["Authorization"]).removeprefix("Bearer ")
    # Under the partner's usage plan, so that requests reach the API rather than only its 429.
    return fuzz(
        runner,
        token,
        tmp_path_factory.mktemp("partner"),
        "--include-path-regex",
        PARTNER_PATHS,
        "--rate-limit",
        "8/s",
    )


def test_every_staff_operation_survives_fuzzing_and_keeps_to_its_contract(staff_fuzzing: Fuzzing) -> None:
    assert_clean(staff_fuzzing.result)


def test_every_partner_operation_survives_fuzzing_and_keeps_to_its_contract(partner_fuzzing: Fuzzing) -> None:
    assert_clean(partner_fuzzing.result)


def test_the_fuzzer_gets_past_the_precondition_of_every_write(
    staff_fuzzing: Fuzzing, partner_fuzzing: Fuzzing
) -> None:
    """The contract declares If-Match (required where a write needs it), so the fuzzer sends it: a 428 answers
    only a request that left it out, and every write that takes it was read and acted on."""
    answered: dict[tuple[str, str], Counter[int]] = defaultdict(Counter)
    blocked: Counter[tuple[str, str]] = Counter()
    for exchange in staff_fuzzing.exchanges + partner_fuzzing.exchanges:
        answered[exchange.operation][exchange.status] += 1
        if exchange.status == 428 and exchange.sent_if_match:
            blocked[exchange.operation] += 1
    writes = {
        (method.upper(), path) for path, item in PATHS.items() for method in item if method.upper() in WRITES
    }
    conditional = {
        (method, path)
        for method, path in writes
        if any(p["name"] == "If-Match" for p in PATHS[path][method.lower()].get("parameters", []))
    }
    never_past = [
        f"{method} {path}: {dict(answered[method, path])}"
        for method, path in sorted(conditional)
        if not set(answered[method, path]) & PAST_THE_PRECONDITION
    ]

    assert len(conditional) >= 10, "the writes that take If-Match declare it"
    assert not [write for write in writes if not answered[write]], "every write was fuzzed"
    assert not blocked, f"428 although If-Match was sent: {blocked}"
    assert not never_past, "writes the fuzzer never got past their precondition:\n" + "\n".join(never_past)


def test_no_fuzzed_answer_tells_a_person_pydantics_wording_or_a_pattern(
    staff_fuzzing: Fuzzing, partner_fuzzing: Fuzzing
) -> None:
    told = [
        (exchange.operation, text)
        for exchange in staff_fuzzing.exchanges + partner_fuzzing.exchanges
        if exchange.answer is not None
        for text in said_to_people(exchange.answer)
    ]
    assert len(told) > 500, "the fuzzer's answers were read"
    leaked = sorted(
        {f"{method} {path}: {text}" for (method, path), text in told if NOT_FOR_PEOPLE.search(text)}
    )
    assert not leaked, "\n".join(leaked[:50])

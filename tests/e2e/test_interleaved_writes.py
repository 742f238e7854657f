"""Races that really interleave: the AWS stand-in holds each racing request's transaction until its rival
has reached its own (LOCAL_AWS_HOLD), so both have read the same version and passed the service's own
check before either writes. Only the store's condition is left to decide, and it must refuse one."""

import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import ROOT, Runner, create_team, new_case, start_runner

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("interleaved")]

# In every racing PATCH's transaction (the new name), in nothing the runner writes without being asked.
RACE_MARK = "Interleaved"
HOLD = f"parties=2,match={RACE_MARK},timeout=10"


@pytest.fixture(scope="module")
def held_runner(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runner]:
    folder = tmp_path_factory.mktemp("held-runner")
    started = start_runner(
        folder / "data", folder / "output.log", "--no-demo", environment={"LOCAL_AWS_HOLD": HOLD}
    )
    create_team(started.runner)
    yield started.runner
    started.stop()


def at_once(*requests_to_send: Callable[[], requests.Response]) -> list[requests.Response]:
    """Sends the requests from threads of their own, released together."""
    start = threading.Barrier(len(requests_to_send))
    answers: list[requests.Response | None] = [None] * len(requests_to_send)

    def send(index: int) -> None:
        start.wait()
        answers[index] = requests_to_send[index]()

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(requests_to_send))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers)
    return [answer for answer in answers if answer is not None]


def hold_report(runner: Runner) -> dict[str, Any]:
    report: dict[str, Any] = requests.get(f"{runner.aws_endpoint}/_local/hold", timeout=10).json()
    return report


def test_two_patches_from_one_read_both_reach_the_write_and_the_store_refuses_one(
    held_runner: Runner,
) -> None:
    session = held_runner.session("practitioner")
    created = session.post(f"{held_runner.base_url}/cases", json=new_case(), timeout=10)
    assert created.status_code == 201, created.text
    url = f"{held_runner.base_url}/cases/{created.json()['crn']}"
    met_before = hold_report(held_runner)["met"]

    def patch(last_name: str) -> Callable[[], requests.Response]:
        return lambda: session.patch(
            url, json={"lastName": last_name}, headers={"If-Match": '"1"'}, timeout=60
        )

    answers = at_once(patch(f"{RACE_MARK}First"), patch(f"{RACE_MARK}Second"))

    assert hold_report(held_runner)["met"] == met_before + 1, "both PATCHes were at their write at once"
    assert sorted(answer.status_code for answer in answers) == [200, 412], [a.text for a in answers]
    winner = next(answer.json() for answer in answers if answer.status_code == 200)
    stored = session.get(url, timeout=10).json()
    assert (stored["lastName"], stored["version"]) == (winner["lastName"], 2), "the loser changed nothing"


def test_the_hold_is_changed_on_the_running_stack_by_the_ops_command(held_runner: Runner) -> None:
    def ops(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "infrastructure.local",
                *arguments,
                "--aws-endpoint",
                held_runner.aws_endpoint,
            ],
            cwd=Path(ROOT),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert json.loads(ops("hold").stdout)["hold"] == HOLD, "the setting the stack was started with"
    try:
        changed = ops("hold", "parties=3,match=Elsewhere")
        assert changed.returncode == 0, changed.stderr
        assert hold_report(held_runner)["hold"] == "parties=3,match=Elsewhere,timeout=5"
        refused = ops("hold", "parties=1")
        assert (refused.returncode, hold_report(held_runner)["hold"]) == (
            2,
            "parties=3,match=Elsewhere,timeout=5",
        )
    finally:
        assert ops("hold", HOLD).returncode == 0

"""The local runner's life: ready when it says so, and what it recorded is there after a stop or a crash."""

import pickle
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from infrastructure.local.stack import SAVE_INTERVAL_SECONDS, free_port
from infrastructure.local.state import STATE_FILE, stand_in_version
from infrastructure.local.wire import SOCKET_FOLDER_PREFIX
from tests.e2e.conftest import ROOT, Runner, create_team, new_case, start_runner

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("lifecycle")]

CONTACT = {
    "type": "OFFICE_APPOINTMENT",
    "contactDate": "2026-01-05T10:00:00Z",
    "outcome": "ATTENDED_COMPLIED",
}


def record_a_case_and_a_contact(runner: Runner, key: str) -> tuple[dict[str, Any], requests.Response]:
    create_team(runner)
    session = runner.session("admin", "manager")
    created = session.post(f"{runner.base_url}/cases", json=new_case(lastName="Restart"), timeout=10)
    assert created.status_code == 201, created.text
    case = created.json()
    contact = session.post(
        f"{runner.base_url}/cases/{case['crn']}/contacts",
        json=CONTACT,
        headers={"Idempotency-Key": key},
        timeout=10,
    )
    assert contact.status_code == 201, contact.text
    return case, contact


def assert_both_kept(runner: Runner, case: dict[str, Any], contact: requests.Response, key: str) -> None:
    session = runner.session("admin", "manager")
    read = session.get(f"{runner.base_url}/cases/{case['crn']}", timeout=10)
    assert read.status_code == 200, read.text
    assert read.json()["lastName"] == "Restart"
    contacts = session.get(f"{runner.base_url}/cases/{case['crn']}/contacts", timeout=10).json()["items"]
    assert [item["contactId"] for item in contacts] == [contact.json()["contactId"]]
    replayed = session.post(
        f"{runner.base_url}/cases/{case['crn']}/contacts",
        json=CONTACT,
        headers={"Idempotency-Key": key},
        timeout=10,
    )
    assert replayed.status_code == 201
    assert replayed.json() == contact.json(), "the first response comes back"
    assert replayed.headers.get("Idempotent-Replayed") == "true"
    after = session.get(f"{runner.base_url}/cases/{case['crn']}/contacts", timeout=10).json()["items"]
    assert len(after) == 1, "the replay wrote nothing"


def test_a_clean_stop_keeps_cases_contacts_idempotency_keys_and_the_signing_key(tmp_path: Path) -> None:
    first = start_runner(tmp_path / "data", tmp_path / "first.log", "--no-demo")
    runner = first.runner
    token = runner.token("admin", "manager")
    case, contact = record_a_case_and_a_contact(runner, "restart-key-1")
    assert first.stop(signal.SIGTERM) == 0

    # On the same port, as `make run` starts again: the issuer is the runner's own address.
    second = start_runner(tmp_path / "data", tmp_path / "second.log", "--no-demo", port=first.port)
    try:
        assert_both_kept(second.runner, case, contact, "restart-key-1")
        # A token issued before the stop is still valid: the signing key was kept.
        kept_token = requests.get(
            f"{second.runner.base_url}/cases/{case['crn']}",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert kept_token.status_code == 200
    finally:
        second.stop()


def test_a_hard_kill_loses_nothing_older_than_the_save_interval(tmp_path: Path) -> None:
    first = start_runner(tmp_path / "data", tmp_path / "first.log", "--no-demo")
    case, contact = record_a_case_and_a_contact(first.runner, "kill-key-1")
    # Saved within SAVE_INTERVAL_SECONDS of the change, plus the time the write takes.
    time.sleep(SAVE_INTERVAL_SECONDS + 2)
    first.stop(signal.SIGKILL)
    socket_folders = f"{SOCKET_FOLDER_PREFIX}{first.process.pid}-*"
    assert list(Path(tempfile.gettempdir()).glob(socket_folders)), "killed outright, it left its own"

    second = start_runner(tmp_path / "data", tmp_path / "second.log", "--no-demo")
    try:
        assert_both_kept(second.runner, case, contact, "kill-key-1")
        assert not list(Path(tempfile.gettempdir()).glob(socket_folders)), "the next start swept it"
    finally:
        second.stop()


def test_events_recorded_before_a_stop_are_delivered_once_after_it(tmp_path: Path) -> None:
    """A case created just before the stop is tiered and queued: its events are not lost in the stop."""
    first = start_runner(tmp_path / "data", tmp_path / "first.log", "--no-demo")
    create_team(first.runner)
    manager = first.runner.session("admin", "manager")
    crn = manager.post(f"{first.runner.base_url}/cases", json=new_case(lastName="Queued"), timeout=10).json()[
        "crn"
    ]
    assert first.stop(signal.SIGTERM) == 0

    second = start_runner(tmp_path / "data", tmp_path / "second.log", "--no-demo")
    try:
        manager = second.runner.session("admin", "manager")
        queue = manager.get(f"{second.runner.base_url}/allocation/teams/N07HAC/unallocated", timeout=10)
        assert [item["crn"] for item in queue.json()["items"]].count(crn) == 1
    finally:
        second.stop()


def test_state_from_another_stand_in_is_refused_whole(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with (data / STATE_FILE).open("wb") as stream:
        pickle.dump({**stand_in_version(), "moto": "0.0.1"}, stream)
        pickle.dump({"anything": "at all"}, stream)
    finished = subprocess.run(
        [sys.executable, "-m", "infrastructure.local", "--port", "0", "--data-dir", str(data)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert "another version of the AWS stand-in" in finished.stderr
    assert "make reset" in finished.stderr
    assert (data / STATE_FILE).exists(), "the refused state is left as it was, for make reset to clear"


def test_a_new_stack_killed_while_its_demo_loads_keeps_nothing_so_the_next_start_seeds_the_demo_whole(
    tmp_path: Path,
) -> None:
    data, port = tmp_path / "data", free_port()
    with (tmp_path / "runner.log").open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "infrastructure.local", "--port", str(port), "--data-dir", str(data)],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert time.monotonic() < deadline, "the gateway never answered"
            try:
                health = requests.get(f"http://127.0.0.1:{port}/health", timeout=5)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        assert health.status_code == 503, "still loading the demo"
        # Long enough for the demo's first writes to have been saved, had the stack saved while loading.
        time.sleep(SAVE_INTERVAL_SECONDS + 3)
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).status_code == 503
        left_behind = descendants(process.pid)
        assert left_behind, "the runner's fork server, environments and demo loader"
    finally:
        process.kill()
        process.wait(timeout=30)
    assert not (data / STATE_FILE).exists(), "half a demo was kept: the next start would not seed it"
    deadline = time.monotonic() + 15
    while (alive := [pid for pid in left_behind if running(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive, f"processes of the killed runner still running: {alive}"


def running(pid: int) -> bool:
    """Whether the process is there and not a zombie (an orphan's is reaped by init when init gets to it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def descendants(pid: int) -> list[int]:
    """Every process under ``pid``, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat[stat.rindex(")") + 2 :].split()[1]), []).append(int(entry.name))
    found, waiting = [], list(children.get(pid, []))
    while waiting:
        child = waiting.pop()
        found.append(child)
        waiting.extend(children.get(child, []))
    return found

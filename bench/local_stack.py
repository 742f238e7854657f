"""The local stack as `make run` starts it: time to ready, and requests from 1 and 10 concurrent clients.

Starts the runner in a fresh data folder (demo data seeded, as a newcomer's first `make run`), waits for
/health to say 200, then times a case overview, a practitioner's caseload and recording a contact, each
from 1 and from 10 clients. Load goes to loopback only and stops by itself: each run is bounded in time
and in count. Run from the project root: ``python -m bench.local_stack``. Exits non-zero over budget.
"""

import argparse
import itertools
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench import results
from infrastructure.local.stack import free_port

ROOT = Path(__file__).resolve().parent.parent
READY_BUDGET_SECONDS = 20.0
BUDGET = {
    "readySeconds": READY_BUDGET_SECONDS,
    "overview1ClientP50Ms": 25,
    "overview10ClientsP95Ms": 250,
    "contactPost10ClientsP95Ms": 400,
}
WARM_UP_REQUESTS = 20
CONTACT = {
    "type": "OFFICE_APPOINTMENT",
    "contactDate": "2026-01-05T10:00:00Z",
    "outcome": "ATTENDED_COMPLIED",
}


@dataclass
class Measured:
    latencies: list[float]
    seconds: float

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    def figures(self) -> dict[str, float]:
        return {
            "requests": len(self.latencies),
            "p50Ms": round(self.percentile(0.50), 1),
            "p95Ms": round(self.percentile(0.95), 1),
            "p99Ms": round(self.percentile(0.99), 1),
            "meanMs": round(statistics.fmean(self.latencies) * 1000, 1),
            "perSecond": round(len(self.latencies) / self.seconds, 1),
        }


def cpu_seconds(pid: int) -> dict[str, float]:
    """CPU-seconds so far of the runner's own process and of its descendants (the fork server and the
    functions' execution environments), from /proc (Linux): a figure the machine's other load moves less
    than the wall time."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, list[int]] = {}
    used: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    descendants, waiting = [], list(parents.get(pid, []))
    while waiting:
        child = waiting.pop()
        descendants.append(child)
        waiting.extend(parents.get(child, []))
    return {
        "runner": round(used.get(pid, 0.0), 1),
        "functions": round(sum(used.get(child, 0.0) for child in descendants), 1),
    }


def start(data_dir: Path, log: Path) -> tuple[subprocess.Popen[bytes], str, float]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "infrastructure.local", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    while True:
        if process.poll() is not None or time.perf_counter() - started > 300:
            process.kill()
            raise SystemExit(f"the runner did not start:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base_url}/health", timeout=5).status_code == 200:
                return process, base_url, time.perf_counter() - started
        except requests.ConnectionError:
            pass
        time.sleep(0.05)


def token(base_url: str, subject: str, *roles: str) -> str:
    response = requests.post(
        f"{base_url}/local/token", json={"sub": subject, "roles": list(roles)}, timeout=10
    )
    response.raise_for_status()
    issued: str = response.json()["access_token"]
    return issued


def load(
    call: Callable[[requests.Session, int], requests.Response],
    session_token: str,
    clients: int,
    *,
    seconds: float,
    most: int,
) -> Measured:
    """``clients`` clients, each calling in a loop, until ``most`` requests or ``seconds`` have gone. Each
    call is given its client's number."""
    counter = itertools.count()
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []

    def client(number: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {session_token}"
        for _ in range(WARM_UP_REQUESTS // clients + 1):
            call(session, number).raise_for_status()
        while next(counter) < most and time.perf_counter() < deadline:
            sent = time.perf_counter()
            response = call(session, number)
            elapsed = time.perf_counter() - sent
            if response.status_code >= 300:
                raise SystemExit(
                    f"{response.request.method} {response.url}: {response.status_code} {response.text}"
                )
            with lock:
                latencies.append(elapsed)

    began = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(client, number) for number in range(clients)]:
            future.result()
    return Measured(latencies, time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="longest each load runs (default 8)")
    parser.add_argument("--requests", type=int, default=400, help="most requests each load sends (400)")
    arguments = parser.parse_args()

    load_average = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        process, base_url, ready = start(Path(folder) / "data", Path(folder) / "runner.log")
        ready_cpu = cpu_seconds(process.pid)
        try:
            figures = measure(base_url, arguments.seconds, arguments.requests)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        # The same folder again: what a second `make run` pays, its state restored.
        process, _, restarted = start(Path(folder) / "data", Path(folder) / "runner-again.log")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)

    figures = {
        "readySeconds": round(ready, 2),
        "readyCpuSeconds": ready_cpu,
        "loadAverageAtStart": round(load_average, 2),
        "readyAfterRestartSeconds": round(restarted, 2),
        **figures,
    }
    checks = {
        "readySeconds": figures["readySeconds"] <= BUDGET["readySeconds"],
        "overview1ClientP50Ms": figures["overview"]["1"]["p50Ms"] <= BUDGET["overview1ClientP50Ms"],
        "overview10ClientsP95Ms": figures["overview"]["10"]["p95Ms"] <= BUDGET["overview10ClientsP95Ms"],
        "contactPost10ClientsP95Ms": figures["contactPost"]["10"]["p95Ms"]
        <= BUDGET["contactPost10ClientsP95Ms"],
    }
    ok = all(checks.values())
    report(figures, checks)
    results.record("local_stack", budget=BUDGET, ok=ok, figures={**figures, "withinBudget": checks})
    sys.exit(0 if ok else 1)


def measure(base_url: str, seconds: float, most: int) -> dict[str, Any]:
    manager = token(base_url, "N07P001", "manager")
    queue = requests.get(
        f"{base_url}/allocation/teams/N07CAM/unallocated",
        headers={"Authorization": f"Bearer {manager}"},
        timeout=10,
    ).json()["items"]
    crn = queue[0]["crn"]
    practitioner = token(base_url, "N07P002", "practitioner")

    def overview(session: requests.Session, _: int) -> requests.Response:
        return session.get(f"{base_url}/cases/{crn}/overview", timeout=30)

    def caseload(session: requests.Session, _: int) -> requests.Response:
        return session.get(f"{base_url}/allocation/practitioners/N07P002/caseload", timeout=30)

    # Each client records on a case of its own, as practitioners do. Writers to one case take turns (each
    # change of its timeline moves its summary conditionally), so ten clients writing to one case without
    # pause would measure that contention, which no caseload sees.
    def contact(session: requests.Session, number: int) -> requests.Response:
        return session.post(
            f"{base_url}/cases/{queue[number % len(queue)]['crn']}/contacts",
            json=CONTACT,
            headers={"Idempotency-Key": uuid.uuid4().hex},
            timeout=30,
        )

    figures: dict[str, Any] = {}
    for name, call, who in (
        ("overview", overview, practitioner),
        ("caseload", caseload, practitioner),
        ("contactPost", contact, practitioner),
    ):
        figures[name] = {
            str(clients): load(call, who, clients, seconds=seconds, most=most).figures()
            for clients in (1, 10)
        }
    return figures


def report(figures: dict[str, Any], checks: dict[str, bool]) -> None:
    print(
        f"time to ready (fresh, with demo data): {figures['readySeconds']:.1f} s "
        f"(budget {READY_BUDGET_SECONDS:.0f} s); after a restart: {figures['readyAfterRestartSeconds']:.1f} s"
    )
    print(
        f"CPU-seconds to ready: runner {figures['readyCpuSeconds']['runner']:.1f}, functions "
        f"{figures['readyCpuSeconds']['functions']:.1f}; "
        f"load average at start {figures['loadAverageAtStart']:.2f}"
    )
    for name in ("overview", "caseload", "contactPost"):
        for clients, measured in figures[name].items():
            print(
                f"{name:12s} {clients:>2s} client(s): p50 {measured['p50Ms']:7.1f} ms"
                f"  p95 {measured['p95Ms']:7.1f} ms  p99 {measured['p99Ms']:7.1f} ms"
                f"  {measured['perSecond']:6.1f}/s  ({measured['requests']} requests)"
            )
    for check, met in checks.items():
        print(f"{check}: {'OK' if met else 'OVER BUDGET'} (budget {BUDGET[check]})")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()

"""DynamoDB calls and items read by the supervision work lists, compliance and the case overview, with a long
history in the table.

Run from the project root: ``python -m bench.supervision_calls``. The handlers run in this process against
moto in server mode, as the component tests run them (``bench.dynamodb_calls``' stack and call recorder).
It seeds, through the API:

* a practitioner with 60 cases, each with a weekly appointment over 3 months (13 each, 780 in all), and
  measures the practitioner's diary for a week (budget: at most 2 DynamoDB calls);
* a case with 3 years of weekly appointments (156, every one with an outcome, some failures), and a new
  case with a few appointments; it measures ``GET /cases/{crn}/compliance`` of each (budget: at most 2 read
  calls, and the same items read for both: what is read does not grow with the history) and the case
  overview of each (budget: one Query, reading no more items for the long history than for the new case).

Every read of case data also writes its access-log entry (one BatchWriteItem, DPA 2018 s.62): a write call,
reported beside the reads as ``bench.dynamodb_calls`` reports it.
"""

import json
import uuid
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

from bench import results
from bench.dynamodb_calls import Call, start_stack
from tests.component.conftest import invoke

READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
STAFF = "BENCH01"
TEAM = "N07CAM"
NOW = datetime.now(UTC).replace(microsecond=0)


def handler(module: str) -> Any:
    return import_module(f"functions.{module}.app").lambda_handler


def call(module: str, method: str, path: str, body: Any = None, **options: Any) -> Any:
    headers = options.pop("headers", {})
    if method == "POST":
        headers = {"Idempotency-Key": uuid.uuid4().hex, **headers}
    response = invoke(handler(module), method, path, body, subject="bench", headers=headers, **options)
    assert 200 <= response.status < 300, f"{method} {path}: {response.status} {response.body}"
    return response


def new_case(years: float) -> str:
    crn: str = call(
        "cases",
        "POST",
        "/cases",
        {
            "firstName": "Bench",
            "lastName": "Mark",
            "dateOfBirth": "1980-01-01",
            "gender": "MALE",
            "teamCode": TEAM,
        },
    ).body["crn"]
    sentenced = (NOW - timedelta(days=int(365 * years) + 14)).date().isoformat()
    conviction = {
        "convictionDate": sentenced,
        "court": "Bench Court",
        "offences": [{"offenceCode": "03401", "offenceDate": sentenced, "main": True}],
        "sentence": {"type": "COMMUNITY", "sentenceDate": sentenced, "lengthMonths": 60},
    }
    call("cases", "POST", f"/cases/{crn}/convictions", conviction)
    return crn


def series(crn: str, first: datetime, count: int) -> list[dict[str, Any]]:
    body = {
        "type": "OFFICE_APPOINTMENT",
        "start": first.isoformat(),
        "end": (first + timedelta(hours=1)).isoformat(),
        "staffCode": STAFF,
        "repeat": {"interval": "WEEK", "count": count},
        "allowClash": True,
    }
    call("supervision", "POST", f"/cases/{crn}/appointments", body)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        page = call("supervision", "GET", f"/cases/{crn}/appointments", query=query).body
        items.extend(page["items"])
        cursor = page["cursor"]
        if not cursor:
            return items


def record_outcomes(crn: str, appointments: list[dict[str, Any]]) -> None:
    for number, appointment in enumerate(appointments):
        if appointment["outcome"] or datetime.fromisoformat(appointment["start"]) > NOW:
            continue
        code = "UAAB" if number % 17 == 5 else "AAME" if number % 11 == 3 else "ATTC"
        call(
            "supervision",
            "PUT",
            f"/cases/{crn}/appointments/{appointment['id']}/outcome",
            {"outcome": code},
            headers={"If-Match": f'"{appointment["version"]}"'},
        )


def cost(calls: list[Call]) -> dict[str, Any]:
    reads = [c for c in calls if c.operation in READS]
    items = 0
    for c in reads:
        if c.operation == "Query":
            items += int(c.response.get("Count", 0))
        elif c.operation == "GetItem":
            items += 1 if c.response.get("Item") else 0
        elif c.operation == "BatchGetItem":
            items += sum(len(found) for found in c.response.get("Responses", {}).values())
    return {
        "readCalls": len(reads),
        "writeCalls": len(calls) - len(reads),
        "itemsRead": items,
        "operations": [c.operation for c in calls],
    }


def main() -> int:
    server, stack = start_stack()
    try:
        team = {"code": TEAM, "name": "Bench", "region": "London"}
        call("allocation", "POST", "/allocation/teams", team, roles=("manager",))  # a case needs its team
        print("seeding 60 cases of weekly appointments over 3 months for one practitioner ...", flush=True)
        for _ in range(60):
            crn = new_case(1)
            series(crn, NOW - timedelta(days=45, hours=3), 13)
        print("seeding a case with 3 years of weekly appointments, every one with an outcome ...", flush=True)
        old = new_case(3)
        first = NOW - timedelta(days=7 * 156 + 3)
        for part in range(6):
            series(old, first + timedelta(days=7 * 26 * part), 26)
        record_outcomes(old, series(old, NOW + timedelta(days=400), 1))
        young = new_case(0.1)
        record_outcomes(young, series(young, NOW - timedelta(days=15), 3))

        def measure(module: str, path: str, **options: Any) -> dict[str, Any]:
            with stack.recorder.recording() as calls:
                call(module, "GET", path, **options)
            return cost(calls)

        week = (NOW - timedelta(days=20)).date().isoformat()
        figures = {
            "diary of a practitioner with 60 cases, a week": measure(
                "supervision",
                f"/supervision/practitioners/{STAFF}/diary",
                query={"date": week, "period": "WEEK"},
            ),
            "compliance, 3 years of weekly appointments": measure("supervision", f"/cases/{old}/compliance"),
            "compliance, a new case with 3 appointments": measure(
                "supervision", f"/cases/{young}/compliance"
            ),
            "overview, 3 years of weekly appointments": measure("cases", f"/cases/{old}/overview"),
            "overview, a new case with 3 appointments": measure("cases", f"/cases/{young}/overview"),
        }
        diary = figures["diary of a practitioner with 60 cases, a week"]
        old_c, new_c = (
            figures["compliance, 3 years of weekly appointments"],
            figures["compliance, a new case with 3 appointments"],
        )
        old_o, new_o = (
            figures["overview, 3 years of weekly appointments"],
            figures["overview, a new case with 3 appointments"],
        )
        checks = {
            "diary: at most 2 DynamoDB calls": diary["readCalls"] + diary["writeCalls"] <= 2,
            "diary: it found the week's appointments (60 cases)": diary["itemsRead"] >= 60,
            "compliance: at most 2 read calls": old_c["readCalls"] <= 2,
            "compliance: items read do not grow with the history": old_c["itemsRead"] == new_c["itemsRead"],
            "overview: one Query": [o for o in old_o["operations"] if o in READS] == ["Query"],
            "overview: no more items than a new case's": old_o["itemsRead"] <= new_o["itemsRead"],
        }
        for name, figure in figures.items():
            calls = f"{figure['readCalls']} read + {figure['writeCalls']} write calls"
            print(f"{name}: {calls}, {figure['itemsRead']} items read")
        for name, passed in checks.items():
            print(f"  {'ok  ' if passed else 'FAIL'} {name}")
        ok = all(checks.values())
        results.record(
            "supervision_calls",
            budget={"diaryCalls": 2, "complianceReadCalls": 2, "overviewQueries": 1},
            ok=ok,
            figures={"operations": figures, "checks": checks},
        )
        print(json.dumps({"ok": ok}))
        return 0 if ok else 1
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())

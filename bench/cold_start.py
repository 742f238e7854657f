"""Cold start: what Lambda pays before a new execution environment has answered its first request, for each
function and for a minimal Powertools handler with the same libraries, measured in the same run.

Run from the project root: ``python -m bench.cold_start``. Each measurement is a fresh process with the
function's environment from the template and AWS at a stand-in. It imports the handler's module (Lambda's
init phase), then handles a representative first request, which builds what the module leaves for first
use (the service, its boto3 clients, models' validators) and makes the route's calls to AWS. The total
of the two is compared with the baseline's, whose first request reads one item from DynamoDB. The median of
several fresh processes counts. Exits non-zero when a function's ratio is over the budget; the goal is
printed beside it.

AWS is moto in server mode on loopback, run by this process, holding what the first requests read: a
case made through the cases function, its allocation to a registered partner, the partner's webhook
subscription and a delivery. The authorizer's bearer token is signed by the local staff issuer, whose keys are
served from this process too, so no request leaves the machine. Tracing is off (Powertools' Tracer
disables itself outside Lambda, for the baseline as for the functions) and metrics are printed, as in
Lambda.

Then where the time goes: one more fresh process per function under ``-X importtime`` (the slowest
imports outside the standard library, and the import time by package) and one with its first request
under cProfile.
"""

import argparse
import contextlib
import functools
import http.server
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import sysconfig
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

import functions.allocation.app as allocation_app
import functions.cases.app as cases_app
import functions.partners.app as partners_app
from bench import results
from infrastructure.local import moto_patches
from infrastructure.local.identity import PARTNER_ISSUER_PATH, STAFF_ISSUER_PATH, LocalIdentity, LocalIssuer
from infrastructure.local.resources import (
    create_buses,
    create_queues,
    create_tables,
    create_usage_plans,
    create_user_pools,
)
from infrastructure.local.stack import free_port
from infrastructure.template import Template
from probation.domain.principal import Role
from tests.component.conftest import (
    MANAGER,
    PARTNER,
    TEAM,
    Caller,
    api_event,
    as_partner,
    deliver,
    invoke,
    new_case,
    register,
)
from tests.component.test_publisher import stream_records
from tests.component.test_risk_api import EXAMPLES
from tests.component.test_webhooks import feed_event, stream_new_deliveries, subscribe

BUDGET_RATIO = 1.3
GOAL_RATIO = 1.1
ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))
BASELINE_NAME = "baseline"
REGION = "eu-west-2"
PARTNER_ID = "CRC1"
TOP = 10
# Rows of the profile read, before the chains of calls that pass their time down are left out.
PROFILE_ROWS = 80
# A row within this share of the row above it is that row's time passed down a chain of calls.
PASSED_DOWN = 0.97

# The least a function here could be: the same libraries, Powertools' own minimal example of an API handler
# with its logger, tracer and metrics decorators (the tracer's decorator loads the X-Ray SDK), and, as every
# function's representative route does, one read from DynamoDB through a boto3 table made at import (as
# Powertools' examples make theirs). Against a baseline that touched no AWS, the ratio would charge the
# project for boto3's first client, which any Lambda reading a table pays.
BASELINE = """
import os, boto3, pydantic
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
app, logger, tracer, metrics = APIGatewayRestResolver(enable_validation=True), Logger(), Tracer(), Metrics()
table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])
@app.get("/items/<crn>")
def item(crn: str) -> dict[str, bool]:
    return {"found": "Item" in table.get_item(Key={"PK": f"CASE#{crn}", "SK": "PROFILE"})}
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event, context):
    return app.resolve(event, context)
"""
# A fresh process. The context's module is imported between the two timings: by then it brings nothing
# the handler has not imported already, but for a few standard library modules. It writes IMPORTED to
# stderr once the handler is imported, so that -X importtime's report of the harness is left out.
IMPORTED = "-- handler imported --"
FRESH_PROCESS = """
import json, sys, time
started = time.perf_counter()
{load}
imported = time.perf_counter()
print({IMPORTED!r}, file=sys.stderr, flush=True)
from infrastructure.local.lambdas import LocalContext
event, context = json.loads(sys.stdin.read()), LocalContext({function!r})
{first_request}
finished = time.perf_counter()
print(json.dumps({{"importSeconds": imported - started, "firstSeconds": finished - begun, "result": result}}))
"""
LOAD_BASELINE = f"scope = {{}}; exec({BASELINE!r}, scope); handler = scope['lambda_handler']"
LOAD_FUNCTION = "from {module} import {handler} as handler"
FIRST_REQUEST = "begun = time.perf_counter(); result = handler(event, context)"
PROFILED_FIRST_REQUEST = f"""
import cProfile, pstats
profiler = cProfile.Profile()
begun = time.perf_counter()
result = profiler.runcall(handler, event, context)
pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats({PROFILE_ROWS})
"""
# A line of -X importtime's report: "import time: <self us> | <cumulative us> | <indent><module>".
IMPORT_TIME = re.compile(r"^import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)$")
# A row of pstats' report: ncalls, tottime, percall, cumtime, percall, where.
PROFILE_ROW = re.compile(r"^\s*[\d/]+\s+[\d.]+\s+[\d.]+\s+([\d.]+)\s+[\d.]+\s+(.+)$")
# Where profiled code lives, shortened in the report to the path below it.
CODE_FOLDERS = sorted(
    {f"{ROOT}/", f"{ROOT}/shared/", *(f"{sysconfig.get_path(kind)}/" for kind in ("purelib", "stdlib"))},
    key=len,
    reverse=True,
)


@dataclass(frozen=True)
class FirstRequest:
    """A function's first request, and how to tell from its answer that it was served: a refusal would
    be a cheaper first request than the one measured."""

    route: str
    event: dict[str, Any]
    served: Callable[[Any], bool]


@dataclass(frozen=True)
class Target:
    """What one fresh process runs."""

    name: str
    load: str
    function: str
    environment: dict[str, str]
    first: FirstRequest


@dataclass(frozen=True)
class Sample:
    import_seconds: float
    first_seconds: float
    result: Any

    @property
    def total_seconds(self) -> float:
        return self.import_seconds + self.first_seconds


def answered(status: int) -> Callable[[Any], bool]:
    return lambda result: isinstance(result, dict) and result.get("statusCode") == status


def no_item_failed(result: Any) -> bool:
    return isinstance(result, dict) and result.get("batchItemFailures") == []


def allowed(result: Any) -> bool:
    return (
        isinstance(result, dict)
        and "policyDocument" in result
        and all(statement["Effect"] == "Allow" for statement in result["policyDocument"]["Statement"])
    )


# --------------------------------------------------------------------------------------- stand-ins


@contextlib.contextmanager
def stubbed_aws() -> Iterator[str]:
    """moto in server mode on loopback, patched as the local runner patches it; yields its endpoint."""
    moto_patches.install()
    # Its request log would bury the report.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextlib.contextmanager
def serving_keys(issuer: LocalIssuer, port: int) -> Iterator[None]:
    """The issuer's JWKS on loopback, for the authorizer's first token check."""

    class Keys(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(issuer.jwks()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Keys)
    threading.Thread(target=server.serve_forever, name="jwks", daemon=True).start()
    try:
        yield
    finally:
        server.shutdown()


def runtime_environment(endpoint: str) -> dict[str, str]:
    """What Lambda's runtime gives every function, with AWS at the stand-in."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        # The webhook subscription's receiver is on loopback, as the local runner's are.
        "ALLOW_LOOPBACK_WEBHOOKS": "true",
    }


def create_resources(template: Template) -> None:
    """The template's resources; afterwards its functions' environments name them."""
    create_tables(template, boto3.client("dynamodb"))
    create_buses(template, boto3.client("events"))
    create_user_pools(template, boto3.client("cognito-idp"))
    create_usage_plans(template, boto3.client("apigateway"))
    create_queues(template, boto3.client("sqs"))


# ---------------------------------------------------------------------------------- first requests


def first_requests(template: Template, identity: LocalIdentity) -> dict[str, FirstRequest]:
    """Seeds what the first requests read, through the functions' own handlers in this process, and
    returns the baseline's and each function's first request."""
    cases: Caller = functools.partial(invoke, cases_app.lambda_handler)
    allocation: Caller = functools.partial(invoke, allocation_app.lambda_handler)
    partners: Caller = functools.partial(invoke, partners_app.lambda_handler)
    assert allocation("POST", "/allocation/teams", TEAM, roles=MANAGER).status == 201  # a case needs its team
    created = cases("POST", "/cases", new_case())
    assert created.status == 201, created.body
    crn: str = created.body["crn"]
    deliver(crn, "probation-case.engagement.created", "created-1", teamCode="N07CAM")
    register(partners, PARTNER_ID)
    etag = {"If-Match": allocation("GET", f"/cases/{crn}/allocation").headers["ETag"]}
    decision = {"partnerId": PARTNER_ID, "justification": "Low risk: CRC contract."}
    allocated = allocation("POST", f"/cases/{crn}/allocation", decision, roles=MANAGER, headers=etag)
    assert allocated.status == 200, allocated.body
    subscription = subscribe(as_partner(partners, PARTNER_ID, ("events.read",)), "http://127.0.0.1:9/hook")
    feed_event(crn, "probation-case.engagement.updated", "updated-1")
    deliveries = stream_new_deliveries(template, PARTNER_ID, subscription["subscriptionId"])["Records"]
    assert deliveries, "the feed event made a delivery to the subscription"
    token = identity.staff_token("jsmith", [Role.PRACTITIONER])["access_token"]
    partner_reads_case = api_event(
        "GET",
        f"/partner/v1/cases/{crn}",
        roles=PARTNER,
        subject=f"client-{PARTNER_ID}",
        partner_id=PARTNER_ID,
        scopes=("cases.read",),
    )
    return {
        BASELINE_NAME: FirstRequest(
            "GET /items/{crn} (one GetItem)", api_event("GET", f"/items/{crn}"), answered(200)
        ),
        "allocation": FirstRequest(
            "GET /cases/{crn}/allocation", api_event("GET", f"/cases/{crn}/allocation"), answered(200)
        ),
        "assessments": FirstRequest(
            "GET /cases/{crn}/assessments", api_event("GET", f"/cases/{crn}/assessments"), answered(200)
        ),
        "authorizer": FirstRequest(
            "a staff bearer token",
            {
                "type": "TOKEN",
                "authorizationToken": f"Bearer {token}",
                "methodArn": f"arn:aws:execute-api:{REGION}:{template.account}:api/bench/GET/cases/{crn}",
            },
            allowed,
        ),
        "cases": FirstRequest("GET /cases/{crn}", api_event("GET", f"/cases/{crn}"), answered(200)),
        "partners": FirstRequest("GET /partner/v1/cases/{crn}", partner_reads_case, answered(200)),
        "sentence_plans": FirstRequest(
            "GET /cases/{crn}/sentence-plans",
            api_event("GET", f"/cases/{crn}/sentence-plans"),
            answered(200),
        ),
        "supervision": FirstRequest(
            "GET /cases/{crn}/compliance", api_event("GET", f"/cases/{crn}/compliance"), answered(200)
        ),
        "publisher": FirstRequest(
            "an outbox insert from the stream", {"Records": stream_records(template)[:1]}, no_item_failed
        ),
        "risk": FirstRequest(
            "POST /risk/calculate",
            api_event("POST", "/risk/calculate", EXAMPLES["end_to_end"]["request"]),
            answered(200),
        ),
        "webhooks": FirstRequest(
            "a new delivery from the stream", {"Records": deliveries[:1]}, no_item_failed
        ),
    }


def targets(template: Template, identity: LocalIdentity, runtime: dict[str, str]) -> list[Target]:
    specs = {spec.module: spec for spec in template.functions()}
    # This process's handlers seed the stand-in quietly; the fresh processes log and print metrics.
    os.environ.update(runtime | {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"})
    for spec in specs.values():
        os.environ.update(
            {name: value for name, value in spec.environment.items() if not name.startswith("POWERTOOLS_")}
        )
    # The local issuers in place of the template's user pools.
    os.environ.update(identity.environment())
    first = first_requests(template, identity)
    missing = set(FUNCTIONS) - set(first)
    assert not missing, f"no first request for {sorted(missing)}"
    cases = specs["functions.cases.app"]
    found = [
        Target(
            BASELINE_NAME,
            LOAD_BASELINE,
            "BaselineFunction",
            # A function's settings, under a name of its own.
            runtime | cases.environment | {"POWERTOOLS_SERVICE_NAME": BASELINE_NAME},
            first[BASELINE_NAME],
        )
    ]
    for name in FUNCTIONS:
        spec = specs[f"functions.{name}.app"]
        load = LOAD_FUNCTION.format(module=spec.module, handler=spec.handler)
        environment = runtime | spec.environment | identity.environment()
        found.append(Target(name, load, spec.logical_id, environment, first[name]))
    return found


# ------------------------------------------------------------------------------------ fresh processes


def run(
    target: Target, *, first_request: str = FIRST_REQUEST, options: tuple[str, ...] = ()
) -> tuple[Sample, str]:
    """One fresh process: its sample and what it wrote to stderr."""
    code = FRESH_PROCESS.format(
        load=target.load, function=target.function, first_request=first_request, IMPORTED=IMPORTED
    )
    # Nothing of this process's environment but the path: a profile or AWS setting of the developer's
    # must not reach the function.
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'shared'}",
        **target.environment,
    }
    finished = subprocess.run(
        [sys.executable, *options, "-c", code],
        input=json.dumps(target.first.event),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environment,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{target.name}: the fresh process failed\n{finished.stderr}")
    report = json.loads(finished.stdout.strip().splitlines()[-1])
    sample = Sample(report["importSeconds"], report["firstSeconds"], report["result"])
    if not target.first.served(sample.result):
        raise RuntimeError(f"{target.name}: {target.first.route} was not served: {sample.result}")
    return sample, finished.stderr


def slowest_imports(report: str) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """From ``-X importtime``: the modules outside the standard library with the most cumulative time,
    and the time each package's own modules took (ms)."""
    cumulative: list[tuple[str, float]] = []
    by_package: dict[str, float] = defaultdict(float)
    for line in report.partition(IMPORTED)[0].splitlines():
        matched = IMPORT_TIME.match(line)
        if matched is None:
            continue
        own, total, module = int(matched[1]) / 1000, int(matched[2]) / 1000, matched[4]
        package = module.split(".")[0]
        if package in sys.stdlib_module_names:
            continue
        cumulative.append((module, total))
        by_package[package] += own
    return (
        sorted(cumulative, key=lambda item: -item[1])[:TOP],
        sorted(by_package.items(), key=lambda item: -item[1])[:TOP],
    )


def profile_rows(report: str) -> list[tuple[str, float]]:
    """From pstats' report, by cumulative time (ms): the calls where the time divides. Every handler's
    first rows are one chain of decorators and the resolver, each with nearly all the time, so a row
    close to the row above it is left out."""
    rows: list[tuple[str, float]] = []
    above = float("inf")
    for line in report.splitlines():
        matched = PROFILE_ROW.match(line)
        if matched is None:
            continue
        where, ms = matched[2], float(matched[1]) * 1000
        if ms < above * PASSED_DOWN or not rows:
            for folder in CODE_FOLDERS:
                where = where.replace(folder, "")
            rows.append((where, ms))
        above = ms
    return rows[:TOP]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per function; the median counts")
    arguments = parser.parse_args()
    keys_port = free_port()
    staff = LocalIssuer(f"http://127.0.0.1:{keys_port}{STAFF_ISSUER_PATH}")
    with stubbed_aws() as endpoint, serving_keys(staff, keys_port):
        os.environ.update(runtime_environment(endpoint))
        template = Template.load({"Stage": "bench"})
        create_resources(template)
        # The partner issuer is named but never asked for its keys: the first request is a staff member's.
        partners = LocalIssuer(f"http://127.0.0.1:{keys_port}{PARTNER_ISSUER_PATH}")
        identity = LocalIdentity(staff, partners, template.physical_name("WebAppClient"))
        runnable = targets(template, identity, runtime_environment(endpoint))
        # A first round is not counted: it writes the bytecode caches a deployed package would hold.
        for target in runnable:
            run(target)
        # Interleaved, so that a slow spell of the machine touches the baseline and the functions alike.
        samples: dict[str, list[Sample]] = {target.name: [] for target in runnable}
        for _ in range(arguments.runs):
            for target in runnable:
                samples[target.name].append(run(target)[0])
        imports = {
            target.name: slowest_imports(run(target, options=("-X", "importtime"))[1]) for target in runnable
        }
        profiles = {
            target.name: profile_rows(run(target, first_request=PROFILED_FIRST_REQUEST)[1])
            for target in runnable
        }
    return report(runnable, samples, imports, profiles, arguments.runs)


def report(
    runnable: list[Target],
    samples: dict[str, list[Sample]],
    imports: dict[str, tuple[list[tuple[str, float]], list[tuple[str, float]]]],
    profiles: dict[str, list[tuple[str, float]]],
    runs: int,
) -> int:
    medians = {
        name: {
            "importMs": round(statistics.median(s.import_seconds for s in taken) * 1000, 1),
            "firstRequestMs": round(statistics.median(s.first_seconds for s in taken) * 1000, 1),
            "totalMs": round(statistics.median(s.total_seconds for s in taken) * 1000, 1),
        }
        for name, taken in samples.items()
    }
    baseline = medians[BASELINE_NAME]["totalMs"]
    print(f"median of {runs} fresh processes; budget {BUDGET_RATIO}, goal {GOAL_RATIO} (total / baseline's)")
    print(f"{'':<12} {'import ms':>10} {'init+first ms':>14} {'total ms':>9} {'ratio':>6}   first request")
    broken = []
    measured: dict[str, dict[str, Any]] = {}
    for target in runnable:
        figures = medians[target.name]
        ratio = figures["totalMs"] / baseline
        verdict = ""
        if target.name != BASELINE_NAME:
            verdict = "OVER BUDGET" if ratio > BUDGET_RATIO else "over goal" if ratio > GOAL_RATIO else "OK"
            if ratio > BUDGET_RATIO:
                broken.append(target.name)
        print(
            f"{target.name:<12} {figures['importMs']:>10.0f} {figures['firstRequestMs']:>14.0f}"
            f" {figures['totalMs']:>9.0f} {ratio:>6.2f}   {target.first.route}  {verdict}"
        )
        cumulative, by_package = imports[target.name]
        measured[target.name] = {
            **figures,
            "ratio": round(ratio, 2),
            "firstRequest": target.first.route,
            "slowestImportsMs": {module: round(ms, 1) for module, ms in cumulative},
            "importMsByPackage": {package: round(ms, 1) for package, ms in by_package},
            "firstRequestProfileMs": [[where, round(ms, 1)] for where, ms in profiles[target.name]],
        }
    for target in runnable:
        cumulative, by_package = imports[target.name]
        print(f"\n{target.name}: slowest imports (cumulative ms, -X importtime)")
        for module, ms in cumulative:
            print(f"  {ms:>7.1f}  {module}")
        print("  by package (own ms): " + ", ".join(f"{package} {ms:.0f}" for package, ms in by_package))
        print(f"{target.name}: first request, {target.first.route} (cumulative ms, cProfile)")
        for where, ms in profiles[target.name]:
            print(f"  {ms:>7.1f}  {where}")
    results.record(
        "cold_start",
        budget={"ratio": BUDGET_RATIO, "goalRatio": GOAL_RATIO},
        ok=not broken,
        figures={
            "baselineMs": baseline,
            "runs": runs,
            "functions": {name: figures for name, figures in measured.items() if name != BASELINE_NAME},
            "baseline": measured[BASELINE_NAME],
            "overBudget": broken,
            "overGoal": [
                name
                for name, figures in measured.items()
                if name != BASELINE_NAME and figures["ratio"] > GOAL_RATIO
            ],
        },
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())

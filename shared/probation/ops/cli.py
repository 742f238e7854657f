"""``python -m probation.ops``: the operator's tools, against AWS or the local runner alike.

    python -m probation.ops --stage prod history X123456
    python -m probation.ops --stage prod replay --from 2026-11-26T09:00:00Z --to 2026-11-26T10:30:00Z
    python -m probation.ops --stage prod redrive probation-webhooks-dlq-prod
    python -m probation.ops --stage prod workload-audit
    PROBATION_SMOKE_CLIENT_SECRET=... python -m probation.ops smoke --stack probation-prod --client-id ID

Against the local runner add ``--stage local --endpoint-url <the AWS stand-in URL that make run prints>``.
The stage names the table and bus as template.yaml does (``probation-cases-<stage>``,
``probation-<stage>``); ``TABLE_NAME`` and ``EVENT_BUS_NAME`` override them.
"""

import argparse
import json
import os
import sys
from dataclasses import asdict
from datetime import UTC, datetime

from pydantic.alias_generators import to_camel

from probation.adapters import aws
from probation.ops.operations import case_history, redrive, replay, stack_outputs
from probation.ops.smoke import SmokeCheck, SmokeFailure
from probation.ops.workloads import workload_drift

# The smoke check's app client secret is read from the environment only, never from the command line,
# where other users of the machine and the pipeline's log could see it.
SMOKE_SECRET_VARIABLE = "PROBATION_SMOKE_CLIENT_SECRET"  # noqa: S105 - its name, not a secret


def _timestamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m probation.ops",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    root.add_argument(
        "--stage", default=os.environ.get("STAGE", "local"), help="deployment stage (default: local)"
    )
    root.add_argument("--endpoint-url", help="an AWS stand-in, e.g. the local runner's moto")
    root.add_argument("--region", default=os.environ.get("AWS_REGION", "eu-west-2"))
    commands = root.add_subparsers(dest="command", required=True)

    history = commands.add_parser("history", help="a case's events, oldest first")
    history.add_argument("crn")
    history.add_argument("--json", action="store_true", help="one JSON object per line")

    replaying = commands.add_parser("replay", help="put the outbox events of a time range back on the bus")
    replaying.add_argument(
        "--from", dest="start", type=_timestamp, required=True, help="ISO 8601; UTC if no zone"
    )
    replaying.add_argument("--to", dest="end", type=_timestamp, required=True)
    replaying.add_argument("--crn", help="only this case's events")

    redriving = commands.add_parser("redrive", help="empty a dead-letter queue back to where it failed")
    redriving.add_argument("queue", help="the dead-letter queue's name")
    redriving.add_argument("--limit", type=int, default=1000, help="at most this many messages")

    commands.add_parser(
        "workload-audit", help="add every practitioner's workload up afresh from the allocations"
    )

    smoking = commands.add_parser(
        "smoke",
        help="the post-deploy check: health, a partner app client's token, a read, a write and its event",
        description=f"The app client's secret is read from {SMOKE_SECRET_VARIABLE}.",
    )
    smoking.add_argument("--base-url", help="the API's base URL (the stack's ApiUrl output)")
    smoking.add_argument(
        "--token-url",
        help="the token endpoint for client credentials (the stack's PartnerTokenUrl output; locally "
        "<base URL>/local/partners/oauth2/token)",
    )
    smoking.add_argument(
        "--stack", help="a CloudFormation stack whose ApiUrl and PartnerTokenUrl outputs give both URLs"
    )
    smoking.add_argument(
        "--client-id",
        default=os.environ.get("PROBATION_SMOKE_CLIENT_ID"),
        help="the app client of a partner that holds a test case (default: $PROBATION_SMOKE_CLIENT_ID)",
    )
    smoking.add_argument("--crn", help="the test case (default: the first the partner holds)")
    smoking.add_argument(
        "--event-timeout", type=float, default=60.0, help="seconds to wait for the write's event (60)"
    )
    return root


def smoke(arguments: argparse.Namespace) -> int:
    discovered = stack_outputs(arguments.stack) if arguments.stack else {}
    base_url = arguments.base_url or discovered.get("ApiUrl")
    token_url = arguments.token_url or discovered.get("PartnerTokenUrl")
    secret = os.environ.get(SMOKE_SECRET_VARIABLE)
    missing = [
        name
        for name, value in (
            ("--base-url (or --stack)", base_url),
            ("--token-url (or --stack)", token_url),
            ("--client-id", arguments.client_id),
            (SMOKE_SECRET_VARIABLE, secret),
        )
        if not value
    ]
    if missing or base_url is None or token_url is None or secret is None:
        sys.stderr.write(f"smoke check not run: {', '.join(missing)} not given\n")
        return 2
    check = SmokeCheck(
        base_url=base_url.rstrip("/"),
        token_url=token_url,
        client_id=arguments.client_id,
        client_secret=secret,
        crn=arguments.crn,
        event_timeout_seconds=arguments.event_timeout,
        report=lambda line: print(line, flush=True),
    )
    try:
        check.run()
    except SmokeFailure as failure:
        sys.stderr.write(f"smoke check FAILED at {failure}\n")
        return 1
    sys.stdout.write(f"smoke check passed against {check.base_url}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    os.environ.setdefault("TABLE_NAME", f"probation-cases-{arguments.stage}")
    os.environ.setdefault("EVENT_BUS_NAME", f"probation-{arguments.stage}")
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = arguments.region
    if arguments.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = arguments.endpoint_url
    aws.forget_clients()

    if arguments.command == "history":
        lines = case_history(arguments.crn)
        for line in lines:
            if arguments.json:
                # Named as the events name them.
                sys.stdout.write(json.dumps({to_camel(k): v for k, v in asdict(line).items()}) + "\n")
            else:
                sys.stdout.write(
                    f"{line.occurred_at}  {line.event_type:<45} {line.event_id}  {line.description}\n"
                )
        if not lines:
            sys.stderr.write(f"no events for {arguments.crn}\n")
        return 0 if lines else 1
    if arguments.command == "smoke":
        return smoke(arguments)
    if arguments.command == "workload-audit":
        return workload_audit()
    if arguments.command == "replay":
        if arguments.end < arguments.start:
            sys.stderr.write("--to is before --from\n")
            return 2
        count = replay(arguments.start, arguments.end, arguments.crn)
        noun = "event" if count == 1 else "events"
        sys.stdout.write(f"replayed {count} {noun} onto {os.environ['EVENT_BUS_NAME']}\n")
        return 0
    result = redrive(arguments.queue, arguments.limit)
    sys.stdout.write(
        f"{arguments.queue}: {result.moved} redriven, {result.replayed} outbox events replayed, "
        f"{result.left} not understood and left in the queue\n"
    )
    return 0 if result.left == 0 else 1


def workload_audit() -> int:
    """Says which practitioners' kept workload drifted from what their allocated cases add up to: exit 1."""
    drifted = workload_drift()
    for entry in drifted:
        differences = ", ".join(
            f"{field} {getattr(entry.stored, field)} (their cases add up to {getattr(entry.expected, field)})"
            for field in entry.fields
        )
        sys.stdout.write(f"{entry.practitioner_code}: {differences}\n")
    if not drifted:
        sys.stdout.write("every practitioner's workload is what their allocated cases add up to\n")
    return 1 if drifted else 0

"""`make run`: the local stack on http://127.0.0.1:3000 (PORT overrides) with demo data, until Ctrl-C.

What it records is kept in the data folder (default .local/) and is there again at the next start.
`python -m infrastructure.local faults|hold ...` changes a running stack's faults (see ops.py)."""

import argparse
import logging
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from infrastructure.local import ops
from infrastructure.local.demo import allocate_some, seed, seed_sentence_plans, stop_with
from infrastructure.local.stack import SAVE_INTERVAL_SECONDS, LocalStack
from infrastructure.local.state import IncompatibleState, StateFolder

DEFAULT_DATA_DIR = Path(".local")
SIGNAL_CHECK_SECONDS = 0.2


def main() -> None:
    if sys.argv[1:2] and sys.argv[1] in ops.COMMANDS:
        sys.exit(ops.main(sys.argv[1:]))
    parser = argparse.ArgumentParser(prog="python -m infrastructure.local", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument(
        "--moto-port", type=int, default=None, help="port for the AWS stand-in (default: any free)"
    )
    parser.add_argument("--no-demo", action="store_true", help="start empty, without demo data")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("DATA_DIR", DEFAULT_DATA_DIR)),
        help=f"where the state is kept between runs (default: {DEFAULT_DATA_DIR}/)",
    )
    parser.add_argument("--reset", action="store_true", help="forget the saved state and start afresh")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    if arguments.reset:
        StateFolder(arguments.data_dir).clear()
    stack = LocalStack(port=arguments.port, data_dir=arguments.data_dir)
    if arguments.moto_port is not None:
        stack.moto_port = arguments.moto_port
    try:
        stack.start()
    except IncompatibleState as refused:
        sys.stderr.write(
            f"\nThe local state was not loaded: {refused}.\n"
            f"Nothing of it was used. Run `make reset` to start afresh with new demo data "
            f"(it deletes {arguments.data_dir}/).\n"
        )
        sys.exit(2)

    if not stack.restored and not arguments.no_demo:
        # The loader is a client like any other, in a process of its own: in this one it would take turns
        # with the stand-in and the gateway for the one interpreter lock that all of them share.
        in_its_own_process = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(
            max_workers=1, mp_context=in_its_own_process, initializer=stop_with, initargs=(os.getpid(),)
        ) as loader:
            demo = loader.submit(seed, stack.base_url).result()
            stack.wait_until_settled()  # the demo's events reach every service before the allocations
            loader.submit(allocate_some, stack.base_url, demo.crns).result()
            loader.submit(seed_sentence_plans, stack.base_url, demo.crns).result()
        stack.record_demo(demo.describe())
    stack.wait_until_settled()  # every event applied, the demo's or those a restart found undelivered
    stack.mark_ready()
    print_banner(stack, arguments.data_dir)

    stopped = threading.Event()
    # Handled explicitly: a shell that starts make in the background leaves SIGINT ignored otherwise.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stopped.set())
    try:
        # In short waits: a signal that the kernel hands to another thread only sets a flag, which the main
        # thread acts on when it next runs Python code; blocked in one long wait, it never would (a SIGTERM
        # sent just as the stack became ready was lost so).
        while not stopped.wait(SIGNAL_CHECK_SECONDS):
            pass
    finally:
        sys.stdout.write("stopping: delivering what is in flight and saving the state...\n")
        sys.stdout.flush()
        stack.stop()
        sys.stdout.write(f"stopped; the state is kept in {arguments.data_dir}/\n")


def print_banner(stack: LocalStack, data_dir: Path) -> None:
    url = stack.base_url
    kept = (
        f"  State         {data_dir}/ (as it was at the last stop; `make reset` starts afresh)"
        if stack.restored
        else f"  State         {data_dir}/ (new; kept across restarts, `make reset` starts afresh)"
    )
    sys.stdout.write(
        f"""
Probation casework platform running at {url}   (Ctrl-C stops everything)

  Health        {url}/health
  API docs      {url}/swagger      (contract: {url}/openapi.json)
  AWS stand-in  {stack.aws_endpoint}  (moto: DynamoDB, Streams, EventBridge, SQS, CloudWatch)
  Faults        LOCAL_AWS_ENDPOINT={stack.aws_endpoint} \\
                  python -m infrastructure.local faults 'TransactionConflict=0.3'   ('' turns them off)
{kept}
                saved within {SAVE_INTERVAL_SECONDS:g} s of every change; Ctrl-C saves everything
{stack.demo_summary}
Get a token (roles: practitioner, manager, admin, partner), then call the API with it:

  TOKEN=$(curl -s -X POST {url}/local/token -H 'Content-Type: application/json' \\
          -d '{{"sub": "jsmith", "roles": ["practitioner"]}}' \\
          | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -s {url}/cases?lastName=Smith\\&dateOfBirth=1990-01-01 -H "Authorization: Bearer $TOKEN"
"""
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()

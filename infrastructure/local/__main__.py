"""`make run`: the local stack on http://127.0.0.1:3000 (PORT overrides) with demo data, until Ctrl-C."""

import argparse
import logging
import os
import signal
import sys
import threading

from infrastructure.local.demo import allocate_some, seed
from infrastructure.local.stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.local", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument(
        "--moto-port", type=int, default=None, help="port for the AWS stand-in (default: any free)"
    )
    parser.add_argument("--no-demo", action="store_true", help="start empty, without demo data")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    stack = (
        LocalStack(port=arguments.port)
        if arguments.moto_port is None
        else LocalStack(port=arguments.port, moto_port=arguments.moto_port)
    )
    stack.start()
    summary = ""
    if not arguments.no_demo:
        demo = seed(stack.base_url)
        stack.wait_until_idle()  # the demo's events reach every service before the banner says it is ready
        allocate_some(stack.base_url, demo.crns)
        stack.wait_until_idle()
        summary = demo.describe()
    print_banner(stack, summary)

    stopped = threading.Event()
    # Handled explicitly: a shell that starts make in the background leaves SIGINT ignored otherwise.
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stopped.set())
    try:
        stopped.wait()
    finally:
        stack.stop()
        sys.stdout.write("stopped\n")


def print_banner(stack: LocalStack, summary: str) -> None:
    url = stack.base_url
    sys.stdout.write(
        f"""
Probation casework platform running at {url}   (Ctrl-C stops everything)

  Health        {url}/health
  API docs      {url}/swagger      (contract: {url}/openapi.json)
  AWS stand-in  {stack.aws_endpoint}  (moto: DynamoDB, Streams, EventBridge, SQS, CloudWatch)
{summary}
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

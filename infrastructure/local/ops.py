"""`python -m infrastructure.local faults|hold SETTING --aws-endpoint URL`: changes the AWS stand-in's
faults or hold while the stack runs, as ``LOCAL_AWS_FAULTS`` and ``LOCAL_AWS_HOLD`` set them at its start.
An empty SETTING turns them off; no SETTING shows what is set."""

import argparse
import json
import os
import sys
from typing import Any

import requests

from infrastructure.local.moto_patches import OPS_PREFIX

COMMANDS = ("faults", "hold")
ENDPOINT_VARIABLE = "LOCAL_AWS_ENDPOINT"


def change(aws_endpoint: str, name: str, setting: str | None) -> dict[str, Any]:
    """What the stand-in says is set after ``setting`` (None only asks); ValueError if it refused it."""
    url = f"{aws_endpoint.rstrip('/')}{OPS_PREFIX}{name}"
    response = (
        requests.get(url, timeout=10) if setting is None else requests.post(url, data=setting, timeout=10)
    )
    answer: dict[str, Any] = response.json()
    if response.status_code != 200:
        raise ValueError(answer.get("error", response.text))
    return answer


def main(arguments: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m infrastructure.local", description=__doc__)
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument(
        "setting",
        nargs="?",
        help="faults: e.g. 'TransactionConflict=0.5,Throttling=0.1'; hold: e.g. 'parties=2,match=X123456'",
    )
    parser.add_argument(
        "--aws-endpoint",
        default=os.environ.get(ENDPOINT_VARIABLE),
        help=f"the running stack's AWS stand-in, as its banner prints it (default: ${ENDPOINT_VARIABLE})",
    )
    parsed = parser.parse_args(arguments)
    if not parsed.aws_endpoint:
        parser.error(f"--aws-endpoint (or ${ENDPOINT_VARIABLE}) is needed: the banner of `make run` shows it")
    try:
        answer = change(parsed.aws_endpoint, parsed.command, parsed.setting)
    except ValueError as refused:
        sys.stderr.write(f"refused: {refused}\n")
        return 2
    except requests.ConnectionError:
        sys.stderr.write(f"no local stack answers at {parsed.aws_endpoint}\n")
        return 1
    sys.stdout.write(json.dumps(answer) + "\n")
    return 0

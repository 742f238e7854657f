"""``python -m probation.risk calculate FILE.json|-``: the calculator for bulk work, offline.

Reads a JSON array of requests or JSON lines (one request per line) and writes one result per
request in the same form: exactly what ``POST /risk/calculate`` returns, or, for a request that does
not parse, the 422 problem the endpoint would return. A progress bar goes to a terminal's stderr.
"""

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any, TextIO

from pydantic import ValidationError

from probation.api.problems import validation_problem
from probation.risk.calculator import calculate
from probation.risk.request import RiskCalculationRequest

PROGRESS_THRESHOLD = 200
PROGRESS_WIDTH = 40


class InputError(Exception):
    pass


def read_requests(text: str) -> tuple[list[Any], bool]:
    """The requests in ``text`` and whether they came as one JSON array (else JSON lines)."""
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise InputError(f"not a JSON array: {error}") from error
        return list(items), True
    items = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except json.JSONDecodeError as error:
                raise InputError(f"line {number} is not JSON: {error}") from error
    return items, False


def respond(item: Any, today: date | None) -> dict[str, Any]:
    try:
        request = RiskCalculationRequest.model_validate(item)
    except ValidationError as error:
        return validation_problem(error.errors())
    result: dict[str, Any] = calculate(request, today=today).model_dump(mode="json")
    return result


def results(items: list[Any], today: date | None, progress: TextIO | None) -> Iterator[dict[str, Any]]:
    for done, item in enumerate(items, start=1):
        yield respond(item, today)
        if progress is not None:
            filled = PROGRESS_WIDTH * done // len(items)
            progress.write(f"\r[{'#' * filled}{' ' * (PROGRESS_WIDTH - filled)}] {done}/{len(items)}")
            if done == len(items):
                progress.write("\n")


def main(argv: list[str] | None = None, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m probation.risk", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    calculate_command = commands.add_parser("calculate", help="score every request in FILE (- for stdin)")
    calculate_command.add_argument("source", help="a JSON array or JSON lines of calculator requests, or -")
    calculate_command.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the date to assume when a request has no assessmentDate",
    )
    arguments = parser.parse_args(argv)

    try:
        if arguments.source == "-":
            text = stdin.read()
        else:
            with open(arguments.source, encoding="utf-8") as source:
                text = source.read()
        items, as_array = read_requests(text)
    except (OSError, InputError) as error:
        sys.stderr.write(f"cannot read {arguments.source}: {error}\n")
        return 2

    progress = sys.stderr if sys.stderr.isatty() and len(items) >= PROGRESS_THRESHOLD else None
    outputs = results(items, arguments.today, progress)
    if as_array:
        json.dump(list(outputs), stdout)
        stdout.write("\n")
    else:
        for output in outputs:
            stdout.write(json.dumps(output) + "\n")
    return 0

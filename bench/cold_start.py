"""Cold start: each function's import and initialisation time in a fresh process, as a ratio to a minimal
Powertools handler with the same dependencies, measured in the same run.

Run from the project root: ``python -m bench.cold_start``. Exits non-zero when a function's ratio is over
the budget.
"""

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench import results

BUDGET_RATIO = 1.3
ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS = sorted(p.parent.name for p in (ROOT / "functions").glob("*/app.py"))

# The least a function here could be: the same libraries, and Powertools' own minimal example of an API
# handler with its logger, tracer and metrics decorators (the tracer's decorator loads the X-Ray SDK).
BASELINE = """
import boto3, pydantic
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
app, logger, tracer, metrics = APIGatewayRestResolver(enable_validation=True), Logger(), Tracer(), Metrics()
@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}
@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event, context):
    return app.resolve(event, context)
"""
TIMED = "import time; started = time.perf_counter(); {code}; print(time.perf_counter() - started)"
ENVIRONMENT = {
    "AWS_REGION": "eu-west-2",
    "AWS_DEFAULT_REGION": "eu-west-2",
    "POWERTOOLS_SERVICE_NAME": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Probation",
    "TABLE_NAME": "bench",
    "IDEMPOTENCY_TABLE_NAME": "bench",
    "EVENT_BUS_NAME": "bench",
}


def seconds(code: str) -> float:
    environment = {**os.environ, **ENVIRONMENT, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'shared'}"}
    output = subprocess.run(
        [sys.executable, "-c", TIMED.format(code=code)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=environment,
    ).stdout
    return float(output.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per function; the median counts")
    arguments = parser.parse_args()
    baseline_code = f"exec({BASELINE!r})"
    # Interleaved, so that a slow spell of the machine touches the baseline and the functions alike.
    samples: dict[str, list[float]] = {name: [] for name in ("baseline", *FUNCTIONS)}
    for _ in range(arguments.runs):
        samples["baseline"].append(seconds(baseline_code))
        for name in FUNCTIONS:
            samples[name].append(seconds(f"import functions.{name}.app"))
    baseline = statistics.median(samples["baseline"])
    header = f"{'function':<12} {'median ms':>10} {'ratio':>6}"
    print(f"{header}   (baseline {baseline * 1000:.0f} ms, budget {BUDGET_RATIO})")
    broken = []
    measured: dict[str, dict[str, float]] = {}
    for name in FUNCTIONS:
        median = statistics.median(samples[name])
        ratio = median / baseline
        verdict = "OK" if ratio <= BUDGET_RATIO else "OVER BUDGET"
        print(f"{name:<12} {median * 1000:>10.0f} {ratio:>6.2f}   {verdict}")
        measured[name] = {"medianMs": round(median * 1000, 1), "ratio": round(ratio, 2)}
        if ratio > BUDGET_RATIO:
            broken.append(name)
    results.record(
        "cold_start",
        budget={"ratio": BUDGET_RATIO},
        ok=not broken,
        figures={
            "baselineMs": round(baseline * 1000, 1),
            "runs": arguments.runs,
            "functions": measured,
            "overBudget": broken,
        },
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())

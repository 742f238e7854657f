"""``bench/results.json``: every benchmark's latest figures, one top-level key per benchmark.

Each benchmark calls :func:`record` once, at the end of its run; its entry is replaced and every other
benchmark's entry is kept, so ``make bench`` leaves one file with the whole picture.
"""

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def record(benchmark: str, *, budget: Any, ok: bool, figures: dict[str, Any]) -> None:
    """Writes ``benchmark``'s figures, its budget and whether it met it, merged into the file."""
    try:
        existing = json.loads(RESULTS.read_text())
    except (FileNotFoundError, ValueError):
        existing = {}
    if not isinstance(existing, dict):
        existing = {}
    existing[benchmark] = {
        "budget": budget,
        "ok": ok,
        "recordedAt": datetime.now(UTC).replace(microsecond=0).isoformat(),
        **figures,
    }
    # Written beside the file and renamed over it, so an interrupted run never leaves half a file.
    partial = RESULTS.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    partial.replace(RESULTS)

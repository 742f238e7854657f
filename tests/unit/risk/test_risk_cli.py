"""``python -m probation.risk calculate``: one endpoint response per request, arrays and JSON lines alike."""

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from probation.risk.cli import main

EXAMPLE = json.loads((Path(__file__).parent / "data" / "examples.json").read_text())["end_to_end"]


def run(stdin: str, *arguments: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["calculate", "-", *arguments], stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_an_array_in_gives_an_array_of_endpoint_responses_out() -> None:
    code, out = run(json.dumps([EXAMPLE["request"], EXAMPLE["request"]]))
    assert code == 0
    results = json.loads(out)
    assert len(results) == 2
    assert results[0]["rsr"]["score"] == EXAMPLE["expected"]["rsr"]["score"]
    assert results[0]["allReoffending"]["dynamic"]["score"] == EXAMPLE["expected"]["allReoffending"]["score"]


def test_json_lines_in_gives_json_lines_out_with_problems_for_what_does_not_parse() -> None:
    bad: dict[str, Any] = {**EXAMPLE["request"], "ageAtFirstSanction": "forty"}
    code, out = run(f"{json.dumps(EXAMPLE['request'])}\n\n{json.dumps(bad)}\n")
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["directContactSexual"]["points"] == EXAMPLE["expected"]["directContactSexual"]["points"]
    assert second["status"] == 422
    assert [error["field"] for error in second["errors"]] == ["ageAtFirstSanction"]


def test_today_stands_in_for_a_missing_assessment_date() -> None:
    request = {key: value for key, value in EXAMPLE["request"].items() if key != "assessmentDate"}
    _, with_today = run(json.dumps([request]), "--today", EXAMPLE["request"]["assessmentDate"])
    _, with_date = run(json.dumps([EXAMPLE["request"]]))
    assert json.loads(with_today) == json.loads(with_date)


@pytest.mark.parametrize("text", ["[1, 2", "{not json}\n"])
def test_unreadable_input_exits_2(text: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(text)
    assert (code, out) == (2, "")
    assert "cannot read" in capsys.readouterr().err


def test_it_runs_as_a_module_on_a_file(tmp_path: Path) -> None:
    source = tmp_path / "requests.json"
    source.write_text(json.dumps([EXAMPLE["request"]]))
    completed = subprocess.run(
        [sys.executable, "-m", "probation.risk", "calculate", str(source)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(completed.stdout)[0]["rsr"]["band"] == EXAMPLE["expected"]["rsr"]["band"]

"""``python -m probation.ops workload-audit`` on moto: every practitioner's workload added up afresh from the
allocations, and drift named."""

import boto3
import pytest

from infrastructure.template import Template
from probation.adapters import keys
from probation.ops.cli import main
from tests.component.conftest import Caller
from tests.component.test_allocation_lifecycle import allocated_case, create_teams


def audit(capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()  # what the setting up wrote
    code = main(["--stage", "test", "workload-audit"])
    return code, capsys.readouterr().out


def test_workloads_that_are_their_cases_sum_pass_the_audit(
    api: Caller, allocation_api: Caller, capsys: pytest.CaptureFixture[str]
) -> None:
    create_teams(allocation_api)
    allocated_case(api, allocation_api, "PO001")
    allocated_case(api, allocation_api, "PO002", last_name="Roe")
    code, out = audit(capsys)
    assert (code, out) == (0, "every practitioner's workload is what their allocated cases add up to\n")


def test_a_drifted_workload_is_named_with_what_its_cases_add_up_to(
    api: Caller,
    allocation_api: Caller,
    template: Template,
    capsys: pytest.CaptureFixture[str],
) -> None:
    create_teams(allocation_api)
    allocated_case(api, allocation_api, "PO001")
    held = allocation_api("GET", "/allocation/practitioners/PO001").body["workload"]
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    table.update_item(
        Key=keys.staff_key("PO001"),
        UpdateExpression="SET workload.points = :points, workload.mappa = :mappa",
        ExpressionAttributeValues={":points": held["points"] + 30, ":mappa": 0},
    )
    code, out = audit(capsys)
    assert code == 1
    assert out == (
        f"PO001: points {held['points'] + 30} (their cases add up to {held['points']}), "
        "mappa 0 (their cases add up to 1)\n"
    )

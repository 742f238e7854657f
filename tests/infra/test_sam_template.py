"""template.yaml: valid, least-privilege, and in step with the code that serves it."""

import re
import tomllib

from cfnlint.api import lint

from infrastructure.openapi import CONTRACT, merged_spec, render
from infrastructure.template import ROOT, TEMPLATE, Template

PARAMETERS = {
    "Stage": "ci",
    "TokenIssuer": "https://issuer",
    "TokenAudience": "aud",
    "JwksUrl": "https://jwks",
}


# Case data of people on probation in England and Wales stays in the UK: the stack deploys to London.
DEPLOYMENT_REGIONS = ["eu-west-2"]


def test_cfn_lint_reports_no_errors() -> None:
    errors = [m for m in lint(TEMPLATE.read_text(), regions=DEPLOYMENT_REGIONS) if m.rule.id.startswith("E")]
    assert errors == [], "\n".join(str(m) for m in errors)


def test_every_template_route_is_served_by_its_function_and_nothing_else_is() -> None:
    template_routes = {(route.method, route.path) for route in Template.load(PARAMETERS).api_routes()}
    code_routes = {
        (method.upper(), path) for path, operations in merged_spec()["paths"].items() for method in operations
    }
    assert template_routes == code_routes


def test_the_committed_openapi_contract_matches_the_code() -> None:
    assert CONTRACT.read_text() == render(merged_spec()), "run `make openapi` and commit openapi.json"


def test_the_table_is_protected_and_streams_changes() -> None:
    table = Template.load(PARAMETERS).properties("CaseTable")
    assert table["DeletionProtectionEnabled"] is True
    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["SSESpecification"]["SSEType"] == "KMS"
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}


def test_no_policy_grants_every_action() -> None:
    template = Template.load(PARAMETERS)
    for logical_id in template.of_type("AWS::Serverless::Function"):
        for policy in template.properties(logical_id).get("Policies", []):
            statements = policy.get("Statement", []) if isinstance(policy, dict) else []
            for statement in statements:
                actions = (
                    statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
                )
                assert "*" not in actions, logical_id


def test_the_layer_ships_the_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {dependency for dependency in project["dependencies"] if not dependency.startswith("boto3")}
    layer = {
        line.strip()
        for line in (ROOT / "shared" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert layer == runtime


def test_no_request_path_scans_the_table() -> None:
    code = [p for folder in ("functions", "shared") for p in (ROOT / folder).rglob("*.py")]
    scanning = [
        str(p.relative_to(ROOT)) for p in code if re.search(r"\.scan\(|['\"]Scan['\"]", p.read_text())
    ]
    assert scanning == []


def test_stream_publisher_only_sees_new_outbox_items() -> None:
    events = Template.load(PARAMETERS).properties("PublisherFunction")["Events"]
    stream = events["OutboxStream"]["Properties"]
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "EVT#" in stream["FilterCriteria"]["Filters"][0]["Pattern"]

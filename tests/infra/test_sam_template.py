"""template.yaml: valid, least-privilege, and in step with the code that serves it."""

import json
import re
import tomllib
from collections import defaultdict
from typing import Any

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


def _function_statements(template: Template) -> list[tuple[str, dict[str, Any]]]:
    """Every inline IAM statement of every function, with the function's logical id."""
    found = []
    for logical_id in template.of_type("AWS::Serverless::Function"):
        for policy in template.properties(logical_id).get("Policies", []):
            statements = policy.get("Statement", []) if isinstance(policy, dict) else []
            found += [(logical_id, statement) for statement in statements]
    return found


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_policy_grants_every_action() -> None:
    statements = _function_statements(Template.load(PARAMETERS))
    assert statements, "the functions' own statements are found"
    for logical_id, statement in statements:
        assert not any(action == "*" or action.endswith(":*") for action in _listed(statement["Action"])), (
            logical_id
        )


def test_no_function_policy_grants_every_resource() -> None:
    """Each statement names its resources. (A KMS key policy's "*" is the key itself, the only form a key
    policy allows; SAM's X-Ray and policy templates are scoped by SAM.)"""
    for logical_id, statement in _function_statements(Template.load(PARAMETERS)):
        assert "*" not in _listed(statement["Resource"]), logical_id
    key_policy = Template.load(PARAMETERS).properties("DataKey")["KeyPolicy"]["Statement"]
    administrators = [s["Principal"] for s in key_policy if "kms:*" in _listed(s["Action"])]
    assert administrators == [{"AWS": "arn:aws:iam::123456789012:root"}], (
        "only the account administers the key"
    )


def test_the_layer_ships_the_runtime_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {dependency for dependency in project["dependencies"] if not dependency.startswith("boto3")}
    layer = {
        line.strip()
        for line in (ROOT / "shared" / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert layer == runtime


# The operator's replay of a time range across every case: offline recovery, never a request's path.
OFFLINE_TOOLS = ROOT / "shared" / "probation" / "ops"


def test_no_request_path_scans_the_table() -> None:
    code = [p for folder in ("functions", "shared") for p in (ROOT / folder).rglob("*.py")]
    scanning = [
        str(p.relative_to(ROOT))
        for p in code
        if re.search(r"\.scan\(|['\"]Scan['\"]", p.read_text()) and OFFLINE_TOOLS not in p.parents
    ]
    assert scanning == []


def test_stream_publisher_only_sees_new_outbox_items() -> None:
    events = Template.load(PARAMETERS).properties("PublisherFunction")["Events"]
    stream = events["OutboxStream"]["Properties"]
    assert stream["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert "EVT#" in stream["FilterCriteria"]["Filters"][0]["Pattern"]


# ---------------------------------------------------------------- operations

STREAM_EVENT_TYPES = {"DynamoDB", "Kinesis"}


def _alarms(template: Template) -> dict[str, dict[str, Any]]:
    """Every alarm's properties as written (unresolved): SAM-generated queues are not in the raw template."""
    return {
        logical_id: spec["Properties"]
        for logical_id, spec in template.of_type("AWS::CloudWatch::Alarm").items()
    }


def _watched_metrics(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    """The metrics an alarm watches: its own, or those its metric math adds up."""
    if "MetricName" in alarm:
        return [alarm]
    return [query["MetricStat"]["Metric"] for query in alarm.get("Metrics", []) if "MetricStat" in query]


def _dimension(metric: dict[str, Any], name: str) -> Any:
    return next(
        (dimension["Value"] for dimension in metric.get("Dimensions", []) if dimension["Name"] == name), None
    )


def _get_att(value: Any) -> tuple[str, str] | None:
    """(logical id, attribute) of an unresolved ``Fn::GetAtt``, else None."""
    if not isinstance(value, dict) or "Fn::GetAtt" not in value:
        return None
    argument = value["Fn::GetAtt"]
    logical_id, attribute = argument if isinstance(argument, list) else str(argument).split(".", 1)
    return str(logical_id), str(attribute)


def _function_timeout_seconds(template: Template, logical_id: str) -> int:
    default = template.raw.get("Globals", {}).get("Function", {}).get("Timeout", 3)
    return int(template.properties(logical_id).get("Timeout", default))


def _dead_letter_queues(template: Template) -> set[str]:
    """Logical ids of the queues that something dead-letters to: a queue's redrive policy, a function's
    dead-letter queue or failure destination, an event source mapping's failure destination, or an
    EventBridge rule's dead-letter queue (SAM creates it as ``<Function><Event>Queue`` if given no Arn).
    """
    queue_by_arn = {
        template.arn(queue): queue
        for queue in [*template.of_type("AWS::SQS::Queue"), *template.rule_dead_letter_queues()]
    }
    queues = set()
    for queue in template.of_type("AWS::SQS::Queue"):
        redrive = template.properties(queue).get("RedrivePolicy")
        if redrive:
            queues.add(queue_by_arn[redrive["deadLetterTargetArn"]])
    for function in template.of_type("AWS::Serverless::Function"):
        properties = template.properties(function)
        dead_letter = properties.get("DeadLetterQueue", {})
        if dead_letter.get("Type") == "SQS":
            queues.add(queue_by_arn[dead_letter["TargetArn"]])
        on_failures = [
            properties.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure", {})
        ]
        for event_id, event in properties.get("Events", {}).items():
            event_properties = event.get("Properties", {})
            on_failures.append(event_properties.get("DestinationConfig", {}).get("OnFailure", {}))
            rule_dead_letter = event_properties.get("DeadLetterConfig")
            if event["Type"] == "EventBridgeRule" and rule_dead_letter:
                if "Arn" in rule_dead_letter:
                    queues.add(queue_by_arn[rule_dead_letter["Arn"]])
                else:
                    queues.add(rule_dead_letter.get("QueueLogicalId", f"{function}{event_id}Queue"))
        queues.update(
            queue_by_arn[on_failure["Destination"]]
            for on_failure in on_failures
            if on_failure.get("Type") == "SQS"
        )
    return queues


def test_every_function_alarms_on_errors_throttles_and_duration_near_its_timeout() -> None:
    template = Template.load(PARAMETERS)
    watched: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for alarm in _alarms(template).values():
        for metric in _watched_metrics(alarm):
            if metric["Namespace"] == "AWS/Lambda":
                function_name = template.resolve(_dimension(metric, "FunctionName"))
                watched[function_name][metric["MetricName"]] = alarm
    for logical_id in template.of_type("AWS::Serverless::Function"):
        events = template.properties(logical_id).get("Events", {})
        reads_a_stream = any(event["Type"] in STREAM_EVENT_TYPES for event in events.values())
        expected = {"Errors", "Throttles", "Duration"} | ({"IteratorAge"} if reads_a_stream else set())
        alarms = watched[template.physical_name(logical_id)]
        assert expected <= alarms.keys(), logical_id
        timeout_ms = _function_timeout_seconds(template, logical_id) * 1000
        assert alarms["Duration"]["Threshold"] == 0.8 * timeout_ms, logical_id


def test_every_function_logs_to_its_own_log_group() -> None:
    template = Template.load(PARAMETERS)
    for logical_id in template.of_type("AWS::Serverless::Function"):
        log_group = template.resources[logical_id]["Properties"].get("LoggingConfig", {}).get("LogGroup")
        assert isinstance(log_group, dict), (
            f"{logical_id} needs LoggingConfig: {{LogGroup: !Ref <its log group>}}"
        )
        assert template.resources[log_group["Ref"]]["Type"] == "AWS::Logs::LogGroup", logical_id
        name = template.properties(log_group["Ref"])["LogGroupName"]
        assert name == f"/aws/lambda/{template.physical_name(logical_id)}", logical_id


def test_every_log_group_is_kept_90_days_and_encrypted_with_the_data_key() -> None:
    template = Template.load(PARAMETERS)
    log_groups = template.of_type("AWS::Logs::LogGroup")
    assert log_groups
    for logical_id, spec in log_groups.items():
        assert spec["Properties"]["RetentionInDays"] == 90, logical_id
        assert _get_att(spec["Properties"]["KmsKeyId"]) == ("DataKey", "Arn"), logical_id
    statements = template.properties("DataKey")["KeyPolicy"]["Statement"]
    logs = [s for s in statements if s["Principal"].get("Service") == f"logs.{template.region}.amazonaws.com"]
    assert logs, "the key policy must let CloudWatch Logs use the key"


def test_every_dead_letter_queue_alarms_on_its_first_message() -> None:
    template = Template.load(PARAMETERS)
    dead_letter_queues = _dead_letter_queues(template) | {
        queue for queue in template.of_type("AWS::SQS::Queue") if "dlq" in template.physical_name(queue)
    }
    # SAM's queue for an EventBridge rule is found too, though it is not in the raw template.
    assert "PartnersFunctionFeedPartnersQueue" in dead_letter_queues
    watched = set()
    for alarm in _alarms(template).values():
        for metric in _watched_metrics(alarm):
            queue = _get_att(_dimension(metric, "QueueName"))
            if metric["MetricName"] == "ApproximateNumberOfMessagesVisible" and queue:
                assert alarm["Threshold"] == 1
                assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
                watched.add(queue[0])
    assert dead_letter_queues - watched == set()


def test_the_api_alarms_on_5xx_and_latency() -> None:
    template = Template.load(PARAMETERS)
    api = template.properties("Api")
    watched = {
        metric["MetricName"]
        for alarm in _alarms(template).values()
        for metric in _watched_metrics(alarm)
        if metric["Namespace"] == "AWS/ApiGateway"
        and template.resolve(_dimension(metric, "ApiName")) == api["Name"]
        and template.resolve(_dimension(metric, "Stage")) == api["StageName"]
    }
    assert {"5XXError", "Latency"} <= watched


def test_every_alarm_notifies_the_alarm_topic_and_tells_the_operator_what_it_means() -> None:
    template = Template.load(PARAMETERS)
    topic = template.resolve({"Ref": "AlarmTopic"})
    names = []
    for logical_id, alarm in _alarms(template).items():
        assert topic in template.resolve(alarm["AlarmActions"]), logical_id
        assert topic in template.resolve(alarm["OKActions"]), logical_id
        assert alarm["TreatMissingData"] == "notBreaching", logical_id
        assert str(alarm.get("AlarmDescription", "")).strip(), logical_id
        name = template.resolve(alarm["AlarmName"])
        assert name.startswith("probation-"), logical_id
        assert name.endswith(f"-{PARAMETERS['Stage']}"), logical_id
        names.append(name)
    assert len(names) == len(set(names)), "alarm names must be unique"


def test_the_api_writes_a_json_access_log_to_its_own_log_group() -> None:
    template = Template.load(PARAMETERS)
    setting = template.resources["Api"]["Properties"]["AccessLogSetting"]
    destination = _get_att(setting["DestinationArn"])
    assert destination is not None
    assert template.resources[destination[0]]["Type"] == "AWS::Logs::LogGroup"
    fields = json.loads(setting["Format"])
    assert fields["requestId"] == "$context.requestId"
    assert {
        "ip",
        "user",
        "partnerId",
        "httpMethod",
        "resourcePath",
        "status",
        "integrationLatency",
    } <= fields.keys()


def test_one_dashboard_shows_every_function_and_dead_letter_queue() -> None:
    template = Template.load(PARAMETERS)
    dashboards = template.of_type("AWS::CloudWatch::Dashboard")
    assert len(dashboards) == 1
    [dashboard] = dashboards.values()
    body = json.loads(dashboard["Properties"]["DashboardBody"]["Fn::Sub"])
    shown: set[tuple[str, str, str]] = set()
    for widget in body["widgets"]:
        for row in widget["properties"].get("metrics", []):
            namespace, metric_name, *dimensions = [part for part in row if isinstance(part, str)]
            shown.update((namespace, metric_name, value) for value in dimensions[1::2])
    for logical_id in template.of_type("AWS::Serverless::Function"):
        for metric_name in ("Invocations", "Errors", "Duration"):
            assert ("AWS/Lambda", metric_name, f"${{{logical_id}}}") in shown, (logical_id, metric_name)
    for queue in _dead_letter_queues(template):
        assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", f"${{{queue}.QueueName}}") in shown, queue


def test_an_event_a_function_keeps_failing_ends_in_its_rules_dead_letter_queue() -> None:
    """A rule's DLQ catches only what EventBridge could not deliver; what the function fails after Lambda's
    own retries needs the function's on-failure destination, the same queue."""
    template = Template.load(PARAMETERS)
    for logical_id, spec in template.of_type("AWS::Serverless::Function").items():
        rule_events = [
            name
            for name, event in spec["Properties"].get("Events", {}).items()
            if event["Type"] == "EventBridgeRule"
        ]
        if not rule_events:
            continue
        destination = spec["Properties"]["EventInvokeConfig"]["DestinationConfig"]["OnFailure"]
        assert destination["Type"] == "SQS", logical_id
        assert destination["Destination"] == {"Fn::GetAtt": [f"{logical_id}{rule_events[0]}Queue", "Arn"]}


# ------------------------------------------------------------------ the web app


def test_the_web_bucket_is_private_encrypted_versioned_and_tls_only() -> None:
    template = Template.load(PARAMETERS)
    bucket = template.properties("WebBucket")
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    statements = {s["Sid"]: s for s in template.properties("WebBucketPolicy")["PolicyDocument"]["Statement"]}
    tls = statements["TlsOnly"]
    assert (tls["Effect"], tls["Action"], tls["Condition"]) == (
        "Deny",
        "s3:*",
        {"Bool": {"aws:SecureTransport": "false"}},
    )
    reader = statements["CloudFrontReadsThroughOac"]
    assert reader["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert reader["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in reader["Condition"]["StringEquals"], "only this stack's distribution may read"


def test_the_web_distribution_serves_the_bucket_over_https_only_with_security_headers() -> None:
    template = Template.load(PARAMETERS)
    config = template.properties("WebDistribution")["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    [origin] = config["Origins"]
    assert origin["OriginAccessControlId"] == "WebOriginAccessControl.Id"
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}, "OAC, not the legacy identity"
    behaviour = config["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] in ("redirect-to-https", "https-only")
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert (
        template.properties("WebOriginAccessControl")["OriginAccessControlConfig"]["SigningBehavior"]
        == "always"
    )
    headers = template.properties("WebSecurityHeaders")["ResponseHeadersPolicyConfig"][
        "SecurityHeadersConfig"
    ]
    csp = dict(
        directive.strip().split(" ", 1)
        for directive in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"].split(";")
    )
    assert csp["default-src"] == csp["script-src"] == csp["style-src"] == "'self'"
    sources = csp["connect-src"].split()
    assert sources[0] == "'self'"
    assert any("execute-api" in source for source in sources), "the API's origin"
    assert all(s == "'self'" or s.startswith("https://") for s in sources)
    assert csp["frame-ancestors"] == "'none'"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000


def test_staff_sign_in_to_the_web_app_with_the_code_flow_and_pkce_back_to_cloudfront() -> None:
    template = Template.load(PARAMETERS)
    client = template.properties("WebAppClient")
    assert client["GenerateSecret"] is False, "a browser cannot keep a secret: PKCE instead"
    assert client["AllowedOAuthFlows"] == ["code"]
    assert client["AllowedOAuthFlowsUserPoolClient"] is True
    assert client["CallbackURLs"] == ["https://WebDistribution.DomainName/"], "the distribution's own URL"
    assert client["LogoutURLs"] == client["CallbackURLs"]
    assert template.of_type("AWS::Cognito::UserPoolDomain"), "the hosted UI needs a domain"

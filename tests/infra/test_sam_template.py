"""template.yaml: valid, least-privilege, and in step with the code that serves it."""

import fnmatch
import json
import re
from collections import defaultdict
from http import HTTPStatus
from typing import Any

import pytest
from cfnlint.api import lint

from infrastructure import web
from infrastructure.openapi import CONTRACT, merged_spec, render
from infrastructure.template import ROOT, TEMPLATE, Template
from probation import config
from probation.api.problems import PROBLEM_BASE, PROBLEM_JSON
from probation.auth.scopes import SCOPE_PREFIX
from probation.domain.principal import STAFF_ROLES

PARAMETERS = {"Stage": "ci"}


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
    origin = next(origin for origin in config["Origins"] if origin["Id"] == "WebBucket")
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
    # Its own origin, where the API is too, and the staff sign-in domain for the PKCE token exchange.
    assert csp["connect-src"].split() == [
        "'self'",
        "https://StaffUserPoolDomain.auth.eu-west-2.amazoncognito.com",
    ]
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


# ------------------------------------------------------------------ one step, two identities, one origin


def test_every_parameter_has_a_default_so_one_deploy_makes_a_working_stack() -> None:
    parameters = Template.load(PARAMETERS).raw["Parameters"]
    assert [name for name, spec in parameters.items() if "Default" not in spec] == []


def _references(value: Any) -> set[str]:
    """The logical ids (and parameters) a property names through Ref, Fn::GetAtt and Fn::Sub."""
    if isinstance(value, list):
        return {name for item in value for name in _references(item)}
    if not isinstance(value, dict):
        return set()
    if len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return {str(argument).split(".")[0]}
        if function == "Fn::GetAtt":
            return {argument[0] if isinstance(argument, list) else str(argument).split(".")[0]}
        if function == "Fn::Sub":
            text, variables = (argument[0], argument[1]) if isinstance(argument, list) else (argument, {})
            named = {name.split(".")[0] for name in re.findall(r"\$\{([^}!]+)\}", text)} - set(variables)
            return named | _references(variables)
    return {name for item in value.values() for name in _references(item)}


def _dependencies(template: Template) -> dict[str, set[str]]:
    """What each resource waits for in CloudFormation, with the edges SAM adds: an API's definition names
    the function behind each of its routes."""
    resources = template.resources
    function_globals = template.raw.get("Globals", {}).get("Function", {})

    def made_from(spec: dict[str, Any]) -> dict[str, Any]:
        """What the resource itself is made from: a function's events are resources SAM makes beside it."""
        if spec["Type"] != "AWS::Serverless::Function":
            return dict(spec.get("Properties", {}))
        return {**function_globals, **{k: v for k, v in spec["Properties"].items() if k != "Events"}}

    waits = {
        name: (_references(made_from(spec)) | set(_listed(spec.get("DependsOn", [])))) & set(resources)
        for name, spec in resources.items()
    }
    for route_function, spec in template.of_type("AWS::Serverless::Function").items():
        for event in spec["Properties"].get("Events", {}).values():
            if event["Type"] == "Api":
                waits[event["Properties"]["RestApiId"]["Ref"]].add(route_function)
    return waits


def test_no_resource_waits_on_itself_through_others() -> None:
    """A cycle makes CloudFormation refuse the stack; the transform's own edges (an API waits for its
    routes' functions) are what cfn-lint cannot see in the untransformed template."""
    waits = _dependencies(Template.load(PARAMETERS))
    done: set[str] = set()

    def cycle_from(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for waited in sorted(waits[name]):
            found = cycle_from(waited, [*path, name])
            if found:
                return found
        done.add(name)
        return None

    cycles = [found for name in sorted(waits) if (found := cycle_from(name, []))]
    assert cycles == [], " -> ".join(cycles[0])


def test_the_authorizer_trusts_the_templates_own_pools_and_the_web_app_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    template = Template.load(PARAMETERS)
    variables = template.resources["AuthorizerFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["STAFF_TOKEN_ISSUER"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${StaffUserPool}"
    }
    assert variables["PARTNER_TOKEN_ISSUER"] == {
        "Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${PartnerUserPool}"
    }
    assert variables["STAFF_TOKEN_AUDIENCES"] == {"Ref": "WebAppClient"}
    assert template.resources["WebAppClient"]["Properties"]["UserPoolId"] == {"Ref": "StaffUserPool"}
    # The names the code reads, and nothing it reads missing.
    [spec] = [f for f in template.functions() if f.logical_id == "AuthorizerFunction"]
    for name, value in spec.environment.items():
        monkeypatch.setenv(name, value)
    assert config.staff_token_issuer() == "https://cognito-idp.eu-west-2.amazonaws.com/StaffUserPool"
    assert config.staff_token_audiences() == {"WebAppClient"}
    assert config.partner_token_issuer() == "https://cognito-idp.eu-west-2.amazonaws.com/PartnerUserPool"


def test_api_gateway_invokes_the_authorizer_function_by_its_name_with_a_role_of_its_own() -> None:
    template = Template.load(PARAMETERS)
    function_arn = template.arn("AuthorizerFunction")
    [authorizer] = template.properties("Api")["Auth"]["Authorizers"].values()
    assert authorizer["FunctionArn"] == function_arn
    [raw] = template.resources["Api"]["Properties"]["Auth"]["Authorizers"].values()
    assert raw["FunctionInvokeRole"] == {"Fn::GetAtt": ["AuthorizerInvokeRole", "Arn"]}
    [policy] = template.properties("AuthorizerInvokeRole")["Policies"]
    assert policy["PolicyDocument"]["Statement"] == [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": function_arn}
    ]


def test_staff_have_a_pool_of_their_own_with_mfa_required_and_their_roles_as_groups() -> None:
    template = Template.load(PARAMETERS)
    staff = template.properties("StaffUserPool")
    assert staff["MfaConfiguration"] == "ON"
    assert staff["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    assert staff["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    groups = {
        template.properties(name)["GroupName"]: template.properties(name)["UserPoolId"]
        for name in template.of_type("AWS::Cognito::UserPoolGroup")
    }
    assert groups == {role.value: "StaffUserPool" for role in STAFF_ROLES}
    servers = [template.properties(name) for name in template.of_type("AWS::Cognito::UserPoolResourceServer")]
    assert [(s["UserPoolId"], s["Identifier"]) for s in servers] == [
        ("PartnerUserPool", SCOPE_PREFIX.strip("/"))
    ]
    assert {
        template.properties(name)["UserPoolId"] for name in template.of_type("AWS::Cognito::UserPoolClient")
    } == {"StaffUserPool"}, (
        "partners' clients are made at registration, in the partner pool; the template's are staff clients"
    )


def test_the_partners_function_finds_its_usage_plan_by_name_and_may_add_keys_to_it_alone() -> None:
    template = Template.load(PARAMETERS)
    [partners] = [f for f in template.functions() if f.logical_id == "PartnersFunction"]
    plan = template.properties("PartnerUsagePlan")
    assert partners.environment["USAGE_PLAN_NAME"] == plan["UsagePlanName"]
    grant = template.properties("PartnersFunctionUsagePlanKeys")
    assert grant["Roles"] == ["PartnersFunctionRole"]
    assert grant["PolicyDocument"]["Statement"] == [
        {
            "Effect": "Allow",
            "Action": "apigateway:POST",
            "Resource": "arn:aws:apigateway:eu-west-2::/usageplans/PartnerUsagePlan/keys",
        }
    ]


# The gateway responses API Gateway gives in this API: a refused token or route, metering, an unknown
# path, a body too large or not JSON, a function too slow; any other falls back to a default.
GATEWAY_RESPONSES_MET = {
    "UNAUTHORIZED",
    "ACCESS_DENIED",
    "INVALID_API_KEY",
    "THROTTLED",
    "QUOTA_EXCEEDED",
    "MISSING_AUTHENTICATION_TOKEN",
    "RESOURCE_NOT_FOUND",
    "REQUEST_TOO_LARGE",
    "UNSUPPORTED_MEDIA_TYPE",
    "INTEGRATION_TIMEOUT",
    "DEFAULT_4XX",
    "DEFAULT_5XX",
}


def test_every_gateway_response_is_a_problem_as_the_functions_write_them_with_its_own_status() -> None:
    responses = Template.load(PARAMETERS).gateway_responses()
    assert set(responses) >= GATEWAY_RESPONSES_MET
    for response_type, response in responses.items():
        assert response.headers["Content-Type"] == PROBLEM_JSON, response_type
        body = json.loads(response.body)
        assert set(body) == {"type", "title", "status", "detail"}, response_type
        assert body["status"] == response.status, f"{response_type} says one status and answers another"
        assert body["title"] == HTTPStatus(response.status).phrase, response_type
        assert body["type"].startswith(PROBLEM_BASE), response_type
    assert 400 <= responses["DEFAULT_4XX"].status < 500 <= responses["DEFAULT_5XX"].status < 600


def test_no_response_is_open_to_every_origin_as_the_app_and_the_api_share_one() -> None:
    template = Template.load(PARAMETERS)
    assert "Cors" not in template.properties("Api")
    assert "Access-Control-" not in TEMPLATE.read_text(), (
        "no CORS header anywhere, gateway responses included"
    )
    assert "CORSConfig" not in (ROOT / "shared" / "probation" / "api" / "http.py").read_text()


API_BEHAVIOUR = {
    "TargetOriginId": "Api",
    "ViewerProtocolPolicy": "https-only",
    "AllowedMethods": ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
    "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",  # Managed-CachingDisabled
    "OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac",  # Managed-AllViewerExceptHostHeader
    "ResponseHeadersPolicyId": "WebSecurityHeaders",
}


def _served_by(config: dict[str, Any], path: str) -> str:
    """The origin CloudFront sends a path to: the first behaviour whose pattern matches, else the default."""
    for behaviour in config["CacheBehaviors"]:
        if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
            return str(behaviour["TargetOriginId"])
    return str(config["DefaultCacheBehavior"]["TargetOriginId"])


def test_the_web_distribution_sends_every_api_route_to_the_api_and_every_app_file_to_the_bucket() -> None:
    template = Template.load(PARAMETERS)
    config = template.properties("WebDistribution")["DistributionConfig"]
    api = next(origin for origin in config["Origins"] if origin["Id"] == "Api")
    assert api["DomainName"] == "Api.execute-api.eu-west-2.amazonaws.com"
    assert api["OriginPath"] == "/ci", "the API's stage"
    assert api["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    for behaviour in config["CacheBehaviors"]:
        assert {name: value for name, value in behaviour.items() if name != "PathPattern"} == API_BEHAVIOUR
    routes = {re.sub(r"\{[^}]+\}", "X123456", route.path) for route in template.api_routes()}
    assert [path for path in sorted(routes) if _served_by(config, path) != "Api"] == []
    app_files = ["/config.json", "/govuk/govuk-frontend.min.js", "/assets/fonts/bold.woff2"] + [
        f"/{path.relative_to(web.WEB / 'site').as_posix()}"
        for path in (web.WEB / "site").rglob("*")
        if path.is_file()
    ]
    assert [path for path in app_files if _served_by(config, path) != "WebBucket"] == []


def test_no_function_is_allowed_loopback_webhooks() -> None:
    """The local runner's allowance for plain-http receivers on loopback is never part of the stack (and is
    off inside Lambda whatever the environment says: probation.config.allow_loopback_webhooks)."""
    assert "ALLOW_LOOPBACK_WEBHOOKS" not in TEMPLATE.read_text()


def test_every_index_of_the_case_table_is_read_by_the_code() -> None:
    """An index no code reads costs writes and storage for nothing; one the code reads must not be dropped
    (GSI4 was once noted as unused, when it had become the practitioners' due work lists)."""
    table = Template.load(PARAMETERS).properties("CaseTable")
    indexes = [index["IndexName"] for index in table["GlobalSecondaryIndexes"]]
    code = "".join(path.read_text() for path in (ROOT / "shared" / "probation" / "adapters").glob("*.py"))
    assert [index for index in indexes if f'"{index}"' not in code] == []

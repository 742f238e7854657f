"""Handlers on moto: the real handler code and repositories against an in-process AWS stand-in."""

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

import functions.allocation.app as allocation_app
import functions.assessments.app as assessments_app
import functions.cases.app as cases_app
import functions.partners.app as partners_app
import functions.risk.app as risk_app
import functions.sentence_plans.app as sentence_plans_app
import functions.supervision.app as supervision_app
import functions.webhooks.app as webhooks_app
from infrastructure.local import moto_patches
from infrastructure.local.gateway import rest_proxy_event
from infrastructure.local.lambdas import LocalContext
from infrastructure.local.resources import create_buses, create_tables, create_usage_plans, create_user_pools
from infrastructure.local.stack import free_port
from infrastructure.template import Template
from probation.adapters import aws, partner_registry
from probation.api import idempotency
from probation.api.http import LambdaHandler

PARAMETERS = {"Stage": "test"}


def _reset_clients() -> None:
    aws.forget_clients()
    idempotency._idempotent.cache_clear()
    cases_app._service = None
    risk_app._service = None
    supervision_app._service = None
    assessments_app._service = None
    allocation_app._service = None
    partners_app._service = None
    partners_app._plans = None
    sentence_plans_app._service = None
    webhooks_app._service = None
    webhooks_app._delivery_queue = None
    partner_registry._known.clear()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto in server mode, as the local runner uses it (in-process mode cannot serve DynamoDB Streams)."""
    moto_patches.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def template(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Template]:
    """A fresh table and bus per test, named as the template names them."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    loaded = Template.load(PARAMETERS)
    cases = next(f for f in loaded.functions() if f.logical_id == "CasesFunction")
    for name, value in cases.environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    _reset_clients()
    create_tables(loaded, boto3.client("dynamodb"))
    create_buses(loaded, boto3.client("events"))
    create_user_pools(loaded, boto3.client("cognito-idp"))
    create_usage_plans(loaded, boto3.client("apigateway"))
    monkeypatch.setenv("USER_POOL_ID", loaded.physical_name("PartnerUserPool"))
    monkeypatch.setenv("USAGE_PLAN_NAME", loaded.properties("PartnerUsagePlan")["UsagePlanName"])
    yield loaded
    _reset_clients()


@dataclass
class ApiResponse:
    status: int
    headers: dict[str, str]
    body: Any

    @property
    def field_errors(self) -> set[str]:
        return {error["field"] for error in self.body.get("errors", [])}


Caller = Callable[..., ApiResponse]


def api_event(
    method: str,
    path: str,
    body: Any = None,
    *,
    roles: tuple[str, ...] = ("practitioner",),
    subject: str = "jsmith",
    partner_id: str | None = None,
    scopes: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    raw_body: str | None = None,
) -> dict[str, Any]:
    """A request as API Gateway hands it to a function once the authorizer has let the caller in."""
    event = rest_proxy_event(
        method=method,
        resource=path,
        path=path,
        headers={"content-type": "application/json", **(headers or {})},
        query={name: [value] for name, value in (query or {}).items()} or None,
        path_parameters={},
        body=raw_body if raw_body is not None else (json.dumps(body) if body is not None else None),
        stage="test",
    )
    kind = "partner" if "partner" in roles else "staff"
    context: dict[str, str] = {
        "principalId": subject,
        "roles": ",".join(roles),
        "kind": kind,
        "scopes": " ".join(scopes),
    }
    if partner_id:
        context["partnerId"] = partner_id
    event["requestContext"]["authorizer"] = context
    return event


def invoke(handler: LambdaHandler, method: str, path: str, body: Any = None, **request: Any) -> ApiResponse:
    """A handler as API Gateway calls it once the authorizer has let the caller in (``request``: the
    caller and the rest of the request, as :func:`api_event` takes them)."""
    result = handler(api_event(method, path, body, **request), LocalContext("ApiFunction"))
    assert result is not None, "an API request always gets a response"
    text = result.get("body") or ""
    headers_out = {**(result.get("headers") or {})}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers_out[name] = ", ".join(values)
    return ApiResponse(result["statusCode"], headers_out, json.loads(text) if text else None)


@pytest.fixture
def api(template: Template) -> Caller:
    """The case records API."""
    return functools.partial(invoke, cases_app.lambda_handler)


@pytest.fixture
def assessments_api(template: Template) -> Caller:
    """The OASys assessments API."""
    return functools.partial(invoke, assessments_app.lambda_handler)


@pytest.fixture
def allocation_api(template: Template) -> Caller:
    """The allocation API."""
    return functools.partial(invoke, allocation_app.lambda_handler)


@pytest.fixture
def partners_api(template: Template) -> Caller:
    """The partner gateway."""
    return functools.partial(invoke, partners_app.lambda_handler)


@pytest.fixture
def supervision_api(template: Template) -> Caller:
    """The supervision API."""
    return functools.partial(invoke, supervision_app.lambda_handler)


@pytest.fixture
def plans_api(template: Template) -> Caller:
    """The sentence plans API."""
    return functools.partial(invoke, sentence_plans_app.lambda_handler)


@pytest.fixture
def risk_api(template: Template) -> Caller:
    """The risk scoring API."""
    return functools.partial(invoke, risk_app.lambda_handler)


TEAM = {"code": "N07CAM", "name": "Camden and Islington", "region": "London"}


def new_case(**changes: Any) -> dict[str, Any]:
    """A case for ``TEAM``, which the ``team`` fixture creates: a case is made only for a team that exists."""
    return {
        "firstName": "Jane",
        "lastName": "Doe",
        "dateOfBirth": "1990-05-17",
        "gender": "FEMALE",
        "teamCode": TEAM["code"],
        **changes,
    }


@pytest.fixture
def team(allocation_api: Caller) -> str:
    """The team ``new_case`` names."""
    assert allocation_api("POST", "/allocation/teams", TEAM, roles=MANAGER).status == 201
    return TEAM["code"]


@pytest.fixture
def crn(api: Caller, team: str) -> str:
    response = api("POST", "/cases", new_case())
    assert response.status == 201, response.body
    created: str = response.body["crn"]
    return created


def table_items(template: Template, partition: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb").Table(template.physical_name("CaseTable"))
    items: list[dict[str, Any]] = table.query(
        KeyConditionExpression="PK = :pk", ExpressionAttributeValues={":pk": partition}
    )["Items"]
    return items


def bus_event(crn: str, event_type: str, event_id: str, source: str = "probation.cases") -> dict[str, Any]:
    """A domain event as an EventBridge rule delivers it to a function."""
    return {
        "version": "0",
        "id": f"eb-{event_id}",
        "detail-type": event_type,
        "source": source,
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "eu-west-2",
        "resources": [],
        "detail": {
            "eventId": event_id,
            "eventType": event_type,
            "version": 1,
            "occurredAt": "2026-01-01T00:00:00Z",
            "description": "test",
            "detailUrl": f"/cases/{crn}/overview",
            "personReference": {"identifiers": [{"type": "CRN", "value": crn}]},
            "additionalInformation": {},
            "correlationId": "trace-9",
        },
    }


def deliver(crn: str, event_type: str, event_id: str, **information: Any) -> None:
    """The bus delivering a case event to the allocation function."""
    event = bus_event(crn, event_type, event_id)
    event["detail"]["additionalInformation"] = information
    allocation_app.lambda_handler(event, LocalContext("AllocationFunction"))


ADMIN = ("admin",)
MANAGER = ("manager",)
PARTNER = ("partner",)
READ_AND_WRITE = ("cases.read", "contacts.write")


def register(partners_api: Caller, partner_id: str) -> dict[str, Any]:
    body = {
        "partnerId": partner_id,
        "name": f"{partner_id} CRC",
        "contactEmail": "ops@crc.example",
        "scopes": ["cases.read", "contacts.write"],
    }
    response = partners_api("POST", "/partner-admin/partners", body, roles=ADMIN)
    assert response.status == 201, response.body
    credentials: dict[str, Any] = response.body
    return credentials


def as_partner(partners_api: Caller, partner_id: str, scopes: tuple[str, ...] = READ_AND_WRITE) -> Caller:
    def call(method: str, path: str, body: Any = None, **options: Any) -> Any:
        return partners_api(
            method,
            path,
            body,
            roles=PARTNER,
            subject=f"client-{partner_id}",
            partner_id=partner_id,
            scopes=scopes,
            **options,
        )

    return call


@pytest.fixture
def allocated_to_crc1(api: Caller, allocation_api: Caller, partners_api: Caller, crn: str) -> str:
    register(partners_api, "CRC1")
    register(partners_api, "CRC2")
    deliver(crn, "probation-case.engagement.created", "created-1", teamCode="N07CAM")
    etag = {"If-Match": allocation_api("GET", f"/cases/{crn}/allocation").headers["ETag"]}
    decision = {"partnerId": "CRC1", "justification": "Low risk: CRC contract."}
    assert (
        allocation_api("POST", f"/cases/{crn}/allocation", decision, roles=MANAGER, headers=etag).status
        == 200
    )
    return crn


@pytest.fixture
def bus_queue(template: Template) -> str:
    """An SQS queue subscribed to every case event on the bus: a rule and its target."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue_url = sqs.create_queue(QueueName="case-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    bus = template.physical_name("EventBus")
    events.put_rule(
        Name="all-case-events", EventBusName=bus, EventPattern=json.dumps({"source": ["probation.cases"]})
    )
    events.put_targets(Rule="all-case-events", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
    return str(queue_url)

"""The HTTP edge every function shares, on every route of template.yaml: who may call a route is decided
before its request is read, a body too large or too deep is refused before it is parsed, and what a person is
told about input that is not valid is written for them, never pydantic's wording or a regular expression."""

import importlib
import json
import re
from typing import Any

import pytest

from infrastructure.openapi import merged_spec
from infrastructure.template import ApiRoute, Template
from probation.api.http import MAX_BODY_BYTES, MAX_BODY_DEPTH
from probation.api.idempotency import MAX_KEY_LENGTH
from tests.component.conftest import ApiResponse, invoke

TEMPLATE = Template.load({})
MODULES = {function.logical_id: function.module for function in TEMPLATE.functions()}
ROUTES = [route for route in TEMPLATE.api_routes() if route.authorized]
OPERATIONS = merged_spec()
SCHEMAS: dict[str, Any] = OPERATIONS["components"]["schemas"]
PARTNER_API = "/partner/v1/"

NO_ROLE: dict[str, Any] = {"roles": ()}
STAFF: dict[str, Any] = {"roles": ("practitioner", "manager", "admin")}
PARTNER: dict[str, Any] = {
    "roles": ("partner",),
    "subject": "client-CRC1",
    "partner_id": "CRC1",
    "scopes": ("cases.read", "contacts.write", "events.read"),
}
# A path value no path parameter accepts (a CRN, an id, a code, a number), which still matches the route.
NOT_A_PATH_VALUE = "!bad!"
TOO_DEEP = "[" * 5000 + "]" * 5000
# What pydantic says (and how a regular expression looks), which no message to a person may contain.
NOT_FOR_PEOPLE = re.compile(
    r"should|Field required|Extra inputs|Value error|Input |pydantic|\^|\\[dswS]|\[0-9|\[A-Z|\{\d"
)


def call(
    route: ApiRoute, caller: dict[str, Any], *, path_value: str = NOT_A_PATH_VALUE, **request: Any
) -> ApiResponse:
    """``route`` as API Gateway hands it to its function, every path parameter ``path_value``."""
    handler = importlib.import_module(MODULES[route.function]).lambda_handler
    path = re.sub(r"\{[^}]+\}", path_value, route.path)
    return invoke(handler, route.method, path, **caller, **request)


def entitled(route: ApiRoute) -> dict[str, Any]:
    """A caller every route of its kind allows: a partner with every scope, or staff with every role."""
    return PARTNER if route.path.startswith(PARTNER_API) else STAFF


def operation(route: ApiRoute) -> dict[str, Any]:
    found: dict[str, Any] = OPERATIONS["paths"][route.path][route.method.lower()]
    return found


def with_body(routes: list[ApiRoute]) -> list[ApiRoute]:
    return [route for route in routes if "requestBody" in operation(route)]


def said_to_people(answer: Any) -> list[str]:
    """A problem's message for each field, or its detail when it names none (a detail that does is made of
    the fields' names, which the request chose, and their messages)."""
    body = answer if isinstance(answer, dict) else {}
    return [error["message"] for error in body.get("errors", [])] or [str(body.get("detail", ""))]


@pytest.mark.usefixtures("template")
def test_a_caller_a_route_does_not_allow_is_refused_whatever_it_sends() -> None:
    """No role at all, a partner on a staff route, staff on a partner route: 403 before the request is read,
    so neither an unreadable body nor path and query values that would be 400 or 422 come first."""
    wrong = []
    for route in ROUTES:
        refused = [NO_ROLE, STAFF if route.path.startswith(PARTNER_API) else PARTNER]
        for caller in refused:
            for body in (TOO_DEEP, "{", "{}"):
                response = call(route, caller, raw_body=body)
                if response.status != 403:
                    wrong.append(f"{route.method} {route.path} as {caller['roles']}: {response.status}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.usefixtures("template")
@pytest.mark.parametrize(
    ("method", "path", "caller", "body"),
    [
        ("POST", "/allocation/teams", {"roles": ("practitioner",)}, {"code": "<no>", "name": 5}),
        ("PATCH", "/cases/{crn}/assessments/{assessmentId}", {"roles": ("admin",)}, {"answers": []}),
        ("GET", "/cases/{crn}/audit", {"roles": ("practitioner",)}, None),
        ("POST", "/partner/v1/cases/{crn}/contacts", {**PARTNER, "scopes": ("cases.read",)}, {"type": 7}),
        ("POST", "/partner-admin/partners", {"roles": ("manager",)}, {"partnerId": "<>"}),
    ],
)
def test_a_role_the_route_refuses_gets_403_even_with_an_invalid_request(
    method: str, path: str, caller: dict[str, Any], body: Any
) -> None:
    [route] = [r for r in ROUTES if (r.method, r.path) == (method, path)]
    response = call(route, caller, body=body)
    assert (response.status, response.body["type"]) == (
        403,
        "https://probation.justice.example/problems/forbidden",
    ), response.body


@pytest.mark.usefixtures("template")
def test_a_body_too_deep_or_too_large_is_refused_before_it_is_parsed_by_every_function() -> None:
    too_large = json.dumps({"notes": "x" * MAX_BODY_BYTES})
    just_deep_enough = "[" * MAX_BODY_DEPTH + "]" * MAX_BODY_DEPTH
    wrong = []
    routes = with_body(ROUTES)
    for route in routes:
        deep = call(route, entitled(route), raw_body=TOO_DEEP)
        large = call(route, entitled(route), raw_body=too_large)
        readable = call(route, entitled(route), raw_body=just_deep_enough)
        answers = (deep.status, deep.body["type"].rsplit("/", 1)[-1], large.status, readable.status)
        if answers[:3] != (400, "body-too-deep", 413) or readable.status in (400, 413):
            wrong.append(f"{route.method} {route.path}: {answers}")
    assert not wrong, "\n".join(wrong)
    assert {route.function for route in routes} >= {
        "CasesFunction",
        "RiskFunction",
        "AssessmentsFunction",
        "AllocationFunction",
        "SupervisionFunction",
        "PartnersFunction",
    }


def bad_value(schema: dict[str, Any]) -> Any:
    """A value ``schema`` refuses, of a kind a person gets wrong: a symbol where a code or a name goes, a word
    where a number or a date goes, too long, a choice not offered, something else than a list."""
    if "$ref" in schema:
        return {"notAField": "<{}>"}
    if "anyOf" in schema:
        return bad_value(next(option for option in schema["anyOf"] if option.get("type") != "null"))
    kind = schema.get("type")
    if "enum" in schema or "const" in schema:
        return "NOT_ONE_OF_THEM"
    if kind == "string":
        if schema.get("format") in ("date", "date-time"):
            return "31/01/2026"
        if "pattern" in schema:
            return "<{}>"
        return "x" * (schema["maxLength"] + 1) if "maxLength" in schema else 12
    if kind in ("integer", "number"):
        return "many"
    if kind == "boolean":
        return "perhaps"
    if kind == "array":
        return "not a list"
    return ["not an object"]


def bad_bodies(route: ApiRoute) -> list[Any]:
    """Nothing, a field no request takes, and every field of the body given a value it refuses."""
    reference = operation(route)["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    properties = SCHEMAS[reference.rsplit("/", 1)[-1]].get("properties", {})
    return [{}, {"notAField": 1}, {name: bad_value(schema) for name, schema in properties.items()}]


def bad_query(route: ApiRoute) -> dict[str, str]:
    found = {}
    for parameter in operation(route).get("parameters", []):
        if parameter["in"] == "query":
            value = bad_value(parameter["schema"])
            found[parameter["name"]] = value if isinstance(value, str) else json.dumps(value)
    return found


@pytest.mark.usefixtures("template")
def test_what_a_person_is_told_about_invalid_input_is_never_pydantics_wording_or_a_pattern() -> None:
    """Every route, sent what a person gets wrong (path, query, headers and body) by a caller it allows."""
    told: list[tuple[str, str]] = []
    key = {"Idempotency-Key": "k" * (MAX_KEY_LENGTH + 1)}
    for route in ROUTES:
        requests: list[dict[str, Any]] = [{"query": bad_query(route), "headers": key}]
        if "requestBody" in operation(route):
            requests += [{"body": body, "headers": key} for body in bad_bodies(route)]
        elif not [p for p in operation(route).get("parameters", []) if p["in"] in ("path", "query")]:
            continue  # it takes nothing a person could get wrong
        for request in requests:
            response = call(route, entitled(route), **request)
            assert response.status < 500, (route, request, response.body)
            if response.status >= 400:
                told += [(f"{route.method} {route.path}", text) for text in said_to_people(response.body)]

    assert len(told) > 500, "the requests were refused for what a person gets wrong, field by field"
    leaked = [f"{where}: {text}" for where, text in told if NOT_FOR_PEOPLE.search(text)]
    assert not leaked, "\n".join(leaked)

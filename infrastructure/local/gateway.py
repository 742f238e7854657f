"""The local API Gateway: Chalice's local server with the template's routes, each request turned into an
API Gateway REST proxy event that reaches the real handler after the real authorizer code ran."""

import fnmatch
import json
import math
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Chalice, Response
from chalice.local import LocalChalice

from infrastructure.local.identity import (
    PARTNER_ISSUER_PATH,
    STAFF_ISSUER_PATH,
    TOKEN_ENDPOINT_PATH,
    ClientLookup,
    LocalIdentity,
    LocalTokenRequest,
    OAuthError,
)
from infrastructure.local.lambdas import Invocable
from infrastructure.template import ApiRoute, GatewayResponse
from probation.api.problems import PROBLEM_JSON, problem_body
from probation.auth.tokens import JWKS_PATH

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
BODY_CONTENT_TYPES = [JSON, "application/merge-patch+json", "application/*+json", "text/plain"]
ACCOUNT = "123456789012"
API_ID = "local"
HEALTH_PATH = "/health"


def answer(response: GatewayResponse, headers: dict[str, str] | None = None) -> Response:
    """One of the template's gateway responses, as API Gateway gives it."""
    return Response(
        body=response.body, status_code=response.status, headers={**response.headers, **(headers or {})}
    )


def json_response(body: Any, status: int = 200) -> Response:
    return Response(body=json.dumps(body), status_code=status, headers={"Content-Type": JSON})


def problem_response(status: int, detail: str, slug: str) -> Response:
    """A problem only the local runner meets, in the shape the functions give theirs."""
    return Response(
        body=json.dumps(problem_body(status, detail, slug=slug)),
        status_code=status,
        headers={"Content-Type": PROBLEM_JSON},
    )


def allows(document: dict[str, Any], method_arn: str) -> bool:
    """IAM evaluation, as far as an authorizer's policy needs it: an explicit Deny wins, else any Allow."""
    verdicts = set()
    for statement in document["Statement"]:
        resources = statement["Resource"]
        patterns = [resources] if isinstance(resources, str) else resources
        if any(fnmatch.fnmatchcase(method_arn, pattern) for pattern in patterns):
            verdicts.add(statement["Effect"])
    return "Allow" in verdicts and "Deny" not in verdicts


def rest_proxy_event(
    *,
    method: str,
    resource: str,
    path: str,
    headers: dict[str, str],
    query: dict[str, list[str]] | None,
    path_parameters: dict[str, str],
    body: str | None,
    stage: str,
) -> dict[str, Any]:
    """The event API Gateway's REST proxy integration gives a function (before the authorizer's context)."""
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in query.items()} if query else None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "accountId": ACCOUNT,
            "apiId": API_ID,
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{stage}{path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": body,
        "isBase64Encoded": False,
    }


@dataclass
class UsagePlanThrottle:
    """A usage plan's throttle, per usage identifier key: a token bucket holding ``burst`` requests and
    refilled at ``rate`` a second, as API Gateway meters each API key."""

    rate: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_seconds(self, key: str) -> float:
        """0 when the request may go ahead (and it is counted), else how long until it could."""
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - then) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1 - tokens) / self.rate


KEPT_BEFORE_PRUNING = 1000


class AuthorizerCache:
    """API Gateway's cache of a TOKEN authorizer's answers: the policy for a token is kept for the
    authorizer's ``ReauthorizeEvery`` seconds and evaluated against each later request's method, without
    invoking the authorizer again (which is why the authorizer answers with every route a principal may
    use). A refusal is not kept."""

    def __init__(self, authorizer: Invocable, seconds: float) -> None:
        self._authorizer = authorizer
        self._seconds = seconds
        self._policies: dict[str, tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def policy(self, token: str, method_arn: str) -> dict[str, Any]:
        now = time.monotonic()
        with self._lock:
            kept = self._policies.get(token)
        if kept is not None and kept[0] > now:
            return kept[1]
        policy: dict[str, Any] = self._authorizer.invoke(
            {"type": "TOKEN", "authorizationToken": token, "methodArn": method_arn}
        )
        with self._lock:
            if len(self._policies) >= KEPT_BEFORE_PRUNING:
                self._policies = {t: k for t, k in self._policies.items() if k[0] > now}
            self._policies[token] = (now + self._seconds, policy)
        return policy


class Gateway:
    def __init__(
        self,
        routes: list[ApiRoute],
        functions: Mapping[str, Invocable],
        authorizer: Invocable,
        authorizer_cache_seconds: float,
        responses: Mapping[str, GatewayResponse],
        identity: LocalIdentity,
        partner_clients: ClientLookup,
        stage: str,
        openapi: Callable[[], dict[str, Any]],
        swagger_html: Callable[[], str],
        throttle: UsagePlanThrottle,
        web_config: dict[str, Any],
    ) -> None:
        self.app = LocalChalice(app_name="probation-local")
        self._functions = functions
        self._authorizations = AuthorizerCache(authorizer, authorizer_cache_seconds)
        self._responses = responses
        self._stage = stage
        self._throttle = throttle
        self.ready = threading.Event()
        """Set once the stack is ready to use; until then /health answers 503 "starting"."""
        for route in routes:
            self._add_api_route(route)
        self._add_identity_routes(identity, partner_clients)
        self._add_local_routes(openapi, swagger_html, web_config)

    def _add_api_route(self, route: ApiRoute) -> None:
        def view(**path_parameters: str) -> Response:
            return self._proxy(route, path_parameters)

        view.__name__ = f"{route.function}_{route.method}_{route.path}"
        self.app.route(route.path, methods=[route.method], content_types=BODY_CONTENT_TYPES)(view)

    def _proxy(self, route: ApiRoute, path_parameters: dict[str, str]) -> Response:
        if route.path == HEALTH_PATH and not self.ready.is_set():
            return Response(
                body=json.dumps({"status": "starting"}),
                status_code=503,
                headers={"Content-Type": JSON, "Retry-After": "1"},
            )
        request = self.app.current_request
        assert request is not None
        original = request.to_original_event()
        raw_body = original.get("body")
        try:
            body = raw_body.decode("utf-8") if isinstance(raw_body, bytes) else raw_body
        except UnicodeDecodeError:
            return problem_response(400, "The request body is not UTF-8 text.", "malformed-request")
        event = rest_proxy_event(
            method=route.method,
            resource=route.path,
            path=original["requestContext"]["path"],
            headers=original.get("headers") or {},
            query=original.get("multiValueQueryStringParameters"),
            path_parameters=path_parameters,
            body=body,
            stage=self._stage,
        )
        if route.authorized:
            denial = self._authorize(event)
            if denial is not None:
                return denial
        if route.metered:
            denial = self._meter(event)
            if denial is not None:
                return denial
        result = self._functions[route.function].invoke(event)
        headers: dict[str, str | list[str]] = {
            str(name): str(value) for name, value in (result.get("headers") or {}).items()
        }
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = ", ".join(str(value) for value in values)
        return Response(body=result.get("body") or "", status_code=int(result["statusCode"]), headers=headers)

    def _authorize(self, event: dict[str, Any]) -> Response | None:
        """TOKEN authorizer semantics: no header is 401 at once; a refused token is 401; else the context."""
        header = event["headers"].get("authorization")
        unauthorized = answer(self._responses["UNAUTHORIZED"])
        if not header:
            return unauthorized
        route = f"{event['httpMethod']}{event['resource']}"
        method_arn = f"arn:aws:execute-api:eu-west-2:{ACCOUNT}:{API_ID}/{self._stage}/{route}"
        try:
            policy = self._authorizations.policy(header, method_arn)
        except Exception:
            return unauthorized
        if not allows(policy["policyDocument"], method_arn):
            return answer(self._responses["ACCESS_DENIED"])
        event["requestContext"]["authorizer"] = {
            "principalId": policy["principalId"],
            **policy.get("context", {}),
        }
        if "usageIdentifierKey" in policy:
            event["requestContext"]["identity"]["apiKey"] = policy["usageIdentifierKey"]
        return None

    def _meter(self, event: dict[str, Any]) -> Response | None:
        """A metered route needs the caller's usage plan key, and answers 429 over the plan's rate."""
        key = event["requestContext"]["identity"].get("apiKey")
        if not key:
            return answer(self._responses["INVALID_API_KEY"])
        wait = self._throttle.wait_seconds(key)
        if wait:
            # The wait the local bucket knows, where API Gateway can only say a fixed one.
            return answer(self._responses["THROTTLED"], {"Retry-After": str(max(1, math.ceil(wait)))})
        return None

    def no_such_resource(self) -> tuple[int, dict[str, str], str]:
        """API Gateway's answer to a path or method the API does not have (status, headers, body)."""
        response = self._responses["MISSING_AUTHENTICATION_TOKEN"]
        return response.status, response.headers, response.body

    def _add_identity_routes(self, identity: LocalIdentity, partner_clients: ClientLookup) -> None:
        """The two issuers' keys, the partner pool's token endpoint, and a token for the asking."""
        app: Chalice = self.app

        @app.route(f"{STAFF_ISSUER_PATH}{JWKS_PATH}", methods=["GET"])
        def staff_keys() -> Response:
            return json_response(identity.staff.jwks())

        @app.route(f"{PARTNER_ISSUER_PATH}{JWKS_PATH}", methods=["GET"])
        def partner_keys() -> Response:
            return json_response(identity.partners.jwks())

        @app.route(f"{PARTNER_ISSUER_PATH}{TOKEN_ENDPOINT_PATH}", methods=["POST"], content_types=[FORM])
        def client_credentials() -> Response:
            request = app.current_request
            assert request is not None
            raw = request.raw_body or b""
            text = raw.decode(errors="replace") if isinstance(raw, bytes) else raw
            form = {name: values[-1] for name, values in parse_qs(text).items()}
            try:
                token = identity.client_credentials(
                    request.headers.get("authorization"), form, partner_clients
                )
            except OAuthError as error:
                return json_response(error.body, error.status)
            return json_response(token)

        @app.route("/local/token", methods=["POST"], content_types=BODY_CONTENT_TYPES)
        def local_token() -> Response:
            request = app.current_request
            assert request is not None
            try:
                token_request = LocalTokenRequest.model_validate_json(request.raw_body or b"{}")
            except ValueError as error:
                detail = "; ".join(
                    f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                    for e in getattr(error, "errors", lambda: [])()
                ) or str(error)
                return problem_response(422, f"The token request is not valid: {detail}", "invalid-input")
            return json_response(identity.token(token_request))

    def _add_local_routes(
        self,
        openapi: Callable[[], dict[str, Any]],
        swagger_html: Callable[[], str],
        web_config: dict[str, Any],
    ) -> None:
        app: Chalice = self.app

        @app.route("/openapi.json", methods=["GET"])
        def openapi_json() -> Response:
            return json_response(openapi())

        @app.route("/config.json", methods=["GET"])
        def config_json() -> Response:
            """The web app's settings: the API on the same origin, and signing in with /local/token."""
            return json_response(web_config)

        @app.route("/swagger", methods=["GET"])
        def swagger() -> Response:
            return Response(
                body=swagger_html(), status_code=200, headers={"Content-Type": "text/html; charset=utf-8"}
            )

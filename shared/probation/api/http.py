"""The REST resolver every function uses: validation, problem details, principal, correlation id."""

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.api_gateway import Route
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.event_handler.middlewares.openapi_validation import (
    OpenAPIRequestValidationMiddleware,
)
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Header, Path
from aws_lambda_powertools.event_handler.types import EventHandlerInstance
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError
from pydantic import BaseModel

from probation import observability
from probation.adapters.dynamodb import RETRY_AFTER_SECONDS, TRANSIENT_ERRORS
from probation.api.problems import PROBLEM_JSON, problem, validation_problem
from probation.domain.cases.models import Crn
from probation.domain.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    Unavailable,
)
from probation.domain.principal import Caller, Principal, Role

CrnPath = Annotated[Crn, Path(description="Case reference number: one letter and six digits")]
CORRELATION_HEADER = "X-Correlation-Id"
IF_MATCH_HEADER = "If-Match"
IfMatch = Annotated[
    str | None,
    Header(
        alias=IF_MATCH_HEADER,
        description="The ETag of what you read: the change is made only to that version (else 412)",
    ),
]
RequiredIfMatch = Annotated[
    str,
    Header(
        alias=IF_MATCH_HEADER,
        description="The ETag of what you read: required (else 428); one no longer current is 412",
    ),
]
MERGE_PATCH_JSON = "application/merge-patch+json"
# The largest body any function reads: no larger request can be stored (a DynamoDB item holds 400 KB), and it
# is far below what API Gateway (10 MB) and Lambda (6 MB) take. A larger one is 413, a deeper one 400, both
# before the body is parsed: JSON nested thousands deep would exhaust the parser's recursion.
MAX_BODY_BYTES = 1024 * 1024
MAX_BODY_DEPTH = 32
_JSON_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_JSON_BRACKETS = re.compile(r"[\[\]{}]")
# For Logger: the id an event carries, or the caller's when it sent one, else API Gateway's request id.
CORRELATION_ID_PATH = " || ".join(
    (
        "detail.correlationId",
        'headers."x-correlation-id"',
        'headers."X-Correlation-Id"',
        "requestContext.requestId",
    )
)

_STATUS_BY_ERROR: dict[type[DomainError], tuple[int, str]] = {
    NotFound: (404, "not-found"),
    Forbidden: (403, "forbidden"),
    Conflict: (409, "conflict"),
    InvalidInput: (422, "invalid-input"),
    PreconditionRequired: (428, "precondition-required"),
    PreconditionFailed: (412, "precondition-failed"),
    Unavailable: (503, "unavailable"),
}


def etag(version: int) -> str:
    return f'"{version}"'


def if_match_version(header: str | None) -> int | None:
    """The version named by an If-Match header; a value that names no version can never match (-1)."""
    if header is None:
        return None
    value = header.strip()
    if value.startswith('"') and value.endswith('"') and value[1:-1].isdigit():
        return int(value[1:-1])
    return -1


def principal(resolver: APIGatewayRestResolver) -> Principal:
    """The caller as the authorizer established it (API Gateway passes its context on every request)."""
    authorizer = resolver.current_event.request_context.authorizer
    context = authorizer.get_context()
    known = {role.value for role in Role}
    roles = frozenset(Role(role) for role in str(context.get("roles", "")).split(",") if role in known)
    scopes = frozenset(str(context.get("scopes", "")).split())
    return Principal.from_roles(authorizer.principal_id, roles, context.get("partnerId") or None, scopes)


def caller(resolver: APIGatewayRestResolver) -> Caller:
    return Caller(principal(resolver), correlation_id(resolver))


def correlation_id(resolver: APIGatewayRestResolver) -> str:
    event = resolver.current_event
    return (
        event.headers.get(CORRELATION_HEADER.lower())
        or event.headers.get(CORRELATION_HEADER)
        or (event.request_context.request_id)
    )


RouteHandler = TypeVar("RouteHandler", bound=Callable[..., Any])
_ACCESS = "probation_access"


@dataclass(frozen=True)
class Access:
    """Who may call a route: a caller with any of ``roles`` and, where one is named, the token's ``scope``."""

    roles: frozenset[Role]
    scope: str | None = None

    def check(self, who: Principal) -> None:
        who.require_any(self.roles)
        if self.scope is not None:
            who.require_scope(self.scope)


def allowed(roles: frozenset[Role], scope: str | None = None) -> Callable[[RouteHandler], RouteHandler]:
    """Declares who may call the route it decorates (placed under the route's own decorator). It is decided
    before the request is read, so a caller the route refuses gets 403 whatever it sent; the services keep
    their own checks."""

    def declare(handler: RouteHandler) -> RouteHandler:
        setattr(handler, _ACCESS, Access(roles, scope))
        return handler

    return declare


def _access_of(route: Route) -> Access | None:
    """What ``allowed`` declared for ``route``; None for a route that anyone may call (``/health``)."""
    declared = getattr(route.func, _ACCESS, None)
    return declared if isinstance(declared, Access) else None


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether ``text``'s JSON arrays and objects nest deeper than ``limit``, told without parsing it (which
    recurses once a level) and without reading brackets inside strings."""
    level = 0
    for bracket in _JSON_BRACKETS.finditer(_JSON_STRINGS.sub("", text)):
        level += 1 if bracket.group() in "[{" else -1
        if level > limit:
            return True
    return False


class _RequestGate(OpenAPIRequestValidationMiddleware):
    """Powertools' request validation, after what needs nothing of the request: whether the caller may call
    the route at all, then whether its body is one the API reads (size and nesting). JSON Merge Patch is read
    as the JSON it is."""

    def handler(self, app: EventHandlerInstance, next_middleware: NextMiddleware) -> Response[Any]:
        resolver = cast(APIGatewayRestResolver, app)  # every function's, made by create_resolver
        route: Route = resolver.context["_route"]
        access = _access_of(route)
        if access is not None:
            access.check(principal(resolver))
        if route.dependant.body_params:
            refusal = _unreadable(resolver.current_event.decoded_body or "", _path(resolver))
            if refusal is not None:
                return refusal
        return super().handler(app, next_middleware)

    def _get_body(self, app: EventHandlerInstance) -> dict[str, Any]:
        media_type = app.current_event.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type == MERGE_PATCH_JSON and app.current_event.http_method == "PATCH":
            return self._parse_json_data(app)
        return super()._get_body(app)


def _unreadable(body: str, instance: str) -> Response[str] | None:
    """The problem with a body the API will not read, if it is one: too large (413) or too deep (400)."""
    if len(body.encode()) > MAX_BODY_BYTES:
        return problem(
            413,
            f"The request body is larger than the {MAX_BODY_BYTES // 1024} KiB this API reads.",
            slug="body-too-large",
            errors=[FieldError("body", f"must be at most {MAX_BODY_BYTES} bytes")],
            instance=instance,
        )
    if nested_deeper_than(body, MAX_BODY_DEPTH):
        return problem(
            400,
            f"The request body nests arrays and objects deeper than the {MAX_BODY_DEPTH} levels read here.",
            slug="body-too-deep",
            errors=[FieldError("body", f"must nest at most {MAX_BODY_DEPTH} levels deep")],
            instance=instance,
        )
    return None


def create_resolver(logger: Logger) -> APIGatewayRestResolver:
    # No CORS: the web app reaches the API on its own origin (the web distribution routes the API's paths).
    resolver = APIGatewayRestResolver(enable_validation=True)

    # Before Powertools validates a request, the caller's access and the body's size and nesting are decided.
    resolver._request_validation_middleware = _RequestGate()  # type: ignore[no-untyped-call]

    @resolver.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        if any(_names_missing_if_match(detail) for detail in error.errors()):
            # RFC 6585: a required precondition that was not sent is 428, not a field to correct.
            return domain_error(
                PreconditionRequired(f"This change needs {IF_MATCH_HEADER} with the ETag of what you read.")
            )
        body = validation_problem(error.errors())
        return Response(status_code=body["status"], content_type=PROBLEM_JSON, body=json.dumps(body))

    @resolver.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(_: RequestUnsupportedContentType) -> Response[str]:
        return problem(
            415,
            "The request body must be JSON.",
            slug="unsupported-media-type",
            errors=[FieldError("Content-Type", f"must be application/json ({MERGE_PATCH_JSON} for PATCH)")],
            instance=_path(resolver),
        )

    def domain_error(error: DomainError) -> Response[str]:
        status, slug = _STATUS_BY_ERROR.get(type(error), (400, "bad-request"))
        headers: dict[str, str] | None = None
        if isinstance(error, PreconditionFailed):
            headers = {"ETag": etag(error.current_version)}
        elif isinstance(error, Unavailable):
            headers = {"Retry-After": str(error.retry_after_seconds)}
        errors = error.errors if isinstance(error, InvalidInput) else []
        return problem(
            status, error.detail, slug=slug, errors=errors, headers=headers, instance=_path(resolver)
        )

    @resolver.exception_handler(IdempotencyValidationError)
    def key_reused(_: IdempotencyValidationError) -> Response[str]:
        return problem(
            422,
            "This Idempotency-Key was already used with a different request body.",
            slug="idempotency-key-reused",
            errors=[FieldError("Idempotency-Key", "was used for a different request")],
        )

    @resolver.exception_handler(IdempotencyAlreadyInProgressError)
    def key_in_flight(_: IdempotencyAlreadyInProgressError) -> Response[str]:
        return problem(
            409,
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            slug="conflict",
        )

    @resolver.not_found
    def no_route(_: NotFoundError) -> Response[str]:
        return problem(404, "No such resource.", slug="not-found", instance=_path(resolver))

    def internal_error(error: Exception) -> Response[str]:
        logger.exception("unhandled error", extra={"error": type(error).__name__})
        return problem(500, "Something went wrong on our side; it has been logged.", instance=_path(resolver))

    @resolver.exception_handler(ClientError)
    def aws_refused(error: ClientError) -> Response[str]:
        """Throttling that outlasted boto3's own retries is the store being busy: 503, try again later.
        Anything else AWS refused is a fault of ours."""
        if error.response["Error"]["Code"] not in TRANSIENT_ERRORS:
            return internal_error(error)
        return store_busy()

    @resolver.exception_handler(IdempotencyPersistenceLayerError)
    def key_not_recorded(error: IdempotencyPersistenceLayerError) -> Response[str]:
        """The Idempotency-Key's record could not be written or read (Powertools wraps the store's
        refusal): a busy store is 503 as for any other write; anything else is a fault of ours."""
        cause = error.__cause__
        if isinstance(cause, ClientError) and cause.response["Error"]["Code"] in TRANSIENT_ERRORS:
            return store_busy()
        return internal_error(error)

    def store_busy() -> Response[str]:
        return domain_error(Unavailable(RETRY_AFTER_SECONDS))

    # Registered undecorated, so that store_busy keeps its type.
    resolver.exception_handler(DomainError)(domain_error)

    @resolver.exception_handler(Exception)
    def unexpected(error: Exception) -> Response[str]:
        return internal_error(error)

    return resolver


def _path(resolver: APIGatewayRestResolver) -> str:
    return str(resolver.current_event.path)


def _names_missing_if_match(detail: Mapping[str, Any]) -> bool:
    location = tuple(detail.get("loc", ()))
    return detail.get("type") == "missing" and location == ("header", IF_MATCH_HEADER.lower())


def versioned_response(status: int, body: BaseModel, *, version: int, location: str) -> Response[str]:
    """A versioned resource: its body, its ETag (for If-Match) and where it lives."""
    return json_response(status, body, {"ETag": etag(version), "Location": location})


def json_response(status: int, model: BaseModel, headers: Mapping[str, str] | None = None) -> Response[str]:
    """A JSON body serialised here (camelCase), so it can also be stored for idempotent replays."""
    return Response(
        status_code=status,
        content_type="application/json",
        body=model.model_dump_json(by_alias=True),
        headers=dict(headers or {}),
    )


def model_responses(status: int, model: type[BaseModel], description: str) -> dict[int, Any]:
    """OpenAPI description of a route's success response (the body is serialised by ``json_response``)."""
    return {status: {"description": description, "content": {"application/json": {"model": model}}}}


EventHandler = Callable[[dict[str, Any]], None]
LambdaHandler = Callable[[dict[str, Any], LambdaContext], dict[str, Any] | None]


def entry_point(
    resolver: APIGatewayRestResolver,
    logger: Logger,
    tracer: Tracer,
    metrics: Metrics,
    on_event: EventHandler | None = None,
) -> LambdaHandler:
    """A function's Lambda handler: API requests go to ``resolver``; EventBridge events, when the function
    takes them, to ``on_event``. Logs carry the correlation id, traces and metrics are flushed."""

    @logger.inject_lambda_context(correlation_id_path=CORRELATION_ID_PATH, clear_state=True)
    @tracer.capture_lambda_handler
    @metrics.log_metrics(capture_cold_start_metric=True)
    def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any] | None:
        if on_event is not None and "detail-type" in event:
            on_event(event)
            return None
        response: dict[str, Any] = resolver.resolve(event, context)
        # The caller can quote the id back to operators, whose logs and events all carry it.
        correlation = logger.get_correlation_id()
        if correlation:
            response.setdefault("multiValueHeaders", {})[CORRELATION_HEADER] = [correlation]
        return response

    observability.initialised()
    return lambda_handler

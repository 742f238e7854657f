"""The REST resolver every function uses: validation, problem details, principal, correlation id."""

import json
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Path
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


def if_match_version(resolver: APIGatewayRestResolver) -> int | None:
    """The version named by If-Match; a value that names no version can never match (-1)."""
    header = resolver.current_event.headers.get("if-match") or resolver.current_event.headers.get("If-Match")
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


def create_resolver(logger: Logger) -> APIGatewayRestResolver:
    resolver = APIGatewayRestResolver(
        enable_validation=True,
        cors=CORSConfig(
            allow_origin="*",
            allow_headers=["Authorization", "If-Match", "Idempotency-Key", CORRELATION_HEADER],
            expose_headers=["ETag", "Location", CORRELATION_HEADER],
        ),
    )

    @resolver.exception_handler(RequestValidationError)
    def invalid_request(error: RequestValidationError) -> Response[str]:
        body = validation_problem(error.errors())
        return Response(status_code=body["status"], content_type=PROBLEM_JSON, body=json.dumps(body))

    @resolver.exception_handler(RequestUnsupportedContentType)
    def unsupported_media_type(_: RequestUnsupportedContentType) -> Response[str]:
        return problem(
            415,
            "The request body must be JSON.",
            slug="unsupported-media-type",
            errors=[FieldError("Content-Type", "must be application/json")],
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

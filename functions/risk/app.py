"""Risk scoring API and event consumer: thin routes over the risk scoring service."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.metrics import MetricUnit

from probation import observability
from probation.adapters.clock import SystemClock, new_id
from probation.adapters.risk_repository import DynamoRiskRepository
from probation.api import http, idempotency
from probation.api.paging import DEFAULT_LIMIT, Cursor, Limit
from probation.domain.events import DomainEvent
from probation.domain.principal import STAFF_ROLES
from probation.domain.risk_scoring.records import RiskHistory, RiskScoreRecord
from probation.domain.risk_scoring.service import RiskScoringService
from probation.risk import RiskCalculationRequest, RiskCalculationResult

SERVICE = "risk"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)


_service: RiskScoringService | None = None


def service() -> RiskScoringService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        _service = RiskScoringService(repository=DynamoRiskRepository(), clock=SystemClock(), new_id=new_id)
    return _service


@app.post(
    "/risk/calculate",
    tags=["Risk"],
    responses=http.model_responses(200, RiskCalculationResult, "Every predictor's score, or null and why"),
)
@http.allowed(STAFF_ROLES)
def calculate(request: Annotated[RiskCalculationRequest, Body()]) -> Response[Any]:
    result = service().calculate(request, http.caller(app))
    metrics.add_metric(name="RiskCalculations", unit=MetricUnit.Count, value=1)
    return http.json_response(200, result)


@app.post(
    "/cases/<crn>/risk",
    tags=["Risk"],
    responses=http.model_responses(
        201, RiskScoreRecord, "The stored score, with its inputs and their sources"
    ),
)
@http.allowed(STAFF_ROLES)
def score_case(crn: http.CrnPath, key: idempotency.IdempotencyKey = None) -> Response[Any]:
    who = http.caller(app)

    def score() -> RiskScoreRecord:
        record = service().score_case(crn, who)
        metrics.add_metric(name="RiskScoresCalculated", unit=MetricUnit.Count, value=1)
        return record

    def scored(record: RiskScoreRecord) -> Response[Any]:
        return http.json_response(201, record, {"Location": f"/cases/{crn}/risk"})

    return idempotency.once(app, who.principal.subject, key, score, scored, outcome=RiskScoreRecord)


@app.get(
    "/cases/<crn>/risk",
    tags=["Risk"],
    responses=http.model_responses(200, RiskHistory, "The latest score and the history, newest first"),
)
@http.allowed(STAFF_ROLES)
def risk_history(crn: http.CrnPath, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[Any]:
    latest, history, next_cursor = service().history(crn, limit, cursor, http.caller(app))
    return http.json_response(200, RiskHistory(latest=latest, history=history, cursor=next_cursor))


def on_event(event: dict[str, Any]) -> None:
    """A case changed: score it again (once per event id; redeliveries change nothing)."""
    record = service().on_event(DomainEvent.model_validate(event["detail"]))
    if record is not None:
        metrics.add_metric(name="RiskScoresCalculated", unit=MetricUnit.Count, value=1)
        logger.info("case rescored", extra={"crn": record.crn, "scoreId": record.score_id})


lambda_handler = http.entry_point(app, logger, tracer, metrics, on_event)

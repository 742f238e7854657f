"""OASys assessments API and event consumer: thin routes over the assessment service."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.metrics import MetricUnit

from probation import observability
from probation.adapters.assessment_repository import DynamoAssessmentRepository
from probation.adapters.clock import SystemClock, new_id
from probation.api import http, idempotency
from probation.api.problems import problem
from probation.assessments.catalogue import load_catalogue
from probation.domain.assessments.models import (
    Assessment,
    AssessmentList,
    AssessmentPatch,
    AssessmentSummaryView,
    QuestionCatalogue,
)
from probation.domain.assessments.service import ASSESSORS, AssessmentService, DraftAlreadyOpen
from probation.domain.events import DomainEvent

SERVICE = "assessments"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)

AssessmentIdPath = Annotated[str, Path(alias="assessmentId", pattern=r"^[0-9a-f]{32}$")]

_service: AssessmentService | None = None


def service() -> AssessmentService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        _service = AssessmentService(
            repository=DynamoAssessmentRepository(),
            catalogue=load_catalogue(),
            clock=SystemClock(),
            new_id=new_id,
        )
    return _service


def _location(assessment: Assessment) -> str:
    return f"/cases/{assessment.crn}/assessments/{assessment.assessment_id}"


def _assessment_response(status: int, assessment: Assessment) -> Response[str]:
    location = _location(assessment)
    return http.versioned_response(status, assessment, version=assessment.version, location=location)


@app.post(
    "/cases/<crn>/assessments",
    tags=["Assessments"],
    responses=http.model_responses(201, Assessment, "A new draft, pre-filled from what the system holds"),
)
@http.allowed(ASSESSORS)
def open_draft(crn: http.CrnPath, key: idempotency.IdempotencyKey = None) -> Response[Any]:
    who = http.caller(app)

    def open_one() -> Assessment:
        draft = service().open_draft(crn, who)
        metrics.add_metric(name="AssessmentsOpened", unit=MetricUnit.Count, value=1)
        return draft

    try:
        return idempotency.once(
            app,
            who.principal.subject,
            key,
            open_one,
            lambda draft: _assessment_response(201, draft),
            outcome=Assessment,
        )
    except DraftAlreadyOpen as already:
        location = f"/cases/{crn}/assessments/{already.assessment_id}"
        return problem(
            409,
            f"Case {crn} already has an open draft assessment: {location}. Finish or continue that one.",
            slug="draft-already-open",
            instance=location,
            headers={"Location": location},
        )


@app.get(
    "/cases/<crn>/assessments",
    tags=["Assessments"],
    responses=http.model_responses(200, AssessmentList, "The case's assessments, newest first"),
)
@http.allowed(ASSESSORS)
def list_assessments(crn: http.CrnPath) -> Response[Any]:
    assessments = service().for_case(crn, http.caller(app))
    return http.json_response(200, AssessmentList(items=[AssessmentSummaryView.of(a) for a in assessments]))


@app.get(
    "/assessments/catalogues/<version>",
    tags=["Assessments"],
    responses=http.model_responses(200, QuestionCatalogue, "Every section and question, with its options"),
)
@http.allowed(ASSESSORS)
def get_catalogue(version: Annotated[str, Path(pattern=r"^[A-Z0-9_]{1,40}$")]) -> Response[Any]:
    catalogue = service().questions(version, http.caller(app))
    # The same for every caller and fixed for a version: a browser may keep it for a day.
    return http.json_response(
        200, QuestionCatalogue.of(catalogue), {"Cache-Control": "private, max-age=86400"}
    )


@app.get(
    "/cases/<crn>/assessments/<assessmentId>",
    tags=["Assessments"],
    responses=http.model_responses(200, Assessment, "The assessment, every answer with its source"),
)
@http.allowed(ASSESSORS)
def get_assessment(crn: http.CrnPath, assessment_id: AssessmentIdPath) -> Response[Any]:
    return _assessment_response(200, service().get(crn, assessment_id, http.caller(app)))


@app.patch(
    "/cases/<crn>/assessments/<assessmentId>",
    tags=["Assessments"],
    responses=http.model_responses(200, Assessment, "The assessment with the answers applied"),
)
@http.allowed(ASSESSORS)
def answer(
    crn: http.CrnPath,
    assessment_id: AssessmentIdPath,
    patch: Annotated[AssessmentPatch, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    assessment = service().answer(
        crn, assessment_id, patch, http.if_match_version(if_match), http.caller(app)
    )
    return _assessment_response(200, assessment)


@app.post(
    "/cases/<crn>/assessments/<assessmentId>/complete",
    tags=["Assessments"],
    responses=http.model_responses(
        200, Assessment, "The completed assessment, with its section scores and needs"
    ),
)
@http.allowed(ASSESSORS)
def complete(
    crn: http.CrnPath, assessment_id: AssessmentIdPath, if_match: http.RequiredIfMatch
) -> Response[Any]:
    assessment = service().complete(crn, assessment_id, http.if_match_version(if_match), http.caller(app))
    metrics.add_metric(name="AssessmentsCompleted", unit=MetricUnit.Count, value=1)
    return _assessment_response(200, assessment)


def on_event(event: dict[str, Any]) -> None:
    """A case changed while a draft may be open: refresh the draft's unconfirmed facts."""
    refreshed = service().on_event(DomainEvent.model_validate(event["detail"]))
    if refreshed is not None:
        logger.info("draft refreshed", extra={"assessmentId": refreshed.assessment_id})


lambda_handler = http.entry_point(app, logger, tracer, metrics, on_event)

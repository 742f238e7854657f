"""Allocation API and event consumer: thin routes over the allocation service."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from probation import observability
from probation.adapters.allocation_repository import DynamoAllocationRepository
from probation.adapters.clock import SystemClock, new_id
from probation.api import http
from probation.domain.allocation.models import (
    Allocation,
    AllocationRequest,
    Caseload,
    DueToEnd,
    NewPractitioner,
    NewTeam,
    PractitionerList,
    PractitionerPatch,
    PractitionerView,
    Queue,
    Recommendations,
    StaffCode,
    Team,
    TeamList,
    Transfer,
    TransferRejection,
    TransferRequest,
)
from probation.domain.allocation.service import MANAGERS, AllocationService
from probation.domain.cases.models import TeamCode
from probation.domain.events import DomainEvent
from probation.domain.principal import STAFF_ROLES

SERVICE = "allocation"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)

StaffCodePath = Annotated[StaffCode, Path(description="Practitioner (staff) code")]
TeamCodePath = Annotated[TeamCode, Path(description="Team code")]
TransferId = Annotated[str, Path(alias="transferId", pattern=r"^[0-9a-f]{32}$")]

_service: AllocationService | None = None


def service() -> AllocationService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        _service = AllocationService(
            repository=DynamoAllocationRepository(), clock=SystemClock(), new_id=new_id
        )
    return _service


def _practitioner_response(status: int, practitioner: PractitionerView) -> Response[str]:
    headers = {
        "ETag": http.etag(practitioner.version),
        "Location": f"/allocation/practitioners/{practitioner.code}",
    }
    return http.json_response(status, practitioner, headers)


@app.post("/allocation/teams", tags=["Allocation"], responses=http.model_responses(201, Team, "The new team"))
@http.allowed(MANAGERS)
def create_team(new_team: Annotated[NewTeam, Body()]) -> Response[Any]:
    team = service().create_team(new_team, http.caller(app))
    return http.json_response(201, team, {"Location": f"/allocation/teams/{team.code}"})


@app.get(
    "/allocation/teams", tags=["Allocation"], responses=http.model_responses(200, TeamList, "Every team")
)
@http.allowed(STAFF_ROLES)
def list_teams() -> Response[Any]:
    return http.json_response(200, TeamList(items=service().teams(http.caller(app))))


@app.post(
    "/allocation/practitioners",
    tags=["Allocation"],
    responses=http.model_responses(201, PractitionerView, "The new practitioner, with capacity"),
)
@http.allowed(MANAGERS)
def create_practitioner(new_practitioner: Annotated[NewPractitioner, Body()]) -> Response[Any]:
    return _practitioner_response(201, service().create_practitioner(new_practitioner, http.caller(app)))


@app.get(
    "/allocation/practitioners",
    tags=["Allocation"],
    responses=http.model_responses(200, PractitionerList, "A team's practitioners, with capacity"),
)
@http.allowed(STAFF_ROLES)
def list_practitioners(team_code: Annotated[TeamCode, Query(alias="teamCode")]) -> Response[Any]:
    return http.json_response(
        200, PractitionerList(items=service().practitioners(team_code, http.caller(app)))
    )


@app.get(
    "/allocation/practitioners/<code>",
    tags=["Allocation"],
    responses=http.model_responses(200, PractitionerView, "The practitioner, with capacity"),
)
@http.allowed(STAFF_ROLES)
def get_practitioner(code: StaffCodePath) -> Response[Any]:
    return _practitioner_response(200, service().practitioner(code, http.caller(app)))


@app.patch(
    "/allocation/practitioners/<code>",
    tags=["Allocation"],
    responses=http.model_responses(200, PractitionerView, "The updated practitioner"),
)
@http.allowed(MANAGERS)
def update_practitioner(
    code: StaffCodePath, patch: Annotated[PractitionerPatch, Body()], if_match: http.RequiredIfMatch
) -> Response[Any]:
    updated = service().update_practitioner(code, patch, http.if_match_version(if_match), http.caller(app))
    return _practitioner_response(200, updated)


@app.get(
    "/allocation/practitioners/<code>/caseload",
    tags=["Allocation"],
    responses=http.model_responses(200, Caseload, "The practitioner's cases with tier and points"),
)
@http.allowed(STAFF_ROLES)
def caseload(code: StaffCodePath) -> Response[Any]:
    practitioner, items = service().caseload(code, http.caller(app))
    return http.json_response(200, Caseload(practitioner=practitioner, items=items))


@app.get(
    "/allocation/teams/<code>/unallocated",
    tags=["Allocation"],
    responses=http.model_responses(200, Queue, "The team's unallocated cases, oldest and highest risk first"),
)
@http.allowed(STAFF_ROLES)
def unallocated(code: TeamCodePath) -> Response[Any]:
    return http.json_response(200, Queue(team_code=code, items=service().queue(code, http.caller(app))))


@app.get(
    "/allocation/practitioners/<code>/due-to-end",
    tags=["Allocation"],
    responses=http.model_responses(200, DueToEnd, "The practitioner's sentences due to end, soonest first"),
)
@http.allowed(STAFF_ROLES)
def practitioner_due_to_end(code: StaffCodePath) -> Response[Any]:
    return http.json_response(
        200, DueToEnd(items=service().due_to_end_of_practitioner(code, http.caller(app)))
    )


@app.get(
    "/allocation/teams/<code>/due-to-end",
    tags=["Allocation"],
    responses=http.model_responses(200, DueToEnd, "The team's sentences due to end, soonest first"),
)
@http.allowed(STAFF_ROLES)
def team_due_to_end(code: TeamCodePath) -> Response[Any]:
    return http.json_response(200, DueToEnd(items=service().due_to_end_in_team(code, http.caller(app))))


@app.get(
    "/cases/<crn>/allocation",
    tags=["Allocation"],
    responses=http.model_responses(200, Allocation, "The case's tier (with reasons) and allocation"),
)
@http.allowed(STAFF_ROLES)
def get_allocation(crn: http.CrnPath) -> Response[Any]:
    allocation = service().allocation(crn, http.caller(app))
    return http.json_response(200, allocation, {"ETag": http.etag(allocation.version)})


@app.get(
    "/cases/<crn>/allocation/recommendations",
    tags=["Allocation"],
    responses=http.model_responses(
        200, Recommendations, "Eligible practitioners of the team, ranked, with reasons"
    ),
)
@http.allowed(STAFF_ROLES)
def recommendations(crn: http.CrnPath) -> Response[Any]:
    return http.json_response(200, service().recommendations(crn, http.caller(app)))


@app.post(
    "/cases/<crn>/allocation",
    tags=["Allocation"],
    responses=http.model_responses(200, Allocation, "The recorded allocation"),
)
@http.allowed(MANAGERS)
def allocate(
    crn: http.CrnPath, request: Annotated[AllocationRequest, Body()], if_match: http.RequiredIfMatch
) -> Response[Any]:
    allocation = service().allocate(crn, request, http.if_match_version(if_match), http.caller(app))
    metrics.add_metric(name="AllocationsMade", unit=MetricUnit.Count, value=1)
    return http.json_response(200, allocation, {"ETag": http.etag(allocation.version)})


def _transfer_response(status: int, crn: str, transfer: Transfer) -> Response[str]:
    return http.json_response(status, transfer, {"Location": f"/cases/{crn}/transfers/{transfer.id}"})


@app.post(
    "/cases/<crn>/transfers",
    tags=["Allocation"],
    responses=http.model_responses(201, Transfer, "The transfer, waiting for the receiving team"),
)
@http.allowed(STAFF_ROLES)
def request_transfer(crn: http.CrnPath, request: Annotated[TransferRequest, Body()]) -> Response[Any]:
    return _transfer_response(201, crn, service().request_transfer(crn, request, http.caller(app)))


@app.get(
    "/cases/<crn>/transfers/<transferId>",
    tags=["Allocation"],
    responses=http.model_responses(200, Transfer, "The transfer"),
)
@http.allowed(STAFF_ROLES)
def get_transfer(crn: http.CrnPath, transfer_id: TransferId) -> Response[Any]:
    return _transfer_response(200, crn, service().transfer(crn, transfer_id, http.caller(app)))


@app.post(
    "/cases/<crn>/transfers/<transferId>/rejection",
    tags=["Allocation"],
    responses=http.model_responses(200, Transfer, "The rejected transfer; the case stays where it was"),
)
@http.allowed(MANAGERS)
def reject_transfer(
    crn: http.CrnPath, transfer_id: TransferId, rejection: Annotated[TransferRejection, Body()]
) -> Response[Any]:
    rejected = service().reject_transfer(crn, transfer_id, rejection, http.caller(app))
    return _transfer_response(200, crn, rejected)


@app.post(
    "/cases/<crn>/transfers/<transferId>/withdrawal",
    tags=["Allocation"],
    responses=http.model_responses(200, Transfer, "The withdrawn transfer; the case stays where it was"),
)
@http.allowed(STAFF_ROLES)
def withdraw_transfer(crn: http.CrnPath, transfer_id: TransferId) -> Response[Any]:
    return _transfer_response(200, crn, service().withdraw_transfer(crn, transfer_id, http.caller(app)))


def on_event(event: dict[str, Any]) -> None:
    """A case was created, changed, closed or reopened: follow it (once per event id)."""
    updated = service().on_event(DomainEvent.model_validate(event["detail"]))
    if updated is not None and updated.tier is not None:
        logger.info("case tiered", extra={"crn": updated.crn, "tier": updated.tier.tier})


lambda_handler = http.entry_point(app, logger, tracer, metrics, on_event)

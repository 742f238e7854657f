"""Supervision API: appointments and outcomes, enforcement, breaches, compliance, requirement progress and
work lists. Thin routes that parse, call the supervision service and shape the response."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from probation import observability
from probation.adapters.clock import SystemClock, new_id
from probation.adapters.supervision_repository import DynamoSupervisionRepository
from probation.api import http, idempotency
from probation.api.paging import DEFAULT_LIMIT, Cursor, Limit
from probation.domain.cases.models import Conviction, NewRequirementTermination, NewTermination
from probation.domain.principal import STAFF_ROLES, Caller
from probation.domain.supervision.models import (
    Adjustment,
    Appointment,
    AppointmentPage,
    AppointmentStatus,
    BreachEnd,
    Cancellation,
    NewAdjustment,
    NewAppointment,
    NewBreach,
    OutcomeRecord,
    RequirementList,
    RequirementView,
    Reschedule,
    WorkList,
    WorkListKind,
)
from probation.domain.supervision.service import SupervisionService
from probation.domain.supervision.summary import Breach, Compliance

SERVICE = "supervision"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)

_service: SupervisionService | None = None

AppointmentId = Annotated[str, Path(alias="appointmentId", pattern=r"^[0-9a-f]{32}$")]
BreachId = Annotated[str, Path(alias="breachId", pattern=r"^[0-9a-f]{32}$")]
ConvictionNumberPath = Annotated[int, Path(alias="convictionNumber", ge=1, le=999)]
RequirementIdPath = Annotated[str, Path(alias="requirementId", pattern=r"^[0-9]{1,3}-[0-9]{1,2}$")]
StaffCodePath = Annotated[str, Path(pattern=r"^[A-Z0-9]{3,10}$", description="Staff code")]
TeamCodePath = Annotated[str, Path(pattern=r"^[A-Z0-9]{3,10}$", description="Team code")]
Period = Annotated[
    Literal["DAY", "WEEK"], Query(description="The day of `date`, or its week (Monday to Sunday)")
]


def service() -> SupervisionService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        _service = SupervisionService(
            repository=DynamoSupervisionRepository(), clock=SystemClock(), new_id=new_id
        )
    return _service


def appointment_response(status: int, appointment: Appointment) -> Response[Any]:
    location = f"/cases/{appointment.crn}/appointments/{appointment.id}"
    return http.versioned_response(status, appointment, version=appointment.version, location=location)


def _changed_once(
    if_match: str, key: str | None, change: Callable[[int | None, Caller], Appointment]
) -> Response[Any]:
    """A change to an appointment read at If-Match's version, made once per Idempotency-Key."""
    who = http.caller(app)
    expected = http.if_match_version(if_match)
    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: change(expected, who),
        lambda appointment: appointment_response(200, appointment),
        outcome=Appointment,
    )


@app.post(
    "/cases/<crn>/appointments",
    tags=["Appointments"],
    responses=http.model_responses(201, Appointment, "The (first) appointment, with its ETag"),
)
@http.allowed(STAFF_ROLES)
def create_appointment(
    crn: http.CrnPath, new: Annotated[NewAppointment, Body()], key: idempotency.RequiredIdempotencyKey
) -> Response[Any]:
    who = http.caller(app)

    def create() -> Appointment:
        made = service().create_appointments(crn, new, who)
        metrics.add_metric(name="AppointmentsArranged", unit=MetricUnit.Count, value=1)
        return made

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        create,
        lambda a: appointment_response(201, a),
        outcome=Appointment,
    )


@app.get(
    "/cases/<crn>/appointments",
    tags=["Appointments"],
    responses=http.model_responses(200, AppointmentPage, "Appointments in time order"),
)
@http.allowed(STAFF_ROLES)
def list_appointments(
    crn: http.CrnPath,
    start: Annotated[datetime | None, Query(alias="from", description="From this instant")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="Up to this instant")] = None,
    status: Annotated[AppointmentStatus | None, Query()] = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[Any]:
    items, next_cursor = service().appointments(crn, start, end, status, limit, cursor, http.caller(app))
    return http.json_response(200, AppointmentPage(items=items, cursor=next_cursor))


@app.get(
    "/cases/<crn>/appointments/<appointmentId>",
    tags=["Appointments"],
    responses=http.model_responses(200, Appointment, "The appointment, with its ETag"),
)
@http.allowed(STAFF_ROLES)
def get_appointment(crn: http.CrnPath, appointment_id: AppointmentId) -> Response[Any]:
    return appointment_response(200, service().appointment(crn, appointment_id, http.caller(app)))


@app.put(
    "/cases/<crn>/appointments/<appointmentId>/outcome",
    tags=["Appointments"],
    responses=http.model_responses(200, Appointment, "The appointment with its outcome"),
)
@http.allowed(STAFF_ROLES)
def record_outcome(
    crn: http.CrnPath,
    appointment_id: AppointmentId,
    record: Annotated[OutcomeRecord, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    made = service().record_outcome(crn, appointment_id, record, expected, http.caller(app))
    metrics.add_metric(name="OutcomesRecorded", unit=MetricUnit.Count, value=1)
    return appointment_response(200, made)


@app.post(
    "/cases/<crn>/appointments/<appointmentId>/reschedule",
    tags=["Appointments"],
    responses=http.model_responses(
        200, Appointment, "The appointment as it now stands: moved, or the new one linked to the original"
    ),
)
@http.allowed(STAFF_ROLES)
def reschedule(
    crn: http.CrnPath,
    appointment_id: AppointmentId,
    change: Annotated[Reschedule, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed_once(
        if_match, key, lambda expected, who: service().reschedule(crn, appointment_id, change, expected, who)
    )


@app.post(
    "/cases/<crn>/appointments/<appointmentId>/cancel",
    tags=["Appointments"],
    responses=http.model_responses(200, Appointment, "The cancelled appointment"),
)
@http.allowed(STAFF_ROLES)
def cancel(
    crn: http.CrnPath,
    appointment_id: AppointmentId,
    cancellation: Annotated[Cancellation, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed_once(
        if_match,
        key,
        lambda expected, who: service().cancel(crn, appointment_id, cancellation, expected, who),
    )


@app.get(
    "/cases/<crn>/compliance",
    tags=["Compliance"],
    responses=http.model_responses(200, Compliance, "Failures to comply, prompts, warnings and counts"),
)
@http.allowed(STAFF_ROLES)
def compliance(crn: http.CrnPath) -> Response[Any]:
    return http.json_response(200, service().compliance(crn, http.caller(app)))


@app.post(
    "/cases/<crn>/breaches",
    tags=["Compliance"],
    responses=http.model_responses(201, Breach, "The breach, resting on the failures counted now"),
)
@http.allowed(STAFF_ROLES)
def start_breach(
    crn: http.CrnPath, new: Annotated[NewBreach, Body()], key: idempotency.IdempotencyKey = None
) -> Response[Any]:
    who = http.caller(app)

    def started(breach: Breach) -> Response[Any]:
        return http.json_response(201, breach, {"Location": f"/cases/{crn}/breaches/{breach.id}"})

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().start_breach(crn, new, who),
        started,
        outcome=Breach,
    )


@app.post(
    "/cases/<crn>/breaches/<breachId>/end",
    tags=["Compliance"],
    responses=http.model_responses(200, Breach, "The ended breach; the count starts again"),
)
@http.allowed(STAFF_ROLES)
def end_breach(
    crn: http.CrnPath,
    breach_id: BreachId,
    end: Annotated[BreachEnd, Body()],
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    who = http.caller(app)
    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().end_breach(crn, breach_id, end, who),
        lambda b: http.json_response(200, b),
        outcome=Breach,
    )


@app.get(
    "/cases/<crn>/requirements",
    tags=["Requirements"],
    responses=http.model_responses(200, RequirementList, "The current sentence's requirements and progress"),
)
@http.allowed(STAFF_ROLES)
def requirements(crn: http.CrnPath) -> Response[Any]:
    return http.json_response(200, service().requirements(crn, http.caller(app)))


@app.post(
    "/cases/<crn>/requirements/<requirementId>/adjustments",
    tags=["Requirements"],
    responses=http.model_responses(201, Adjustment, "The unpaid work adjustment"),
)
@http.allowed(STAFF_ROLES)
def add_adjustment(
    crn: http.CrnPath,
    requirement_id: RequirementIdPath,
    new: Annotated[NewAdjustment, Body()],
    key: idempotency.RequiredIdempotencyKey,
) -> Response[Any]:
    who = http.caller(app)
    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().add_adjustment(crn, requirement_id, new, who),
        lambda a: http.json_response(201, a),
        outcome=Adjustment,
    )


@app.post(
    "/cases/<crn>/convictions/<convictionNumber>/termination",
    tags=["Endings"],
    responses=http.model_responses(
        200, Conviction, "The conviction with its termination; with it, the case may close"
    ),
)
@http.allowed(STAFF_ROLES)
def terminate_sentence(
    crn: http.CrnPath,
    conviction_number: ConvictionNumberPath,
    ending: Annotated[NewTermination, Body()],
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    who = http.caller(app)
    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().terminate_sentence(crn, conviction_number, ending, who),
        lambda conviction: http.json_response(200, conviction),
        outcome=Conviction,
    )


@app.post(
    "/cases/<crn>/requirements/<requirementId>/termination",
    tags=["Endings"],
    responses=http.model_responses(200, RequirementView, "The requirement, ended"),
)
@http.allowed(STAFF_ROLES)
def terminate_requirement(
    crn: http.CrnPath,
    requirement_id: RequirementIdPath,
    ending: Annotated[NewRequirementTermination, Body()],
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    who = http.caller(app)
    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().terminate_requirement(crn, requirement_id, ending, who),
        lambda requirement: http.json_response(200, requirement),
        outcome=RequirementView,
    )


def _diary(
    scope: str, code: str, day: date | None, period: str, limit: int, cursor: str | None
) -> Response[Any]:
    when = day or service().clock.now().date()
    items, next_cursor = service().diary(scope, code, when, period, limit, cursor, http.caller(app))
    return http.json_response(200, WorkList(items=items, cursor=next_cursor))


def _due(scope: str, code: str, kind: WorkListKind, limit: int, cursor: str | None) -> Response[Any]:
    items, next_cursor = service().due(scope, code, kind, limit, cursor, http.caller(app))
    return http.json_response(200, WorkList(items=items, cursor=next_cursor))


DiaryDate = Annotated[date | None, Query(alias="date", description="Today when not given")]
ListKind = Annotated[WorkListKind, Query(alias="list", description="OUTCOMES, EVIDENCE or ENFORCEMENT")]


@app.get(
    "/supervision/practitioners/<code>/diary",
    tags=["Work lists"],
    responses=http.model_responses(200, WorkList, "The practitioner's appointments of the day or week"),
)
@http.allowed(STAFF_ROLES)
def practitioner_diary(
    code: StaffCodePath,
    day: DiaryDate = None,
    period: Period = "DAY",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response[Any]:
    return _diary("staff", code, day, period, limit, cursor)


@app.get(
    "/supervision/teams/<code>/diary",
    tags=["Work lists"],
    responses=http.model_responses(200, WorkList, "The team's appointments of the day or week"),
)
@http.allowed(STAFF_ROLES)
def team_diary(
    code: TeamCodePath,
    day: DiaryDate = None,
    period: Period = "DAY",
    limit: Limit = 100,
    cursor: Cursor = None,
) -> Response[Any]:
    return _diary("team", code, day, period, limit, cursor)


@app.get(
    "/supervision/practitioners/<code>/due",
    tags=["Work lists"],
    responses=http.model_responses(
        200, WorkList, "Outcomes to record, evidence or enforcement responses due"
    ),
)
@http.allowed(STAFF_ROLES)
def practitioner_due(
    code: StaffCodePath, kind: ListKind, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[Any]:
    return _due("staff", code, kind, limit, cursor)


@app.get(
    "/supervision/teams/<code>/due",
    tags=["Work lists"],
    responses=http.model_responses(200, WorkList, "The team's outcomes to record, evidence or responses due"),
)
@http.allowed(STAFF_ROLES)
def team_due(
    code: TeamCodePath, kind: ListKind, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[Any]:
    return _due("team", code, kind, limit, cursor)


lambda_handler = http.entry_point(app, logger, tracer, metrics)

"""Case records API: thin routes that parse, call the case service and shape the response."""

from datetime import date
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from probation import observability
from probation.adapters.case_repository import DynamoCaseRepository
from probation.adapters.clock import SystemClock, new_id
from probation.adapters.offence_list import known_offence
from probation.api import http, idempotency
from probation.api.paging import DEFAULT_LIMIT, Cursor, Limit, PageOf
from probation.domain.audit import AuditRecord
from probation.domain.cases.models import (
    Case,
    CaseOverview,
    CasePatch,
    Contact,
    Conviction,
    Deregistration,
    NewCase,
    NewContact,
    NewConviction,
    NewRegistration,
    NewSanctions,
    Registration,
    Sanction,
)
from probation.domain.cases.service import AUDIT_READERS, CaseService
from probation.domain.model import ApiModel
from probation.domain.principal import STAFF_ROLES

SERVICE = "cases"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)


_service: CaseService | None = None


def service() -> CaseService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        _service = CaseService(
            repository=DynamoCaseRepository(), clock=SystemClock(), new_id=new_id, offences=known_offence
        )
    return _service


class SanctionsRecorded(ApiModel):
    sanctions: list[Sanction]


@app.get("/health", tags=["Operations"])
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/cases", tags=["Cases"], responses=http.model_responses(201, Case, "The case, with its new CRN"))
@http.allowed(STAFF_ROLES)
def create_case(
    new_case: Annotated[NewCase, Body()], key: idempotency.IdempotencyKey = None
) -> Response[Any]:
    who = http.caller(app)

    def create() -> Case:
        case = service().create_case(new_case, who)
        metrics.add_metric(name="CasesCreated", unit=MetricUnit.Count, value=1)
        return case

    def created(case: Case) -> Response[Any]:
        return http.versioned_response(201, case, version=case.version, location=f"/cases/{case.crn}")

    return idempotency.once(app, who.principal.subject, key, create, created, outcome=Case)


@app.get("/cases", tags=["Cases"], responses=http.model_responses(200, PageOf[Case], "Matching cases"))
@http.allowed(STAFF_ROLES)
def search_cases(
    last_name: Annotated[str, Query(alias="lastName", min_length=1, max_length=35)],
    date_of_birth: Annotated[date, Query(alias="dateOfBirth")],
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Response[Any]:
    cases, next_cursor = service().search(last_name, date_of_birth, limit, cursor, http.caller(app))
    return http.json_response(200, PageOf[Case](items=cases, cursor=next_cursor))


@app.get("/cases/<crn>", tags=["Cases"], responses=http.model_responses(200, Case, "The case"))
@http.allowed(STAFF_ROLES)
def get_case(crn: http.CrnPath) -> Response[Any]:
    case = service().get_case(crn, http.caller(app))
    return http.json_response(200, case, {"ETag": http.etag(case.version)})


@app.patch("/cases/<crn>", tags=["Cases"], responses=http.model_responses(200, Case, "The updated case"))
@http.allowed(STAFF_ROLES)
def update_case(
    crn: http.CrnPath, patch: Annotated[CasePatch, Body()], if_match: http.RequiredIfMatch
) -> Response[Any]:
    case = service().update_case(crn, patch, http.if_match_version(if_match), http.caller(app))
    return http.json_response(200, case, {"ETag": http.etag(case.version)})


@app.get(
    "/cases/<crn>/overview", tags=["Cases"], responses=http.model_responses(200, CaseOverview, "The case")
)
@http.allowed(STAFF_ROLES)
def get_overview(crn: http.CrnPath) -> Response[Any]:
    overview = service().overview(crn, http.caller(app))
    return http.json_response(200, overview, {"ETag": http.etag(overview.case.version)})


@app.post(
    "/cases/<crn>/convictions",
    tags=["Convictions"],
    responses=http.model_responses(201, Conviction, "The conviction with its number"),
)
@http.allowed(STAFF_ROLES)
def add_conviction(
    crn: http.CrnPath,
    new_conviction: Annotated[NewConviction, Body()],
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    who = http.caller(app)

    def added(conviction: Conviction) -> Response[Any]:
        location = f"/cases/{crn}/convictions/{conviction.conviction_number}"
        return http.json_response(201, conviction, {"Location": location})

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().add_conviction(crn, new_conviction, who),
        added,
        outcome=Conviction,
    )


@app.post(
    "/cases/<crn>/sanctions",
    tags=["Convictions"],
    responses=http.model_responses(201, SanctionsRecorded, "The recorded sanctions"),
)
@http.allowed(STAFF_ROLES)
def record_sanctions(
    crn: http.CrnPath,
    new_sanctions: Annotated[NewSanctions, Body()],
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    who = http.caller(app)

    def recorded(sanctions: list[Sanction]) -> Response[Any]:
        return http.json_response(201, SanctionsRecorded(sanctions=sanctions))

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().record_sanctions(crn, new_sanctions, who),
        recorded,
        outcome=list[Sanction],
    )


@app.post(
    "/cases/<crn>/contacts",
    tags=["Contacts"],
    responses=http.model_responses(201, Contact, "The recorded contact"),
)
@http.allowed(STAFF_ROLES)
def record_contact(
    crn: http.CrnPath,
    new_contact: Annotated[NewContact, Body()],
    key: idempotency.RequiredIdempotencyKey,
    if_match: http.IfMatch = None,
) -> Response[Any]:
    who = http.caller(app)

    def record() -> Contact:
        contact = service().record_contact(crn, new_contact, who, http.if_match_version(if_match))
        metrics.add_metric(name="ContactsRecorded", unit=MetricUnit.Count, value=1)
        return contact

    def recorded(contact: Contact) -> Response[Any]:
        return http.json_response(201, contact, {"Location": f"/cases/{crn}/contacts/{contact.contact_id}"})

    return idempotency.once(app, who.principal.subject, key, record, recorded, outcome=Contact)


@app.get(
    "/cases/<crn>/contacts",
    tags=["Contacts"],
    responses=http.model_responses(200, PageOf[Contact], "Contacts, newest first"),
)
@http.allowed(STAFF_ROLES)
def list_contacts(crn: http.CrnPath, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[Any]:
    contacts, next_cursor = service().contacts(crn, limit, cursor, http.caller(app))
    return http.json_response(200, PageOf[Contact](items=contacts, cursor=next_cursor))


@app.post(
    "/cases/<crn>/registrations",
    tags=["Registrations"],
    responses=http.model_responses(201, Registration, "The active registration"),
)
@http.allowed(STAFF_ROLES)
def add_registration(
    crn: http.CrnPath,
    new_registration: Annotated[NewRegistration, Body()],
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    who = http.caller(app)

    def added(registration: Registration) -> Response[Any]:
        location = f"/cases/{crn}/registrations/{registration.registration_id}"
        return http.versioned_response(201, registration, version=registration.version, location=location)

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().add_registration(crn, new_registration, who),
        added,
        outcome=Registration,
    )


@app.delete(
    "/cases/<crn>/registrations/<registrationId>",
    tags=["Registrations"],
    responses=http.model_responses(200, Registration, "The registration, now deregistered"),
)
@http.allowed(STAFF_ROLES)
def deregister(
    crn: http.CrnPath,
    registration_id: Annotated[str, Path(alias="registrationId", pattern=r"^[0-9a-f]{32}$")],
    deregistration: Annotated[Deregistration, Body()],
    if_match: http.IfMatch = None,
) -> Response[Any]:
    registration = service().deregister(
        crn, registration_id, deregistration, http.if_match_version(if_match), http.caller(app)
    )
    return http.json_response(200, registration, {"ETag": http.etag(registration.version)})


@app.get(
    "/cases/<crn>/audit",
    tags=["Audit"],
    responses=http.model_responses(200, PageOf[AuditRecord], "Who read or changed the case, newest first"),
)
@http.allowed(AUDIT_READERS)
def audit_trail(crn: http.CrnPath, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[Any]:
    records, next_cursor = service().audit_trail(crn, limit, cursor, http.caller(app))
    return http.json_response(200, PageOf[AuditRecord](items=records, cursor=next_cursor))


lambda_handler = http.entry_point(app, logger, tracer, metrics)

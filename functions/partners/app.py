"""Partner gateway API: partner registration for admins, and the partner providers' own API."""

import functools
import json
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from probation import config, observability
from probation.adapters.case_repository import DynamoCaseRepository
from probation.adapters.clock import SystemClock, new_id
from probation.adapters.cognito import CognitoIdentityProvider
from probation.adapters.offence_list import known_offence
from probation.adapters.partner_repository import DynamoPartnerRepository
from probation.adapters.sentence_plan_repository import DynamoSentencePlanRepository
from probation.adapters.supervision_repository import DynamoSupervisionRepository
from probation.adapters.usage_plans import ApiGatewayUsagePlan
from probation.api import contract, http, idempotency
from probation.api.paging import DEFAULT_LIMIT, Cursor, Limit
from probation.domain.cases.models import Contact, NewContact
from probation.domain.cases.service import CaseService
from probation.domain.events import DomainEvent
from probation.domain.partners.models import (
    DeliveryPage,
    Feed,
    NewPartner,
    NewSubscription,
    PartnerCase,
    PartnerCasePage,
    PartnerCredentials,
    PartnerList,
    Scope,
    Subscription,
    SubscriptionList,
)
from probation.domain.partners.service import ADMINS, PartnerService
from probation.domain.partners.webhooks import WEBHOOK_CONTRACT
from probation.domain.principal import PARTNER_ROLES
from probation.domain.sentence_plans.models import PartnerSentencePlan, PartnerSentencePlanList, StepProgress
from probation.domain.sentence_plans.service import SentencePlanService
from probation.domain.supervision.models import Appointment, NewAppointment, OutcomeRecord
from probation.domain.supervision.service import SupervisionService

SERVICE = "partners"
PARTNER_PREFIX = "/partner/v1/"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)

_service: PartnerService | None = None
_plans: SentencePlanService | None = None


def service() -> PartnerService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        clock = SystemClock()
        cases = CaseService(
            repository=DynamoCaseRepository(), clock=clock, new_id=new_id, offences=known_offence
        )
        _service = PartnerService(
            repository=DynamoPartnerRepository(),
            identity=CognitoIdentityProvider(),
            usage_plan=ApiGatewayUsagePlan(),
            cases=cases,
            supervision=SupervisionService(
                repository=DynamoSupervisionRepository(), clock=clock, new_id=new_id
            ),
            clock=clock,
            new_id=new_id,
            allow_loopback_webhooks=config.allow_loopback_webhooks(),
        )
    return _service


def plans() -> SentencePlanService:
    """The sentence plan service, for the partner's read-only view of its cases' plans and step progress."""
    global _plans  # noqa: PLW0603
    if _plans is None:
        _plans = SentencePlanService(
            repository=DynamoSentencePlanRepository(), clock=SystemClock(), new_id=new_id
        )
    return _plans


@app.post(
    "/partner-admin/partners",
    tags=["Partner administration"],
    responses=http.model_responses(201, PartnerCredentials, "The partner and its credentials, shown once"),
)
@http.allowed(ADMINS)
def register_partner(new_partner: Annotated[NewPartner, Body()]) -> Response[Any]:
    credentials = service().register(new_partner, http.caller(app))
    location = f"/partner-admin/partners/{credentials.partner.partner_id}"
    return http.json_response(201, credentials, {"Location": location, "Cache-Control": "no-store"})


@app.get(
    "/partner-admin/partners",
    tags=["Partner administration"],
    responses=http.model_responses(200, PartnerList, "Every registered partner"),
)
@http.allowed(ADMINS)
def list_partners() -> Response[Any]:
    return http.json_response(200, PartnerList(items=service().partners(http.caller(app))))


@app.get(
    "/partner/v1/cases",
    tags=["Partner API"],
    responses=http.model_responses(200, PartnerCasePage, "The cases allocated to the calling partner"),
)
@http.allowed(PARTNER_ROLES, Scope.CASES_READ)
def partner_cases(limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None) -> Response[Any]:
    items, next_cursor = service().case_list(http.caller(app), limit, cursor)
    return http.json_response(200, PartnerCasePage(items=items, cursor=next_cursor))


@app.get(
    "/partner/v1/cases/<crn>",
    tags=["Partner API"],
    responses=http.model_responses(200, PartnerCase, "The case, as its partner provider needs it"),
)
@http.allowed(PARTNER_ROLES, Scope.CASES_READ)
def partner_case(crn: http.CrnPath) -> Response[Any]:
    return http.json_response(200, service().case(crn, http.caller(app)))


@app.post(
    "/partner/v1/cases/<crn>/contacts",
    tags=["Partner API"],
    responses=http.model_responses(
        201, Contact, "The contact, recorded in the case with the partner as source"
    ),
)
@http.allowed(PARTNER_ROLES, Scope.CONTACTS_WRITE)
def report_contact(
    crn: http.CrnPath, new_contact: Annotated[NewContact, Body()], key: idempotency.RequiredIdempotencyKey
) -> Response[Any]:
    who = http.caller(app)

    def recorded(contact: Contact) -> Response[Any]:
        return http.json_response(
            201, contact, {"Location": f"/partner/v1/cases/{crn}/contacts/{contact.contact_id}"}
        )

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().record_contact(crn, new_contact, who),
        recorded,
        outcome=Contact,
    )


AppointmentId = Annotated[str, Path(alias="appointmentId", pattern=r"^[0-9a-f]{32}$")]


def _appointment_response(status: int, appointment: Appointment) -> Response[Any]:
    location = f"/partner/v1/cases/{appointment.crn}/appointments/{appointment.id}"
    return http.versioned_response(status, appointment, version=appointment.version, location=location)


@app.post(
    "/partner/v1/cases/<crn>/appointments",
    tags=["Partner API"],
    responses=http.model_responses(201, Appointment, "The (first) appointment, with the partner as source"),
)
@http.allowed(PARTNER_ROLES, Scope.CONTACTS_WRITE)
def partner_arrange(
    crn: http.CrnPath, new: Annotated[NewAppointment, Body()], key: idempotency.RequiredIdempotencyKey
) -> Response[Any]:
    who = http.caller(app)
    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().arrange_appointments(crn, new, who),
        lambda a: _appointment_response(201, a),
        outcome=Appointment,
    )


@app.get(
    "/partner/v1/cases/<crn>/appointments/<appointmentId>",
    tags=["Partner API"],
    responses=http.model_responses(200, Appointment, "An appointment the partner arranged, with its ETag"),
)
@http.allowed(PARTNER_ROLES, Scope.CASES_READ)
def partner_appointment(crn: http.CrnPath, appointment_id: AppointmentId) -> Response[Any]:
    return _appointment_response(200, service().appointment(crn, appointment_id, http.caller(app)))


@app.put(
    "/partner/v1/cases/<crn>/appointments/<appointmentId>/outcome",
    tags=["Partner API"],
    responses=http.model_responses(200, Appointment, "The appointment with its outcome"),
)
@http.allowed(PARTNER_ROLES, Scope.CONTACTS_WRITE)
def partner_outcome(
    crn: http.CrnPath,
    appointment_id: AppointmentId,
    record: Annotated[OutcomeRecord, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    made = service().record_outcome(crn, appointment_id, record, expected, http.caller(app))
    return _appointment_response(200, made)


PlanId = Annotated[str, Path(alias="planId", pattern=r"^[0-9a-f]{32}$", description="The plan's id")]
GoalId = Annotated[str, Path(alias="goalId", pattern=r"^[0-9a-f]{32}$", description="A goal's id")]
StepId = Annotated[str, Path(alias="stepId", pattern=r"^[0-9a-f]{32}$", description="A step's id")]


def _plan_response(plan: PartnerSentencePlan) -> Response[Any]:
    location = f"/partner/v1/cases/{plan.crn}/sentence-plans/{plan.id}"
    return http.versioned_response(200, plan, version=plan.version, location=location)


@app.get(
    "/partner/v1/cases/<crn>/sentence-plans",
    tags=["Partner API"],
    responses=http.model_responses(
        200, PartnerSentencePlanList, "The case's sentence plans, newest first: goals and steps, read only"
    ),
)
@http.allowed(PARTNER_ROLES, Scope.CASES_READ)
def partner_plans(crn: http.CrnPath) -> Response[Any]:
    return http.json_response(
        200, PartnerSentencePlanList(items=plans().partner_plans(crn, http.caller(app)))
    )


@app.get(
    "/partner/v1/cases/<crn>/sentence-plans/<planId>",
    tags=["Partner API"],
    responses=http.model_responses(200, PartnerSentencePlan, "One plan of the partner's case, with its ETag"),
)
@http.allowed(PARTNER_ROLES, Scope.CASES_READ)
def partner_plan(crn: http.CrnPath, plan_id: PlanId) -> Response[Any]:
    return _plan_response(plans().partner_plan(crn, plan_id, http.caller(app)))


@app.put(
    "/partner/v1/cases/<crn>/sentence-plans/<planId>/goals/<goalId>/steps/<stepId>/progress",
    tags=["Partner API"],
    responses=http.model_responses(
        200,
        PartnerSentencePlan,
        "The plan with the step's progress (a partnership agency's or CRS step only)",
    ),
)
@http.allowed(PARTNER_ROLES, Scope.CONTACTS_WRITE)
def partner_step_progress(
    crn: http.CrnPath,
    plan_id: PlanId,
    goal_id: GoalId,
    step_id: StepId,
    progress: Annotated[StepProgress, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    plan = plans().partner_progress(crn, plan_id, goal_id, step_id, progress, expected, http.caller(app))
    return _plan_response(plan)


@app.get(
    "/partner/v1/events",
    tags=["Partner API"],
    responses=http.model_responses(
        200, Feed, "Every event about the partner's cases after the cursor, in order"
    ),
)
@http.allowed(PARTNER_ROLES, Scope.EVENTS_READ)
def partner_events(
    after: Annotated[int, Query(ge=0, description="The cursor of the previous page; 0 for the start")] = 0,
    limit: Limit = DEFAULT_LIMIT,
) -> Response[Any]:
    return http.json_response(200, service().feed(http.caller(app), after, limit))


SubscriptionId = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,64}$", description="From the subscription")]


@app.post(
    "/partner/v1/subscriptions",
    tags=["Partner API"],
    description=WEBHOOK_CONTRACT,
    responses=http.model_responses(201, Subscription, "The subscription; its secret is never shown again"),
)
@http.allowed(PARTNER_ROLES, Scope.EVENTS_READ)
def subscribe(
    new_subscription: Annotated[NewSubscription, Body()], key: idempotency.IdempotencyKey = None
) -> Response[Any]:
    who = http.caller(app)

    def subscribed(subscription: Subscription) -> Response[Any]:
        location = f"/partner/v1/subscriptions/{subscription.subscription_id}"
        return http.json_response(201, subscription, {"Location": location})

    return idempotency.once(
        app,
        who.principal.subject,
        key,
        lambda: service().subscribe(new_subscription, who),
        subscribed,
        outcome=Subscription,
    )


@app.get(
    "/partner/v1/subscriptions",
    tags=["Partner API"],
    responses=http.model_responses(200, SubscriptionList, "The calling partner's subscriptions"),
)
@http.allowed(PARTNER_ROLES, Scope.EVENTS_READ)
def subscriptions() -> Response[Any]:
    return http.json_response(200, SubscriptionList(items=service().subscriptions(http.caller(app))))


@app.get(
    "/partner/v1/subscriptions/<subscription_id>",
    tags=["Partner API"],
    responses=http.model_responses(200, Subscription, "The subscription"),
)
@http.allowed(PARTNER_ROLES, Scope.EVENTS_READ)
def subscription(subscription_id: SubscriptionId) -> Response[Any]:
    return http.json_response(200, service().subscription(subscription_id, http.caller(app)))


@app.delete(
    "/partner/v1/subscriptions/<subscription_id>",
    tags=["Partner API"],
    responses={204: {"description": "Deleted; deliveries not yet made are cancelled"}},
)
@http.allowed(PARTNER_ROLES, Scope.EVENTS_READ)
def unsubscribe(subscription_id: SubscriptionId) -> Response[Any]:
    service().unsubscribe(subscription_id, http.caller(app))
    return Response(204)


@app.get(
    "/partner/v1/subscriptions/<subscription_id>/deliveries",
    tags=["Partner API"],
    responses=http.model_responses(200, DeliveryPage, "Every delivery to the subscription, newest first"),
)
@http.allowed(PARTNER_ROLES, Scope.EVENTS_READ)
def deliveries(
    subscription_id: SubscriptionId, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[Any]:
    items, next_cursor = service().deliveries(subscription_id, http.caller(app), limit, cursor)
    return http.json_response(200, DeliveryPage(items=items, cursor=next_cursor))


@app.get("/partner/v1/openapi.json", tags=["Partner API"])
@http.allowed(PARTNER_ROLES)
def partner_openapi() -> Response[Any]:
    """The partner API's own contract: its routes and nothing of the staff API."""
    return Response(200, "application/json", partner_spec())


@functools.cache
def partner_spec() -> str:
    spec = json.loads(app.get_openapi_json_schema(title="Probation partner API", version="1.0.0"))
    spec["paths"] = {path: item for path, item in spec["paths"].items() if path.startswith(PARTNER_PREFIX)}
    return json.dumps(contract.document_edge(spec))


def on_event(event: dict[str, Any]) -> None:
    """Every domain event about a partner's case goes into that partner's feed, once."""
    partners = service().on_event(DomainEvent.model_validate(event["detail"]))
    if partners:
        logger.info("event added to partner feeds", extra={"partners": partners})


lambda_handler = http.entry_point(app, logger, tracer, metrics, on_event)

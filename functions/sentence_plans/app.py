"""Sentence plans API, event consumer and daily check: thin routes that parse, call the sentence plan service
and shape the response."""

from collections.abc import Callable
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.metrics import MetricUnit

from probation import observability
from probation.adapters.clock import SystemClock, new_id
from probation.adapters.sentence_plan_repository import DynamoSentencePlanRepository
from probation.api import http, idempotency
from probation.api.paging import DEFAULT_LIMIT, Cursor, Limit
from probation.api.problems import problem
from probation.domain.events import DomainEvent
from probation.domain.principal import Caller
from probation.domain.sentence_plans.models import (
    GoalOrder,
    GoalPatch,
    NewAgreement,
    NewCountersignature,
    NewGoal,
    NewRejection,
    NewReview,
    NewStep,
    ReviewDueList,
    SentencePlan,
    SentencePlanList,
    StepOrder,
    StepPatch,
)
from probation.domain.sentence_plans.service import (
    ASSESSORS,
    COUNTERSIGNERS,
    PlanAlreadyExists,
    SentencePlanService,
)

SERVICE = "sentence-plans"
SCHEDULED = "Scheduled Event"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)
app = http.create_resolver(logger)

_service: SentencePlanService | None = None

Id = r"^[0-9a-f]{32}$"
PlanId = Annotated[str, Path(alias="planId", pattern=Id, description="The plan's id")]
GoalId = Annotated[str, Path(alias="goalId", pattern=Id, description="A goal's id")]
StepId = Annotated[str, Path(alias="stepId", pattern=Id, description="A step's id")]
PlanVersionPath = Annotated[int, Path(alias="planVersion", ge=1, le=9999, description="1 for the first")]
StaffCodePath = Annotated[str, Path(pattern=r"^[A-Z0-9]{3,10}$", description="Staff code")]
Within = Annotated[
    int, Query(ge=0, le=366, description="Reviews due up to this many days ahead (overdue ones always)")
]
TAGS = ["Sentence plans"]


def service() -> SentencePlanService:
    """Built on first use, so the boto3 clients are created lazily and reused while the Lambda is warm."""
    global _service  # noqa: PLW0603
    if _service is None:
        _service = SentencePlanService(
            repository=DynamoSentencePlanRepository(), clock=SystemClock(), new_id=new_id
        )
    return _service


def _location(plan: SentencePlan) -> str:
    return f"/cases/{plan.crn}/sentence-plans/{plan.id}"


def plan_response(status: int, plan: SentencePlan) -> Response[Any]:
    return http.versioned_response(status, plan, version=plan.version, location=_location(plan))


def _changed(
    status: int,
    if_match: str,
    key: str | None,
    change: Callable[[int | None, Caller], SentencePlan],
    metric: str | None = None,
) -> Response[Any]:
    """A change to the plan read at If-Match's version, made once per Idempotency-Key (when one is sent)."""
    who = http.caller(app)
    expected = http.if_match_version(if_match)

    def act() -> SentencePlan:
        made = change(expected, who)
        if metric:
            metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
        return made

    return idempotency.once(
        app, who.principal.subject, key, act, lambda plan: plan_response(status, plan), outcome=SentencePlan
    )


@app.post(
    "/cases/<crn>/sentence-plans",
    tags=TAGS,
    responses=http.model_responses(
        201, SentencePlan, "A draft (version 1, INITIAL) from the latest completed assessment, with its ETag"
    ),
)
@http.allowed(ASSESSORS)
def create_plan(crn: http.CrnPath, key: idempotency.IdempotencyKey = None) -> Response[Any]:
    who = http.caller(app)

    def create() -> SentencePlan:
        plan = service().create(crn, who)
        metrics.add_metric(name="SentencePlansCreated", unit=MetricUnit.Count, value=1)
        return plan

    try:
        return idempotency.once(
            app, who.principal.subject, key, create, lambda p: plan_response(201, p), outcome=SentencePlan
        )
    except PlanAlreadyExists as already:
        location = f"/cases/{crn}/sentence-plans/{already.plan_id}"
        return problem(
            409, already.detail, slug="plan-already-open", instance=location, headers={"Location": location}
        )


@app.get(
    "/cases/<crn>/sentence-plans",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlanList, "The case's plans, newest first, in brief"),
)
@http.allowed(ASSESSORS)
def list_plans(crn: http.CrnPath) -> Response[Any]:
    return http.json_response(200, SentencePlanList(items=service().plans(crn, http.caller(app))))


@app.get(
    "/cases/<crn>/sentence-plans/<planId>",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The plan's current version, with its ETag"),
)
@http.allowed(ASSESSORS)
def get_plan(crn: http.CrnPath, plan_id: PlanId) -> Response[Any]:
    return plan_response(200, service().plan(crn, plan_id, http.caller(app)))


@app.get(
    "/cases/<crn>/sentence-plans/<planId>/versions/<planVersion>",
    tags=TAGS,
    responses=http.model_responses(
        200, SentencePlan, "One version: the current one, or an earlier one as it was when superseded"
    ),
)
@http.allowed(ASSESSORS)
def get_plan_version(crn: http.CrnPath, plan_id: PlanId, plan_version: PlanVersionPath) -> Response[Any]:
    return http.json_response(200, service().plan_version(crn, plan_id, plan_version, http.caller(app)))


@app.post(
    "/cases/<crn>/sentence-plans/<planId>/goals",
    tags=TAGS,
    responses=http.model_responses(201, SentencePlan, "The plan, the new goal last in `goals`"),
)
@http.allowed(ASSESSORS)
def add_goal(
    crn: http.CrnPath,
    plan_id: PlanId,
    new: Annotated[NewGoal, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed(
        201, if_match, key, lambda expected, who: service().add_goal(crn, plan_id, new, expected, who)
    )


@app.patch(
    "/cases/<crn>/sentence-plans/<planId>/goals/<goalId>",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The plan with the goal changed"),
)
@http.allowed(ASSESSORS)
def change_goal(
    crn: http.CrnPath,
    plan_id: PlanId,
    goal_id: GoalId,
    patch: Annotated[GoalPatch, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    plan = service().change_goal(crn, plan_id, goal_id, patch, expected, http.caller(app))
    return plan_response(200, plan)


@app.put(
    "/cases/<crn>/sentence-plans/<planId>/goal-order",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The plan with its goals in the new order"),
)
@http.allowed(ASSESSORS)
def order_goals(
    crn: http.CrnPath, plan_id: PlanId, order: Annotated[GoalOrder, Body()], if_match: http.RequiredIfMatch
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    return plan_response(200, service().order_goals(crn, plan_id, order, expected, http.caller(app)))


@app.post(
    "/cases/<crn>/sentence-plans/<planId>/goals/<goalId>/steps",
    tags=TAGS,
    responses=http.model_responses(201, SentencePlan, "The plan, the new step last in its goal's `steps`"),
)
@http.allowed(ASSESSORS)
def add_step(
    crn: http.CrnPath,
    plan_id: PlanId,
    goal_id: GoalId,
    new: Annotated[NewStep, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed(
        201,
        if_match,
        key,
        lambda expected, who: service().add_step(crn, plan_id, goal_id, new, expected, who),
    )


@app.patch(
    "/cases/<crn>/sentence-plans/<planId>/goals/<goalId>/steps/<stepId>",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The plan with the step changed"),
)
@http.allowed(ASSESSORS)
def change_step(
    crn: http.CrnPath,
    plan_id: PlanId,
    goal_id: GoalId,
    step_id: StepId,
    patch: Annotated[StepPatch, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    plan = service().change_step(crn, plan_id, goal_id, step_id, patch, expected, http.caller(app))
    return plan_response(200, plan)


@app.put(
    "/cases/<crn>/sentence-plans/<planId>/goals/<goalId>/step-order",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The plan with the goal's steps in the new order"),
)
@http.allowed(ASSESSORS)
def order_steps(
    crn: http.CrnPath,
    plan_id: PlanId,
    goal_id: GoalId,
    order: Annotated[StepOrder, Body()],
    if_match: http.RequiredIfMatch,
) -> Response[Any]:
    expected = http.if_match_version(if_match)
    plan = service().order_steps(crn, plan_id, goal_id, order, expected, http.caller(app))
    return plan_response(200, plan)


@app.post(
    "/cases/<crn>/sentence-plans/<planId>/agreement",
    tags=TAGS,
    responses=http.model_responses(
        200, SentencePlan, "The version, locked: self-signed, or awaiting a countersignature"
    ),
)
@http.allowed(ASSESSORS)
def agree(
    crn: http.CrnPath,
    plan_id: PlanId,
    agreement: Annotated[NewAgreement, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed(
        200,
        if_match,
        key,
        lambda expected, who: service().agree(crn, plan_id, agreement, expected, who),
        "SentencePlansAgreed",
    )


@app.post(
    "/cases/<crn>/sentence-plans/<planId>/countersignature",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The version, countersigned"),
)
@http.allowed(COUNTERSIGNERS)
def countersign(
    crn: http.CrnPath,
    plan_id: PlanId,
    countersignature: Annotated[NewCountersignature, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed(
        200,
        if_match,
        key,
        lambda expected, who: service().countersign(crn, plan_id, countersignature, expected, who),
        "SentencePlansCountersigned",
    )


@app.post(
    "/cases/<crn>/sentence-plans/<planId>/rejection",
    tags=TAGS,
    responses=http.model_responses(200, SentencePlan, "The version, a draft again, with the rejection"),
)
@http.allowed(COUNTERSIGNERS)
def reject(
    crn: http.CrnPath,
    plan_id: PlanId,
    rejection: Annotated[NewRejection, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed(
        200, if_match, key, lambda expected, who: service().reject(crn, plan_id, rejection, expected, who)
    )


@app.post(
    "/cases/<crn>/sentence-plans/<planId>/reviews",
    tags=TAGS,
    responses=http.model_responses(
        201, SentencePlan, "The plan's new draft version; the one it replaces stays readable"
    ),
)
@http.allowed(ASSESSORS)
def review(
    crn: http.CrnPath,
    plan_id: PlanId,
    new: Annotated[NewReview, Body()],
    if_match: http.RequiredIfMatch,
    key: idempotency.IdempotencyKey = None,
) -> Response[Any]:
    return _changed(
        201, if_match, key, lambda expected, who: service().review(crn, plan_id, new, expected, who)
    )


@app.get(
    "/sentence-plans/practitioners/<code>/reviews-due",
    tags=TAGS,
    responses=http.model_responses(
        200, ReviewDueList, "The practitioner's plans due for review, soonest (most overdue) first"
    ),
)
@http.allowed(ASSESSORS)
def reviews_due(
    code: StaffCodePath, within: Within = 28, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response[Any]:
    items, next_cursor = service().reviews_due(code, within, limit, cursor, http.caller(app))
    return http.json_response(200, ReviewDueList(items=items, cursor=next_cursor))


def on_event(event: dict[str, Any]) -> None:
    """The daily schedule's check, or a domain event: a completed assessment (a new version of the case's
    plan) or an allocation (the plan moves to the new practitioner's work list)."""
    if event.get("detail-type") == SCHEDULED:
        announced = service().announce_reviews_due()
        metrics.add_metric(name="SentencePlanReviewsDue", unit=MetricUnit.Count, value=announced)
        logger.info("reviews due announced", extra={"announced": announced})
        return
    changed = service().on_event(DomainEvent.model_validate(event["detail"]))
    if changed is not None:
        logger.info("plan changed by an event", extra={"planId": changed.id, "version": changed.version})


lambda_handler = http.entry_point(app, logger, tracer, metrics, on_event)

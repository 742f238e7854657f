"""Webhook delivery: pushes each partner's feed entries to the webhooks it subscribed.

Two event sources, one job each:

- the table stream, filtered to new delivery items (written with the feed entry, so none is lost): each
  goes onto the webhook queue;
- the webhook queue: each message is one attempt. A failed attempt comes back after an exponential
  backoff (its visibility timeout); after the last one the queue's redrive policy moves it to the
  dead-letter queue, whose alarm tells the operators.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from probation import config, observability
from probation.adapters.clock import SystemClock
from probation.adapters.subscription_store import DELIVERY_ITEM
from probation.adapters.webhooks import (
    DeliveryQueue,
    DeliveryRef,
    DynamoDeliveryRepository,
    HttpWebhookSender,
)
from probation.domain.partners.webhooks import Outcome, WebhookService

SERVICE = "webhooks"
logger = observability.logger(SERVICE)
tracer = observability.tracer(SERVICE)
metrics = observability.metrics(SERVICE)

_stream = BatchProcessor(event_type=EventType.DynamoDBStreams)
# A batch whose every attempt failed is still a partial response: each message keeps its own backoff.
_queue = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
_service: WebhookService | None = None
_delivery_queue: DeliveryQueue | None = None


class RetryLater(Exception):
    """The attempt failed and the message will come back: reported as a batch item failure."""


def service() -> WebhookService:
    global _service  # noqa: PLW0603
    if _service is None:
        _service = WebhookService(
            repository=DynamoDeliveryRepository(),
            sender=HttpWebhookSender(),
            clock=SystemClock(),
            max_attempts=config.webhook_max_attempts(),
            retry_base_seconds=config.webhook_retry_base_seconds(),
        )
    return _service


def delivery_queue() -> DeliveryQueue:
    global _delivery_queue  # noqa: PLW0603
    if _delivery_queue is None:
        _delivery_queue = DeliveryQueue()
    return _delivery_queue


def enqueue(record: DynamoDBRecord) -> None:
    image = record.raw_event["dynamodb"].get("NewImage", {})
    if record.raw_event.get("eventName") != "INSERT" or image.get("itemType", {}).get("S") != DELIVERY_ITEM:
        return  # the stream filter lets only new deliveries through; stay safe if it is widened
    delivery_queue().enqueue([DeliveryRef.from_stream_image(image)])


def attempt(record: SQSRecord) -> None:
    ref = DeliveryRef.from_json(record.body)
    receive_count = int(record.attributes.approximate_receive_count)
    result = service().attempt(ref.partner_id, ref.subscription_id, ref.sequence, receive_count)
    outcome = "".join(word.title() for word in result.outcome.value.split("_"))
    metrics.add_metric(name=f"Webhook{outcome}", unit=MetricUnit.Count, value=1)
    logger.info(
        "webhook attempt",
        extra={
            "outcome": result.outcome.value,
            "partnerId": ref.partner_id,
            "subscriptionId": ref.subscription_id,
        },
    )
    if result.outcome is Outcome.RETRY:
        delivery_queue().retry_later(record.receipt_handle, result.retry_in_seconds)
        raise RetryLater(f"retry in {result.retry_in_seconds}s")
    if result.outcome is Outcome.DEAD_LETTERED:
        # Back at once, and past the queue's maxReceiveCount: the redrive policy moves it to the DLQ.
        delivery_queue().retry_later(record.receipt_handle, 0)
        raise RetryLater("dead-lettered")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    records = event.get("Records", [])
    if records and records[0].get("eventSource") == "aws:sqs":
        return process_partial_response(
            event=event, record_handler=attempt, processor=_queue, context=context
        )
    return process_partial_response(event=event, record_handler=enqueue, processor=_stream, context=context)


observability.initialised()

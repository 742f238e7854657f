"""Outbox publisher: new event items on the table stream go onto the probation bus, in order.

A record that cannot be published is reported as a batch item failure, so Lambda retries from it
(and everything after it, keeping order); after the retries the batch goes to the dead-letter queue.
"""

from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from probation import observability
from probation.adapters.eventbridge import OutboxEntry, publish

logger = observability.logger("publisher")
tracer = observability.tracer("publisher")
metrics = observability.metrics("publisher")


def outbox_entries(records: list[dict[str, Any]]) -> list[OutboxEntry]:
    entries = []
    for record in records:
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") != "INSERT" or not image or not image["SK"]["S"].startswith("EVT#"):
            continue  # the stream filter lets only outbox inserts through; stay safe if it is widened
        entries.append(OutboxEntry.from_stream_image(record["dynamodb"]["SequenceNumber"], image))
    return entries


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    entries = outbox_entries(event.get("Records", []))
    failed = publish(entries)
    metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=len(entries) - len(failed))
    if failed:
        logger.warning("events not published", extra={"sequenceNumbers": failed})
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


observability.initialised()

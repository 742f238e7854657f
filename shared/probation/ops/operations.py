"""What the operator commands do, against whatever AWS endpoint boto3 is pointed at (AWS or the local
runner's stand-in). The outbox in the table is the record of every event: replaying a time range puts
those events on the bus again, which is harmless because every consumer deduplicates on ``eventId``."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from probation import config
from probation.adapters import aws, keys
from probation.adapters.clock import timestamp_key
from probation.adapters.dynamodb import Item, from_attributes, query_pages
from probation.adapters.eventbridge import OutboxEntry, publish

# Stream batches reach the publisher's dead-letter queue as a description of the batch, not its records:
# replaying the minute either side of it covers every record the batch held.
STREAM_BATCH_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class HistoryLine:
    occurred_at: str
    event_type: str
    event_id: str
    source: str
    description: str


def case_history(crn: str) -> list[HistoryLine]:
    """Every event the case's outbox holds, oldest first."""
    items = query_pages(
        aws.table(config.table_name()),
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": keys.events_partition(crn)},
    )
    return [_history_line(item) for item in items]


def replay(start: datetime, end: datetime, crn: str | None = None) -> int:
    """Puts every outbox event that occurred in [start, end] back on the bus, in time order; returns
    how many. Raises if the bus refuses any."""
    entries = sorted(_outbox_entries(start, end, crn), key=lambda entry: entry.sequence_number)
    failed = publish(entries)
    if failed:
        raise RuntimeError(f"the bus refused {len(failed)} of {len(entries)} events; run the replay again")
    return len(entries)


@dataclass(frozen=True)
class Redriven:
    moved: int
    """Messages returned to their source queue, or their events put back on the bus."""
    replayed: int
    """Outbox events replayed for stream batches that failed."""
    left: int
    """Messages not understood, left in the dead-letter queue."""


def redrive(queue_name: str, limit: int = 1000) -> Redriven:
    """Empties a dead-letter queue back to where its messages failed:

    - a queue's redrive target (the webhook DLQ): each message goes back to the source queue;
    - an EventBridge rule's DLQ: each event (undelivered, or failed by its function after Lambda's
      retries) goes back on the bus (every rule sees it again; consumers deduplicate);
    - a stream consumer's DLQ: the batch's time range is replayed from the outbox.
    """
    sqs = aws.sqs()
    queue_url = sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
    source_url = _redrive_source(queue_url)
    moved = replayed = left = 0
    while moved + replayed + left < limit:
        messages = sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=60, WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            break
        for message in messages:
            body = message["Body"]
            if source_url is not None:
                sqs.send_message(QueueUrl=source_url, MessageBody=body)
                moved += 1
            elif (event := _bus_event(body)) is not None:
                _put_back_on_bus(event)
                moved += 1
            elif (window := _stream_batch_window(body)) is not None:
                replayed += replay(*window)
            else:
                left += 1
                continue  # stays in the queue (visible again after the timeout) for a person to look at
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return Redriven(moved, replayed, left)


def _redrive_source(dead_letter_url: str) -> str | None:
    """The queue whose redrive policy dead-letters into this one, if any."""
    sqs = aws.sqs()
    arn = sqs.get_queue_attributes(QueueUrl=dead_letter_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    for url in sqs.list_queues().get("QueueUrls", []):
        policy = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"])
        redrive_policy = policy.get("Attributes", {}).get("RedrivePolicy")
        if redrive_policy and json.loads(redrive_policy).get("deadLetterTargetArn") == arn:
            return str(url)
    return None


def _bus_event(body: str) -> dict[str, Any] | None:
    """The event in a rule DLQ's message: the event itself when EventBridge could not deliver it, or the
    ``requestPayload`` of Lambda's record when the function failed it after its retries."""
    try:
        message = json.loads(body)
    except json.JSONDecodeError:
        return None
    event = message.get("requestPayload", message) if isinstance(message, dict) else None
    if isinstance(event, dict) and {"source", "detail-type", "detail"} <= event.keys():
        return event
    return None


def _put_back_on_bus(event: dict[str, Any]) -> None:
    entry = {
        "EventBusName": config.event_bus_name(),
        "Source": event["source"],
        "DetailType": event["detail-type"],
        "Detail": json.dumps(event["detail"], separators=(",", ":")),
    }
    response = aws.events().put_events(Entries=[entry])
    if response.get("FailedEntryCount"):
        raise RuntimeError(f"the bus refused event {event['detail'].get('eventId')}")


def _stream_batch_window(body: str) -> tuple[datetime, datetime] | None:
    """The time range of a failed stream batch: Lambda's on-failure record in AWS, or the records the
    local runner sends."""
    try:
        failure = json.loads(body)
    except json.JSONDecodeError:
        return None
    if not isinstance(failure, dict):
        return None
    if "DDBStreamBatchInfo" in failure:
        info = failure["DDBStreamBatchInfo"]
        first = datetime.fromisoformat(info["approximateArrivalOfFirstRecord"])
        last = datetime.fromisoformat(info["approximateArrivalOfLastRecord"])
        return first - STREAM_BATCH_MARGIN, last + STREAM_BATCH_MARGIN
    records = failure.get("records")
    if isinstance(records, list) and records:
        times = [datetime.fromtimestamp(float(r["dynamodb"]["ApproximateCreationDateTime"])) for r in records]
        return min(times) - STREAM_BATCH_MARGIN, max(times) + STREAM_BATCH_MARGIN
    return None


def _outbox_entries(start: datetime, end: datetime, crn: str | None) -> Iterator[OutboxEntry]:
    first, last = f"{keys.EVENT}{timestamp_key(start)}", f"{keys.EVENT}{timestamp_key(end)}~"
    table = aws.table(config.table_name())
    if crn is not None:
        items = query_pages(
            table,
            KeyConditionExpression="PK = :pk AND SK BETWEEN :first AND :last",
            ExpressionAttributeValues={":pk": keys.events_partition(crn), ":first": first, ":last": last},
        )
    else:
        # Recovery is rare and offline: a filtered Scan is the honest tool; no request path scans.
        items = scan(
            table,
            FilterExpression="itemType = :event AND SK BETWEEN :first AND :last",
            ExpressionAttributeValues={":event": "EVENT", ":first": first, ":last": last},
        )
    for item in items:
        yield OutboxEntry(
            sequence_number=str(item["SK"]),
            source=str(item["source"]),
            detail_type=str(item["detailType"]),
            detail=from_attributes(item["detail"]),
        )


def scan(table: Any, **request: Any) -> Iterator[Item]:
    """Every item a Scan returns, following its pages: for the offline tools only."""
    while True:
        response = table.scan(**request)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _history_line(item: Item) -> HistoryLine:
    detail = from_attributes(item["detail"])
    return HistoryLine(
        occurred_at=str(detail["occurredAt"]),
        event_type=str(item["detailType"]),
        event_id=str(detail["eventId"]),
        source=str(item["source"]),
        description=str(detail.get("description", "")),
    )


def stack_outputs(stack_name: str) -> dict[str, str]:
    """A CloudFormation stack's outputs, by key: where a deployed stage's endpoints are found."""
    [stack] = aws.cloudformation().describe_stacks(StackName=stack_name)["Stacks"]
    return {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}

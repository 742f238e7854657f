"""Background pollers that play Lambda's event source mappings: the table stream, queues and rules."""

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from infrastructure.local.lambdas import Invocable
from infrastructure.local.resources import RuleDelivery

log = logging.getLogger("local.pollers")

IDLE_SECONDS = 0.2
# A table stream is read in memory, so it is looked at often: an event waits at most this long for the
# publisher (Lambda waits up to the template's batching window, 1 s, to fill a batch).
STREAM_IDLE_SECONDS = 0.02
# A received message stays hidden while its batch is handled; a failed one comes back after the delay.
IN_FLIGHT_SECONDS = 30
RETRY_DELAY_SECONDS = 1
# Long polling: an idle queue costs one request a second instead of five.
LONG_POLL_SECONDS = 1
RECEIVE_BATCH = 10  # SQS's most messages a receive
# EventBridge invokes a rule's function asynchronously, an invocation per event, side by side: locally up
# to this many at once for a rule, while events about one person are delivered one after another, in the
# order they were received, so that they do not race each other for the same records.
RULE_CONCURRENCY = 4
# A function's Schedule event (a daily check in AWS) runs locally this often, the first time this long after
# the stack starts, so that what it does can be seen without waiting for the day's time.
LOCAL_SCHEDULE_SECONDS = 300.0


@dataclass
class Poller:
    name: str
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    last_busy: float = field(default_factory=time.monotonic)
    deliveries: int = 0
    """Deliveries finished (or given up), each counted after its function returned and before its source
    lets it go: so a delivery that ends while ``settled`` looks is seen by the count changing."""
    idle_seconds: float = IDLE_SECONDS

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                busy = self.poll_once()
            except Exception:
                log.exception("%s failed; retrying", self.name)
                busy = False
            if busy:
                self.last_busy = time.monotonic()
            else:
                self._stop.wait(self.idle_seconds)

    def poll_once(self) -> bool:
        raise NotImplementedError

    def settled(self) -> bool:
        """Nothing left to deliver: nothing waiting at the source and nothing being delivered."""
        return True


def matches(pattern: Any, value: Any) -> bool:
    """The subset of event-filter patterns the template uses: nested objects, literal lists, prefix."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            name in value and matches(inner, value[name]) for name, inner in pattern.items()
        )
    if isinstance(pattern, list):
        return any(
            (isinstance(option, dict) and "prefix" in option and str(value).startswith(option["prefix"]))
            or option == value
            for option in pattern
        )
    return bool(pattern == value)


@dataclass
class StreamPoller(Poller):
    """Reads the table stream in order and feeds filtered batches to a function, as Lambda does (which
    reads and filters a stream inside AWS: here, in the stand-in's memory, as no function may).
    ``checkpoint`` is where a previous run had done with every record (delivered, dead-lettered or
    filtered out; ``done_through``, saved with the state): a stack restarted from saved state starts after
    it, so no record is lost and few are delivered twice."""

    read: Callable[[int | None, int], list[dict[str, Any]]] | None = None
    """The stream's records after a sequence number (from the first, for None), at most so many."""
    table_name: str = ""
    stream_arn: str = ""
    target: Invocable | None = None
    filters: list[dict[str, Any]] = field(default_factory=list)
    batch_size: int = 100
    max_attempts: int = 3
    on_failure: Callable[[list[dict[str, Any]]], None] | None = None
    checkpoint: str | None = None
    _read_up_to: int | None = None
    _pending: list[dict[str, Any]] = field(default_factory=list)
    _attempts: int = 0
    idle_seconds: float = STREAM_IDLE_SECONDS

    def settled(self) -> bool:
        """A batch stays pending until delivered, and a record counts as read only once it is pending (or
        filtered out), so an empty list and nothing after the last record read is nothing in flight."""
        assert self.read is not None
        return not self._pending and not self.read(self._read_up_to, 1)

    def poll_once(self) -> bool:
        self._read_new_records()
        if not self._pending:
            return False
        batch = self._pending[: self.batch_size]
        failed_from = self._deliver(batch)
        if failed_from is None:
            self.deliveries += 1
            self._done_with(batch)
            return True
        self._attempts += 1
        if self._attempts >= self.max_attempts:
            if self.on_failure:
                self.on_failure(batch[failed_from:])
            self.deliveries += 1
            self._done_with(batch)
        else:
            self._pending = batch[failed_from:] + self._pending[len(batch) :]
            time.sleep(0.1 * 2**self._attempts)
        return True

    def done_through(self) -> int | None:
        """The sequence number up to which every record has been delivered, dead-lettered or filtered out
        (None before the first is read)."""
        read_up_to = self._read_up_to  # before the pending records: one read meanwhile is then pending
        if read_up_to is None and self.checkpoint is not None:
            read_up_to = int(self.checkpoint)
        pending = self._pending
        if pending:
            return int(pending[0]["dynamodb"]["SequenceNumber"]) - 1
        return read_up_to

    def _done_with(self, batch: list[dict[str, Any]]) -> None:
        self._pending = self._pending[len(batch) :]
        self._attempts = 0

    def _read_new_records(self) -> None:
        assert self.read is not None
        if self._read_up_to is None and self.checkpoint is not None:
            self._read_up_to = int(self.checkpoint)
        for record in self.read(self._read_up_to, 1000):
            change = record["dynamodb"]
            lambda_record = {
                **record,
                "dynamodb": {
                    **change,
                    "ApproximateCreationDateTime": _epoch(change["ApproximateCreationDateTime"]),
                },
                "eventSource": "aws:dynamodb",
                "eventSourceARN": self.stream_arn,
            }
            if not self.filters or any(matches(f, lambda_record) for f in self.filters):
                # JSON-shaped already, and the function is handed a copy (the invocation pickles it).
                self._pending.append(lambda_record)
            self._read_up_to = int(change["SequenceNumber"])  # after it is pending: see ``settled``

    def _deliver(self, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry, or None when the whole batch succeeded."""
        assert self.target is not None
        try:
            response = self.target.invoke({"Records": batch})
        except Exception:
            log.exception("%s: handler raised; the batch will be retried", self.name)
            return 0
        failures = (response or {}).get("batchItemFailures", [])
        if not failures:
            return None
        failed = {failure["itemIdentifier"] for failure in failures}
        return next(i for i, record in enumerate(batch) if record["dynamodb"]["SequenceNumber"] in failed)


def _subject(message: dict[str, Any]) -> str:
    """Whom a rule's event is about (its person reference), or the message alone where it says no one."""
    try:
        reference = json.loads(message["Body"])["detail"]["personReference"]
    except (KeyError, TypeError, ValueError):
        return str(message["MessageId"])
    return json.dumps(reference, sort_keys=True)


def _epoch(moment: datetime | float) -> float:
    """Lambda hands a stream record's creation time over as seconds since the epoch."""
    return moment.replace(tzinfo=UTC).timestamp() if isinstance(moment, datetime) else float(moment)


@dataclass
class RulePoller(Poller):
    """Delivers a rule's events from its SQS queue to the target function, with retries and a DLQ."""

    sqs: Any = None
    delivery: RuleDelivery | None = None
    target: Invocable | None = None

    def settled(self) -> bool:
        """The queue holds no message, visible or not: each is deleted only once delivered (or
        dead-lettered)."""
        assert self.delivery is not None
        return not self.sqs.holds_messages(self.delivery.queue_url)

    _pool: ThreadPoolExecutor | None = None

    def poll_once(self) -> bool:
        assert self.delivery is not None
        assert self.target is not None
        response = self.sqs.receive_message(
            QueueUrl=self.delivery.queue_url,
            MaxNumberOfMessages=RECEIVE_BATCH,
            WaitTimeSeconds=LONG_POLL_SECONDS,
            VisibilityTimeout=IN_FLIGHT_SECONDS,
            AttributeNames=["ApproximateReceiveCount"],
        )
        messages = response.get("Messages", [])
        by_subject: dict[str, list[dict[str, Any]]] = {}
        for message in messages:
            by_subject.setdefault(_subject(message), []).append(message)
        if len(by_subject) <= 1:
            for message in messages:
                self._deliver(message)
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(RULE_CONCURRENCY, thread_name_prefix=self.name)
            for done in [self._pool.submit(self._deliver_in_order, group) for group in by_subject.values()]:
                done.result()
        return bool(messages)

    def stop(self) -> None:
        super().stop()
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _deliver_in_order(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self._deliver(message)

    def _deliver(self, message: dict[str, Any]) -> None:
        assert self.delivery is not None
        assert self.target is not None
        event = json.loads(message["Body"])
        event.setdefault("account", "123456789012")  # moto's envelope lacks it; Powertools' parser needs it
        try:
            self.target.invoke(event)
        except Exception:
            receives = int(message["Attributes"]["ApproximateReceiveCount"])
            log.warning("%s: delivery %d of %d failed", self.name, receives, self.delivery.max_attempts)
            if receives >= self.delivery.max_attempts:
                self.deliveries += 1
                if self.delivery.dead_letter_queue_url:
                    self.sqs.send_message(
                        QueueUrl=self.delivery.dead_letter_queue_url, MessageBody=message["Body"]
                    )
                self.sqs.delete_message(
                    QueueUrl=self.delivery.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
            else:
                self.sqs.change_message_visibility(
                    QueueUrl=self.delivery.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=RETRY_DELAY_SECONDS,
                )
            return
        self.deliveries += 1
        self.sqs.delete_message(QueueUrl=self.delivery.queue_url, ReceiptHandle=message["ReceiptHandle"])


@dataclass
class QueuePoller(Poller):
    """An SQS event source: batches of messages to the function, as Lambda polls a queue. Messages the
    function reports as failed stay on the queue until their visibility timeout passes (the function may
    set it, as a backoff); the queue's own redrive policy dead-letters them."""

    sqs: Any = None
    queue_url: str = ""
    queue_arn: str = ""
    target: Invocable | None = None
    batch_size: int = 10

    def settled(self) -> bool:
        """The queue holds no message, visible, in flight or waiting for a retry."""
        return not self.sqs.holds_messages(self.queue_url)

    def poll_once(self) -> bool:
        assert self.target is not None
        response = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=min(self.batch_size, 10),
            WaitTimeSeconds=LONG_POLL_SECONDS,
            AttributeNames=["All"],
        )
        messages = response.get("Messages", [])
        if not messages:
            return False
        records = [self._record(message) for message in messages]
        try:
            result = self.target.invoke({"Records": records})
        except Exception:
            log.exception(
                "%s: handler raised; the batch comes back after %ss", self.name, RETRY_DELAY_SECONDS
            )
            for message in messages:
                self.sqs.change_message_visibility(
                    QueueUrl=self.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=RETRY_DELAY_SECONDS,
                )
            return True
        failed = {failure["itemIdentifier"] for failure in (result or {}).get("batchItemFailures", [])}
        self.deliveries += 1
        for message in messages:
            if message["MessageId"] not in failed:
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.queue_arn.split(":")[3],
        }


@dataclass
class SchedulePoller(Poller):
    """A function's Schedule event: EventBridge invokes the function at the template's times with a
    "Scheduled Event"; locally every ``interval_seconds``. A failed run is logged and counted; the next run
    comes at its time, as in AWS (where Lambda retries it first)."""

    target: Invocable | None = None
    rule_arn: str = ""
    region: str = "eu-west-2"
    interval_seconds: float = LOCAL_SCHEDULE_SECONDS
    idle_seconds: float = 1.0
    _due: float = 0.0
    _running: bool = False

    def __post_init__(self) -> None:
        self._due = time.monotonic() + self.interval_seconds

    def settled(self) -> bool:
        return not self._running

    def poll_once(self) -> bool:
        assert self.target is not None
        if time.monotonic() < self._due:
            return False
        self._due = time.monotonic() + self.interval_seconds
        self._running = True
        try:
            self.target.invoke(scheduled_event(self.rule_arn, self.region))
        except Exception:
            log.warning("%s: the scheduled run failed", self.name, exc_info=True)
        finally:
            self.deliveries += 1
            self._running = False
        return True


def scheduled_event(rule_arn: str, region: str) -> dict[str, Any]:
    """What EventBridge sends a function for a schedule."""
    return {
        "version": "0",
        "id": uuid.uuid4().hex,
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }

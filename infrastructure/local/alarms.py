"""The template's CloudWatch alarms in the local stand-in, and what moves the ones an operator is paged by
for lost work: a dead-letter queue holding a message.

In AWS, SQS sends each queue's depth to CloudWatch every minute and CloudWatch evaluates the alarm; moto
does neither, so the poller here reads each watched queue's depth and sets the alarm's state itself. An
operator (or a test) sees the state with ``aws cloudwatch describe-alarms`` against the local endpoint.
"""

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infrastructure.local.pollers import Poller
from infrastructure.template import Template

QUEUE_DEPTH = ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
EVALUATION_SECONDS = 1.0
# What put_metric_alarm takes of an AWS::CloudWatch::Alarm: the actions are left out, as the stand-in
# has no SNS topic to notify.
_ALARM_PROPERTIES = (
    "AlarmName",
    "AlarmDescription",
    "Namespace",
    "MetricName",
    "Dimensions",
    "Statistic",
    "ExtendedStatistic",
    "Period",
    "EvaluationPeriods",
    "DatapointsToAlarm",
    "Threshold",
    "ComparisonOperator",
    "TreatMissingData",
    "Metrics",
)
_BREACHES: dict[str, Callable[[float, float], bool]] = {
    "GreaterThanOrEqualToThreshold": operator.ge,
    "GreaterThanThreshold": operator.gt,
    "LessThanThreshold": operator.lt,
    "LessThanOrEqualToThreshold": operator.le,
}


@dataclass(frozen=True)
class QueueDepthAlarm:
    alarm_name: str
    queue_name: str
    threshold: float
    comparison: str

    def state(self, depth: int) -> str:
        return "ALARM" if _BREACHES[self.comparison](depth, self.threshold) else "OK"


def create_alarms(template: Template, cloudwatch: Any) -> list[QueueDepthAlarm]:
    """Every alarm of the template, created; returns those on a queue's depth, for the poller to move."""
    watched = []
    for logical_id in template.of_type("AWS::CloudWatch::Alarm"):
        properties = template.resolve(template.properties(logical_id))
        cloudwatch.put_metric_alarm(
            **{name: properties[name] for name in _ALARM_PROPERTIES if name in properties}
        )
        if (properties.get("Namespace"), properties.get("MetricName")) == QUEUE_DEPTH:
            [queue_name] = [d["Value"] for d in properties["Dimensions"] if d["Name"] == "QueueName"]
            watched.append(
                QueueDepthAlarm(
                    properties["AlarmName"],
                    queue_name,
                    float(properties["Threshold"]),
                    properties["ComparisonOperator"],
                )
            )
    return watched


@dataclass
class QueueDepthAlarmPoller(Poller):
    sqs: Any = None
    cloudwatch: Any = None
    alarms: list[QueueDepthAlarm] = field(default_factory=list)
    _states: dict[str, str] = field(default_factory=dict)

    def poll_once(self) -> bool:
        for alarm in self.alarms:
            url = self.sqs.get_queue_url(QueueName=alarm.queue_name)["QueueUrl"]
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"]
            )["Attributes"]
            depth = int(attributes["ApproximateNumberOfMessages"])
            state = alarm.state(depth)
            if self._states.get(alarm.alarm_name) != state:
                self.cloudwatch.set_alarm_state(
                    AlarmName=alarm.alarm_name,
                    StateValue=state,
                    StateReason=f"{alarm.queue_name} holds {depth} visible messages",
                )
                self._states[alarm.alarm_name] = state
        self._stop.wait(EVALUATION_SECONDS)
        # Never busy: moving an alarm is not work that the stack's idleness should wait for.
        return False

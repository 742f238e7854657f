"""The local runner's stand-in for a function's Schedule event: EventBridge's "Scheduled Event", at its
interval, a failed run logged and the next one still made."""

from typing import Any

from infrastructure.local.pollers import SchedulePoller
from infrastructure.template import FunctionSpec

SPEC = FunctionSpec(logical_id="Checker", module="m", handler="h", environment={}, events={})


class Recording:
    spec = SPEC

    def __init__(self, fail: bool = False) -> None:
        self.events: list[dict[str, Any]] = []
        self.fail = fail

    def invoke(self, event: dict[str, Any]) -> Any:
        self.events.append(event)
        if self.fail:
            raise RuntimeError("the check failed")
        return None


def test_a_scheduled_run_is_a_scheduled_event_once_per_interval() -> None:
    target = Recording()
    poller = SchedulePoller(
        name="schedule:Checker", target=target, rule_arn="arn:rule", interval_seconds=3600
    )
    assert poller.poll_once() is False, "nothing before the first interval has passed"
    poller._due = 0.0
    assert poller.poll_once() is True
    assert poller.poll_once() is False
    [event] = target.events
    assert (event["detail-type"], event["source"], event["resources"], event["detail"]) == (
        "Scheduled Event",
        "aws.events",
        ["arn:rule"],
        {},
    )
    assert (poller.deliveries, poller.settled()) == (1, True)


def test_a_failed_run_is_counted_and_the_next_one_still_comes() -> None:
    target = Recording(fail=True)
    poller = SchedulePoller(name="schedule:Checker", target=target, interval_seconds=3600)
    poller._due = 0.0
    assert poller.poll_once() is True
    poller._due = 0.0
    assert poller.poll_once() is True
    assert (len(target.events), poller.deliveries, poller.settled()) == (2, 2, True)

"""The HTTP side of webhook delivery: no private destinations, no redirects, every failure an answer."""

import pytest

from probation.adapters.webhooks import HttpWebhookSender
from tests.webhook_receiver import WebhookReceiver, running


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://10.1.2.3/hooks",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hooks",
        "https://192.168.0.10/hooks",
        "https://localhost/hooks",
    ],
)
def test_private_and_loopback_destinations_are_refused_without_a_request(url: str) -> None:
    response = HttpWebhookSender(allow_loopback=False).post(url, b"{}", {})
    assert response.status_code is None
    assert response.error is not None
    assert "non-public" in response.error


def test_plain_http_is_refused_outside_the_local_runner() -> None:
    with running(WebhookReceiver("s" * 32)) as receiver:
        response = HttpWebhookSender(allow_loopback=False).post(receiver.url, b"{}", {})
    assert response.status_code is None
    assert receiver.received == []


def test_the_local_runner_may_post_to_a_loopback_receiver() -> None:
    with running(WebhookReceiver("s" * 32)) as receiver:
        response = HttpWebhookSender(allow_loopback=True).post(receiver.url, b"{}", {})
    # Unsigned, so the receiver refuses it: what matters here is that it got there and answered.
    assert response.status_code == 401
    assert len(receiver.received) == 1


def test_an_unreachable_webhook_is_an_answer_not_an_exception() -> None:
    response = HttpWebhookSender(allow_loopback=True, timeout_seconds=1).post(
        "http://127.0.0.1:9/hooks", b"{}", {}
    )
    assert response.status_code is None
    assert response.error

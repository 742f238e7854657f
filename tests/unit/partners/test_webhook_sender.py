"""The HTTP side of webhook delivery: no private destinations, no redirects, every failure an answer."""

import socket

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


def test_it_connects_to_the_address_it_vetted_not_to_a_later_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to a public address when checked and to a private one after.
    The delivery goes to the vetted address (here refused by nothing listening), never the private one."""
    answers = iter([[(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 443))]])
    rebound = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_, **__: next(answers, rebound))
    dialled: list[tuple[str, int]] = []

    def dial(address: tuple[str, int], *_: object, **__: object) -> socket.socket:
        dialled.append(address)
        raise ConnectionRefusedError("no connection in a unit test")

    monkeypatch.setattr(socket, "create_connection", dial)
    response = HttpWebhookSender(allow_loopback=False).post("https://hooks.example/in", b"{}", {})
    assert dialled == [("93.184.216.34", 443)]
    assert response.status_code is None


def test_plain_http_with_the_loopback_allowance_is_still_only_for_loopback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    public = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *_, **__: public)
    response = HttpWebhookSender(allow_loopback=True).post("http://hooks.example/in", b"{}", {})
    assert response.status_code is None
    assert response.error == "webhooks must use https"

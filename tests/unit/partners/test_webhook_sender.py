"""The HTTP side of webhook delivery: no private destinations, no redirects, every failure an answer."""

import socket
import ssl
from collections.abc import Callable
from typing import Any

import pytest

from probation import config
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


def resolving_to(*addresses: str) -> Callable[..., list[tuple[Any, ...]]]:
    """A resolver answering every name with ``addresses``."""
    return lambda *_, **__: [
        (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 443))
        for a in addresses
    ]


@pytest.fixture
def dialled(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every address a connection is attempted to; none is made."""
    attempts: list[tuple[str, int]] = []

    def dial(address: tuple[str, int], *_: object, **__: object) -> socket.socket:
        attempts.append(address)
        raise ConnectionRefusedError("no connection in a unit test")

    monkeypatch.setattr(socket, "create_connection", dial)
    return attempts


@pytest.mark.parametrize(
    "addresses",
    [
        ("127.0.0.1",),
        ("169.254.169.254",),  # the instance metadata service
        ("10.0.0.5",),
        ("100.64.0.1",),  # shared address space (carrier-grade NAT)
        ("::1",),
        ("::ffff:127.0.0.1",),  # IPv4-mapped
        ("64:ff9b::a9fe:a9fe",),  # NAT64 of 169.254.169.254
        ("2002:a9fe:a9fe::1",),  # 6to4 of 169.254.169.254
        ("93.184.216.34", "169.254.169.254"),  # one bad address among good ones
    ],
)
def test_a_name_resolving_to_a_non_public_address_is_refused_when_sending(
    monkeypatch: pytest.MonkeyPatch, dialled: list[tuple[str, int]], addresses: tuple[str, ...]
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to(*addresses))
    response = HttpWebhookSender(allow_loopback=False).post("https://hooks.example/in", b"{}", {})
    assert response.status_code is None
    assert response.error == "hooks.example resolves to a non-public address"
    assert dialled == []


@pytest.mark.parametrize("address", ["93.184.216.34", "64:ff9b::5db8:d822", "2606:2800:220:1::1"])
def test_a_name_resolving_to_public_addresses_is_dialled_at_the_first(
    monkeypatch: pytest.MonkeyPatch, dialled: list[tuple[str, int]], address: str
) -> None:
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to(address, "93.184.216.35"))
    HttpWebhookSender(allow_loopback=False).post("https://hooks.example/in", b"{}", {})
    assert dialled == [(address, 443)]


def test_tls_is_verified_against_the_name_though_the_checked_address_is_dialled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SNI and the certificate check use the name; only the TCP connection uses the address."""
    monkeypatch.setattr(socket, "getaddrinfo", resolving_to("93.184.216.34"))
    dialled: list[tuple[str, int]] = []
    handshakes: list[tuple[str | None, bool, ssl.VerifyMode]] = []

    def dial(address: tuple[str, int], *_: object, **__: object) -> object:
        dialled.append(address)
        return object()

    def handshake(
        context: ssl.SSLContext, _: object, server_hostname: str | None = None, **__: object
    ) -> None:
        handshakes.append((server_hostname, context.check_hostname, context.verify_mode))
        raise ssl.SSLCertVerificationError("no handshake in a unit test")

    monkeypatch.setattr(socket, "create_connection", dial)
    monkeypatch.setattr(ssl.SSLContext, "wrap_socket", handshake)
    response = HttpWebhookSender(allow_loopback=False).post("https://hooks.example:8443/in", b"{}", {})
    assert dialled == [("93.184.216.34", 8443)]
    assert handshakes == [("hooks.example", True, ssl.CERT_REQUIRED)]
    assert response.status_code is None


def test_the_loopback_allowance_cannot_be_turned_on_in_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOW_LOOPBACK_WEBHOOKS", "true")
    assert config.allow_loopback_webhooks()
    monkeypatch.setenv("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")  # set by the runtime in every environment
    assert not config.allow_loopback_webhooks()

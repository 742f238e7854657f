"""Settings read from the environment: the only thing that differs between local and AWS runs."""

import os


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"environment variable {name} is not set")
    return value


def table_name() -> str:
    return _required("TABLE_NAME")


def idempotency_table_name() -> str:
    return _required("IDEMPOTENCY_TABLE_NAME")


def event_bus_name() -> str:
    return _required("EVENT_BUS_NAME")


def token_issuer() -> str:
    return _required("TOKEN_ISSUER")


def token_audience() -> str:
    return _required("TOKEN_AUDIENCE")


def jwks_url() -> str:
    return _required("JWKS_URL")


def user_pool_id() -> str:
    return _required("USER_POOL_ID")


def usage_plan_id() -> str:
    return _required("USAGE_PLAN_ID")


def webhook_queue_url() -> str:
    return _required("WEBHOOK_QUEUE_URL")


def webhook_max_attempts() -> int:
    """The webhook queue's maxReceiveCount: after this many failed attempts a delivery is dead-lettered."""
    return int(_required("WEBHOOK_MAX_ATTEMPTS"))


def webhook_retry_base_seconds() -> int:
    return int(_required("WEBHOOK_RETRY_BASE_SECONDS"))


def allow_loopback_webhooks() -> bool:
    """Plain-http webhooks on loopback: the local runner's test receivers. Never set in AWS."""
    return os.environ.get("ALLOW_LOOPBACK_WEBHOOKS", "").lower() == "true"

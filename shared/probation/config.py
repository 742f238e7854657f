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


def staff_token_issuer() -> str:
    """The staff user pool's issuer URL (``iss``); its keys are at ``<issuer>/.well-known/jwks.json``."""
    return _required("STAFF_TOKEN_ISSUER")


def staff_token_audiences() -> frozenset[str]:
    """The app clients staff tokens may be issued to (comma-separated ids): the web app's."""
    return frozenset(
        client.strip() for client in _required("STAFF_TOKEN_AUDIENCES").split(",") if client.strip()
    )


def partner_token_issuer() -> str:
    """The partner user pool's issuer URL; its audiences are the registered partners' app clients."""
    return _required("PARTNER_TOKEN_ISSUER")


def user_pool_id() -> str:
    return _required("USER_POOL_ID")


def usage_plan_name() -> str:
    """The partner usage plan, by name: the plan names the API, which names the functions, so a function
    cannot be given the plan's generated id."""
    return _required("USAGE_PLAN_NAME")


def webhook_queue_url() -> str:
    return _required("WEBHOOK_QUEUE_URL")


def webhook_max_attempts() -> int:
    """The webhook queue's maxReceiveCount: after this many failed attempts a delivery is dead-lettered."""
    return int(_required("WEBHOOK_MAX_ATTEMPTS"))


def webhook_retry_base_seconds() -> int:
    return int(_required("WEBHOOK_RETRY_BASE_SECONDS"))


def allow_loopback_webhooks() -> bool:
    """Plain-http webhooks on loopback: the local runner's test receivers. Never in AWS, even if the variable
    were set there: the Lambda runtime always sets AWS_LAMBDA_RUNTIME_API (a reserved name, which a
    function's configuration cannot set or remove), and where it is set the allowance is off."""
    asked = os.environ.get("ALLOW_LOOPBACK_WEBHOOKS", "").lower() == "true"
    return asked and "AWS_LAMBDA_RUNTIME_API" not in os.environ

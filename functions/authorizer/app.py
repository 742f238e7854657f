"""API Gateway TOKEN authorizer: verifies the bearer JWT and hands the principal to every function.

Tokens come from the staff user pool (the web app's users) or the partner user pool (partners' app
clients); each is trusted only as its own kind of caller (``probation.auth.tokens``). Staff may call
the whole API (each function checks roles). A partner is allowed only the partner routes its scopes
name, so a token without ``contacts.write`` cannot reach the contact route at all.
"""

import functools
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from probation import config, observability
from probation.adapters.partner_registry import registered_client
from probation.auth.tokens import InvalidToken, Issuer, TokenVerifier, bearer_token
from probation.domain.principal import Principal, PrincipalKind

logger = observability.logger("authorizer")

# API Gateway answers 401 when a TOKEN authorizer raises exactly this message.
UNAUTHORIZED = "Unauthorized"

# The partner routes each scope opens ("*" in an execute-api resource matches any characters).
PARTNER_ROUTES_BY_SCOPE: dict[str, tuple[str, ...]] = {
    "cases.read": ("GET/partner/v1/cases", "GET/partner/v1/cases/*"),
    "contacts.write": (
        "POST/partner/v1/cases/*/contacts",
        "POST/partner/v1/cases/*/appointments",
        "PUT/partner/v1/cases/*/appointments/*/outcome",
        "PUT/partner/v1/cases/*/sentence-plans/*/goals/*/steps/*/progress",
    ),
    "events.read": ("GET/partner/v1/events", "*/partner/v1/subscriptions", "*/partner/v1/subscriptions/*"),
}
PARTNER_ROUTES = ("GET/partner/v1/openapi.json",)


def partner_of(client_id: str) -> str | None:
    client = registered_client(client_id)
    return client.partner_id if client else None


@functools.cache
def verifier() -> TokenVerifier:
    return TokenVerifier(
        staff=Issuer(config.staff_token_issuer()),
        staff_audiences=config.staff_token_audiences(),
        partners=Issuer(config.partner_token_issuer()),
        partner_of=partner_of,
    )


def policy(principal: Principal, method_arn: str) -> dict[str, Any]:
    """The same for every route of the API the principal may use: API Gateway caches it per token."""
    api_arn = "/".join(method_arn.split("/")[:2])
    if principal.kind is PrincipalKind.PARTNER:
        routes = [
            *PARTNER_ROUTES,
            *(r for scope in sorted(principal.scopes) for r in PARTNER_ROUTES_BY_SCOPE.get(scope, ())),
        ]
    else:
        routes = ["*/*"]
    context: dict[str, str] = {
        "kind": principal.kind.value,
        "roles": ",".join(sorted(principal.roles)),
        "scopes": " ".join(sorted(principal.scopes)),
    }
    answer: dict[str, Any] = {}
    if principal.partner_id:
        context["partnerId"] = principal.partner_id
        # A partner's subject is its app client; the client's registry entry holds its usage plan key.
        client = registered_client(principal.subject)
        if client is not None and client.usage_key:
            answer["usageIdentifierKey"] = client.usage_key
    return {
        **answer,
        "principalId": principal.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Action": "execute-api:Invoke",
                    "Effect": "Allow",
                    "Resource": [f"{api_arn}/{r}" for r in routes],
                }
            ],
        },
        "context": context,
    }


@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        principal = verifier().verify(bearer_token(event.get("authorizationToken")))
    except InvalidToken as error:
        logger.info("token refused", extra={"reason": str(error)})
        raise Exception(UNAUTHORIZED) from error
    return policy(principal, event["methodArn"])


observability.initialised()

"""API Gateway TOKEN authorizer: verifies the bearer JWT and hands the principal to every function."""

import functools
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from probation import config, observability
from probation.auth.tokens import InvalidToken, TokenVerifier, bearer_token
from probation.domain.principal import Principal

logger = observability.logger("authorizer")

# API Gateway answers 401 when a TOKEN authorizer raises exactly this message.
UNAUTHORIZED = "Unauthorized"


@functools.cache
def verifier() -> TokenVerifier:
    return TokenVerifier(config.token_issuer(), config.token_audience(), config.jwks_url())


def policy(principal: Principal, method_arn: str) -> dict[str, Any]:
    """Allows the whole API: the decision is cached per token, so it must not depend on the route."""
    api_arn = "/".join(method_arn.split("/")[:2]) + "/*/*"
    context: dict[str, str] = {"kind": principal.kind.value, "roles": ",".join(sorted(principal.roles))}
    if principal.partner_id:
        context["partnerId"] = principal.partner_id
    return {
        "principalId": principal.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_arn}],
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

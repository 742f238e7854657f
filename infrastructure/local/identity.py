"""The local runner's two token issuers, standing in for the stack's two Cognito user pools. Dev only.

The staff issuer signs what the hosted UI gives the web app: a user's access token for the web app's
client, the user's groups as ``cognito:groups``. The partner issuer signs what Cognito's token endpoint
gives a partner's app client for client credentials: the client's own token with its scopes. Each has
its own RSA key, with its JWKS at ``<issuer>/.well-known/jwks.json`` as a user pool has, so the
authorizer checks local tokens exactly as it checks Cognito's.
"""

import hmac
import time
import uuid
from base64 import b64decode
from binascii import Error as Base64Error
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field, StringConstraints, model_validator

from probation.auth.scopes import SCOPE_PREFIX
from probation.auth.tokens import ACCESS_TOKEN, GROUPS_CLAIM
from probation.domain.model import ApiModel
from probation.domain.partners.models import Scope
from probation.domain.principal import Role

TOKEN_LIFETIME_SECONDS = 3600
STAFF_ISSUER_PATH = "/local/staff"
PARTNER_ISSUER_PATH = "/local/partners"
# Cognito's token endpoint, under the partner pool's domain.
TOKEN_ENDPOINT_PATH = "/oauth2/token"  # noqa: S105 - a path, not a secret
# What the web app asks the hosted UI for.
STAFF_SCOPES = "openid profile"
# Cognito gives each user an opaque ``sub``; locally it is derived from the user name, so it is stable.
_SUBJECTS = uuid.UUID("5e0c1c8e-4d0f-4f55-9a43-6f2b2f1c0a01")

TokenResponse = dict[str, Any]


class LocalTokenRequest(ApiModel):
    """``POST /local/token``: a staff member's token (their staff code and roles), or a partner client's
    token without its secret, for tests and the demo."""

    sub: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    roles: Annotated[list[Role], Field(min_length=1)]
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    scopes: Annotated[list[Scope], Field(max_length=10)] = []

    @model_validator(mode="after")
    def _one_kind_of_caller(self) -> "LocalTokenRequest":
        """Staff and partners have issuers of their own, so a token is one or the other. The partner
        itself is never claimed: the authorizer looks the client id up in the registry."""
        if Role.PARTNER in self.roles:
            if self.roles != [Role.PARTNER]:
                raise ValueError("a partner token carries no staff role")
            if self.client_id is None:
                raise ValueError("clientId is required for the partner role: register the partner first")
        elif self.client_id is not None or self.scopes:
            raise ValueError("clientId and scopes are for partner tokens only")
        return self


@dataclass
class LocalIssuer:
    url: str
    key_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.key_id, "use": "sig", "alg": "RS256"}]}

    def access_token(self, claims: dict[str, Any]) -> TokenResponse:
        now = int(time.time())
        signed = {
            **claims,
            "iss": self.url,
            "token_use": ACCESS_TOKEN,
            "iat": now,
            "auth_time": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "jti": str(uuid.uuid4()),
        }
        token = jwt.encode(signed, self.key, algorithm="RS256", headers={"kid": self.key_id})
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}


@dataclass(frozen=True)
class AppClient:
    """A partner pool app client as the token endpoint sees it."""

    secret: str
    scopes: frozenset[str]
    """The OAuth scopes it may be granted, as Cognito writes them (``probation-partner-api/cases.read``)."""


ClientLookup = Callable[[str], AppClient | None]


class OAuthError(Exception):
    """An OAuth 2.0 token error (RFC 6749 section 5.2), as Cognito's token endpoint answers it."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


@dataclass
class LocalIdentity:
    staff: LocalIssuer
    partners: LocalIssuer
    staff_client_id: str
    """The web app's app client: the audience of every staff token."""

    def environment(self) -> dict[str, str]:
        """The authorizer's issuers, in place of the template's Cognito pools."""
        return {"STAFF_TOKEN_ISSUER": self.staff.url, "PARTNER_TOKEN_ISSUER": self.partners.url}

    def token(self, request: LocalTokenRequest) -> TokenResponse:
        if request.client_id is not None:
            return self.partner_token(request.client_id, (scope.value for scope in request.scopes))
        return self.staff_token(request.sub, request.roles)

    def staff_token(self, username: str, roles: Iterable[Role]) -> TokenResponse:
        return self.staff.access_token(
            {
                "sub": str(uuid.uuid5(_SUBJECTS, username)),
                "username": username,
                "client_id": self.staff_client_id,
                GROUPS_CLAIM: [role.value for role in roles],
                "scope": STAFF_SCOPES,
            }
        )

    def partner_token(self, client_id: str, scopes: Iterable[str]) -> TokenResponse:
        granted = " ".join(f"{SCOPE_PREFIX}{scope}" for scope in scopes)
        return self.partners.access_token({"sub": client_id, "client_id": client_id, "scope": granted})

    def client_credentials(
        self, authorization: str | None, form: dict[str, str], clients: ClientLookup
    ) -> TokenResponse:
        """Cognito's token endpoint for the client-credentials grant: the client authenticates with its
        secret (HTTP Basic, or in the form) and gets the scopes it asks for, or all it may have."""
        client_id, secret = _client_credentials(authorization, form)
        client = clients(client_id)
        if client is None or not hmac.compare_digest(client.secret.encode(), secret.encode()):
            raise OAuthError(401 if authorization else 400, "invalid_client", "Client authentication failed.")
        if form.get("grant_type") != "client_credentials":
            raise OAuthError(400, "unsupported_grant_type", "Only the client_credentials grant is offered.")
        asked = frozenset(form["scope"].split()) if form.get("scope") else client.scopes
        if not asked or not asked <= client.scopes:
            raise OAuthError(400, "invalid_scope", "The client may not have the scopes it asked for.")
        return self.partner_token(client_id, sorted(scope.removeprefix(SCOPE_PREFIX) for scope in asked))


def _client_credentials(authorization: str | None, form: dict[str, str]) -> tuple[str, str]:
    if authorization:
        scheme, _, encoded = authorization.partition(" ")
        try:
            decoded = b64decode(encoded, validate=True).decode()
        except (Base64Error, UnicodeDecodeError):
            decoded = ""
        client_id, separator, secret = decoded.partition(":")
        if scheme.lower() != "basic" or not separator:
            raise OAuthError(401, "invalid_client", "Authorization must be 'Basic <client id:secret>'.")
        return client_id, secret
    if "client_id" not in form or "client_secret" not in form:
        raise OAuthError(400, "invalid_client", "The client must authenticate with its id and secret.")
    return form["client_id"], form["client_secret"]

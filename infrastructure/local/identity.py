"""A dev-only token issuer: an RSA key, its JWKS and a token endpoint. It exists only in the local runner."""

import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import Field, StringConstraints, model_validator

from probation.domain.model import ApiModel
from probation.domain.partners.models import Scope
from probation.domain.principal import Role

TOKEN_LIFETIME_SECONDS = 3600
AUDIENCE = "probation-api"


class LocalTokenRequest(ApiModel):
    sub: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    roles: Annotated[list[Role], Field(min_length=1)]
    client_id: Annotated[str, StringConstraints(min_length=1, max_length=128)] | None = None
    scopes: Annotated[list[Scope], Field(max_length=10)] = []

    @model_validator(mode="after")
    def _a_partner_is_a_client(self) -> "LocalTokenRequest":
        """The partner itself is never claimed: the authorizer looks the client id up in the registry."""
        if Role.PARTNER in self.roles and self.client_id is None:
            raise ValueError("clientId is required for the partner role: register the partner first")
        return self


@dataclass
class LocalIssuer:
    issuer: str
    audience: str = AUDIENCE
    key_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    key: rsa.RSAPrivateKey = field(default_factory=lambda: rsa.generate_private_key(65537, 2048))

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.key_id, "use": "sig", "alg": "RS256"}]}

    def token(self, request: LocalTokenRequest) -> dict[str, Any]:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": request.sub,
            "iat": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "roles": [role.value for role in request.roles],
        }
        if request.client_id:
            claims["clientId"] = request.client_id
            claims["scopes"] = [scope.value for scope in request.scopes]
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.key_id})
        return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME_SECONDS}

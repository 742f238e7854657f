"""RS256 bearer tokens: signature from the issuer's JWKS, issuer, audience and expiry all checked."""

from dataclasses import dataclass, field
from typing import Any

import jwt

from probation.domain.principal import Principal, Role

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30


class InvalidToken(Exception):
    pass


@dataclass
class TokenVerifier:
    issuer: str
    audience: str
    jwks_url: str
    _keys: jwt.PyJWKClient = field(init=False)

    def __post_init__(self) -> None:
        # Keys are cached for five minutes, and refetched at once when a token names an unknown key id.
        self._keys = jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=300)

    def verify(self, token: str) -> Principal:
        try:
            signing_key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=ALGORITHMS,
                issuer=self.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        # Cognito ID tokens carry ``aud``; its access tokens carry ``client_id`` instead.
        if self.audience not in (claims.get("aud"), claims.get("client_id")):
            raise InvalidToken("token is for another audience")
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    granted = claims.get("roles", claims.get("cognito:groups", []))
    if not isinstance(granted, list):
        raise InvalidToken("roles must be a list")
    roles = frozenset(Role(role) for role in granted if role in Role.__members__.values())
    if not roles:
        raise InvalidToken("token grants no role")
    partner_id = claims.get("partnerId")
    if Role.PARTNER in roles and not partner_id:
        raise InvalidToken("a partner token must name its partner")
    return Principal.from_roles(str(claims["sub"]), roles, str(partner_id) if partner_id else None)


def bearer_token(header: str | None) -> str:
    if not header:
        raise InvalidToken("no Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return token.strip()

"""RS256 bearer tokens: signature from the issuer's JWKS, issuer, audience and expiry all checked."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt

from probation.auth.scopes import SCOPE_PREFIX
from probation.domain.principal import Principal, Role

ALGORITHMS = ["RS256"]
# Cognito writes a resource server's scopes as "<identifier>/<scope>".

PartnerLookup = Callable[[str], str | None]
"""The partner a registered client id belongs to, or None."""
LEEWAY_SECONDS = 30


class InvalidToken(Exception):
    pass


@dataclass
class TokenVerifier:
    issuer: str
    audience: str
    jwks_url: str
    partners: PartnerLookup
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
        if not is_partner_token(claims) and self.audience not in (claims.get("aud"), claims.get("client_id")):
            # Cognito ID tokens carry ``aud``; its access tokens carry ``client_id`` instead.
            raise InvalidToken("token is for another audience")
        return principal_from_claims(claims, self.partners)


def is_partner_token(claims: dict[str, Any]) -> bool:
    """A partner is a registered app client using client credentials: a client id and no user."""
    granted = claims.get("roles", claims.get("cognito:groups", []))
    return Role.PARTNER.value in granted or (
        "client_id" in claims and "username" not in claims and not granted
    )


def principal_from_claims(claims: dict[str, Any], partners: PartnerLookup) -> Principal:
    if is_partner_token(claims):
        return _partner(claims, partners)
    granted = claims.get("roles", claims.get("cognito:groups", []))
    if not isinstance(granted, list):
        raise InvalidToken("roles must be a list")
    roles = frozenset(
        Role(role) for role in granted if role in Role.__members__.values() and role != Role.PARTNER
    )
    if not roles:
        raise InvalidToken("token grants no role")
    return Principal.from_roles(str(claims["sub"]), roles, None)


def _partner(claims: dict[str, Any], partners: PartnerLookup) -> Principal:
    """The partner comes from the registry entry of the token's client, never from a claim it chose."""
    client_id = claims.get("client_id") or claims.get("clientId")
    if not isinstance(client_id, str) or not client_id:
        raise InvalidToken("a partner token must carry its client id")
    partner_id = partners(client_id)
    if partner_id is None:
        raise InvalidToken("the client is not a registered partner")
    raw = claims.get("scope", claims.get("scopes", []))
    scopes = raw.split() if isinstance(raw, str) else list(raw)
    granted = frozenset(str(scope).removeprefix(SCOPE_PREFIX) for scope in scopes)
    return Principal.from_roles(client_id, frozenset({Role.PARTNER}), partner_id, granted)


def bearer_token(header: str | None) -> str:
    if not header:
        raise InvalidToken("no Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return token.strip()

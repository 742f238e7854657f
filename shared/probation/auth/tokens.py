"""RS256 bearer tokens from two issuers: the staff user pool and the partner user pool.

Each issuer is trusted only with its own keys, audiences and kind of caller. A token names its issuer;
its signature is checked against that issuer's JWKS alone, so a token signed by one pool cannot pass as
the other's. Only access tokens are accepted (Cognito's ID tokens say who someone is, not what a client
may call). A staff token is a user's, issued to one of the staff app clients, with roles from the user's
Cognito groups and never a partner scope; a partner token is a registered partner client's own, from
the client-credentials flow, with partner scopes and never a user or a role.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt

from probation.auth.scopes import SCOPE_PREFIX
from probation.domain.principal import STAFF_ROLES, Principal, Role

ALGORITHMS = ["RS256"]
LEEWAY_SECONDS = 30
# Where Cognito (and the local runner's issuers) publish an issuer's signing keys.
JWKS_PATH = "/.well-known/jwks.json"
# Cognito's claims: token_use tells access tokens from ID tokens; a user's groups are its roles.
ACCESS_TOKEN = "access"  # noqa: S105 - a kind of token, not a secret
GROUPS_CLAIM = "cognito:groups"

PartnerLookup = Callable[[str], str | None]
"""The partner a registered client id belongs to, or None."""


class InvalidToken(Exception):
    pass


@dataclass
class Issuer:
    """One issuer the API trusts, with its signing keys."""

    url: str
    _keys: jwt.PyJWKClient = field(init=False)

    def __post_init__(self) -> None:
        # Keys are cached for five minutes, and refetched at once when a token names an unknown key id.
        self._keys = jwt.PyJWKClient(f"{self.url}{JWKS_PATH}", cache_keys=True, lifespan=300)

    def verified_claims(self, token: str) -> dict[str, Any]:
        try:
            signing_key = self._keys.get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                signing_key.key,
                algorithms=ALGORITHMS,
                issuer=self.url,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub", "client_id", "token_use"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        if claims["token_use"] != ACCESS_TOKEN:
            raise InvalidToken("only access tokens are accepted")
        return claims


@dataclass
class TokenVerifier:
    staff: Issuer
    staff_audiences: frozenset[str]
    partners: Issuer
    partner_of: PartnerLookup

    def verify(self, token: str) -> Principal:
        named = _named_issuer(token)
        if named == self.staff.url:
            return staff_principal(self.staff.verified_claims(token), self.staff_audiences)
        if named == self.partners.url:
            return partner_principal(self.partners.verified_claims(token), self.partner_of)
        raise InvalidToken("the token's issuer is not trusted")


def _named_issuer(token: str) -> object:
    """The issuer a token claims, read before its signature is checked: only to choose whose keys check it."""
    try:
        return jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error


def _scopes(claims: dict[str, Any]) -> list[str]:
    scope = claims.get("scope", "")
    if not isinstance(scope, str):
        raise InvalidToken("scope must be a space-separated string")
    return scope.split()


def staff_principal(claims: dict[str, Any], audiences: frozenset[str]) -> Principal:
    """A staff member, signed in through one of the staff app clients; the subject is their user name
    (their staff code), as Cognito's ``sub`` is an opaque id."""
    if claims.get("client_id") not in audiences:
        raise InvalidToken("the token was issued to another client")
    if any(scope.startswith(SCOPE_PREFIX) for scope in _scopes(claims)):
        raise InvalidToken("a staff token never carries partner scopes")
    groups = claims.get(GROUPS_CLAIM, [])
    if not isinstance(groups, list):
        raise InvalidToken(f"{GROUPS_CLAIM} must be a list")
    if Role.PARTNER.value in groups:
        raise InvalidToken("a staff token never carries the partner role")
    roles = frozenset(Role(group) for group in groups if group in STAFF_ROLES)
    if not roles:
        raise InvalidToken("the token grants no role")
    username = claims.get("username")
    if not isinstance(username, str) or not username:
        raise InvalidToken("a staff token must name its user")
    return Principal.from_roles(username, roles, None)


def partner_principal(claims: dict[str, Any], partner_of: PartnerLookup) -> Principal:
    """A partner's own app client (client credentials). The partner comes from the registry entry of
    the token's client, never from a claim the client chose; the registered clients are the audience."""
    if GROUPS_CLAIM in claims or "username" in claims:
        raise InvalidToken("a partner token is a client's own and never carries a user or staff roles")
    client_id = claims.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise InvalidToken("a partner token must carry its client id")
    partner_id = partner_of(client_id)
    if partner_id is None:
        raise InvalidToken("the client is not a registered partner")
    granted = frozenset(
        scope.removeprefix(SCOPE_PREFIX) for scope in _scopes(claims) if scope.startswith(SCOPE_PREFIX)
    )
    return Principal.from_roles(client_id, frozenset({Role.PARTNER}), partner_id, granted)


def bearer_token(header: str | None) -> str:
    if not header:
        raise InvalidToken("no Authorization header")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("Authorization must be 'Bearer <token>'")
    return token.strip()

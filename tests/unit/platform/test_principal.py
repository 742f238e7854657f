from typing import Any

import pytest

from probation.auth.tokens import InvalidToken, bearer_token, principal_from_claims
from probation.domain.errors import Forbidden
from probation.domain.principal import STAFF_ROLES, PrincipalKind, Role

REGISTRY = {"client-crc01": "CRC01"}.get


def test_staff_roles_come_from_the_roles_claim() -> None:
    principal = principal_from_claims(
        {"sub": "jsmith", "roles": ["practitioner", "manager", "pilot"]}, REGISTRY
    )
    assert principal.roles == {Role.PRACTITIONER, Role.MANAGER}
    assert principal.kind is PrincipalKind.STAFF


def test_cognito_groups_serve_as_roles() -> None:
    assert principal_from_claims({"sub": "a", "cognito:groups": ["admin"]}, REGISTRY).roles == {Role.ADMIN}


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "a", "roles": []},
        {"sub": "a", "roles": ["pilot"]},
        {"sub": "a", "roles": "admin"},
        {"sub": "a", "roles": ["partner"]},
        {"sub": "a", "roles": ["partner"], "clientId": "client-unknown"},
        {"sub": "a", "client_id": "client-unknown", "scope": "probation-partner-api/cases.read"},
    ],
)
def test_tokens_that_grant_nothing_usable_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        principal_from_claims(claims, REGISTRY)


def test_a_cognito_client_credentials_token_is_its_registered_partner() -> None:
    claims = {
        "sub": "client-crc01",
        "client_id": "client-crc01",
        "token_use": "access",
        "scope": "probation-partner-api/cases.read probation-partner-api/contacts.write",
        "partnerId": "CLAIMED-BY-THE-CLIENT",
    }
    principal = principal_from_claims(claims, REGISTRY)
    assert (principal.kind, principal.partner_id) == (PrincipalKind.PARTNER, "CRC01")
    assert principal.scopes == {"cases.read", "contacts.write"}
    with pytest.raises(Forbidden):
        principal.require_any(STAFF_ROLES)
    with pytest.raises(Forbidden):
        principal.require_scope("events.read")


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer"])
def test_only_bearer_authorization_is_accepted(header: str | None) -> None:
    with pytest.raises(InvalidToken):
        bearer_token(header)


def test_the_bearer_token_is_taken_whatever_the_scheme_case() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"

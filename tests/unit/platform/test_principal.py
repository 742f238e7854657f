from typing import Any

import pytest

from probation.auth.tokens import InvalidToken, bearer_token, principal_from_claims
from probation.domain.errors import Forbidden
from probation.domain.principal import STAFF_ROLES, PrincipalKind, Role


def test_staff_roles_come_from_the_roles_claim() -> None:
    principal = principal_from_claims({"sub": "jsmith", "roles": ["practitioner", "manager", "pilot"]})
    assert principal.roles == {Role.PRACTITIONER, Role.MANAGER}
    assert principal.kind is PrincipalKind.STAFF


def test_cognito_groups_serve_as_roles() -> None:
    assert principal_from_claims({"sub": "a", "cognito:groups": ["admin"]}).roles == {Role.ADMIN}


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "a", "roles": []},
        {"sub": "a", "roles": ["pilot"]},
        {"sub": "a", "roles": "admin"},
        {"sub": "a", "roles": ["partner"]},
    ],
)
def test_tokens_that_grant_nothing_usable_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        principal_from_claims(claims)


def test_a_partner_is_a_partner_kind_with_its_id() -> None:
    principal = principal_from_claims({"sub": "crc-client", "roles": ["partner"], "partnerId": "CRC01"})
    assert (principal.kind, principal.partner_id) == (PrincipalKind.PARTNER, "CRC01")
    with pytest.raises(Forbidden):
        principal.require_any(STAFF_ROLES)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer"])
def test_only_bearer_authorization_is_accepted(header: str | None) -> None:
    with pytest.raises(InvalidToken):
        bearer_token(header)


def test_the_bearer_token_is_taken_whatever_the_scheme_case() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"

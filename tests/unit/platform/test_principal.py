from typing import Any

import pytest

from probation.auth.tokens import InvalidToken, bearer_token, partner_principal, staff_principal
from probation.domain.errors import Forbidden
from probation.domain.principal import STAFF_ROLES, Principal, PrincipalKind, Role

REGISTRY = {"client-crc01": "CRC01"}.get
WEB_APP = frozenset({"web-app-client"})
STAFF = {"sub": "0b6f", "username": "jsmith", "client_id": "web-app-client", "scope": "openid profile"}
PARTNER = {"sub": "client-crc01", "client_id": "client-crc01"}


def test_a_staff_members_groups_are_their_roles_and_unknown_groups_grant_nothing() -> None:
    principal = staff_principal({**STAFF, "cognito:groups": ["practitioner", "manager", "pilot"]}, WEB_APP)
    assert principal.roles == {Role.PRACTITIONER, Role.MANAGER}
    assert principal.kind is PrincipalKind.STAFF


def test_a_staff_member_is_their_user_name_not_cognitos_opaque_subject() -> None:
    assert staff_principal({**STAFF, "cognito:groups": ["admin"]}, WEB_APP).subject == "jsmith"


@pytest.mark.parametrize(
    "claims",
    [
        {**STAFF, "cognito:groups": []},
        {**STAFF, "cognito:groups": ["pilot"]},
        {**STAFF, "cognito:groups": "admin"},
        {**STAFF, "cognito:groups": ["admin"], "client_id": "another-client"},
        {**STAFF, "cognito:groups": ["admin"], "username": ""},
    ],
)
def test_staff_tokens_that_grant_nothing_usable_are_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken):
        staff_principal(claims, WEB_APP)


def test_a_staff_token_never_carries_partner_scopes() -> None:
    claims = {**STAFF, "cognito:groups": ["admin"], "scope": "openid probation-partner-api/cases.read"}
    with pytest.raises(InvalidToken, match="partner scopes"):
        staff_principal(claims, WEB_APP)


def test_a_staff_token_never_carries_the_partner_role() -> None:
    with pytest.raises(InvalidToken, match="partner role"):
        staff_principal({**STAFF, "cognito:groups": ["practitioner", "partner"]}, WEB_APP)


def test_a_client_credentials_token_is_its_registered_partner_whatever_it_claims() -> None:
    claims = {
        **PARTNER,
        "scope": "probation-partner-api/cases.read probation-partner-api/contacts.write",
        "partnerId": "CLAIMED-BY-THE-CLIENT",
    }
    principal = partner_principal(claims, REGISTRY)
    assert (principal.kind, principal.partner_id) == (PrincipalKind.PARTNER, "CRC01")
    assert principal.scopes == {"cases.read", "contacts.write"}
    with pytest.raises(Forbidden):
        principal.require_any(STAFF_ROLES)
    with pytest.raises(Forbidden):
        principal.require_scope("events.read")


def test_only_the_partner_apis_scopes_count() -> None:
    principal = partner_principal({**PARTNER, "scope": "cases.read other-api/events.read"}, REGISTRY)
    assert principal.scopes == frozenset()


@pytest.mark.parametrize(
    "claims",
    [
        {**PARTNER, "cognito:groups": ["admin"]},
        {**PARTNER, "username": "jsmith"},
    ],
)
def test_a_partner_token_never_carries_a_user_or_staff_roles(claims: dict[str, Any]) -> None:
    with pytest.raises(InvalidToken, match="never carries a user or staff roles"):
        partner_principal(claims, REGISTRY)


def test_an_unregistered_client_is_no_partner() -> None:
    with pytest.raises(InvalidToken, match="not a registered partner"):
        partner_principal({**PARTNER, "client_id": "client-unknown"}, REGISTRY)


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer ", "Bearer"])
def test_only_bearer_authorization_is_accepted(header: str | None) -> None:
    with pytest.raises(InvalidToken):
        bearer_token(header)


def test_the_bearer_token_is_taken_whatever_the_scheme_case() -> None:
    assert bearer_token("bearer abc.def.ghi") == "abc.def.ghi"


@pytest.mark.parametrize(
    ("roles", "partner_id"),
    [
        (frozenset({Role.PARTNER}), None),  # a partner token whose client is in no registry entry
        (frozenset({Role.MANAGER}), "CRC-NORTH"),  # staff, whatever it carries
    ],
)
def test_only_a_registered_partner_is_a_partner(roles: frozenset[Role], partner_id: str | None) -> None:
    with pytest.raises(Forbidden):
        Principal.from_roles("client-1", roles, partner_id).registered_partner()


def test_a_registered_partner_is_its_partner_id() -> None:
    principal = Principal.from_roles("client-1", frozenset({Role.PARTNER}), "CRC-NORTH")
    assert principal.registered_partner() == "CRC-NORTH"

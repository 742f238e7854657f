"""The authorizer with real RS256 tokens from two issuers, each verified against its own JWKS over HTTP:
the staff pool's (users of the web app) and the partner pool's (partners' app clients)."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest

import functions.authorizer.app as authorizer
from infrastructure.local.identity import (
    PARTNER_ISSUER_PATH,
    STAFF_ISSUER_PATH,
    LocalIdentity,
    LocalIssuer,
    LocalTokenRequest,
)
from infrastructure.local.lambdas import LocalContext
from probation.adapters.partner_registry import RegisteredClient
from probation.auth.tokens import JWKS_PATH
from probation.domain.partners.models import Scope
from probation.domain.principal import Role

CRC01 = RegisteredClient(partner_id="CRC01", usage_key="usage-key-of-crc01")
WEB_APP_CLIENT = "web-app-client"
METHOD_ARN = "arn:aws:execute-api:eu-west-2:123456789012:api1234/dev/GET/cases/X123456"


@pytest.fixture
def identity(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalIdentity]:
    """Two issuers on one loopback server, each publishing its own keys under its own path."""
    keys: dict[str, dict[str, Any]] = {}

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps(keys[self.path]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    local = LocalIdentity(
        staff=LocalIssuer(f"{base_url}{STAFF_ISSUER_PATH}"),
        partners=LocalIssuer(f"{base_url}{PARTNER_ISSUER_PATH}"),
        staff_client_id=WEB_APP_CLIENT,
    )
    keys[f"{STAFF_ISSUER_PATH}{JWKS_PATH}"] = local.staff.jwks()
    keys[f"{PARTNER_ISSUER_PATH}{JWKS_PATH}"] = local.partners.jwks()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for name, value in local.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("STAFF_TOKEN_AUDIENCES", f"{WEB_APP_CLIENT},another-staff-app")
    monkeypatch.setattr(authorizer, "registered_client", {"client-crc01": CRC01}.get)
    authorizer.verifier.cache_clear()
    yield local
    server.shutdown()
    authorizer.verifier.cache_clear()


def authorize(token: str) -> dict[str, Any]:
    event = {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": METHOD_ARN}
    result: dict[str, Any] = authorizer.lambda_handler(event, LocalContext("AuthorizerFunction"))
    return result


def refused(token: str) -> bool:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(token)
    return True


def staff_token(identity: LocalIdentity, *roles: Role) -> str:
    return str(identity.staff_token("jsmith", roles or (Role.PRACTITIONER,))["access_token"])


def partner_token(identity: LocalIdentity, *scopes: Scope) -> str:
    request = LocalTokenRequest(
        sub="crc", roles=[Role.PARTNER], client_id="client-crc01", scopes=list(scopes)
    )
    return str(identity.token(request)["access_token"])


def signed(by: LocalIssuer, claims: dict[str, Any]) -> str:
    """A token with exactly these claims, signed with ``by``'s key: what a forger holding it could make."""
    now = int(time.time())
    return jwt.encode(
        {"iat": now, "exp": now + 60, "token_use": "access", **claims},
        by.key,
        algorithm="RS256",
        headers={"kid": by.key_id},
    )


def staff_claims(identity: LocalIdentity, **changes: Any) -> dict[str, Any]:
    return {
        "iss": identity.staff.url,
        "sub": "0b6f",
        "username": "jsmith",
        "client_id": WEB_APP_CLIENT,
        "cognito:groups": ["admin"],
        **changes,
    }


def partner_claims(identity: LocalIdentity, **changes: Any) -> dict[str, Any]:
    return {
        "iss": identity.partners.url,
        "sub": "client-crc01",
        "client_id": "client-crc01",
        "scope": "probation-partner-api/cases.read",
        **changes,
    }


def test_a_staff_token_allows_the_whole_api_with_the_principal_in_context(identity: LocalIdentity) -> None:
    result = authorize(staff_token(identity))
    assert result["principalId"] == "jsmith"
    assert result["context"] == {"kind": "staff", "roles": "practitioner", "scopes": ""}
    assert "usageIdentifierKey" not in result
    statement = result["policyDocument"]["Statement"][0]
    assert (statement["Effect"], statement["Resource"]) == (
        "Allow",
        ["arn:aws:execute-api:eu-west-2:123456789012:api1234/dev/*/*"],
    )


def test_a_staff_token_for_any_of_the_staff_app_clients_is_accepted(identity: LocalIdentity) -> None:
    token = signed(identity.staff, staff_claims(identity, client_id="another-staff-app"))
    assert authorize(token)["context"]["roles"] == "admin"


def test_a_partner_is_its_registered_client_and_reaches_only_its_scopes_routes(
    identity: LocalIdentity,
) -> None:
    result = authorize(partner_token(identity, Scope.CASES_READ))
    assert result["context"] == {
        "kind": "partner",
        "roles": "partner",
        "scopes": "cases.read",
        "partnerId": "CRC01",
    }
    assert result["usageIdentifierKey"] == "usage-key-of-crc01", "metered against its own usage plan key"
    api = "arn:aws:execute-api:eu-west-2:123456789012:api1234/dev"
    assert result["policyDocument"]["Statement"][0]["Resource"] == [
        f"{api}/GET/partner/v1/openapi.json",
        f"{api}/GET/partner/v1/cases",
        f"{api}/GET/partner/v1/cases/*",
    ]


def test_a_partner_claim_the_client_chose_is_ignored(identity: LocalIdentity) -> None:
    claimed = signed(identity.partners, partner_claims(identity, partnerId="SOMEONE-ELSE"))
    assert authorize(claimed)["context"]["partnerId"] == "CRC01"


def test_an_unregistered_client_is_unauthorized(identity: LocalIdentity) -> None:
    assert refused(signed(identity.partners, partner_claims(identity, client_id="client-unknown")))


# ------------------------------------------------------------------ each issuer only as its own kind


def test_a_partner_pool_token_can_never_carry_staff_roles(identity: LocalIdentity) -> None:
    """A registered partner client's token that names a user's groups is refused, not read as staff."""
    assert refused(signed(identity.partners, partner_claims(identity, **{"cognito:groups": ["admin"]})))
    assert refused(signed(identity.partners, partner_claims(identity, username="jsmith")))


def test_a_staff_token_can_never_carry_partner_scopes(identity: LocalIdentity) -> None:
    scopes = "openid probation-partner-api/cases.read"
    assert refused(signed(identity.staff, staff_claims(identity, scope=scopes)))


def test_a_staff_pool_token_is_never_a_partner_even_for_a_registered_clients_id(
    identity: LocalIdentity,
) -> None:
    """The staff pool cannot mint partner tokens: its tokens are for the staff app clients alone."""
    as_partner = staff_claims(identity, client_id="client-crc01", scope="probation-partner-api/cases.read")
    del as_partner["cognito:groups"], as_partner["username"]
    assert refused(signed(identity.staff, as_partner))


def test_a_partner_pool_token_for_the_web_app_client_is_no_partner(identity: LocalIdentity) -> None:
    assert refused(signed(identity.partners, partner_claims(identity, client_id=WEB_APP_CLIENT)))


def test_a_token_signed_by_one_pool_cannot_name_the_other_as_its_issuer(identity: LocalIdentity) -> None:
    assert refused(signed(identity.partners, staff_claims(identity)))
    assert refused(signed(identity.staff, partner_claims(identity)))


# ------------------------------------------------------------------ every other check


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": int(time.time()) - 120},
        {"client_id": "another-client"},
        {"iss": "http://evil.test"},
        {"cognito:groups": ["superuser"]},
        {"token_use": "id", "aud": WEB_APP_CLIENT},
    ],
)
def test_staff_tokens_that_fail_a_check_are_unauthorized(
    identity: LocalIdentity, changes: dict[str, Any]
) -> None:
    assert refused(signed(identity.staff, staff_claims(identity, **changes)))


def test_a_token_signed_by_another_key_is_unauthorized(identity: LocalIdentity) -> None:
    impostor = LocalIssuer(identity.staff.url, key_id=identity.staff.key_id)
    assert refused(signed(impostor, staff_claims(identity)))


def test_an_unsigned_token_is_unauthorized(identity: LocalIdentity) -> None:
    unsigned = jwt.encode(staff_claims(identity), key=None, algorithm="none")  # type: ignore[arg-type]
    assert refused(unsigned)

"""The authorizer with real RS256 tokens, verified against a JWKS served over HTTP."""

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jwt
import pytest

import functions.authorizer.app as authorizer
from infrastructure.local.identity import LocalIssuer, LocalTokenRequest
from infrastructure.local.lambdas import LocalContext
from probation.adapters.partner_registry import RegisteredClient
from probation.domain.partners.models import Scope
from probation.domain.principal import Role

CRC01 = RegisteredClient(partner_id="CRC01", usage_key="usage-key-of-crc01")
METHOD_ARN = "arn:aws:execute-api:eu-west-2:123456789012:api1234/dev/GET/cases/X123456"


@pytest.fixture
def issuer(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalIssuer]:
    local_issuer = LocalIssuer(issuer="http://issuer.test")

    class Jwks(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = jwt.utils.force_bytes(__import__("json").dumps(local_issuer.jwks()))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            return

    server = HTTPServer(("127.0.0.1", 0), Jwks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("TOKEN_ISSUER", local_issuer.issuer)
    monkeypatch.setenv("TOKEN_AUDIENCE", local_issuer.audience)
    monkeypatch.setenv("JWKS_URL", f"http://127.0.0.1:{server.server_address[1]}/jwks.json")
    monkeypatch.setattr(authorizer, "registered_client", {"client-crc01": CRC01}.get)
    authorizer.verifier.cache_clear()
    yield local_issuer
    server.shutdown()
    authorizer.verifier.cache_clear()


def authorize(token: str) -> dict[str, Any]:
    event = {"type": "TOKEN", "authorizationToken": f"Bearer {token}", "methodArn": METHOD_ARN}
    result: dict[str, Any] = authorizer.lambda_handler(event, LocalContext("AuthorizerFunction"))
    return result


def token(issuer: LocalIssuer, **claims: Any) -> str:
    return str(
        issuer.token(LocalTokenRequest(sub="jsmith", roles=[Role.PRACTITIONER], **claims))["access_token"]
    )


def forged(issuer: LocalIssuer, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": "x",
        "iat": now,
        "exp": now + 60,
        "roles": ["admin"],
    }
    return jwt.encode({**claims, **overrides}, issuer.key, algorithm="RS256", headers={"kid": issuer.key_id})


def test_a_valid_token_allows_the_whole_api_with_the_principal_in_context(issuer: LocalIssuer) -> None:
    result = authorize(token(issuer))
    assert result["principalId"] == "jsmith"
    assert result["context"] == {"kind": "staff", "roles": "practitioner", "scopes": ""}
    assert "usageIdentifierKey" not in result
    statement = result["policyDocument"]["Statement"][0]
    assert (statement["Effect"], statement["Resource"]) == (
        "Allow",
        ["arn:aws:execute-api:eu-west-2:123456789012:api1234/dev/*/*"],
    )


def test_a_partner_is_its_registered_client_and_reaches_only_its_scopes_routes(issuer: LocalIssuer) -> None:
    request = LocalTokenRequest(
        sub="crc", roles=[Role.PARTNER], client_id="client-crc01", scopes=[Scope.CASES_READ]
    )
    result = authorize(issuer.token(request)["access_token"])
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


def test_a_partner_claim_the_client_chose_is_ignored(issuer: LocalIssuer) -> None:
    claimed = forged(issuer, roles=["partner"], clientId="client-crc01", partnerId="SOMEONE-ELSE")
    assert authorize(claimed)["context"]["partnerId"] == "CRC01"


def test_an_unregistered_client_is_unauthorized(issuer: LocalIssuer) -> None:
    request = LocalTokenRequest(sub="crc", roles=[Role.PARTNER], client_id="client-unknown")
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(issuer.token(request)["access_token"])


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": int(time.time()) - 120},
        {"aud": "another-api"},
        {"iss": "http://evil.test"},
        {"roles": ["superuser"]},
    ],
)
def test_tokens_that_fail_a_check_are_unauthorized(issuer: LocalIssuer, overrides: dict[str, Any]) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(forged(issuer, **overrides))


def test_a_token_signed_by_another_key_is_unauthorized(issuer: LocalIssuer) -> None:
    impostor = LocalIssuer(issuer=issuer.issuer, key_id=issuer.key_id)
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(token(impostor))


def test_an_unsigned_token_is_unauthorized(issuer: LocalIssuer) -> None:
    unsigned = jwt.encode({"iss": issuer.issuer, "sub": "x", "roles": ["admin"]}, key=None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(unsigned)

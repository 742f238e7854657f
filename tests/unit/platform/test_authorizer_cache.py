"""The local gateway keeps an authorizer's answer for a token as API Gateway does (ReauthorizeEvery)."""

from typing import Any

import pytest

from infrastructure.local.gateway import AuthorizerCache
from infrastructure.template import TEMPLATE, FunctionSpec, Template

ALLOW = {"principalId": "N07P002", "policyDocument": {"Statement": []}, "context": {"roles": "practitioner"}}


class CountingAuthorizer:
    spec = FunctionSpec("AuthorizerFunction", "functions.authorizer.app", "lambda_handler", {}, {})

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.refuse = refuse or set()

    def invoke(self, event: dict[str, Any]) -> Any:
        self.events.append(event)
        if event["authorizationToken"] in self.refuse:
            raise RuntimeError("Unauthorized")
        return {**ALLOW, "principalId": event["authorizationToken"]}


def test_a_token_s_policy_is_kept_across_routes_and_each_token_has_its_own() -> None:
    authorizer = CountingAuthorizer()
    cache = AuthorizerCache(authorizer, seconds=300)
    first = cache.policy("Bearer a", "arn:…/local/GET/cases/{crn}")
    again = cache.policy("Bearer a", "arn:…/local/POST/cases/{crn}/contacts")
    other = cache.policy("Bearer b", "arn:…/local/GET/cases/{crn}")
    assert first is again
    assert other["principalId"] == "Bearer b"
    assert [event["authorizationToken"] for event in authorizer.events] == ["Bearer a", "Bearer b"]
    assert authorizer.events[0]["methodArn"] == "arn:…/local/GET/cases/{crn}"


def test_a_kept_policy_expires_and_a_refusal_is_never_kept() -> None:
    authorizer = CountingAuthorizer(refuse={"Bearer bad"})
    cache = AuthorizerCache(authorizer, seconds=0)
    cache.policy("Bearer a", "arn:1")
    cache.policy("Bearer a", "arn:1")
    refusing = AuthorizerCache(authorizer, seconds=300)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            refusing.policy("Bearer bad", "arn:1")
    assert len(authorizer.events) == 4


def test_the_time_kept_is_the_template_s() -> None:
    assert Template.load({}, TEMPLATE).authorizer_cache_seconds() == 300

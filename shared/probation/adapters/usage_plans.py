"""Per-partner metering: each partner's API key in the partner usage plan (throttle and daily quota)."""

import secrets
from dataclasses import dataclass, field

from probation import config
from probation.adapters import aws
from probation.domain.partners.ports import IssuedKey


@dataclass
class ApiGatewayUsagePlan:
    usage_plan_name: str = field(default_factory=config.usage_plan_name)
    _usage_plan_id: str | None = None

    @property
    def usage_plan_id(self) -> str:
        """Found by the plan's name the first time it is needed (registering a partner), then kept."""
        if self._usage_plan_id is None:
            pages = aws.apigateway().get_paginator("get_usage_plans").paginate()
            found = [
                plan["id"] for page in pages for plan in page["items"] if plan["name"] == self.usage_plan_name
            ]
            if len(found) != 1:
                raise RuntimeError(
                    f"expected one usage plan named {self.usage_plan_name}, found {len(found)}"
                )
            self._usage_plan_id = str(found[0])
        return self._usage_plan_id

    def issue_key(self, partner_id: str) -> IssuedKey:
        """A new API key in the plan; its value is what the authorizer names as the usage identifier."""
        value = secrets.token_urlsafe(32)
        client = aws.apigateway()
        key = client.create_api_key(name=f"partner-{partner_id}", value=value, enabled=True)
        issued = IssuedKey(key_id=str(key["id"]), value=value)
        try:
            client.create_usage_plan_key(
                usagePlanId=self.usage_plan_id, keyId=issued.key_id, keyType="API_KEY"
            )
        except BaseException:
            self.revoke_key(issued)
            raise
        return issued

    def revoke_key(self, key: IssuedKey) -> None:
        """Deleting the key takes it out of the plan too."""
        aws.apigateway().delete_api_key(apiKey=key.key_id)

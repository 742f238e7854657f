"""Per-partner metering: each partner's API key in the partner usage plan (throttle and daily quota)."""

import secrets
from dataclasses import dataclass, field

from probation import config
from probation.adapters import aws


@dataclass
class ApiGatewayUsagePlan:
    usage_plan_id: str = field(default_factory=config.usage_plan_id)

    def issue_key(self, partner_id: str) -> str:
        """A new API key in the plan; its value is what the authorizer names as the usage identifier."""
        value = secrets.token_urlsafe(32)
        client = aws.apigateway()
        key = client.create_api_key(name=f"partner-{partner_id}", value=value, enabled=True)
        client.create_usage_plan_key(usagePlanId=self.usage_plan_id, keyId=key["id"], keyType="API_KEY")
        return value

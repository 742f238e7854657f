"""Per-partner metering: each partner's API key in the partner usage plan (throttle and daily quota)."""

import secrets
from dataclasses import dataclass, field

from probation import config
from probation.adapters import aws
from probation.domain.partners.ports import IssuedKey


@dataclass
class ApiGatewayUsagePlan:
    usage_plan_id: str = field(default_factory=config.usage_plan_id)

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

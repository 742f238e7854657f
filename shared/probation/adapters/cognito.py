"""Partner identities as Cognito app clients using the client-credentials flow with custom scopes."""

from dataclasses import dataclass, field

from probation import config
from probation.adapters import aws
from probation.auth.scopes import SCOPE_PREFIX


@dataclass
class CognitoIdentityProvider:
    user_pool_id: str = field(default_factory=config.user_pool_id)

    def create_client(self, partner_id: str, scopes: list[str]) -> tuple[str, str, list[str]]:
        token_scopes = [f"{SCOPE_PREFIX}{scope}" for scope in scopes]
        created = aws.cognito().create_user_pool_client(
            UserPoolId=self.user_pool_id,
            ClientName=f"partner-{partner_id}",
            GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=token_scopes,
            AllowedOAuthFlowsUserPoolClient=True,
        )["UserPoolClient"]
        return str(created["ClientId"]), str(created["ClientSecret"]), token_scopes

    def delete_client(self, client_id: str) -> None:
        aws.cognito().delete_user_pool_client(UserPoolId=self.user_pool_id, ClientId=client_id)

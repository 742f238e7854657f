"""How partner scopes are named in tokens: the resource server's identifier, then the scope."""

SCOPE_PREFIX = "probation-partner-api/"

"""Bearer token verification, shared by the authorizer function and the local runner."""

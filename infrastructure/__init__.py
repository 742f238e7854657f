"""Infrastructure tooling: the template reader, the OpenAPI contract and the local runner."""

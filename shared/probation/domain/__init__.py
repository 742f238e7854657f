"""Pure domain: pydantic models and rules. Nothing here talks to AWS or HTTP."""

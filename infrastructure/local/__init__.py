"""The local runner: the whole stack on one machine, with moto standing in for AWS (no Docker, no account)."""

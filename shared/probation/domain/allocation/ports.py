"""What allocation's storage tells its rules, without importing them (the repositories' cold start)."""


class AlreadyApplied(Exception):
    """The event was consumed before."""

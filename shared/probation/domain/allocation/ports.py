"""What allocation's storage tells its rules, without importing them (the repositories' cold start)."""


class AlreadyApplied(Exception):
    """The event was consumed before."""


class PartnerNotRegistered(Exception):
    """The allocation names a partner provider that is not registered (checked in the same write)."""

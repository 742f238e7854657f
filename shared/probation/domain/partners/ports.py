"""What the partner gateway needs from storage and identity, as interfaces the domain owns."""

from dataclasses import dataclass
from typing import Protocol

from probation.domain.allocation.models import Allocation
from probation.domain.assessments.models import CaseState
from probation.domain.events import DomainEvent
from probation.domain.partners.models import Delivery, FeedEntry, Partner, SubscriptionWithSecret


class DuplicatePartner(Exception):
    pass


class IdentityProvider(Protocol):
    def create_client(self, partner_id: str, scopes: list[str]) -> tuple[str, str, list[str]]:
        """A new client-credentials app client: its id, its secret and its scopes as tokens name them."""
        ...

    def delete_client(self, client_id: str) -> None: ...


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    value: str
    """What the authorizer names as the usage identifier: the partner never sends or sees it."""


class UsagePlan(Protocol):
    def issue_key(self, partner_id: str) -> IssuedKey:
        """The key that meters the partner's requests against its rate limit and quota."""
        ...

    def revoke_key(self, key: IssuedKey) -> None: ...


class SubscriptionLimitReached(Exception):
    """The partner already holds as many subscriptions as it may (counted in the same write)."""


class AlreadyInFeed(Exception):
    """The event was appended to this partner's feed before."""


class PartnerRepository(Protocol):
    def save_partner(self, partner: Partner, usage_key: str) -> None:
        """The partner, and its client's registry entry with the usage key, together."""
        ...

    def partners(self) -> list[Partner]: ...

    def partner_cases(
        self, partner_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Allocation], str | None]: ...

    def allocation(self, crn: str) -> Allocation | None: ...

    def case_state(self, crn: str) -> CaseState | None: ...

    def feed(self, partner_id: str, after: int, limit: int) -> list[FeedEntry]: ...

    def feed_end(self, partner_id: str) -> int: ...

    def append_to_feed(
        self, partner_id: str, sequence: int, event: DomainEvent, deliveries: list[Delivery]
    ) -> None:
        """Writes ``event`` at ``sequence`` if the feed still ends at ``sequence - 1``, with the deliveries
        it makes to the partner's webhooks: both or neither."""
        ...

    def save_subscription(self, subscription: SubscriptionWithSecret, limit: int) -> None:
        """Saves it and counts it on the partner in one write: SubscriptionLimitReached when the partner
        holds ``limit`` already, however many are saved at once."""
        ...

    def subscriptions(self, partner_id: str) -> list[SubscriptionWithSecret]: ...

    def subscription(self, partner_id: str, subscription_id: str) -> SubscriptionWithSecret | None: ...

    def delete_subscription(self, partner_id: str, subscription_id: str) -> bool:
        """False when there was no such subscription."""
        ...

    def deliveries(
        self, partner_id: str, subscription_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Delivery], str | None]: ...

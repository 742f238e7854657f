"""Who is calling: established by the authorizer from a verified token, never from the request body."""

from dataclasses import dataclass
from enum import StrEnum

from probation.domain.errors import Forbidden
from probation.domain.model import ApiModel


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    MANAGER = "manager"
    ADMIN = "admin"
    PARTNER = "partner"


STAFF_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.ADMIN})
PARTNER_ROLES = frozenset({Role.PARTNER})


class PrincipalKind(StrEnum):
    STAFF = "staff"
    PARTNER = "partner"
    SYSTEM = "system"  # a service acting on an event, not on anyone's request


class Principal(ApiModel):
    subject: str
    kind: PrincipalKind
    roles: frozenset[Role]
    partner_id: str | None = None
    scopes: frozenset[str] = frozenset()

    @classmethod
    def from_roles(
        cls,
        subject: str,
        roles: frozenset[Role],
        partner_id: str | None,
        scopes: frozenset[str] = frozenset(),
    ) -> "Principal":
        kind = PrincipalKind.PARTNER if Role.PARTNER in roles else PrincipalKind.STAFF
        return cls(subject=subject, kind=kind, roles=roles, partner_id=partner_id, scopes=scopes)

    @classmethod
    def system(cls, service: str) -> "Principal":
        """A service acting on an event, recorded in the access log under its own name."""
        return cls(subject=f"system:{service}", kind=PrincipalKind.SYSTEM, roles=frozenset())

    def registered_partner(self) -> str:
        """The partner this principal is, or Forbidden: the partner API is for registered partners only."""
        if self.kind is not PrincipalKind.PARTNER or self.partner_id is None:
            raise Forbidden("The partner API is for registered partner providers.")
        return self.partner_id

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This action needs the {scope} scope.")

    def require_any(self, allowed: frozenset[Role]) -> None:
        if not self.roles & allowed:
            wanted = ", ".join(sorted(allowed))
            raise Forbidden(f"This action needs one of the roles: {wanted}.")


@dataclass(frozen=True)
class Caller:
    """Who asked, and the correlation id that follows the request through every function."""

    principal: Principal
    correlation_id: str | None

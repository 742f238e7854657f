"""The Home Office offence list, as the case records service looks offences up."""

from probation.domain.cases.service import KnownOffence
from probation.risk.offences import get_offence


def known_offence(code: str) -> KnownOffence | None:
    offence = get_offence(code)
    if offence is None:
        return None
    return KnownOffence(code=code, description=offence.description, violent=offence.is_violent)

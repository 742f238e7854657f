"""The Combined Serious Reoffending Predictor, CSRP or new RSR (SPEC §7, §9.5)."""

from probation.risk.coefficients import CombinedSeriousModel
from probation.risk.enums import Gender, ScoreType
from probation.risk.errors import ErrorCode, Violation, missing
from probation.risk.numerics import MAX_HUNDREDTHS
from probation.risk.reoffending import PERCENT_BY_HUNDREDTHS, ReoffendingOutcome
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import (
    CombinedSeriousScore,
    DirectContactSexualScore,
    IndirectContactSexualScore,
)

COMBINED_SERIOUS_REQUIRED = ("gender", "hasEverCommittedSexualOffence")
# Members read once, as the hot path compares with them (see probation.risk.enums).
_FEMALE = Gender.FEMALE
_STATIC, _DYNAMIC = ScoreType.STATIC, ScoreType.DYNAMIC


def component_violations(
    serious_violent: ReoffendingOutcome, direct_contact: list[Violation], indirect_contact: list[Violation]
) -> list[Violation]:
    """The errors of SVRP, DC-SRP and IIC-SRP that stop the CSRP: all but SVRP's missing dynamic inputs,
    which only make it build on the static SVRP."""
    _, static, dynamic = serious_violent
    if not (static or dynamic or direct_contact or indirect_contact):
        return []
    return [
        *static,
        *(v for v in dynamic if v.code is not ErrorCode.MISSING_DYNAMIC_INPUT),
        *direct_contact,
        *indirect_contact,
    ]


def combined_serious(
    model: CombinedSeriousModel,
    request: RiskCalculationRequest,
    absent: frozenset[str],
    serious_violent: ReoffendingOutcome,
    direct_contact: DirectContactSexualScore | None,
    indirect_contact: IndirectContactSexualScore | None,
    components_failed: bool,
) -> tuple[CombinedSeriousScore | None, list[Violation]]:
    # Usually nothing is absent, and no list of violations is built (~300 instructions).
    if absent and (violations := [missing(field) for field in COMBINED_SERIOUS_REQUIRED if field in absent]):
        return None, violations
    if components_failed or direct_contact is None or indirect_contact is None:
        return None, []
    # The headline score (result.PredictorScores) and its type.
    scores = serious_violent[0]
    svrp = scores["dynamic"]
    if svrp is not None:
        score_type = _DYNAMIC
    else:
        svrp = scores["static"]
        if svrp is None:
            return None, []
        score_type = _STATIC
    # Summed in binary64, in this order, before rounding: the Ministry's arithmetic. The Ministry adds 0.0
    # for everyone but a woman with a sexual history: adding it here would change only a sum of -0.0, which
    # rounds to 0 all the same. Rounded half-up to hundredths and held within 0..99.99, as a whole number
    # of hundredths, which indexes the bands. Each term is a whole number of hundredths, so the sum is one
    # within ~1e-12, never near the half where round() and half-up could differ: round() spares
    # half_up_units (~2k instructions).
    total = svrp["score"] + direct_contact["score"] + indirect_contact["score"]
    if request.gender is _FEMALE and request.has_ever_committed_sexual_offence:
        total += model.female_sexual_history_addition_percent
    hundredths = round(total * 100)
    if not 0 <= hundredths <= MAX_HUNDREDTHS:
        hundredths = 0 if hundredths < 0 else MAX_HUNDREDTHS
    return {
        "score": PERCENT_BY_HUNDREDTHS[hundredths],
        "band": model.band_by_hundredths[hundredths],
        "type": score_type,
    }, []

"""The calculator's output. Dump with ``by_alias=True`` (the default here) for the camelCase JSON shape."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, SkipValidation
from pydantic.alias_generators import to_camel

from probation.risk.enums import RiskBand, ScoreType


class _ResultModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True
    )


class Score(_ResultModel):
    """One variant of a linear predictor."""

    probability: float
    """Two-year probability, unrounded, 0..1."""
    score: float
    """The probability as a percentage, rounded half-up to 2 dp and clamped to 0..99.99."""
    band: RiskBand
    # Built by the calculator itself, so not re-validated: this is on the hot path.
    contributions: Annotated[dict[str, float], SkipValidation]
    """Weight (coefficient × feature value) of each model term that applied to this case, keyed by the
    term's name in the coefficients file; they sum to the logit of ``probability``."""


class PredictorScores(_ResultModel):
    static: Score | None
    dynamic: Score | None


class DirectContactSexualScore(_ResultModel):
    points: int
    probability: float
    score: float
    band: RiskBand


class IndirectContactSexualScore(_ResultModel):
    probability: float
    score: float
    band: RiskBand


class CombinedSeriousScore(_ResultModel):
    score: float
    band: RiskBand
    type: ScoreType
    """The SVRP variant the score was built on."""


class Ogrs3Score(_ResultModel):
    one_year: int
    two_year: int
    band: RiskBand


class FieldError(_ResultModel):
    field: str
    message: str


class RiskCalculationResult(_ResultModel):
    """Every predictor's score, or ``None`` with the reasons in ``errors``."""

    model_version: str
    all_reoffending: PredictorScores
    violent_reoffending: PredictorScores
    serious_violent_reoffending: PredictorScores
    direct_contact_sexual: DirectContactSexualScore | None
    indirect_contact_sexual: IndirectContactSexualScore | None
    rsr: CombinedSeriousScore | None
    ogrs3: Ogrs3Score | None
    errors: list[FieldError]

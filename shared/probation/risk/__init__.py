"""The Ministry of Justice actuarial risk predictors: ARP, VRP, SVRP, DC-SRP, IIC-SRP, RSR and legacy OGRS3.

Pure calculation (no I/O beyond reading its own data files once), reproducing the Ministry's
``hmpps-arns-risk-actuarial-api`` to the published figure.
"""

from probation.risk.calculator import calculate
from probation.risk.coefficients import available_versions, latest_version
from probation.risk.enums import (
    CurrentRelationshipStatus,
    Gender,
    MotivationLevel,
    PreviousConviction,
    ProblemLevel,
    RiskBand,
    ScoreType,
    SupervisionStatus,
)
from probation.risk.offences import (
    Offence,
    Ogrs3OffenceWeight,
    get_offence,
    is_known_offence,
    is_violent,
    offence_category,
    ogrs3_offence_weight,
)
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import (
    CombinedSeriousScore,
    DirectContactSexualScore,
    FieldError,
    IndirectContactSexualScore,
    Ogrs3Score,
    PredictorScores,
    RiskCalculationResult,
    Score,
)

__all__ = [
    "CombinedSeriousScore",
    "CurrentRelationshipStatus",
    "DirectContactSexualScore",
    "FieldError",
    "Gender",
    "IndirectContactSexualScore",
    "MotivationLevel",
    "Offence",
    "Ogrs3OffenceWeight",
    "Ogrs3Score",
    "PredictorScores",
    "PreviousConviction",
    "ProblemLevel",
    "RiskBand",
    "RiskCalculationRequest",
    "RiskCalculationResult",
    "Score",
    "ScoreType",
    "SupervisionStatus",
    "available_versions",
    "calculate",
    "get_offence",
    "is_known_offence",
    "is_violent",
    "latest_version",
    "offence_category",
    "ogrs3_offence_weight",
]

"""The Ministry of Justice actuarial risk predictors: ARP, VRP, SVRP, DC-SRP, IIC-SRP, RSR and legacy OGRS3;
and its screening tools beside them: MST, LDS, OPD and PNI.

Pure calculation (no I/O beyond reading its own data files once), reproducing the Ministry's
``hmpps-arns-risk-actuarial-api`` to the published figure.

Its parts load when first used (PEP 562): a function that needs only an enum or the offence list does not
pay at cold start for the whole calculator and its coefficients.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from probation.risk.calculator import calculate
    from probation.risk.coefficients import available_versions, latest_version
    from probation.risk.enums import (
        CurrentRelationshipStatus,
        Gender,
        HasQualifications,
        MotivationLevel,
        NeedLevel,
        OpdResult,
        PniContext,
        PniPathway,
        PreviousConviction,
        ProblemLevel,
        RiskBand,
        ScoreType,
        SupervisionStatus,
        YesSometimesNo,
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
        LearningDisabilityScreening,
        MaturityScreening,
        Ogrs3Score,
        PersonalityDisorderScreening,
        PredictorScores,
        ProgrammeNeeds,
        RiskCalculationResult,
        Score,
        ScreeningError,
    )

_MODULE_OF = {
    "CombinedSeriousScore": "probation.risk.result",
    "CurrentRelationshipStatus": "probation.risk.enums",
    "DirectContactSexualScore": "probation.risk.result",
    "FieldError": "probation.risk.result",
    "Gender": "probation.risk.enums",
    "HasQualifications": "probation.risk.enums",
    "IndirectContactSexualScore": "probation.risk.result",
    "LearningDisabilityScreening": "probation.risk.result",
    "MaturityScreening": "probation.risk.result",
    "MotivationLevel": "probation.risk.enums",
    "NeedLevel": "probation.risk.enums",
    "Offence": "probation.risk.offences",
    "Ogrs3OffenceWeight": "probation.risk.offences",
    "Ogrs3Score": "probation.risk.result",
    "OpdResult": "probation.risk.enums",
    "PersonalityDisorderScreening": "probation.risk.result",
    "PniContext": "probation.risk.enums",
    "PniPathway": "probation.risk.enums",
    "PredictorScores": "probation.risk.result",
    "PreviousConviction": "probation.risk.enums",
    "ProblemLevel": "probation.risk.enums",
    "ProgrammeNeeds": "probation.risk.result",
    "RiskBand": "probation.risk.enums",
    "RiskCalculationRequest": "probation.risk.request",
    "RiskCalculationResult": "probation.risk.result",
    "Score": "probation.risk.result",
    "ScoreType": "probation.risk.enums",
    "ScreeningError": "probation.risk.result",
    "SupervisionStatus": "probation.risk.enums",
    "YesSometimesNo": "probation.risk.enums",
    "available_versions": "probation.risk.coefficients",
    "calculate": "probation.risk.calculator",
    "get_offence": "probation.risk.offences",
    "is_known_offence": "probation.risk.offences",
    "is_violent": "probation.risk.offences",
    "latest_version": "probation.risk.coefficients",
    "offence_category": "probation.risk.offences",
    "ogrs3_offence_weight": "probation.risk.offences",
}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "CombinedSeriousScore",
    "CurrentRelationshipStatus",
    "DirectContactSexualScore",
    "FieldError",
    "Gender",
    "HasQualifications",
    "IndirectContactSexualScore",
    "LearningDisabilityScreening",
    "MaturityScreening",
    "MotivationLevel",
    "NeedLevel",
    "Offence",
    "Ogrs3OffenceWeight",
    "Ogrs3Score",
    "OpdResult",
    "PersonalityDisorderScreening",
    "PniContext",
    "PniPathway",
    "PredictorScores",
    "PreviousConviction",
    "ProblemLevel",
    "ProgrammeNeeds",
    "RiskBand",
    "RiskCalculationRequest",
    "RiskCalculationResult",
    "Score",
    "ScoreType",
    "ScreeningError",
    "SupervisionStatus",
    "YesSometimesNo",
    "available_versions",
    "calculate",
    "get_offence",
    "is_known_offence",
    "is_violent",
    "latest_version",
    "offence_category",
    "ogrs3_offence_weight",
]

"""A stored score: the full input snapshot, where each input came from, the model version and the result."""

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from pydantic import Field

from probation.domain.model import ApiModel


class InputSource(StrEnum):
    CASE_RECORD = "CASE_RECORD"
    ASSESSMENT = "ASSESSMENT"
    SCORING_DATE = "SCORING_DATE"


class InputProvenance(ApiModel):
    source: InputSource
    source_ref: str
    detail: str | None = None


class TriggerKind(StrEnum):
    REQUEST = "REQUEST"
    EVENT = "EVENT"


class ScoringTrigger(ApiModel):
    """Why the case was scored: someone asked, or an event changed what the scores depend on."""

    kind: TriggerKind
    requested_by: str | None = None
    event_id: str | None = None
    event_type: str | None = None


REOFFENDING_PREDICTORS = ("allReoffending", "violentReoffending", "seriousViolentReoffending")
SCREENING_TOOLS = ("mst", "lds", "opd", "pni")


def headline_bands(result: Mapping[str, Any]) -> dict[str, str | None]:
    """The band practitioners see of each reoffending predictor in ``result`` (the dynamic score's when
    there is one, else the static's), by the predictor's name in ``result``."""
    bands: dict[str, str | None] = {}
    for name in REOFFENDING_PREDICTORS:
        scores = result.get(name) or {}
        headline = scores.get("dynamic") or scores.get("static")
        bands[name] = headline["band"] if headline else None
    return bands


# Each screening tool's result keys (SCREENING.md 2.3, 3.4, 4.8, 5.7), by the Ministry's names.
class MaturityScreeningSummary(ApiModel):
    maturity_score: int | None
    maturity_flag: bool | None
    is_mst_applicable: bool | None


class LearningDisabilityScreeningSummary(ApiModel):
    lds_score: int | None


class PersonalityDisorderScreeningSummary(ApiModel):
    opd_check: bool
    opd_override: bool | None
    opd_result: str | None


class ProgrammeNeedsSummary(ApiModel):
    pni_pathway: str


class ScreeningSummary(ApiModel):
    """Each screening tool's result, without the reasons it lists (``result`` keeps them, in the tool's
    block): a null result means the tool lacked answers."""

    mst: MaturityScreeningSummary
    lds: LearningDisabilityScreeningSummary
    opd: PersonalityDisorderScreeningSummary
    pni: ProgrammeNeedsSummary

    @classmethod
    def of(cls, result: Mapping[str, Any]) -> Self:
        """The summary of a calculation's JSON ``result``."""
        return cls.model_validate(
            {
                tool: {key: value for key, value in result[tool].items() if key != "validationError"}
                for tool in SCREENING_TOOLS
            }
        )


class RiskScoreRecord(ApiModel):
    score_id: str
    crn: str
    calculated_at: datetime
    model_version: str
    trigger: ScoringTrigger
    inputs: dict[str, Any]
    provenance: dict[str, InputProvenance]
    result: dict[str, Any] = Field(description="The calculation, exactly as POST /risk/calculate returns it")
    rsr_band: str | None
    previous_rsr_band: str | None
    rsr_band_changed: bool
    screening: ScreeningSummary | None = Field(
        default=None, description="The screening tools' results (absent from scores stored before them)"
    )


class RiskSummary(ApiModel):
    """The latest scores in brief, with the screening results beside them: what a case overview shows."""

    score_id: str
    calculated_at: datetime
    model_version: str
    rsr_score: float | None
    rsr_band: str | None
    bands: dict[str, str | None] = Field(description="The headline band of each reoffending predictor")
    screening: ScreeningSummary | None

    @classmethod
    def of(cls, record: RiskScoreRecord) -> Self:
        rsr = record.result.get("rsr")
        return cls(
            score_id=record.score_id,
            calculated_at=record.calculated_at,
            model_version=record.model_version,
            rsr_score=rsr["score"] if rsr else None,
            rsr_band=record.rsr_band,
            bands=headline_bands(record.result),
            screening=record.screening,
        )


class RiskHistory(ApiModel):
    latest: RiskScoreRecord | None
    history: list[RiskScoreRecord]
    cursor: str | None = None

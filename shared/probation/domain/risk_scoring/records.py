"""A stored score: the full input snapshot, where each input came from, the model version and the result."""

from datetime import datetime
from enum import StrEnum
from typing import Any

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


class RiskHistory(ApiModel):
    latest: RiskScoreRecord | None
    history: list[RiskScoreRecord]
    cursor: str | None = None

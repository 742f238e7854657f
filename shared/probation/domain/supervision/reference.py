"""Supervision reference data (``data/``): nDelius's outcome codes with their flags, the rescheduling
codes, the enforcement actions with their codes and response-by periods, the appointment contact types, and
the statutory rule's window and limits. Loaded once; sources and choices in ``data/ATTRIBUTION.md``."""

import functools
import json
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

_DATA_PACKAGE = "probation.domain.supervision.data"


class OutcomeCategory(StrEnum):
    ATTENDED_COMPLIED = "ATTENDED_COMPLIED"
    ATTENDED_FAILED_TO_COMPLY = "ATTENDED_FAILED_TO_COMPLY"
    UNACCEPTABLE_ABSENCE = "UNACCEPTABLE_ABSENCE"
    AWAITING_EVIDENCE = "AWAITING_EVIDENCE"
    ACCEPTABLE_ABSENCE = "ACCEPTABLE_ABSENCE"


@dataclass(frozen=True)
class OutcomeCode:
    code: str
    description: str
    attended: bool
    complied: bool | None
    enforceable: bool
    category: OutcomeCategory

    @property
    def unacceptable_failure(self) -> bool:
        """``AFTC``, ``ATSH`` and ``UAAB``: what the statutory rule counts."""
        return self.category in (
            OutcomeCategory.ATTENDED_FAILED_TO_COMPLY,
            OutcomeCategory.UNACCEPTABLE_ABSENCE,
        )

    @property
    def awaiting_evidence(self) -> bool:
        return self.category is OutcomeCategory.AWAITING_EVIDENCE


@dataclass(frozen=True)
class EnforcementActionType:
    action: str
    codes: tuple[str, ...]
    description: str
    response_by_days: int | None
    outstanding_contact_action: bool
    fits: frozenset[str]
    """``UNACCEPTABLE`` (fits an unacceptable failure) and/or ``AFTA``."""

    def code_for(self, warnings_in_force: int) -> str:
        """The nDelius code: a warning letter is ``EA02`` the first time and ``EA03`` after that."""
        return self.codes[min(warnings_in_force, len(self.codes) - 1)]


@dataclass(frozen=True)
class ComplianceRules:
    version: str
    source: str
    window_months: int
    warnings_before_breach: int
    evidence_due_days: int
    next_appointments_shown: int
    recent_timeline_entries: int
    max_repeats: int
    max_cancelled_by_ending: int


@dataclass(frozen=True)
class Reference:
    version: str
    outcomes: dict[str, OutcomeCode]
    rescheduling: dict[str, str]
    """Rescheduling code to who asked: ``PERSON_ON_PROBATION`` or ``SERVICE``."""
    actions: dict[str, EnforcementActionType]
    appointment_codes: dict[str, str | None]
    rules: ComplianceRules


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files(_DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    )
    return data


@functools.cache
def reference() -> Reference:
    data = _load("outcomes_v1.json")
    rules = _load("compliance_rules_v1.json")
    return Reference(
        version=data["version"],
        outcomes={
            o["code"]: OutcomeCode(
                code=o["code"],
                description=o["description"],
                attended=o["attended"],
                complied=o["complied"],
                enforceable=o["enforceable"],
                category=OutcomeCategory(o["category"]),
            )
            for o in data["outcomes"]
        },
        rescheduling={r["code"]: r["by"] for r in data["rescheduling"]},
        actions={
            a["action"]: EnforcementActionType(
                action=a["action"],
                codes=tuple(a["codes"]),
                description=a["description"],
                response_by_days=a["responseByDays"],
                outstanding_contact_action=a["outstandingContactAction"],
                fits=frozenset(a["fits"]),
            )
            for a in data["enforcementActions"]
        },
        appointment_codes={t["type"]: t["code"] for t in data["appointmentTypes"]},
        rules=ComplianceRules(
            version=rules["version"],
            source=rules["source"],
            window_months=rules["windowMonths"],
            warnings_before_breach=rules["warningsBeforeBreach"],
            evidence_due_days=rules["evidenceDueDays"],
            next_appointments_shown=rules["nextAppointmentsShown"],
            recent_timeline_entries=rules["recentTimelineEntries"],
            max_repeats=rules["maxRepeats"],
            max_cancelled_by_ending=rules["maxCancelledByEnding"],
        ),
    )

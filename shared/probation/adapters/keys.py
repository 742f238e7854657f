"""Key layout of the single table. The case is the partition: one Query reads a whole case.

Outbox events and the access log grow with every change and read, so they live in sibling
partitions of their own (``EVENTS#{crn}``, ``AUDIT#{crn}``): the case partition stays the size of
the case and the overview stays one bounded Query.
"""

from datetime import date, datetime

from probation.adapters.clock import timestamp_key

PROFILE = "PROFILE"
CONVICTION = "CONVICTION#"
SANCTION = "SANCTION#"
CONTACT = "CONTACT#"
REGISTRATION = "REG#"
RISK = "RISK#"
ASSESSMENT = "OASYS#"
# One item per case while a draft is open: creating it is what makes a second draft impossible.
OPEN_DRAFT = "OASYS-DRAFT"
EVENT = "EVT#"
AUDIT = "AUDIT#"


def case_partition(crn: str) -> str:
    return f"CASE#{crn}"


def events_partition(crn: str) -> str:
    return f"EVENTS#{crn}"


def audit_partition(crn: str) -> str:
    return f"AUDIT#{crn}"


def profile_key(crn: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": PROFILE}


def person_lookup_key(last_name: str, date_of_birth: date) -> str:
    """GSI1 partition: surname (case-folded, spaces and hyphens ignored) and date of birth."""
    folded = "".join(ch for ch in last_name.casefold() if ch.isalnum())
    return f"PERSON#{folded}#{date_of_birth.isoformat()}"


def conviction_key(crn: str, number: int) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": f"{CONVICTION}{number:03d}"}


def sanction_sort_key(sanction_date: date, sanction_id: str) -> str:
    return f"{SANCTION}{sanction_date.isoformat()}#{sanction_id}"


def contact_sort_key(contact_date: datetime, contact_id: str) -> str:
    return f"{CONTACT}{timestamp_key(contact_date)}#{contact_id}"


def registration_key(crn: str, registration_id: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": f"{REGISTRATION}{registration_id}"}


def risk_key(crn: str, calculated_at: datetime, score_id: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": f"{RISK}{timestamp_key(calculated_at)}#{score_id}"}


def latest_risk_key(crn: str) -> dict[str, str]:
    """Which score is the case's latest: each new score moves it, conditioned on the one it followed."""
    return {"PK": case_partition(crn), "SK": "RISK-LATEST"}


def assessment_key(crn: str, assessment_id: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": f"{ASSESSMENT}{assessment_id}"}


def open_draft_key(crn: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": OPEN_DRAFT}


ALLOCATION = "ALLOCATION"
TEAMS = "TEAMS"


def allocation_key(crn: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": ALLOCATION}


# Sparse siblings of the allocation, each a copy of it written in the same transaction, present only while
# they apply: the one that puts an active sentence on the "due to end" lists (GSI2 ``ENDING#{staff}``, GSI3
# ``TEAMENDING#{team}``, by ``{date}#{crn}``), and a waiting transfer's place in the receiving team's queue
# (GSI2 ``QUEUE#{team}``). The allocation itself keeps GSI2 (queue or caseload) and GSI3 (partner).


def allocation_ending_key(crn: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": f"{ALLOCATION}#ENDING"}


def allocation_transfer_key(crn: str) -> dict[str, str]:
    return {"PK": case_partition(crn), "SK": f"{ALLOCATION}#TRANSFER"}


def ending(staff_code: str) -> str:
    """GSI2 partition of a practitioner's cases by when their first active sentence is expected to end."""
    return f"ENDING#{staff_code}"


def team_ending(team_code: str) -> str:
    """GSI3 partition of a team's cases by when their first active sentence is expected to end."""
    return f"TEAMENDING#{team_code}"


def team_key(code: str) -> dict[str, str]:
    return {"PK": f"TEAM#{code}", "SK": PROFILE}


def staff_key(code: str) -> dict[str, str]:
    return {"PK": f"STAFF#{code}", "SK": PROFILE}


def team_members(team_code: str) -> str:
    """GSI2 partition of a team's practitioners."""
    return f"TEAM#{team_code}"


def team_queue(team_code: str) -> str:
    """GSI2 partition of a team's unallocated cases."""
    return f"QUEUE#{team_code}"


def caseload(staff_code: str) -> str:
    """GSI2 partition of a practitioner's cases."""
    return f"CASELOAD#{staff_code}"


def partner_partition(partner_id: str) -> str:
    """A partner provider's own partition: its profile and its subscriptions."""
    return f"PARTNER#{partner_id}"


def partner_key(partner_id: str) -> dict[str, str]:
    """A registered partner provider's profile."""
    return {"PK": partner_partition(partner_id), "SK": PROFILE}


def partner_caseload(partner_id: str) -> str:
    """GSI3 partition of the cases allocated to a partner provider."""
    return f"PARTNER#{partner_id}"


def consumed_key(consumer: str, event_id: str) -> dict[str, str]:
    """Marks an event as applied by one consumer, so a redelivery changes nothing."""
    return {"PK": f"CONSUMED#{consumer}#{event_id}", "SK": "CONSUMED"}


def event_key(crn: str, occurred_at: datetime, event_id: str) -> dict[str, str]:
    return {"PK": events_partition(crn), "SK": f"{EVENT}{timestamp_key(occurred_at)}#{event_id}"}


def audit_key(crn: str, at: datetime, audit_id: str) -> dict[str, str]:
    return {"PK": audit_partition(crn), "SK": f"{AUDIT}{timestamp_key(at)}#{audit_id}"}


# ------------------------------------------------------------------ supervision and the case's timeline

SUMMARY = "SUMMARY"
APPOINTMENT = "APPT#"
BREACH = "BREACH#"
ADJUSTMENT = "ADJUST#"


def timeline_partition(crn: str) -> str:
    """The case's timeline: contacts and appointments (which grow with the case's history), the appointment
    records, breaches and unpaid work adjustments. A sibling of the case partition, so the overview's Query
    never reads the history; the case partition's ``SUMMARY`` holds the head of it."""
    return f"TIMELINE#{crn}"


def summary_key(crn: str) -> dict[str, str]:
    """The case's running supervision summary: counts, open appointments, breach, progress, timeline head."""
    return {"PK": case_partition(crn), "SK": SUMMARY}


def timeline_contact_key(crn: str, at: datetime, contact_id: str) -> dict[str, str]:
    return {"PK": timeline_partition(crn), "SK": contact_sort_key(at, contact_id)}


def appointment_key(crn: str, appointment_id: str) -> dict[str, str]:
    return {"PK": timeline_partition(crn), "SK": f"{APPOINTMENT}{appointment_id}"}


def breach_key(crn: str, breach_id: str) -> dict[str, str]:
    return {"PK": timeline_partition(crn), "SK": f"{BREACH}{breach_id}"}


def adjustment_key(crn: str, at: datetime, adjustment_id: str) -> dict[str, str]:
    return {"PK": timeline_partition(crn), "SK": f"{ADJUSTMENT}{timestamp_key(at)}#{adjustment_id}"}


# Work lists: the appointment record carries its place in four overloaded indexes (sparse: only what applies).
# GSI2 and GSI3: the diary of its practitioner and of its team, by start; GSI4 and GSI1: what is due of it
# (an outcome to record, evidence, an enforcement response), by practitioner and by team, by due date.


def diary(staff_code: str) -> str:
    return f"DIARY#{staff_code}"


def team_diary(team_code: str) -> str:
    return f"TEAMDIARY#{team_code}"


def due(staff_code: str) -> str:
    return f"DUE#{staff_code}"


def team_due(team_code: str) -> str:
    return f"TEAMDUE#{team_code}"


# ------------------------------------------------------------------ sentence plans
# A sibling partition of the case, as the timeline is: a plan holds goals and steps, and every earlier version
# is kept, so the case partition (the overview's one Query) never reads them. The plan's head item is its
# current version; each superseded version is a snapshot beside it; ``OPEN`` names the case's open plan
# (created with the plan: at most one open plan per case; a closed plan deletes it).
# The head carries its place in two sparse index keys, each written only while it applies (the plan items use
# no other index): GSI4 ``PLANREVIEW#{staff}`` by ``{reviewDue}#{crn}#{planId}``, the practitioner's review
# work list, while the plan is open with a review date; GSI1 ``PLANREVIEWS`` by the same, until the daily
# check has published its ``sentence-plan.review-due``.

SENTENCE_PLAN = "PLAN#"
SENTENCE_PLAN_VERSION = "PLANV#"
OPEN_SENTENCE_PLAN = "OPEN"
PLAN_REVIEWS_TO_ANNOUNCE = "PLANREVIEWS"


def sentence_plans_partition(crn: str) -> str:
    return f"SPLAN#{crn}"


def sentence_plan_key(crn: str, plan_id: str) -> dict[str, str]:
    return {"PK": sentence_plans_partition(crn), "SK": f"{SENTENCE_PLAN}{plan_id}"}


def sentence_plan_version_key(crn: str, plan_id: str, plan_version: int) -> dict[str, str]:
    return {"PK": sentence_plans_partition(crn), "SK": f"{SENTENCE_PLAN_VERSION}{plan_id}#{plan_version:04d}"}


def open_sentence_plan_key(crn: str) -> dict[str, str]:
    return {"PK": sentence_plans_partition(crn), "SK": OPEN_SENTENCE_PLAN}


def plan_reviews(staff_code: str) -> str:
    """GSI4 partition of a practitioner's plans by review date."""
    return f"PLANREVIEW#{staff_code}"

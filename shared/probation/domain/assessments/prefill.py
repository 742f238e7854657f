"""What a new OASys draft starts with: every answer the system already holds, each with its source.

From the case record: personal details, section 1 (offending history, counted from the recorded
convictions and sanctions exactly as risk scoring counts them) and the facts of section 2 held on
the current conviction. From risk scoring: the latest scores (the computed outputs D3, D5, D6).
From the latest completed assessment: every other answer, carried forward unconfirmed for review.
"""

from collections.abc import Mapping
from datetime import datetime

from probation.assessments.catalogue import AnswerType, Catalogue
from probation.domain.assessments.models import Answer, AnswerSource, AnswerValue, Assessment
from probation.domain.cases.models import CaseOverview
from probation.domain.errors import InvalidInput
from probation.domain.risk_scoring.inputs import current_conviction, derive_inputs
from probation.domain.risk_scoring.records import RiskScoreRecord
from probation.risk import get_offence
from probation.risk.dates import age_in_years

# Outcomes that are out-of-court disposals, not convictions (OASys counts them apart: 1.24, 1.8).
OUT_OF_COURT = ("caution", "reprimand", "warning")
ADULT_AGE = 18


def personal_details(overview: CaseOverview) -> dict[str, Answer]:
    case = overview.case
    reference = f"/cases/{case.crn}"
    details = case.model_dump(
        mode="json",
        by_alias=True,
        include={
            "first_name",
            "middle_names",
            "last_name",
            "date_of_birth",
            "gender",
            "pnc_number",
            "cro_number",
            "phone_number",
            "ethnicity",
            "preferred_language",
        },
    )
    if case.address is not None:
        address = case.address
        lines = [address.address_line1, address.address_line2, address.town, address.postcode]
        details["address"] = ", ".join(line for line in lines if line)
    return {
        name: Answer(
            value=str(value), source=AnswerSource.CASE_RECORD, source_ref=reference, as_of=case.updated_at
        )
        for name, value in details.items()
        if value is not None
    }


def case_record_answers(overview: CaseOverview, at: datetime) -> dict[str, tuple[AnswerValue, str]]:
    """Section 1 and 2 answers the record holds, with the reference each comes from."""
    crn = overview.case.crn
    try:
        derived = derive_inputs(overview, at.date()).request
        current = current_conviction(overview)
    except InvalidInput:
        return {}  # no conviction yet: nothing of sections 1 and 2 is known
    history = f"/cases/{crn}/overview"
    conviction = f"/cases/{crn}/convictions/{current.conviction_number}"
    born = overview.case.date_of_birth
    court_appearances = sorted(
        [c.conviction_date for c in overview.convictions if c is not current]
        + [s.sanction_date for s in overview.sanctions if not _out_of_court(s.outcome)]
    )
    out_of_court = [s.sanction_date for s in overview.sanctions if _out_of_court(s.outcome)]
    first_conviction = min([*court_appearances, current.conviction_date])
    first_sanction = min([*court_appearances, *out_of_court, current.conviction_date])
    main = current.main_offence
    offence = get_offence(main.offence_code)
    category = offence.actuarial_category if offence else ""
    description = (offence.description if offence else "").casefold()
    answers: dict[str, tuple[AnswerValue, str]] = {
        "1.5": (sum(1 for d in court_appearances if age_in_years(born, d) < ADULT_AGE), history),
        "1.6": (sum(1 for d in court_appearances if age_in_years(born, d) >= ADULT_AGE), history),
        "1.7": (age_in_years(born, first_conviction), history),
        "1.7.2": (first_conviction.isoformat(), history),
        "1.8": (age_in_years(born, first_sanction), history),
        "1.8.2": (first_sanction.isoformat(), history),
        "1.24": (len(out_of_court), history),
        "1.29": (current.conviction_date.isoformat(), conviction),
        "1.30": (_yes_no(bool(derived.has_ever_committed_sexual_offence)), history),
        "1.32": (int(derived.total_number_of_sanctions_for_all_offences or 0), history),
        "1.34": (int(derived.total_contact_adult_sexual_sanctions or 0), history),
        "1.35": (int(derived.total_contact_child_sexual_sanctions or 0), history),
        "1.36": (int(derived.total_indecent_image_sanctions or 0), history),
        "1.37": (int(derived.total_non_contact_sexual_offences or 0), history),
        "1.45": (int(derived.total_contact_child_sexual_sanctions or 0), history),
        "1.46": (int(derived.total_indecent_image_sanctions or 0), history),
        "1.40": (int(derived.total_number_of_violent_sanctions or 0), history),
        "2.1": (_offence_details(overview), conviction),
    }
    # What the offence itself establishes about section 2.2. Only a YES is a fact: an offence that is
    # not a weapon offence, say, may still have involved one, so that answer stays with the assessor.
    offence_facts = {
        "2.2_V2_SEXUAL": category.startswith("SEXUAL"),
        "1.41": category.startswith("SEXUAL"),
        "2.2_V2_ARSON": "| arson" in description,
        "2.2_V2_ANYVIOL": any(_violent(o.offence_code) for o in current.offences),
        "2.2_V2_WEAPON": category.startswith(("FIREARMS", "WEAPONS")),
        "2.2_V2_PHYSICALDAM": category == "CRIMINAL_DAMAGE",
    }
    answers.update({code: ("YES", conviction) for code, established in offence_facts.items() if established})
    if derived.date_at_start_of_followup is not None:
        answers["1.38"] = (derived.date_at_start_of_followup.isoformat(), conviction)
    if derived.date_of_most_recent_sexual_offence is not None:
        answers["1.33"] = (derived.date_of_most_recent_sexual_offence.isoformat(), history)
    return answers


def risk_answers(record: RiskScoreRecord) -> dict[str, tuple[AnswerValue, str]]:
    """The latest scores, in the computed outputs OASys shows them in."""
    result = record.result
    reference = f"/cases/{record.crn}/risk#{record.score_id}"
    answers: dict[str, tuple[AnswerValue, str]] = {}
    rsr, indirect, direct = (
        result.get("rsr"),
        result.get("indirectContactSexual"),
        result.get("directContactSexual"),
    )
    if rsr:
        answers["D3"] = (f"{rsr['score']}% {rsr['band']} ({rsr['type']})", reference)
    if indirect:
        answers["D5"] = (f"{indirect['score']}% {indirect['band']}", reference)
    if direct:
        answers["D6"] = (f"{direct['score']}% {direct['band']} ({direct['points']} points)", reference)
    return answers


def prefill(
    catalogue: Catalogue,
    overview: CaseOverview,
    latest_risk: RiskScoreRecord | None,
    previous: Assessment | None,
    at: datetime,
) -> dict[str, Answer]:
    """Every answer the system holds. Facts from the record and risk scoring take precedence over
    answers carried forward, which stay unconfirmed until the assessor reviews them."""
    answers: dict[str, Answer] = {}
    if previous is not None:
        reference = f"/cases/{previous.crn}/assessments/{previous.assessment_id}"
        as_of = previous.completed_at or previous.updated_at
        for code, answer in previous.answers.items():
            if (
                code in catalogue.questions
                and catalogue.questions[code].answer_type is not AnswerType.COMPUTED
            ):
                answers[code] = Answer(
                    value=answer.value,
                    source=AnswerSource.PREVIOUS_ASSESSMENT,
                    source_ref=reference,
                    as_of=as_of,
                )
    answers.update(system_answers(catalogue, overview, latest_risk, at))
    return answers


def system_answers(
    catalogue: Catalogue, overview: CaseOverview, latest_risk: RiskScoreRecord | None, at: datetime
) -> dict[str, Answer]:
    """The answers the system itself knows now: what a draft's unconfirmed facts are refreshed to."""
    sourced: list[tuple[AnswerSource, Mapping[str, tuple[AnswerValue, str]], datetime]] = [
        (AnswerSource.CASE_RECORD, case_record_answers(overview, at), overview.case.updated_at),
    ]
    if latest_risk is not None:
        sourced.append((AnswerSource.RISK, risk_answers(latest_risk), latest_risk.calculated_at))
    answers: dict[str, Answer] = {}
    for source, values, as_of in sourced:
        for code, (value, reference) in values.items():
            question = catalogue.questions.get(code)
            if question is None:
                continue
            stored = value if question.answer_type is AnswerType.COMPUTED else question.parse_answer(value)
            answers[code] = Answer(value=stored, source=source, source_ref=reference, as_of=as_of)
    return answers


def _offence_details(overview: CaseOverview) -> str:
    current = current_conviction(overview)
    offences = "; ".join(
        f"{o.offence_code} {o.description or ''} on {o.offence_date.isoformat()}".strip()
        for o in current.offences
    )
    sentence = current.sentence
    return (
        f"Convicted {current.conviction_date.isoformat()} at {current.court}: {offences}. "
        f"Sentence: {sentence.type} of {sentence.length_months} months"
        f" from {sentence.sentence_date.isoformat()}."
    )


def _out_of_court(outcome: str | None) -> bool:
    return outcome is not None and any(word in outcome.casefold() for word in OUT_OF_COURT)


def _violent(code: str) -> bool:
    offence = get_offence(code)
    return offence is not None and offence.is_violent


def _yes_no(flag: bool) -> str:
    return "YES" if flag else "NO"

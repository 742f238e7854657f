"""The calculator's inputs, derived from what the case record holds, each with where it came from.

Nothing here is typed in again: counts and ages come from the recorded convictions and previous
sanctions and the offence list. Rules, where the record leaves room for a choice:

* The current conviction is the most recent by conviction date (then by number).
* Every recorded conviction and every previous sanction is one sanction occasion, so the total
  counts both, the current conviction included; violence is the offence list's flag.
* Follow-up starts at the sentence date, or for custody at the release date.
* Supervision is CUSTODY while a custodial sentence's release date is still ahead, else COMMUNITY.
* The dynamic inputs are the latest completed OASys assessment's predictor answers; the serious
  previous convictions the dynamic SVRP asks for are read from the offences before the current one.
* The screening tools' answers are that assessment's too, each sourced to its question(s). Their case
  facts are the record's: a custodial current sentence, and MAPPA eligibility as an active MAPPA
  registration (a case not registered counts as not eligible).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from probation.assessments.predictors import PREDICTOR_FIELD_QUESTIONS
from probation.assessments.screening import SCREENING_FIELD_QUESTIONS
from probation.domain.assessments.models import Assessment
from probation.domain.cases.models import CaseOverview, Conviction, RegistrationStatus, SentenceType
from probation.domain.cases.registers import MAPPA_CODE
from probation.domain.errors import FieldError, InvalidInput
from probation.domain.risk_scoring.previous_convictions import previous_conviction_kind
from probation.domain.risk_scoring.records import InputProvenance, InputSource
from probation.domain.risk_scoring.sexual_history import SexualOffenceKind, sexual_offence_kind
from probation.risk import RiskCalculationRequest, get_offence
from probation.risk.dates import age_in_years


@dataclass(frozen=True)
class SanctionOccasion:
    on: date
    offence_code: str
    reference: str


@dataclass(frozen=True)
class DerivedInputs:
    request: RiskCalculationRequest
    provenance: dict[str, InputProvenance]


def current_conviction(overview: CaseOverview) -> Conviction:
    if not overview.convictions:
        raise InvalidInput(
            [FieldError("convictions", "the case has no conviction to score: record one first")]
        )
    return max(overview.convictions, key=lambda c: (c.conviction_date, c.conviction_number))


def derive_inputs(
    overview: CaseOverview, scoring_date: date, assessment: Assessment | None = None
) -> DerivedInputs:
    """The inputs for scoring on ``scoring_date``; the dynamic ones from ``assessment`` when there is one."""
    case = overview.case
    crn = case.crn
    current = current_conviction(overview)
    main = current.main_offence
    occasions = [
        *(
            SanctionOccasion(
                c.conviction_date, c.main_offence.offence_code, f"conviction {c.conviction_number}"
            )
            for c in overview.convictions
        ),
        *(
            SanctionOccasion(s.sanction_date, s.offence_code, f"sanction {s.sanction_id}")
            for s in overview.sanctions
        ),
    ]
    first = min(occasions, key=lambda o: o.on)
    offences = {o.offence_code: get_offence(o.offence_code) for o in occasions}
    violent = [
        o for o in occasions if (offence := offences[o.offence_code]) is not None and offence.is_violent
    ]
    sexual = [
        (o, kind)
        for o in occasions
        if (offence := offences[o.offence_code]) is not None
        and (kind := sexual_offence_kind(offence)) is not None
    ]
    kinds = Counter(kind for _, kind in sexual)
    custodial = current.sentence.type is SentenceType.CUSTODY
    followup = current.sentence.release_date if custodial else current.sentence.sentence_date
    in_custody = custodial and followup is not None and followup > scoring_date
    conviction_ref = f"/cases/{crn}/convictions/{current.conviction_number}"
    offence_dates = [offence.offence_date for offence in current.offences] + [
        s.sanction_date for s in overview.sanctions
    ]

    values: dict[str, Any] = {
        "gender": case.gender.value,
        "dateOfBirth": case.date_of_birth,
        "assessmentDate": scoring_date,
        "dateOfCurrentConviction": current.conviction_date,
        "currentOffenceCode": main.offence_code,
        "dateAtStartOfFollowup": followup,
        "totalNumberOfSanctionsForAllOffences": len(occasions),
        "ageAtFirstSanction": age_in_years(case.date_of_birth, first.on),
        "totalNumberOfViolentSanctions": len(violent),
        "supervisionStatus": "CUSTODY" if in_custody else "COMMUNITY",
        "hasEverCommittedSexualOffence": bool(sexual),
        "totalContactAdultSexualSanctions": kinds[SexualOffenceKind.CONTACT_ADULT],
        "totalContactChildSexualSanctions": kinds[SexualOffenceKind.CONTACT_CHILD],
        "totalNonContactSexualOffences": kinds[SexualOffenceKind.NON_CONTACT],
        "totalIndecentImageSanctions": kinds[SexualOffenceKind.INDECENT_IMAGES],
        "mostRecentOffenceDate": max(offence_dates),
        "hasCustodialSentence": custodial,
        "isEligibleForMappa": any(
            r.type == MAPPA_CODE and r.status is RegistrationStatus.ACTIVE for r in overview.registrations
        ),
    }
    if sexual:
        values["dateOfMostRecentSexualOffence"] = max(o.on for o, _ in sexual)

    person = _from_record(f"/cases/{crn}")
    history = _from_record(f"/cases/{crn}/overview", f"{len(occasions)} sanction occasions")
    provenance: dict[str, InputProvenance] = {
        "gender": person,
        "dateOfBirth": person,
        "assessmentDate": InputProvenance(source=InputSource.SCORING_DATE, source_ref="scoring date"),
        "dateOfCurrentConviction": _from_record(conviction_ref),
        "currentOffenceCode": _from_record(conviction_ref, "main offence"),
        "dateAtStartOfFollowup": _from_record(
            conviction_ref, "release date" if custodial else "sentence date"
        ),
        "supervisionStatus": _from_record(conviction_ref, "sentence type and release date"),
        "hasCustodialSentence": _from_record(conviction_ref, "sentence type"),
        "isEligibleForMappa": _from_record(f"/cases/{crn}/registrations", "an active MAPPA registration"),
        "totalNumberOfSanctionsForAllOffences": history,
        "ageAtFirstSanction": _from_record(f"/cases/{crn}/overview", f"first sanction: {first.reference}"),
        "totalNumberOfViolentSanctions": _from_record(f"/cases/{crn}/overview", "offences flagged violent"),
        "mostRecentOffenceDate": _from_record(f"/cases/{crn}/overview", "latest offence date"),
        **{
            name: _from_record(
                f"/cases/{crn}/overview", "sexual offences by kind, from the offence descriptions"
            )
            for name in (
                "hasEverCommittedSexualOffence",
                "totalContactAdultSexualSanctions",
                "totalContactChildSexualSanctions",
                "totalNonContactSexualOffences",
                "totalIndecentImageSanctions",
                "dateOfMostRecentSexualOffence",
            )
            if name in values
        },
    }
    if assessment is not None:
        reference = f"/cases/{crn}/assessments/{assessment.assessment_id}"
        for answers, questions in (
            (assessment.predictor_answers, PREDICTOR_FIELD_QUESTIONS),
            (assessment.screening_answers, SCREENING_FIELD_QUESTIONS),
        ):
            for name, value in (answers or {}).items():
                values[name] = value
                codes = questions[name]
                provenance[name] = InputProvenance(
                    source=InputSource.ASSESSMENT,
                    source_ref=reference,
                    detail=f"{'questions' if len(codes) > 1 else 'question'} {', '.join(codes)}",
                )
    if assessment is not None and assessment.predictor_answers:
        earlier = [o for o in occasions if o.reference != f"conviction {current.conviction_number}"]
        serious = {
            serious_kind
            for o in earlier
            if (offence := offences[o.offence_code]) is not None
            and (serious_kind := previous_conviction_kind(offence))
        }
        values["previousConvictions"] = sorted(serious)
        provenance["previousConvictions"] = _from_record(
            f"/cases/{crn}/overview", "serious offences before the current one"
        )
    return DerivedInputs(RiskCalculationRequest.model_validate(values), provenance)


def _from_record(reference: str, detail: str | None = None) -> InputProvenance:
    return InputProvenance(source=InputSource.CASE_RECORD, source_ref=reference, detail=detail)

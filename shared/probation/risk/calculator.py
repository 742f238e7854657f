"""Scores one case with every predictor: pure, and never raises for a request that parsed."""

import functools
from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from probation.risk.coefficients import RiskModel, available_versions, latest_version, load_model
from probation.risk.combined import COMBINED_SERIOUS_REQUIRED, combined_serious, component_violations
from probation.risk.enums import PniContext
from probation.risk.errors import ErrorCode, Violation, field_errors
from probation.risk.ogrs3 import OGRS3_REQUIRED, ogrs3
from probation.risk.reoffending import (
    ALL_REOFFENDING,
    CRIMINAL_HISTORY_FIELDS,
    DYNAMIC_INPUT_FIELDS,
    SERIOUS_VIOLENT_REOFFENDING,
    VIOLENT_REOFFENDING,
    check_criminal_history,
    dynamic_inputs,
    score_reoffending,
)
from probation.risk.request import RiskCalculationRequest, field_reader, field_values
from probation.risk.result import RiskCalculationResult
from probation.risk.screening.lds import learning_disability_screening
from probation.risk.screening.mst import maturity_screening
from probation.risk.screening.opd import personality_disorder_screening
from probation.risk.screening.pni import NO_CONTEXT, programme_needs
from probation.risk.sexual import (
    DIRECT_CONTACT_REQUIRED,
    INDIRECT_CONTACT_REQUIRED,
    direct_contact,
    indirect_contact,
    sexual_history_checks,
)

# What each list of violations in calculate() stopped, as named in the error messages.
_STOPPED_LABELS = (
    ALL_REOFFENDING.name,
    f"{ALL_REOFFENDING.name}.dynamic",
    VIOLENT_REOFFENDING.name,
    f"{VIOLENT_REOFFENDING.name}.dynamic",
    SERIOUS_VIOLENT_REOFFENDING.name,
    f"{SERIOUS_VIOLENT_REOFFENDING.name}.dynamic",
    "directContactSexual",
    "indirectContactSexual",
    "rsr",
    f"rsr [{ErrorCode.COMPONENT_VALIDATION_ERROR}]",
    "ogrs3",
)


# Members read once, as the hot path compares with them (see probation.risk.enums).
_LIVE = PniContext.LIVE


def calculate(request: RiskCalculationRequest, *, today: date | None = None) -> RiskCalculationResult:
    """Every predictor's score for ``request``; those that cannot be scored are ``None``, with the
    reasons in ``errors``. And every screening tool's result, with its own reasons. ``today`` is the
    assessment date when the request gives none."""
    request = field_values(request)
    assessment_date = request.assessment_date or today or date.today()
    version = request.version
    if version is not None and version not in available_versions():
        return _unknown_version(version, request, assessment_date)
    prepared = _prepare(version)
    model = prepared.model
    checks = check_criminal_history(request, assessment_date)
    inputs = dynamic_inputs(request)
    # Usually every field some predictor requires is given, as the checks and inputs (and the reads here)
    # tell: reading them all again to find any missing would cost ~9k instructions.
    absent = (
        _NOTHING_ABSENT
        if checks.every_input_given
        and inputs.every_answer_given
        and request.supervision_status is not None
        and request.has_ever_committed_sexual_offence is not None
        and prepared.told_given_as_read
        else _absent(prepared, request)
    )
    all_reoffending, all_static_violations, all_dynamic_violations = score_reoffending(
        ALL_REOFFENDING, model.all_reoffending, request, absent, checks, inputs
    )
    violent, violent_static_violations, violent_dynamic_violations = score_reoffending(
        VIOLENT_REOFFENDING, model.violent_reoffending, request, absent, checks, inputs
    )
    serious_violent = score_reoffending(
        SERIOUS_VIOLENT_REOFFENDING, model.serious_violent_reoffending, request, absent, checks, inputs
    )
    serious_violent_scores, serious_violent_static_violations, serious_violent_dynamic_violations = (
        serious_violent
    )
    history_checks = sexual_history_checks(request)
    direct, direct_violations = direct_contact(
        model.direct_contact_sexual, request, assessment_date, absent, history_checks, checks.followup_age
    )
    indirect, indirect_violations = indirect_contact(
        model.indirect_contact_sexual, request, absent, history_checks
    )
    components = component_violations(serious_violent, direct_violations, indirect_violations)
    rsr, rsr_violations = combined_serious(
        model.combined_serious, request, absent, serious_violent, direct, indirect, bool(components)
    )
    if rsr_violations:
        # What stops the CSRP itself need not be reported again as a component's failure.
        components = [violation for violation in components if violation not in rsr_violations]
    legacy, legacy_violations = ogrs3(model.ogrs3, request, absent, checks)
    # The headline scores (result.PredictorScores).
    arp_headline = all_reoffending["dynamic"] or all_reoffending["static"]
    vrp_headline = violent["dynamic"] or violent["static"]
    arp = arp_headline["score"] if arp_headline is not None else None
    vrp = vrp_headline["score"] if vrp_headline is not None else None
    # The Ministry's live service runs PNI before the sexual predictors and RSR, so it never sees them.
    # PredictorContext's values, as a plain tuple (see programme_needs).
    context = (
        (arp, vrp, None, None, None)
        if request.pni_context is _LIVE
        else (
            arp,
            vrp,
            direct["band"] if direct is not None else None,
            indirect["band"] if indirect is not None else None,
            rsr["score"] if rsr is not None else None,
        )
    )

    stopped = (
        all_static_violations,
        all_dynamic_violations,
        violent_static_violations,
        violent_dynamic_violations,
        serious_violent_static_violations,
        serious_violent_dynamic_violations,
        direct_violations,
        indirect_violations,
        rsr_violations,
        components,
        legacy_violations,
    )
    return RiskCalculationResult.of_blocks(
        {
            "model_version": model.version,
            "all_reoffending": all_reoffending,
            "violent_reoffending": violent,
            "serious_violent_reoffending": serious_violent_scores,
            "direct_contact_sexual": direct,
            "indirect_contact_sexual": indirect,
            "rsr": rsr,
            "ogrs3": legacy,
            "mst": maturity_screening(request, assessment_date),
            "lds": learning_disability_screening(request),
            "opd": personality_disorder_screening(request),
            "pni": programme_needs(request, context),
            "errors": field_errors(zip(_STOPPED_LABELS, stopped, strict=True)) if any(stopped) else [],
        }
    )


_NOTHING_ABSENT: frozenset[str] = frozenset()
# The fields calculate() knows were given without reading them again (see _Prepared.told_given_as_read).
_TOLD_GIVEN_AS_READ = frozenset(
    (*CRIMINAL_HISTORY_FIELDS, *DYNAMIC_INPUT_FIELDS, "supervisionStatus", "hasEverCommittedSexualOffence")
)


class _Prepared(NamedTuple):
    model: RiskModel
    required_fields: tuple[str, ...]
    """Every field some predictor requires."""
    required_values: Callable[[RiskCalculationRequest], tuple[object, ...]]
    """Reads the values of ``required_fields``, all at once."""
    told_given_as_read: bool
    """Whether every field of ``required_fields`` is one that ``check_criminal_history``,
    ``dynamic_inputs`` or ``calculate`` itself tells was given as it reads it; else ``calculate`` reads them
    all to find any missing."""


def _absent(prepared: _Prepared, request: RiskCalculationRequest) -> frozenset[str]:
    """The fields some predictor requires that ``request`` does not give."""
    values = prepared.required_values(request)
    return frozenset(
        field for field, value in zip(prepared.required_fields, values, strict=True) if value is None
    )


@functools.cache
def _prepare(version: str | None) -> _Prepared:
    """What scoring with one of ``available_versions()`` needs beyond the request; with the latest when
    ``version`` is ``None``."""
    model = load_model(version or latest_version())
    required = [
        *(
            field
            for predictor in (
                model.all_reoffending,
                model.violent_reoffending,
                model.serious_violent_reoffending,
            )
            for field in (*predictor.required_static, *predictor.required_dynamic)
        ),
        *DIRECT_CONTACT_REQUIRED,
        *INDIRECT_CONTACT_REQUIRED,
        *COMBINED_SERIOUS_REQUIRED,
        *OGRS3_REQUIRED,
    ]
    # The assessment date is never missing: it defaults to today.
    fields = tuple(field for field in dict.fromkeys(required) if field != "assessmentDate")
    try:
        required_values = field_reader(*fields)
    except ValueError as error:
        raise ValueError(
            f"model {model.version} requires fields the request does not have: {error}"
        ) from None
    return _Prepared(model, fields, required_values, _TOLD_GIVEN_AS_READ.issuperset(fields))


def _unknown_version(
    version: str, request: RiskCalculationRequest, assessment_date: date
) -> RiskCalculationResult:
    """No predictor scores; the screening tools, which have no model version, still answer."""
    unscored = {"static": None, "dynamic": None}
    reason = Violation(("version",), f"version must be one of {', '.join(available_versions())}.", None)
    return RiskCalculationResult.of_blocks(
        {
            "model_version": version,
            "all_reoffending": unscored,
            "violent_reoffending": unscored,
            "serious_violent_reoffending": unscored,
            "direct_contact_sexual": None,
            "indirect_contact_sexual": None,
            "rsr": None,
            "ogrs3": None,
            "mst": maturity_screening(request, assessment_date),
            "lds": learning_disability_screening(request),
            "opd": personality_disorder_screening(request),
            "pni": programme_needs(request, NO_CONTEXT),
            "errors": field_errors([("every predictor", [reason])]),
        }
    )

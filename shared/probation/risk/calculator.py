"""Scores one case with every predictor: pure, and never raises for a request that parsed."""

from datetime import date

from probation.risk.coefficients import available_versions, latest_version, load_model
from probation.risk.combined import combined_serious, component_violations
from probation.risk.errors import ErrorCode, Violation, field_errors
from probation.risk.ogrs3 import ogrs3
from probation.risk.reoffending import (
    ALL_REOFFENDING,
    SERIOUS_VIOLENT_REOFFENDING,
    VIOLENT_REOFFENDING,
    ReoffendingOutcome,
    check_criminal_history,
    dynamic_inputs,
    score_reoffending,
)
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import PredictorScores, RiskCalculationResult
from probation.risk.sexual import direct_contact, indirect_contact, sexual_history_checks

_ATTRIBUTE_ALIASES = tuple(
    (attribute, field.alias or attribute) for attribute, field in RiskCalculationRequest.model_fields.items()
)
_COMBINED_SERIOUS_COMPONENT_FAILED = f"rsr [{ErrorCode.COMPONENT_VALIDATION_ERROR}]"


def calculate(request: RiskCalculationRequest, *, today: date | None = None) -> RiskCalculationResult:
    """Every predictor's score for ``request``; those that cannot be scored are ``None``, with the
    reasons in ``errors``. ``today`` is the assessment date when the request gives none."""
    version = request.version or latest_version()
    if version not in available_versions():
        return _unknown_version(version)
    model = load_model(version)
    assessment_date = request.assessment_date or today or date.today()
    absent = frozenset(
        alias for attribute, alias in _ATTRIBUTE_ALIASES if getattr(request, attribute) is None
    )

    checks = check_criminal_history(request, assessment_date)
    inputs = dynamic_inputs(request)
    all_reoffending = score_reoffending(
        ALL_REOFFENDING, model.all_reoffending, request, absent, checks, inputs
    )
    violent = score_reoffending(
        VIOLENT_REOFFENDING, model.violent_reoffending, request, absent, checks, inputs
    )
    serious_violent = score_reoffending(
        SERIOUS_VIOLENT_REOFFENDING, model.serious_violent_reoffending, request, absent, checks, inputs
    )

    history_checks = sexual_history_checks(request)
    direct, direct_violations = direct_contact(
        model.direct_contact_sexual, request, assessment_date, absent, history_checks
    )
    indirect, indirect_violations = indirect_contact(
        model.indirect_contact_sexual, request, absent, history_checks
    )
    components = component_violations(serious_violent, direct_violations, indirect_violations)
    rsr, rsr_violations = combined_serious(
        model.combined_serious, request, absent, serious_violent, direct, indirect, bool(components)
    )
    legacy, legacy_violations = ogrs3(model.ogrs3, request, absent)

    errors = field_errors(
        [
            *_reoffending_violations(ALL_REOFFENDING.name, all_reoffending),
            *_reoffending_violations(VIOLENT_REOFFENDING.name, violent),
            *_reoffending_violations(SERIOUS_VIOLENT_REOFFENDING.name, serious_violent),
            ("directContactSexual", direct_violations),
            ("indirectContactSexual", indirect_violations),
            ("rsr", rsr_violations),
            (_COMBINED_SERIOUS_COMPONENT_FAILED, components),
            ("ogrs3", legacy_violations),
        ]
    )
    return RiskCalculationResult(
        model_version=version,
        all_reoffending=all_reoffending.scores,
        violent_reoffending=violent.scores,
        serious_violent_reoffending=serious_violent.scores,
        direct_contact_sexual=direct,
        indirect_contact_sexual=indirect,
        rsr=rsr,
        ogrs3=legacy,
        errors=errors,
    )


def _reoffending_violations(name: str, outcome: ReoffendingOutcome) -> list[tuple[str, list[Violation]]]:
    return [(name, outcome.static_violations), (f"{name}.dynamic", outcome.dynamic_violations)]


def _unknown_version(version: str) -> RiskCalculationResult:
    known = ", ".join(available_versions())
    unscored = PredictorScores(static=None, dynamic=None)
    return RiskCalculationResult(
        model_version=version,
        all_reoffending=unscored,
        violent_reoffending=unscored,
        serious_violent_reoffending=unscored,
        direct_contact_sexual=None,
        indirect_contact_sexual=None,
        rsr=None,
        ogrs3=None,
        errors=field_errors(
            [("all predictors", [Violation(("version",), f"version must be one of {known}.", None)])]
        ),
    )

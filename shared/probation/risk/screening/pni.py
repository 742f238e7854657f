"""PNI, the Programme Needs Identifier: the intensity of accredited programme a person needs, from four
need domains and the risk the predictors give (SCREENING.md §5).

Answers are read as plain attributes: off the calculator's view of the request each read costs ~100
instructions, where a ``field_reader`` costs ~800 plus ~230 a field.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import product
from typing import NamedTuple

from probation.risk.enums import (
    PROBLEM_LEVEL_SCORE,
    NeedLevel,
    PniPathway,
    ProblemLevel,
    RiskBand,
    SupervisionStatus,
)
from probation.risk.request import RiskCalculationRequest
from probation.risk.result import ProgrammeNeeds, ScreeningError
from probation.risk.screening.common import missing_inputs, unexpected_error
from probation.risk.screening.rules import ProgrammeNeedsRules, screening_rules

_HIGH_BANDS = frozenset({RiskBand.HIGH, RiskBand.VERY_HIGH})
_RAISED_BANDS = frozenset({RiskBand.MEDIUM, RiskBand.HIGH})
_NO_SEXUAL_BAND = frozenset({None, RiskBand.NOT_APPLICABLE})
# Members read once, as the hot path compares with them (see probation.risk.enums).
_COMMUNITY = SupervisionStatus.COMMUNITY
_CUSTODY = SupervisionStatus.CUSTODY
_NEED_HIGH = NeedLevel.HIGH
_NEED_LOW = NeedLevel.LOW
_NEED_MEDIUM = NeedLevel.MEDIUM
_PATHWAY_ALTERNATIVE = PniPathway.ALTERNATIVE
_PATHWAY_HIGH = PniPathway.HIGH
_PATHWAY_MODERATE = PniPathway.MODERATE
_PATHWAY_OMISSION = PniPathway.OMISSION
_RISK_HIGH = RiskBand.HIGH
_RISK_LOW = RiskBand.LOW
_RISK_MEDIUM = RiskBand.MEDIUM
_RISK_VERY_HIGH = RiskBand.VERY_HIGH


class PredictorContext(NamedTuple):
    """The other predictors' results PNI takes into account (SCREENING.md §5.2); ``None`` where a predictor
    gave none."""

    all_reoffending: float | None
    """ARP's score, dynamic or else static."""
    violent_reoffending: float | None
    """VRP's score, likewise."""
    direct_contact_band: RiskBand | None
    indirect_contact_band: RiskBand | None
    combined_serious: float | None
    """The RSR score."""


NO_CONTEXT = PredictorContext(None, None, None, None, None)


@dataclass(frozen=True, slots=True)
class Domain:
    name: str
    """Its key in the rules' domain bandings."""
    fields: tuple[str, ...]
    decisive_answer: int | None = None
    """The position of the answer that, with significant problems, gives the domain its top score."""
    sexual: bool = False
    """Unscored when answers are missing unless those given already sum to the rules'
    ``sex_domain_known_from_sum``."""


SEX = Domain(
    "sex",
    ("sexualPreoccupation", "offenceRelatedSexualInterests", "emotionalCongruenceWithChildren"),
    decisive_answer=1,
    sexual=True,
)
THINKING = Domain(
    "thinking",
    ("proCriminalAttitudes", "hostileOrientation"),
    decisive_answer=0,
)
RELATIONSHIP = Domain(
    "relationship",
    (
        "currentRelationshipWithFamilyMembers",
        "previousCloseRelationships",
        "easilyInfluencedByCriminalAssociates",
        "controllingOrAggressiveBehaviour",
    ),
)
SELF_MANAGEMENT = Domain(
    "self_management",
    ("impulsivityProblems", "temperControl", "problemSolvingSkills", "difficultiesCoping"),
)
DOMAINS = (SEX, THINKING, RELATIONSHIP, SELF_MANAGEMENT)
"""In the order their missing answers are reported; the sex domain first."""
_Sara = tuple[RiskBand | None, RiskBand | None]
# A ``PredictorContext``'s values as a plain tuple, which calculate passes programme_needs and the private
# predicates unpack in a few instructions: building the named tuple costs ~3k instructions, and unpacking
# it goes through an iterator (~600 each time).
_Context = tuple[float | None, float | None, RiskBand | None, RiskBand | None, float | None]


@dataclass(frozen=True, slots=True)
class DomainScore:
    """Read off slots (~40 instructions a field, where a named tuple's descriptors cost ~180)."""

    score: int
    projected: int
    """The score were every missing answer significant problems."""
    missing: tuple[str, ...]
    """The domain's unanswered fields: reported even when the domain is not scored."""


def _scored(domain: Domain, answers: tuple[ProblemLevel | None, ...]) -> DomainScore:
    """The domain's score for ``answers``, were the domain scored at all."""
    rules = screening_rules().programme_needs
    score_of_sum = rules.domain_score_of_sum[domain.name]
    missing = tuple(field for field, answer in zip(domain.fields, answers, strict=True) if answer is None)
    if (
        domain.decisive_answer is not None
        and answers[domain.decisive_answer] is ProblemLevel.SIGNIFICANT_PROBLEMS
    ):
        return DomainScore(score_of_sum[-1], score_of_sum[-1], missing)
    given = sum(map(PROBLEM_LEVEL_SCORE.__getitem__, answers))
    projected = score_of_sum[given + 2 * len(missing)]
    if missing and domain.sexual and given < rules.sex_domain_known_from_sum:
        return DomainScore(0, projected, missing)
    return DomainScore(score_of_sum[given], projected, missing)


_DomainTable = Mapping[tuple[ProblemLevel | None, ...], DomainScore]


@functools.cache
def _domain_tables() -> tuple[_DomainTable, _DomainTable, _DomainTable, _DomainTable, _DomainTable]:
    """Each domain's score for every combination of its answers (a few hundred in all), worked out once:
    scoring a case is then a lookup per domain. ``DOMAINS``' tables, preceded by the sex domain's when it
    is not scored (for no sexual offending history nor risk of sexual harm), which still reports its
    missing answers: looked up rather than built per case (a named tuple costs ~2,000 instructions)."""
    answers = (None, *ProblemLevel)
    sex, thinking, relationship, self_management = (
        {
            combination: _scored(domain, combination)
            for combination in product(answers, repeat=len(domain.fields))
        }
        for domain in DOMAINS
    )
    unscored_sex = {combination: DomainScore(0, 0, score.missing) for combination, score in sex.items()}
    return unscored_sex, sex, thinking, relationship, self_management


def domain_scores(request: RiskCalculationRequest) -> list[DomainScore]:
    """The scores of ``DOMAINS``, in that order."""
    unscored_sex, sex, thinking, relationship, self_management = _domain_tables()
    if not (request.has_ever_committed_sexual_offence or request.is_a_risk_of_sexual_harm):
        sex = unscored_sex
    # Each domain's answers in the order of its ``fields``.
    return [
        sex[
            request.sexual_preoccupation,
            request.offence_related_sexual_interests,
            request.emotional_congruence_with_children,
        ],
        thinking[request.pro_criminal_attitudes, request.hostile_orientation],
        relationship[
            request.current_relationship_with_family_members,
            request.previous_close_relationships,
            request.easily_influenced_by_criminal_associates,
            request.controlling_or_aggressive_behaviour,
        ],
        self_management[
            request.impulsivity_problems,
            request.temper_control,
            request.problem_solving_skills,
            request.difficulties_coping,
        ],
    ]


def domain_score(domain: Domain, request: RiskCalculationRequest) -> DomainScore:
    return domain_scores(request)[DOMAINS.index(domain)]


# Each public predicate below reads what it needs of the request; programme_needs, which has read it once,
# calls the private one it wraps with what it read, and the rules it fetched once (each fetch of the rules
# costs ~500 instructions). The private ones compare scores with their thresholds inline and the SARA risks
# by identity, one by one: a ScoreThresholds method call costs ~500, ``x in tuple`` ~150 an element.


def _sara(request: RiskCalculationRequest) -> _Sara:
    return request.sara_risk_to_partner, request.sara_risk_to_others


def overall_need(request: RiskCalculationRequest, domains: Sequence[DomainScore]) -> NeedLevel | None:
    """The need level of the domains' scores (SCREENING.md §5.4); ``None`` when missing answers leave it
    undecided."""
    return _overall_need(
        screening_rules().programme_needs, domains, request.supervision_status is _COMMUNITY, _sara(request)
    )


def _overall_need(
    rules: ProgrammeNeedsRules, domains: Sequence[DomainScore], community: bool, sara: _Sara
) -> NeedLevel | None:
    need_of_total = rules.need_of_total
    # Read by name (~180 instructions each): unpacking a named tuple goes through an iterator (~600).
    sex, thinking, relationship, self_management = domains
    # Added one by one: sum(map(...)) over the four costs ~2,000 instructions, this a fifth of it.
    need = need_of_total[sex.score + thinking.score + relationship.score + self_management.score]
    if need is _NEED_HIGH or (need is _NEED_MEDIUM and community):
        return need
    if sex.missing or thinking.missing or relationship.missing or self_management.missing:
        projected_total = (
            sex.projected + thinking.projected + relationship.projected + self_management.projected
        )
        if need is need_of_total[projected_total]:
            return need
        every_domain_missing = (
            sex.missing and thinking.missing and relationship.missing and self_management.missing
        )
        if not community and every_domain_missing:
            return None
        partner, others = sara
        sara_raised = partner in _RAISED_BANDS or others in _RAISED_BANDS
        if need is not _NEED_LOW and not sara_raised:
            return None
        if sara_raised and partner is not None and others is not None:
            return _NEED_MEDIUM if community else _NEED_HIGH
    return need


def is_high_risk(request: RiskCalculationRequest, context: PredictorContext) -> bool:
    return _is_high_risk(screening_rules().programme_needs, context, _sara(request))


def _is_high_risk(rules: ProgrammeNeedsRules, context: _Context, sara: _Sara) -> bool:
    all_reoffending, violent_reoffending, direct_band, indirect_band, combined_serious = context
    partner, others = sara
    return (
        (all_reoffending is not None and all_reoffending >= rules.all_reoffending.high_from)
        or (violent_reoffending is not None and violent_reoffending >= rules.violent_reoffending.high_from)
        or direct_band in _HIGH_BANDS
        or indirect_band in _HIGH_BANDS
        or (
            direct_band in _NO_SEXUAL_BAND
            and indirect_band in _NO_SEXUAL_BAND
            and combined_serious is not None
            # The Ministry truncates the RSR score toward zero before comparing it.
            and int(combined_serious) >= rules.combined_serious.high_from
        )
        or partner is _RISK_HIGH
        or others is _RISK_HIGH
    )


def is_medium_risk(request: RiskCalculationRequest, context: PredictorContext) -> bool:
    return _is_medium_risk(screening_rules().programme_needs, context, _sara(request))


def _is_medium_risk(rules: ProgrammeNeedsRules, context: _Context, sara: _Sara) -> bool:
    all_reoffending, violent_reoffending, direct_band, indirect_band, combined_serious = context
    partner, others = sara
    medium_all, medium_violent, medium_combined = (
        rules.all_reoffending,
        rules.violent_reoffending,
        rules.combined_serious,
    )
    return (
        (
            all_reoffending is not None
            and medium_all.medium_lowest <= all_reoffending <= medium_all.medium_highest
        )
        or (
            violent_reoffending is not None
            and medium_violent.medium_lowest <= violent_reoffending <= medium_violent.medium_highest
        )
        or direct_band is _RISK_MEDIUM
        or indirect_band is _RISK_MEDIUM
        or partner is _RISK_MEDIUM
        or others is _RISK_MEDIUM
        or (
            direct_band in _NO_SEXUAL_BAND
            and indirect_band in _NO_SEXUAL_BAND
            and combined_serious is not None
            # Truncated toward zero, as for the high risk.
            and medium_combined.medium_lowest <= int(combined_serious) <= medium_combined.medium_highest
        )
    )


def risk_level(request: RiskCalculationRequest, context: PredictorContext) -> RiskBand:
    return _risk_level(screening_rules().programme_needs, context, _sara(request))


def _risk_level(rules: ProgrammeNeedsRules, context: _Context, sara: _Sara) -> RiskBand:
    if _is_high_risk(rules, context, sara):
        return _RISK_HIGH
    return _RISK_MEDIUM if _is_medium_risk(rules, context, sara) else _RISK_LOW


def projected_risk_level(request: RiskCalculationRequest, context: PredictorContext) -> RiskBand:
    """The risk were each missing sexual predictor at its highest: high, unless none is missing."""
    return _projected_risk_level(screening_rules().programme_needs, context, _sara(request))


def _projected_risk_level(rules: ProgrammeNeedsRules, context: _Context, sara: _Sara) -> RiskBand:
    all_reoffending, violent_reoffending, direct, indirect, combined = context
    worst = (
        all_reoffending,
        violent_reoffending,
        _RISK_VERY_HIGH if direct is None else direct,
        _RISK_VERY_HIGH if indirect is None else indirect,
        rules.projected_combined_serious if combined is None else combined,
    )
    if _is_high_risk(rules, worst, sara):
        return _RISK_HIGH
    return _RISK_MEDIUM if _is_medium_risk(rules, context, sara) else _RISK_LOW


def is_high_intensity(
    request: RiskCalculationRequest, context: PredictorContext, need: NeedLevel, risk: RiskBand
) -> bool:
    """Only in custody: remand does not qualify."""
    return _is_high_intensity(
        screening_rules().programme_needs, request.supervision_status, context, _sara(request), need, risk
    )


def _is_high_intensity(
    rules: ProgrammeNeedsRules,
    status: SupervisionStatus | None,
    context: _Context,
    sara: _Sara,
    need: NeedLevel,
    risk: RiskBand,
) -> bool:
    if status is not _CUSTODY:
        return False
    all_reoffending, violent_reoffending, _, _, _ = context
    partner, others = sara
    return (
        all_reoffending is not None
        and all_reoffending >= rules.all_reoffending.high_from
        and (
            (violent_reoffending is not None and violent_reoffending >= rules.violent_reoffending.high_from)
            or partner is _RISK_HIGH
            or others is _RISK_HIGH
        )
    ) or (need is _NEED_HIGH and risk is _RISK_HIGH)


def is_moderate_intensity(
    request: RiskCalculationRequest, context: PredictorContext, need: NeedLevel, risk: RiskBand
) -> bool:
    return _is_moderate_intensity(
        screening_rules().programme_needs,
        request.supervision_status is _COMMUNITY,
        context,
        _sara(request),
        need,
        risk,
    )


def _is_moderate_intensity(
    rules: ProgrammeNeedsRules,
    community: bool,
    context: _Context,
    sara: _Sara,
    need: NeedLevel,
    risk: RiskBand,
) -> bool:
    all_reoffending, violent_reoffending, _, _, _ = context
    partner, others = sara
    return (
        (
            community
            and all_reoffending is not None
            and all_reoffending >= rules.all_reoffending.high_from
            and violent_reoffending is not None
            and violent_reoffending >= rules.violent_reoffending.high_from
        )
        or (community and need is _NEED_HIGH and risk is _RISK_HIGH)
        or partner in _RAISED_BANDS
        or others in _RAISED_BANDS
        or (need is _NEED_MEDIUM and risk in _RAISED_BANDS)
        or (need is _NEED_HIGH and risk is _RISK_MEDIUM)
    )


def _failed(errors: list[ScreeningError]) -> ProgrammeNeeds:
    return {"pniPathway": _PATHWAY_OMISSION, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    """Only the supervision status is required: missing answers are weighed, not refused."""
    return [missing_inputs(("supervisionStatus",))] if request.supervision_status is None else []


def programme_needs(request: RiskCalculationRequest, context: _Context) -> ProgrammeNeeds:
    """``context`` is a ``PredictorContext``, or its five values as a plain tuple."""
    try:
        status = request.supervision_status
        if status is None:
            return _failed(validation_errors(request))
        domains = domain_scores(request)
        sex, thinking, relationship, self_management = domains
        missing: list[str] = []
        errors: list[ScreeningError] = []
        # Tested one by one: any(map(...)) over the four costs ~2,000 instructions, this a fifth of it.
        if sex.missing or thinking.missing or relationship.missing or self_management.missing:
            missing = [field for domain in domains for field in domain.missing]
            errors = [missing_inputs(missing)]
        community = status is _COMMUNITY
        sara = _sara(request)
        rules = screening_rules().programme_needs
        need = _overall_need(rules, domains, community, sara)
        if need is None:
            return _failed(errors)
        risk = _risk_level(rules, context, sara)
        if _is_high_intensity(rules, status, context, sara, need, risk):
            pathway = _PATHWAY_HIGH
        elif _is_moderate_intensity(rules, community, context, sara, need, risk):
            pathway = _PATHWAY_MODERATE
        else:
            pathway = _PATHWAY_ALTERNATIVE
        if missing and (
            (None in sara and pathway is _PATHWAY_ALTERNATIVE)
            or _projected_risk_level(rules, context, sara) is not risk
            or (sara == (None, None) and not community)
        ):
            pathway = _PATHWAY_OMISSION
        return {"pniPathway": pathway, "validationError": errors}
    except Exception as error:  # answered in the tool's block: see unexpected_error
        return _failed(unexpected_error(error))

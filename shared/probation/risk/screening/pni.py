"""PNI, the Programme Needs Identifier: the intensity of accredited programme a person needs, from four
need domains and the risk the predictors give (SCREENING.md §5)."""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, product
from operator import itemgetter
from typing import NamedTuple

from probation.risk.enums import (
    PROBLEM_LEVEL_SCORE,
    NeedLevel,
    PniPathway,
    ProblemLevel,
    RiskBand,
    SupervisionStatus,
)
from probation.risk.request import RiskCalculationRequest, field_reader
from probation.risk.result import ProgrammeNeeds, ScreeningError
from probation.risk.screening.common import missing_inputs, unexpected_error
from probation.risk.screening.rules import ProgrammeNeedsRules, screening_rules

_HIGH_BANDS = frozenset({RiskBand.HIGH, RiskBand.VERY_HIGH})
_RAISED_BANDS = frozenset({RiskBand.MEDIUM, RiskBand.HIGH})
_NO_SEXUAL_BAND = frozenset({None, RiskBand.NOT_APPLICABLE})
_sara = field_reader("saraRiskToPartner", "saraRiskToOthers")
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
# Everything PNI reads, in one call: every domain's answers, whether the sex domain is scored, the
# supervision status and the SARA risks.
_answers = field_reader(
    *(field for domain in DOMAINS for field in domain.fields),
    "hasEverCommittedSexualOffence",
    "isARiskOfSexualHarm",
    "supervisionStatus",
    "saraRiskToPartner",
    "saraRiskToOthers",
)
_ENDS = tuple(accumulate(len(domain.fields) for domain in DOMAINS))
# What was read, split in one C call: each domain's answers, the two sexual flags, the supervision status
# and the two SARA risks.
_parts = itemgetter(
    *(slice(end - len(domain.fields), end) for domain, end in zip(DOMAINS, _ENDS, strict=True)),
    slice(_ENDS[-1], _ENDS[-1] + 2),
    _ENDS[-1] + 2,
    slice(_ENDS[-1] + 3, _ENDS[-1] + 5),
)
_Answers = tuple[ProblemLevel | None, ...]
_Sara = tuple[RiskBand | None, RiskBand | None]
_Parts = tuple[
    _Answers, _Answers, _Answers, _Answers, tuple[bool | None, bool | None], SupervisionStatus | None, _Sara
]


class DomainScore(NamedTuple):
    score: int
    projected: int
    """The score were every missing answer significant problems."""
    missing: tuple[str, ...]
    """The domain's unanswered fields: reported even when the domain is not scored."""


# Read in C over the four domains, which generator expressions would do in Python.
_projected, _missing = itemgetter(1), itemgetter(2)


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


@functools.cache
def _domain_tables() -> tuple[Mapping[tuple[ProblemLevel | None, ...], DomainScore], ...]:
    """Each domain's score for every combination of its answers (a few hundred in all), worked out once:
    scoring a case is then a lookup per domain."""
    answers = (None, *ProblemLevel)
    return tuple(
        {
            combination: _scored(domain, combination)
            for combination in product(answers, repeat=len(domain.fields))
        }
        for domain in DOMAINS
    )


def domain_scores(request: RiskCalculationRequest) -> list[DomainScore]:
    """The scores of ``DOMAINS``, in that order."""
    return _domain_scores(_parts(_answers(request)))


def _domain_scores(parts: _Parts) -> list[DomainScore]:
    sex, thinking, relationship, self_management, (sexual_history, risk_of_sexual_harm), _, _ = parts
    sex_table, thinking_table, relationship_table, self_management_table = _domain_tables()
    sex_score = sex_table[sex]
    if not (sexual_history or risk_of_sexual_harm):
        # The sex domain is scored only for a sexual offending history or risk of sexual harm; its
        # missing answers are reported all the same.
        sex_score = DomainScore(0, 0, sex_score.missing)
    return [
        sex_score,
        thinking_table[thinking],
        relationship_table[relationship],
        self_management_table[self_management],
    ]


def domain_score(domain: Domain, request: RiskCalculationRequest) -> DomainScore:
    return domain_scores(request)[DOMAINS.index(domain)]


# Each public predicate below reads what it needs of the request; programme_needs, which has read it all
# once, calls the private one it wraps with what it read, and the rules it fetched once (each read of the
# SARA risks costs ~1,200 instructions, each fetch of the rules ~500).


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
    sex, thinking, relationship, self_management = domains
    # Added one by one: sum(map(...)) over the four costs ~2,000 instructions, this a fifth of it.
    need = need_of_total[sex.score + thinking.score + relationship.score + self_management.score]
    if need is _NEED_HIGH or (need is _NEED_MEDIUM and community):
        return need
    if sex.missing or thinking.missing or relationship.missing or self_management.missing:
        projected_total: int = sum(map(_projected, domains))
        if need is need_of_total[projected_total]:
            return need
        if not community and all(map(_missing, domains)):
            return None
        sara_raised = not _RAISED_BANDS.isdisjoint(sara)
        if need is not _NEED_LOW and not sara_raised:
            return None
        if sara_raised and None not in sara:
            return _NEED_MEDIUM if community else _NEED_HIGH
    return need


def _whole(score: float | None) -> int | None:
    # The Ministry truncates the RSR score toward zero before comparing it.
    return int(score) if score is not None else None


def is_high_risk(request: RiskCalculationRequest, context: PredictorContext) -> bool:
    return _is_high_risk(screening_rules().programme_needs, context, _sara(request))


def _is_high_risk(rules: ProgrammeNeedsRules, context: PredictorContext, sara: _Sara) -> bool:
    # Unpacked once: each read of a named tuple's field by name costs ~180 instructions.
    all_reoffending, violent_reoffending, direct_band, indirect_band, combined_serious = context
    return (
        rules.all_reoffending.is_high(all_reoffending)
        or rules.violent_reoffending.is_high(violent_reoffending)
        or direct_band in _HIGH_BANDS
        or indirect_band in _HIGH_BANDS
        or (
            direct_band in _NO_SEXUAL_BAND
            and indirect_band in _NO_SEXUAL_BAND
            and rules.combined_serious.is_high(_whole(combined_serious))
        )
        or _RISK_HIGH in sara
    )


def is_medium_risk(request: RiskCalculationRequest, context: PredictorContext) -> bool:
    return _is_medium_risk(screening_rules().programme_needs, context, _sara(request))


def _is_medium_risk(rules: ProgrammeNeedsRules, context: PredictorContext, sara: _Sara) -> bool:
    all_reoffending, violent_reoffending, direct_band, indirect_band, combined_serious = context
    return (
        rules.all_reoffending.is_medium(all_reoffending)
        or rules.violent_reoffending.is_medium(violent_reoffending)
        or direct_band is _RISK_MEDIUM
        or indirect_band is _RISK_MEDIUM
        or _RISK_MEDIUM in sara
        or (
            direct_band in _NO_SEXUAL_BAND
            and indirect_band in _NO_SEXUAL_BAND
            and rules.combined_serious.is_medium(_whole(combined_serious))
        )
    )


def risk_level(request: RiskCalculationRequest, context: PredictorContext) -> RiskBand:
    return _risk_level(screening_rules().programme_needs, context, _sara(request))


def _risk_level(rules: ProgrammeNeedsRules, context: PredictorContext, sara: _Sara) -> RiskBand:
    if _is_high_risk(rules, context, sara):
        return _RISK_HIGH
    return _RISK_MEDIUM if _is_medium_risk(rules, context, sara) else _RISK_LOW


def projected_risk_level(request: RiskCalculationRequest, context: PredictorContext) -> RiskBand:
    """The risk were each missing sexual predictor at its highest: high, unless none is missing."""
    return _projected_risk_level(screening_rules().programme_needs, context, _sara(request))


def _projected_risk_level(rules: ProgrammeNeedsRules, context: PredictorContext, sara: _Sara) -> RiskBand:
    direct, indirect, combined = (
        context.direct_contact_band,
        context.indirect_contact_band,
        context.combined_serious,
    )
    worst = context._replace(
        direct_contact_band=_RISK_VERY_HIGH if direct is None else direct,
        indirect_contact_band=_RISK_VERY_HIGH if indirect is None else indirect,
        combined_serious=rules.projected_combined_serious if combined is None else combined,
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
    context: PredictorContext,
    sara: _Sara,
    need: NeedLevel,
    risk: RiskBand,
) -> bool:
    if status is not _CUSTODY:
        return False
    return (
        rules.all_reoffending.is_high(context.all_reoffending)
        and (rules.violent_reoffending.is_high(context.violent_reoffending) or _RISK_HIGH in sara)
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
    context: PredictorContext,
    sara: _Sara,
    need: NeedLevel,
    risk: RiskBand,
) -> bool:
    return (
        (
            community
            and rules.all_reoffending.is_high(context.all_reoffending)
            and rules.violent_reoffending.is_high(context.violent_reoffending)
        )
        or (community and need is _NEED_HIGH and risk is _RISK_HIGH)
        or not _RAISED_BANDS.isdisjoint(sara)
        or (need is _NEED_MEDIUM and risk in _RAISED_BANDS)
        or (need is _NEED_HIGH and risk is _RISK_MEDIUM)
    )


def _failed(errors: list[ScreeningError]) -> ProgrammeNeeds:
    return {"pniPathway": _PATHWAY_OMISSION, "validationError": errors}


def validation_errors(request: RiskCalculationRequest) -> list[ScreeningError]:
    """Only the supervision status is required: missing answers are weighed, not refused."""
    return [missing_inputs(("supervisionStatus",))] if request.supervision_status is None else []


def programme_needs(request: RiskCalculationRequest, context: PredictorContext) -> ProgrammeNeeds:
    try:
        parts: _Parts = _parts(_answers(request))
        _, _, _, _, _, status, sara = parts  # unpacked, not sliced: a slice builds a tuple (~500)
        if status is None:
            return _failed(validation_errors(request))
        domains = _domain_scores(parts)
        sex, thinking, relationship, self_management = domains
        missing: list[str] = []
        errors: list[ScreeningError] = []
        # Tested one by one: any(map(...)) over the four costs ~2,000 instructions, this a fifth of it.
        if sex.missing or thinking.missing or relationship.missing or self_management.missing:
            missing = [field for domain in domains for field in domain.missing]
            errors = [missing_inputs(missing)]
        community = status is _COMMUNITY
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

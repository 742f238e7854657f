"""Every predictor's constants, one JSON file per model version (``data/coefficients_v1_0.json`` is "V1_0").

A new model version is a new data file: its identifier comes from the file name. Each file is parsed once,
on first use, into the frozen tables below, which are shaped for the calculator's hot path (polynomials
and points scales are tabulated in advance). A file with a term or rule this code does not know is refused
rather than half-applied.
"""

import functools
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Generic, TypeVar

from probation.risk.enums import Gender, PreviousConviction, RiskBand
from probation.risk.linear_terms import TermsFunction, generate
from probation.risk.numerics import (
    MAX_HUNDREDTHS,
    MAX_PERCENT,
    ministry_sigmoid,
    percentage,
    with_100_percent_as_99_99,
)

Json = Mapping[str, Any]
T = TypeVar("T")

OASYS_ITEMS = (
    "s2q2a",
    "s3q4",
    "s4q2",
    "s3q2_partner",
    "s6q4",
    "s3q2_partner_x_s6q4",
    "s6q7",
    "s7q2",
    "s8q8",
    "s9q1",
    "s9q2",
    "s11q2",
    "s11q4",
    "s12q1",
)
"""The OASys items a dynamic model may use (SPEC §2.2)."""
DRUGS = frozenset(
    {
        "heroin",
        "methadone",
        "other_opiate",
        "crack_cocaine",
        "powder_cocaine",
        "misused_prescribed",
        "benzodiazepines",
        "cannabis",
        "steroids",
        "other_drugs",
    }
)
"""The drug-misuse flags a dynamic model may use (SPEC §2.2)."""
CRIMINAL_HISTORY_FIELDS = frozenset(
    {
        "gender",
        "dateOfBirth",
        "dateOfCurrentConviction",
        "ageAtFirstSanction",
        "totalNumberOfSanctionsForAllOffences",
        "currentOffenceCode",
    }
)
"""Request fields every ARP, VRP and SVRP score is computed from, so each must require them."""
SEXUAL_COUNTS = (
    "indecent_image_sanctions",
    "contact_adult_sexual_sanctions",
    "contact_child_sexual_sanctions",
    "non_contact_sexual_offences",
)
"""The counts the IIC-SRP rules may test, in the order the rules receive them."""
AGE_LIMIT = 110
"""Ages at the first sanction and at the start of follow-up must be below this (SPEC §9)."""

_DATA_PACKAGE = "probation.risk.data"
_FILE_NAME = re.compile(r"coefficients_v([0-9]+)_([0-9]+)\.json")


def polynomial(coefficients: tuple[float, ...], x: int) -> float:
    """``c1·x + c2·x² + …``, with no constant term (SPEC §1.1)."""
    total = 0.0
    for coefficient in reversed(coefficients):
        total = (total + coefficient) * x
    return total


@dataclass(frozen=True, slots=True)
class Bands:
    """Bands of a percentage (or of points); each includes its lower bound and excludes its upper bound."""

    lower_bounds: tuple[tuple[float, RiskBand], ...]
    """Highest band first."""

    def band_of(self, value: float) -> RiskBand:
        for lower_bound, band in self.lower_bounds:
            if value >= lower_bound:
                return band
        return RiskBand.NOT_APPLICABLE

    def tabulated(self, count: int, units_per_one: int = 1) -> tuple[RiskBand, ...]:
        """The bands of the first ``count`` multiples of ``1 / units_per_one`` (0, 0.01, 0.02, … for
        hundredths), for the hot path to index by a whole number of units rather than search the bands."""
        return tuple(self.band_of(units / units_per_one) for units in range(count))


@dataclass(frozen=True, slots=True)
class StepFunction(Generic[T]):
    """A value for each range of whole numbers (a count or an age), with a default outside them all."""

    steps: tuple[tuple[int | None, int | None, T], ...]
    """(lowest, highest, value), bounds inclusive; ``None`` leaves that end open."""
    default: T
    table: tuple[T, ...]
    """The values at 0, 1, 2, …, reaching past the last finite bound (and as far as the loader asks), so
    that the last value holds for every larger number: the hot path indexes it directly."""

    def at(self, x: int) -> T:
        """The value for any ``x``, negative or beyond the table."""
        table = self.table
        if x >= 0:
            return table[x] if x < len(table) else table[-1]
        return _step_value(self.steps, self.default, x)

    @classmethod
    def tabulated(
        cls, steps: tuple[tuple[int | None, int | None, T], ...], default: T, reaching: int = 0
    ) -> "StepFunction[T]":
        """``steps`` with their table, which reaches ``reaching`` at least."""
        bounds = [bound for lowest, highest, _ in steps for bound in (lowest, highest) if bound is not None]
        end = max(max(bounds, default=0) + 2, reaching + 1)
        return cls(steps, default, tuple(_step_value(steps, default, x) for x in range(end)))


def _step_value(steps: tuple[tuple[int | None, int | None, T], ...], default: T, x: int) -> T:
    """The value of the first of ``steps`` whose range holds ``x``, else ``default``."""
    for lowest, highest, value in steps:
        if (lowest is None or x >= lowest) and (highest is None or x <= highest):
            return value
    return default


@dataclass(frozen=True, slots=True)
class ViolenceTerms:
    """The violence-history terms of VRP and SVRP."""

    never_violent: float
    once_violent: float
    violent_sanctions: float
    violent_rate: float
    rate_offset: int
    """K in ``ln(nv / (years since first sanction + K))``."""


@dataclass(frozen=True, slots=True)
class SexTerms:
    """The terms of one linear model, with the coefficients that depend on sex resolved for one sex."""

    age_term: str
    age_poly: tuple[float, ...]
    age_weights: tuple[float, ...]
    """``age_poly`` at ages 0, 1, … below ``AGE_LIMIT``; SVRP alone can be asked for older ages."""
    female: float | None
    gap_term: str
    gap: float
    copas_rate: float
    copas_rate_squared: float | None
    violence: ViolenceTerms | None


@dataclass(frozen=True, slots=True)
class LinearModel:
    """One variant (static or dynamic) of ARP, VRP or SVRP: a logistic regression (SPEC §4)."""

    intercept: float
    offence_category: Mapping[str, float]
    first_sanction: float
    second_sanction: float
    sanction_occasions: float
    offence_free_months_weights: tuple[float, ...]
    """The offence-free-months polynomial at 0, 1, … up to the cap."""
    offence_free_months_cap: int
    """Longer offence-free periods count as this many months (SPEC §3)."""
    copas_offset: int
    """K in ``ln(n / (years since first sanction + K))``."""
    oasys_items: tuple[tuple[int, str, float], ...]
    """(position in ``OASYS_ITEMS``, item, coefficient)."""
    drugs: Mapping[str, tuple[str, float]]
    """Drug → (term name, coefficient)."""
    previous_convictions: Mapping[PreviousConviction, tuple[str, float]]
    """Conviction → (term name, coefficient)."""
    male: SexTerms
    female: SexTerms


@dataclass(frozen=True, slots=True)
class ReoffendingModel:
    static: LinearModel
    dynamic: LinearModel
    band_by_hundredths: tuple[RiskBand, ...]
    """The band of each percentage from 0.00 to 99.99, indexed by hundredths of a percent; and of 100.00,
    which is reported as 99.99 (SPEC §4.1)."""
    required_static: tuple[str, ...]
    """Request fields (camelCase) without which no score is possible."""
    required_dynamic: tuple[str, ...]
    """Request fields without which only the static variant can be scored."""
    male_terms: TermsFunction
    """Both variants' contributions for a man, generated from the coefficients (see ``linear_terms``)."""
    female_terms: TermsFunction
    """Likewise for a woman."""


@dataclass(frozen=True, slots=True)
class DirectContactModel:
    """DC-SRP: a 64-point scale through a logistic curve (SPEC §5)."""

    contact_adult_sanctions: StepFunction[int]
    contact_child_sanctions: StepFunction[int]
    non_contact_offences: StepFunction[int]
    count_points: Mapping[tuple[int, int, int], int]
    """The points of the three counts above together, for every combination of counts their tables reach:
    one lookup (~400 instructions) where three ``at`` calls take ~2.4k."""
    age_at_start_of_followup: StepFunction[int]
    """Tabulated for every age below ``AGE_LIMIT``, as are the ages at the most recent sexual offence."""
    age_at_most_recent_sexual_offence: StepFunction[int]
    total_sanctions: StepFunction[int]
    victim_stranger_points: int
    probability_by_points: tuple[float, ...]
    """``logistic(intercept + slope * points)`` for every possible total, and 0 for no points."""
    percent_by_points: tuple[float, ...]
    band_by_points: tuple[RiskBand, ...]
    """The band of every possible total."""
    reduced_band_by_points: tuple[RiskBand | None, ...]
    """The band one step lower, where the band of the total has one to drop to (SPEC §5)."""


@dataclass(frozen=True, slots=True)
class CountCondition:
    """``count <operator> value``, e.g. ``indecent_image_sanctions >= 2``."""

    count: int
    """Position of the count in ``SEXUAL_COUNTS``."""
    compare: Callable[[int, int], bool]
    value: int


@dataclass(frozen=True, slots=True)
class IndirectContactRung:
    conditions: tuple[CountCondition, ...]
    """All must hold; none means "otherwise"."""
    probability: float
    percent: float
    band: RiskBand

    def matches(self, counts: tuple[int, ...]) -> bool:
        """Whether the counts, in ``SEXUAL_COUNTS`` order, meet every condition."""
        for condition in self.conditions:
            if not condition.compare(counts[condition.count], condition.value):
                return False
        return True


@dataclass(frozen=True, slots=True)
class IndirectContactModel:
    """IIC-SRP: fixed probabilities, from the first rung that matches (SPEC §6)."""

    hierarchy: tuple[IndirectContactRung, ...]
    """The rungs with conditions, in order."""
    otherwise: IndirectContactRung
    """The last rung, for counts that match none of the others."""
    female_with_sexual_history: IndirectContactRung
    """The score of every woman with a sexual offending history."""
    count_cap: int
    """One more than the largest value a condition compares with: conditions, whose values are never
    negative, treat every count above it as they treat it, and every count below 0 as they treat -1."""
    rung_by_counts: Mapping[tuple[int, ...], IndirectContactRung]
    """The first rung matched by each combination of counts from -1 to ``count_cap``."""

    def rung_for(self, counts: tuple[int, ...]) -> IndirectContactRung:
        """The first rung the counts (in ``SEXUAL_COUNTS`` order) match: looked up in ``rung_by_counts``
        with each count held within its range, rather than tried rung by rung (~1k instructions a rung).
        Counts already in range are quicker looked up directly."""
        cap = self.count_cap
        return self.rung_by_counts[tuple(max(-1, min(count, cap)) for count in counts)]


@dataclass(frozen=True, slots=True)
class CombinedSeriousModel:
    """CSRP, the new RSR (SPEC §7)."""

    female_sexual_history_addition_percent: float
    bands: Bands
    band_by_hundredths: tuple[RiskBand, ...]
    """The band of each percentage from 0.00 to 99.99, indexed by hundredths of a percent."""


@dataclass(frozen=True, slots=True)
class Ogrs3Model:
    """Legacy OGRS3 (SPEC §8)."""

    age_gender_weights: Mapping[Gender, StepFunction[float | None]]
    """By age at the start of follow-up; ``None`` below the youngest age in the table."""
    first_sanction: float
    repeat_offender: float
    copas_coefficient: float
    copas_career_offset: int
    one_year_intercept: float
    two_year_intercept: float
    bands: Bands
    band_by_percent: tuple[RiskBand, ...]
    """The band of each whole percent from 0 to 99."""


@dataclass(frozen=True, slots=True)
class RiskModel:
    version: str
    all_reoffending: ReoffendingModel
    violent_reoffending: ReoffendingModel
    serious_violent_reoffending: ReoffendingModel
    direct_contact_sexual: DirectContactModel
    indirect_contact_sexual: IndirectContactModel
    combined_serious: CombinedSeriousModel
    ogrs3: Ogrs3Model


@functools.cache
def available_versions() -> tuple[str, ...]:
    """Model versions that have a data file, oldest first."""
    numbers = sorted(
        (int(match[1]), int(match[2]))
        for entry in resources.files(_DATA_PACKAGE).iterdir()
        if (match := _FILE_NAME.fullmatch(entry.name))
    )
    return tuple(f"V{major}_{minor}" for major, minor in numbers)


def latest_version() -> str:
    return available_versions()[-1]


@functools.cache
def load_model(version: str) -> RiskModel:
    """The model of one of ``available_versions()``."""
    file_name = f"coefficients_{version.lower()}.json"
    data: Json = json.loads(resources.files(_DATA_PACKAGE).joinpath(file_name).read_text(encoding="utf-8"))
    declared = data["source"]["api_request_response_version"]
    if declared != version:
        raise ValueError(f"{file_name} declares model version {declared}")
    predictors = data["predictors"]
    return RiskModel(
        version=version,
        all_reoffending=_reoffending_model("all_reoffending", predictors["all_reoffending"]),
        violent_reoffending=_reoffending_model("violent_reoffending", predictors["violent_reoffending"]),
        serious_violent_reoffending=_reoffending_model(
            "serious_violent_reoffending", predictors["serious_violent_reoffending"]
        ),
        direct_contact_sexual=_direct_contact_model(predictors["direct_contact_sexual_reoffending"]),
        indirect_contact_sexual=_indirect_contact_model(
            predictors["images_and_indirect_contact_sexual_reoffending"]
        ),
        combined_serious=_combined_serious_model(predictors["combined_serious_reoffending"]),
        ogrs3=_ogrs3_model(data["ogrs3"]),
    )


def _bands(rows: list[Json], lower_bound_key: str = "from_percent") -> Bands:
    ordered = sorted(((float(row[lower_bound_key]), RiskBand(row["band"])) for row in rows), reverse=True)
    return Bands(lower_bounds=tuple(ordered))


def _reoffending_model(name: str, block: Json) -> ReoffendingModel:
    offsets = block["career_offset"]
    violent_rate_offset = int(offsets["violent_rate"]) if "violent_rate" in offsets else None
    months_cap = int(block["offence_free_months_cap"])
    required = block["api_required_inputs"]
    if not set(required["static"]) >= CRIMINAL_HISTORY_FIELDS:
        raise ValueError(f"static inputs must include {sorted(CRIMINAL_HISTORY_FIELDS)}")

    def variant(name: str) -> LinearModel:
        return _linear_model(block[name], int(offsets["copas_rate"]), violent_rate_offset, months_cap)

    static, dynamic = variant("static"), variant("dynamic")
    return ReoffendingModel(
        static=static,
        dynamic=dynamic,
        band_by_hundredths=with_100_percent_as_99_99(
            tuple(map(_bands(block["bands"]).band_of, (units / 100 for units in range(MAX_HUNDREDTHS + 1))))
        ),
        required_static=tuple(required["static"]),
        required_dynamic=tuple(required["dynamic"]),
        male_terms=generate(f"{name}_male", static, dynamic, False, polynomial, len(OASYS_ITEMS)),
        female_terms=generate(f"{name}_female", static, dynamic, True, polynomial, len(OASYS_ITEMS)),
    )


_VIOLENCE_TERMS = ("never_violent", "once_violent", "violent_sanctions", "violent_rate")
_LINEAR_TERMS = frozenset(
    {
        "intercept",
        "female",
        "male_age_poly",
        "female_age_poly",
        "first_sanction",
        "second_sanction",
        "second_sanction_years_since_first_male",
        "second_sanction_years_since_first_female",
        "sanction_occasions",
        "offence_free_months_poly",
        "copas_rate",
        "copas_rate_squared",
        "offence_category",
        "oasys_items",
        "drugs",
        "previous_convictions",
        *_VIOLENCE_TERMS,
    }
)
# Documentation only: the two parts summed into some SVRP offence_category weights.
_IGNORED_KEYS = frozenset({"offence_category_components"})


def _linear_model(
    block: Json, copas_offset: int, violent_rate_offset: int | None, months_cap: int
) -> LinearModel:
    _refuse_unknown("model terms", block.keys() - _IGNORED_KEYS, _LINEAR_TERMS)
    oasys_items = block.get("oasys_items", {})
    drugs = block.get("drugs", {})
    _refuse_unknown("OASys items", oasys_items.keys(), frozenset(OASYS_ITEMS))
    _refuse_unknown("drugs", drugs.keys(), DRUGS)
    months_poly = tuple(float(c) for c in block["offence_free_months_poly"])
    return LinearModel(
        intercept=float(block["intercept"]),
        offence_category={category: float(weight) for category, weight in block["offence_category"].items()},
        first_sanction=float(block["first_sanction"]),
        second_sanction=float(block["second_sanction"]),
        sanction_occasions=float(block["sanction_occasions"]),
        offence_free_months_weights=tuple(
            polynomial(months_poly, months) for months in range(months_cap + 1)
        ),
        offence_free_months_cap=months_cap,
        copas_offset=copas_offset,
        oasys_items=tuple((OASYS_ITEMS.index(item), item, float(c)) for item, c in oasys_items.items()),
        drugs={drug: (f"drugs.{drug}", float(c)) for drug, c in drugs.items()},
        previous_convictions={
            PreviousConviction(conviction): (f"previous_convictions.{conviction}", float(c))
            for conviction, c in block.get("previous_convictions", {}).items()
        },
        male=_sex_terms(block, "male", violent_rate_offset),
        female=_sex_terms(block, "female", violent_rate_offset),
    )


def _refuse_unknown(kind: str, keys: Iterable[str], known: frozenset[str]) -> None:
    unknown = set(keys) - known
    if unknown:
        raise ValueError(f"unknown {kind} {sorted(unknown)}")


def _sex_terms(block: Json, sex: str, violent_rate_offset: int | None) -> SexTerms:
    violence = None
    if any(term in block for term in _VIOLENCE_TERMS):
        if violent_rate_offset is None:
            raise ValueError("violence terms without a violent_rate career offset")
        violence = ViolenceTerms(
            never_violent=float(block["never_violent"][sex]),
            once_violent=float(block["once_violent"]),
            violent_sanctions=float(block["violent_sanctions"]),
            violent_rate=float(block["violent_rate"]),
            rate_offset=violent_rate_offset,
        )
    copas_squared = block.get("copas_rate_squared")
    age_poly = tuple(float(c) for c in block[f"{sex}_age_poly"])
    return SexTerms(
        age_term=f"{sex}_age_poly",
        age_poly=age_poly,
        age_weights=tuple(polynomial(age_poly, age) for age in range(AGE_LIMIT)),
        female=float(block["female"]) if sex == "female" else None,
        gap_term=f"second_sanction_years_since_first_{sex}",
        gap=float(block[f"second_sanction_years_since_first_{sex}"]),
        copas_rate=float(block["copas_rate"][sex]),
        copas_rate_squared=float(copas_squared[sex]) if copas_squared is not None else None,
        violence=violence,
    )


def _steps(rows: list[Json], value_key: str) -> tuple[tuple[int | None, int | None, Any], ...]:
    """The rows' ranges, whose bounds are keyed ``*_from`` and ``*_to`` (``count_from``, ``age_to``, …)."""

    def bound(row: Json, suffix: str) -> int | None:
        value = next(value for key, value in row.items() if key.endswith(suffix))
        return int(value) if value is not None else None

    return tuple((bound(row, "_from"), bound(row, "_to"), row[value_key]) for row in rows)


def _points(rows: list[Json], reaching: int = 0) -> StepFunction[int]:
    return StepFunction.tabulated(
        tuple((lowest, highest, int(points)) for lowest, highest, points in _steps(rows, "points")),
        0,
        reaching,
    )


def _direct_contact_model(block: Json) -> DirectContactModel:
    points = block["points"]
    contact_adult = _points(points["contact_adult_sexual_sanctions"])
    contact_child = _points(points["contact_child_sexual_sanctions"])
    non_contact = _points(points["non_contact_sexual_offences"])
    # Ages that pass the checks are below AGE_LIMIT.
    followup_age = _points(points["age_at_start_of_followup"], reaching=AGE_LIMIT - 1)
    sexual_offence_age = _points(points["age_at_most_recent_sexual_sanction"], reaching=AGE_LIMIT - 1)
    total_sanctions = _points(points["total_sanctions_all_offences"])
    stranger = int(points["current_offence_against_stranger"]["true"])
    most_points = stranger + sum(
        max(*scale.table, *(value for _, _, value in scale.steps))
        for scale in (
            contact_adult,
            contact_child,
            non_contact,
            followup_age,
            sexual_offence_age,
            total_sanctions,
        )
    )
    logistic = block["logistic"]
    intercept, slope = float(logistic["intercept"]), float(logistic["slope_per_point"])
    # In binary64, exactly as the Ministry computes it, so tabulating changes nothing.
    probabilities = (
        0.0,
        *(ministry_sigmoid(intercept + slope * total) for total in range(1, most_points + 1)),
    )
    reduction = {
        RiskBand(band): RiskBand(lower) for band, lower in block["risk_band_reduction"]["steps"].items()
    }
    bands = _bands(block["bands_by_points"], lower_bound_key="points_from").tabulated(most_points + 1)
    return DirectContactModel(
        contact_adult_sanctions=contact_adult,
        contact_child_sanctions=contact_child,
        non_contact_offences=non_contact,
        count_points={
            (adult, child, other): contact_adult.table[adult]
            + contact_child.table[child]
            + non_contact.table[other]
            for adult, child, other in itertools.product(
                range(len(contact_adult.table)),
                range(len(contact_child.table)),
                range(len(non_contact.table)),
            )
        },
        age_at_start_of_followup=followup_age,
        age_at_most_recent_sexual_offence=sexual_offence_age,
        total_sanctions=total_sanctions,
        victim_stranger_points=stranger,
        probability_by_points=probabilities,
        percent_by_points=tuple(map(percentage, probabilities)),
        band_by_points=bands,
        reduced_band_by_points=tuple(reduction.get(band) for band in bands),
    )


_CONDITION = re.compile(r"([a-z_]+) (>=|==|!=) ([0-9]+)")
_OPERATORS: dict[str, Callable[[int, int], bool]] = {">=": operator.ge, "==": operator.eq, "!=": operator.ne}


def _count_conditions(rule: str) -> tuple[CountCondition, ...]:
    if rule == "otherwise":
        return ()
    conditions = []
    for clause in rule.split(" AND "):
        match = _CONDITION.fullmatch(clause)
        if match is None or match[1] not in SEXUAL_COUNTS:
            raise ValueError(f"unknown IIC-SRP rule {rule!r}")
        conditions.append(
            CountCondition(
                count=SEXUAL_COUNTS.index(match[1]), compare=_OPERATORS[match[2]], value=int(match[3])
            )
        )
    return tuple(conditions)


def _indirect_contact_model(block: Json) -> IndirectContactModel:
    def rung(row: Json, conditions: tuple[CountCondition, ...]) -> IndirectContactRung:
        probability = float(row["probability"])
        return IndirectContactRung(conditions, probability, percentage(probability), RiskBand(row["band"]))

    *hierarchy, otherwise = (rung(row, _count_conditions(row["rule"])) for row in block["hierarchy"])
    if otherwise.conditions or any(not step.conditions for step in hierarchy):
        raise ValueError("the IIC-SRP hierarchy must end with its one 'otherwise' rung")
    cap = 1 + max(condition.value for step in hierarchy for condition in step.conditions)
    return IndirectContactModel(
        hierarchy=tuple(hierarchy),
        otherwise=otherwise,
        female_with_sexual_history=rung(block["female_with_sexual_history"], ()),
        count_cap=cap,
        rung_by_counts={
            counts: next((step for step in hierarchy if step.matches(counts)), otherwise)
            for counts in itertools.product(range(-1, cap + 1), repeat=len(SEXUAL_COUNTS))
        },
    )


def _combined_serious_model(block: Json) -> CombinedSeriousModel:
    # Derived here from the source probability (1/261) rather than read as a pre-rounded figure.
    bands = _bands(block["bands"])
    return CombinedSeriousModel(
        female_sexual_history_addition_percent=percentage(float(block["female_sexual_history_addition"])),
        bands=bands,
        band_by_hundredths=bands.tabulated(round(MAX_PERCENT * 100) + 1, units_per_one=100),
    )


def _ogrs3_model(block: Json) -> Ogrs3Model:
    def age_weights(rows: list[Json]) -> StepFunction[float | None]:
        steps = tuple((lowest, highest, float(weight)) for lowest, highest, weight in _steps(rows, "weight"))
        return StepFunction[float | None].tabulated(steps, None)

    weights = block["age_gender_weights"]
    bands = _bands(block["bands_on_two_year_percent"], lower_bound_key="percent_from")
    return Ogrs3Model(
        age_gender_weights={
            Gender.MALE: age_weights(weights["male"]),
            Gender.FEMALE: age_weights(weights["female"]),
        },
        first_sanction=float(block["conviction_status"]["first_sanction"]),
        repeat_offender=float(block["conviction_status"]["repeat_offender"]),
        copas_coefficient=float(block["copas"]["coefficient"]),
        copas_career_offset=int(block["copas"]["career_offset"]),
        one_year_intercept=float(block["intercepts"]["one_year"]),
        two_year_intercept=float(block["intercepts"]["two_year"]),
        bands=bands,
        band_by_percent=bands.tabulated(100),
    )

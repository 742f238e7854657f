"""Every predictor's constants, one JSON file per model version (``data/coefficients_v1_0.json`` is "V1_0").

A new model version is a new data file: its identifier comes from the file name. Each file is parsed once,
on first use, into the frozen tables below, which are shaped for the calculator's hot path. A file with a
term or rule this code does not know is refused rather than half-applied.
"""

import functools
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from probation.risk.enums import Gender, PreviousConviction, RiskBand
from probation.risk.numerics import percentage

Json = Mapping[str, Any]

OASYS_ITEMS = frozenset(
    {
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
    }
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

_DATA_PACKAGE = "probation.risk.data"
_FILE_NAME = re.compile(r"coefficients_v([0-9]+)_([0-9]+)\.json")


@dataclass(frozen=True, slots=True)
class Bands:
    """Bands of a percentage (or points); each includes its lower bound and excludes its upper bound."""

    lower_bounds: tuple[tuple[float, RiskBand], ...]
    """Highest band first."""

    def band_of(self, percent: float) -> RiskBand:
        for lower_bound, band in self.lower_bounds:
            if percent >= lower_bound:
                return band
        return RiskBand.NOT_APPLICABLE


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
    offence_free_months_poly: tuple[float, ...]
    copas_offset: int
    """K in ``ln(n / (years since first sanction + K))``."""
    oasys_items: tuple[tuple[str, float], ...]
    drugs: tuple[tuple[str, str, float], ...]
    """(drug, term name, coefficient)."""
    previous_convictions: tuple[tuple[PreviousConviction, str, float], ...]
    """(conviction, term name, coefficient)."""
    male: SexTerms
    female: SexTerms


@dataclass(frozen=True, slots=True)
class ReoffendingModel:
    static: LinearModel
    dynamic: LinearModel
    bands: Bands
    offence_free_months_cap: int
    required_static: tuple[str, ...]
    """Request fields (camelCase) without which no score is possible."""
    required_dynamic: tuple[str, ...]
    """Request fields without which only the static variant can be scored."""


@dataclass(frozen=True, slots=True)
class PointsScale:
    """Points by the rung a count or an age falls on; a value on no rung scores 0."""

    rungs: tuple[tuple[int | None, int | None, int], ...]
    """(lowest, highest, points); ``None`` leaves that end open."""

    def points(self, value: int) -> int:
        for lowest, highest, points in self.rungs:
            if (lowest is None or value >= lowest) and (highest is None or value <= highest):
                return points
        return 0


@dataclass(frozen=True, slots=True)
class DirectContactModel:
    """DC-SRP: a 64-point scale through a logistic curve (SPEC §5)."""

    contact_adult_sanctions: PointsScale
    contact_child_sanctions: PointsScale
    non_contact_offences: PointsScale
    age_at_start_of_followup: PointsScale
    age_at_most_recent_sexual_offence: PointsScale
    total_sanctions: PointsScale
    victim_stranger_points: int
    logistic_intercept: float
    logistic_slope: float
    bands_by_points: Bands
    band_reduction: Mapping[RiskBand, RiskBand]


SEXUAL_COUNTS = frozenset(
    {
        "indecent_image_sanctions",
        "contact_child_sexual_sanctions",
        "contact_adult_sexual_sanctions",
        "non_contact_sexual_offences",
    }
)


@dataclass(frozen=True, slots=True)
class CountCondition:
    count: str
    """One of ``SEXUAL_COUNTS``."""
    operator: str
    """``>=``, ``==`` or ``!=``."""
    value: int


@dataclass(frozen=True, slots=True)
class IndirectContactRung:
    conditions: tuple[CountCondition, ...]
    """All must hold; none means "otherwise"."""
    probability: float
    band: RiskBand


@dataclass(frozen=True, slots=True)
class IndirectContactModel:
    """IIC-SRP: fixed probabilities, the first rung that matches (SPEC §6)."""

    hierarchy: tuple[IndirectContactRung, ...]
    female_with_sexual_history_probability: float
    female_with_sexual_history_band: RiskBand


@dataclass(frozen=True, slots=True)
class CombinedSeriousModel:
    """CSRP, the new RSR (SPEC §7)."""

    female_sexual_history_addition_percent: float
    bands: Bands


@dataclass(frozen=True, slots=True)
class Ogrs3Model:
    """Legacy OGRS3 (SPEC §8)."""

    age_gender_weights: Mapping[Gender, tuple[tuple[int, int | None, float], ...]]
    """(lowest age, highest age or ``None``, weight) by age at the start of follow-up."""
    first_sanction: float
    repeat_offender: float
    copas_coefficient: float
    copas_career_offset: int
    one_year_intercept: float
    two_year_intercept: float
    bands: Bands

    def age_gender_weight(self, gender: Gender, age: int) -> float | None:
        for lowest, highest, weight in self.age_gender_weights[gender]:
            if lowest <= age and (highest is None or age <= highest):
                return weight
        return None


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
        all_reoffending=_reoffending_model(predictors["all_reoffending"]),
        violent_reoffending=_reoffending_model(predictors["violent_reoffending"]),
        serious_violent_reoffending=_reoffending_model(predictors["serious_violent_reoffending"]),
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


def _reoffending_model(block: Json) -> ReoffendingModel:
    offsets = block["career_offset"]
    violent_rate_offset = int(offsets["violent_rate"]) if "violent_rate" in offsets else None
    required = block["api_required_inputs"]
    if not CRIMINAL_HISTORY_FIELDS <= set(required["static"]):
        raise ValueError(f"static inputs must include {sorted(CRIMINAL_HISTORY_FIELDS)}")
    return ReoffendingModel(
        static=_linear_model(block["static"], int(offsets["copas_rate"]), violent_rate_offset),
        dynamic=_linear_model(block["dynamic"], int(offsets["copas_rate"]), violent_rate_offset),
        bands=_bands(block["bands"]),
        offence_free_months_cap=int(block["offence_free_months_cap"]),
        required_static=tuple(required["static"]),
        required_dynamic=tuple(required["dynamic"]),
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


def _linear_model(block: Json, copas_offset: int, violent_rate_offset: int | None) -> LinearModel:
    _refuse_unknown("model terms", block.keys() - _IGNORED_KEYS, _LINEAR_TERMS)
    _refuse_unknown("OASys items", block.get("oasys_items", {}).keys(), OASYS_ITEMS)
    _refuse_unknown("drugs", block.get("drugs", {}).keys(), DRUGS)
    return LinearModel(
        intercept=float(block["intercept"]),
        offence_category={category: float(weight) for category, weight in block["offence_category"].items()},
        first_sanction=float(block["first_sanction"]),
        second_sanction=float(block["second_sanction"]),
        sanction_occasions=float(block["sanction_occasions"]),
        offence_free_months_poly=tuple(float(c) for c in block["offence_free_months_poly"]),
        copas_offset=copas_offset,
        oasys_items=tuple((item, float(c)) for item, c in block.get("oasys_items", {}).items()),
        drugs=tuple((drug, f"drugs.{drug}", float(c)) for drug, c in block.get("drugs", {}).items()),
        previous_convictions=tuple(
            (PreviousConviction(conviction), f"previous_convictions.{conviction}", float(c))
            for conviction, c in block.get("previous_convictions", {}).items()
        ),
        male=_sex_terms(block, "male", violent_rate_offset),
        female=_sex_terms(block, "female", violent_rate_offset),
    )


def _refuse_unknown(kind: str, keys: Iterable[str], known: frozenset[str]) -> None:
    unknown = set(keys) - known
    if unknown:
        raise ValueError(f"unknown {kind} {sorted(unknown)}")


def _sex_terms(block: Json, sex: str, violent_rate_offset: int | None) -> SexTerms:
    copas_squared = block.get("copas_rate_squared")
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
    return SexTerms(
        age_term=f"{sex}_age_poly",
        age_poly=tuple(float(c) for c in block[f"{sex}_age_poly"]),
        female=float(block["female"]) if sex == "female" else None,
        gap_term=f"second_sanction_years_since_first_{sex}",
        gap=float(block[f"second_sanction_years_since_first_{sex}"]),
        copas_rate=float(block["copas_rate"][sex]),
        copas_rate_squared=float(copas_squared[sex]) if copas_squared is not None else None,
        violence=violence,
    )


def _points_scale(rows: list[Json]) -> PointsScale:
    def bound(row: Json, suffix: str) -> int | None:
        value = next(value for key, value in row.items() if key.endswith(suffix))
        return int(value) if value is not None else None

    return PointsScale(
        rungs=tuple((bound(row, "_from"), bound(row, "_to"), int(row["points"])) for row in rows)
    )


def _direct_contact_model(block: Json) -> DirectContactModel:
    points = block["points"]
    logistic = block["logistic"]
    reduction = block["risk_band_reduction"]["steps"]
    return DirectContactModel(
        contact_adult_sanctions=_points_scale(points["contact_adult_sexual_sanctions"]),
        contact_child_sanctions=_points_scale(points["contact_child_sexual_sanctions"]),
        non_contact_offences=_points_scale(points["non_contact_sexual_offences"]),
        age_at_start_of_followup=_points_scale(points["age_at_start_of_followup"]),
        age_at_most_recent_sexual_offence=_points_scale(points["age_at_most_recent_sexual_sanction"]),
        total_sanctions=_points_scale(points["total_sanctions_all_offences"]),
        victim_stranger_points=int(points["current_offence_against_stranger"]["true"]),
        logistic_intercept=float(logistic["intercept"]),
        logistic_slope=float(logistic["slope_per_point"]),
        bands_by_points=_bands(block["bands_by_points"], lower_bound_key="points_from"),
        band_reduction={RiskBand(band): RiskBand(lower) for band, lower in reduction.items()},
    )


_CONDITION = re.compile(r"([a-z_]+) (>=|==|!=) ([0-9]+)")


def _count_conditions(rule: str) -> tuple[CountCondition, ...]:
    if rule == "otherwise":
        return ()
    conditions = []
    for clause in rule.split(" AND "):
        match = _CONDITION.fullmatch(clause)
        if match is None or match[1] not in SEXUAL_COUNTS:
            raise ValueError(f"unknown IIC-SRP rule {rule!r}")
        conditions.append(CountCondition(count=match[1], operator=match[2], value=int(match[3])))
    return tuple(conditions)


def _indirect_contact_model(block: Json) -> IndirectContactModel:
    female = block["female_with_sexual_history"]
    hierarchy = tuple(
        IndirectContactRung(
            conditions=_count_conditions(row["rule"]),
            probability=float(row["probability"]),
            band=RiskBand(row["band"]),
        )
        for row in block["hierarchy"]
    )
    if not hierarchy or hierarchy[-1].conditions:
        raise ValueError("the IIC-SRP hierarchy must end with an 'otherwise' rung")
    return IndirectContactModel(
        hierarchy=hierarchy,
        female_with_sexual_history_probability=float(female["probability"]),
        female_with_sexual_history_band=RiskBand(female["band"]),
    )


def _combined_serious_model(block: Json) -> CombinedSeriousModel:
    # Derived here from the source probability (1/261) rather than read as a pre-rounded figure.
    return CombinedSeriousModel(
        female_sexual_history_addition_percent=percentage(float(block["female_sexual_history_addition"])),
        bands=_bands(block["bands"]),
    )


def _ogrs3_model(block: Json) -> Ogrs3Model:
    def age_weights(rows: list[Json]) -> tuple[tuple[int, int | None, float], ...]:
        return tuple(
            (
                int(row["age_from"]),
                int(row["age_to"]) if row["age_to"] is not None else None,
                float(row["weight"]),
            )
            for row in rows
        )

    weights = block["age_gender_weights"]
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
        bands=_bands(block["bands_on_two_year_percent"], lower_bound_key="percent_from"),
    )

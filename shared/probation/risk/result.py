"""The calculator's output: one pydantic model whose blocks are typed dicts.

``RiskCalculationResult.model_dump(mode="json")`` (or ``model_dump_json()``) gives the camelCase JSON shape.
The blocks are built by the calculator itself, so they are typed for mypy but not re-validated: building a
model per block would cost more than the calculation (see bench/risk_calculator.py).
"""

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, SkipValidation
from pydantic.alias_generators import to_camel

# Pydantic needs typing_extensions' TypedDict before Python 3.12.
from typing_extensions import TypedDict

from probation.risk.enums import OpdResult, PniPathway, RiskBand, ScoreType


class Score(TypedDict):
    """One variant of a linear predictor."""

    probability: float
    """Two-year probability, unrounded, 0..1."""
    score: float
    """The probability as a percentage, rounded half-up to 2 dp and held within 0..99.99."""
    band: RiskBand
    contributions: dict[str, float]
    """Weight (coefficient * feature value) of each model term that applies to the case, keyed by the
    term's name in the coefficients file; they add up to the logit of ``probability``."""


class PredictorScores(TypedDict):
    """Both variants of a linear predictor. Its headline score, the one practitioners see, is the dynamic
    one when there is one, else the static."""

    static: Score | None
    dynamic: Score | None


class DirectContactSexualScore(TypedDict):
    points: int
    probability: float
    score: float
    band: RiskBand


class IndirectContactSexualScore(TypedDict):
    probability: float
    score: float
    band: RiskBand


class CombinedSeriousScore(TypedDict):
    score: float
    band: RiskBand
    type: ScoreType
    """The SVRP variant the score is built on."""


# Keys as in the JSON, hence the functional form.
class Ogrs3Score(TypedDict):
    oneYear: int
    twoYear: int
    band: RiskBand


class FieldError(TypedDict):
    field: str
    """The request field (camelCase) at fault."""
    message: str


class ScreeningError(TypedDict):
    """A screening tool's validation error, in the Ministry's shape (SCREENING.md §1.3)."""

    type: str
    """The Ministry's error type, e.g. ``MISSING_MANDATORY_INPUT``."""
    message: str
    fields: list[str]
    """Usually request fields (camelCase), in the Ministry's order."""


# The screening tools' blocks carry the Ministry's keys, in its order, every one written out (SCREENING.md).
class MaturityScreening(TypedDict):
    """MST: the psychosocial maturity of men aged 18 to 25."""

    maturityScore: int | None
    maturityFlag: bool | None
    isMstApplicable: bool | None
    validationError: list[ScreeningError]


class LearningDisabilityScreening(TypedDict):
    """LDS: 0, 1 or 2, higher meaning more indication of learning disabilities or challenges."""

    ldsScore: int | None
    validationError: list[ScreeningError]


class PersonalityDisorderScreening(TypedDict):
    """OPD: screened in or out of the Offender Personality Disorder pathway."""

    opdCheck: bool
    """Whether the screening was carried out."""
    opdOverride: bool | None
    """The request's ``applyOPDOverride`` (absent: false) when scored and screened out; informational."""
    opdResult: OpdResult | None
    validationError: list[ScreeningError]


class ProgrammeNeeds(TypedDict):
    """PNI: the intensity of accredited programme needed."""

    pniPathway: PniPathway
    validationError: list[ScreeningError]
    """Also lists the answers missing when a pathway was nonetheless decided."""


class RiskCalculationResult(BaseModel):
    """Every predictor's score, or ``None`` with the reasons in ``errors``; and every screening tool's
    result, with its own reasons in its block."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, serialize_by_alias=True, frozen=True
    )

    model_version: str
    all_reoffending: Annotated[PredictorScores, SkipValidation]
    violent_reoffending: Annotated[PredictorScores, SkipValidation]
    serious_violent_reoffending: Annotated[PredictorScores, SkipValidation]
    direct_contact_sexual: Annotated[DirectContactSexualScore | None, SkipValidation]
    indirect_contact_sexual: Annotated[IndirectContactSexualScore | None, SkipValidation]
    rsr: Annotated[CombinedSeriousScore | None, SkipValidation]
    ogrs3: Annotated[Ogrs3Score | None, SkipValidation]
    mst: Annotated[MaturityScreening, SkipValidation]
    lds: Annotated[LearningDisabilityScreening, SkipValidation]
    opd: Annotated[PersonalityDisorderScreening, SkipValidation]
    pni: Annotated[ProgrammeNeeds, SkipValidation]
    errors: Annotated[list[FieldError], SkipValidation]

    @classmethod
    def of_blocks(cls, blocks: dict[str, Any]) -> Self:
        """The result of blocks the calculator built, ``blocks`` holding every field by name, unvalidated.

        What ``model_construct`` stores, without its Python loop over the fields (resolving aliases and
        defaults, none of which apply here), through the slots pydantic itself uses. Per result, in
        instructions: validating, even fields that skip validation, ~15k; ``model_construct`` ~60k; passing
        thirteen keyword arguments ~7k; this ~5k.
        """
        result = _new(cls)
        _set_dict(result, blocks)
        # Every result has every field set, so one set serves them all: pydantic copies it before changing.
        _set_fields_set(result, _EVERY_FIELD)
        _set_extra(result, None)
        _set_private(result, None)
        return result


# The attributes pydantic sets on a model it constructs, set through BaseModel's own slots: reading them off
# the model class goes through its metaclass's __getattr__, and object.__setattr__ looks each name up again.
_new = object.__new__
_set_dict = vars(BaseModel)["__dict__"].__set__
_set_fields_set = vars(BaseModel)["__pydantic_fields_set__"].__set__
_set_extra = vars(BaseModel)["__pydantic_extra__"].__set__
_set_private = vars(BaseModel)["__pydantic_private__"].__set__
_EVERY_FIELD = set(RiskCalculationResult.model_fields)

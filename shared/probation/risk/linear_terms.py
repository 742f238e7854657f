"""Each ARP, VRP and SVRP model's terms (SPEC §4) as a Python function generated from its coefficients.

Why generated: scoring the six variants was the calculator's largest cost, most of it spent reading
coefficients off the model's records and testing which terms a model has, for every request. The
function generated here, once per model version and sex, has each coefficient inlined as a constant and
only the terms its model has; it works out the features its static and dynamic variants share (which
sanction and violence terms apply, the Copas rates) once for both, and builds both contributions dicts.

Safety and exactness: the source is generated from the coefficient file alone, never from a request.
Each term is the same expression, over the same binary64 values (a float's ``repr`` reads back as that
float), in the same order as before, so the contributions, their ``fsum`` and every score are unchanged.
``render`` returns the source, to read or to test.
"""

import json
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    # Only for types: coefficients builds its models with this module's functions.
    from probation.risk.coefficients import LinearModel


class NeedsFeatures(Protocol):
    """The dynamic variant's features (``reoffending.DynamicInputs``)."""

    @property
    def oasys_values(self) -> tuple[int, ...]: ...
    @property
    def drugs(self) -> tuple[str, ...]: ...
    @property
    def previous_convictions(self) -> tuple[Any, ...]: ...


OASYS_VALUES = range(3)
"""What an OASys item of a dynamic model scores."""
Contributions = dict[str, float]
TermsFunction = Callable[
    [tuple["int | None", str, int, int, int, "int | None"], "NeedsFeatures | None"],
    tuple[Contributions, Contributions | None],
]
"""``((age_at_followup, offence_category, sanctions, years_since_first_sanction, months_in_community,
violent_sanctions), needs)`` → (static contributions, dynamic contributions or ``None`` without needs)."""


def _const(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"coefficient {value!r} is not finite")
    text = repr(float(value))
    return f"({text})" if text.startswith("-") else text


def _key(name: str) -> str:
    """A term name as a Python string literal (JSON's syntax, which Python reads the same)."""
    return json.dumps(name)


class _Writer:
    def __init__(self, name: str, oasys_item_count: int) -> None:
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"log": math.log}
        self.name = name
        self.oasys_item_count = oasys_item_count

    def line(self, indent: int, text: str) -> None:
        self.lines.append("    " * indent + text)

    def table(self, name: str, value: object) -> str:
        self.namespace[name] = value
        return name


def _variant(
    w: _Writer, d: str, variant: "LinearModel", female: bool, shared: set[str], polynomial_name: str
) -> None:
    """Lines (at indent 1) that build the contributions dict ``d`` of one variant, for one sex."""
    tag = d.upper()
    sex = variant.female if female else variant.male
    age = w.table(f"{tag}_AGE_WEIGHTS", sex.age_weights)
    poly = w.table(f"{tag}_AGE_POLY", sex.age_poly)
    category = w.table(f"{tag}_OFFENCE_CATEGORY", dict(variant.offence_category))
    limit = len(sex.age_weights)
    w.line(1, f"{d} = {{")
    w.line(2, f'"intercept": {_const(variant.intercept)},')
    w.line(2, f"{_key(sex.age_term)}: {age}[age] if age < {limit} else {polynomial_name}({poly}, age),")
    w.line(2, f'"offence_category": {category}[category],')
    w.line(2, f'"sanction_occasions": {_const(variant.sanction_occasions)} * sanctions,')
    if sex.female is not None:
        w.line(2, f'"female": {_const(sex.female)},')
    w.line(1, "}")
    w.line(1, "if sanctions == 1:")
    w.line(2, f'{d}["first_sanction"] = {_const(variant.first_sanction)}')
    w.line(1, "elif sanctions == 2:")
    w.line(2, f'{d}["second_sanction"] = {_const(variant.second_sanction)}')
    w.line(2, "if years:")
    w.line(3, f"{d}[{_key(sex.gap_term)}] = {_const(sex.gap)} * years")
    w.line(1, "else:")
    copas = f"copas_{variant.copas_offset}"
    if copas not in shared:
        w.line(2, f"{copas} = log(sanctions / (years + {variant.copas_offset}))")
        shared.add(copas)
    w.line(2, f'{d}["copas_rate"] = {_const(sex.copas_rate)} * {copas}')
    if sex.copas_rate_squared is not None:
        w.line(2, f'{d}["copas_rate_squared"] = {_const(sex.copas_rate_squared)} * {copas} * {copas}')
    months = w.table(f"{tag}_OFFENCE_FREE_MONTHS", variant.offence_free_months_weights)
    cap = variant.offence_free_months_cap
    w.line(1, "if months:")
    w.line(2, f'{d}["offence_free_months_poly"] = {months}[months if months < {cap} else {cap}]')
    violence = sex.violence
    if violence is not None:
        never, once, per_sanction, rate = (
            violence.never_violent,
            violence.once_violent,
            violence.violent_sanctions,
            violence.violent_rate,
        )
        offset = violence.rate_offset
        w.line(1, "if violent is not None:")
        w.line(2, "if violent == 0:")
        w.line(3, f'{d}["never_violent"] = {_const(never)}')
        w.line(2, "else:")
        w.line(3, "if violent == 1:")
        w.line(4, f'{d}["once_violent"] = {_const(once)}')
        w.line(3, f'{d}["violent_sanctions"] = {_const(per_sanction)} * violent')
        violent_rate = f"violent_rate_{offset}"
        if violent_rate not in shared:
            w.line(3, f"{violent_rate} = log(violent / (years + {offset}))")
            shared.add(violent_rate)
        w.line(3, f'{d}["violent_rate"] = {_const(rate)} * {violent_rate}')


def _needs(w: _Writer, d: str, variant: "LinearModel") -> None:
    """Lines (at indent 1) that add the OASys, drug and previous-conviction terms to ``d``."""
    if variant.oasys_items:
        # Unpacked at once, the values cost a third of reading each by its index.
        w.line(
            1,
            f"{', '.join(f'item_{position}' for position in range(w.oasys_item_count))} = needs.oasys_values",
        )
    for position, item, coefficient in variant.oasys_items:
        # An item scores 0, 1 or 2 (SPEC §2.2): its contribution is read from the products worked out
        # here, the same binary64 values, where multiplying would build a float (~200 instructions).
        products = ", ".join(_const(coefficient * value) for value in OASYS_VALUES)
        w.line(1, f"if item_{position}:")
        w.line(2, f"{d}[{_key(item)}] = ({products})[item_{position}]")
    for group, attribute, mapping in (
        ("DRUGS", "drugs", variant.drugs),
        ("PREVIOUS_CONVICTIONS", "previous_convictions", variant.previous_convictions),
    ):
        if mapping:
            table = w.table(f"{d.upper()}_{group}", dict(mapping))
            w.line(1, f"for feature in needs.{attribute}:")
            w.line(2, f"if feature in {table}:")
            w.line(3, f"term, coefficient = {table}[feature]")
            w.line(3, f"{d}[term] = coefficient")


def render(
    name: str,
    static: "LinearModel",
    dynamic: "LinearModel",
    female: bool,
    polynomial: Callable[[tuple[float, ...], int], float],
    oasys_item_count: int,
) -> tuple[str, dict[str, Any]]:
    """The source of the terms function ``name`` of one predictor's two variants for one sex, and the
    tables it reads. ``needs.oasys_values`` will hold ``oasys_item_count`` values."""
    w = _Writer(name, oasys_item_count)
    polynomial_name = w.table("polynomial", polynomial)
    w.line(0, f"def {name}(features, needs):")
    w.line(1, '"""Generated by probation.risk.linear_terms from the coefficient file; see there."""')
    w.line(1, "age, category, sanctions, years, months, violent = features")
    shared: set[str] = set()
    _variant(w, "static", static, female, shared, polynomial_name)
    w.line(1, "if needs is None:")
    w.line(2, "return static, None")
    _variant(w, "dynamic", dynamic, female, shared, polynomial_name)
    _needs(w, "dynamic", dynamic)
    w.line(1, "return static, dynamic")
    return "\n".join(w.lines) + "\n", w.namespace


def generate(
    name: str,
    static: "LinearModel",
    dynamic: "LinearModel",
    female: bool,
    polynomial: Callable[[tuple[float, ...], int], float],
    oasys_item_count: int,
) -> TermsFunction:
    """The terms function of one predictor and sex, compiled from ``render``'s source."""
    source, namespace = render(name, static, dynamic, female, polynomial, oasys_item_count)
    exec(compile(source, f"<linear_terms {name}>", "exec"), namespace)  # noqa: S102 - from coefficients only
    function: TermsFunction = namespace[name]
    return function

"""The generated terms functions (probation.risk.linear_terms) against the interpreted terms they replace:
the same contributions, with the same floats in the same order, so that fsum and every score are unchanged."""

import itertools
import math
from dataclasses import replace
from types import SimpleNamespace

import pytest

from probation.risk.coefficients import (
    AGE_LIMIT,
    OASYS_ITEMS,
    LinearModel,
    ReoffendingModel,
    load_model,
    polynomial,
)
from probation.risk.enums import PreviousConviction
from probation.risk.linear_terms import render

PREDICTORS = ("all_reoffending", "violent_reoffending", "serious_violent_reoffending")


def interpreted(
    model: LinearModel,
    female: bool,
    age: int,
    category: str,
    sanctions: int,
    years: int,
    months: int,
    violent: int | None,
    needs: SimpleNamespace | None,
) -> dict[str, float]:
    """The contributions as reoffending computed them before they were generated."""
    sex = model.female if female else model.male
    terms = {
        "intercept": model.intercept,
        sex.age_term: sex.age_weights[age] if age < AGE_LIMIT else polynomial(sex.age_poly, age),
        "offence_category": model.offence_category[category],
        "sanction_occasions": model.sanction_occasions * sanctions,
    }
    if sex.female is not None:
        terms["female"] = sex.female
    if sanctions == 1:
        terms["first_sanction"] = model.first_sanction
    elif sanctions == 2:
        terms["second_sanction"] = model.second_sanction
        if years:
            terms[sex.gap_term] = sex.gap * years
    else:
        copas = math.log(sanctions / (years + model.copas_offset))
        terms["copas_rate"] = sex.copas_rate * copas
        if sex.copas_rate_squared is not None:
            terms["copas_rate_squared"] = sex.copas_rate_squared * copas * copas
    if months:
        cap = model.offence_free_months_cap
        terms["offence_free_months_poly"] = model.offence_free_months_weights[months if months < cap else cap]
    violence = sex.violence
    if violence is not None and violent is not None:
        if violent == 0:
            terms["never_violent"] = violence.never_violent
        else:
            if violent == 1:
                terms["once_violent"] = violence.once_violent
            terms["violent_sanctions"] = violence.violent_sanctions * violent
            terms["violent_rate"] = violence.violent_rate * math.log(violent / (years + violence.rate_offset))
    if needs is not None:
        for position, item, coefficient in model.oasys_items:
            if needs.oasys_values[position]:
                terms[item] = coefficient * needs.oasys_values[position]
        for drug in needs.drugs:
            if drug in model.drugs:
                term, value = model.drugs[drug]
                terms[term] = value
        for conviction in needs.previous_convictions:
            if conviction in model.previous_convictions:
                term, value = model.previous_convictions[conviction]
                terms[term] = value
    return terms


NEEDS = (
    SimpleNamespace(oasys_values=(0,) * 14, drugs=(), previous_convictions=()),
    SimpleNamespace(
        oasys_values=(1, 2, 2, 1, 2, 2, 1, 2, 1, 2, 2, 2, 1, 2),
        drugs=("heroin", "cannabis", "other_drugs", "steroids"),
        previous_convictions=tuple(PreviousConviction),
    ),
    SimpleNamespace(
        oasys_values=(0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1),
        drugs=("crack_cocaine",),
        previous_convictions=tuple(reversed(PreviousConviction)),
    ),
)


@pytest.mark.parametrize("predictor", PREDICTORS)
def test_generated_terms_are_the_interpreted_terms(predictor: str) -> None:
    model: ReoffendingModel = getattr(load_model("V1_0"), predictor)
    categories = list(model.static.offence_category)[::5]
    for female, age, category, sanctions, years, months, violent in itertools.product(
        (False, True), (18, 45, 109, 112), categories, (1, 2, 3, 40), (0, 1, 9), (0, 7, 500), (None, 0, 1, 6)
    ):
        features = (age, category, sanctions, years, months, violent)
        generated = model.female_terms if female else model.male_terms
        for needs in (None, *NEEDS):
            static, dynamic = generated(features, needs)
            expected = interpreted(model.static, female, *features, None)
            assert list(static.items()) == list(expected.items())
            if needs is None:
                assert dynamic is None
            else:
                assert dynamic is not None
                assert list(dynamic.items()) == list(
                    interpreted(model.dynamic, female, *features, needs).items()
                )


def test_the_source_is_the_coefficients_and_nothing_else() -> None:
    model = load_model("V1_0").all_reoffending
    source, namespace = render("arp_male", model.static, model.dynamic, False, polynomial, len(OASYS_ITEMS))
    assert source.startswith("def arp_male(features, needs):\n")
    assert f'"intercept": {model.static.intercept!r},' in source
    assert namespace["STATIC_AGE_WEIGHTS"] is model.static.male.age_weights
    with pytest.raises(ValueError, match="not finite"):
        render(
            "bad",
            replace(model.static, intercept=math.nan),
            model.dynamic,
            False,
            polynomial,
            len(OASYS_ITEMS),
        )

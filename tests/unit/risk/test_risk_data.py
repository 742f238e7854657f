"""The versioned data files and the tables the calculator builds from them."""

import csv
import io
from importlib import resources

import pytest

from probation.risk import available_versions, latest_version
from probation.risk.coefficients import DRUGS, OASYS_ITEMS, load_model
from probation.risk.reoffending import DRUG_FLAGS

from .reference import PREDICTORS, direct_contact_probability, percent


def test_the_model_version_comes_from_the_data_file_name() -> None:
    assert available_versions() == ("V1_0",)
    assert latest_version() == "V1_0"
    assert load_model("V1_0").version == "V1_0"


def test_every_mapped_offence_category_has_a_weight_in_every_model() -> None:
    text = (
        resources.files("probation.risk.data").joinpath("offence_categories.csv").read_text(encoding="utf-8")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3039
    categories = {row["actuarial_category"] for row in rows} - {"UNKNOWN"}
    for predictor in ("all_reoffending", "violent_reoffending", "serious_violent_reoffending"):
        for variant in ("static", "dynamic"):
            assert categories == set(PREDICTORS[predictor][variant]["offence_category"]), (predictor, variant)


def test_every_drug_and_oasys_item_a_model_may_use_is_read_from_the_request() -> None:
    assert set(DRUG_FLAGS) == set(DRUGS)
    for predictor in PREDICTORS.values():
        for variant in ("static", "dynamic"):
            block = predictor.get(variant, {})
            assert set(block.get("oasys_items", {})) <= set(OASYS_ITEMS)
            assert set(block.get("drugs", {})) <= DRUGS


@pytest.mark.parametrize("points", range(65))
def test_direct_contact_table_matches_the_formula(points: int) -> None:
    model = load_model("V1_0").direct_contact_sexual
    assert model.probability_by_points[points] == pytest.approx(direct_contact_probability(points), rel=1e-14)
    assert model.percent_by_points[points] == percent(direct_contact_probability(points))


def test_polynomial_tables_match_the_polynomials() -> None:
    model = load_model("V1_0").all_reoffending.static
    ages = PREDICTORS["all_reoffending"]["static"]["male_age_poly"]
    months = PREDICTORS["all_reoffending"]["static"]["offence_free_months_poly"]
    assert model.male.age_weights[45] == pytest.approx(
        sum(c * 45 ** (i + 1) for i, c in enumerate(ages)), rel=1e-13
    )
    assert model.offence_free_months_weights[36] == pytest.approx(
        sum(c * 36 ** (i + 1) for i, c in enumerate(months)), rel=1e-13
    )
    assert len(model.offence_free_months_weights) == 37

"""The result model as the calculator builds it, unvalidated, against the same blocks validated."""

import pytest

from probation.risk import RiskCalculationResult

from .builders import SEXUAL_HISTORY, score


def test_a_result_of_blocks_is_the_validated_result() -> None:
    built = score(SEXUAL_HISTORY)
    blocks = dict(built)

    validated = RiskCalculationResult(**blocks)

    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")


def test_a_result_of_blocks_needs_every_field_by_name() -> None:
    blocks = dict(score())
    del blocks["errors"]

    with pytest.raises(TypeError, match="every field"):
        RiskCalculationResult.of_blocks(**blocks)
    with pytest.raises(TypeError, match="every field"):
        RiskCalculationResult.of_blocks(**blocks, errors=[], unknown=None)

"""The result model as the calculator builds it, unvalidated, against the same blocks validated."""

import pytest

from probation.risk import RiskCalculationResult

from .builders import SEXUAL_HISTORY, score


@pytest.mark.parametrize("changes", [SEXUAL_HISTORY, {"version": "V0_0"}], ids=["scored", "unknown version"])
def test_a_result_of_blocks_is_the_validated_result(changes: dict[str, object]) -> None:
    built = score(changes)

    validated = RiskCalculationResult(**dict(built))

    assert built.model_fields_set == validated.model_fields_set == set(RiskCalculationResult.model_fields)
    assert built == validated
    assert built.model_dump_json() == validated.model_dump_json()
    assert built.model_dump(mode="json") == validated.model_dump(mode="json")


def test_a_copy_of_one_result_changes_no_other() -> None:
    # Results share one set of field names; a copy that adds to its own set must not add to theirs.
    first, second = score(SEXUAL_HISTORY), score({})

    changed = first.model_copy(update={"model_version": "V9_9", "not_a_field": 1})

    assert changed.model_version == "V9_9"
    assert "not_a_field" in changed.model_fields_set
    assert first.model_fields_set == second.model_fields_set == set(RiskCalculationResult.model_fields)
    assert first.model_version == second.model_version != "V9_9"

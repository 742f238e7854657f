"""Every screening tool that fails unexpectedly answers its block with one UNEXPECTED_ERROR rather than
raise (SCREENING.md §1.3), whichever part of it fails."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from probation.risk import RiskCalculationRequest
from probation.risk.screening.lds import learning_disability_screening
from probation.risk.screening.mst import maturity_screening
from probation.risk.screening.opd import personality_disorder_screening
from probation.risk.screening.pni import NO_CONTEXT, programme_needs

from .builders import BASE_CASE

TOOLS: list[tuple[Callable[[RiskCalculationRequest], Any], dict[str, Any]]] = [
    (
        lambda request: maturity_screening(request, date(2025, 1, 1)),
        {"maturityScore": None, "maturityFlag": None, "isMstApplicable": None},
    ),
    (learning_disability_screening, {"ldsScore": None}),
    (personality_disorder_screening, {"opdCheck": False, "opdOverride": None, "opdResult": None}),
    (lambda request: programme_needs(request, NO_CONTEXT), {"pniPathway": "OMISSION"}),
]


@pytest.mark.parametrize(("tool", "failed_block"), TOOLS)
def test_a_tool_that_cannot_read_its_request_answers_one_unexpected_error(
    tool: Callable[[RiskCalculationRequest], Any], failed_block: dict[str, Any]
) -> None:
    request = RiskCalculationRequest.model_validate(BASE_CASE)
    request.__dict__.clear()  # every field read now raises, wherever the tool reads it

    result = tool(request)

    errors = result["validationError"]
    assert result == {**failed_block, "validationError": errors}
    assert len(errors) == 1
    assert errors[0]["type"] == "UNEXPECTED_ERROR"
    assert errors[0]["message"].startswith(
        "Unexpected error thrown during calculation, see logs for further details: "
    )
    assert errors[0]["fields"] == []

"""The screening tools read their answers as attributes, written out beside the lists of field names that
their errors report: these tests set one field at a time and check that the name reported, or not
reported, is that field's, so a reordered or mistyped read cannot pass."""

from typing import Any

import pytest

from probation.risk import RiskCalculationRequest
from probation.risk.enums import ProblemLevel, YesSometimesNo
from probation.risk.request import field_values
from probation.risk.screening import mst, opd, pni

SOME = ProblemLevel.SOME_PROBLEMS


def _answer(field: str) -> Any:
    """An answer of the field's own type."""
    if field == "awarenessOfConsequences":
        return YesSometimesNo.SOMETIMES
    return True if field.startswith("has") else SOME


@pytest.mark.parametrize("domain", pni.DOMAINS, ids=lambda domain: domain.name)
def test_each_pni_domain_reads_its_own_fields(domain: pni.Domain) -> None:
    for answered in domain.fields:
        request = RiskCalculationRequest.model_validate(
            {answered: SOME, "hasEverCommittedSexualOffence": True}
        )
        for view in (request, field_values(request)):
            scores = pni.domain_scores(view)[pni.DOMAINS.index(domain)]
            assert scores.missing == tuple(field for field in domain.fields if field != answered), answered


def test_mst_reports_the_answers_missing_by_their_own_names() -> None:
    for answered in mst.ANSWER_FIELDS:
        request = RiskCalculationRequest.model_validate(
            {answered: _answer(answered), "gender": "MALE", "dateOfBirth": "2004-01-01"}
        )
        (error,) = mst.validation_errors(field_values(request))
        assert error["fields"] == [field for field in mst.ANSWER_FIELDS if field != answered], answered


def test_opd_reports_the_required_fields_missing_by_their_own_names() -> None:
    given = {
        "gender": "MALE",
        "overallRiskForAssessment": "HIGH",
        "highestRiskLevelOverAllAssessments": "HIGH",
        "currentOffenceCode": "02700",
        "hasCustodialSentence": True,
    }
    assert tuple(given) == opd.REQUIRED_FIELDS
    for absent in opd.REQUIRED_FIELDS:
        request = RiskCalculationRequest.model_validate({k: v for k, v in given.items() if k != absent})
        missing = [
            field
            for error in opd.validation_errors(field_values(request))
            if error["type"] == "MISSING_MANDATORY_INPUT"
            for field in error["fields"]
        ]
        assert missing[:1] == [absent], absent

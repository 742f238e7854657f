import json

import pytest

from probation.api.problems import PROBLEM_JSON, field_path, problem
from probation.domain.errors import FieldError


@pytest.mark.parametrize(
    ("location", "path"),
    [
        (("lastName",), "lastName"),
        (("offences", 0, "offenceCode"), "offences[0].offenceCode"),
        (("sentence", "requirements", 2, "length"), "sentence.requirements[2].length"),
        ((), "body"),
    ],
)
def test_field_paths_read_like_json(location: tuple[str | int, ...], path: str) -> None:
    assert field_path(location) == path


def test_a_problem_is_rfc_9457_json_with_the_fields_named() -> None:
    response = problem(
        422, "bad", slug="invalid-input", instance="/cases", errors=[FieldError("gender", "bad")]
    )
    body = json.loads(str(response.body))
    assert response.status_code == 422
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert body == {
        "type": "https://probation.justice.example/problems/invalid-input",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "bad",
        "instance": "/cases",
        "errors": [{"field": "gender", "message": "bad"}],
    }

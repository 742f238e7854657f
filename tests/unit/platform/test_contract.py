from typing import Any

import pytest

from probation.api.contract import document_edge, statuses


@pytest.mark.parametrize(
    ("method", "path", "operation", "expected"),
    [
        ("get", "/health", {"security": []}, [422, 429]),
        ("get", "/cases", {}, [401, 403, 422, 429]),
        ("get", "/cases/{crn}", {}, [401, 403, 404, 422, 429]),
        ("post", "/cases", {"requestBody": {}}, [400, 401, 403, 409, 412, 413, 415, 422, 428, 429]),
        ("delete", "/cases/{crn}/registrations/{id}", {}, [401, 403, 404, 409, 412, 422, 428, 429]),
    ],
)
def test_an_operation_documents_the_problems_it_can_answer_with(
    method: str, path: str, operation: dict[str, Any], expected: list[int]
) -> None:
    assert statuses(method, operation, path) == expected


def test_problems_replace_the_validation_shape_the_platform_never_sends() -> None:
    validation_error = {"content": {"application/json": {"schema": {"$ref": "#/x"}}}}
    spec: dict[str, Any] = {
        "paths": {"/cases/{crn}": {"get": {"responses": {"200": {}, "422": validation_error}}}},
        "components": {"schemas": {"HTTPValidationError": {}}},
    }

    documented = document_edge(spec)

    responses = documented["paths"]["/cases/{crn}"]["get"]["responses"]
    assert set(responses) == {"200", "401", "403", "404", "422", "429"}
    assert responses["404"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
    }
    assert "HTTPValidationError" not in documented["components"]["schemas"]
    assert spec["paths"]["/cases/{crn}"]["get"]["responses"]["422"] == validation_error, "input unchanged"


def test_every_operation_declares_the_correlation_header_it_may_send() -> None:
    spec: dict[str, Any] = {"paths": {"/health": {"get": {"security": []}}, "/cases": {"post": {}}}}

    documented = document_edge(spec)

    for item in documented["paths"].values():
        for operation in item.values():
            assert {(p["name"], p["in"], p["required"]) for p in operation["parameters"]} == {
                ("X-Correlation-Id", "header", False)
            }


def test_a_patch_takes_json_merge_patch_as_well_as_json() -> None:
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/CasePatch"}}}}
    spec: dict[str, Any] = {
        "paths": {"/cases/{crn}": {"patch": {"requestBody": body}, "post": {"requestBody": body}}}
    }

    documented = document_edge(spec)["paths"]["/cases/{crn}"]

    patch_content = documented["patch"]["requestBody"]["content"]
    assert set(patch_content) == {"application/json", "application/merge-patch+json"}
    assert patch_content["application/merge-patch+json"] == patch_content["application/json"]
    assert set(documented["post"]["requestBody"]["content"]) == {"application/json"}, (
        "only a PATCH is a patch"
    )

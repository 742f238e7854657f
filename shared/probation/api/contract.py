"""What the HTTP edge every function shares adds to the OpenAPI contract Powertools generates: every
problem+json response an operation can give, the correlation header every operation reads, and JSON Merge
Patch beside JSON on every PATCH.

Powertools documents only the success response and its own 422 shape; clients (and the fuzzing suite) need
to know every status an operation answers with, in the RFC 9457 shape the platform actually sends.
"""

import copy
from typing import Any

from probation.api.http import CORRELATION_HEADER, MERGE_PATCH_JSON
from probation.api.problems import PROBLEM_JSON, header_name

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` names each field that was not valid.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_CORRELATION_PARAMETER = {
    "name": CORRELATION_HEADER,
    "in": "header",
    "required": False,
    "description": "Your id for the request, quoted back in the response and in every log line and event it "
    "leads to; without one, API Gateway's request id",
    "schema": {"type": "string"},
}
_WRITES = {"post", "put", "patch", "delete"}

_DESCRIPTIONS = {
    400: "The body is not valid JSON, or nests deeper than the API reads",
    401: "No valid bearer token",
    403: "The caller's role or scopes do not allow this",
    404: "No such resource, or not one the caller may see",
    409: "Conflicts with the resource's state, or the same Idempotency-Key is still in flight",
    412: "If-Match names a version that is no longer current; the ETag header gives the current one",
    413: "The body is larger than the API reads",
    415: "The body is not sent as JSON",
    422: "A field is not valid; `errors` names each one",
    428: "If-Match is required to change this resource",
    429: "Over the request rate or quota; retry after Retry-After seconds",
}


def statuses(method: str, operation: dict[str, Any], path: str) -> list[int]:
    """The problem statuses ``operation`` can answer with, from what it takes and whether it writes."""
    found = {422, 429}
    if operation.get("security", [{}]):
        found |= {401, 403}
    if "{" in path:
        found.add(404)
    if "requestBody" in operation:
        found |= {400, 413, 415}
    if method in _WRITES:
        found |= {409, 412, 428}
    return sorted(found)


def document_edge(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with what every operation shares documented: its problem responses (one shared ``Problem``
    schema), the correlation header, and a PATCH's body as JSON Merge Patch (RFC 7396) as well."""
    documented = copy.deepcopy(spec)
    schemas = documented.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas.pop("HTTPValidationError", None)
    for path, item in documented.get("paths", {}).items():
        for method, operation in item.items():
            parameters = operation.setdefault("parameters", [])
            for parameter in parameters:
                if parameter["in"] == "header":
                    parameter["name"] = header_name(parameter["name"])
            parameters.append(_CORRELATION_PARAMETER)
            content = operation.get("requestBody", {}).get("content", {})
            if method == "patch" and "application/json" in content:
                merge_patch = {**content, MERGE_PATCH_JSON: content["application/json"]}
                operation["requestBody"] = {**operation["requestBody"], "content": merge_patch}
            responses = operation.setdefault("responses", {})
            for status in statuses(method, operation, path):
                responses[str(status)] = {
                    "description": _DESCRIPTIONS[status],
                    "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}},
                }
    return documented

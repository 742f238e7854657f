"""One OpenAPI 3.1 document for all functions, generated from their code; `openapi.json` is the contract."""

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer

from infrastructure.template import ROOT, Template
from probation.api.contract import document_edge

CONTRACT = ROOT / "openapi.json"
TITLE = "Probation casework platform"
VERSION = "1.0.0"
LOCAL_ONLY_PARAMETERS = {"TokenIssuer": "local", "TokenAudience": "local", "JwksUrl": "local"}


def merged_spec(template: Template | None = None) -> dict[str, Any]:
    template = template or Template.load(LOCAL_ONLY_PARAMETERS)
    merger = OpenAPIMerge(
        title=TITLE,
        version=VERSION,
        description="Case records, risk scoring, OASys pre-fill, allocation and the partner gateway.",
        security_schemes={"bearer": HTTPBearer(bearerFormat="JWT")},
        security=[{"bearer": []}],
        on_conflict="error",
    )
    for function in template.functions():
        if not any(event["Type"] == "Api" for event in function.events.values()):
            continue
        resolver = importlib.import_module(function.module).app
        merger.add_schema(json.loads(resolver.get_openapi_json_schema(title=TITLE, version=VERSION)))
    spec: dict[str, Any] = json.loads(merger.get_openapi_json_schema())
    for operation in spec["paths"].get("/health", {}).values():
        operation["security"] = []
    return document_edge(spec)


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, sort_keys=True) + "\n"


def main() -> None:
    """Writes the contract file; `make openapi` runs this after an API change."""
    Path(CONTRACT).write_text(render(merged_spec()))
    sys.stdout.write(f"wrote {CONTRACT}\n")


if __name__ == "__main__":
    main()

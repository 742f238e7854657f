"""What the fork server preloads before it forks the execution environments."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# In a process of its own: the preload freezes the heap it leaves behind (gc.freeze).
CHECK = """
import importlib, json, os
from infrastructure.template import Template
template = Template.load({"Stage": "local"})
for spec in template.functions():
    for name, value in spec.environment.items():
        os.environ.setdefault(name, str(value))
for spec in template.functions():
    importlib.import_module(spec.module)
from probation.domain.model import ApiModel
models = [ApiModel]
for model in models:
    models.extend(model.__subclasses__())
before = sum(not model.__pydantic_complete__ for model in models)
import infrastructure.local.preload
after = sorted(model.__qualname__ for model in models if not model.__pydantic_complete__)
print(json.dumps({"models": len(models), "before": before, "after": after}))
"""


def test_every_api_model_s_validator_is_built_before_the_environments_are_forked() -> None:
    environment = {
        **os.environ,
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",  # never called
        "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'shared'}",
    }
    environment.pop("LOCAL_AWS_SOCKET", None)
    finished = subprocess.run(
        [sys.executable, "-c", CHECK],
        check=False,
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    found = json.loads(finished.stdout.strip().splitlines()[-1])
    assert found["before"] > 100, "the models defer building their validators, so there is something to build"
    assert found["after"] == []

# The two commands a newcomer runs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
# Where `make run` keeps what it records between runs (git-ignored).
DATA_DIR ?= .local
# checkov lives in a virtual environment of its own: its many pinned dependencies stay out of the
# project's. Its version is pinned too, so a new rule upstream cannot turn CI red overnight.
CHECKOV := .venv-checkov
CHECKOV_VERSION := 3.3.30
# The AWS SAM CLI builds the deployable artifact (`make package`), from a virtual environment of its own
# for the same reasons.
SAM := .venv-sam
SAM_VERSION := 1.170.0
# What `make package` writes (git-ignored): build/template.yaml names each function's and the layer's folder.
PACKAGE_DIR := .aws-sam
# The web app's npm packages (govuk-frontend, axe-core for the browser tests), as the lock file pins them.
WEB_STAMP := web/node_modules/.installed

.PHONY: run reset test lint typecheck security unit bench openapi package clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall whenever the project's dependencies change.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(WEB_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

run: $(STAMP) $(WEB_STAMP)
	PORT=$(PORT) $(BIN)/python -m infrastructure.local --data-dir $(DATA_DIR)

# Forgets what `make run` kept, then starts it empty, with fresh demo data.
reset: $(STAMP) $(WEB_STAMP)
	PORT=$(PORT) $(BIN)/python -m infrastructure.local --data-dir $(DATA_DIR) --reset

test: $(STAMP) $(WEB_STAMP) lint typecheck security
	$(BIN)/python -m pytest -n 2 --dist loadgroup

$(CHECKOV)/.installed:
	$(PYTHON) -m venv $(CHECKOV)
	$(CHECKOV)/bin/python -m pip install --quiet 'checkov==$(CHECKOV_VERSION)'
	touch $@

$(SAM)/.installed:
	$(PYTHON) -m venv $(SAM)
	$(SAM)/bin/python -m pip install --quiet 'aws-sam-cli==$(SAM_VERSION)'
	touch $@

# What the build is made of: the template and every file (and folder, for files removed) of the functions
# and the layer, without the bytecode Python leaves beside them.
PACKAGE_INPUTS = template.yaml $(shell find functions shared \( -name __pycache__ -o -name '*.egg-info' \) -prune -o -print)

# The stack built for arm64 (the template's architecture) without Docker: the layer's pinned requirements
# are downloaded as manylinux aarch64 wheels. It runs only when an input changed, and then --cached
# rebuilds only the functions or layer whose source or requirements changed.
package: $(PACKAGE_DIR)/build/template.yaml

$(PACKAGE_DIR)/build/template.yaml: $(SAM)/.installed $(PACKAGE_INPUTS)
	SAM_CLI_TELEMETRY=0 $(SAM)/bin/sam build --template-file template.yaml --build-dir $(PACKAGE_DIR)/build \
		--cache-dir $(PACKAGE_DIR)/cache --cached --parallel
	touch $@

# Every skip in template.yaml carries its reason inline.
security: $(CHECKOV)/.installed
	$(CHECKOV)/bin/checkov -f template.yaml --quiet --compact --skip-download

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Every benchmark runs and reports, even after one breaks its budget; then the target fails if any did.
# Each also records its figures in bench/results.json. dynamodb_calls quotes recommendation_calls' figure,
# so it runs after it (about 2½ minutes: it loads 20,000 cases into moto).
bench: $(STAMP)
	status=0; \
	$(BIN)/python -m bench.risk_calculator || status=1; \
	$(BIN)/python -m bench.recommendation_calls || status=1; \
	$(BIN)/python -m bench.dynamodb_calls || status=1; \
	$(BIN)/python -m bench.supervision_calls || status=1; \
	$(BIN)/python -m bench.cold_start || status=1; \
	$(BIN)/python -m bench.local_stack || status=1; \
	exit $$status

openapi: $(STAMP)
	$(BIN)/python -m infrastructure.openapi

clean:
	rm -rf $(VENV) $(CHECKOV) $(SAM) $(PACKAGE_DIR) .mypy_cache .ruff_cache .pytest_cache web/node_modules test-output

# Beauty Med Spa analytics: `make run` starts everything, `make test` checks everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
UI        := dashboard-ui
API_PORT  ?= 8000
UI_PORT   ?= 3000
export NEXT_TELEMETRY_DISABLED := 1
export API_PORT UI_PORT

.PHONY: help install install-py install-ui run test lint typecheck pytest ui-check e2e openapi bench db-start db-stop security hostile bench-stress load-test clean

help:
	@echo "make run      install, start the database, load data, serve API (:$(API_PORT)) and UI (:$(UI_PORT))"
	@echo "make test     every check: ruff, mypy, pytest, UI lint/typecheck/build, browser tests"
	@echo "make install  Python env in .venv/ and the UI's node_modules"
	@echo "make bench    benchmarks (writes docs/benchmarks.md); not part of make test"
	@echo "make security the security tests alone (roles, audit, database safety, HTTP hygiene, fuzzing)"
	@echo "make hostile  the longer hostile-input campaign (10,000 random cases, schemathesis at 500 examples per operation); not part of make test"
	@echo "make bench-stress  health and a cached query, idle and under a sign-in flood and heavy queries"
	@echo "make load-test  60 s at 50 users against a local API (bench/results/load.md); not part of make test"

install: install-py install-ui

install-py:
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen --quiet

install-ui:
	@if [ ! -d $(UI)/node_modules ] || [ $(UI)/package-lock.json -nt $(UI)/node_modules/.package-lock.json ]; then \
		cd $(UI) && npm ci --no-audit --no-fund --loglevel=error; fi

run: install
	@bash scripts/run.sh

db-start: install-py
	@$(BIN)/medspa db start

db-stop:
	@$(BIN)/medspa db stop

openapi: install-py
	$(BIN)/medspa openapi --out $(UI)/openapi.json
	cd $(UI) && npm run --silent gen:api

lint: install-py
	$(BIN)/ruff check .

typecheck: install-py
	$(BIN)/mypy semantic service models.py

pytest: install-py
	$(BIN)/pytest -q -p no:cacheprovider

ui-check: install-ui
	cd $(UI) && npm run --silent lint && npm run --silent typecheck && npm run --silent build

e2e: install
	@bash scripts/e2e.sh

# the UI's production build comes before pytest: tests/reliability runs `make run` and the UI's proxy with it
test: install lint typecheck ui-check pytest e2e

bench: install
	$(BIN)/python -m bench

security: install-py
	$(BIN)/pytest -q -p no:cacheprovider tests/security

HOSTILE_CASES ?= 10000
SCHEMATHESIS_EXAMPLES ?= 500
hostile: install-py
	HOSTILE_CASES=$(HOSTILE_CASES) SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider -s \
		tests/security/test_hostile.py tests/security/test_schemathesis.py tests/security/test_injection.py \
		tests/semantic/test_limits.py tests/api/test_db_failures.py 2>/dev/null  # stderr: the app's own request log

bench-stress: install
	$(BIN)/python bench/stress.py

LOAD_DURATION ?= 60
LOAD_USERS    ?= 50
load-test: install-py
	$(BIN)/python bench/load_test.py --duration $(LOAD_DURATION) --users $(LOAD_USERS)

clean:
	rm -rf $(UI)/.next .mypy_cache .ruff_cache .pytest_cache

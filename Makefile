# facetlake: every target creates what it needs first, so each works from a bare clone.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export FACETLAKE_LAKE ?= $(CURDIR)/lake
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_PROJECT_DIR := $(CURDIR)

.PHONY: setup demo build check test lint lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.8"

# The virtual environment is rebuilt whenever the lock file changes.
$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(UV) pip sync --quiet --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

setup: $(VENV)/.installed ## create .venv and install facetlake with pinned dependencies

lock: $(BIN)/python ## re-pin dependencies after editing pyproject.toml
	$(UV) pip compile --quiet --python $(BIN)/python --extra dev --python-version 3.11 pyproject.toml -o requirements.lock

demo: setup ## generate a demo lake if none exists, build it on DuckDB and print a summary
	$(BIN)/facetlake demo --lake $(FACETLAKE_LAKE)

build: setup ## build the dbt project on the existing lake (ENGINE=duckdb|trino)
	$(BIN)/facetlake build --lake $(FACETLAKE_LAKE) --engine $(or $(ENGINE),duckdb)

# The fast loop: the project's shape (manifest, macros, domains, imports), the rule parser, the CLI, the
# generator, and a 400-person x 4-day lake built for real on DuckDB (its dbt build runs the dbt unit tests)
# with its reconciliation and personal-data scans, plus the Dagster definitions loading.
CHECK_TESTS := tests/project tests/domains/test_rules.py tests/lake/test_cli.py tests/lake/test_generator.py \
	tests/lake/test_reconciliation.py tests/lake/test_personal_data.py tests/orchestration/test_dagster_definitions.py

check: setup lint ## the fast loop (about 2 minutes on 2 cores): lint, unit tests, dbt unit tests, a tiny-lake build
	$(BIN)/pytest -q --durations=5 $(CHECK_TESTS)

test: setup lint ## lint, then every test on real engines with small lakes
	$(BIN)/pytest -q --durations=20 tests

lint: setup ## sqlfluff (dbt templater) over models and macros, ruff over Python
	$(BIN)/ruff check src tests dashboards
	$(BIN)/ruff format --check src tests dashboards
	mkdir -p target/lint-lake/warehouse
	FACETLAKE_LAKE=$(CURDIR)/target/lint-lake $(BIN)/sqlfluff lint models --processes 2

bench: setup ## parse pass, full build, one day, crowd sizes on DuckDB and Trino -> BENCHMARKS.md (PERSONS=, DAYS=, ENGINE=)
	$(BIN)/facetlake bench --persons $(or $(PERSONS),100000) --days $(or $(DAYS),30) \
		$(if $(ENGINE),--engine $(ENGINE),--engine duckdb --engine trino)

clean:
	rm -rf $(VENV) target logs lake

# --- Superset: its own virtual environment (Superset 6.1 pins SQLAlchemy 1.4 and pandas 2.1) --------------
SUPERSET_VENV := .venv-superset
SUPERSET_PORT ?= 8088
.PHONY: superset-setup superset superset-lock browser-setup

$(SUPERSET_VENV)/.installed: dashboards/requirements-superset.lock | $(VENV)/.installed
	test -x $(SUPERSET_VENV)/bin/python || $(PYTHON) -m venv $(SUPERSET_VENV)
	$(UV) pip sync --quiet --python $(SUPERSET_VENV)/bin/python dashboards/requirements-superset.lock
	touch $@

superset-lock: setup ## re-pin Superset's environment after editing dashboards/requirements-superset.in
	$(UV) pip compile --quiet --python-version 3.11 dashboards/requirements-superset.in \
		-o dashboards/requirements-superset.lock

superset-setup: setup $(SUPERSET_VENV)/.installed ## Superset's environment, metadata database, admin and roles
	$(BIN)/python -m facetlake.superset setup --lake $(FACETLAKE_LAKE)

superset: setup $(SUPERSET_VENV)/.installed ## import dashboards/assets, then serve Superset on 127.0.0.1:8088
	$(BIN)/python -m facetlake.superset serve --lake $(FACETLAKE_LAKE) --port $(SUPERSET_PORT)

browser-setup: ## Debian's chromium for the browser tests (Playwright never downloads a browser here)
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)

.PHONY: trino-install trino-start trino-stop trino-status

trino-install: setup ## download Trino (server-core + hive, iceberg, memory, tpch plugins) into the cache
	$(BIN)/facetlake trino install

trino-start: setup ## start the lake's Trino node on 127.0.0.1 (port: FACETLAKE_TRINO_PORT, default 8080)
	$(BIN)/facetlake trino start --lake $(FACETLAKE_LAKE)

trino-stop: setup ## stop the lake's Trino node
	$(BIN)/facetlake trino stop --lake $(FACETLAKE_LAKE)

trino-status: setup ## is the lake's Trino node running? (the CLI exits 3 if not; make does not fail on that)
	$(BIN)/facetlake trino status --lake $(FACETLAKE_LAKE) || test $$? -eq 3

.PHONY: dagster
dagster: setup ## Dagster UI and daemon on 127.0.0.1:3000 for the lake (DAGSTER_HOME=<lake>/dagster; pyproject names the code location)
	DAGSTER_HOME=$$($(BIN)/python -m facetlake.orchestration.home --lake $(FACETLAKE_LAKE)) \
		$(BIN)/dagster dev -h 127.0.0.1 -p 3000

# adobe-status-exporter: `make demo` runs the exporter on its embedded simulator;
# `make test` installs what the tests need and runs lint plus the whole suite.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
DEMO_ADDRESS ?= 0.0.0.0:9720
LINT_PATHS := exporter tests $(wildcard bench)

.PHONY: help demo install dev lint format test test-fast bench sync-chart system-deps clean

help:
	@echo "make demo         run the exporter on the embedded simulator at http://localhost:9720"
	@echo "make test         lint + the whole test suite (needs promtool, prometheus, amtool, chromium, npm)"
	@echo "make bench        benchmarks at three scales and of --source feed, figures next to their targets"
	@echo "make sync-chart   copy the dashboard and alert rules into the Helm chart"
	@echo "make system-deps  apt-get install the Debian packages the tests use (as root)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,lint,bench]'
	@touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)
dev: $(DEV_STAMP)

demo: $(RUNTIME_STAMP)
	$(BIN)/adobe-status-exporter serve --demo --web.listen-address $(DEMO_ADDRESS)

lint: $(DEV_STAMP)
	helm/sync-chart.sh --check
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

test: lint
	$(BIN)/python -m pytest

# The fast unit tests only: no Prometheus, browser, Helm or npm.
test-fast: $(DEV_STAMP)
	$(BIN)/python -m pytest -m "not integration"

bench: $(DEV_STAMP)
	$(BIN)/python -m bench

sync-chart:
	helm/sync-chart.sh

system-deps:
	scripts/install-system-deps.sh

clean:
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis test-artifacts

# adobe-status-exporter: `make demo` runs the exporter on its embedded simulator; `make test`
# installs what the tests need and runs lint plus the whole suite. `make` alone lists the
# targets: every target carries a `## ` description, which `make help` prints.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
DEMO_ADDRESS ?= 127.0.0.1:9720
SOAK_MINUTES ?= 4
LINT_PATHS := exporter tests $(wildcard bench)

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lint format bench soak mutation golden install dev sync-chart system-deps clean

help: ## list the targets (also what `make` alone does)
	@awk 'BEGIN { FS = ":.*## " } /^[a-z][a-z-]*:.*## / { printf "make %-12s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

demo: $(RUNTIME_STAMP) ## run the exporter on its embedded Adobe simulator at http://127.0.0.1:9720 (DEMO_ADDRESS=0.0.0.0:9720 to listen on every interface)
	@echo "demo: http://$(DEMO_ADDRESS)/metrics and http://$(DEMO_ADDRESS)/ (it stays in the foreground: Ctrl-C stops it)"
	$(BIN)/adobe-status-exporter serve --demo --web.listen-address $(DEMO_ADDRESS) || { code=$$?; \
	  [ $$code -ne 2 ] || echo "make demo: DEMO_ADDRESS=$(DEMO_ADDRESS) is the --web.listen-address above; choose another with make demo DEMO_ADDRESS=127.0.0.1:9730" >&2; \
	  exit $$code; }

test: system-deps lint ## install the test tools if missing, then lint and the whole suite
	$(BIN)/python -m pytest

test-fast: $(DEV_STAMP) ## the unit tests only: no Prometheus, Alertmanager, browser, Helm or npm
	$(BIN)/python -m pytest -m "not integration"

lint: $(DEV_STAMP) ## chart drift check, ruff check, ruff format --check, mypy --strict
	helm/sync-chart.sh --check
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)
	$(BIN)/mypy

format: $(DEV_STAMP) ## ruff check --fix and ruff format
	$(BIN)/ruff check --fix $(LINT_PATHS)
	$(BIN)/ruff format $(LINT_PATHS)

bench: $(DEV_STAMP) ## benchmarks at three scales, each figure next to its target (and of --source feed)
	$(BIN)/python -m bench

soak: $(DEV_STAMP) ## minutes of rotating faults on every endpoint, both sources, concurrent scrapers; figures beside bounds (SOAK_MINUTES=4)
	$(BIN)/python -m bench.soak --minutes $(SOAK_MINUTES)

# Adobe's spec, read in place by some of the unit tests the mutants run against.
ADOBE_STATUS_SPEC ?= $(abspath ../shared/adobe-status/statusapi-spec.yaml)

mutation: $(DEV_STAMP) ## mutants of the pure model and the readers against their unit tests (mutmut, about 15 min on 2 cores): score per module beside the target (>= 90% killed)
	ADOBE_STATUS_SPEC=$(ADOBE_STATUS_SPEC) $(BIN)/mutmut run --max-children 2 > mutants.log 2>&1 || { tail -20 mutants.log; exit 1; }
	$(BIN)/mutmut results --all true | $(BIN)/python scripts/mutation-score --target 90

golden: $(DEV_STAMP) ## rewrite the golden expositions tests/golden/*.prom after a deliberate change (review the diff)
	$(BIN)/python -m tests.golden

install: $(RUNTIME_STAMP) ## .venv with the exporter and its runtime dependencies
dev: $(DEV_STAMP) ## .venv with the exporter and the test, lint and bench tools

sync-chart: ## copy the dashboard and the alert rules into the Helm chart
	helm/sync-chart.sh

system-deps: ## the tools the tests drive: apt-get what is missing as root, else say what to run
	@$(PYTHON) scripts/test-tools

clean: ## remove .venv, build output and caches
	rm -rf $(VENV) build dist *.egg-info .mypy_cache .ruff_cache .pytest_cache .hypothesis test-artifacts mutants mutants.log

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "make: $(PYTHON) -m venv failed: on Debian or Ubuntu run \`sudo apt-get install python3-venv\`, then make again" >&2; exit 1; }
	$(BIN)/python -m pip install -q --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test,lint,bench,mutation]'
	@touch $@ $(RUNTIME_STAMP)

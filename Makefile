# fundwatch: `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
LAKE   ?= ./lake
DEMO_LANDING ?= ./demo/landing
PERSONS ?= 20000
STAMP  := $(VENV)/.installed

export GX_ANALYTICS_ENABLED = false
export SPARK_LOCAL_IP = 127.0.0.1
export PYARROW_IGNORE_TIMEZONE = 1

.DEFAULT_GOAL := help
.PHONY: help demo serve test lint fmt lock bench detection detection-other detection-other2 detection-other3 loop detectors clean mlflow-ui check-java check-browser check-python

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*?## "}{printf "  %-12s %s\n",$$1,$$2}'

check-java:
	@command -v java >/dev/null || { echo "fundwatch needs a JDK 17+ on the PATH (Debian: apt-get install -y openjdk-17-jre-headless)"; exit 1; }

check-python:  # the lock is resolved for CPython 3.11: another version would install a different set
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); [ "$$v" = 3.11 ] || { \
	  echo "fundwatch needs Python 3.11 ($(PYTHON) is $${v:-missing}): make PYTHON=python3.11 ..."; exit 1; }

$(BIN)/uv: | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q "uv==$(UV_VERSION)"

$(STAMP): pyproject.toml requirements.lock | $(BIN)/uv
	@echo ">> installing the pinned dependencies (requirements.lock) into $(VENV)"
	$(BIN)/uv pip sync --python $(BIN)/python -q requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	touch $@

demo: check-java $(STAMP) ## Generate a synthetic prefecture and run the whole weekly pipeline on it
	@test -f $(DEMO_LANDING)/labels.csv || $(BIN)/fundwatch generate --out $(DEMO_LANDING) --persons $(PERSONS) --seed 7
	$(BIN)/fundwatch run --landing $(DEMO_LANDING) --lake $(LAKE)

serve: $(STAMP) ## The verifiers' workbench on the demo lake (after make demo): http://127.0.0.1:8000
	@test -f $(LAKE)/workbench/accounts.db || $(BIN)/fundwatch users demo --lake $(LAKE)
	$(BIN)/fundwatch serve --lake $(LAKE)

check-browser:  # the browser tests drive Debian's chromium; install it when missing and allowed to
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null \
	    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }; \
	  else echo "the browser tests need chromium and chromium-driver (Debian: sudo apt-get install chromium chromium-driver)"; exit 1; fi; }

test: check-java check-browser $(STAMP) ## Run the test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP) ## ruff lint + format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

fmt: $(STAMP) ## ruff format + autofix
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

lock: | $(BIN)/uv ## Re-resolve the locks from pyproject.toml: everything (the venv), runtime only (cluster nodes)
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --extra notebooks --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --python-version 3.11 --constraint requirements.lock -o requirements-runtime.lock

mlflow-ui: $(STAMP) ## Open MLflow's UI on the demo lake (http://127.0.0.1:5000)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///$(abspath $(LAKE))/mlflow/mlflow.db --host 127.0.0.1 --port 5000

clean: ## Remove the demo lake and landing zone (not the venv)
	rm -rf $(LAKE) ./demo

bench: check-java $(STAMP) ## Benchmark every stage at 100k and 1M persons → docs/benchmark.md (PERSONS=10000000: a province → docs/benchmark_10000000.md; RESUME=1 goes on from a stopped run's last step)
	$(BIN)/python bench/bench.py $(if $(filter command line,$(origin PERSONS)),--persons $(PERSONS)) $(if $(RESUME),--resume)

detection: check-java $(STAMP) ## Detection bar at 100k persons (R-precision, recall per pattern) → docs/detection.md
	$(BIN)/python bench/detection.py

detection-other: check-java $(STAMP) ## The same bar on an extract bench/independent.py writes (not jobs/synthetic) → docs/detection_independent.md
	rm -rf bench/cache/independent_100000
	$(BIN)/python bench/independent.py --out bench/cache/independent_100000 --persons 100000
	$(BIN)/python bench/detection.py --landing bench/cache/independent_100000 --out docs/detection_independent.md

detection-other2: check-java $(STAMP) ## The same bar on a second extract, bench/independent2.py (Zhanjiang, parquet) → docs/detection_independent2.md
	rm -rf bench/cache/independent2_100000
	$(BIN)/python bench/independent2.py --out bench/cache/independent2_100000 --persons 100000
	$(BIN)/python bench/detection.py --landing bench/cache/independent2_100000 --out docs/detection_independent2.md

detection-other3: check-java $(STAMP) ## The same bar on a third extract, bench/independent3.py (Suihua, CSV + parquet) → docs/detection_independent3.md
	rm -rf bench/cache/independent3_100000
	$(BIN)/python bench/independent3.py --out bench/cache/independent3_100000 --persons 100000 --seed 2027
	$(BIN)/python bench/detection.py --landing bench/cache/independent3_100000 --out docs/detection_independent3.md

loop: check-java $(STAMP) ## Weekly runs with simulated verification outcomes: does the list learn? → docs/loop.md
	$(BIN)/python bench/loop.py

detectors: $(STAMP) ## Regenerate docs/detectors.md (the detector catalogue) from models/rules.py
	$(BIN)/fundwatch detectors --out docs/detectors.md

# leadscore: the two commands a new user needs are `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_LEADS ?= 20000
DEMO_SEED  ?= 7

export LEADSCORE_DB      ?= warehouse/leadscore.duckdb
export LEADSCORE_RAW_DIR ?= data/raw
export DBT_PROFILES_DIR  ?= $(CURDIR)

.PHONY: help install demo test lint unit dbt-test bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "leadscore needs Python 3.11 (set PYTHON=python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,spark]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the pinned set (constraints.txt)

demo: install ## generate demo exports, score them, publish for BI, write CRM sync files
	$(BIN)/leadscore generate --leads $(DEMO_LEADS) --seed $(DEMO_SEED) --out $(LEADSCORE_RAW_DIR)
	$(BIN)/leadscore run
	$(BIN)/leadscore publish
	$(BIN)/leadscore sync --target salesforce
	$(BIN)/leadscore sync --target hubspot
	$(BIN)/leadscore report
	$(BIN)/leadscore report --sales
	$(BIN)/leadscore status

lint: install ## ruff + sqlfluff
	$(BIN)/ruff check src tests python_models
	$(BIN)/ruff format --check src tests python_models
	@# sqlfluff's dbt templater compiles against a throwaway warehouse with the seeds loaded;
	@# a fresh one each time (an old one keeps seed columns that have changed since)
	@rm -rf target/lint && mkdir -p target/lint
	LEADSCORE_DB=target/lint/lint.duckdb DBT_TARGET_PATH=target/lint $(BIN)/dbt seed -q
	LEADSCORE_DB=target/lint/lint.duckdb $(BIN)/sqlfluff lint models macros tests --processes 2
	@# each dataset's models (datasets/<name>/) are enabled only under its `dataset` var
	for ds in $(notdir $(patsubst %/,%,$(wildcard datasets/*/))); do \
		printf '[sqlfluff:templater:dbt]\nproject_dir = ../..\nprofiles_dir = ../..\n\n[sqlfluff:templater:dbt:context]\ndataset = %s\n' $$ds > target/lint/$$ds.cfg; \
		LEADSCORE_DB=target/lint/lint.duckdb $(BIN)/sqlfluff lint --config target/lint/$$ds.cfg \
			datasets/$$ds --processes 2 || exit 1; \
	done

unit: install ## pytest (includes dbt builds on small generated data)
	$(BIN)/pytest -q -rs -n 2 --dist loadgroup

test: install lint unit ## everything CI runs

bench: install ## speed and memory figures (large data; not part of make test)
	$(BIN)/leadscore bench

clean: ## remove build outputs (keeps .venv)
	rm -rf target logs warehouse published outbox reports data

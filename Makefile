# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint typecheck index eval bench serve clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# The CPU build of torch first, so nothing later pulls a CUDA build.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(STAMP)

index: $(STAMP)
	$(VENV)/bin/assistant index build --if-stale

run: index
	$(VENV)/bin/assistant chat

serve: index
	$(VENV)/bin/assistant serve

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check assistant tests
	$(VENV)/bin/ruff format --check assistant tests
	$(VENV)/bin/mypy

eval: index
	for set in holdout blind fresh; do $(VENV)/bin/assistant eval tests/eval/$$set.jsonl; done

bench: index
	$(VENV)/bin/assistant bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Two commands on a fresh machine: `make run` and `make test`.
# The newest supported Python that really runs (a pyenv shim may exist without one), or PYTHON.
PYTHON ?= $(firstword $(foreach v,3.13 3.12 3.11,$(shell python$(v) -c "" 2>/dev/null && echo python$(v))))
# Empty: torch comes from the normal index. On a server without a GPU, set it to PyTorch's CPU
# index (https://download.pytorch.org/whl/cpu) to skip several GB of CUDA libraries.
TORCH_INDEX_URL ?=
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: install run test lint typecheck index eval bench serve clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || test -n "$(PYTHON)" || { echo "No python3.13, python3.12 or python3.11 runs here: install one, or set PYTHON=/path/to/python3.x"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, from TORCH_INDEX_URL when set, so nothing later pulls a CUDA build.
	$(PY) -m pip install -q $(if $(TORCH_INDEX_URL),--index-url $(TORCH_INDEX_URL)) torch==2.13.0
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

# Everything a fresh machine needs: Python 3.11, pip, make. The venv lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: regel test lint bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The main job: check every shipped policy and run its cases.
regel: $(BIN)/.installed
	$(BIN)/regel controleer policies/
	$(BIN)/regel dekking --ontbrekend policies/
	$(BIN)/regel test policies/

# The whole test suite, lint included.
test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python benchmarks/bench_evaluatie.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache

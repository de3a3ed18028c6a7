# Everything a fresh machine needs: Python 3.11, pip, make. The venv lives in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: regel test parser docs chromium java zsh node editor vscode bench fuzz clean verschiltest

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

# The whole test suite, lint included. The browser test of the docs site needs Debian's
# Chromium; install it when it is missing (as root, or through sudo).
test: $(BIN)/.installed chromium java zsh editors/vscode/node_modules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/regel opmaak --controleer policies/
	REGEL_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest

# After a change to grammar/regel.lark: the parser generated from it (compiler/parsegen.py),
# committed with the grammar; a test fails as long as it is not.
parser: $(BIN)/.installed
	$(BIN)/python -m regel.compiler.parsegen

CHROMIUM ?= /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

chromium:
	@[ -x $(CHROMIUM) ] || { \
	  echo "Chromium installeren (apt-get) voor de browsertest van de documentatiesite"; \
	  $(SUDO) apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends chromium; }; }

# The VS Code extension (editors/vscode): its TextMate grammar is made from grammar/regel.lark
# (`make editor` after a change; a test fails as long as it is not), its packages come from npm
# (package-lock.json), and `make vscode` packages it as editors/vscode/regel.vsix.
editor: $(BIN)/.installed
	$(BIN)/python -m regel.compiler.textmate

node:
	@command -v npm >/dev/null || { \
	  echo "Node.js installeren (apt-get) voor de test van de VS Code-extensie"; \
	  $(SUDO) apt-get install -y --no-install-recommends nodejs npm >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends nodejs npm; }; }

editors/vscode/node_modules: editors/vscode/package-lock.json | node
	cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error
	touch $@

vscode: editors/vscode/node_modules
	cd editors/vscode && npx vsce package --out regel.vsix
	@echo "installeren: code --install-extension editors/vscode/regel.vsix"

# zsh, to check the syntax of the completion script `regel aanvulling zsh` writes.
zsh:
	@command -v zsh >/dev/null || { \
	  echo "zsh installeren (apt-get) voor de test van de aanvulling met Tab"; \
	  $(SUDO) apt-get install -y --no-install-recommends zsh >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends zsh; }; }

# Spark (the engine of `regel.compiler.sparkrun`, tested in local mode) runs on Java 17 or newer.
java:
	@java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || { \
	  echo "Java installeren (apt-get) voor de test van Spark"; \
	  $(SUDO) apt-get install -y --no-install-recommends openjdk-17-jre-headless >/dev/null 2>&1 || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends openjdk-17-jre-headless; }; }

# The documentation site of the shipped policies with this project's docs/ as its guide.
docs: $(BIN)/.installed
	$(BIN)/regel docs policies/ --handleiding docs --uit site

bench: $(BIN)/.installed
	@command -v wrk >/dev/null || $(SUDO) apt-get install -y --no-install-recommends wrk >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y --no-install-recommends wrk; }
	$(BIN)/python benchmarks/bench_evaluatie.py
	$(BIN)/python benchmarks/bench_docs.py
	$(BIN)/python benchmarks/bench_service.py
	$(BIN)/python benchmarks/bench_slow_clients.py
	$(BIN)/python benchmarks/bench_doorreken.py $(if $(OPENFISCA),--openfisca $(OPENFISCA)) --geheugen 10000000

# OpenFisca for bench_doorreken, in an environment of its own (never a dependency of regel):
# make .venv-openfisca/bin/python && make bench OPENFISCA=.venv-openfisca/bin/python
.venv-openfisca/bin/python:
	$(PYTHON) -m venv .venv-openfisca
	.venv-openfisca/bin/python -m pip install --quiet openfisca-core pyarrow

# The long differential test of the two engines: 100 hypothesis examples of 50 to 150 rows per
# decision (some 10.000 generated rows each), besides the 10.000 synthetic clients of make test.
verschiltest: $(BIN)/.installed
	REGEL_SQL_EXAMPLES=100 REGEL_SPARK_EXAMPLES=20 $(BIN)/python -m pytest tests/test_sql.py tests/test_spark.py -q

# The long fuzz run (docs/robuustheid.md): mutants of the shipped policies and hostile inputs.
MINUTEN ?= 10
fuzz: $(BIN)/.installed
	$(BIN)/python -m tests.fuzzing --minuten $(MINUTEN)

clean:
	rm -rf $(VENV) .venv-openfisca build *.egg-info .pytest_cache .ruff_cache site test-artifacts \
	  editors/vscode/node_modules editors/vscode/regel.vsix

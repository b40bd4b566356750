# make demo / make test work on a fresh machine with only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-oldest lint model bench clean-venv

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

test: lint
	$(BIN)/python -m pytest src tests

# The suite again, with every runtime dependency at the oldest version pyproject.toml
# allows (uv's lowest-direct resolution); fails if a declared lower bound cannot be met.
OLDEST ?= .venv-oldest
test-oldest:
	rm -rf $(OLDEST) && $(PYTHON) -m venv $(OLDEST)  # fresh: an installer keeps newer versions that satisfy a range
	$(OLDEST)/bin/python -m pip install --quiet --upgrade pip uv
	$(OLDEST)/bin/uv pip install --quiet --python $(OLDEST)/bin/python --resolution lowest-direct -e '.[test]'
	$(OLDEST)/bin/python scripts/check_lower_bounds.py
	$(OLDEST)/bin/python -m pytest src tests -p no:cacheprovider

demo: $(STAMP)
	$(BIN)/b12risk demo

model: $(STAMP)
	$(BIN)/b12risk train --config src/b12risk/configs/default.toml

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/run.py

clean-venv:
	rm -rf $(VENV) $(OLDEST)

# The two commands of the README, and a few helpers. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench screenshots

demo: $(VENV)/.installed  ## set up and run the portal, worker, beat and simulator
	$(BIN)/python -m demo

test: $(VENV)/.installed  ## set up and run the whole test suite
	AAC_VAR_DIR=$(CURDIR)/var/test $(BIN)/pytest $(PYTEST_ARGS)

screenshots: $(VENV)/.installed  ## the README's pictures, from a fresh demo, into docs/screenshots/
	$(BIN)/python -m demo.screenshots

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/run_sync.py
	if [ -n "$$DATABASE_URL" ]; then $(BIN)/python bench/run_pages.py; fi

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

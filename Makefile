# The two commands of the README, and a few helpers. Only Python 3.11+ and make needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench mutate screenshots

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

# Mutation testing of the code guarding tokens, data and access: minutes, not in CI
# (README, "Mutation testing"). On SQLite and the embedded broker whatever the
# environment says, niced, two mutants at a time; resumes where it stopped.
# `make mutate MUTATE=retest` runs the survivors again, after new tests.
MUTATE ?= run
MUTATE_CHILDREN ?= 2
mutate: $(VENV)/.installed
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CI AAC_VAR_DIR=$(CURDIR)/var/mutate \
	  nice -n 19 $(BIN)/python -m mutation $(MUTATE) --max-children $(MUTATE_CHILDREN)

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

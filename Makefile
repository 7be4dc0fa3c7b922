# The two commands: `make run` and `make test`. Both work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.lock | cut -d' ' -f1)
PYTEST_WORKERS ?= auto

.PHONY: run test install lock lint format clean-data

$(STAMP): requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

## Install, migrate, seed the demo workspace, and run web + Celery worker + beat (Ctrl-C stops all).
run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py run

## Install and run the whole test suite (unit, integration, browser).
test: install
	MICROREACH_DEV=true $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## Re-pin every dependency after changing pyproject.toml.
lock:
	$(BIN)/python -m pip install --quiet -e '.[dev]' && $(BIN)/python -m pip freeze --exclude-editable --exclude microreach > requirements.lock

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

## Delete the embedded Postgres/Redis data (the demo starts over).
clean-data:
	rm -rf .data

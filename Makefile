# Two commands on a fresh machine: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast bench eval lint catalogue migration dead-letters lock clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)  ## the whole system on its embedded defaults (NATS + six services on SQLite + demo data)
	$(BIN)/python -m deploy.local

test: $(STAMP)  ## unit, integration and end-to-end tests (starts its own nats-server and services)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: $(STAMP)  ## unit tests only
	$(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)  ## event pipeline vs bare JetStream, idle memory, start-up time
	$(BIN)/python -m tests.bench

eval: $(STAMP)  ## recommender vs community popularity on a seeded synthetic community (precision, recall, NDCG @10)
	$(BIN)/python -m tests.eval

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy shared services deploy

catalogue: $(STAMP)  ## regenerate docs/events from the typed event schemas
	$(BIN)/python -m shared.events.catalogue docs/events

migration: $(STAMP)  ## make migration SERVICE=orders MESSAGE="add refunds"
	$(BIN)/python -m shared.migrations revision $(SERVICE) "$(MESSAGE)"

dead-letters: $(STAMP)  ## make dead-letters SERVICE=matching [ARGS="--status all"]; replay: python -m shared.cli dead-letters replay SERVICE ID
	$(BIN)/python -m shared.cli dead-letters list $(SERVICE) $(ARGS)

lock:  ## re-pin dependencies: requirements.lock (dev, tests) and requirements.runtime.lock (the image)
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements.lock --python-version 3.11 -q
	$(BIN)/uv pip compile pyproject.toml -c requirements.lock -o requirements.runtime.lock --python-version 3.11 -q

clean:
	rm -rf var/*.db var/*.db-* var/nats

# Kefu: `make run` serves it with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
KEFU := $(BIN)/kefu
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup test bench lint format check migrations messages system-deps clean-db

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

messages: $(VENV)/.installed
	$(KEFU) i18n_compile

setup: $(VENV)/.installed node_modules/.installed messages
	$(KEFU) migrate --noinput -v0
	$(KEFU) createcachetable
	@if [ ! -f var/.demo-seeded ]; then $(KEFU) seed --demo && touch var/.demo-seeded; fi

run: setup
	@$(KEFU) demo_logins
	@echo "Kefu: http://$(HOST):$(PORT)/   (Ctrl-C stops the web server and the job consumer)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(KEFU) run_huey --logfile var/huey.log & worker=$$!; \
	  KEFU_DEBUG=$${KEFU_DEBUG:-1} $(BIN)/gunicorn kefu.wsgi --bind $(HOST):$(PORT) --workers 2 \
	    --threads 4 --access-logfile - --reload

system-deps:
	bash scripts/install-system-deps.sh

test: $(VENV)/.installed node_modules/.installed messages system-deps
	$(BIN)/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m kefu.bench $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(VENV)/.installed
	$(KEFU) makemigrations --check --dry-run
	KEFU_SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	  DJANGO_SETTINGS_MODULE=kefu.settings.production $(KEFU) check --deploy --fail-level WARNING

clean-db:
	rm -f var/kefu.sqlite3* var/huey.sqlite3* var/.demo-seeded

# Galla: `make run` installs everything and serves the admin with demo data; `make test` runs the tests.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/galla
DEMO_DAYS ?= 60

.DEFAULT_GOAL := help
.PHONY: help run test test-pg lint venv-dev serve worker clean

help:
	@echo "make run      install, migrate, load demo data (DEMO_DAYS=$(DEMO_DAYS) days of history) and serve http://$(HOST):$(PORT)/admin/"
	@echo "make test     run the test suite (SQLite, or DATABASE_URL if set)"
	@echo "make test-pg  run the test suite on PostgreSQL ($(PG_TEST_URL))"
	@echo "make lint     ruff"
	@echo "make worker   run the background worker (emails, schedules) beside the server"

# The venv is rebuilt when the requirements change; a stamp file records each install.
$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Galla needs Python 3.12 or newer, and $(PYTHON) is %d.%d. Install 3.12 (pyenv reads .python-version) or run make PYTHON=python3.12" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

.env:
	cp .env.example .env

run: $(VENV)/.installed .env
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py setup_schedules
	$(BIN)/python manage.py seed_demo --days $(DEMO_DAYS)
	@echo ""
	@echo "Galla is running at http://$(HOST):$(PORT)/admin/  (Ctrl+C stops it)"
	@echo ""
	@# The task worker (emails, schedules) runs in its own process group beside the web server and
	@# is stopped with it; a lingering qcluster gets SIGKILL after a grace period.
	@setsid $(BIN)/python manage.py qcluster > .worker.log 2>&1 & worker=$$!; \
	trap 'kill -TERM -$$worker 2>/dev/null; sleep 3; kill -KILL -$$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest

test-pg: $(VENV)/.installed-dev
	DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

worker: $(VENV)/.installed .env
	$(BIN)/python manage.py qcluster

venv-dev: $(VENV)/.installed-dev

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

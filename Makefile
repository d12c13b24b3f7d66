# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
UV_VERSION := 0.13.9

.PHONY: demo test lint lock serve clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

# Reinstalled only when the lock changes, so a re-run is quick.
$(VENV)/.installed: requirements.lock | $(VENV)/bin/python
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --python $(VENV)/bin/python --require-hashes -r requirements.lock
	touch $@

## make demo: SQLite, database search, eager Celery, demo data, http://127.0.0.1:8000
demo: $(VENV)/.installed
	$(VENV)/bin/python manage.py migrate --noinput -v 0
	$(VENV)/bin/python manage.py seed_demo
	$(VENV)/bin/python manage.py runserver 127.0.0.1:8000

## make test: PostgreSQL, Redis and Elasticsearch on loopback, then lint and the whole suite
test: $(VENV)/.installed
	scripts/run-tests.sh $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## make lock: re-resolve requirements.lock after editing pyproject.toml
lock: $(VENV)/.installed
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -o requirements.lock

clean:
	rm -rf $(VENV) var

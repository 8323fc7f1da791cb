# Souk — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast lint format migrate seed messages e2e-deps bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

## make run: install, migrate, load the demo region, serve on http://127.0.0.1:8000 (SQLite)
run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (browser tests run when Chromium is installed)
test: $(VENV)/.installed
	$(PY) -m pytest

## make lint: ruff lint and format check
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

seed: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py seed_demo

## make messages: refresh the .po files and compile them (needs GNU gettext)
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l ar -l fr -l en --ignore=.venv --ignore=var --ignore=static
	$(PY) manage.py compilemessages --ignore=.venv

## make e2e-deps: Debian's Chromium for the browser tests (as root)
e2e-deps:
	apt-get install -y chromium poppler-utils

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache

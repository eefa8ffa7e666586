# The front door: `make run` to use the app locally, `make test` to run every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# uv installs and locks everything. Use the one on PATH if it works, else bootstrap a private copy.
UV := $(shell uv --version >/dev/null 2>&1 && echo uv || echo .uv/bin/uv)
PYTHON := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in mail and the PDF point where `make run` serves, unless SITE_URL says otherwise
# (a server listening on every address is still reached at 127.0.0.1 from this machine).
SITE_URL ?= http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)

.PHONY: help install run serve demo test lint format bench clean

help:
	@echo "make run    install, migrate, load qualifications and demo data, serve http://$(HOST):$(PORT)"
	@echo "            (HOST=... PORT=... to serve elsewhere; links in mail follow, or set SITE_URL)"
	@echo "make test   install and run the whole test suite (browser tests included)"
	@echo "make lint   ruff, the import layers contract and makemigrations --check"
	@echo "make bench  run the benchmarks in bench/"

.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet --disable-pip-version-check "uv>=0.8"

install: $(if $(filter .uv/bin/uv,$(UV)),.uv/bin/uv)
	$(UV) sync --locked --quiet

run: export SITE_URL := $(SITE_URL)
run: install
	@scripts/system-deps run
	$(PYTHON) manage.py migrate --no-input
	$(PYTHON) manage.py load_qualifications
	$(PYTHON) manage.py seed_demo
	@echo "Serving http://$(HOST):$(PORT) with two task workers (renditions, exports); Ctrl-C stops all."
	@$(PYTHON) manage.py worker --queue-name renditions,default --worker-id "renditions@$$(uname -n)" & renditions=$$!; \
	$(PYTHON) manage.py worker --queue-name exports --worker-id "exports@$$(uname -n)" & exports=$$!; \
	trap 'kill $$renditions $$exports 2>/dev/null' EXIT INT TERM; \
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

test: install
	@scripts/system-deps test
	$(PYTHON) -m pytest

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports
	$(PYTHON) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=tests.settings $(PYTHON) manage.py makemigrations --check --dry-run

format: install
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

bench: install
	@for script in bench/bench_*.py; do [ -e "$$script" ] || continue; $(PYTHON) "$$script" || exit 1; done
	$(PYTHON) bench/pdf_export.py
	$(PYTHON) bench/pages.py

clean:
	rm -rf .venv .uv var .pytest_cache .ruff_cache

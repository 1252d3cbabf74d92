# peercoach: two commands do all the set-up.
#   make app    install what is needed and serve the apps with Voilà
#   make test   install what is needed and run every test
# Both create .venv when it is absent and reinstall only when pyproject.toml changed.

PYTHON ?= python3
VENV ?= .venv
PEERCOACH_HOST ?= 127.0.0.1
PEERCOACH_PORT ?= 8866

BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet

.PHONY: app hub hub-sign-in test browser postgres bench lint clean help

help:
	@echo "make app    serve the workbook on http://$(PEERCOACH_HOST):$(PEERCOACH_PORT)/ (demo data if the database is empty)"
	@echo "make test   run every test: unit tests (the store's on SQLite and PostgreSQL), every notebook"
	@echo "            under nbval, every app in Chromium"
	@echo "make hub    try a cohort's shared server: JupyterHub on http://127.0.0.1:8000/, each person"
	@echo "            signing in to their own workbook (needs PEERCOACH_HUB_PASSWORD; README: Deploy)"
	@echo "make bench  run the benchmarks and print their figures"
	@echo "make lint   check code and notebooks with ruff"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "peercoach needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# One stamp per set of extras, so that `make app` and `make test` never undo each other's work.
$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(PIP) install --editable .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install --editable '.[test,dev,hub]'
	@touch $@ $(VENV)/.installed-app $(VENV)/.installed-hub

$(VENV)/.installed-hub: pyproject.toml | $(BIN)/python
	$(PIP) install --editable '.[hub]'
	@touch $@ $(VENV)/.installed-app

app: $(VENV)/.installed-app
	$(BIN)/peercoach demo --if-empty
	$(BIN)/peercoach serve --host $(PEERCOACH_HOST) --port $(PEERCOACH_PORT)

# JupyterHub over the workbook (deploy/jupyterhub_config.py), its proxy from npm (node_modules).
# The sign-in is checked first, before anything is installed for nothing.
hub: hub-sign-in $(VENV)/.installed-hub node_modules/.installed
	$(BIN)/peercoach demo --if-empty
	$(BIN)/jupyterhub -f deploy/jupyterhub_config.py

hub-sign-in:
	@if [ -z "$$PEERCOACH_HUB_PASSWORD" ] && [ -z "$$PEERCOACH_HUB_AUTHENTICATOR" ]; then \
	  echo "Set PEERCOACH_HUB_PASSWORD to the password everyone signs in with to try the hub,"; \
	  echo "e.g.  PEERCOACH_HUB_PASSWORD=choose-a-password make hub   (README: Deploy for a cohort)"; \
	  exit 2; \
	fi

# The browser tests need Chromium: Debian's package when we may install it (as root), else
# Playwright's own download. An existing /usr/bin/chromium (or PEERCOACH_CHROMIUM) is used as is.
browser: $(VENV)/.installed-test
	@if [ -n "$$PEERCOACH_CHROMIUM" ] || command -v chromium >/dev/null 2>&1; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
	  echo "Installing Playwright's Chromium for the browser tests"; \
	  $(BIN)/python -m playwright install chromium; \
	fi

# The store's tests run on SQLite and again on PostgreSQL, on a throwaway server they start
# themselves (tests/postgres.py) from PostgreSQL's binaries, or on PEERCOACH_TEST_POSTGRES. The
# binaries come from Debian's package when we may install it (as root); no service is started
# (policy-rc.d stops the package from starting one). Otherwise those runs are skipped, and said so.
PG_INITDB = $(firstword $(wildcard /usr/lib/postgresql/*/bin/initdb) $(shell command -v initdb))

postgres:
	@if [ -n "$$PEERCOACH_TEST_POSTGRES" ] || [ -n "$(PG_INITDB)" ]; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Debian's postgresql for the store's PostgreSQL tests"; \
	  guard=; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    guard=/usr/sbin/policy-rc.d; printf '#!/bin/sh\nexit 101\n' >$$guard; chmod 755 $$guard; \
	  fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; \
	  status=$$?; [ -z "$$guard" ] || rm -f $$guard; exit $$status; \
	else \
	  echo "*** PostgreSQL is not installed and cannot be installed here (not root, or no apt-get):"; \
	  echo "*** the store's tests will run on SQLite only; their PostgreSQL runs are skipped."; \
	  echo "*** Install PostgreSQL, or set PEERCOACH_TEST_POSTGRES to a server's URL."; \
	fi

# From npm: axe-core, which the browser tests inject into each page to check accessibility, and
# configurable-http-proxy, JupyterHub's proxy (make hub, and the hub's end-to-end test).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# On two processes (pytest-xdist): the browser tests together on one, the rest on the other
# (tests/conftest.py says why).
test: $(VENV)/.installed-test browser postgres node_modules/.installed
	$(BIN)/python -m pytest -n 2

bench: $(VENV)/.installed-test browser
	$(BIN)/python benchmarks/demo_scale.py
	$(BIN)/python benchmarks/cohort_scale.py
	$(BIN)/python benchmarks/enrol_scale.py
	$(BIN)/python benchmarks/app_load.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check peercoach_lib tests benchmarks notebooks

clean:
	rm -rf $(VENV) node_modules .pytest_cache .hypothesis .ruff_cache test-artifacts

# The two commands of the README: `make demo` and `make test`. Both create the virtualenv
# and install the pinned dependencies themselves on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast test-postgres browser-deps clean help

help:
	@echo "make demo   - install, load the bundled sample papers, serve on http://127.0.0.1:8000"
	@echo "make test   - install, then run the whole test suite on SQLite, then on PostgreSQL (installs Chromium when missing)"
	@echo "make test-postgres - the suite on a throwaway PostgreSQL (database tests only)"

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/paperfeed demo

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' (needed by the browser tests)"; exit 1; fi; }

# The whole suite on SQLite (the default database), then its database tests on PostgreSQL.
test: $(STAMP) browser-deps
	$(BIN)/pytest
	$(BIN)/python -m tests.postgres_server

test-fast: $(STAMP)
	$(BIN)/pytest -m "not browser"

# The suite on PostgreSQL 16 (pip's pgserver wheel), started for the run and removed after
# (tests/postgres_server.py). Tests that never reach the test database (child processes with
# their own SQLite, the browser tests) are left out there: the SQLite run has them.
test-postgres: $(STAMP)
	$(BIN)/python -m tests.postgres_server

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

# The two commands of the README: `make demo` and `make test`. Both create the virtualenv
# and install the pinned dependencies themselves on a fresh machine.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test test-fast test-postgres browser-deps clean help

help:
	@echo "make demo   - install the runtime (no PyTorch), load the bundled sample papers, serve on http://127.0.0.1:8000"
	@echo "make test   - install, then run the whole test suite on SQLite and its database tests on PostgreSQL, side by side (installs Chromium when missing)"
	@echo "make test-postgres - the suite on a throwaway PostgreSQL (database tests only)"

# `make demo` installs the runtime only (requirements.txt: no PyTorch, the model ships as an
# ONNX file); the tests add the test and torch extras (requirements-test.txt).
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $(TEST_STAMP)

# More `paperfeed demo` arguments, e.g. `make demo DEMO_ARGS="--port 8080"`.
DEMO_ARGS ?=
demo: $(STAMP)
	$(BIN)/paperfeed demo $(DEMO_ARGS)

# Browser tests drive Debian's Chromium; Playwright's own browser download cannot work offline.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = "0" ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	  else echo "Chromium is missing: run 'sudo apt-get install chromium' (needed by the browser tests)"; exit 1; fi; }

# How the suite runs (docs/operations.md, "Running the tests"): pytest-xdist workers per run;
# the tests sharing the demo server and Chromium stay in one worker (--dist loadgroup, groups
# set in tests/conftest.py). Most of the suite waits on child processes and servers, so two
# workers per run use two cores well. The slowest tests are listed at the end of each run.
TEST_WORKERS ?= 2
# More pytest arguments for both runs, e.g. `make test TEST_ARGS=--timeline=build/timeline`
# (when each test ran on which worker; docs/testing.md, "How the suite is laid out and how long it takes").
TEST_ARGS ?=
PYTEST_RUN := -n $(TEST_WORKERS) --dist loadgroup --durations=25 $(TEST_ARGS)
# Some environments set PYTHONDONTWRITEBYTECODE: then every `paperfeed` child process of the
# tests would compile the project's modules again (~0.1 s of CPU each, ~150 of them).
TEST_ENV := env -u PYTHONDONTWRITEBYTECODE

# The whole suite on SQLite (the default database) and its database tests on PostgreSQL, side
# by side; each run's output is printed whole when it ends (tests/run_suite.py).
test: $(TEST_STAMP) browser-deps
	$(TEST_ENV) $(BIN)/python -m tests.run_suite $(PYTEST_RUN)

test-fast: $(TEST_STAMP)
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_RUN) -m "not browser"

# The suite on PostgreSQL 16 (pip's pgserver wheel), started for the run and removed after
# (tests/postgres_server.py). Tests that never reach the test database (child processes with
# their own SQLite, the browser tests) are left out there: the SQLite run has them.
test-postgres: $(TEST_STAMP)
	$(TEST_ENV) $(BIN)/python -m tests.postgres_server $(PYTEST_RUN)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info

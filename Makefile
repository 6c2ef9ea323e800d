# The README's two commands are `make demo` and `make test`; both build .venv on a fresh machine,
# with the versions of requirements.lock (the ones the suite last passed with), then this project
# on top of them (editable, no dependencies of its own: the lock has them all).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
UV_VERSION := 0.13.9

.PHONY: test lint typecheck-links demo bench bench-ssd bench-quick lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# ruff (rules and line length in pyproject.toml), mypy, then import-linter's layers contracts
# (pyproject.toml: entry points > composition root > adapters > use cases > ports > domain);
# each must find nothing.
lint: $(STAMP) typecheck-links
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

# mypy resolves `oversight.states` and the rest through build/typecheck/oversight/, links to the
# top-level folders (an editable install's import hook is invisible to it; docs/packaging.md).
typecheck-links:
	@mkdir -p build/typecheck/oversight
	@for folder in states adapters workflows config; do \
	  ln -sfn ../../../$$folder build/typecheck/oversight/$$folder; done

# Lint first: a finding fails the run before any test does (CI runs `make test`). The suite runs
# on $(TEST_WORKERS) pytest-xdist workers (`make test TEST_WORKERS=0` runs it in one process),
# every test that runs a Prefect flow on one worker (the harness starts once), the tests sharing a
# module-scoped fixture together, every other test wherever a worker is free, the longest first
# (tests/conftest.py orders them; --no-loadscope-reorder keeps that order); the slowest 20 tests
# are listed at the end (docs/testing.md).
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder --durations=20

# `make demo SERVE=1` then serves the dashboard on the demo store and prints its address last.
demo: $(STAMP)
	$(BIN)/oversight demo $(if $(SERVE),--serve)

# Every benchmark, one table (target, plain-SQL floor, ratio, peak memory), also written to
# .oversight/bench/latest.json; `python -m bench.readme` puts it in docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python -m bench --size full

# The same at small sizes (England at a twentieth, the 150-worker authority): a few minutes.
# The SSD import alone (issue 23): a large authority's five-year extract, under 5 minutes.
bench-ssd: $(STAMP)
	$(BIN)/python -m bench --size full --only ssd_import --merge

bench-quick: $(STAMP)
	$(BIN)/python -m bench --size quick

# Re-resolve requirements.lock from pyproject.toml (runtime and test extra), keeping each pin
# that still fits; `make lock UPGRADE=1` moves every pin to the newest release allowed.
lock: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	$(BIN)/uv pip compile pyproject.toml --extra test --python $(BIN)/python --quiet \
	  --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) -o $(LOCK)

clean:
	rm -rf .oversight .pytest_cache build/typecheck

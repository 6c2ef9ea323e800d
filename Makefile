# The README's two commands are `make demo` and `make test`; both build .venv on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test demo bench bench-quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q

# `make demo SERVE=1` then serves the dashboard on the demo store and prints its address last.
demo: $(STAMP)
	$(BIN)/oversight demo $(if $(SERVE),--serve)

bench: $(STAMP)
	$(BIN)/python -m bench.sweep
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.dispatch

# The scale benchmark at a twentieth of England (a few minutes instead of about half an hour).
bench-quick: $(STAMP)
	$(BIN)/python -m bench.scale --size quick

clean:
	rm -rf .oversight .pytest_cache

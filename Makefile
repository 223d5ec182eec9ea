# The README's two commands, and the fast lane. Each creates .venv and installs the
# package first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/audit-kit: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

.PHONY: demo test check
demo: $(BIN)/audit-kit  ## generate the demo company and audit it
	$(BIN)/audit-kit demo

test: $(BIN)/audit-kit  ## run every test (CI runs this)
	$(BIN)/python -m pytest -q

check: $(BIN)/audit-kit  ## the fast lane: unit tests only, no end-to-end runs
	$(BIN)/python -m pytest -q -m "not slow"

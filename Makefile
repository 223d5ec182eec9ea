# The README's two commands. Both create .venv and install the package first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/audit-kit: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

.PHONY: demo test
demo: $(BIN)/audit-kit  ## generate the demo company and audit it
	$(BIN)/audit-kit demo

test: $(BIN)/audit-kit  ## run the test suite
	$(BIN)/python -m pytest -q

# Set-up and entry points: `make app` launches NetDesigner, `make test` runs the whole test suite.
# Both create .venv on first use and install what they need.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXAMPLE ?= projects/lenet5_digits.json

.PHONY: app test setup

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

app: $(STAMP)
	$(VENV)/bin/netdesigner summary $(EXAMPLE)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

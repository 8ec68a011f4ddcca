# Every target sets itself up: a fresh clone needs only python3 (>= 3.11), venv and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench soak fixtures site-reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/veil --demo

lint: $(STAMP)
	bash -n .ci/run
	$(BIN)/ruff check console tests fixtures bench
	$(BIN)/ruff format --check console tests fixtures bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m bench

soak: $(STAMP)
	$(BIN)/python -m bench.soak

# Regenerates the demo clips and recordings; the committed ones are the output of this.
fixtures: $(STAMP)
	$(BIN)/python fixtures/make_demo.py

# Rewrites the site file reference in README.md from console/core/site/schema.py.
site-reference: $(STAMP)
	$(BIN)/python -m console.core.site.reference README.md

clean:
	rm -rf $(VENV) build *.egg-info

# Every target sets itself up: a fresh clone needs only python3 (>= 3.11), venv and make.
# The dev/test environment is installed from requirements.lock (every package pinned, with
# hashes), then Veil itself without dependencies: CI and every developer see the same
# versions. pyproject.toml keeps the ranges users get; `make test-latest` and
# `make test-oldest` run the suite at either end of them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := requirements.lock
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest bench soak fixtures lock test-latest test-oldest site-reference clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/veil --demo

lint: $(STAMP)
	bash -n .ci/run
	$(BIN)/ruff check console tests fixtures bench
	$(BIN)/ruff format --check console tests fixtures bench

typecheck: $(STAMP)
	$(BIN)/mypy

# Two workers (pytest-xdist) on these 2-core machines; the real-terminal tests share one
# of them (tests/conftest.py), so they never race each other for the terminal or a core.
pytest: $(STAMP)
	$(BIN)/pytest -q -n 2 --dist loadgroup

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m bench

soak: $(STAMP)
	$(BIN)/python -m bench.soak

# Regenerates the demo clips and recordings; the committed ones are the output of this.
fixtures: $(STAMP)
	$(BIN)/python -m fixtures.make_demo

# Re-resolves every pin (newest within pyproject's ranges) and rewrites the lock.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
	  --fork-strategy fewest --python-version 3.11 --upgrade \
	  --custom-compile-command "make lock" --quiet -o $(LOCK)

# The whole suite in a throw-away venv at the newest (test-latest) or oldest (test-oldest)
# versions pyproject's ranges allow; the tools keep their exact pins. Not part of `make test`.
# It prints the versions it got, for the note on the run.
RANGE_PACKAGES := textual|rich|numpy|opencv-python-headless|av|cryptography|tomlkit|psycopg|keyring|platformdirs
define fresh_env_suite
	set -e; venv=$$(mktemp -d -t veil-$(1)-XXXXXX); trap 'rm -rf "$$venv"' EXIT; \
	$(BIN)/uv venv --quiet --no-python-downloads --python $(PYTHON) "$$venv"; \
	$(BIN)/uv pip install --quiet --python "$$venv/bin/python" --refresh \
	  --resolution $(1) -e '.[dev]'; \
	$(BIN)/uv pip list --python "$$venv/bin/python" | grep -iwE '$(RANGE_PACKAGES)'; \
	"$$venv/bin/pytest" -q
endef

test-latest: $(STAMP)
	$(call fresh_env_suite,highest)

test-oldest: $(STAMP)
	$(call fresh_env_suite,lowest-direct)

# Rewrites the site file reference in README.md from console/core/site/schema.py.
site-reference: $(STAMP)
	$(BIN)/python -m console.core.site.reference README.md

clean:
	rm -rf $(VENV) build *.egg-info

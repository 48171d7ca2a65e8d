# Everything a developer or CI runs goes through these targets.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup tools example test test-fast lint generate bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	@# Byte-compile like a wheel install does (editable installs skip it, and some
	@# environments set PYTHONDONTWRITEBYTECODE, so every start would recompile).
	$(BIN)/python -m compileall -q mlops_spec
	touch $(STAMP)

setup: $(STAMP)

# External validators the tests run on generated output (see .ci/tools/).
tools: setup
	@for script in .ci/tools/*.sh; do [ -e "$$script" ] || continue; bash "$$script" || exit 1; done

# The main job on the bundled example: validate, render (committed, so `render --check`
# shows they are current), train, upload, gate a sample PR, drift; products in .example-out/
# and a table of where each is (mlops_spec/tools/example_loop.py).
example: setup
	$(BIN)/python -m mlops_spec.tools.example_loop example-repo --out .example-out

lint: setup
	$(BIN)/ruff check mlops_spec tests $(wildcard bench)
	$(BIN)/mypy

# The whole test suite, external validators included.
test: setup tools lint
	$(BIN)/python -m pytest

test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

# Regenerate committed outputs from the models (tests fail when they are stale).
generate: setup
	$(BIN)/python -m mlops_spec.tools.generated_docs
	$(BIN)/python -m mlops_spec.spec.estimators

bench: setup
	@for script in bench/*.py; do $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info

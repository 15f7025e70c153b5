# The two commands on a fresh machine with only Python 3.11:  make demo   and   make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime-installed
DEV := $(VENV)/.dev-installed

.PHONY: demo test serve bench lint chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(RUNTIME) $@

demo: $(RUNTIME)
	$(BIN)/carepool demo

serve: $(RUNTIME)
	$(BIN)/carepool serve

test: $(DEV) chromium
	$(BIN)/python -m pytest -q -n auto --dist loadgroup

chromium:
	@bash scripts/ensure-chromium

bench: $(DEV)
	@for script in bench/*.py; do case $$script in bench/_*) continue;; esac; \
		echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: $(DEV)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) demo-output carepool.db carepool.db-wal carepool.db-shm .pytest_cache

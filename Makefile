# LeakTrace: `make demo` and `make test` set everything up on a fresh machine.
# Every package comes from a lock in requirements/ (pinned, with hashes, installed with
# --require-hashes): runtime.txt for `make demo`, dev.txt (tests, lint, Spark) added by `make test`.
# To add a dependency, add it to pyproject.toml and to the matching requirements/*.in, then `make lock`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev
PIP    := $(BIN)/pip install --quiet --require-hashes
LOCK   := $(CURDIR)/$(BIN)/uv pip compile --quiet --generate-hashes --python-version 3.11 \
          --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock"

.PHONY: demo test lint typecheck bench lock clean

$(STAMP): pyproject.toml requirements/runtime.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements/runtime.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

$(DEV): $(STAMP) requirements/dev.txt
	$(PIP) -r requirements/runtime.txt -r requirements/dev.txt
	touch $(DEV)

demo: $(STAMP)
	$(BIN)/leaktrace demo --out demo-out

test: $(DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(DEV)
	$(BIN)/mypy

bench: $(DEV)
	$(BIN)/python bench/run_all.py

# Re-pin requirements/*.txt from requirements/*.in (keeps existing pins unless an .in needs
# another version; `make lock UPGRADE=--upgrade` moves everything to the newest allowed).
lock: $(DEV)
	$(LOCK) $(UPGRADE) requirements/runtime.in -o requirements/runtime.txt
	cd requirements && $(LOCK) $(UPGRADE) spark.in -o spark.txt
	cd requirements && $(LOCK) $(UPGRADE) dev.in -o dev.txt
	cd requirements && $(LOCK) $(UPGRADE) bench.in -o bench.txt

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache

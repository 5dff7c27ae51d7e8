# Set-up contract: `make demo` and `make test` work from a fresh clone and are idempotent.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := .demo

.PHONY: install dev demo test lint typecheck unit bench validate-labels gold-sets system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install only when the package metadata changes.
$(VENV)/.runtime-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed  ## create or refresh .venv with the package and its runtime dependencies

dev: $(VENV)/.dev-installed

# The demo works on a fresh copy of the repository's sample workspace, in an ignored folder.
demo: install
	rm -rf $(DEMO)
	mkdir -p $(DEMO)
	cp -r labels documents $(DEMO)/
	$(BIN)/annotator tui --workspace $(DEMO) --annotator demo

# tmux drives the end-to-end test in a real terminal; install it where we can.
system-deps:
	@command -v tmux >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null) \
	      || echo "warning: could not install tmux; the tmux end-to-end test will be skipped"; \
	  else echo "warning: tmux not found; the tmux end-to-end test will be skipped"; fi; }

lint: dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: dev
	$(BIN)/mypy

validate-labels: install
	$(BIN)/annotator validate .

# The gold sets are built from inline-markup sources; a hand edit to a .jsonl, or a source edit
# without a rebuild, fails here.
gold-sets: install
	$(BIN)/python benchmarks/devset/build.py --check
	$(BIN)/python benchmarks/devset/build.py benchmarks/devset/src2 benchmarks/devset/devset2.jsonl --id-prefix dev2- --source "annotator devset2" --check
	$(BIN)/python benchmarks/devset/build.py benchmarks/heldout/src benchmarks/heldout/heldout.jsonl --id-prefix heldout- --source "annotator heldout" --check
	$(BIN)/python benchmarks/devset/build.py samples/src samples/gold.jsonl --source "annotator samples" --check

unit: dev system-deps
	$(BIN)/python -m pytest -q -n 2

test: lint typecheck validate-labels gold-sets unit

bench: install
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script; done

clean:
	rm -rf $(VENV) $(DEMO) .mypy_cache .ruff_cache .pytest_cache

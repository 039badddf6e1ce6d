# Two commands do everything on a fresh machine with Python 3.11:
#   make book   set up .venv, build the site into _build/html
#   make test   set up .venv, run ruff and the whole test suite
# Both are idempotent: the set-up is redone only when requirements change.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup book test bench assignments clean

setup: $(STAMP)

# .venv-sandbox: the grading sandbox's own environment (NumPy and ipykernel only),
# the Python a student's kernel gets at autograde.
$(STAMP): requirements.txt requirements-sandbox.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	test -x .venv-sandbox/bin/python || $(PYTHON) -m venv .venv-sandbox
	.venv-sandbox/bin/python -m pip install --quiet -r requirements-sandbox.txt
	touch $(STAMP)

# Everything a page can show: chapters, the package that draws and computes
# them, the exercise notebooks they link, the configuration.
BOOK_INPUTS := _config.yml _toc.yml $(wildcard book/*.md book/*.bib book/_ext/*.py) \
               $(shell find src -name '*.py') $(wildcard exercises/*/*.ipynb)

book: _build/html/index.html

# Always a clean build when an input changed: Jupyter Book caches executed
# notebooks by their code cells only (a change in src/ would not re-run them)
# and incremental builds hide warnings. A failed build leaves no index.html,
# so the next `make book` tries again.
_build/html/index.html: $(STAMP) $(BOOK_INPUTS)
	$(BIN)/jupyter-book clean --all . >/dev/null
	$(BIN)/jupyter-book build . --builder html -W --keep-going || { rm -f $@; exit 1; }
	touch $@

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Regenerate the student notebooks (exercises/) from solutions/ with nbgrader.
assignments: $(STAMP)
	tools/make_assignments.sh

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis

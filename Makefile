# PM Academy — the front door. `make run` and `make test` set up a fresh machine by themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV := .tools/uv/bin/uv
UV_VERSION := 0.13.9
PY := $(VENV)/bin/python
# What learner kernels import: the lock's `grading-env` group alone, in its own environment
# (docs/operations.md, "Grading environment"); never the grader's packages.
GRADING_ENV := .venv-grading
MANAGE := $(PY) manage.py
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(PYTHON)
export UV_NO_PROGRESS := 1

.PHONY: help setup system-deps messages run test test-fast lint typecheck bench screenshots clean

help:
	@echo "make run    - set everything up and start the site on http://127.0.0.1:8000"
	@echo "make test   - set everything up and run the whole test suite and checks"
	@echo "make lint   - ruff check, ruff format --check and mypy (CI runs it before make test)"
	@echo "make bench  - benchmarks that print figures"
	@echo "make messages - compile the translation catalogues (docs/i18n.md)"
	@echo "make screenshots - save the key pages as PNGs in docs/screenshots/"

$(UV):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "PM Academy needs Python 3.11"' \
		|| { echo "PM Academy needs Python 3.11 (found $(PYTHON))."; exit 1; }
	$(PYTHON) -m venv .tools/uv
	.tools/uv/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

# Compiled at install: the sandbox mounts it read-only, so a kernel could not cache a .pyc.
$(GRADING_ENV)/.synced: uv.lock pyproject.toml | $(UV)
	UV_PROJECT_ENVIRONMENT=$(GRADING_ENV) $(UV) sync --frozen --quiet --compile-bytecode --only-group grading-env
	@chmod -R o+rX $(GRADING_ENV)
	@touch $@

system-deps:
	@bash scripts/system-deps.sh

# The message catalogues (docs/i18n.md): every <app>/locale and the project's locale/. The .mo
# files are build output (not in git), compiled again whenever a .po changes (needs gettext).
PO_FILES := $(shell find . \( -name '.venv*' -o -name node_modules -o -name var -o -name .tools -o -name .git \) -prune -o -path '*/locale/*/LC_MESSAGES/*.po' -print)
MO_FILES := $(PO_FILES:.po=.mo)

$(MO_FILES) &: $(PO_FILES) | $(VENV)/.synced
	@command -v msgfmt >/dev/null || { echo "Compiling translations needs GNU gettext: sudo apt-get install gettext"; exit 1; }
	$(MANAGE) compilemessages --ignore='.venv*' --ignore=node_modules --ignore=var --ignore=.tools --ignore=.git
	@touch $(MO_FILES)

messages: $(MO_FILES)

setup: system-deps $(VENV)/.synced $(GRADING_ENV)/.synced messages

run: setup
	@bash scripts/run.sh

test: export PMA_WITH_TEST_SERVERS := 1
test: setup
	@bash scripts/test.sh

test-fast: $(VENV)/.synced $(GRADING_ENV)/.synced messages
	$(VENV)/bin/pytest -q -x -m "not e2e and not slow" $(ARGS)

# The apps mypy checks: all of them (migrations excluded in pyproject.toml).
TYPED_APPS := accounts ops notifications exercises grading courses certificates announcements lti api privacy demo

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(MAKE) --no-print-directory typecheck

typecheck: $(VENV)/.synced
	$(VENV)/bin/mypy $(TYPED_APPS)

bench: setup
	@bash scripts/bench.sh

screenshots: export PMA_WITH_TEST_SERVERS := 1
screenshots: setup
	@bash scripts/node-deps.sh
	$(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) $(GRADING_ENV) .tools var/staticfiles

# ToolCRM developer commands. A fresh clone needs only python3 (3.11) and node/npm on PATH:
#
#   make run    install, migrate, load the demo data once, serve http://127.0.0.1:8000 + a worker
#   make test   install (plus Debian's chromium for the browser tests, when root) and run pytest
#
# Installs are file targets with stamps, so a second `make run` goes straight to the server:
#   .venv/.uv-<version>       the pinned uv inside the virtualenv
#   .venv/.synced             `uv pip sync requirements.lock` (redone when the lock changes)
#   node_modules/.npm-ci      `npm ci` (redone when package-lock.json changes)
#   var/.messages             compiled translations (redone when a .po file changes)
#
# Translations: the compiled .mo files are committed next to their .po files, so running the app
# needs no GNU gettext. When `msgfmt` is on PATH the .mo files are recompiled from the .po files
# (Django's compilemessages calls msgfmt); without it the committed .mo files are used as they are.
# CI has gettext and fails when a committed .mo file is stale (see .ci/run).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
TASKS_BACKEND ?= database
CHROMIUM_PATH ?= /usr/bin/chromium

PO_FILES := $(wildcard toolcrm/locale/*/LC_MESSAGES/*.po toolcrm/*/locale/*/LC_MESSAGES/*.po)
MESSAGE_IGNORES := --ignore='.*' --ignore=node_modules --ignore=var --ignore=artifacts --ignore=tests \
	--ignore=bench

# The worker that matches the task backend: RQ on Redis, else the database queue.
ifeq ($(TASKS_BACKEND),rq)
WORKER_CMD := $(MANAGE) rqworker --job-class django_tasks_rq.Job --with-scheduler default
else
WORKER_CMD := $(MANAGE) db_worker --no-startup-delay
endif

.PHONY: help run test lint worker bench messages clean distclean install install-python \
	install-node compile-messages chromium

help:
	@echo "make run        install, migrate, demo data, serve http://$(HOST):$(PORT)/ with a worker"
	@echo "make test       install and run the whole test suite (pytest)"
	@echo "make lint       ruff check, ruff format --check, mypy, import-linter"
	@echo "make worker     run only the background worker ($(TASKS_BACKEND) backend)"
	@echo "make bench      run the scripts in bench/ (figures, not asserts)"
	@echo "make messages   extract UI strings (en, zh_Hans) and compile them"
	@echo "make clean      remove caches, stamps and collected static files (keeps data)"
	@echo "make distclean  clean + remove .venv, node_modules and var/ (the demo database)"

# --- Installation ----------------------------------------------------------------------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	  echo "ToolCRM needs Python 3.11; $(PYTHON) is $$($(PYTHON) -V 2>&1)." \
	       "Run: make PYTHON=python3.11 …" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.uv-$(UV_VERSION): | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	@rm -f $(VENV)/.uv-*
	@touch $@

$(VENV)/.synced: requirements.lock $(VENV)/.uv-$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(PY) requirements.lock
	@touch $@

node_modules/.npm-ci: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# compilemessages walks the whole tree; the ignores keep it out of .venv and node_modules.
var/.messages: $(PO_FILES) | $(VENV)/.synced
	@mkdir -p var
	@if [ -z "$(PO_FILES)" ]; then \
	  echo "No .po files yet: nothing to compile."; \
	elif command -v msgfmt >/dev/null; then \
	  $(MANAGE) compilemessages $(MESSAGE_IGNORES); \
	else \
	  echo "msgfmt (GNU gettext) not found: using the committed .mo files."; \
	fi
	@touch $@

install-python: $(VENV)/.synced
install-node: node_modules/.npm-ci
compile-messages: var/.messages
install: install-python install-node compile-messages
	@mkdir -p var/staticfiles

# Browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
chromium:
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium fonts-noto-cjk >/dev/null; } \
	  || echo "WARNING: apt-get could not install chromium; browser tests will not run." >&2; \
	else \
	  echo "NOTE: $(CHROMIUM_PATH) is missing and installing it needs root and apt-get." \
	       "Browser tests are skipped (and fail under CI=true)." \
	       "Install it with: sudo apt-get install chromium fonts-noto-cjk" >&2; \
	fi

# --- Everyday commands -----------------------------------------------------------------------

# Web server, worker and scheduler (settings.SCHEDULE) each run in their own process group (set -m),
# so that stopping one also stops its autoreloader child. Ctrl-C, a TERM to make, or any of them
# exiting ends the wait; the EXIT trap then stops all groups, so nothing is left running.
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo --if-empty
	@set -m; web=; worker=; scheduler=; \
	stop() { \
	  trap - EXIT INT TERM HUP; \
	  for group in $$web $$worker $$scheduler; do kill -TERM -- "-$$group" 2>/dev/null || true; done; \
	  wait 2>/dev/null || true; \
	  echo "ToolCRM stopped (web server, worker and scheduler)."; \
	}; \
	trap stop EXIT; trap 'exit 0' INT; trap 'exit 143' TERM HUP; \
	echo; $(MANAGE) demo_logins; echo; \
	echo "ToolCRM: http://$(HOST):$(PORT)/   (worker: $(TASKS_BACKEND) backend, scheduler; Ctrl-C stops all)"; \
	echo; \
	$(WORKER_CMD) & worker=$$!; \
	$(MANAGE) run_scheduler & scheduler=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT) & web=$$!; \
	wait -n $$web $$worker $$scheduler

worker: install-python
	$(WORKER_CMD)

# Tests run tasks inline (immediate backend) except the tests that are about the queue itself.
# pytest's exit code 5 means "no tests collected": a broken collection must never look green.
test: install chromium
	@rc=0; \
	TOOLCRM_TESTING=1 TASKS_BACKEND=immediate CHROMIUM_PATH=$(CHROMIUM_PATH) \
	  $(BIN)/pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ $$rc = 5 ]; then echo "ERROR: pytest collected no tests." >&2; fi; \
	exit $$rc

# mypy is strict on the application (toolcrm.*, migrations exempt). Tests are not type-checked:
# factory_boy's factories are untyped, so checking tests would only add ignores.
lint: install-python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy toolcrm
	$(BIN)/lint-imports

bench: install
	@shopt -s nullglob; scripts=(bench/*.py); \
	if [ $${#scripts[@]} = 0 ]; then echo "No bench scripts in bench/." >&2; exit 1; fi; \
	for script in "$${scripts[@]}"; do \
	  echo "== $$script"; $(PY) "$$script" $(BENCH_ARGS); \
	done

# Extract every translatable string (Python and templates), then compile. Needs GNU gettext.
messages: install-python
	@command -v msgfmt >/dev/null || { \
	  echo "make messages needs GNU gettext (apt-get install gettext)." >&2; exit 1; }
	mkdir -p toolcrm/locale
	$(MANAGE) makemessages -l en -l zh_Hans --no-obsolete $(MESSAGE_IGNORES)
	$(MANAGE) compilemessages $(MESSAGE_IGNORES)
	@mkdir -p var && touch var/.messages

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis var/staticfiles var/.messages
	rm -f $(VENV)/.synced node_modules/.npm-ci
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
	  -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules var

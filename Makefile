# Kehu — make demo · make test · make bench · make lint  (see README.md)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
KEHU   := $(VENV)/bin/kehu
STAMP  := $(VENV)/.kehu-installed
CHROMIUM ?= /usr/bin/chromium
PORT   ?= 8000

# Every pytest run: no cache dir, report skips (-rs), and the no-skip plugin, which turns a
# skip into a failure when CI or KEHU_NO_SKIP is set (.ci/run sets it).
PYTEST := $(VENV)/bin/python -m pytest -p no:cacheprovider -rs -p kehu.core.pytest_noskip
XDIST  ?= -n 2

.PHONY: help venv install demo lint test test-sqlite test-postgres test-api test-e2e test-scale bench messages screenshots

help:
	@echo "make demo [PORT=8000]   create .venv, install, migrate, load demo data, run the worker, serve at http://127.0.0.1:PORT"
	@echo "make test           lint + tests on SQLite + tests on PostgreSQL + API fuzzing + browser tests (Chromium) + scale-out"
	@echo "make lint           ruff, the layer contract (lint-imports), Django system checks (incl. --deploy), missing migrations"
	@echo "make test-sqlite | test-postgres | test-api | test-e2e | test-scale   one part of make test"
	@echo "make bench [SIZE=S|M|L] [DB=postgres] [REUSE=1]   the benchmark (bench/README.md)"
	@echo "make messages       update and compile the zh_Hans translation catalogue"
	@echo "make screenshots    regenerate docs/screenshots/*.png from a fresh demo (Chromium at CHROMIUM)"

# Python 3.11 first: another version would leave a .venv that pip then refuses to fill.
$(PY):
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
	  found="$$($(PYTHON) --version 2>&1 || echo none)"; \
	  echo "Kehu 需要 Python 3.11（找到：$$found）。请安装 python3.11，或指定：make demo PYTHON=/path/to/python3.11"; \
	  echo "Kehu needs Python 3.11 (found: $$found). Install python3.11, or name it: make demo PYTHON=/path/to/python3.11"; \
	  exit 1; \
	fi
	$(PYTHON) -m venv $(VENV)

# Re-installs only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv install: $(STAMP)

demo: $(STAMP)
	$(KEHU) demo --bind 127.0.0.1:$(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(KEHU) check
	$(KEHU) makemigrations --check --dry-run
	$(KEHU) spectacular --fail-on-warn --validate --file /dev/null
	DJANGO_SETTINGS_MODULE=kehu.settings \
	KEHU_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(45))')" \
	KEHU_HTTPS=1 KEHU_ALLOWED_HOSTS=kehu.example.com \
	$(KEHU) check --deploy --fail-level WARNING

test-sqlite: $(STAMP)
	env -u DATABASE_URL $(PYTEST) $(XDIST) kehu

test-postgres: $(STAMP)
	scripts/with-postgres.sh $(PYTEST) $(XDIST) kehu

# Schemathesis against a live server with demo data, as a salesperson and as the GM (scripts/api-fuzz.sh).
test-api: $(STAMP)
	scripts/api-fuzz.sh $(PY)

test-e2e: $(STAMP)
	@if [ ! -x "$(CHROMIUM)" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Chromium not found at $(CHROMIUM): installing Debian's chromium with apt-get"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	  else \
	    echo "ERROR: the browser tests need Chromium at $(CHROMIUM)." >&2; \
	    echo "Install it as root (apt-get install chromium) or run make as root, or set CHROMIUM=/path/to/chromium." >&2; \
	    exit 1; \
	  fi; \
	fi
	env -u DATABASE_URL KEHU_CHROMIUM="$(CHROMIUM)" $(PYTEST) e2e

# Two app nodes and two workers on one PostgreSQL and one Redis, set up as docs/deploy.md says
# (scripts/test-scale.sh; installs Debian's redis-server when missing and run as root).
test-scale: $(STAMP)
	PY=$(PY) scripts/test-scale.sh

# Stops at the first failure.
test:
	$(MAKE) lint
	$(MAKE) test-sqlite
	$(MAKE) test-postgres
	$(MAKE) test-api
	$(MAKE) test-e2e
	$(MAKE) test-scale

bench: $(STAMP)
	@if [ -f bench/run.py ]; then \
	  $(PY) bench/run.py $(if $(SIZE),--size $(SIZE),) $(if $(filter postgres,$(DB)),--postgres,) \
	    $(if $(REUSE),--reuse,) $(BENCH_ARGS); \
	else \
	  echo "The benchmark is not built yet (bench/run.py is missing)."; \
	fi

messages: $(STAMP)
	$(KEHU) makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=var --ignore=e2e --ignore=bench
	$(KEHU) compilemessages -l zh_Hans --ignore=.venv --ignore=var

# The README's pictures, from a demo database the script prepares in a temporary directory.
screenshots: $(STAMP)
	env -u DATABASE_URL $(PY) scripts/screenshots.py --chromium "$(CHROMIUM)"

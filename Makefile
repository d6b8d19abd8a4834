# Everyday commands: `make run` serves the archive, `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WITH_DB := $(PY) -m archive.database run
DEV := DJANGO_DEBUG=1

# The first Python >= 3.12 that really runs: python3.14/3.13/3.12 on PATH (pyenv's shims
# fail unless selected, so each is tried), then pyenv's installed versions, newest first.
define find_python
for candidate in python3.14 python3.13 python3.12 \
    $$(ls -d "$${PYENV_ROOT:-$$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
  if "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
    command -v "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

$(VENV)/bin/python:
	@python=$$($(find_python)) || { \
	  echo "No Python 3.12 or newer found. Install Python 3.12+ (python.org, your package manager or pyenv) and run make again." >&2; \
	  exit 1; }; \
	echo "Creating $(VENV) with $$python ($$($$python --version))"; \
	"$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python pyproject.toml
	$(PY) -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

# The suite includes short load and fault runs (tests/bench), so it gets the bench extra too.
$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,bench]'
	@touch $@

$(VENV)/.installed-bench: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	@touch $@

.PHONY: install run serve test lint superuser manage db-start db-stop backup restore clean bench load

install: $(VENV)/.installed

## run: create the virtualenv, start the database, migrate, import seeds/, serve on http://$(HOST):$(PORT)
## (gunicorn as in production, archive/serving.py, with 2 workers)
run: $(VENV)/.installed
	@$(DEV) $(WITH_DB) bash -c '\
	  set -e; \
	  $(PY) manage.py migrate --noinput; \
	  $(PY) manage.py import_seeds --base-url http://$(HOST):$(PORT); \
	  echo; echo "Serving the archive at http://$(HOST):$(PORT)/ (Ctrl-C stops it and the database)"; \
	  exec $(PY) -m gunicorn -c python:archive.serving --bind $(HOST):$(PORT) --workers 2'

# The browser tests (tests/browser) drive Debian's Chromium: install it when missing and we
# can (root with apt-get); otherwise say so, and those tests skip themselves.
define ensure_chromium
if [ ! -x /usr/bin/chromium ]; then \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "Installing Chromium for the browser tests"; \
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
      || echo "Could not install Chromium: the browser tests will be skipped." >&2; \
  else \
    echo "No /usr/bin/chromium (install it with: apt-get install chromium): the browser tests will be skipped." >&2; \
  fi; \
fi
endef

# axe-core for the accessibility tests, from npm into .data/npm (not tracked).
AXE := .data/npm/node_modules/axe-core/axe.min.js
define ensure_axe
if [ ! -f $(AXE) ]; then \
  if command -v npm >/dev/null; then \
    npm install --no-save --no-audit --no-fund --silent --prefix .data/npm axe-core@4 >/dev/null \
      || echo "Could not install axe-core: the accessibility tests will be skipped." >&2; \
  else \
    echo "No npm: the accessibility tests will be skipped." >&2; \
  fi; \
fi
endef

## test: install what the tests need and run the suite on PostgreSQL
test: $(VENV)/.installed-test
	@$(ensure_chromium)
	@mkdir -p .data && $(ensure_axe)
	@$(DEV) $(WITH_DB) $(PY) -m pytest $(PYTEST_ARGS)

## bench: time the reading pages with wrk against gunicorn on a bench database (bench/RESULTS.md)
bench: $(VENV)/.installed
	@command -v wrk >/dev/null || { apt-get update && apt-get install -y wrk; }
	@if [ -n "$$BENCH_DATABASE_URL" ]; then export DATABASE_URL="$$BENCH_DATABASE_URL"; \
	  else unset DATABASE_URL; export ARCHIVE_DB_NAME=archive_bench_$${BENCH_WORKS:-100000}; fi; \
	  $(WITH_DB) bash bench/run.sh

## load: mixed load (locust), a database restart, a killed import, slow clients and hostile
## uploads against a throwaway
## PostgreSQL cluster and gunicorn on 127.0.0.1 (bench/load.py); figures to bench/RESULTS.md
load: $(VENV)/.installed-bench
	@$(PY) -m bench.load

## serve: production mode (needs SECRET_KEY; ALLOWED_HOSTS, and SECURE_SSL_REDIRECT=0 without TLS)
serve: $(VENV)/.installed
	@test -n "$$SECRET_KEY" || { echo "make serve needs SECRET_KEY in the environment." >&2; exit 1; }
	@DJANGO_DEBUG=0 $(WITH_DB) bash -c '\
	  set -e; \
	  $(PY) manage.py migrate --noinput; \
	  $(PY) manage.py collectstatic --noinput -v0; \
	  exec $(PY) -m gunicorn -c python:archive.serving'

## backup: pg_dump the database into .data/backups/ (or FILE=path)
backup: $(VENV)/.installed
	@$(WITH_DB) $(PY) -m archive.database backup $(FILE)

## restore: load FILE=path, made by make backup, replacing the database's contents
restore: $(VENV)/.installed
	@test -n "$(FILE)" || { echo "usage: make restore FILE=.data/backups/archive-....dump" >&2; exit 1; }
	@$(WITH_DB) $(PY) -m archive.database restore $(FILE)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

superuser: $(VENV)/.installed
	@$(DEV) $(WITH_DB) $(PY) manage.py createsuperuser

## manage: a management command on the development database: make manage ARGS="import_seeds seeds/"
manage: $(VENV)/.installed
	@test -n "$(ARGS)" || { echo 'usage: make manage ARGS="COMMAND [OPTIONS]", e.g. ARGS=help' >&2; exit 1; }
	@$(DEV) $(WITH_DB) $(PY) manage.py $(ARGS)

db-start: $(VENV)/.installed
	@$(PY) -m archive.database start

db-stop: $(VENV)/.installed
	@$(PY) -m archive.database stop

clean: db-stop
	rm -rf $(VENV) .data

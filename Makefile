# Zizhu: the README's commands. `make run` serves the embedded shop; `make test` runs everything.
SHELL := /bin/bash
# Debian's own python3.11 when present: built with PGO and LTO, it ran the checkout with 13 % less
# CPU than a default (pyenv) build of 3.11 (docs/ordering.md, session 5). Any python3.11 works.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEPS_HASH := $(shell sha1sum pyproject.toml | cut -c1-12)
RUN_STAMP := $(VENV)/.stamp-run-$(DEPS_HASH)
TEST_STAMP := $(VENV)/.stamp-test-$(DEPS_HASH)

# The test suite's services (started by scripts/ensure-services.sh when not running).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/zizhu
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test install lint messages prod prod-setup bench bench-setup bench-search bench-flash bench-checkout-cost bench-recommendations clean

$(PY):
	$(PYTHON) -m venv $(VENV) || { bash scripts/ensure-system.sh venv && $(PYTHON) -m venv $(VENV); }
	$(PIP) install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PIP) install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install -q -e '.[test]'
	touch $@ $(RUN_STAMP)

install: $(RUN_STAMP)

messages: $(RUN_STAMP)
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages --ignore=.venv -v0; \
	else echo "msgfmt not found: using the committed .mo files"; fi

## Serve the embedded shop (SQLite, no other server) on http://127.0.0.1:8000
run: $(RUN_STAMP) messages
	$(PY) manage.py run

## The whole suite: lint, types, PostgreSQL + Redis tests, browser, API fuzzing, SQLite smoke pass.
test: $(TEST_STAMP)
	bash scripts/ensure-system.sh
	bash scripts/ensure-services.sh
	$(MAKE) --no-print-directory messages
	$(MAKE) --no-print-directory lint
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -p no:cacheprovider
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -p no:cacheprovider -m smoke -q

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

## Production processes on one machine (PostgreSQL + Redis): WSGI web, ASGI WebSockets, Celery worker and beat.
prod-setup: $(RUN_STAMP) messages
	ZIZHU_PROFILE=production $(PY) manage.py migrate --noinput
	ZIZHU_PROFILE=production $(PY) manage.py collectstatic --noinput -v0

prod: prod-setup
	$(VENV)/bin/honcho -f Procfile start

bench-setup: $(TEST_STAMP)
	bash scripts/ensure-services.sh
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

## Benchmarks print figures (see bench/README.md); each uses its own database.
bench: bench-setup
	$(PY) bench/http_baseline.py

bench-search: bench-setup  # issue #3: 100,000 products (seeds once, then reuses zizhu_bench_search)
	$(PY) bench/search_catalog.py

bench-flash: bench-setup  # issue #4: the flash sale, hot SKU and 10,000 SKUs
	$(PY) bench/ordering_flash_sale.py

bench-checkout-cost: bench-setup  # issue #4: one checkout's CPU ms and instructions (callgrind), in-process
	command -v valgrind >/dev/null || (apt-get update -qq && apt-get install -y -qq valgrind)
	$(PY) bench/checkout_cost.py --setup --carts 2000
	$(PY) bench/checkout_cost.py --orders 300
	$(PY) bench/checkout_cost.py --instructions

bench-recommendations: bench-setup  # issue #6: training time and serving p50/p99 (--evaluate for UCI)
	$(PY) bench/recommendations.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# Chronos — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALES := en ru ar
BABEL_KEYWORDS := -k N_ -k t -k NP_:1,2 -k NC_:1c,2 -k plural:1,2 -k ngettext:1,2
DEMO_DB ?= var/demo.db
export TEST_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: bench-deps browser-deps venv install demo demo-seed test test-unit test-integration test-e2e lint format i18n i18n-compile bench db-upgrade clean

venv: $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,demo]'
	touch $(STAMP)

install: $(STAMP) i18n-compile

i18n-compile: | $(BIN)/python
	$(BIN)/pybabel compile --use-fuzzy -d translations -D messages --statistics 2>&1 | grep -v '^$$' || true
	@for l in $(LOCALES); do test -f translations/$$l/LC_MESSAGES/messages.mo || { echo "catalog $$l did not compile"; exit 1; }; done

i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output --width 120 \
		--project=Chronos --copyright-holder="Chronos contributors" -o translations/messages.pot .
	@for l in $(LOCALES); do \
		if [ -f translations/$$l/LC_MESSAGES/messages.po ]; then \
			$(BIN)/pybabel update --no-fuzzy-matching --width 120 -i translations/messages.pot -d translations -D messages -l $$l; \
		else \
			$(BIN)/pybabel init -i translations/messages.pot -d translations -D messages -l $$l; \
		fi; \
	done
	$(BIN)/python tools/i18n_fill_en.py translations/en/LC_MESSAGES/messages.po
	$(MAKE) i18n-compile

# The whole product offline: emulators, API, bot, scheduler, web chat on http://127.0.0.1:8080 (Ctrl-C stops).
demo: install
	$(BIN)/chronos demo

# Only seed the demo company into $(DEMO_DB) and print it.
demo-seed: install
	mkdir -p var
	rm -f $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	DATABASE_URL=sqlite+aiosqlite:///./$(DEMO_DB) $(BIN)/chronos demo seed

# Worker processes: most tests wait on servers and emulators, so 3 workers use 2 cores well; a file stays
# on one worker (its module fixtures are built once). PYTEST_WORKERS=0 runs everything in this process.
# The fault-injection tests then run alone: their deadlines and recoveries must not share the CPU.
PYTEST_WORKERS ?= 3
test: install
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) --dist loadfile -m "not faults"
	$(BIN)/pytest -q -m faults

test-unit: install
	$(BIN)/pytest -q tests/unit

test-integration: install
	$(BIN)/pytest -q tests/integration

test-e2e: install
	$(BIN)/pytest -q tests/e2e

# Debian's Chromium for the browser e2e test (CI runs as root; elsewhere the test says how to install it).
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing chromium (Debian package) for the browser test"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "chromium is missing: sudo apt-get install chromium (needed by tests/e2e/browser)"; \
		fi; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# wrk (Debian package) drives the HTTP benchmarks from its own process; each benchmark measures its floor
# in the same run and prints the goal beside each figure (docs/performance.md).
BENCHES := api zk zk_parse bot nightly digest approval

bench-deps:
	@if ! command -v wrk >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "installing wrk (Debian package) for bench/api.py"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "wrk is missing: sudo apt-get install wrk (needed by bench/api.py)"; exit 1; \
		fi; \
	fi

bench: install bench-deps
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(BIN)/python bench/$$b.py || exit 1; done

db-upgrade: install
	$(BIN)/chronos db upgrade

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .mypy_cache
	find translations -name '*.mo' -delete

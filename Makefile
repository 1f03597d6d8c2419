# Yunguan — the two commands a new user types: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 5000
export FLASK_APP := wsgi

.PHONY: run test test-sqlite test-postgres bench lint setup db assets translations browser clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

app/static/vendor/.built: node_modules/.installed scripts/build_assets.sh
	scripts/build_assets.sh
	touch $@

assets: app/static/vendor/.built

translations: $(BIN)/.installed
	$(BIN)/pybabel compile -d app/translations 2>/dev/null

setup: $(BIN)/.installed assets translations

# Migrate the database and deploy the diagrams in bpmn/ (unchanged ones are not redeployed).
db: setup
	$(FLASK) db upgrade
	$(FLASK) bpmn deploy bpmn/

run: db
	$(FLASK) demo load
	@echo ""
	@echo "  Yunguan is starting on http://127.0.0.1:$(PORT)  (Ctrl-C stops it)"
	@echo ""
	SCHEDULER_ENABLED=$${SCHEDULER_ENABLED:-true} $(FLASK) run --host 127.0.0.1 --port $(PORT) --no-reload

browser:
	scripts/ensure_chromium.sh

test: setup browser
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

test-sqlite:
	@echo "== test suite on SQLite =="
	env -u TEST_DATABASE_URL $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres:
	@echo "== test suite on PostgreSQL ($$TEST_DATABASE_URL) =="
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules app/static/vendor

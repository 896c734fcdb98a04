# The two commands of the README: `make run` and `make test`. Everything else is their set-up.
PYTHON ?= python3
PORT ?= 5000
VENV := .venv
BIN := $(VENV)/bin
HTMX := finder/static/vendor/htmx.min.js

.PHONY: run test test-browser bench install install-dev assets db clean

# make run serves plain HTTP on 127.0.0.1, where not every browser returns a Secure cookie.
run: install assets .env db
	$(BIN)/flask seed demo --if-empty
	SESSION_COOKIE_SECURE=0 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install-dev assets
	bash .ci/ensure-chromium
	$(BIN)/pytest

test-browser: install-dev assets
	bash .ci/ensure-chromium
	$(BIN)/pytest -m browser

# SQLite and, when a server answers (BENCH_POSTGRES_URL), PostgreSQL; writes docs/performance.md's tables.
bench: install-dev assets
	bash bench/ensure-wrk
	$(BIN)/python -m bench

db: install .env
	$(BIN)/flask db upgrade

install: $(VENV)/.installed-app
install-dev: $(VENV)/.installed-dev
assets: $(HTMX)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The ZIP data's cache (finder/catalog/zipdata.tsv.gz, git-ignored) is written from the pinned
# zipcodes package as each install ends; a process that finds it missing writes it too.
$(VENV)/.installed-app: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/python -m finder.catalog.write_zip_data
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m finder.catalog.write_zip_data
	touch $@ $(VENV)/.installed-app

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(HTMX): node_modules/.package-lock.json
	mkdir -p $(dir $@)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# A secret key of this clone's own for `make run` and hand-run flask commands (git-ignored).
.env:
	$(BIN)/python -c "import secrets; print('SECRET_KEY=' + secrets.token_hex(32))" > $@

clean:
	rm -rf $(VENV) node_modules finder/static/vendor .pytest_cache

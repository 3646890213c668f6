# Everyday commands. `make run` and `make test` set everything up from a fresh clone (Debian 12).
PY       ?= python3
VENV     := .venv
BIN      := $(VENV)/bin
FLASK    := $(BIN)/flask --app app
STAMP    := $(VENV)/.installed
CATALOGS := caseman/translations

.PHONY: run test test-sqlite test-pg lint fmt babel-extract babel-update babel-compile db-upgrade bench bench-scale bench-city setup debian

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

debian:
	scripts/ensure-debian-packages.sh

setup: debian $(STAMP) babel-compile

run: setup
	$(FLASK) init-db
	$(FLASK) demo-data --if-empty
	BIN=$(BIN) scripts/run.sh

test: setup lint
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-pg

# SQLite runs on a server clock twenty hours behind Beijing (Etc/GMT+12), PostgreSQL on UTC:
# "today" and "now" must come from caseman.clock (Asia/Shanghai), never from the machine.
test-sqlite:
	@echo "== tests on SQLite (server clock UTC-12) =="
	TZ=Etc/GMT+12 $(BIN)/python -m pytest -q

test-pg:
	@echo "== tests on PostgreSQL 15 (server clock UTC) =="
	@url=$$(scripts/pg-test-db.sh) && \
	  CASEMAN_TEST_DATABASE_URL=$$url TZ=UTC $(BIN)/python -m pytest -q -m "not e2e"; \
	  status=$$?; scripts/pg-drop-db.sh $$url; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check caseman tests scripts
	$(BIN)/ruff format --check caseman tests scripts
	$(BIN)/bandit -q -c pyproject.toml -r caseman scripts
	$(BIN)/python scripts/audit_dependencies.py

fmt: $(STAMP)
	$(BIN)/ruff format caseman tests
	$(BIN)/ruff check --fix caseman tests

babel-extract: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k _ln:1,2 --ignore-dirs ".* venv .venv" --no-location --sort-output -o $(CATALOGS)/messages.pot .

babel-update: babel-extract
	$(BIN)/pybabel update -i $(CATALOGS)/messages.pot -d $(CATALOGS) --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/fill_english.py

babel-compile: $(STAMP)
	$(BIN)/pybabel compile -d $(CATALOGS) 2>&1 | tail -n 1

db-upgrade: $(STAMP)
	$(FLASK) init-db

# Due list and dashboard at district scale (20,000 elders, 24 months of visits) on a fresh SQLite
# file; fails when the town's due list renders in over 300 ms. Options go in BENCH_ARGS, e.g. on
# PostgreSQL: url=$(scripts/pg-test-db.sh); make bench BENCH_ARGS="--database-url $url";
# scripts/pg-drop-db.sh $url (see scripts/bench_visits.py).
bench: $(STAMP)
	PYTHONPATH=. $(BIN)/python scripts/bench_visits.py $(BENCH_ARGS)

# City scale (issue 6): search, case file, dashboard, due list, ledger export, gunicorn load.
# make bench-scale SCALE_ARGS="--database-url sqlite:////tmp/scale.db --elders 100000 --months 24"
bench-scale: $(STAMP)
	PYTHONPATH=. $(BIN)/python scripts/bench_scale.py $(SCALE_ARGS)

# Issue 21, every goal beside its figure: the forms (附件2/附件3 against soffice, a batch's
# forms/s and memory), then on the database CITY_DB (loaded with bench-scale first; grow it with
# SCALE_ARGS="--elders 250000 --grow") the home pages and due lists, then search, case file,
# ledger and the gunicorn load with the bare /healthz route beside it.
# make bench-city CITY_DB=postgresql+psycopg://user:pass@127.0.0.1:5432/caseman_scale
bench-city: $(STAMP)
	PYTHONPATH=. $(BIN)/python scripts/bench_forms.py
	PYTHONPATH=. $(BIN)/python scripts/bench_dashboard.py --database-url "$(CITY_DB)"
	PYTHONPATH=. $(BIN)/python scripts/bench_scale.py --database-url "$(CITY_DB)" $(SCALE_ARGS)

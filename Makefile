# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: serve test demo browser clean jupyter postgres

$(VENV)/.installed: pyproject.toml
	scripts/install-libmagic
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

serve: $(VENV)/.installed
	$(PY) -m sollicitations serve

# The linter and the formatter first, then everything on DuckDB (the PostgreSQL-marked tests too),
# then the unit suite again on PostgreSQL.
test: $(VENV)/.installed browser
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	@url=$$(scripts/start-postgres | tail -n 1); \
	case "$$url" in postgresql://*) ;; *) echo "PostgreSQL did not start: $$url" >&2; exit 1;; esac; \
	export SOLLICITATIONS_TEST_PG="$$url" SOLLICITATIONS_REQUIRE_PG=1; \
	$(PY) -m pytest && SOLLICITATIONS_TEST_DB=postgresql $(PY) -m pytest tests/unit

postgres:
	scripts/start-postgres

demo: $(VENV)/.installed
	$(PY) -m sollicitations demo --force

jupyter: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[notebooks]'
	test -f data/sollicitations.duckdb || $(PY) -m sollicitations demo
	$(VENV)/bin/jupyter lab notebooks/

browser:
	scripts/install-browser

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.wal

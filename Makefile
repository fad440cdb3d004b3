# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: serve test demo browser clean jupyter

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

serve: $(VENV)/.installed
	$(PY) -m sollicitations serve

test: $(VENV)/.installed browser
	$(PY) -m pytest

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

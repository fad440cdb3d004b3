# The two commands of the README: `make serve` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: serve test demo browser clean

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

browser:
	scripts/install-browser

clean:
	rm -rf $(VENV) data/*.duckdb data/*.duckdb.wal

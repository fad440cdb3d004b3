"""Fixtures shared by every tier: the demo world, built once, and a fresh copy of it for each test.

The store under test is a real DuckDB file in a temporary folder, or, with SOLLICITATIONS_TEST_DB=postgresql
(and SOLLICITATIONS_TEST_PG=postgresql://..., see tests/pg.py), a real PostgreSQL database: the same
worlds are built with DuckDB, copied once into a template database, and each test gets a database made
from that template. Tests about DuckDB files themselves carry the `duckdb_only` marker.
"""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.store import Store

from .pg import drop_database, fresh_database, require_pg_url, unique_name

BACKEND = os.environ.get("SOLLICITATIONS_TEST_DB", "duckdb")
if BACKEND not in ("duckdb", "postgresql"):
    raise ValueError(f"SOLLICITATIONS_TEST_DB must be duckdb or postgresql, not {BACKEND!r}")
ON_POSTGRESQL = BACKEND == "postgresql"

_templates: dict[Path, str] = {}  # DuckDB template file -> its PostgreSQL template database


def pytest_collection_modifyitems(config, items):
    if not ON_POSTGRESQL:
        return
    kept = [item for item in items if item.get_closest_marker("duckdb_only") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def clone(template: Path | None, tmp_path: Path, name: str = "sollicitations", backend: str = BACKEND) -> str | Path:
    """A fresh copy of a template world for one test (None: an empty store): a DuckDB file, or a
    PostgreSQL database (its URL)."""
    if backend != "postgresql":
        path = tmp_path / f"{name}.duckdb"
        if template is not None:
            shutil.copy(template, path)
        return path
    url = require_pg_url()
    if template is None:
        return fresh_database(url, unique_name("e"))
    if template not in _templates:
        name_of_template = unique_name("tpl")
        source, target = Store(template, read_only=True), Store(fresh_database(url, name_of_template))
        try:
            source.copy_into(target)
        finally:
            source.close()
            target.close()
        _templates[template] = name_of_template
    return fresh_database(url, unique_name("t"), template=_templates[template])


def release(target: str | Path) -> None:
    """Drop a PostgreSQL copy (a DuckDB file goes with its temporary folder)."""
    if isinstance(target, str) and target.startswith("postgresql://"):
        drop_database(target, target.rsplit("/", 1)[-1])


@contextmanager
def opened(template: Path, tmp_path: Path):
    """A desk over a fresh copy of `template`, closed and dropped afterwards."""
    target = clone(template, tmp_path)
    d = sol.open_desk(target)
    try:
        yield d
    finally:
        d.close()
        release(target)


@pytest.fixture(scope="session", autouse=True)
def _drop_postgresql_templates():
    yield
    if _templates:
        url = require_pg_url()
        for name in _templates.values():
            drop_database(url, name)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The fixed demo world, built once (a DuckDB file); tests get a copy of it."""
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    demo.build(path, size=0).close()
    return path


@pytest.fixture
def desk(demo_template, tmp_path):
    """A desk over a fresh copy of the demo world."""
    with opened(demo_template, tmp_path) as d:
        yield d


@pytest.fixture
def empty_desk(tmp_path):
    target = clone(None, tmp_path, "empty")
    d = sol.open_desk(target)
    yield d
    d.close()
    release(target)


@pytest.fixture
def fournisseur(desk):
    return desk.as_user("fournisseur")


@pytest.fixture
def dupont(desk):
    return desk.as_user("dupont")


@pytest.fixture
def destinataire(desk):
    return desk.as_user("destinataire")


@pytest.fixture
def support(desk):
    return desk.as_user("support")


@pytest.fixture
def gestionnaire(desk):
    return desk.as_user("gestionnaire")

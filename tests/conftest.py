"""Fixtures shared by every tier: real DuckDB files in a temporary folder, the demo world."""
from __future__ import annotations

import shutil

import pytest

import sollicitations as sol
from sollicitations import demo


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The fixed demo world, built once; tests get a copy of the file."""
    path = tmp_path_factory.mktemp("template") / "demo.duckdb"
    demo.build(path, size=0).close()
    return path


@pytest.fixture
def desk(demo_template, tmp_path):
    """A desk over a fresh copy of the demo world, in a real DuckDB file."""
    path = tmp_path / "sollicitations.duckdb"
    shutil.copy(demo_template, path)
    d = sol.open_desk(path)
    yield d
    d.close()


@pytest.fixture
def empty_desk(tmp_path):
    d = sol.open_desk(tmp_path / "empty.duckdb")
    yield d
    d.close()


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

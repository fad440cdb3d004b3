"""Every notebook runs top to bottom on the demo world (as CI does), with nothing but the package."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from sollicitations import demo

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("notebooks") / "demo.duckdb"
    demo.build(path, size=2000).close()
    return path


def test_the_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} == {"exploration.ipynb", "delais.ipynb", "export.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, demo_db, monkeypatch):
    monkeypatch.setenv("SOLLICITATIONS_DB", str(demo_db))
    monkeypatch.setenv("PYTHONPATH", str(path.parents[1]))  # the package, installed or not
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any(o.output_type in ("display_data", "execute_result") for o in outputs)


def test_the_notebooks_match_their_source(tmp_path):
    """The .ipynb files are what make_notebooks.py writes: no hand edit drifts from the source."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS[0].parent / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for path in NOTEBOOKS:
        fresh = nbformat.read(tmp_path / path.name, as_version=4)
        kept = nbformat.read(path, as_version=4)
        assert [c.source for c in fresh.cells] == [c.source for c in kept.cells], path.name

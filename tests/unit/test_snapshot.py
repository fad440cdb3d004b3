"""Reading while another process holds the database: published snapshots."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sollicitations as sol
from sollicitations import snapshot
from sollicitations.demo import REC201FOURNISSEUR

pytestmark = pytest.mark.duckdb_only  # DuckDB files themselves: see tests/conftest.py

ROOT = Path(__file__).resolve().parents[2]


def read_in_other_process(path: Path, code: str) -> str:
    script = f"import sollicitations as sol\ndesk = sol.open_desk({str(path)!r}, read_only=True)\n{code}"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def new_draft(desk) -> int:
    return desk.as_user("fournisseur").save_draft(
        categorie="Factures reçues", sous_categorie="Autre", structure=REC201FOURNISSEUR, description="Instantané"
    )


def test_another_process_reads_the_published_snapshot(desk):
    path = Path(desk.store.path)
    numero = new_draft(desk)
    with pytest.raises(AssertionError, match="aucun instantané"):
        read_in_other_process(path, "print(desk.store.count_sollicitations())")
    snapshot.publish(desk.store, snapshot.snapshot_path(path))
    out = read_in_other_process(
        path,
        f"print(desk.as_user('fournisseur').get({numero})['description'], desk.snapshot_age().total_seconds() < 60)",
    )
    assert out == "Instantané True"


def test_a_snapshot_refuses_every_write(desk):
    path = Path(desk.store.path)
    snapshot.publish(desk.store, snapshot.snapshot_path(path))
    out = read_in_other_process(
        path,
        "\n".join(
            [
                "try:",
                "    desk.as_user('fournisseur').delete_draft(1)",
                "except sol.PermissionDenied as e:",
                "    print(e)",
            ]
        ),
    )
    assert out == snapshot_message()
    assert desk.store.sollicitation(1) is not None


def snapshot_message():
    from sollicitations.store import READ_ONLY_MESSAGE

    return READ_ONLY_MESSAGE


def test_a_free_file_is_read_through_a_private_copy(demo_template, tmp_path):
    path = tmp_path / "free.duckdb"
    shutil.copy(demo_template, path)
    reader = sol.open_desk(path, read_only=True)
    copy = reader.store.private_copy
    assert copy is not None and copy.exists() and tmp_path not in Path(reader.store.path).parents
    assert 0 <= reader.snapshot_age().total_seconds() < 60 and reader.store.count_sollicitations() > 0
    reader.close()
    assert not copy.exists()  # deleted on close


def test_a_reader_never_keeps_the_app_from_opening_the_file(demo_template, tmp_path):
    """A notebook opened first holds only its copy: the app then opens the file read-write and writes,
    in this process or in another one, while the notebook goes on reading what it copied."""
    path = tmp_path / "live.duckdb"
    shutil.copy(demo_template, path)
    reader = sol.open_desk(path, read_only=True)
    before = reader.store.count_sollicitations()
    try:
        app = sol.open_desk(path)
        try:
            new_draft(app)
            assert app.store.count_sollicitations() == before + 1
        finally:
            app.close()
        script = (
            "import sollicitations as sol, sys\nfrom tests.unit.test_snapshot import new_draft\n"
            f"d = sol.open_desk({str(path)!r})\nnew_draft(d)\nprint(d.store.count_sollicitations())"
        )
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert done.returncode == 0, done.stderr
        assert int(done.stdout) == before + 2
        assert reader.store.count_sollicitations() == before  # still reading, its own copy
        assert reader.as_user("gestionnaire").dashboard(space="toutes").shape[0] > 0
    finally:
        reader.close()
    later = sol.open_desk(path, read_only=True)  # a new reader copies the file as it is now
    try:
        assert later.store.count_sollicitations() == before + 2
    finally:
        later.close()


def test_republishing_replaces_the_file_atomically_for_new_readers(desk):
    path = Path(desk.store.path)
    target = snapshot.snapshot_path(path)
    snapshot.publish(desk.store, target)
    before = int(read_in_other_process(path, "print(desk.store.count_sollicitations())"))
    new_draft(desk)
    snapshot.publish(desk.store, target)
    assert int(read_in_other_process(path, "print(desk.store.count_sollicitations())")) == before + 1
    assert not list(target.parent.glob(".*.partial"))


def test_the_publisher_follows_writes(desk):
    path = Path(desk.store.path)
    publisher = snapshot.Publisher(desk.store, snapshot.snapshot_path(path), poll=0.1).start()
    try:
        numero = new_draft(desk)
        import time

        deadline = time.monotonic() + snapshot.DELAY_SECONDS
        while publisher.published_writes != desk.store.writes and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        publisher.stop()
    assert read_in_other_process(path, f"print(desk.store.sollicitation({numero}) is not None)") == "True"

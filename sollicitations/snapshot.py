"""Reading while the app serves: the app publishes read-only snapshots that notebooks open.

DuckDB lets one process hold a file read-write, and then no other process may open it at all.
So the serving process copies the database (one consistent read transaction) into a new file
and renames it over the published snapshot; readers open that file read-only and are told its
age. Publication happens a few seconds after writes, and at least every `interval` seconds.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import weakref
from datetime import datetime
from pathlib import Path

from .clock import paris_now

log = logging.getLogger(__name__)

# The promise to readers: a committed write is in the snapshot within this many seconds.
DELAY_SECONDS = 10


def snapshot_path(database: str | Path) -> Path:
    """SOLLICITATIONS_SNAPSHOT, or `<database>.snapshot.duckdb` beside it."""
    configured = os.environ.get("SOLLICITATIONS_SNAPSHOT")
    if configured:
        return Path(configured)
    database = Path(database)
    return database.with_name(database.stem + ".snapshot.duckdb")


def private_copy(database: str | Path):
    """A read-only Store over this reader's own copy of a DuckDB file, taken while the file is free.

    The file is opened read-only only for the time of a file copy (and of its .wal): that open is what
    keeps a writer out meanwhile, so the copy is consistent; then it is closed, and the app may open
    the file read-write at once. The copy is stamped like a published snapshot (its age is reported)
    and deleted when the store is closed (or the process ends). DatabaseLocked when another process
    holds the file.
    """
    from .store import Store

    database = Path(database)
    folder = Path(tempfile.mkdtemp(prefix="sollicitations-lecture-"))
    try:
        copy = folder / database.name
        held = Store(database, read_only=True)
        try:
            moment = paris_now()
            shutil.copyfile(database, copy)
            wal = Path(f"{database}.wal")
            if wal.exists():
                shutil.copyfile(wal, Path(f"{copy}.wal"))
        finally:
            held.close()
        Store.stamp_copy(copy, moment)
        store = Store(copy, read_only=True)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    store.private_copy = folder
    weakref.finalize(store, shutil.rmtree, folder, True)  # a reader that never closes leaves nothing behind
    return store


def is_current(published: Path, database: Path) -> bool:
    """Whether a published snapshot holds at least every write of the database's files (their last change
    is not later than the snapshot's): then a reader need not touch the database at all."""
    try:
        taken = published.stat().st_mtime
    except FileNotFoundError:
        return False
    changed = [p.stat().st_mtime for p in (database, Path(f"{database}.wal")) if p.exists()]
    return all(t <= taken for t in changed)


def publish(store, target: Path) -> datetime:
    """Copy the store into `target` atomically (readers see the old file or the new one)."""
    target = Path(target)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    moment = paris_now()
    store.copy_to(partial, moment)
    os.replace(partial, target)
    return moment


class Publisher:
    """Publishes the snapshot after writes (within DELAY_SECONDS) and every `interval` seconds."""

    def __init__(self, store, target: Path, interval: float = 300.0, poll: float = 2.0):
        self.store, self.target, self.interval, self.poll = store, Path(target), interval, poll
        self.published_writes = -1
        self.last = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sollicitations-snapshot", daemon=True)

    def start(self) -> Publisher:
        self.publish_now()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def publish_now(self) -> None:
        writes = self.store.writes
        publish(self.store, self.target)
        self.published_writes, self.last = writes, _monotonic()

    def _run(self) -> None:
        while not self._stop.wait(self.poll):
            due = self.store.writes != self.published_writes or _monotonic() - self.last >= self.interval
            if not due:
                continue
            try:
                self.publish_now()
            except Exception:  # a failed copy must not stop later ones; it is logged
                log.exception("snapshot publication failed")


def _monotonic() -> float:
    import time

    return time.monotonic()

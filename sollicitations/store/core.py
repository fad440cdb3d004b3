"""The Store: one database (a DuckDB file or a PostgreSQL URL) and its transactions, composed of one mixin
per aggregate, each in its module of this package. The only code of the project that speaks SQL.

Statements stay portable (they also run on PostgreSQL) unless a comment says why not; what behaves
differently per backend is the dialect's (dialects.py), chosen here when the store opens.
Identifiers are never spliced from input: the few that vary come from whitelists.
"""

from __future__ import annotations

import random
import shutil
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from ..errors import ConflictError, PermissionDenied
from .accounts import AccountsMixin
from .attachments import AttachmentsMixin
from .bulk import BulkMixin
from .connection import WriteConflict, open_database
from .counts import COMPACT_EVERY, CountsMixin
from .dialects import DIALECTS
from .directory import DirectoryMixin
from .figures import FiguresMixin
from .filters import ListsMixin
from .outbox import OutboxMixin
from .requests import RequestsMixin
from .schema import SchemaMixin
from .words import WordsMixin

T = TypeVar("T")

READ_ONLY_MESSAGE = (
    "Cette base est ouverte en lecture seule (instantané publié par l'application) : "
    "aucune modification n'est possible ici."
)


class StaleRead(WriteConflict):
    """A use case found that what it read changed before its write: Store.run starts it again."""


class ReadOnly(PermissionDenied):
    """A write through a read-only desk (a notebook's snapshot)."""


_CONFLICT_MESSAGE = (
    "Un autre utilisateur a modifié cette sollicitation au même moment. Veuillez recharger la page et réessayer."
)


class Store(
    SchemaMixin, DirectoryMixin, AccountsMixin, RequestsMixin, WordsMixin, AttachmentsMixin, ListsMixin,
    FiguresMixin, CountsMixin, OutboxMixin, BulkMixin,
):  # fmt: skip
    """One database, shared by the threads of one process (a cursor per thread)."""

    RETRIES = 8

    def __init__(self, path: str | Path = ":memory:", read_only: bool = False):
        """A DuckDB file (or ":memory:"), or a PostgreSQL database given as a postgresql:// URL."""
        self.path = str(path)
        self.read_only = read_only
        self.db = open_database(path, read_only=read_only)
        self.dialect = self.db.dialect  # its name: "duckdb" or "postgresql"
        self.backend = DIALECTS[self.dialect]  # what the backend does differently (dialects.py)
        self.writes = 0  # committed use cases: the snapshot publisher and the figures' cache compare it
        self.private_copy: Path | None = None  # a reader's own copy (snapshot.private_copy), deleted on close
        self._figures: OrderedDict[tuple, tuple[int, pd.DataFrame]] = OrderedDict()
        self._figures_lock = threading.Lock()
        self._labels: dict[str, OrderedDict] = {}  # table -> key -> its names (see _labelled)
        if not read_only:
            self.migrate()
        # A file opened read-only is read as it was written: from before the kept counts, it has none.
        self.counts_kept = self.has_kept_counts()

    # -- connections and transactions -------------------------------------------------

    def cursor(self):
        """This thread's cursor (connection.py: a DuckDB cursor, or a PostgreSQL connection, per thread)."""
        return self.db.cursor()

    def close(self) -> None:
        """Close the database (and delete it, if it is a reader's private copy); closing twice is harmless."""
        self.db.close()
        if self.private_copy is not None:
            shutil.rmtree(self.private_copy, ignore_errors=True)

    @contextmanager
    def transaction(self):
        if self.read_only:
            raise ReadOnly(READ_ONLY_MESSAGE)
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")

    def run(self, work: Callable[[Any], T]) -> T:
        """Run `work` in one transaction, again from the start when a concurrent write conflicts.

        `work` must read what it decides on inside the transaction, so that a retry sees the
        other writer's change (and, say, refuses a transition that is no longer allowed).
        """
        for attempt in range(self.RETRIES):
            try:
                with self.transaction() as cur:
                    result = work(cur)
                self.writes += 1
                if self.writes % COMPACT_EVERY == 0:
                    self._compact_counts()
                return result
            except WriteConflict:
                if attempt == self.RETRIES - 1:
                    raise ConflictError(_CONFLICT_MESSAGE) from None
                # Writers that collided would collide again at once: each waits a little, at random.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))
        raise AssertionError("unreachable")

    def _compact_counts(self) -> None:
        """Fold the kept counts (counts.py) after a committed write; a writer folding them at the same
        moment makes this one give way: the next fold takes what it left."""
        try:
            with self.transaction() as cur:
                self.compact_counts(cur)
        except WriteConflict:
            pass

    def data_version(self) -> Any:
        """A value that changes whenever the data may have: on DuckDB this process's committed writes, on
        PostgreSQL the current snapshot (dialects.py)."""
        return self.backend.data_version(self)

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.cursor().execute(sql, list(params)).df()

    # -- plumbing -----------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence[Any], cur=None) -> dict | None:
        rows = self._all(sql, params, cur)
        return rows[0] if rows else None

    def _all(self, sql: str, params: Sequence[Any], cur=None) -> list[dict]:
        cur = cur or self.cursor()
        result = cur.execute(sql, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]

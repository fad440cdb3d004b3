"""What differs between DuckDB and PostgreSQL, in one object per backend, chosen when a store opens.

The SQL texts are the same on both (connection.py turns DuckDB's `?` into psycopg's `%s`). What is left
differs in behaviour, not in text, and lives here rather than in branches across the store:
- how the data's version is told (the figures' cache), and whether published snapshots exist;
- how concurrent writers take turns: DuckDB's transactions are snapshots whose conflicting writes fail
  and are run again (Store.run); PostgreSQL runs READ COMMITTED, so a row is locked first;
- how a long read is made one snapshot, and how processes migrating at once wait for each other;
- the lookups (indexes) only PostgreSQL needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from .connection import DUCKDB, POSTGRESQL
from .schema import split_statements

# DuckDB finds a request's history, its words or a status's requests from the min/max kept per block
# of rows (the tables are stored in number order, the words in word order), with no index to keep up
# on each write. PostgreSQL has no such summaries: without these it reads the whole table each time
# (a request's detail 72 ms, a full-text search 250-800 ms at 100k requests).
POSTGRESQL_LOOKUPS = """
    CREATE INDEX IF NOT EXISTS historique_numero ON historique (numero);
    CREATE INDEX IF NOT EXISTS commentaires_numero ON commentaires (numero);
    CREATE INDEX IF NOT EXISTS pieces_jointes_numero ON pieces_jointes (numero);
    CREATE INDEX IF NOT EXISTS mots_mot ON mots (mot, numero);
    CREATE INDEX IF NOT EXISTS mots_numero ON mots (numero);
    CREATE INDEX IF NOT EXISTS objets_numero ON objets (numero, type);
    CREATE INDEX IF NOT EXISTS sollicitations_emetteur ON sollicitations (emetteur_cle, statut);
    CREATE INDEX IF NOT EXISTS sollicitations_destinataire ON sollicitations (destinataire_cle, statut);
    CREATE INDEX IF NOT EXISTS sollicitations_saisie ON sollicitations (saisie_le);
    CREATE INDEX IF NOT EXISTS sollicitations_numero_objet ON sollicitations (numero_objet);
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
"""

# Any number, the same in every process: the advisory lock that migrating processes take turns on.
_MIGRATIONS_LOCK = 20261128


class Dialect(ABC):
    """The behaviour of one backend that the store's statements cannot share."""

    name: str
    has_snapshots: bool  # whether a store of this backend may be a published snapshot (snapshot.py)

    @abstractmethod
    def data_version(self, store) -> Any:
        """A value that changes whenever the data may have (see Store.data_version)."""

    @abstractmethod
    def migrations_serialised(self, cur) -> AbstractContextManager[None]:
        """The block's statements run while no other process migrates (outside a store transaction)."""

    @abstractmethod
    def wait_for_other_migrations(self, cur) -> None:
        """In a migration's transaction: other processes' migrations wait until it ends."""

    @abstractmethod
    def lock_request(self, cur, numero: int) -> None:
        """In a transaction about to change a request or count what it holds: concurrent ones take turns."""

    @abstractmethod
    def lock_appends(self, cur, table: str) -> None:
        """In a transaction about to fold a table's rows (counts.py): nobody appends to it until it ends."""

    @abstractmethod
    def read_as_snapshot(self, cur) -> None:
        """Right after BEGIN TRANSACTION: every read of the transaction sees one moment of the data."""

    @abstractmethod
    def create_lookups(self, cur) -> None:
        """The indexes this backend needs beyond the schema's (migration 0009)."""


class DuckDBDialect(Dialect):
    """One process writes a DuckDB file; its transactions are snapshots; zone maps stand for indexes."""

    name = DUCKDB
    has_snapshots = True

    def data_version(self, store) -> Any:
        # One process writes a DuckDB file (and a read-only snapshot never changes): its committed writes.
        return store.writes

    @contextmanager
    def migrations_serialised(self, cur) -> Iterator[None]:
        yield  # one process holds the file: no other one migrates it

    def wait_for_other_migrations(self, cur) -> None:
        pass  # likewise

    def lock_request(self, cur, numero: int) -> None:
        pass  # the second one's update of the request's row (every action rewrites it) conflicts: run again

    def lock_appends(self, cur, table: str) -> None:
        pass  # the transaction deletes only the rows of its snapshot: rows appended meanwhile stay

    def read_as_snapshot(self, cur) -> None:
        pass  # DuckDB transactions are snapshots already

    def create_lookups(self, cur) -> None:
        pass  # zone maps (see POSTGRESQL_LOOKUPS)


class PostgreSQLDialect(Dialect):
    """Many processes share the server, at READ COMMITTED; indexes make its lookups."""

    name = POSTGRESQL
    has_snapshots = False  # read live: there are no snapshots of a PostgreSQL store

    def data_version(self, store) -> Any:
        # Other processes write: the current snapshot (next transaction id and those in progress); two
        # equal snapshots mean that no transaction committed in between.
        return store.cursor().execute("SELECT CAST(pg_current_snapshot() AS VARCHAR)").fetchone()[0]

    @contextmanager
    def migrations_serialised(self, cur) -> Iterator[None]:
        # App processes starting together: one migrates, the others wait, then find it done.
        cur.execute("BEGIN TRANSACTION")
        self.wait_for_other_migrations(cur)
        yield
        cur.execute("COMMIT")

    def wait_for_other_migrations(self, cur) -> None:
        cur.execute(f"SELECT pg_advisory_xact_lock({_MIGRATIONS_LOCK})")

    def lock_request(self, cur, numero: int) -> None:
        # The second transaction waits for the first to commit; its next statement then reads what the
        # first wrote (READ COMMITTED). Without it, a change that keeps the status (an assignment) could
        # commit between another's read and write, and the later history row carry the earlier date.
        cur.execute("SELECT numero FROM sollicitations WHERE numero = ? FOR UPDATE", [numero])

    def lock_appends(self, cur, table: str) -> None:
        # READ COMMITTED: the DELETE would also take rows committed after the fold's read.
        cur.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")

    def read_as_snapshot(self, cur) -> None:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def create_lookups(self, cur) -> None:
        for statement in split_statements(POSTGRESQL_LOOKUPS):
            cur.execute(statement)


DIALECTS: dict[str, Dialect] = {DUCKDB: DuckDBDialect(), POSTGRESQL: PostgreSQLDialect()}

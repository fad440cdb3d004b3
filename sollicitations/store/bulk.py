"""Copies of a whole store: a DuckDB file published as a read-only snapshot (snapshot.py) or stamped like
one, and a DuckDB world copied row by row into PostgreSQL (transfer.py).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .connection import UndefinedObject, open_database

if TYPE_CHECKING:
    from .core import Store

# Every table of the schema, and the sequence numbering each table that has one: what moves when a
# whole store is copied (a DuckDB world into PostgreSQL, see copy_into).
TABLES = (
    "structures", "services", "users", "habilitations", "objets", "categories", "sollicitations",
    "historique", "commentaires", "pieces_jointes", "pieces_jointes_contenu", "outbox", "captchas",
    "contact_attempts", "mots", "login_failures", "contact_clients", "sessions", "comptes", "mouvements_jour",
)  # fmt: skip
SEQUENCES = {
    "services_id": ("services", "id"), "objets_id": ("objets", "id"),
    "sollicitations_numero": ("sollicitations", "numero"), "historique_id": ("historique", "id"),
    "commentaires_id": ("commentaires", "id"), "pieces_jointes_id": ("pieces_jointes", "id"),
    "outbox_id": ("outbox", "id"),
}  # fmt: skip


class BulkMixin:
    """Store's whole-database copies (mixed into Store, core.py)."""

    def copy_to(self, target: Path, published_at: datetime) -> None:
        """A consistent copy of the whole database into a new file (one read transaction).

        DuckDB-only (ATTACH and COPY FROM DATABASE): PostgreSQL deployments read live instead.
        """
        cur = self.db.new_cursor()
        source = cur.execute("SELECT current_database()").fetchone()[0]
        cur.execute(f"ATTACH '{_quote(target)}' AS snapshot_target")
        try:
            cur.execute(f'COPY FROM DATABASE "{source}" TO snapshot_target')
            cur.execute("CREATE TABLE snapshot_target.snapshot_info (published_at TIMESTAMP NOT NULL)")
            cur.execute("INSERT INTO snapshot_target.snapshot_info VALUES (?)", [published_at])
        finally:
            cur.execute("DETACH snapshot_target")
            cur.close()

    @staticmethod
    def stamp_copy(path: Path, published_at: datetime) -> None:
        """Make a private file copy of a DuckDB database (and its .wal) read like a published snapshot:
        its WAL replayed into the file, and the moment it was taken stored as copy_to does."""
        db = open_database(path)
        try:
            cur = db.cursor()
            cur.execute("CREATE TABLE IF NOT EXISTS snapshot_info (published_at TIMESTAMP NOT NULL)")
            cur.execute("INSERT INTO snapshot_info VALUES (?)", [published_at])
            cur.execute("CHECKPOINT")
        finally:
            db.close()

    def copy_into(self, target: Store) -> dict[str, int]:
        """Every row of this DuckDB store into a PostgreSQL store, whose tables are emptied first, in one
        transaction; its sequences then follow the copied numbers. Rows per table."""
        from .transfer import copy_database

        copied = copy_database(self.db, target.db, TABLES, SEQUENCES, clear=True)
        target.writes += 1
        return copied

    def published_at(self) -> datetime | None:
        """When the snapshot this store reads was published; None for a live database."""
        if not self.backend.has_snapshots:
            return None
        try:
            row = self.cursor().execute("SELECT max(published_at) FROM snapshot_info").fetchone()
        except UndefinedObject:
            return None
        return row[0]


def _quote(path: Path) -> str:
    """A file path inside a SQL string literal (ATTACH takes no bound parameter)."""
    return str(path).replace("'", "''")

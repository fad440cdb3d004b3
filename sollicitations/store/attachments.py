"""Attachments: their descriptions (table `pieces_jointes`) and, apart, their bytes (`pieces_jointes_contenu`)."""

from __future__ import annotations


class AttachmentsMixin:
    """Store's attachments (mixed into Store, core.py)."""

    def insert_attachment(self, cur, numero, meta: dict, content: bytes) -> int:
        attachment_id = cur.execute(
            "INSERT INTO pieces_jointes VALUES (nextval('pieces_jointes_id'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            [
                numero, meta["type"], meta["designation"], meta["extension"], meta["nom_fichier"],
                meta["taille"], meta["sha256"], meta["cote"], meta["ajoutee_par"], meta["ajoutee_le"],
            ],
        ).fetchone()[0]  # fmt: skip
        cur.execute("INSERT INTO pieces_jointes_contenu VALUES (?, ?)", [attachment_id, content])
        return attachment_id

    def attachments(self, numero: int, cur=None) -> list[dict]:
        return self._all("SELECT * FROM pieces_jointes WHERE numero = ? ORDER BY ajoutee_le, id", [numero], cur)

    def attachment_usage(self, cur, numero: int) -> tuple[int, int]:
        """(count, total size in bytes) of a request's attachments, for the limits checked before adding one.

        Two sessions adding at once must not both pass: PostgreSQL (READ COMMITTED) locks the request's row
        first, so the second waits for the first to commit and then counts its file; DuckDB's transactions
        are snapshots, and the second one's update of the same row (every action rewrites it) conflicts and
        is tried again, counting anew (Store.run).
        """
        self.backend.lock_request(cur, numero)
        count, total = cur.execute(
            "SELECT count(*), coalesce(sum(taille), 0) FROM pieces_jointes WHERE numero = ?", [numero]
        ).fetchone()
        return int(count), int(total)

    def attachment(self, attachment_id: int, cur=None) -> dict | None:
        return self._one("SELECT * FROM pieces_jointes WHERE id = ?", [attachment_id], cur)

    def attachment_content(self, attachment_id: int) -> bytes | None:
        row = (
            self.cursor().execute("SELECT contenu FROM pieces_jointes_contenu WHERE id = ?", [attachment_id]).fetchone()
        )
        return None if row is None else bytes(row[0])

    def delete_attachment(self, cur, attachment_id: int) -> None:
        cur.execute("DELETE FROM pieces_jointes_contenu WHERE id = ?", [attachment_id])
        cur.execute("DELETE FROM pieces_jointes WHERE id = ?", [attachment_id])

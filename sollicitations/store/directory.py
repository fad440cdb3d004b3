"""The directory: structures, their services, the objects requests are about, and the catalogue of categories.
Users and their habilitations are accounts.py's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .. import rules
from ..errors import ValidationError
from .filters import _escape_like
from .words import _plain_sql, structure_search_words


class DirectoryMixin:
    """Store's structures, services, objects and categories (mixed into Store, core.py)."""

    def is_empty(self) -> bool:
        return self.cursor().execute("SELECT count(*) FROM structures").fetchone()[0] == 0

    def replace_catalogue(self, rows: Iterable[tuple]) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM categories")
            cur.executemany("INSERT INTO categories VALUES (?, ?, ?, ?, ?)", list(rows))

    def add_structure(self, cur, id, designation, publique, service_etat=False, bureau=None):
        if not rules.is_structure_id(id):
            raise ValidationError(rules.IDENTIFIANT_STRUCTURE_INVALIDE)
        cur.execute(
            "INSERT INTO structures VALUES (?, ?, ?, ?, ?)",
            [id, designation, publique, service_etat, bureau],
        )

    def add_service(self, cur, structure_id, code, libelle) -> int:
        return cur.execute(
            "INSERT INTO services VALUES (nextval('services_id'), ?, ?, ?) RETURNING id",
            [structure_id, code, libelle],
        ).fetchone()[0]

    def add_objet(self, cur, type, numero, emetteur_id, destinataire_id, service_destinataire_id, statut) -> int:
        return cur.execute(
            "INSERT INTO objets VALUES (nextval('objets_id'), ?, ?, ?, ?, ?, ?) RETURNING id",
            [type, numero, emetteur_id, destinataire_id, service_destinataire_id, statut],
        ).fetchone()[0]

    def structure(self, structure_id: str, cur=None) -> dict | None:
        return self._one("SELECT * FROM structures WHERE id = ?", [structure_id], cur)

    def structures(self, ids: Sequence[str]) -> list[dict]:
        return self._all("SELECT * FROM structures WHERE id = ANY(?) ORDER BY id", [list(ids)])

    def designations(self, ids: Sequence[str]) -> dict[str, str]:
        """id -> designation, for labelling figures of thousands of structures (kept, as a page's names)."""
        found = self._kept_labels("structures", "id", ["designation"], set(ids))
        return {k: v["designation"] for k, v in found.items()}

    def bureau_structure(self, bureau: str, cur=None) -> dict | None:
        return self._one("SELECT * FROM structures WHERE bureau = ? ORDER BY id LIMIT 1", [bureau], cur)

    def search_structures(
        self, text: str, publique: bool | None = True, service_etat: bool | None = None, limit: int = 50
    ) -> list[dict]:
        """Structures whose name and identifier hold every word of `text`, in any order, case and accents
        aside ("college jean" finds "Jean Moulin, COLLÈGE"); no word at all: every structure.

        Each word is a bound LIKE pattern over the folded text (the same folding as full-text words, see
        `_plain_sql`), so the statement is the same on DuckDB and PostgreSQL.
        """
        words = structure_search_words(text)
        folded = _plain_sql("lower(coalesce(designation, '') || ' ' || id)")
        matches = "".join(f" AND {folded} LIKE ? ESCAPE '\\'" for _ in words)
        return self._all(
            "SELECT * FROM structures WHERE (CAST(? AS BOOLEAN) IS NULL OR publique = ?)"
            " AND (CAST(? AS BOOLEAN) IS NULL OR service_etat = ?)" + matches + " ORDER BY designation, id LIMIT ?",
            [publique, publique, service_etat, service_etat, *["%" + _escape_like(w) + "%" for w in words], limit],
        )

    def services(self, structure_id: str) -> list[dict]:
        return self._all("SELECT * FROM services WHERE structure_id = ? ORDER BY libelle, id", [structure_id])

    def service(self, service_id: int | None, cur=None) -> dict | None:
        if service_id is None:
            return None
        return self._one("SELECT * FROM services WHERE id = ?", [service_id], cur)

    def find_service(self, structure_id: str, code_or_label: str, cur=None) -> dict | None:
        return self._one(
            "SELECT * FROM services WHERE structure_id = ? AND (code = ? OR libelle = ?) ORDER BY id LIMIT 1",
            [structure_id, code_or_label, code_or_label],
            cur,
        )

    def objet(self, type: str, numero: str, cur=None) -> dict | None:
        return self._one("SELECT * FROM objets WHERE type = ? AND numero = ?", [type, numero], cur)

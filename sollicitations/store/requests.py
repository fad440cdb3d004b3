"""Requests (table `sollicitations`) and what they accumulate: history, comments, first steps, and the
structure keys written with them. Their words are words.py's, their attachments attachments.py's.
"""

from __future__ import annotations

from .. import rules
from .counts import COUNTED_COLUMNS, FLAG_ACTIONS

# The first steps of a request, as its history tells them: (column, SQL over historique h).
FIRST_STEPS = {
    "premier_envoi_le": "min(CASE WHEN h.nouveau_statut = 'envoyee' THEN h.date END)",
    "premiere_reponse_le": "min(CASE WHEN h.action = 'respond' THEN h.date END)",
    "premiere_cloture_le": "min(CASE WHEN h.nouveau_statut = 'fermee' THEN h.date END)",
    "rouverte": "bool_or(h.action = 'reopen')",
}

SOLLICITATION_COLUMNS = (
    "numero", "statut", "categorie", "sous_categorie", "type_objet", "numero_objet", "objet_id",
    "emetteur_id", "service_emetteur_id", "email", "telephone", "description", "destinataire_id",
    "service_destinataire_id", "assigne_a", "cree_par", "contact", "renvoyee", "resolue",
    "saisie_le", "envoyee_le", "cloturee_le", "modifiee_le",
)  # fmt: skip
_UPDATABLE = frozenset(SOLLICITATION_COLUMNS) - {"numero", "saisie_le", "cree_par", "contact"}

# A structure's identifier is 14 digits (rules.is_structure_id): each request also keeps its emitter's
# and its recipient's as a number, written with them (insert_sollicitation, update_sollicitation). Lists
# filter and dashboards group on those: over a million requests a filter on three structures took 23 ms
# on the text and 8 ms on the number, a count per structure and status 101 ms and 41 ms.
STRUCTURE_KEYS = {"emetteur_id": "emetteur_cle", "destinataire_id": "destinataire_cle"}


def structure_key(structure_id: str | None) -> int | None:
    """The number an identifier stands for; -1 (no request has it) for a text that is not one."""
    if structure_id is None:
        return None
    return int(structure_id) if rules.is_structure_id(structure_id) else -1


def _structure_id_sql(key: str) -> str:
    """SQL of the identifier a key column stands for (its 14 digits, leading zeros back)."""
    return f"lpad(CAST({key} AS VARCHAR), 14, '0')"


def _with_structure_keys(values: dict) -> dict:
    return {
        **values,
        **{key: structure_key(values[column]) for column, key in STRUCTURE_KEYS.items() if column in values},
    }


class RequestsMixin:
    """Store's requests, their history and comments (mixed into Store, core.py)."""

    def count_sollicitations(self) -> int:
        return self.cursor().execute("SELECT count(*) FROM sollicitations").fetchone()[0]

    def next_numero(self, cur) -> int:
        return cur.execute("SELECT nextval('sollicitations_numero')").fetchone()[0]

    def insert_sollicitation(self, cur, row: dict) -> None:
        row = _with_structure_keys(row)
        columns = [c for c in (*SOLLICITATION_COLUMNS, *STRUCTURE_KEYS.values()) if c in row]
        cur.execute(
            f"INSERT INTO sollicitations ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )
        self.count_request(cur, row["numero"], +1)
        self._index_words(cur, row["numero"], row["description"])

    def update_sollicitation(self, cur, numero: int, expected_status: str, changes: dict) -> bool:
        """Change a request only if it still has `expected_status`; False when it does not."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        changes = _with_structure_keys(changes)
        columns = sorted(changes)
        assignments = ", ".join(f"{c} = ?" for c in columns)
        counted = not COUNTED_COLUMNS.isdisjoint(changes)
        if counted:  # what it counted as, taken back: read once no other writer can change it (PostgreSQL)
            self.backend.lock_request(cur, numero)
            self.count_request(cur, numero, -1, expected_status)
        found = cur.execute(
            f"UPDATE sollicitations SET {assignments} WHERE numero = ? AND statut = ? RETURNING numero",
            [changes[c] for c in columns] + [numero, expected_status],
        ).fetchall()
        if found and counted:
            self.count_request(cur, numero, +1)
        if found and "description" in changes:
            self._reindex_words(cur, numero)
        return bool(found)

    def delete_sollicitation(self, cur, numero: int, expected_status: str) -> bool:
        """Delete a request and all it holds, only if it still has `expected_status`; False when not."""
        self.backend.lock_request(cur, numero)  # no concurrent change between the counts and the delete
        self.count_request(cur, numero, -1, expected_status)
        if not cur.execute(
            "DELETE FROM sollicitations WHERE numero = ? AND statut = ? RETURNING numero", [numero, expected_status]
        ).fetchall():
            return False  # (and nothing was counted back: the status was not the one expected)
        self.uncount_history(cur, numero)
        cur.execute(
            "DELETE FROM pieces_jointes_contenu WHERE id IN (SELECT id FROM pieces_jointes WHERE numero = ?)",
            [numero],
        )
        for table in ("pieces_jointes", "commentaires", "historique", "mots"):
            cur.execute(f"DELETE FROM {table} WHERE numero = ?", [numero])
        return True

    def sollicitation(self, numero: int, cur=None, for_change: bool = False) -> dict | None:
        """The request's row; `for_change` (in a write transaction): concurrent writers of it take turns,
        and each reads what the one before committed."""
        if for_change:
            self.backend.lock_request(cur, numero)
        return self._one("SELECT * FROM sollicitations WHERE numero = ?", [numero], cur)

    def append_history(self, cur, numero, when, login, action, ancien, nouveau, commentaire) -> None:
        cur.execute(
            "INSERT INTO historique VALUES (nextval('historique_id'), ?, ?, ?, ?, ?, ?, ?)",
            [numero, when, login, action, ancien, nouveau, commentaire],
        )
        self.count_movement(cur, when, ancien, nouveau)
        if nouveau in ("envoyee", "fermee") or action in FLAG_ACTIONS:
            # The request's first steps (FIRST_STEPS), in the same transaction as the history row.
            if action in FLAG_ACTIONS:  # "got a response", "reopened": counted again (counts.py)
                self.count_request(cur, numero, -1)
            cur.execute(
                """
                UPDATE sollicitations SET
                    premier_envoi_le = CASE WHEN ? = 'envoyee' THEN least(premier_envoi_le, ?) ELSE premier_envoi_le END,
                    premiere_reponse_le = CASE WHEN ? = 'respond' THEN least(premiere_reponse_le, ?)
                                               ELSE premiere_reponse_le END,
                    premiere_cloture_le = CASE WHEN ? = 'fermee' THEN least(premiere_cloture_le, ?)
                                               ELSE premiere_cloture_le END,
                    rouverte = rouverte OR ? = 'reopen'
                WHERE numero = ?
                """,
                [nouveau, when, action, when, nouveau, when, action, numero],
            )
            if action in FLAG_ACTIONS:
                self.count_request(cur, numero, +1)

    def rebuild_first_steps(self, cur) -> None:
        """Set every request's first steps from its history: after a bulk load of history rows."""
        columns = ", ".join(f"{c} = f.{c}" for c in FIRST_STEPS)
        firsts = ", ".join(f"{sql} AS {c}" for c, sql in FIRST_STEPS.items())
        cur.execute(
            f"UPDATE sollicitations SET {columns}"
            f" FROM (SELECT h.numero, {firsts} FROM historique h GROUP BY h.numero) f"
            " WHERE sollicitations.numero = f.numero"
        )

    def rebuild_derived(self, cur) -> None:
        """What the store derives from the requests on each write, derived again for all: after a bulk load."""
        self.rebuild_structure_keys(cur)
        self.rebuild_words(cur)
        self.rebuild_first_steps(cur)
        self.rebuild_counts(cur)

    def rebuild_structure_keys(self, cur) -> None:
        """Every request's structure keys from its identifiers (STRUCTURE_KEYS)."""
        cur.execute("UPDATE sollicitations SET " + ", ".join(
            f"{key} = CASE WHEN {column} SIMILAR TO '[0-9]{{14}}' THEN CAST({column} AS BIGINT)"
            f" WHEN {column} IS NOT NULL THEN -1 END" for column, key in STRUCTURE_KEYS.items()
        ))  # fmt: skip
        self.writes += 1  # a bulk load is a write: the figures kept are stale

    def append_comment(self, cur, numero, when, login, cote, texte) -> None:
        cur.execute(
            "INSERT INTO commentaires VALUES (nextval('commentaires_id'), ?, ?, ?, ?, ?)",
            [numero, when, login, cote, texte],
        )
        self._index_words(cur, numero, texte)

    def history(self, numero: int) -> list[dict]:
        return self._all(
            "SELECT h.date, h.login, u.nom, u.prenom, h.action, h.ancien_statut, h.nouveau_statut,"
            " h.commentaire FROM historique h LEFT JOIN users u ON u.login = h.login"
            " WHERE h.numero = ? ORDER BY h.date, h.id",
            [numero],
        )

    def comments(self, numero: int) -> list[dict]:
        return self._all(
            "SELECT c.date, c.login, u.nom, u.prenom, c.cote, c.texte FROM commentaires c"
            " LEFT JOIN users u ON u.login = c.login WHERE c.numero = ? ORDER BY c.date, c.id",
            [numero],
        )

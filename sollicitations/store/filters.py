"""Lists of requests: a Scope and Filters (scopes.py) turned into SQL, the sorts a list may ask for, and
its pages and streams, labelled with the names of their structures, services and users.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import pandas as pd

from ..scopes import Filters, Scope
from .requests import structure_key

# Sort keys a list may ask for -> ORDER BY clause.
SORTS = {
    "recent": "s.modifiee_le DESC, s.numero DESC",
    "numero": "s.numero DESC",
    "saisie": "s.saisie_le DESC, s.numero DESC",
    # The receivers' "à traiter" list: a request the emitter re-sent (complement, reopening) stays on
    # top, flagged, until an agent acts on it (the desk's actions clear `renvoyee`); then newest first,
    # as every list of the app (its "Saisie le" column shows the order).
    "a_traiter": "s.renvoyee DESC, s.saisie_le DESC, s.numero DESC",
}


def scope_sql(scope: Scope) -> tuple[str, list[Any]]:
    """The SQL condition on requests `s` of what `scope` may show, and its values."""
    if scope.everything:
        return "true", []
    parts, params = [], []
    if scope.emitter_structures:
        parts.append(_in("s.emetteur_cle", scope.emitter_structures))
        params += [structure_key(i) for i in scope.emitter_structures]
    if scope.recipient_structures:
        # Drafts are the emitter's own work: receivers never see them.
        parts.append(f"({_in('s.destinataire_cle', scope.recipient_structures)} AND s.statut <> 'brouillon')")
        params += [structure_key(i) for i in scope.recipient_structures]
    return ("(" + " OR ".join(parts) + ")" if parts else "false"), params


def filters_sql(filters: Filters) -> tuple[str, list[Any]]:
    """The SQL condition on requests `s` of what `filters` ask for, and its values."""
    parts: list[str] = []
    params: list[Any] = []

    def add(clause: str, *values: Any) -> None:
        parts.append(clause)
        params.extend(values)

    if filters.numero is not None:
        add("s.numero = ?", filters.numero)
    if filters.categorie:
        add("s.categorie = ?", filters.categorie)
    if filters.sous_categorie:
        add("s.sous_categorie = ?", filters.sous_categorie)
    if filters.numero_objet:
        add("s.numero_objet = ?", filters.numero_objet)
    if filters.du:
        add("s.saisie_le >= ?", datetime.combine(filters.du, datetime.min.time()))
    if filters.au:
        add("s.saisie_le < ?", datetime.combine(filters.au + timedelta(days=1), datetime.min.time()))
    if filters.structure:
        add("s.emetteur_cle = ?", structure_key(filters.structure))
    if filters.sans_structure:
        add("s.emetteur_id IS NULL")
    if filters.service_emetteur is not None:
        add("s.service_emetteur_id = ?", filters.service_emetteur)
    if filters.sans_service_emetteur:
        add("s.service_emetteur_id IS NULL")
    if filters.destinataire:
        add("s.destinataire_cle = ?", structure_key(filters.destinataire))
    if filters.sans_destinataire:
        add("s.destinataire_id IS NULL")
    if filters.service_destinataire is not None:
        add("s.service_destinataire_id = ?", filters.service_destinataire)
    if filters.sans_service_destinataire:
        add("s.service_destinataire_id IS NULL")
    if filters.cree_par:
        pattern = "%" + _escape_like(filters.cree_par.lower()) + "%"
        add(
            "s.cree_par IN (SELECT u.login FROM users u WHERE lower(u.login) LIKE ? ESCAPE '\\'"
            " OR lower(u.nom || ' ' || u.prenom) LIKE ? ESCAPE '\\'"
            " OR lower(u.prenom || ' ' || u.nom) LIKE ? ESCAPE '\\')",
            pattern, pattern, pattern,
        )  # fmt: skip
    if filters.statuts:
        add(_in("s.statut", filters.statuts), *filters.statuts)
    if filters.renvoyee is not None:
        add("s.renvoyee = ?", filters.renvoyee)
    if filters.assigne_a:
        add("s.assigne_a = ?", filters.assigne_a)
    if filters.mots:
        # Each word a range on the sorted words, which zone maps answer (every word starting with it);
        # the words' numbers are intersected before they meet the requests.
        ranges, values = [], []
        for word in filters.mots:
            end = _prefix_end(word)
            ranges.append("SELECT numero FROM mots WHERE mot >= ?" + (" AND mot < ?" if end else ""))
            values += [word, end] if end else [word]
        add(f"s.numero IN ({' INTERSECT '.join(ranges)})", *values)
    return (" AND ".join(parts) if parts else "true"), params


def where_sql(scope: Scope, filters: Filters) -> tuple[str, list[Any]]:
    """The SQL condition on requests `s` that both `scope` and `filters` make, and its values."""
    scope_condition, scope_params = scope_sql(scope)
    filter_condition, filter_params = filters_sql(filters)
    parts = [part for part in (scope_condition, filter_condition) if part != "true"]
    return " AND ".join(parts) or "true", scope_params + filter_params


def _in(column: str, values: Sequence) -> str:
    """`column IN (?, ?, ...)`: a list of values DuckDB pushes into the scan as an IN filter (with
    `= ANY(?)` and a list it joins the list instead: 20% slower over a million requests)."""
    return f"{column} IN ({', '.join('?' * len(values))})"


_WORD_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"  # what a stored word is made of, in order


def _prefix_end(prefix: str) -> str | None:
    """The first word after every word starting with `prefix` (None: there is none): "fact" -> "facu",
    "faz" -> "fb". Built from the words' own alphabet, so that the range holds under a binary order and
    under PostgreSQL's linguistic collations alike (which ignore punctuation such as "{")."""
    while prefix:
        last = _WORD_ALPHABET.index(prefix[-1])
        if last + 1 < len(_WORD_ALPHABET):
            return prefix[:-1] + _WORD_ALPHABET[last + 1]
        prefix = prefix[:-1]
    return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The list screens share one projection; queries.py gives the columns their French names.
_LIST_SELECT = """
    SELECT s.numero, s.statut, s.categorie, s.sous_categorie, s.numero_objet, s.saisie_le,
           s.modifiee_le, s.renvoyee, s.contact,
           s.emetteur_id, e.designation AS emetteur_designation, se.libelle AS service_emetteur,
           s.destinataire_id, d.designation AS destinataire_designation,
           sd.libelle AS service_destinataire,
           s.cree_par, u.nom AS cree_par_nom, u.prenom AS cree_par_prenom,
           s.assigne_a, a.nom AS assigne_nom, a.prenom AS assigne_prenom
    FROM sollicitations s
    LEFT JOIN structures e ON e.id = s.emetteur_id
    LEFT JOIN services se ON se.id = s.service_emetteur_id
    LEFT JOIN structures d ON d.id = s.destinataire_id
    LEFT JOIN services sd ON sd.id = s.service_destinataire_id
    LEFT JOIN users u ON u.login = s.cree_par
    LEFT JOIN users a ON a.login = s.assigne_a
"""


_PAGE_COLUMNS = """
    s.numero, s.statut, s.categorie, s.sous_categorie, s.numero_objet, s.saisie_le, s.modifiee_le,
    s.renvoyee, s.contact, s.emetteur_id, s.service_emetteur_id, s.destinataire_id,
    s.service_destinataire_id, s.cree_par, s.assigne_a
"""


def _page_of(where: str, order: str) -> str:
    """A page of a list and the total, in one pass over the requests: the matches are found once (for
    the count and the page), the page's numbers chosen on them alone, and only those rows are read.
    Their labels are looked up apart (Store._labelled): joining the whole users and structures tables
    cost a hash table of each, 25 ms at 1M requests, for a page of 50 rows.
    Its values: the WHERE's, then LIMIT and OFFSET. Columns: `total`, then _PAGE_COLUMNS."""
    return f"""
        WITH matches AS MATERIALIZED (
            SELECT s.numero, s.saisie_le, s.modifiee_le, s.renvoyee FROM sollicitations s WHERE {where}
        ), page AS (SELECT s.numero FROM matches s ORDER BY {order} LIMIT ? OFFSET ?)
        SELECT (SELECT count(*) FROM matches) AS total, {_PAGE_COLUMNS}
        FROM page JOIN sollicitations s ON s.numero = page.numero
        ORDER BY {order}
    """


# What Store._labelled adds to a page, table by table: (table, its key) -> the page's columns that
# hold that key -> {the table's column: the label column it gives the page}.
_PAGE_LABELS = {
    ("structures", "id"): {
        "emetteur_id": {"designation": "emetteur_designation"},
        "destinataire_id": {"designation": "destinataire_designation"},
    },
    ("services", "id"): {
        "service_emetteur_id": {"libelle": "service_emetteur"},
        "service_destinataire_id": {"libelle": "service_destinataire"},
    },
    ("users", "login"): {
        "cree_par": {"nom": "cree_par_nom", "prenom": "cree_par_prenom"},
        "assigne_a": {"nom": "assigne_nom", "prenom": "assigne_prenom"},
    },
}


class ListsMixin:
    """Store's lists of requests and the names kept for labelling them (mixed into Store, core.py)."""

    def list_page(
        self, scope: Scope, filters: Filters, page: int, page_size: int, sort: str = "recent"
    ) -> tuple[pd.DataFrame, int]:
        """One page of requests and the total count, both computed in SQL."""
        where, params = where_sql(scope, filters)
        rows = self.query_df(_page_of(where, SORTS[sort]), params + [page_size, (page - 1) * page_size])
        if rows.empty:  # past the last page, or nothing found: the total is counted apart
            total = self.cursor().execute(f"SELECT count(*) FROM sollicitations s WHERE {where}", params).fetchone()[0]
        else:
            total = int(rows["total"].iloc[0])
        return self._labelled(rows.drop(columns="total")), total

    LABELS_KEPT = 100_000  # per table: ~20 MB at most for the three

    def _labelled(self, rows: pd.DataFrame) -> pd.DataFrame:
        """A page's rows with the names of their structures, services and users. Each table is read by
        its key for the values not seen before; what was found is kept: the directory is only ever
        added to (no statement of the package renames a structure, a service or a user), so a kept
        name stays true in every process sharing the database."""
        rows = rows.copy()
        for (table, key), columns in _PAGE_LABELS.items():
            names = sorted({name for labels in columns.values() for name in labels})
            # tolist(): plain Python values to bind; a nullable id column comes back as floats
            values = {int(v) if isinstance(v, float) else v
                      for column in columns for v in rows[column].dropna().tolist()}  # fmt: skip
            found = self._kept_labels(table, key, names, values)
            for column, labels in columns.items():
                for name, label in labels.items():
                    rows[label] = [found[v][name] if v in found else None for v in rows[column]]
        return rows

    def _kept_labels(self, table: str, key: str, names: list[str], values: set) -> dict:
        with self._figures_lock:
            kept = self._labels.setdefault(table, OrderedDict())
            found = {v: kept[v] for v in values if v in kept}
        missing = sorted(values - found.keys())
        if missing:
            # A page's few values: each a primary-key lookup; a figure's thousands: one list, joined.
            many = len(missing) > 200
            match = "= ANY(?)" if many else f"IN ({', '.join('?' * len(missing))})"
            sql = f"SELECT {key}, {', '.join(names)} FROM {table} WHERE {key} {match}"
            rows = self.cursor().execute(sql, [missing] if many else missing).fetchall()
            read = {row[0]: dict(zip(names, row[1:])) for row in rows}
            found.update(read)
            with self._figures_lock:
                kept.update(read)
                while len(kept) > self.LABELS_KEPT:
                    kept.popitem(last=False)
        return found

    def iter_list(self, scope: Scope, filters: Filters, sort: str = "numero", batch_size: int = 10_000):
        """Every row of a list, sorted, `batch_size` at a time, with the total: one query on a cursor
        of its own (one snapshot for count and rows), not one LIMIT/OFFSET query per page whose cost
        grows with the offset. Exports of a million rows stream through it."""
        where, params = where_sql(scope, filters)
        cur = self.db.new_cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            self.backend.read_as_snapshot(cur)
            total = cur.execute(f"SELECT count(*) FROM sollicitations s WHERE {where}", params).fetchone()[0]
            for frame in cur.batches(f"{_LIST_SELECT} WHERE {where} ORDER BY {SORTS[sort]}", params, batch_size):
                yield frame, total
            cur.execute("COMMIT")
        finally:
            cur.close()

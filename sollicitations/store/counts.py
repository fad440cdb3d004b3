"""Counts kept by the writes: two small tables that the busiest figures read instead of every request
(the managers' status table, the weekly flow, the backlog), kept in the transaction of each change and
rebuilt whole after a bulk load.

- `comptes`: what each request counts as now, one row per view: `destinataire` (its recipient, service,
  category, status, whether it got a response and was reopened: the status tables of receivers and
  managers, the reopen rates), `entree` (the day it was entered,
  unless a draft) and `fermeture` (the day it was closed). Its columns carry the requests' own names, so
  that the lists' SQL conditions (filters.where_sql) apply to it unchanged.
- `mouvements_jour`: the history's status changes per day (the first midnight at or after each), from
  which the backlog at any midnight is a sum.

The rows are signed, and a write only appends: -1 for what a request counted as before the change, +1
for what it counts as after, +1 for a history row; a figure sums them. Two writers never touch the same
row (DuckDB would fail the second, PostgreSQL make it wait on a hot counter); every COMPACT_EVERY writes
of a process, compact_counts() folds the rows into one per key.
"""

from __future__ import annotations

from typing import Any

from ..scopes import Filters, Scope

# What a request counts as, per view: the columns of `comptes` (as a SELECT over requests `s` that
# match {where}); a view a request does not count in (a draft's entry) gives no row.
_COUNTED = """
SELECT 'destinataire' AS vue, s.destinataire_cle, s.destinataire_id, s.service_destinataire_id, s.categorie,
       s.statut, CAST(NULL AS DATE) AS jour, s.premiere_reponse_le IS NOT NULL AS repondue, s.rouverte
FROM sollicitations s WHERE {where}
UNION ALL
SELECT 'entree', CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT), s.categorie,
       CAST(NULL AS VARCHAR), CAST(s.saisie_le AS DATE), CAST(NULL AS BOOLEAN), CAST(NULL AS BOOLEAN)
FROM sollicitations s WHERE s.statut <> 'brouillon' AND {where}
UNION ALL
SELECT 'fermeture', CAST(NULL AS BIGINT), CAST(NULL AS VARCHAR), CAST(NULL AS BIGINT), s.categorie,
       CAST(NULL AS VARCHAR), CAST(s.cloturee_le AS DATE), CAST(NULL AS BOOLEAN), CAST(NULL AS BOOLEAN)
FROM sollicitations s WHERE s.cloturee_le IS NOT NULL AND {where}
"""
_VIEWS_IN_COUNTED = 3  # how many times {where} appears in _COUNTED
COUNT_COLUMNS = (
    "vue, destinataire_cle, destinataire_id, service_destinataire_id, categorie, statut, jour, repondue, rouverte"
)
# The request columns a view of `comptes` depends on: a change of none of them leaves the counts as they are
# (the first response and the reopening, kept by append_history, count again there: FLAG_ACTIONS).
COUNTED_COLUMNS = frozenset(
    {"statut", "categorie", "destinataire_id", "service_destinataire_id", "saisie_le", "cloturee_le"}
)
FLAG_ACTIONS = frozenset({"respond", "reopen"})
# The day a status change counts for in the backlog: the first midnight at or after it.
MOVEMENT_DAY = "CAST({date} - INTERVAL '1 microsecond' AS DATE) + 1"
MOVEMENT_COLUMNS = "jour, ancien_statut, nouveau_statut"
# The status changes of the history rows `h` that match {where}, as `mouvements_jour` counts them.
_MOVED = (f"SELECT {MOVEMENT_DAY.format(date='h.date')} AS jour, h.ancien_statut, h.nouveau_statut"
          " FROM historique h WHERE {where}")  # fmt: skip

# The filters each kept figure can still answer from the counts (any other: the requests themselves).
STATUS_FILTERS = frozenset({"categorie", "destinataire", "sans_destinataire", "service_destinataire",
                            "sans_service_destinataire", "statuts"})  # fmt: skip
FLOW_FILTERS = frozenset({"categorie"})
COMPACT_EVERY = 2000


def only_filters(filters: Filters, allowed: frozenset[str]) -> bool:
    """Whether `filters` ask for nothing outside `allowed` (each other field at its default)."""
    unset = Filters()
    return all(getattr(filters, name) == getattr(unset, name) for name in vars(unset) if name not in allowed)


def status_counts_kept(scope: Scope, filters: Filters, side: str) -> bool:
    """Whether a status table per recipient can be read from `comptes`."""
    return side == "destinataire" and not scope.emitter_structures and only_filters(filters, STATUS_FILTERS)


def flow_kept(scope: Scope, filters: Filters) -> bool:
    return scope.everything and only_filters(filters, FLOW_FILTERS)


def reopen_rates_kept(scope: Scope, filters: Filters) -> bool:
    return not scope.emitter_structures and only_filters(filters, STATUS_FILTERS)


def backlog_kept(scope: Scope, filters: Filters) -> bool:
    return scope.everything and only_filters(filters, frozenset())


class CountsMixin:
    """Store's kept counts (mixed into Store, core.py)."""

    def has_kept_counts(self) -> bool:
        """Whether this store has the tables (migration 0013): the figures count the requests otherwise."""
        return bool(self.cursor().execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('comptes', 'mouvements_jour')"
        ).fetchone()[0] == 2)  # fmt: skip

    def count_request(self, cur, numero: int, sign: int, status: str | None = None) -> None:
        """Append what request `numero` counts as, with `sign` (-1 before a change, +1 after); with
        `status`, only if it still has it (what the change itself requires)."""
        where, params = "s.numero = ?", [numero]
        if status is not None:
            where, params = where + " AND s.statut = ?", params + [status]
        cur.execute(
            f"INSERT INTO comptes ({COUNT_COLUMNS}, n) SELECT {COUNT_COLUMNS}, ?"
            f" FROM ({_COUNTED.format(where=where)}) c",
            [sign] + params * _VIEWS_IN_COUNTED,
        )

    def count_movement(self, cur, when, ancien: str | None, nouveau: str) -> None:
        """Append one history row's status change (append_history)."""
        cur.execute(
            f"INSERT INTO mouvements_jour ({MOVEMENT_COLUMNS}, n)"
            f" SELECT {MOVEMENT_DAY.format(date='CAST(? AS TIMESTAMP)')}, ?, ?, 1",
            [when, ancien, nouveau],
        )

    def uncount_history(self, cur, numero: int) -> None:
        """Take back the status changes of a request whose history is deleted (a deleted draft)."""
        cur.execute(
            f"INSERT INTO mouvements_jour ({MOVEMENT_COLUMNS}, n) SELECT {MOVEMENT_COLUMNS}, -count(*)"
            f" FROM ({_MOVED.format(where='h.numero = ?')}) m GROUP BY {MOVEMENT_COLUMNS}",
            [numero],
        )

    def rebuild_counts(self, cur) -> None:
        """Both tables counted again from every request and history row: after a bulk load."""
        cur.execute("DELETE FROM comptes")
        cur.execute(
            f"INSERT INTO comptes ({COUNT_COLUMNS}, n) SELECT {COUNT_COLUMNS}, count(*)"
            f" FROM ({_COUNTED.format(where='true')}) c GROUP BY {COUNT_COLUMNS}"
        )
        cur.execute("DELETE FROM mouvements_jour")
        cur.execute(
            f"INSERT INTO mouvements_jour ({MOVEMENT_COLUMNS}, n) SELECT {MOVEMENT_COLUMNS}, count(*)"
            f" FROM ({_MOVED.format(where='true')}) m GROUP BY {MOVEMENT_COLUMNS}"
        )

    def compact_counts(self, cur) -> None:
        """Fold each table's signed rows into one row per key, keys that sum to nothing left out."""
        for table, columns in (("comptes", COUNT_COLUMNS), ("mouvements_jour", MOVEMENT_COLUMNS)):
            self.backend.lock_appends(cur, table)
            cur.execute(f"CREATE TEMPORARY TABLE kept_{table} AS SELECT {columns}, sum(n) AS n FROM {table}"
                        f" GROUP BY {columns} HAVING sum(n) <> 0")  # fmt: skip
            cur.execute(f"DELETE FROM {table}")
            cur.execute(f"INSERT INTO {table} ({columns}, n) SELECT {columns}, n FROM kept_{table}")
            cur.execute(f"DROP TABLE kept_{table}")

    def counts_drift(self) -> dict[str, Any]:
        """What the kept counts hold that a rebuild would not, per table (empty: they agree). For tests
        and for an operator who doubts them."""
        cur = self.cursor()
        drift = {}
        checks = {
            "comptes": (COUNT_COLUMNS, f"SELECT {COUNT_COLUMNS} FROM ({_COUNTED.format(where='true')}) c"),
            "mouvements_jour": (MOVEMENT_COLUMNS, _MOVED.format(where="true")),
        }
        for table, (columns, source) in checks.items():
            rows = cur.execute(
                f"SELECT {columns}, sum(n) AS n FROM ("
                f" SELECT {columns}, n FROM {table}"
                f" UNION ALL SELECT {columns}, -1 FROM ({source}) r"
                f") d GROUP BY {columns} HAVING sum(n) <> 0"
            ).fetchall()
            if rows:
                drift[table] = rows
        return drift

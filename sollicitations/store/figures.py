"""Figures for dashboards and managers: counts, flows, backlogs, delays and reopen rates, each one SQL
statement over the scoped, filtered requests, and the cache that keeps them until the data changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pandas as pd

from ..scopes import Filters, Scope
from ..status import Status
from .counts import MOVEMENT_DAY, backlog_kept, flow_kept, reopen_rates_kept, status_counts_kept
from .filters import _page_of, where_sql
from .requests import _structure_id_sql

# The columns a dashboard can group by, per side: (structure key column, service column).
DASHBOARD_SIDES = {
    "emetteur": ("emetteur_cle", "service_emetteur_id"),
    "destinataire": ("destinataire_cle", "service_destinataire_id"),
}
STATUS_CODES = tuple(s.value for s in Status)  # also column names of status_counts()
# What a monthly chart can split by -> column.
MONTHLY_BY = {"statut": "statut", "categorie": "categorie"}
# What delays and reopen rates can be grouped by -> (column, what it shows as `cle`).
DELAY_BY = {"destinataire": ("destinataire_cle", _structure_id_sql("cle")), "categorie": ("categorie", "cle")}


class FiguresMixin:
    """Store's figures and their cache (mixed into Store, core.py)."""

    FIGURES_KEPT = 256

    def forget_figures(self) -> None:
        """Drop the kept figures (what a commit does to them): the benchmarks' first reader after a write."""
        with self._figures_lock:
            self._figures.clear()

    def figure_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """query_df for the read-mostly figures (dashboards, managers' charts), kept until the data
        changes (data_version): a manager's tab asks for the same aggregates over every request again
        and again, and only a write can change them."""
        key = (sql, _hashable(params))
        version = self.data_version()  # read before the query: a write during it makes the result stale at once
        with self._figures_lock:
            kept = self._figures.get(key)
            if kept is not None and kept[0] == version:
                self._figures.move_to_end(key)
                return kept[1].copy()
        frame = self.query_df(sql, params)
        with self._figures_lock:
            self._figures[key] = (version, frame)
            self._figures.move_to_end(key)
            while len(self._figures) > self.FIGURES_KEPT:
                self._figures.popitem(last=False)
        return frame.copy()

    def status_counts(self, scope: Scope, filters: Filters, side: str, by_service: bool) -> pd.DataFrame:
        """Counts per structure (or service): one row per key (cle), one column per status code, and
        `libelle` (a structure's "id - designation"; for services, nothing). Pivoted in SQL, labelled
        after counting: a manager's table has a row for each of thousands of structures."""
        structure_column, service_column = DASHBOARD_SIDES[side]
        key = service_column if by_service else structure_column
        where, params = where_sql(scope, filters)
        if self.counts_kept and status_counts_kept(
            scope, filters, side
        ):  # the kept counts: one row per recipient, service and status
            source, counted = f"comptes s WHERE s.vue = 'destinataire' AND {where}", "sum(s.n)"
        else:
            source, counted = f"sollicitations s WHERE {where}", "count(*)"
        per_status = ", ".join(f"sum(c.n) FILTER (WHERE c.statut = '{code}') AS {code}" for code in STATUS_CODES)
        if by_service:
            shown, label, labels = "p.cle", "NULL::VARCHAR", ""
        else:  # counted per key, pivoted, then named (a join of the pivoted rows only): "id - designation"
            shown = _structure_id_sql("p.cle")
            label, labels = f"{shown} || ' - ' || k.designation", f"LEFT JOIN structures k ON k.id = {shown}"
        return self.figure_df(
            f"WITH c AS (SELECT s.{key} AS cle, s.statut, CAST({counted} AS BIGINT) AS n FROM {source}"
            f" GROUP BY s.{key}, s.statut HAVING {counted} <> 0),"
            f" p AS (SELECT c.cle, {per_status} FROM c GROUP BY c.cle)"
            f" SELECT {shown} AS cle, {label} AS libelle, {', '.join(f'p.{code}' for code in STATUS_CODES)}"
            f" FROM p {labels} ORDER BY p.cle",
            params,
        )

    def monthly_counts(self, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
        """Requests entered per month and per `by` (a whitelisted column): mois, cle, n."""
        column = MONTHLY_BY[by]
        where, params = where_sql(scope, filters)
        return self.figure_df(
            f"SELECT date_trunc('month', s.saisie_le) AS mois, s.{column} AS cle, count(*) AS n"
            f" FROM sollicitations s WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        )

    def weekly_flow(self, scope: Scope, filters: Filters) -> pd.DataFrame:
        """Per week: requests entered (drafts aside, by entry date) and requests closed."""
        where, params = where_sql(scope, filters)
        if self.counts_kept and flow_kept(scope, filters):
            return self.figure_df(
                f"""
                SELECT date_trunc('week', CAST(s.jour AS TIMESTAMP)) AS semaine,
                       coalesce(sum(s.n) FILTER (WHERE s.vue = 'entree'), 0) AS entrees,
                       coalesce(sum(s.n) FILTER (WHERE s.vue = 'fermeture'), 0) AS fermetures
                FROM comptes s WHERE s.vue IN ('entree', 'fermeture') AND {where}
                GROUP BY 1 HAVING sum(s.n) FILTER (WHERE s.vue = 'entree') <> 0
                                  OR sum(s.n) FILTER (WHERE s.vue = 'fermeture') <> 0
                ORDER BY 1
                """,
                params,
            )
        return self.figure_df(
            f"""
            WITH s AS (SELECT s.envoyee_le, s.cloturee_le, s.saisie_le, s.statut FROM sollicitations s WHERE {where})
            SELECT semaine, sum(entrees) AS entrees, sum(fermetures) AS fermetures FROM (
                SELECT date_trunc('week', saisie_le) AS semaine, count(*) AS entrees, 0 AS fermetures
                FROM s WHERE statut <> 'brouillon' GROUP BY 1
                UNION ALL
                SELECT date_trunc('week', cloturee_le), 0, count(*) FROM s WHERE cloturee_le IS NOT NULL GROUP BY 1
            ) t GROUP BY semaine ORDER BY semaine
            """,
            params,
        )

    def backlog(self, scope: Scope, filters: Filters, moments: Sequence[datetime]) -> pd.DataFrame:
        """How many requests stood in each status at each moment, rebuilt from the history.

        Each history row enters its new status and leaves its old one (the previous row's new status),
        so the count of a status at a moment is the sum of those +1 and -1 up to it. The changes are
        first counted per day (a change belongs to the first midnight at or after it), then each day
        put in the first moment at or after it, then summed moment after moment: one pass
        over the history, where pairing each row with the next (a window) and joining the spans to the
        moments took 1.6 s at 1M requests. The moments must therefore be midnights.
        """
        if any(m != datetime.combine(m.date(), datetime.min.time()) for m in moments):
            raise ValueError("backlog moments must be midnights")
        where, params = where_sql(scope, filters)
        if self.counts_kept and backlog_kept(scope, filters):  # the changes per day, kept by the writes (counts.py)
            per_day = ("SELECT jour, nouveau_statut, ancien_statut, sum(n) AS n FROM mouvements_jour"
                       " GROUP BY jour, nouveau_statut, ancien_statut HAVING sum(n) <> 0")  # fmt: skip
        else:  # the day of the first midnight at or after the change
            per_day = (f"SELECT {MOVEMENT_DAY.format(date='h.date')} AS jour, h.nouveau_statut,"
                       f" h.ancien_statut, count(*) AS n FROM ({self._history_in(where)}) h"
                       " GROUP BY 1, h.nouveau_statut, h.ancien_statut")  # fmt: skip
        return self.figure_df(
            f"""
            WITH per_day AS ({per_day}),
            changes AS (
                SELECT jour, nouveau_statut AS statut, n AS delta FROM per_day
                UNION ALL
                SELECT jour, ancien_statut, -n FROM per_day WHERE ancien_statut IS NOT NULL
            ),
            moments AS (
                SELECT moment, CAST(moment AS DATE) AS jour, lag(CAST(moment AS DATE)) OVER (ORDER BY moment) AS avant
                FROM unnest(?::TIMESTAMP[]) AS t(moment)
            ),
            per_moment AS (  -- each day's changes go to the first moment at or after it
                SELECT m.moment, c.statut, sum(c.delta) AS delta
                FROM changes c JOIN moments m ON c.jour <= m.jour AND (m.avant IS NULL OR c.jour > m.avant)
                GROUP BY m.moment, c.statut
            ),
            grid AS (
                SELECT m.moment, st.statut, coalesce(p.delta, 0) AS delta
                FROM moments m CROSS JOIN (SELECT DISTINCT statut FROM per_moment) st
                LEFT JOIN per_moment p ON p.moment = m.moment AND p.statut = st.statut
            ),
            running AS (
                SELECT moment, statut, sum(delta) OVER (PARTITION BY statut ORDER BY moment) AS n FROM grid
            )
            SELECT moment, statut, n FROM running WHERE n > 0 ORDER BY moment, statut
            """,
            params + [list(moments)],
        )

    @staticmethod
    def _history_in(where: str) -> str:
        """The history rows of the requests matching `where` (all rows, without a join, for all)."""
        if where == "true":
            return "SELECT * FROM historique h"
        return f"SELECT * FROM historique h WHERE h.numero IN (SELECT s.numero FROM sollicitations s WHERE {where})"

    def processing_times(self, scope: Scope, filters: Filters) -> pd.DataFrame:
        """Per request: when it was first sent, first answered, first closed (FIRST_STEPS)."""
        where, params = where_sql(scope, filters)
        return self.query_df(
            f"""
            SELECT s.numero, s.statut, s.categorie, s.destinataire_id, s.premier_envoi_le AS envoi,
                   s.premiere_reponse_le AS reponse, s.premiere_cloture_le AS fermeture,
                   extract(epoch FROM (s.premiere_reponse_le - s.premier_envoi_le)) / 3600.0 AS h_reponse,
                   extract(epoch FROM (s.premiere_cloture_le - s.premier_envoi_le)) / 3600.0 AS h_fermeture
            FROM sollicitations s WHERE {where} AND s.premier_envoi_le IS NOT NULL ORDER BY s.numero
            """,
            params,
        )

    def delays(self, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
        """Hours from sending to the first response and to closing: median and 90th percentile."""
        column, shown = DELAY_BY[by]
        where, params = where_sql(scope, filters)
        return self.figure_df(
            f"""
            WITH d AS (
                SELECT s.{column} AS cle,
                       extract(epoch FROM (s.premiere_reponse_le - s.premier_envoi_le)) / 3600.0 AS h_reponse,
                       extract(epoch FROM (s.premiere_cloture_le - s.premier_envoi_le)) / 3600.0 AS h_fermeture
                FROM sollicitations s WHERE {where} AND s.premier_envoi_le IS NOT NULL
            )
            , q AS (  -- both quantiles of a column from one sort
                SELECT cle, count(*) AS envoyees, count(h_reponse) AS repondues, count(h_fermeture) AS fermees,
                       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY h_reponse) AS reponse,
                       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY h_fermeture) AS fermeture
                FROM d GROUP BY cle
            )
            SELECT {shown} AS cle, envoyees, repondues, fermees, reponse[1] AS reponse_mediane, reponse[2] AS reponse_p90,
                   fermeture[1] AS fermeture_mediane, fermeture[2] AS fermeture_p90
            FROM q ORDER BY envoyees DESC, cle
            """,
            params,
        )

    def reopen_rates(self, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
        """Among requests that got a response, the share reopened at least once."""
        column, shown = DELAY_BY[by]
        where, params = where_sql(scope, filters)
        if self.counts_kept and reopen_rates_kept(scope, filters):  # the kept counts (counts.py)
            source = f"comptes s WHERE s.vue = 'destinataire' AND s.repondue AND {where}"
            answered, reopened = "sum(s.n)", "sum(CASE WHEN s.rouverte THEN s.n ELSE 0 END)"
        else:
            source = f"sollicitations s WHERE {where} AND s.premiere_reponse_le IS NOT NULL"
            answered, reopened = "count(*)", "sum(CASE WHEN s.rouverte THEN 1 ELSE 0 END)"
        return self.figure_df(
            f"""
            SELECT {shown} AS cle, repondues, rouvertes FROM (
                SELECT s.{column} AS cle, CAST({answered} AS BIGINT) AS repondues, CAST({reopened} AS BIGINT) AS rouvertes
                FROM {source} GROUP BY s.{column} HAVING {answered} <> 0
            ) r ORDER BY repondues DESC, r.cle
            """,
            params,
        )

    def entry_range(self, scope: Scope, filters: Filters) -> tuple[datetime | None, datetime | None]:
        where, params = where_sql(scope, filters)
        return tuple(self.cursor().execute(
            f"SELECT min(s.saisie_le), max(s.modifiee_le) FROM sollicitations s WHERE {where}", params
        ).fetchone())  # fmt: skip

    def oldest_open(self, scope: Scope, filters: Filters, limit: int) -> pd.DataFrame:
        where, params = where_sql(scope, filters)
        return self._labelled(
            self.query_df(
                # the age shown is counted from the entry date
                _page_of(f"{where} AND s.statut NOT IN ('brouillon', 'fermee')", "s.saisie_le, s.numero"),
                params + [limit, 0],
            ).drop(columns="total")
        )


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value

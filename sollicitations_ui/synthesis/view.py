""" "Synthèse": the list of requests to process: the thin Panel view."""

from __future__ import annotations

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import panel as pn
from panel.viewable import Viewer

from sollicitations.access import Space

from .. import format as fmt
from ..tables import list_table
from ..widgets import PagerView, card, downloads, html
from .state import EXPECTED_ACTIONS, ToProcess


class SyntheseView(Viewer):
    def __init__(self, state: ToProcess, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s = self.state
        structure = pn.widgets.Select.from_param(s.param.structure, name="Filtre Structure", width=420)
        download = downloads(s.file, "sollicitations-a-traiter")
        table = pn.bind(self._table, s.param.rows)
        title = "Mes sollicitations à traiter" if s.space == Space.EMISES else "Sollicitations à traiter"
        return pn.Column(
            pn.Row(structure, download),
            card(
                title,
                html(pn.bind(fmt.errors_html, pn.bind(lambda e: [e] if e else [], s.param.error))),
                PagerView(s.pager),
                table,
            ),
            sizing_mode="stretch_width",
        )

    def _table(self, rows):
        self._shown = self._list(rows, getattr(self, "_shown", None))
        return self._shown

    def _list(self, rows, reuse):
        order = self.state.order_column
        if rows is None or rows.empty:
            return list_table(rows, self.open_request)
        rows = rows.copy()
        rows.attrs = {}
        if self.state.space != Space.EMISES:
            # Re-sent after a complement or a reopening: flagged, and on top (then newest first).
            rows["Renvoyée"] = ["Renvoyée" if flag else "" for flag in rows["Renvoyée"]]
            return list_table(rows, self.open_request, reuse=reuse, order_column=order)
        rows["Actions"] = [EXPECTED_ACTIONS.get(status, "") for status in rows["Statut sollicitation"]]
        return list_table(rows, self.open_request, buttons=None, action_column="Actions",
                          on_action=lambda row: self.open_request(int(row["Numéro de la sollicitation"]),
                                                                  act=True), reuse=reuse, order_column=order)  # fmt: skip

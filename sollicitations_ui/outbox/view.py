""" "Courriels": the mails the office wrote: the thin Panel view."""

from __future__ import annotations

import pandas as pd
import panel as pn
from panel.viewable import Viewer

from .. import format as fmt
from ..tables import tabulator
from ..widgets import PagerView, button, card, html
from .state import Outbox


class OutboxView(Viewer):
    """ "Courriels": what the office wrote, and whether it left (in the demo, nothing leaves)."""

    def __init__(self, state: Outbox, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s = self.state
        table = pn.bind(self._table, s.param.rows)
        return pn.Column(
            html(pn.bind(fmt.errors_html, s.param.errors)),
            pn.Row(pn.widgets.TextInput.from_param(s.param.numero, name="Numéro de la sollicitation", width=260),
                   button("Rechercher", s.search, align="end")),
            card("Courriels", PagerView(s.pager), table),
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _table(self, rows):
        if rows is None or rows.empty:
            return html("<em>Aucun courriel.</em>")
        shown = fmt.dates_as_text(rows, columns=("Date", "Envoyé le"))
        widget = tabulator(
            shown, formatters={c: {"type": "textarea"} for c in shown.columns}, order_column=self.state.order_column,
            column_specs={"Texte": {"minWidth": 340}},  # a mail's lines readable (the table scrolls sideways at 1024 px)
            stylesheets=[":host .tabulator-cell[tabulator-field='Sollicitation'] { color: #000091; text-decoration: underline; cursor: pointer; }"],
        )  # fmt: skip

        def clicked(event):
            numero = rows.iloc[event.row]["Sollicitation"]
            if event.column == "Sollicitation" and pd.notna(numero):  # a mail may concern no request
                self.open_request(int(numero))

        widget.on_click(clicked)
        return widget

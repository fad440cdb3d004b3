""" "Tableau de bord": counts per structure and status, drill-down, monthly chart: the thin Panel view."""

from __future__ import annotations

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.access import Space

from .. import format as fmt
from ..common import messages_of
from ..tables import list_table, tabulator
from ..widgets import STATUS_COLORS, PagerView, button, card, downloads, html
from .state import Dashboard


class DashboardView(Viewer):
    """The counts, the list behind a count, and (unless `monthly` is False: the managers show it in
    a sub-tab of its own, see `monthly_card`) the monthly chart."""

    def __init__(self, state: Dashboard, open_request, monthly: bool = True, **params):
        super().__init__(**params)
        self.state, self.open_request, self.with_monthly = state, open_request, monthly

    def __panel__(self):
        s = self.state
        heading = {Space.EMISES: "Tableau de bord des sollicitations émises",
                   Space.RECUES: "Tableau de bord des sollicitations reçues",
                   Space.TOUTES: "Tableau de bord de toutes les structures destinataires"}[s.space]  # fmt: skip
        title = pn.bind(lambda st, label: heading + (f" — {fmt.esc(label)}" if st else ""),
                        s.param.structure, s.param.structure_label)  # fmt: skip
        counts = pn.bind(self._counts, s.param.table)
        listing = pn.bind(self._listing, s.param.rows, s.param.list_title)
        return pn.Column(
            pn.Row(button("Tableau de bord", s.home, kind="light"), pn.pane.HTML(title, margin=(12, 8))),
            html(pn.bind(fmt.errors_html, s.param.errors)),
            card("Sollicitations par statut", counts,
                 html("<small>Cliquez sur un nombre pour afficher les sollicitations, sur un nom pour le détail par service.</small>")),
            listing,
            *([self.monthly_card()] if self.with_monthly else []),
            sizing_mode="stretch_width",
        )  # fmt: skip

    def monthly_card(self) -> pn.Card:
        s = self.state
        by = pn.widgets.RadioButtonGroup.from_param(s.param.monthly_by, name="Répartition")
        # The chart comes after the page is drawn (defer_load), so that the counts show first. It is
        # drawn again with the table (a drill-down, a write, the managers' "Appliquer"): once per change.
        chart = pn.panel(pn.bind(self._chart, s.param.monthly_by, s.param.table), defer_load=True)
        monthly_csv = pn.widgets.FileDownload(callback=s.monthly_csv, filename="sollicitations-par-mois.csv",
                                              label="Télécharger les données", button_type="light",
                                              width=220)  # fmt: skip
        return card("Sollicitations saisies par mois", pn.Row(by, monthly_csv), chart)

    def _counts(self, table: pd.DataFrame):
        shown = table.reset_index(drop=True)
        first = shown.columns[0]
        table_widget = tabulator(
            shown, formatters={first: {"type": "plaintext"}}, widths={first: 380},
            text_align={c: ("left" if c == first else "right") for c in shown.columns},
            # Remote: the browser gets 25 rows at a time, not every structure of the country.
            pagination="remote" if len(shown) > 25 else None, page_size=25,
            stylesheets=[":host .tabulator-cell { cursor: pointer; color: #000091; text-decoration: underline; }",
                         ":host .tabulator-col-title { white-space: normal !important; }"],
        )  # fmt: skip

        def clicked(event):
            key = table.index[event.row]
            if event.column == first:
                if self.state.structure is None and key != sol.NON_RENSEIGNE:
                    self.state.open_structure(key)
                else:
                    self.state.open_cell(key, None)
            else:
                self.state.open_cell(key, event.column)

        table_widget.on_click(clicked)
        return table_widget

    def _listing(self, rows, title):
        if rows is None:
            return pn.Row()
        download = downloads(self.state.file, "sollicitations")
        # A card's title is HTML: the structure's and service's names in it are escaped.
        return card(f"Sollicitations : {fmt.esc(title)}", pn.Row(PagerView(self.state.pager), download),
                    list_table(rows, self.open_request))  # fmt: skip

    def _chart(self, by, *_):
        try:
            monthly = self.state.monthly()
        except sol.SollicitationError as e:  # e.g. a managers' filter the package refuses
            return html(fmt.errors_html(messages_of(e)))
        if monthly.empty:
            return html("<em>Aucune sollicitation.</em>")
        monthly.index = pd.to_datetime(monthly.index).strftime("%m/%Y")
        options = {}
        if by == "statut":  # a status keeps its colour whichever statuses the period happens to contain
            options["color"] = [STATUS_COLORS[c] for c in monthly.columns]
        plot = monthly.hvplot.bar(stacked=True, rot=45, height=320, responsive=True, xlabel="Mois",
                                  ylabel="Sollicitations", legend="right", ylim=self.state.monthly_axis(monthly),
                                  **options)  # fmt: skip
        # Not linked to the page's other charts: Panel would share one y range among every chart whose
        # axis has the same name (the weekly flows' hundreds over this chart's tens).
        return pn.pane.HoloViews(plot, linked_axes=False, sizing_mode="stretch_width")

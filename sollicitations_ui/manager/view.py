""""Activités du gestionnaire": filters, the status table and the figures: the thin Panel view."""
from __future__ import annotations


import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
from panel.viewable import Viewer

import sollicitations as sol

from .. import format as fmt
from ..widgets import (STATUS_COLORS, button, card, date_picker, fmt_messages, html, list_table)
from ..dashboard.view import DashboardView
from .state import ManagerDashboard


FIGURES = {
    "weekly_flow": "Entrées et fermetures par semaine",
    "backlog": "Sollicitations ouvertes par statut, en fin de semaine",
    "delays": "Délais de première réponse et de clôture",
    "reopen_rates": "Taux de réouverture",
    "oldest_open": "Sollicitations ouvertes les plus anciennes",
}


class ManagerView(Viewer):
    """ "Activités du gestionnaire": filters, the status table with its drill-down, and the figures."""

    def __init__(self, state: ManagerDashboard, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s, w = self.state, pn.widgets
        filters = card(
            "Filtres",
            pn.Row(
                date_picker(s.param.du, "Saisie du"), date_picker(s.param.au, "au"),
                w.Select.from_param(s.param.categorie, name="Catégorie"),
                w.TextInput.from_param(s.param.destinataire, name="Structure destinataire (identifiant)"),
                button("Appliquer", s.apply, kind="primary", align="end"),
            ),
        )  # fmt: skip
        figures = [self._figure_card(name) for name in FIGURES]
        return pn.Column(filters, DashboardView(s, self.open_request), *figures, sizing_mode="stretch_width")

    def _figure_card(self, name: str):
        s = self.state
        download = pn.widgets.FileDownload(callback=lambda: s.figure_csv(name), filename=f"{name}.csv",
                                           label="Télécharger les données", button_type="light", width=220)  # fmt: skip
        extra = []
        if name in ("delays", "reopen_rates"):
            extra.append(pn.widgets.RadioButtonGroup.from_param(s.param.delays_by, name="Regrouper par", width=360))
        body = pn.panel(pn.bind(lambda *_: self._figure(name), s.param.revision, s.param.delays_by), defer_load=True)
        return card(FIGURES[name], pn.Row(*extra, download), body)

    def _figure(self, name: str):
        try:
            frame = self.state.figure(name)
        except sol.SollicitationError as e:
            return html(fmt.errors_html(fmt_messages(e)))
        if frame.empty:
            return html("<em>Aucune donnée pour ces filtres.</em>")
        if name == "weekly_flow":
            return frame.hvplot.line(height=280, responsive=True, xlabel="Semaine", ylabel="Sollicitations",
                                     legend="top_left")  # fmt: skip
        if name == "backlog":
            colors = [STATUS_COLORS[c] for c in frame.columns]
            return frame.hvplot.area(stacked=True, height=280, responsive=True, xlabel="Semaine",
                                     ylabel="Sollicitations ouvertes", color=colors, legend="top_left")  # fmt: skip
        if name == "oldest_open":
            return list_table(frame, self.open_request)
        shown = frame.head(30).reset_index(drop=True)
        table = pn.widgets.Tabulator(shown, show_index=False, disabled=True, sizing_mode="stretch_width",
                                     layout="fit_columns", formatters={shown.columns[0]: {"type": "plaintext"}},
                                     widths={shown.columns[0]: 320},
                                     stylesheets=[":host .tabulator-col-title { white-space: normal !important; }"])
        return pn.Column(self._bars(name, shown), table, sizing_mode="stretch_width")

    CHART_ROWS = 15

    def _bars(self, name: str, shown: pd.DataFrame):
        """The bar chart above the "delays" and "reopen_rates" tables: one bar per value, none where a
        value is missing (no answer yet is not "0 days")."""
        group = shown.columns[0]
        rows = shown.head(self.CHART_ROWS)
        if name == "delays":
            measures = [c for c in rows.columns if c.endswith("(jours)")]
            unit = "Jours"
        else:
            measures, unit = ["Taux de réouverture (%)"], "Taux (%)"
        long = rows.melt(id_vars=[group], value_vars=measures, var_name="Mesure", value_name=unit).dropna()
        if long.empty:
            return html("<em>Aucun délai ni taux à représenter pour ces filtres.</em>")
        title = f"Les {self.CHART_ROWS} premières lignes du tableau" if len(shown) > self.CHART_ROWS else ""
        # Horizontal bars: the groups' long names stay readable; the first row of the table on top.
        order = list(dict.fromkeys(long[group]))[::-1]
        long[group] = pd.Categorical(long[group], categories=order, ordered=True)
        long = long.sort_values(group)
        bars_per_group = len(measures)
        height = max(220, 70 + len(order) * (14 * bars_per_group + 12))
        top = max(float(long[unit].max()) * 1.1, 5.0)  # a 0 % rate still gets a readable axis
        if len(measures) == 1:
            return long.hvplot.barh(x=group, y=unit, height=height, responsive=True, xlabel="", ylabel=unit,
                                    ylim=(0, top), color="#4c72b0", title=title)  # fmt: skip
        # Nested axis: the group's name, written flat, then one bar per measure. (HoloViews' multi_level=False,
        # a legend instead of the measures' names, fails to validate the axis factors on a redraw.)
        long["Mesure"] = long["Mesure"].str.replace(" (jours)", "", regex=False)

        def flat_group_names(plot, element):
            plot.handles["yaxis"].group_label_orientation = "horizontal"

        return long.hvplot.barh(x=group, y=unit, by="Mesure", height=height, responsive=True, xlabel="",
                                ylabel=unit, ylim=(0, top), title=title).opts(hooks=[flat_group_names])  # fmt: skip

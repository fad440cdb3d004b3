""" "Activités du gestionnaire": filters, the status table and the figures: the thin Panel view."""

from __future__ import annotations

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
from bokeh.models import DatetimeTickFormatter
from panel.viewable import Viewer

from .. import format as fmt
from ..dashboard.view import DashboardView
from ..dates import date_picker
from ..tables import list_table, tabulator
from ..widgets import STATUS_COLORS, LazyTabs, button, card, html
from .state import FIGURES, GROUPED, SECTIONS, ManagerDashboard


def french_dates(plot, _element) -> None:
    """Weeks on the x axis dated the French way ("01/2026", not "Jan 2026"). A hook, run on the Bokeh
    figure once drawn: given as `xformatter`, HoloViews put its own month names back."""
    plot.state.xaxis[0].formatter = DatetimeTickFormatter(days="%d/%m", months="%m/%Y", years="%Y")


def _chart(plot) -> pn.pane.HoloViews:
    """A chart with its own axes: Panel links the y ranges of charts whose axes have the same name."""
    return pn.pane.HoloViews(plot, linked_axes=False, sizing_mode="stretch_width")


class ManagerView(Viewer):
    """ "Activités du gestionnaire": the filters, then sub-tabs: the status table with its drill-down
    first, then one per figure, each built (and queried) when first opened."""

    def __init__(self, state: ManagerDashboard, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s, w = self.state, pn.widgets
        filters = card(
            "Filtres (pour tous les onglets)",
            pn.Row(
                date_picker(s.param.du, "Saisie du"), date_picker(s.param.au, "au"),
                w.Select.from_param(s.param.categorie, name="Catégorie"),
                w.TextInput.from_param(s.param.destinataire, name="Structure destinataire (identifiant)"),
                button("Appliquer", s.apply, kind="primary", align="end"),
            ),
        )  # fmt: skip
        dashboard = DashboardView(s, self.open_request, monthly=False)
        builders = {"statuts": lambda: dashboard, "mois": dashboard.monthly_card}
        keys = list(SECTIONS)
        # Each card in a Column of its own: a Card alone in a tab is drawn without its header's style.
        sections = LazyTabs([(SECTIONS[key], lambda key=key: pn.Column(
            builders.get(key, lambda: self._figure_card(key))(), sizing_mode="stretch_width")) for key in keys],
            sizing_mode="stretch_width")  # fmt: skip
        sections.tabs.active = keys.index(s.section)
        sections.show(sections.tabs.active)
        sections.tabs.param.watch(lambda e: s.open_section(keys[e.new]), "active")
        return pn.Column(filters, sections.tabs, sizing_mode="stretch_width")

    def _figure_card(self, name: str):
        s = self.state
        download = pn.widgets.FileDownload(callback=lambda: s.figure_csv(name), filename=f"{name}.csv",
                                           label="Télécharger les données", button_type="light", width=220)  # fmt: skip
        extra = []
        deps = [s.param.revision]
        if name in GROUPED:
            extra.append(pn.widgets.RadioButtonGroup.from_param(s.param.delays_by, name="Regrouper par", width=360))
            deps.append(s.param.delays_by)
        body = pn.panel(pn.bind(lambda *_: self._figure(name), *deps))
        return card(FIGURES[name], pn.Row(*extra, download), body)

    def _figure(self, name: str):
        frame = self.state.figure_or_errors(name)
        if isinstance(frame, list):
            return html(fmt.errors_html(frame))
        if frame.empty:
            return html("<em>Aucune donnée pour ces filtres.</em>")
        if name == "weekly_flow":
            return _chart(frame.hvplot.line(height=320, responsive=True, xlabel="Semaine", ylabel="Sollicitations",
                                            legend="top_left").opts(hooks=[french_dates]))  # fmt: skip
        if name == "backlog":
            colors = [STATUS_COLORS[c] for c in frame.columns]
            return _chart(frame.hvplot.area(stacked=True, height=320, responsive=True, xlabel="Semaine",
                                            ylabel="Sollicitations ouvertes", color=colors,
                                            legend="top_left").opts(hooks=[french_dates]))  # fmt: skip
        if name == "oldest_open":
            return list_table(frame, self.open_request)
        shown = frame.head(30).reset_index(drop=True)
        table = tabulator(shown, formatters={shown.columns[0]: {"type": "plaintext"}}, widths={shown.columns[0]: 320},
                          stylesheets=[":host .tabulator-col-title { white-space: normal !important; }"])  # fmt: skip
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
            return _chart(long.hvplot.barh(x=group, y=unit, height=height, responsive=True, xlabel="", ylabel=unit,
                                           ylim=(0, top), color="#4c72b0", title=title))  # fmt: skip
        # Nested axis: the group's name, written flat, then one bar per measure. (HoloViews' multi_level=False,
        # a legend instead of the measures' names, fails to validate the axis factors on a redraw.)
        long["Mesure"] = long["Mesure"].str.replace(" (jours)", "", regex=False)

        def flat_group_names(plot, element):
            plot.handles["yaxis"].group_label_orientation = "horizontal"

        return _chart(long.hvplot.barh(x=group, y=unit, by="Mesure", height=height, responsive=True, xlabel="",
                                       ylabel=unit, ylim=(0, top), title=title).opts(hooks=[flat_group_names]))  # fmt: skip

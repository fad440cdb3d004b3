"""The dashboard's list title is HTML (a Card's title): the names it is made of are escaped."""

from __future__ import annotations

import holoviews as hv
import panel as pn
import pytest

from sollicitations.access import Space
from sollicitations_ui.dashboard.view import DashboardView
from sollicitations_ui.manager.view import ManagerView

from .test_dashboard_state import make

HOSTILE = "<img src=x onerror=alert(1)> Mairie & Cie « Nord »"


def cards(layout) -> list[pn.Card]:
    return [o for o in layout.select(pn.Card)]


def test_a_structure_or_service_name_is_shown_as_text_in_the_list_title(desk):
    board = make(desk, "fournisseur", Space.EMISES)
    view = DashboardView(board, open_request=lambda numero: None)
    rows = desk.as_user("fournisseur").search(page_size=5, statut=["Envoyée"])
    (card,) = cards(view._listing(rows, HOSTILE))
    assert "<img" not in card.title and "&lt;img src=x onerror=alert(1)&gt;" in card.title
    assert "Mairie &amp; Cie « Nord »" in card.title


@pytest.mark.parametrize("name", ["weekly_flow", "backlog"])
def test_the_weeks_of_the_managers_charts_are_dated_the_french_way(desk, name):
    view = ManagerView(make(desk, "gestionnaire", Space.TOUTES), lambda n: None)
    chart = view._figure(name)
    formatter = hv.render(chart.object).xaxis[0].formatter
    levels = {level: getattr(formatter, level) for level in ("days", "months", "years")}
    assert levels == {"days": "%d/%m", "months": "%m/%Y", "years": "%Y"}
    assert formatter.context is None  # Bokeh's context line would name the months in English again

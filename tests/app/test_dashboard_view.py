"""The dashboard's list title is HTML (a Card's title): the names it is made of are escaped."""

from __future__ import annotations

import panel as pn

from sollicitations.access import Space
from sollicitations_ui.dashboard.view import DashboardView

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

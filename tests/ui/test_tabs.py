from sollicitations_ui.manager.state import FIGURES, SECTIONS

from ..support.served import assert_no_server_error
from .conftest import login, open_tab, screenshot

TABS = ["Synthèse", "Saisir sollicitation", "Rechercher", "Consulter", "Tableau de bord"]


def assert_no_traceback(page, where: str) -> None:
    """No Python traceback shown: neither in the page's HTML nor inside Panel's shadow roots (which
    page.content() does not serialize, while locators reach into them)."""
    assert "Traceback" not in page.content(), where
    assert page.get_by_text("Traceback").count() == 0, where


def chart_drawn(page, card_title: str) -> None:
    """Wait for a deferred chart (defer_load): drawn after the page, it may log its errors late."""
    page.locator(".card", has_text=card_title).first.locator(".bk-Figure").first.wait_for()


def test_every_tab_renders_without_error(server, page):
    login(page, server, "fournisseur")
    page.get_by_text("Mes sollicitations à traiter").wait_for()
    for tab in TABS:
        open_tab(page, tab)
        screenshot(page, "tab-" + tab.lower().replace(" ", "-"))
        assert_no_traceback(page, tab)
    page.get_by_text("Sollicitations saisies par mois").wait_for()
    chart_drawn(page, "Sollicitations saisies par mois")
    assert_no_traceback(page, "Tableau de bord")
    assert page.console_errors == []
    assert_no_server_error(server.log_text())


def test_every_manager_tab_renders_without_error(server, page):
    login(page, server, "gestionnaire")
    page.get_by_text("Activités du gestionnaire").first.wait_for()
    # Each figure is a sub-tab, built when opened: open each, wait until its chart is drawn.
    for key, title in {"mois": "Sollicitations saisies par mois", **FIGURES}.items():
        open_tab(page, SECTIONS[key])
        if key == "oldest_open":
            page.locator(".card", has_text=title).first.locator(".tabulator-row").first.wait_for()
        else:
            chart_drawn(page, title)
        assert_no_traceback(page, SECTIONS[key])
    tabs = [t for t in page.locator(".bk-tab").all_inner_texts() if t not in SECTIONS.values()]
    assert "Tableau de bord" in tabs and "Saisir sollicitation" not in tabs, tabs
    for tab in tabs:
        open_tab(page, tab)
        assert_no_traceback(page, tab)
    assert page.console_errors == []
    assert_no_server_error(server.log_text())

from .conftest import assert_no_server_error, login, open_tab, screenshot

TABS = ["Synthèse", "Saisir sollicitation", "Rechercher", "Consulter", "Tableau de bord"]


def test_every_tab_renders_without_error(server, page):
    login(page, server, "fournisseur")
    page.get_by_text("Mes sollicitations à traiter").wait_for()
    for tab in TABS:
        open_tab(page, tab)
        screenshot(page, "tab-" + tab.lower().replace(" ", "-"))
    page.get_by_text("Sollicitations saisies par mois").wait_for()
    assert page.console_errors == []
    assert_no_server_error(server.log_text())

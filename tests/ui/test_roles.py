"""Receivers, read-only agents, the support desk and managers: each sees its own space."""

from .conftest import choose, click, login, screenshot, wait_until
from .test_emitter_flow import shown_status
from .test_round_trip import open_request, receiver_comment


def test_navigation_fits_the_roles(server, page):
    login(page, server, "dupont")
    page.get_by_text("Sollicitations émises").first.wait_for()
    assert page.get_by_text("Sollicitations reçues").count() == 0
    assert page.get_by_text("Activités du gestionnaire").count() == 0
    page.goto(server.url + "/logout")
    login(page, server, "gestionnaire")
    page.get_by_text("Activités du gestionnaire").first.wait_for()
    assert page.locator(".bk-tab", has_text="Saisir sollicitation").count() == 0
    assert page.console_errors == []


def test_manager_filters_figures_and_their_data(server, page):
    login(page, server, "gestionnaire")
    # Each figure has its sub-tab, queried when first opened.
    for tab, title in SUB_TABS.items():
        open_sub_tab(page, tab)
        page.get_by_text(title).filter(visible=True).first.wait_for()
    # Delays and reopen rates: a bar chart above each table.
    for tab in ("Délais", "Réouvertures"):
        open_sub_tab(page, tab)
        figure = page.locator(".card", has_text=SUB_TABS[tab]).filter(visible=True).first
        figure.locator(".bk-Figure").first.wait_for()
        figure.locator(".tabulator-row").first.wait_for()
    screenshot(page, "gestionnaire-tableau-de-bord")
    open_sub_tab(page, "Flux hebdomadaire")
    assert figure_csv(page, SUB_TABS["Flux hebdomadaire"]).splitlines()[0] == "Semaine;Entrées;Fermetures"
    open_sub_tab(page, "Par mois")
    monthly = figure_csv(page, SUB_TABS["Par mois"]).splitlines()
    assert monthly[0].startswith("Mois;Brouillon;Envoyée") and sum_of(monthly) > 1, monthly
    open_sub_tab(page, "Par statut")
    support = page.locator(".tabulator-row", has_text="Support Chorus Pro").filter(visible=True).first
    support.wait_for()
    page.get_by_label("Catégorie", exact=True).select_option(label="Connexion")
    page.wait_for_timeout(500)  # the choice reaches the server before the button does
    click(page, "Appliquer")
    wait_until(
        lambda: page.locator(".tabulator-row", has_text="REC201DESTINATAIRE").filter(visible=True).count() == 0,
        timeout=40,
    )
    # The monthly chart follows the filters too: the demo has one "Connexion" request, sent.
    open_sub_tab(page, "Par mois")
    wait_until(lambda: figure_csv(page, SUB_TABS["Par mois"]).splitlines()[0] == "Mois;Envoyée", timeout=20)
    filtered = figure_csv(page, SUB_TABS["Par mois"]).splitlines()
    assert filtered[0] == "Mois;Envoyée" and sum_of(filtered) == 1, filtered
    page.locator(".card", has_text=SUB_TABS["Par mois"]).filter(visible=True).first.locator(
        ".bk-Figure"
    ).first.wait_for()
    assert page.console_errors == []


SUB_TABS = {
    "Par mois": "Sollicitations saisies par mois",
    "Flux hebdomadaire": "Entrées et fermetures par semaine",
    "Stock": "Sollicitations ouvertes par statut, en fin de semaine",
    "Délais": "Délais de première réponse et de clôture",
    "Réouvertures": "Taux de réouverture",
    "Plus anciennes": "Sollicitations ouvertes les plus anciennes",
    "Par statut": "Sollicitations par statut",
}


def open_sub_tab(page, label: str) -> None:
    page.locator(".bk-tab", has_text=label).filter(visible=True).first.click()
    page.wait_for_timeout(400)


def figure_csv(page, title: str) -> str:
    """The "Télécharger les données" file of the figure under `title`."""
    with page.expect_download() as download:
        card = page.locator(".card", has_text=title).filter(visible=True).first
        card.get_by_role("button", name="Télécharger les données").click()
    return download.value.path().read_bytes().decode("utf-8-sig")


def sum_of(lines: list[str]) -> int:
    """The requests counted by a monthly CSV (header first, then a month and its counts per line)."""
    return sum(int(n) for line in lines[1:] for n in line.split(";")[1:] if n)


def test_read_only_agent_reads_but_cannot_act(server, page):
    login(page, server, "lecteur")
    open_request(page, server, 4)  # "Informations compl. requises" at REC201DESTINATAIRE
    page.get_by_text("Merci de joindre le bon de commande").first.wait_for()
    for name in ("Répondre", "Prendre en charge", "Assigner", "Transférer au support"):
        assert page.get_by_role("button", name=name, exact=True).count() == 0


def test_transfer_to_support_is_visible_to_the_supplier(server, page, browser):
    login(page, server, "destinataire")
    open_request(page, server, 8)  # "En cours" at STRUCTURE PUBLIQUE test
    receiver_comment(page, "Transférer au support", "Question sur le portail, hors de notre périmètre.")
    page.get_by_text("La sollicitation n° 8 a été transférée au support.").first.wait_for()
    page.get_by_text("Elle ne figure plus parmi les sollicitations de votre structure.").first.wait_for()
    assert page.get_by_text("vous n'êtes pas habilité").count() == 0

    supplier = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    login(supplier, server, "fournisseur", path="/app?numero=8")
    supplier.get_by_text("Support Chorus Pro").first.wait_for()
    assert shown_status(supplier) == "Envoyée"

    desk = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    login(desk, server, "support")
    desk.locator(".tabulator-cell[tabulator-field='Numéro de la sollicitation']", has_text="8").first.wait_for()
    open_request(desk, server, 8)
    click(desk, "Assigner")
    choose(desk, "Assigné à *", "LEGRAND Mathis")
    desk.wait_for_timeout(500)  # the choice must reach the server before the click, even under load
    click(desk, "Valider")
    wait_until(lambda: shown_status(desk) == "En cours")
    screenshot(desk, "support-assignee")

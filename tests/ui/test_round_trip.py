"""Issue 4's round trip: a supplier and a receiving agent, each in their own browser."""

from .conftest import choose, click, login, open_tab, pick_file, screenshot, type_in, wait_until
from .test_emitter_flow import number_in, shown_status

STATUSES = ["Brouillon", "Envoyée", "En cours", "Informations compl. requises", "Répondue", "Fermée"]
SUPPLIER_ROW, AGENT_ROW = "00000000002145 - REC201FOURNISSEUR", "00000000002161 - REC201DESTINATAIRE"


def status_counts(page, server, row_label: str) -> dict[str, int]:
    """A whole status row of the "Tableau de bord", read in a fresh session (another user's writes
    do not reload a page that is already open)."""
    page.goto(server.url + "/app")
    page.wait_for_selector(".bk-tab")
    open_tab(page, "Tableau de bord")
    row = page.locator(".tabulator-row", has_text=row_label).filter(visible=True).first
    row.wait_for()
    cells = {status: row.locator(f".tabulator-cell[tabulator-field='{status}']") for status in STATUSES}
    return {status: int(cell.inner_text()) for status, cell in cells.items()}


def moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The statuses whose count changed, and by how much."""
    return {status: after[status] - before[status] for status in STATUSES if after[status] != before[status]}


def assert_counts_moved(supplier, agent, server, before: tuple[dict, dict], expected: dict[str, int]) -> None:
    """Both dashboards moved from `before` by `expected` exactly: every other status is unchanged."""
    for page, row_label, counts in ((supplier, SUPPLIER_ROW, before[0]), (agent, AGENT_ROW, before[1])):
        assert moved(counts, status_counts(page, server, row_label)) == expected, row_label


def open_request(page, server, numero: int) -> None:
    page.goto(f"{server.url}/app?numero={numero}")
    page.get_by_text(f"Détail de la sollicitation n° {numero}").first.wait_for()


def history_rows(page) -> list[str]:
    section = page.locator("section.block", has_text="Historique").filter(visible=True).first
    return section.locator("tbody tr").all_inner_texts()


def receiver_comment(page, button: str, text: str) -> None:
    click(page, button)
    type_in(page, "Commentaire *", text)
    click(page, "Valider")


def test_round_trip_between_supplier_and_receiver(server, browser, tmp_path):
    supplier = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    agent = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for page in (supplier, agent):
        page.set_default_timeout(20_000)
    login(supplier, server, "fournisseur")
    login(agent, server, "destinataire")
    before = status_counts(supplier, server, SUPPLIER_ROW), status_counts(agent, server, AGENT_ROW)

    open_tab(supplier, "Saisir sollicitation")
    choose(supplier, "Sélectionner une catégorie *", "Factures émises")
    choose(supplier, "Sélectionner une sous-catégorie *", "Erreur dans les éléments de facturation")
    choose(supplier, "Désignation de la structure émettrice *", "00000000002145 - REC201FOURNISSEUR")
    choose(supplier, "Type de l'objet concerné par la sollicitation", "Facture")
    type_in(supplier, "Numéro", "QUAL_00000000007215")
    type_in(supplier, "Description *", "Le taux de TVA de la ligne 2 est erroné.")
    click(supplier, "Valider et envoyer")
    numero = number_in(supplier, "a été envoyée")
    assert_counts_moved(supplier, agent, server, before, {"Envoyée": 1})

    # The agent finds it on top of "Sollicitations à traiter", takes it in charge and asks.
    agent.goto(server.url + "/app")
    agent.locator(
        ".tabulator-cell[tabulator-field='Numéro de la sollicitation']", has_text=str(numero)
    ).first.wait_for()
    open_request(agent, server, numero)
    click(agent, "Prendre en charge")
    agent.get_by_text(f"Vous avez pris en charge la sollicitation n° {numero}.").first.wait_for()
    assert_counts_moved(supplier, agent, server, before, {"En cours": 1})
    open_request(agent, server, numero)
    receiver_comment(agent, "Demander des informations complémentaires", "Merci de joindre le devis signé.")
    wait_until(lambda: shown_status(agent) == "Informations compl. requises")
    screenshot(agent, "aller-retour-demande-informations")
    assert_counts_moved(supplier, agent, server, before, {"Informations compl. requises": 1})

    # The supplier answers with an attachment.
    open_request(supplier, server, numero)
    supplier.get_by_text("Merci de joindre le devis signé.").first.wait_for()
    click(supplier, "Ajouter complément d'information")
    type_in(supplier, "Complément d'information *", "Voici le devis signé.")
    pick_file(supplier, tmp_path, "devis-signe.pdf", b"%PDF-1.4\n% devis\n", last=True)
    click(supplier, "Valider et envoyer")
    supplier.get_by_text("Le complément d'information a été envoyé").first.wait_for()

    # Re-sent: flagged in the agent's list; the agent responds.
    agent.goto(server.url + "/app")
    row = agent.locator(".tabulator-row", has_text=str(numero)).filter(visible=True).first
    wait_until(lambda: "Renvoyée" in row.inner_text())
    open_request(agent, server, numero)
    agent.get_by_text("devis-signe.pdf").first.wait_for()
    receiver_comment(agent, "Répondre", "La facture rectificative sera acceptée.")
    wait_until(lambda: shown_status(agent) == "Répondue")

    # Not satisfied: the supplier reopens.
    open_request(supplier, server, numero)
    click(supplier, "Clôturer")
    supplier.get_by_text("Non", exact=True).filter(visible=True).first.click()
    supplier.get_by_text("Oui", exact=True).filter(visible=True).nth(1).click()
    type_in(supplier, "Commentaires *", "La facture rectificative a été rejetée.")
    click(supplier, "Valider")
    supplier.get_by_text(f"La sollicitation n° {numero} est renvoyée au destinataire.").first.wait_for()

    open_request(agent, server, numero)
    receiver_comment(agent, "Répondre", "Rejet annulé : la facture est mise en paiement.")
    wait_until(lambda: shown_status(agent) == "Répondue")

    open_request(supplier, server, numero)
    click(supplier, "Clôturer")
    type_in(supplier, "Commentaires *", "Merci, c'est réglé.")
    click(supplier, "Valider")
    wait_until(lambda: shown_status(supplier) == "Fermée")

    expected = [
        ("MARCHAND Élise", "Envoyée"),
        ("NAVARRO Inès", "En cours"),
        ("NAVARRO Inès", "Informations compl. requises"),
        ("MARCHAND Élise", "Informations compl. requises"),
        ("MARCHAND Élise", "Envoyée"),
        ("NAVARRO Inès", "Répondue"),
        ("MARCHAND Élise", "Envoyée"),
        ("NAVARRO Inès", "Répondue"),
        ("MARCHAND Élise", "Fermée"),
    ]
    open_request(agent, server, numero)
    for page in (supplier, agent):
        rows = history_rows(page)
        assert len(rows) == len(expected), rows
        for row, (user, status) in zip(rows, expected):
            cells = row.split("\t")
            assert cells[1] == user and cells[3] == status, (row, user, status)
    screenshot(supplier, "aller-retour-historique")
    assert_counts_moved(supplier, agent, server, before, {"Fermée": 1})

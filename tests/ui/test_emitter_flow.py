"""The guide's emitter scenarios, clicked as a supplier would."""

import re
import zipfile
from datetime import date

from ..support.samples import PNG  # a real image: uploads are typed from their content
from .conftest import choose, click, login, open_tab, pick_file, screenshot, type_in, wait_until


def fill_rejet(page, numero_objet=None):
    open_tab(page, "Saisir sollicitation")
    choose(page, "Sélectionner une catégorie *", "Factures émises")
    choose(page, "Sélectionner une sous-catégorie *", "Rejet d'une facture")
    choose(page, "Désignation de la structure émettrice *", "53453679200011 - LES LOGES DU GREL")
    type_in(page, "Description *", "Pourquoi la facture a-t-elle été rejetée ?")
    if numero_objet:
        choose(page, "Type de l'objet concerné par la sollicitation", "Facture")
        type_in(page, "Numéro", numero_objet)


def shown_status(page) -> str:
    """The "Statut" field of the detail screen."""
    field = page.locator(".field", has_text="Statut :").filter(visible=True).first
    return field.locator(".value").inner_text()


def number_in(page, pattern: str) -> int:
    text = page.get_by_text(re.compile(pattern)).first.inner_text()
    return int(re.search(r"n° (\d+)", text).group(1))


def test_object_errors_save_attach_send_then_find_it(server, page, tmp_path):
    login(page, server, "fournisseur")
    fill_rejet(page)
    click(page, "Valider et envoyer")
    page.get_by_text("Le type d'objet est obligatoire").first.wait_for()
    page.get_by_text("Le numéro est obligatoire").first.wait_for()
    screenshot(page, "saisie-erreurs-objet")

    choose(page, "Type de l'objet concerné par la sollicitation", "Facture")
    type_in(page, "Numéro", "9999/999")
    click(page, "Valider et envoyer")
    page.get_by_text("Le numéro indiqué ne correspond à aucune demande de paiement").first.wait_for()

    type_in(page, "Numéro", "2017/640")
    click(page, "Enregistrer")
    numero = number_in(page, "est enregistrée au statut « Brouillon »")

    click(page, "+Gestion des pièces jointes")
    pick_file(page, tmp_path, "capture-ecran.png", PNG)
    click(page, "Ajouter")
    page.get_by_text("Total de 1 pièce(s) jointe(s).").first.wait_for()
    page.get_by_text("capture-ecran.png").first.wait_for()
    screenshot(page, "saisie-brouillon-piece-jointe")
    # One file downloads as itself, under its own name; several, as a ZIP.
    with page.expect_download() as download:
        click(page, "Télécharger pièces jointes")
    assert download.value.suggested_filename == "capture-ecran.png"
    assert download.value.path().read_bytes() == PNG
    pick_file(page, tmp_path, "devis.pdf", b"%PDF-1.4\n% devis\n")
    click(page, "Ajouter")
    page.get_by_text("Total de 2 pièce(s) jointe(s).").first.wait_for()
    with page.expect_download() as download:
        click(page, "Télécharger pièces jointes")
    assert download.value.suggested_filename == f"pieces-jointes-{numero}.zip"
    with zipfile.ZipFile(download.value.path()) as archive:
        assert sorted(archive.namelist()) == ["capture-ecran.png", "devis.pdf"]

    click(page, "Valider et envoyer")
    # The guide's confirmation window, with the number; it must be closed before anything else is clicked.
    dialog = page.get_by_role("dialog")
    wait_until(lambda: dialog.is_visible() and f"n° {numero}" in dialog.inner_text())
    screenshot(page, "saisie-envoyee")
    dialog.get_by_role("button", name="Fermer", exact=True).click()
    wait_until(lambda: not dialog.is_visible())
    assert number_in(page, "a été envoyée") == numero

    open_tab(page, "Rechercher")
    type_in(page, "Numéro de la sollicitation", str(numero))
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Page 1 / 1 (1 ligne)").first.wait_for()
    screenshot(page, "recherche-par-numero")
    page.locator(".tabulator-cell[tabulator-field='Référence']", has_text=str(numero)).click()
    # Visible ones: the entry form, in its hidden tab, still shows the request just sent.
    page.get_by_text(f"Détail de la sollicitation n° {numero}").filter(visible=True).first.wait_for()
    for block in (
        "En-tête de la sollicitation",
        "Informations Structure émettrice",
        "Information Structure Destinatrice",
        "Description",
        "Commentaires/Réponses",
        "Historique",
        "Pièces jointes",
    ):
        page.get_by_text(block, exact=True).filter(visible=True).first.wait_for()
    page.get_by_text("STRUCTURE PUBLIQUE test").filter(visible=True).first.wait_for()
    screenshot(page, "consulter-envoyee")
    assert page.console_errors == []


def test_close_without_and_with_reopening(server, page):
    login(page, server, "fournisseur")
    # The demo's request 2 is "Répondue" (Montant payé différent, LES LOGES DU GREL).
    page.goto(server.url + "/app?numero=2")
    page.get_by_text("Détail de la sollicitation n° 2").first.wait_for()
    page.get_by_text("La différence correspond à une retenue de garantie").first.wait_for()
    click(page, "Clôturer")
    page.get_by_text("La réponse apportée vous a-t-elle permis de résoudre votre problème ?").first.wait_for()
    page.get_by_text("Non", exact=True).filter(visible=True).first.click()
    page.get_by_text("Souhaitez-vous ré-ouvrir votre sollicitation ?").first.wait_for()
    page.get_by_text("Oui", exact=True).filter(visible=True).nth(1).click()
    click(page, "Valider")
    page.get_by_text("Le commentaire est obligatoire").first.wait_for()
    type_in(page, "Commentaires *", "La retenue de garantie n'était pas prévue au marché.")
    screenshot(page, "cloture-reouverture")
    click(page, "Valider")
    page.get_by_text("La sollicitation n° 2 est renvoyée au destinataire.").first.wait_for()
    wait_until(lambda: shown_status(page) == "Envoyée")

    # The early close of a question that no longer matters (request 6 is "Envoyée").
    page.goto(server.url + "/app?numero=6")
    page.get_by_text("Détail de la sollicitation n° 6").first.wait_for()
    click(page, "Clôturer")
    expect_hidden = page.get_by_text("La réponse apportée vous a-t-elle permis de résoudre votre problème ?")
    assert not expect_hidden.is_visible()
    type_in(page, "Commentaires *", "La question n'est plus d'actualité.")
    click(page, "Valider")
    page.get_by_text("La sollicitation n° 6 est fermée.").first.wait_for()
    wait_until(lambda: shown_status(page) == "Fermée")
    assert not page.get_by_role("button", name="Clôturer", exact=True).is_visible()
    assert page.console_errors == []


def test_complement_when_information_is_required(server, page, tmp_path):
    login(page, server, "fournisseur")
    page.goto(server.url + "/app?numero=4")
    page.get_by_text("Merci de joindre le bon de commande").first.wait_for()
    click(page, "Ajouter complément d'information")
    page.get_by_text("Mise à jour de la sollicitation").first.wait_for()
    type_in(page, "Complément d'information *", "Voici le bon de commande n° BC-2018-77.")
    pick_file(page, tmp_path, "bon-de-commande.pdf", b"%PDF-1.4\n%test\n", last=True)
    click(page, "Valider et envoyer")
    page.get_by_text("Le complément d'information a été envoyé").first.wait_for()
    page.get_by_text("bon-de-commande.pdf").first.wait_for()
    page.get_by_text("Voici le bon de commande n° BC-2018-77.").first.wait_for()
    screenshot(page, "complement-envoye")
    assert page.console_errors == []


def test_synthese_lists_what_awaits_the_supplier(server, page):
    login(page, server, "fournisseur")
    table = page.locator(".tabulator-cell[tabulator-field='Statut sollicitation']")
    wait_until(lambda: table.count() > 0)
    statuses = set(table.all_inner_texts())
    assert statuses <= {"Brouillon", "Répondue", "Informations compl. requises"}, statuses
    actions = page.locator(".tabulator-cell[tabulator-field='Actions']").filter(visible=True)
    assert "Compléter et envoyer" in actions.all_inner_texts()
    screenshot(page, "synthese")
    answered = page.locator(".tabulator-row", has_text="Répondue").filter(visible=True).first
    answered.locator(".tabulator-cell[tabulator-field='Actions']").click()
    page.get_by_text("Clôture d'une sollicitation").first.wait_for()
    open_tab(page, "Synthèse")
    choose(page, "Filtre Structure", "53453679200011 - LES LOGES DU GREL")
    wait_until(lambda: "LES LOGES" not in page.content() or table.count() <= 2)
    with page.expect_download() as download:
        click(page, "Télécharger (CSV)")
    content = download.value.path().read_bytes()
    assert content.startswith("\ufeff".encode()) and b"Saisie le;Structure" in content


def test_dashboard_drill_down_both_ways(server, page):
    login(page, server, "fournisseur")
    open_tab(page, "Tableau de bord")
    page.get_by_text("Sollicitations par statut").first.wait_for()
    # A count: the list of those requests.
    cell = page.locator(".tabulator-row", has_text="00000000002145 - REC201FOURNISSEUR").locator(
        ".tabulator-cell[tabulator-field='Brouillon']"
    )
    count = int(cell.inner_text())
    cell.click()
    page.get_by_text(f"Page 1 / 1 ({count} ligne").wait_for()
    screenshot(page, "tableau-de-bord-liste")
    # A structure: its services, "Non renseigné" first; then a service: its requests.
    page.locator(".tabulator-cell[tabulator-field='Emetteur']", has_text="REC201FOURNISSEUR").click()
    page.get_by_text("Non renseigné", exact=True).first.wait_for()
    page.get_by_text("Service maintenance", exact=True).first.wait_for()
    screenshot(page, "tableau-de-bord-services")
    page.locator(".tabulator-cell[tabulator-field='Service émetteur']", has_text="service_fournisseur").click()
    page.get_by_text("REC201FOURNISSEUR / service_fournisseur").first.wait_for()
    click(page, "Tableau de bord")
    page.locator(".tabulator-cell[tabulator-field='Emetteur']", has_text="REC100FOURNISSEUR").wait_for()
    assert page.console_errors == []


def test_delete_a_draft_after_confirmation(server, page):
    login(page, server, "fournisseur")
    open_tab(page, "Rechercher")
    # "Supprimer" is offered on drafts only: the other rows have an empty cell.
    choose(page, "Identifiant structure émettrice", "00000000002145 - REC201FOURNISSEUR")
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    rows = page.locator(".tabulator-row").filter(visible=True).filter(has_text="Consulter")
    wait_until(lambda: rows.count() > 0)
    statuses = set()
    for row in rows.all():
        status = row.locator(".tabulator-cell[tabulator-field='Statut sollicitation']").inner_text()
        delete = row.locator(".tabulator-cell[tabulator-field='Supprimer']").inner_text().strip()
        assert delete == ("Supprimer" if status == "Brouillon" else ""), (status, delete)
        statuses.add(status)
    assert "Brouillon" in statuses and len(statuses) > 1, statuses
    click(page, "Réinitialiser")
    wait_until(lambda: rows.count() == 0)
    page.get_by_role("checkbox", name="Brouillon", exact=True).check()
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    first = page.locator(".tabulator-cell[tabulator-field='Référence']").filter(visible=True).first
    first.wait_for()
    numero = int(first.inner_text())
    page.locator(".row-action", has_text="Supprimer").filter(visible=True).first.click()
    page.get_by_text(f"Supprimer la sollicitation n° {numero} ?").first.wait_for()
    click(page, "Confirmer la suppression")
    page.get_by_text(f"La sollicitation n° {numero} a été supprimée.").first.wait_for()


def test_other_supplier_cannot_open_a_request_by_url(server, page):
    login(page, server, "dupont", path="/app?numero=2")
    page.get_by_text("La sollicitation n° 2 n'existe pas ou vous n'êtes pas habilité à la consulter").first.wait_for()
    assert "LES LOGES DU GREL" not in page.content()
    open_tab(page, "Rechercher")
    type_in(page, "Numéro de la sollicitation", "2")
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Aucune sollicitation.").first.wait_for()
    screenshot(page, "dupont-refuse")


def test_question_to_a_chosen_public_entity(server, page):
    login(page, server, "fournisseur")
    open_tab(page, "Saisir sollicitation")
    page.get_by_text("Informations Structure émettrice").first.wait_for()  # the form is drawn
    page.wait_for_timeout(500)
    assert not page.get_by_text("Le destinataire est-il un service de l'Etat ?").first.is_visible()
    choose(page, "Sélectionner une catégorie *", "Factures émises")
    choose(page, "Sélectionner une sous-catégorie *", "Rejet d'une facture")
    page.get_by_label("Numéro", exact=True).wait_for()  # this pair names an object, its recipient follows
    assert not page.get_by_text("Le destinataire est-il un service de l'Etat ?").first.is_visible()
    choose(page, "Sélectionner une sous-catégorie *", "Question pour une entité publique")
    page.get_by_text("Le destinataire est-il un service de l'Etat ?").first.wait_for()
    choose(page, "Désignation de la structure émettrice *", "00000000002145 - REC201FOURNISSEUR")
    type_in(page, "Description *", "Quel est le délai de paiement habituel ?")
    click(page, "Valider et envoyer")
    page.get_by_text("Le destinataire est obligatoire").first.wait_for()
    type_in(page, "Destinataire", "publique")
    page.get_by_role("button", name="Rechercher", exact=True).filter(visible=True).first.click()
    wait_until(lambda: "51448875800012" in page.get_by_label("Structure destinataire *", exact=True).input_value())
    page.get_by_label("Service", exact=True).nth(1).select_option(label="Service des factures publiques")
    page.wait_for_timeout(300)
    screenshot(page, "saisie-destinataire")
    click(page, "Valider et envoyer")
    numero = number_in(page, "a été envoyée")
    page.goto(f"{server.url}/app?numero={numero}")
    page.get_by_text("Information Structure Destinatrice").first.wait_for()
    page.get_by_text("Service des factures publiques").first.wait_for()


def test_user_text_is_shown_never_run(server, page):
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    login(page, server, "fournisseur")
    fill_rejet(page, numero_objet="2017/640")
    type_in(page, "Description *", payload)
    click(page, "Valider et envoyer")
    numero = number_in(page, "a été envoyée")
    page.goto(f"{server.url}/app?numero={numero}")
    page.get_by_text(payload).first.wait_for()
    open_tab(page, "Rechercher")
    type_in(page, "Numéro de la sollicitation", str(numero))
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Page 1 / 1 (1 ligne)").first.wait_for()
    assert page.evaluate("window.__pwned") is None


def test_search_by_keywords_and_recipient_service(server, page):
    login(page, server, "fournisseur")
    open_tab(page, "Rechercher")
    type_in(page, "Mots-clés", "de la")  # only common words: nothing to look for
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("ne contient aucun mot recherchable").first.wait_for()
    type_in(page, "Mots-clés", "BARÈME expert")  # case and accents aside, each word a prefix
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Page 1 / 1 (1 ligne)").first.wait_for()
    page.locator(".tabulator-cell[tabulator-field='Référence']", has_text="6").first.wait_for()
    screenshot(page, "recherche-mots-cles")

    # "Service destinataire": the services of the recipient structure found, then "Vider".
    click(page, "Réinitialiser")
    wait_until(lambda: page.get_by_label("Mots-clés", exact=True).input_value() == "")
    type_in(page, "Structure destinataire", "publique")
    page.get_by_role("button", name="Rechercher", exact=True).filter(visible=True).first.click()
    found = page.get_by_label("Structure destinataire trouvée", exact=True)
    wait_until(lambda: "51448875800012 - STRUCTURE PUBLIQUE test" in found.locator("option").all_inner_texts())
    choose(page, "Structure destinataire trouvée", "51448875800012 - STRUCTURE PUBLIQUE test")
    service = page.get_by_label("Service destinataire", exact=True)
    wait_until(lambda: "Service des factures publiques" in service.locator("option").all_inner_texts())
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Page 1 / 1 (3 lignes)").first.wait_for()  # requests 2, 7 and 8
    choose(page, "Service destinataire", "Service des factures publiques")
    page.wait_for_timeout(300)  # the choice reaches the server before the button does
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Page 1 / 1 (2 lignes)").first.wait_for()  # 2 has no recipient service
    references = page.locator(".tabulator-cell[tabulator-field='Référence']").filter(visible=True)
    wait_until(lambda: sorted(references.all_inner_texts()) == ["7", "8"])
    screenshot(page, "recherche-service-destinataire")
    page.get_by_role("button", name="Vider", exact=True).filter(visible=True).first.click()  # the structure's
    wait_until(lambda: service.is_disabled() and service.input_value() == "Tous")
    assert found.input_value() == ""
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Veuillez saisir ou sélectionner au moins un critère de recherche").first.wait_for()

    # Dates are shown as the guide writes them (jj/mm/aaaa), and still reach the search.
    du = date_input(page, "Période de saisie de la sollicitation : du")
    du.click()
    page.locator(".flatpickr-calendar.open .flatpickr-day.today").first.click()
    wait_until(lambda: du.input_value() == date.today().strftime("%d/%m/%Y"))
    page.wait_for_timeout(300)  # the date reaches the server before the button does
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Aucune sollicitation.").first.wait_for()  # the demo's requests are all older
    assert page.console_errors == []


def date_input(page, name: str):
    """A date field (widgets.FrenchDatePicker), by its accessible name."""
    return page.get_by_label(name, exact=True)

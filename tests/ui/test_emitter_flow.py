"""The guide's emitter scenarios, clicked as a supplier would."""
import re

import sollicitations as sol

from .conftest import choose, click, login, open_tab, screenshot, type_in, wait_until

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def fill_rejet(page, numero_objet=None):
    open_tab(page, "Saisir sollicitation")
    choose(page, "Sélectionner une catégorie *", "Factures émises")
    choose(page, "Sélectionner une sous-catégorie *", "Rejet d'une facture")
    choose(page, "Désignation de la structure émettrice *", "53453679200011 - LES LOGES DU GREL")
    type_in(page, "Description *", "Pourquoi la facture a-t-elle été rejetée ?")
    if numero_objet:
        choose(page, "Type de l'objet concerné par la sollicitation", "Facture")
        type_in(page, "Numéro", numero_objet)


def number_in(page, pattern: str) -> int:
    text = page.get_by_text(re.compile(pattern)).first.inner_text()
    return int(re.search(r"n° (\d+)", text).group(1))


def test_object_errors_save_attach_send_then_find_it(server, page, tmp_path):
    login(page, server, "fournisseur")
    fill_rejet(page)
    click(page, "Valider et envoyer")
    page.get_by_text("Le type d'objet est obligatoire").wait_for()
    page.get_by_text("Le numéro est obligatoire").wait_for()
    screenshot(page, "saisie-erreurs-objet")

    choose(page, "Type de l'objet concerné par la sollicitation", "Facture")
    type_in(page, "Numéro", "9999/999")
    click(page, "Valider et envoyer")
    page.get_by_text("Le numéro indiqué ne correspond à aucune demande de paiement").wait_for()

    type_in(page, "Numéro", "2017/640")
    click(page, "Enregistrer")
    numero = number_in(page, "est enregistrée au statut « Brouillon »")

    click(page, "+Gestion des pièces jointes")
    attachment = tmp_path / "capture-ecran.png"
    attachment.write_bytes(PNG)
    page.locator("input[type=file]").first.set_input_files(str(attachment))
    page.wait_for_timeout(500)
    click(page, "Ajouter")
    page.get_by_text("Total de 1 pièce(s) jointe(s).").wait_for()
    page.get_by_text("capture-ecran.png").first.wait_for()
    screenshot(page, "saisie-brouillon-piece-jointe")

    click(page, "Valider et envoyer")
    assert number_in(page, "a été envoyée") == numero
    screenshot(page, "saisie-envoyee")

    open_tab(page, "Rechercher")
    type_in(page, "Numéro de la sollicitation", str(numero))
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.get_by_text("Page 1 / 1 (1 ligne)").wait_for()
    screenshot(page, "recherche-par-numero")
    page.locator(".tabulator-cell[tabulator-field='Référence']", has_text=str(numero)).click()
    page.get_by_text(f"Détail de la sollicitation n° {numero}").wait_for()
    for block in ("En-tête de la sollicitation", "Informations Structure émettrice",
                  "Information Structure Destinatrice", "Description", "Commentaires/Réponses",
                  "Historique", "Pièces jointes"):
        page.get_by_text(block, exact=True).first.wait_for()
    page.get_by_text("STRUCTURE PUBLIQUE test").first.wait_for()
    screenshot(page, "consulter-envoyee")
    assert page.console_errors == []

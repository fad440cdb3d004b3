"""The guide's entry scenario, typed as a supplier types it: every result is shown where the user looks."""

import re

import pytest

from sollicitations import rules

from ..support.samples import PNG  # a real image: uploads are typed from their content
from .conftest import SIZES, choose, click, in_viewport, login, open_tab, pick_file, screenshot, type_keys, wait_until

ENTRY_ACTIONS = ("Enregistrer", "Valider et envoyer", "Supprimer pièces jointes", "+Gestion des pièces jointes",
                 "Ajouter", "Retour")  # fmt: skip


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def shown(page, name) -> int:
    """How many buttons of that name the user can see."""
    return button(page, name).filter(visible=True).count()


def feedback(page, role: str, text: str):
    """The Feedback box (role alert for errors, status for a confirmation) that holds `text`."""
    return page.get_by_role(role).filter(has_text=text).filter(visible=True)


def assert_in_view(page, locator) -> None:
    wait_until(lambda: locator.count() == 1 and in_viewport(page, locator.first))


@pytest.mark.parametrize("size", SIZES)
def test_entry_scenario_feedback_where_the_user_looks(server, page, tmp_path, size):
    """Played at both window sizes: what is "in view" depends on the window the user has."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})

    def screenshots(page, name):  # the window as the user has it, scrolled where the scenario left it
        screenshot(page, f"{name}-{size}")

    login(page, server, "fournisseur")
    open_tab(page, "Saisir sollicitation")
    choose(page, "Sélectionner une catégorie *", "Factures émises")
    choose(page, "Sélectionner une sous-catégorie *", "Rejet d'une facture")
    choose(page, "Désignation de la structure émettrice *", "53453679200011 - LES LOGES DU GREL")
    # A new form: its attachments wait for "Enregistrer"; nothing to delete nor to download.
    assert button(page, "+Gestion des pièces jointes").is_disabled()
    assert button(page, "Supprimer pièces jointes").is_disabled()
    assert button(page, "Télécharger pièces jointes").is_disabled()

    # 1. "Valider et envoyer" with missing fields: the French errors, next to the button just clicked.
    click(page, "Valider et envoyer")
    errors = feedback(page, "alert", rules.DESCRIPTION_OBLIGATOIRE)
    assert_in_view(page, errors)
    for message in (rules.TYPE_OBJET_OBLIGATOIRE, rules.NUMERO_OBLIGATOIRE):
        assert message in errors.inner_text()
    assert page.get_by_text(rules.DESCRIPTION_OBLIGATOIRE).count() == 1  # one copy, not one per place
    screenshots(page, "entry-1-errors")

    # 2. Fixed, "Enregistrer": the draft's number, in view, in place of the errors.
    type_keys(page, "Description *", "Pourquoi la facture a-t-elle été rejetée ?")
    choose(page, "Type de l'objet concerné par la sollicitation", "Facture")
    type_keys(page, "Numéro", "2017/640")
    click(page, "Enregistrer")
    saved = feedback(page, "status", "est enregistrée au statut « Brouillon »")
    assert_in_view(page, saved)
    numero = int(re.search(r"n° (\d+)", saved.inner_text()).group(1))
    assert page.get_by_role("alert").filter(visible=True).count() == 0  # the old errors are gone
    screenshots(page, "entry-2-saved")

    # 3. "+Gestion des pièces jointes" opens the picker, "Ajouter" tells its result in the block.
    assert shown(page, "Ajouter") == 0
    assert button(page, "Supprimer pièces jointes").is_disabled()
    assert button(page, "Télécharger pièces jointes").is_disabled()
    click(page, "+Gestion des pièces jointes")
    wait_until(lambda: shown(page, "Ajouter") == 1 and shown(page, "Retour") == 1)
    pick_file(page, tmp_path, "capture-ecran.png", PNG)
    click(page, "Ajouter")
    added = feedback(page, "status", "1 pièce(s) jointe(s) ajoutée(s).")
    assert_in_view(page, added)
    assert not saved.count()  # the save's message gave way
    page.get_by_text("capture-ecran.png").first.wait_for()
    wait_until(lambda: button(page, "Supprimer pièces jointes").is_enabled()
               and button(page, "Télécharger pièces jointes").is_enabled())  # fmt: skip
    screenshots(page, "entry-3-attachment")
    click(page, "Retour")
    wait_until(lambda: shown(page, "Ajouter") == 0)

    # 4. "Valider et envoyer": the confirmation window with the number; "Fermer" closes it.
    click(page, "Valider et envoyer")
    dialog = page.get_by_role("dialog")
    wait_until(lambda: dialog.is_visible() and f"n° {numero}" in dialog.inner_text())
    assert in_viewport(page, dialog) and "a été envoyée" in dialog.inner_text()
    screenshots(page, "entry-4-confirmation")
    dialog.get_by_role("button", name="Fermer", exact=True).click()
    wait_until(lambda: not dialog.is_visible())

    # 5. Envoyée: the form offers no entry action any more; the attachments can still be downloaded.
    page.get_by_text(f"Détail de la sollicitation n° {numero}").first.wait_for()
    wait_until(lambda: page.get_by_text("statut : Envoyée").first.is_visible())
    wait_until(lambda: all(shown(page, name) == 0 for name in ENTRY_ACTIONS))
    assert in_viewport(page, feedback(page, "status", f"La sollicitation n° {numero} a été envoyée.").first)
    assert button(page, "Télécharger pièces jointes").is_enabled()
    assert shown(page, "Saisir une nouvelle sollicitation") == 1
    assert page.get_by_label("Description *", exact=True).is_disabled()
    screenshots(page, "entry-5-sent")

    # 6. "Saisir une nouvelle sollicitation": a fresh form; the recipient's search folds case and accents
    # and selects the one structure found.
    click(page, "Saisir une nouvelle sollicitation")
    wait_until(lambda: shown(page, "Valider et envoyer") == 1 and shown(page, "Enregistrer") == 1)
    assert page.get_by_text("Détail de la sollicitation (nouvelle)").first.is_visible()
    choose(page, "Sélectionner une catégorie *", "Factures émises")
    choose(page, "Sélectionner une sous-catégorie *", "Question pour une entité publique")
    page.get_by_text("Oui", exact=True).filter(visible=True).first.click()  # a State office
    type_keys(page, "Destinataire", "DEPARTEMENTAL finances")
    button(page, "Rechercher").filter(visible=True).first.click()
    found = feedback(page, "status", "Une seule structure correspond")
    assert_in_view(page, found)
    recipient = page.get_by_label("Structure destinataire *", exact=True)
    wait_until(lambda: "13000000000022" in recipient.input_value())
    screenshots(page, "entry-6-recipient-found")
    assert page.console_errors == []

"""The "Saisir sollicitation" state, driven in plain Python: what it offers, and where each result is told."""

from __future__ import annotations

import pytest

import sollicitations as sol
from sollicitations import demo, rules
from sollicitations.status import NOTHING, Action, Actor, Status, allowed_actions
from sollicitations_ui.common import NONE, Navigation
from sollicitations_ui.entry.state import PLACES, EntryForm

from ..support.samples import PNG  # a real image: uploads are typed from their content


@pytest.fixture
def me(desk):
    return desk.as_user("fournisseur")


@pytest.fixture
def form(me):
    f = EntryForm(me, Navigation())
    f.new()
    return f


def fill_question(form, structure=demo.LOGES_DU_GREL):
    """A pair that names no object and has a routed recipient: the simplest complete request."""
    pair = next(p for p in form.me.desk.catalogue.pairs
                if not p.needs_object and not p.needs_recipient and not p.formulaire_contact)  # fmt: skip
    form.param.update(categorie=pair.categorie)
    form.param.update(sous_categorie=pair.sous_categorie, structure=structure,
                      description="Pourquoi le paiement tarde-t-il ?")  # fmt: skip


def told(form) -> dict[str, tuple[list[str], str]]:
    """Every place's (errors, message) that is not empty."""
    shown = {place: (getattr(form, e), getattr(form, m)) for place, (e, m) in PLACES.items()}
    return {place: value for place, value in shown.items() if value != ([], "")}


def offered(form) -> dict[str, bool]:
    return {name: getattr(form, name) for name in
            ("editable", "can_save", "can_send", "manage_shown", "manage_enabled", "managing",
             "delete_shown", "delete_enabled", "download_enabled")}  # fmt: skip


def test_a_new_form_offers_what_the_table_allows_a_new_request(form):
    assert form.actions == allowed_actions(NOTHING, Actor.EMETTEUR)
    assert form.numero is None and form.can_save and form.can_send and form.editable
    # The attachments' buttons are there, but wait for the request to be saved (the guide's order).
    assert form.manage_shown and not form.manage_enabled
    assert form.delete_shown and not form.delete_enabled and not form.download_enabled
    assert "Enregistrez" in form.attachments_hint
    form.toggle_management()
    assert not form.managing
    assert told(form) == {}


def test_errors_in_french_replace_earlier_ones(form):
    form.send()
    first = form.errors
    assert {rules.CATEGORIE_OBLIGATOIRE, rules.STRUCTURE_OBLIGATOIRE, rules.DESCRIPTION_OBLIGATOIRE} <= set(first)
    assert told(form) == {"form": (first, "")} and form.numero is None and form.confirmation == ""
    fill_question(form)
    form.description = ""
    form.send()
    assert form.errors == [rules.DESCRIPTION_OBLIGATOIRE]  # the older ones are gone, not stacked
    form.description = "Pourquoi le paiement tarde-t-il ?"
    form.save()
    assert form.errors == [] and "est enregistrée" in form.message


def test_the_same_errors_told_twice_are_told_again(form):
    """A second click with the same mistake must be seen again: the feedback is emptied, then set."""
    form.send()
    seen = []
    form.param.watch(lambda e: seen.append(list(e.new)), "errors")
    form.send()
    assert seen == [[], form.errors] and form.errors


def test_save_makes_a_draft_and_offers_its_actions(form, me):
    fill_question(form)
    form.save()
    numero = form.numero
    assert numero is not None
    assert told(form) == {"form": ([], f"La sollicitation n° {numero} est enregistrée au statut « Brouillon ».")}
    assert form.statut == Status.BROUILLON.short_label
    assert form.actions == me.actions(numero)
    assert form.can_save and form.can_send and form.editable
    assert form.manage_shown and form.manage_enabled
    # No attachment yet: nothing to delete nor to download.
    assert form.delete_shown and not form.delete_enabled and not form.download_enabled
    assert form.attachments_hint == ""
    assert form.navigation.revision == 1


def test_the_management_block_is_a_state_that_opens_and_closes(form):
    fill_question(form)
    form.save()
    assert not form.managing
    form.toggle_management()
    assert form.managing
    form.toggle_management()
    assert not form.managing
    form.toggle_management()
    form.close_management()  # "Retour"
    assert not form.managing


def test_attachments_are_told_in_their_block(form):
    fill_question(form)
    form.save()
    form.toggle_management()
    form.add_attachments({})
    assert told(form) == {"attachments": (["Choisissez d'abord un fichier avec « Parcourir... »"], "")}
    form.add_attachments({"capture.png": PNG})
    assert told(form) == {"attachments": ([], "1 pièce(s) jointe(s) ajoutée(s).")}  # the save's message is gone
    assert len(form.attachments) == 1 and form.delete_enabled and form.download_enabled and form.managing
    name, data = form.attachments_file()
    assert (name, data.read()) == ("capture.png", PNG)
    form.add_attachments({"programme.exe": b"MZ\x90\x00"})
    errors, message = form.attachment_errors, form.attachment_message
    assert errors and message == "" and all(isinstance(e, str) for e in errors)
    form.delete_attachments()  # nothing ticked
    assert form.attachment_errors == ["Cochez dans le tableau les pièces jointes à supprimer"]
    form.selected_attachments = form.attachments["id"].tolist()
    form.delete_attachments()
    assert told(form) == {"attachments": ([], "1 pièce(s) jointe(s) supprimée(s).")}
    assert form.attachments.empty and not form.delete_enabled and not form.download_enabled
    assert form.attachments_file() is None


def test_send_ends_on_the_confirmation_with_the_number(form, me):
    fill_question(form)
    form.save()
    form.toggle_management()
    form.add_attachments({"capture.png": PNG})
    numero = form.numero
    form.send()
    assert form.sent == numero
    assert f"n° {numero}" in form.confirmation and "a été envoyée" in form.confirmation
    assert told(form) == {"form": ([], f"La sollicitation n° {numero} a été envoyée.")}
    assert form.statut == Status.ENVOYEE.short_label
    # Sent: no entry action is offered any more, the open management block is closed.
    assert form.actions == me.actions(numero)
    assert not any(a in form.actions for a in (Action.SUBMIT, Action.UPDATE_DRAFT, Action.ADD_ATTACHMENT))
    assert offered(form) == {"editable": False, "can_save": False, "can_send": False, "manage_shown": False,
                             "manage_enabled": False, "managing": False, "delete_shown": False,
                             "delete_enabled": False, "download_enabled": True}  # fmt: skip
    form.toggle_management()
    assert not form.managing
    form.close_confirmation()  # "Fermer"
    assert form.confirmation == ""
    form.new()  # "Saisir une nouvelle sollicitation" stays
    assert form.can_send and form.numero is None and told(form) == {}


def test_a_new_request_sent_at_once_has_its_confirmation(form):
    fill_question(form)
    form.send()
    assert form.numero is not None and f"n° {form.numero}" in form.confirmation and not form.can_send


def readable_numbers(desk, me) -> list[int]:
    numbers = desk.store.query_df("SELECT numero FROM sollicitations ORDER BY numero")["numero"].tolist()
    readable = []
    for n in numbers:
        try:
            me.get(int(n))
        except sol.SollicitationError:
            continue
        readable.append(int(n))
    return readable


@pytest.mark.parametrize("login", ["fournisseur", "dupont"])
def test_every_request_loaded_offers_exactly_its_actions(desk, login):
    """Whatever the status, the entry buttons follow UserDesk.actions(n): derived, not listed here."""
    me = desk.as_user(login)
    form = EntryForm(me, Navigation())
    statuses = set()
    for numero in readable_numbers(desk, me):
        form.load(numero)
        actions = me.actions(numero)
        statuses.add(me.get(numero)["statut"])
        has_files = not form.attachments.empty
        assert offered(form) == {
            "editable": Action.UPDATE_DRAFT in actions, "can_save": Action.UPDATE_DRAFT in actions,
            "can_send": Action.SUBMIT in actions, "manage_shown": Action.ADD_ATTACHMENT in actions,
            "manage_enabled": Action.ADD_ATTACHMENT in actions, "managing": False,
            "delete_shown": Action.DELETE_ATTACHMENT in actions,
            "delete_enabled": Action.DELETE_ATTACHMENT in actions and has_files, "download_enabled": has_files,
        }, (numero, actions)  # fmt: skip
    if login == "fournisseur":
        assert len(statuses) > 2, statuses  # the demo gives this supplier several statuses to walk


def pick_recipient_pair(form):
    pair = next(p for p in form.me.desk.catalogue.pairs if p.needs_recipient)
    form.param.update(categorie=pair.categorie)
    form.sous_categorie = pair.sous_categorie
    assert form.needs_recipient


def test_structure_search_selects_a_single_match(form):
    pick_recipient_pair(form)
    form.destinataire_recherche = "PUBLIQUE test"
    form.find_recipients()
    assert form.destinataire == demo.STRUCTURE_PUBLIQUE_TEST
    single = f"Une seule structure correspond : {demo.STRUCTURE_PUBLIQUE_TEST} - STRUCTURE PUBLIQUE test."
    assert told(form) == {"recipient": ([], f"{single} Elle est sélectionnée.")}
    assert "Service des factures publiques" in form.param.service_destinataire.names


@pytest.mark.parametrize("text", ["departemental", "DÉPARTEMENTAL", "tic finances", "13000000000022"])
def test_structure_search_ignores_case_accents_and_order(form, text):
    pick_recipient_pair(form)
    form.destinataire_etat = True  # a State office
    form.destinataire_recherche = text
    form.find_recipients()
    assert form.destinataire == demo.FINANCES_TIC


def test_structure_search_several_or_none(form):
    pick_recipient_pair(form)
    form.destinataire_etat = True
    form.destinataire_recherche = "SERVICE"
    form.find_recipients()
    several = [v for v in form.param.destinataire.names.values() if v != NONE]
    assert len(several) > 1 and form.destinataire == NONE
    assert form.recipient_message.startswith(f"{len(several)} structures correspondent")
    form.destinataire_recherche = "introuvable"
    form.find_recipients()
    assert told(form) == {"recipient": (["Aucune structure publique ne correspond à cette recherche"], "")}
    assert form.destinataire == NONE


def test_the_etat_answer_filters_the_search(form):
    pick_recipient_pair(form)
    form.destinataire_etat = True
    form.destinataire_recherche = "publique test"
    form.find_recipients()
    assert form.recipient_errors == ["Aucune structure publique ne correspond à cette recherche"]


def test_a_draft_opened_after_another_keeps_nothing_of_it(form):
    """Draft A had a recipient; draft B, of a pair that needs one, has none yet: B shows none, and saving
    B does not give it A's recipient."""
    pick_recipient_pair(form)
    form.destinataire_recherche = "PUBLIQUE test"
    form.find_recipients()
    form.param.update(structure=demo.LOGES_DU_GREL, description="Premier brouillon.")
    form.save()
    first = form.numero
    form.new()
    pick_recipient_pair(form)
    form.param.update(structure=demo.LOGES_DU_GREL, description="Second brouillon, sans destinataire.")
    form.save()
    second = form.numero
    form.load(first)
    assert form.destinataire == demo.STRUCTURE_PUBLIQUE_TEST
    form.load(second)
    assert (form.destinataire, form.destinataire_recherche, form.managing) == (NONE, "", False)
    form.save()
    assert form.me.get(second)["destinataire"] is None

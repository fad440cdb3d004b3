""" "Consulter" without a browser: the Detail state is a function of (user, request status, open block).

Cases come from the package: the demo's logins, every request each can read, `UserDesk.actions(n)`
and the TRANSITIONS table; a new role, status or transition is covered without editing this file.
"""

from __future__ import annotations

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import TRANSITIONS, Action, Status
from sollicitations_ui.common import Navigation
from sollicitations_ui.detail.state import (
    ATTACHMENT_CONTROLS,
    BLOCKS,
    BUTTONS,
    DOWNLOAD,
    DRAFT_ACTIONS,
    Detail,
    labels_for,  # fmt: skip
)

LOGINS = [login for login, *_ in demo.USERS]
READ_ONLY = {"lecteur", "gestionnaire"}  # no habilitation with the right to modify


def readable(me: sol.UserDesk) -> list[dict]:
    """Every request of the demo world `me` may read, as `get` gives it."""
    found = []
    for numero in range(1, me.desk.store.count_sollicitations() + 1):
        try:
            found.append(me.get(numero))
        except sol.SollicitationError:
            continue
    return found


def detail_for(desk, login: str) -> Detail:
    return Detail(desk.as_user(login), Navigation())


def test_every_action_of_the_table_has_its_place_on_a_screen():
    """A transition added to TRANSITIONS must get a button, an attachment control, or be a draft's."""
    by_button = {a for b in BUTTONS for a in b.actions}
    for status, action, _actor in TRANSITIONS:
        if status is None:
            continue  # creating a request: "Saisir sollicitation"
        assert action in by_button or action in ATTACHMENT_CONTROLS or action in DRAFT_ACTIONS, action
    assert not by_button & DRAFT_ACTIONS and not by_button & set(ATTACHMENT_CONTROLS)
    assert {b.mode for b in (*BUTTONS, DOWNLOAD)} - {None} == set(BLOCKS)


def test_nothing_is_offered_with_no_request_open(desk):
    for login in LOGINS:
        d = detail_for(desk, login)
        assert d.buttons == [] and d.mode == "" and not d.can_add_attachment and not d.can_delete_attachment
        d.press("Répondre")
        assert d.mode == "" and d.errors and "pas possible" in d.errors[0]


@pytest.mark.parametrize("login", LOGINS)
def test_buttons_are_what_the_desk_allows(desk, login):
    me = desk.as_user(login)
    requests = readable(me)
    assert requests, f"{login} reads no request of the demo world"
    d = Detail(me, Navigation())
    for data in requests:
        n = data["numero"]
        actions = me.actions(n)
        assert d.open(n) and d.mode == "" and d.errors == [] and d.message == ""
        # The draft's actions are those of "Saisir sollicitation"; the others are buttons here.
        expected = sorted({Action(a).label for a in actions if a not in DRAFT_ACTIONS and a not in ATTACHMENT_CONTROLS})
        assert sorted(set(d.buttons) - {DOWNLOAD.label}) == expected == sorted(labels_for(actions)), (login, n)
        assert d.buttons[-1] == DOWNLOAD.label, "every reader may download the detail"
        assert d.can_add_attachment == (Action.ADD_ATTACHMENT in actions)
        assert d.can_delete_attachment == (Action.DELETE_ATTACHMENT in actions)
        if login in READ_ONLY:
            assert d.buttons == [DOWNLOAD.label] and not d.can_add_attachment, (login, n)
        if data["statut"] == Status.FERMEE:
            assert d.buttons == [DOWNLOAD.label], (login, n)


@pytest.mark.parametrize("login", LOGINS)
def test_each_button_opens_its_block_and_annuler_closes_it(desk, login):
    me = desk.as_user(login)
    d = Detail(me, Navigation())
    for data in readable(me):
        d.open(data["numero"])
        offered = list(d.buttons)
        for button in (*BUTTONS, DOWNLOAD):
            if button.label not in offered or button.mode is None:
                continue
            d.press(button.label)
            assert d.mode == button.mode and d.buttons == [] and d.errors == []
            assert d.block_title == BLOCKS[button.mode][0]
            # Only one block at a time: another start replaces it.
            d.start("telechargement")
            assert d.mode == "telechargement"
            d.cancel()
            assert d.mode == "" and d.buttons == offered, "the buttons come back when the block closes"


def test_the_options_of_download_close_and_the_buttons_come_back(fournisseur):
    d = Detail(fournisseur, Navigation())
    d.open(4)  # "Informations complémentaires requises": complement and closing offered
    before = list(d.buttons)
    assert before == ["Clôturer", "Ajouter complément d'information", "Télécharger détail"]
    d.press("Télécharger détail")
    assert d.mode == "telechargement" and d.buttons == []
    assert d.pdf(False).getvalue().startswith(b"%PDF")
    d.cancel()
    assert d.buttons == before


def test_validating_a_block_with_nothing_typed_says_why_in_french(desk):
    cases = []
    for login in LOGINS:
        me = desk.as_user(login)
        for data in readable(me):
            d = Detail(me, Navigation())
            d.open(data["numero"])
            for button in BUTTONS:
                if button.label in d.buttons and button.mode is not None:
                    cases.append((login, data["numero"], button))
    assert {b.mode for *_, b in cases} == {b.mode for b in BUTTONS if b.mode}, "every block is tried"
    for login, n, button in cases:
        d = detail_for(desk, login)
        d.open(n)
        d.press(button.label)
        d.validate()
        assert d.mode == button.mode, "a refused block stays open with what was typed"
        assert d.errors and d.message == ""
        assert all(e.startswith(("Le ", "La ", "Les ", "Veuillez")) for e in d.errors), d.errors
        assert d.data["statut"] == Status(desk.as_user(login).get(n)["statut"])


def test_a_success_closes_the_block_says_the_number_and_replaces_the_error(destinataire):
    nav = Navigation()
    d = Detail(destinataire, nav)
    d.open(8)
    d.press("Répondre")
    d.validate()
    assert d.errors == ["Le commentaire est obligatoire"]
    d.texte = "La facture est en paiement."
    d.validate()
    assert d.mode == "" and d.errors == [] and "n° 8" in d.message and nav.revision == 1
    assert d.data["statut"] == Status.REPONDUE
    assert d.buttons == labels_for(destinataire.actions(8)) + [DOWNLOAD.label]
    d.open(2)
    assert d.message == "", "opening another request forgets the message of the last action"


def test_take_in_charge_acts_at_once(support):
    d = Detail(support, Navigation())
    sent = next(r["numero"] for r in readable(support) if Action.TAKE_IN_CHARGE in r["actions"])
    d.open(sent)
    d.press("Prendre en charge")
    assert d.mode == "" and d.data["statut"] == Status.EN_COURS
    assert d.message == f"Vous avez pris en charge la sollicitation n° {sent}."
    assert "Prendre en charge" not in d.buttons


def test_closing_asks_about_the_response_only_once_answered(fournisseur):
    d = Detail(fournisseur, Navigation())
    d.open(2)  # "Répondue"
    d.press("Clôturer")
    assert d.asks_resolution
    d.param.update(resolue=False, rouvrir=True, commentaire="La facture rectificative a été rejetée.")
    d.validate()
    assert d.message == "La sollicitation n° 2 est renvoyée au destinataire." and d.data["statut"] == Status.ENVOYEE
    d.open(5)  # "Envoyée": closed early, no question about the response
    d.press("Clôturer")
    assert not d.asks_resolution
    d.commentaire = "La question n'est plus d'actualité."
    d.validate()
    assert d.message == "La sollicitation n° 5 est fermée." and d.data["statut"] == Status.FERMEE
    assert d.buttons == [DOWNLOAD.label]


def test_complement_goes_with_the_files_chosen(fournisseur):
    d = Detail(fournisseur, Navigation())
    d.open(4)
    d.press("Ajouter complément d'information")
    d.complement = "Voici le bon de commande."
    d.validate({"bon.exe": b"MZ"})
    assert d.mode == "complement" and d.errors, "a refused file stops the complement"
    assert d.data["statut"] == Status.INFORMATIONS_REQUISES
    d.validate({"bon-de-commande.pdf": b"%PDF-1.4\n"})
    assert d.errors == [] and d.data["statut"] == Status.ENVOYEE and "n° 4" in d.message
    assert "bon-de-commande.pdf" in set(d.data["pieces_jointes"]["Nom du fichier"])
    assert not d.can_add_attachment, "Envoyée: the emitter may no longer attach"


def test_attachments_added_and_deleted_where_allowed(destinataire):
    d = Detail(destinataire, Navigation())
    d.open(8)
    assert d.can_add_attachment and d.can_delete_attachment and d.attachment_count == 0
    d.add_attachments({})
    assert d.errors == ["Veuillez choisir un fichier à joindre"]
    d.add_attachments({"note.pdf": b"%PDF-1.4\n"})
    assert d.errors == [] and d.attachment_count == 1 and "1 pièce(s) jointe(s) ajoutée(s)" in d.message
    d.delete_attachments()
    assert d.errors == ["Veuillez cocher les pièces jointes à supprimer"] and d.message == ""
    d.selected_attachments = [int(d.data["pieces_jointes"]["id"].iloc[0])]
    d.delete_attachments()
    assert d.errors == [] and d.attachment_count == 0 and d.selected_attachments == []


def test_an_unreadable_request_opens_nothing(desk):
    d = detail_for(desk, "dupont")
    assert not d.open(1)
    assert d.data is None and d.buttons == [] and d.errors


def test_a_refused_complement_stores_none_of_its_files(fournisseur):
    """An empty complement is refused before its files are stored: clicking again adds nothing twice."""
    d = Detail(fournisseur, Navigation())
    d.open(4)
    before = len(d.data["pieces_jointes"])
    d.press("Ajouter complément d'information")
    d.validate({"bon-de-commande.pdf": b"%PDF-1.4\n"})
    assert d.errors and d.mode == "complement"
    assert len(fournisseur.attachments(4)) == before
    d.complement = "Voici le bon de commande."
    d.validate({"bon-de-commande.pdf": b"%PDF-1.4\n"})
    assert d.errors == [] and len(fournisseur.attachments(4)) == before + 1

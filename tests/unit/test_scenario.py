"""The guide's whole story through the Python API: draft, attachment, send, take in charge, request
for information, complement, response, "not satisfied" and reopened, response, closed satisfied."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from sollicitations import demo
from sollicitations.status import Action, Status


class Clock:
    """A clock that moves one hour at each reading, so that every step has its own date."""

    def __init__(self):
        self.now = datetime(2026, 11, 3, 9, 0)

    def __call__(self):
        self.now += timedelta(hours=1)
        return self.now


@pytest.fixture
def clock(desk):
    desk.clock = Clock()
    return desk.clock


def numbers(frame):
    return frame["Numéro de la sollicitation"].tolist()


def test_the_guides_scenario(desk, clock):
    me, agent = desk.as_user("fournisseur"), desk.as_user("destinataire")
    name = {login: desk.user(login).display_name for login in ("fournisseur", "destinataire")}
    steps = []  # (login, action, old status, new status), as we go

    def step(login, action, old, new):
        steps.append((name[login], action, old, new))
        assert desk.store.sollicitation(n)["statut"] == new.value

    # 1. "Enregistrer": a draft, then a file, which needs a saved request.
    n = me.save_draft(
        categorie="Factures émises",
        sous_categorie="Erreur dans les éléments de facturation",
        structure=demo.REC201FOURNISSEUR,
        service="service_fournisseur",
        type_objet="Facture",
        numero_objet="QUAL_00000000007215",
        email="gest_four@rec201.example",
        telephone="02 34 56 78 90",
        description="test sollicitation",
    )
    step("fournisseur", Action.SAVE_DRAFT, None, Status.BROUILLON)
    assert n in numbers(me.to_process())
    me.add_attachment(n, "PJ-Sollicitation.pdf", b"%PDF-1.4 facture", designation="PJ-Sollicitation")
    step("fournisseur", Action.ADD_ATTACHMENT, Status.BROUILLON, Status.BROUILLON)
    assert n not in numbers(agent.to_process())  # a draft is not received

    # 2. "Valider et envoyer": routed to the invoice's recipient.
    me.submit(n)
    step("fournisseur", Action.SUBMIT, Status.BROUILLON, Status.ENVOYEE)
    assert (
        desk.store.sollicitation(n)["destinataire_id"]
        == desk.store.objet("facture", "QUAL_00000000007215")["destinataire_id"]
    )
    assert n not in numbers(me.to_process())  # "Envoyée" leaves the Synthèse
    assert n in numbers(agent.to_process())

    # 3. The receiver takes it in charge and asks for more.
    agent.take_in_charge(n)
    step("destinataire", Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS)
    assert me.get(n)["assigne_a"] == name["destinataire"]
    question = "Veuillez joindre à votre facture la copie du marché"
    agent.request_information(n, question)
    step("destinataire", Action.REQUEST_INFORMATION, Status.EN_COURS, Status.INFORMATIONS_REQUISES)
    waiting = me.to_process()
    assert waiting.loc[waiting["Numéro de la sollicitation"] == n, "Statut sollicitation"].tolist() == [
        "Informations compl. requises"
    ]
    assert [c["texte"] for c in me.get(n)["commentaires"]] == [question]
    assert Action.ADD_COMPLEMENT in me.get(n)["actions"]

    # 4. The complement, with a file: back to the receiver, flagged as re-sent.
    me.add_attachment(n, "copie-du-marche.pdf", b"%PDF-1.4 marche")
    step("fournisseur", Action.ADD_ATTACHMENT, Status.INFORMATIONS_REQUISES, Status.INFORMATIONS_REQUISES)
    complement = "Voici la copie du marché demandée."
    me.add_complement(n, complement)
    step("fournisseur", Action.ADD_COMPLEMENT, Status.INFORMATIONS_REQUISES, Status.ENVOYEE)
    received = agent.to_process()
    assert received.loc[received["Numéro de la sollicitation"] == n, "Renvoyée"].tolist() == [True]

    # 5. The response.
    answer = "Votre demande a bien été prise en compte et votre paiement sera effectif sous une quinzaine."
    agent.respond(n, answer)
    step("destinataire", Action.RESPOND, Status.ENVOYEE, Status.REPONDUE)
    assert n in numbers(me.to_process())

    # 6. "Clôturer": not resolved, reopen -> back to the receiver.
    reopen = "La réponse ne traite pas le taux de TVA de la ligne 3."
    me.close(n, resolved=False, reopen=True, comment=reopen)
    step("fournisseur", Action.REOPEN, Status.REPONDUE, Status.ENVOYEE)
    assert n in numbers(agent.to_process()) and n not in numbers(me.to_process())

    # 7. A second response.
    answer2 = "Le taux a été corrigé : un avoir vous sera adressé."
    agent.respond(n, answer2)
    step("destinataire", Action.RESPOND, Status.ENVOYEE, Status.REPONDUE)

    # 8. "Clôturer": resolved.
    thanks = "Merci, le problème est résolu."
    me.close(n, resolved=True, comment=thanks)
    step("fournisseur", Action.CLOSE_RESOLVED, Status.REPONDUE, Status.FERMEE)
    assert n not in numbers(me.to_process()) and n not in numbers(agent.to_process())
    assert me.search(statut="Fermée", numero=n)["Référence"].tolist() == [n]

    # The detail screen tells the whole story.
    detail = me.get(n)
    assert (detail["statut"], detail["resolue"], detail["renvoyee"]) == (Status.FERMEE, True, False)
    assert detail["cloturee_le"] is not None and detail["envoyee_le"] < detail["cloturee_le"]
    assert (detail["categorie"], detail["sous_categorie"], detail["type_objet"], detail["numero_objet"]) == (
        "Factures émises",
        "Erreur dans les éléments de facturation",
        "Facture",
        "QUAL_00000000007215",
    )
    assert detail["structure_libelle"] == "00000000002145 - REC201FOURNISSEUR"
    assert detail["service"] == "service_fournisseur" and detail["cree_par"] == name["fournisseur"]
    assert detail["destinataire"]["designation"] == "REC201DESTINATAIRE"
    assert detail["actions"] == []

    history = detail["historique"]
    assert list(history.columns)[:5] == ["Date", "Utilisateur", "Ancien statut", "Nouveau statut", "Commentaire"]
    shown = [
        (r["Utilisateur"], r["Action"], r["Ancien statut"], r["Nouveau statut"]) for r in history.to_dict("records")
    ]
    assert shown == [
        (who, action.value, old.short_label if old else "", new.short_label) for who, action, old, new in steps
    ]
    assert history["Date"].is_monotonic_increasing and history["Date"].is_unique
    comments = history.set_index("Action")["Commentaire"]
    assert comments["request_information"] == question and comments["add_complement"] == complement
    assert comments["reopen"] == reopen and comments["close_resolved"] == thanks

    exchange = [(c["auteur"], c["cote"], c["texte"]) for c in detail["commentaires"]]
    assert exchange == [
        (name["destinataire"], "destinataire", question),
        (name["fournisseur"], "emetteur", complement),
        (name["destinataire"], "destinataire", answer),
        (name["fournisseur"], "emetteur", reopen),
        (name["destinataire"], "destinataire", answer2),
        (name["fournisseur"], "emetteur", thanks),
    ]
    files = detail["pieces_jointes"]
    assert files["Nom du fichier"].tolist() == ["PJ-Sollicitation.pdf", "copie-du-marche.pdf"]
    assert files["Côté"].tolist() == ["emetteur", "emetteur"]
    # The receiver reads the same story.
    assert agent.get(n)["historique"].equals(history)


def test_a_visitors_request_through_the_support_desk(desk, clock):
    n = desk.contact("Connexion", "Compte bloqué", "visiteur@exemple.fr", "Mon compte est bloqué.")
    support = desk.as_user("support")
    assert n in numbers(support.to_process())
    support.take_in_charge(n)
    support.respond(n, "Votre compte est débloqué.")
    history = support.get(n)["historique"]
    assert history["Utilisateur"].tolist() == [
        "Nous contacter",
        desk.user("support").display_name,
        desk.user("support").display_name,
    ]
    assert history["Nouveau statut"].tolist() == ["Envoyée", "En cours", "Répondue"]
    assert support.search(numero=n)["Créé par"].tolist() == ["Nous contacter"]

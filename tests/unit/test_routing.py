"""Where a sent request goes, read from the stored request: the object's recipient, the finance
office, the regulation bureau, the support desk, or the structure the emitter picked."""

from __future__ import annotations

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Status

CATALOGUE = sol.load_catalogue()


def _objet(desk, type_objet, numero) -> dict:
    return desk.store.objet(type_objet, numero)


def _bureau(desk, word) -> str:
    return desk.store.bureau_structure(word)["id"]


def _recipient(desk, numero) -> tuple:
    row = desk.store.sollicitation(numero)
    return row["destinataire_id"], row["service_destinataire_id"]


OBJECTS = [
    # (emitter login, structure, category, sub-category, object type label, object number)
    (
        "fournisseur",
        demo.REC201FOURNISSEUR,
        "Factures émises",
        "Erreur dans les éléments de facturation",
        "Facture",
        "QUAL_00000000007215",
    ),
    (
        "fournisseur",
        demo.REC201FOURNISSEUR,
        "Factures émises",
        "Intérêts moratoires",
        "Facture",
        "TMP2017000000000003",
    ),  # recipient with a service
    ("fournisseur", demo.LOGES_DU_GREL, "Factures émises", "Rejet d'une facture", "Facture", "2017/640"),
    ("fournisseur", demo.REC201FOURNISSEUR, "Factures émises", "Suspension", "Facture", "BROUILLON-2018-0001"),
    ("dupont", demo.MENUISERIE_DUPONT, "Factures émises", "Délais de paiement", "Facture", "FA-2018-0457"),
    (
        "fournisseur",
        demo.REC201FOURNISSEUR,
        "Remboursement TIC",
        "Question sur une demande rejetée",
        "Demande de remboursement TIC",
        "TIC-2017-000042",
    ),
    (
        "fournisseur",
        demo.LOGES_DU_GREL,
        "Mémoires de frais de justice",
        "Question sur un mémoire",
        "Mémoire de frais de justice",
        "MFJ-2018-000017",
    ),
]


@pytest.mark.parametrize("how", ["send", "draft-then-submit"])
@pytest.mark.parametrize(
    "login, structure, categorie, sous_categorie, type_label, numero_objet", OBJECTS, ids=[o[-1] for o in OBJECTS]
)
def test_object_requests_go_to_the_objects_recipient(
    mworld, how, login, structure, categorie, sous_categorie, type_label, numero_objet
):
    desk, me = mworld.desk, mworld.user(login)
    type_code = CATALOGUE.object_type_code(type_label)
    objet = _objet(desk, type_code, numero_objet)
    values = dict(
        categorie=categorie,
        sous_categorie=sous_categorie,
        structure=structure,
        type_objet=type_label,
        numero_objet=numero_objet,
        description="Question sur l'objet.",
    )
    if how == "send":
        numero = me.send(**values)
    else:
        numero = me.save_draft(**values)
        assert _recipient(desk, numero) == (None, None)  # routed when sent, not before
        me.submit(numero)
    row = desk.store.sollicitation(numero)
    assert (row["destinataire_id"], row["service_destinataire_id"]) == (
        objet["destinataire_id"],
        objet["service_destinataire_id"],
    )
    assert (row["type_objet"], row["numero_objet"], row["objet_id"]) == (type_code, numero_objet, objet["id"])
    assert row["envoyee_le"] is not None and row["statut"] == Status.ENVOYEE.value


def test_tic_requests_go_to_the_finance_office(mworld):
    numero = mworld.new(Status.ENVOYEE, route="tic", attach=False)
    assert _recipient(mworld.desk, numero) == (demo.FINANCES_TIC, None)
    assert mworld.desk.store.structure(demo.FINANCES_TIC)["service_etat"] is True
    listed = mworld.user("agent_tic").to_process(page_size=1000)
    assert numero in listed["Numéro de la sollicitation"].tolist()


SUPPORT_PAIRS = [p for p in CATALOGUE.pairs if p.routage == "support" and not p.formulaire_contact]
BUREAU_PAIRS = [p for p in CATALOGUE.pairs if p.routage not in ("support", "objet", "choisi")]


@pytest.mark.parametrize("pair", SUPPORT_PAIRS + BUREAU_PAIRS, ids=lambda p: f"{p.categorie}/{p.sous_categorie}")
def test_pairs_routed_to_a_bureau(mworld, pair):
    me = mworld.user("fournisseur")
    numero = me.send(
        categorie=pair.categorie,
        sous_categorie=pair.sous_categorie,
        structure=demo.REC100FOURNISSEUR,
        description="Question générale.",
    )
    assert _recipient(mworld.desk, numero) == (_bureau(mworld.desk, pair.routage), None)


def test_every_bureau_word_of_the_catalogue_names_a_structure(mworld):
    for word in {p.routage for p in CATALOGUE.pairs} - {"objet", "choisi"}:
        structure = mworld.desk.store.bureau_structure(word)
        assert structure is not None and structure["publique"], word


def test_justice_expense_question_goes_to_the_regulation_bureau(mworld):
    numero = mworld.new(Status.ENVOYEE, route="bureau", attach=False)
    assert _recipient(mworld.desk, numero) == (demo.BUREAU_FRAIS_JUSTICE, None)
    assert mworld.desk.store.structure(demo.BUREAU_FRAIS_JUSTICE)["bureau"] == "frais_justice"
    assert numero in mworld.user("bureau_fj").to_process(page_size=1000)["Numéro de la sollicitation"].tolist()


@pytest.mark.parametrize(
    "destinataire, service",
    [
        (demo.STRUCTURE_PUBLIQUE_TEST, None),
        (demo.STRUCTURE_PUBLIQUE_TEST, "factures_publiques"),
        (demo.STRUCTURE_PUBLIQUE_TEST, "Service des factures publiques"),
        (demo.REC201DESTINATAIRE, "comptabilite"),
        (demo.COUR_APPEL, None),
    ],
)
def test_chosen_recipient_and_optional_service(mworld, destinataire, service):
    me = mworld.user("fournisseur")
    numero = me.send(
        categorie="Factures émises",
        sous_categorie="Question pour une entité publique",
        structure=demo.REC201FOURNISSEUR,
        destinataire=destinataire,
        service_destinataire=service,
        description="Question générale.",
    )
    expected_service = None
    if service is not None:
        expected_service = mworld.desk.store.find_service(destinataire, service)["id"]
    assert _recipient(mworld.desk, numero) == (destinataire, expected_service)
    detail = me.get(numero)
    assert detail["destinataire"]["id"] == destinataire
    if service is not None:
        assert detail["service_destinataire"] == mworld.desk.store.service(expected_service)["libelle"]


def test_a_chosen_recipient_never_sees_the_draft(mworld):
    numero = mworld.new(Status.BROUILLON, attach=False)  # "own": Question pour une entité publique
    assert _recipient(mworld.desk, numero)[0] == demo.REC201DESTINATAIRE  # kept with the draft
    agent = mworld.user("destinataire")
    with pytest.raises(sol.PermissionDenied):
        agent.get(numero)
    assert agent.search(numero=numero).attrs["total"] == 0
    mworld.emitter().submit(numero)
    assert agent.search(numero=numero).attrs["total"] == 1


def test_transfer_to_support_reroutes(mworld):
    numero = mworld.new(Status.EN_COURS, route="facture", attach=False)
    agent = mworld.user("destinataire")
    agent.transfer_to_support(numero, "Question hors du périmètre de la structure.")
    row = mworld.desk.store.sollicitation(numero)
    assert (row["destinataire_id"], row["service_destinataire_id"], row["assigne_a"], row["statut"]) == (
        _bureau(mworld.desk, "support"),
        None,
        None,
        Status.ENVOYEE.value,
    )
    with pytest.raises(sol.PermissionDenied):
        agent.get(numero)
    assert numero in mworld.user("support").to_process(page_size=1000)["Numéro de la sollicitation"].tolist()


def test_search_structures_offers_public_structures_only(mworld):
    desk = mworld.desk
    found = desk.search_structures("")
    publics = desk.store.query_df("SELECT id FROM structures WHERE publique ORDER BY id")["id"].tolist()
    assert sorted(found["Identifiant"]) == publics
    assert not set(found["Identifiant"]) & {demo.REC201FOURNISSEUR, demo.MENUISERIE_DUPONT}
    state = desk.search_structures("", etat=True)
    assert set(state["Identifiant"]) == set(
        desk.store.query_df("SELECT id FROM structures WHERE publique AND service_etat")["id"]
    )
    assert desk.search_structures("PUBLIQUE test")["Identifiant"].tolist() == [demo.STRUCTURE_PUBLIQUE_TEST]
    assert desk.search_structures("%")["Identifiant"].tolist() == []  # LIKE wildcards are plain text


# -- "Nous contacter" ----------------------------------------------------------------------------

CONTACT_PAIRS = [p for p in CATALOGUE.pairs if p.formulaire_contact]


@pytest.mark.parametrize("pair", CONTACT_PAIRS, ids=lambda p: f"{p.categorie}/{p.sous_categorie}")
def test_contact_requests_go_to_the_support_desk(mworld, pair):
    numero = mworld.desk.contact(pair.categorie, pair.sous_categorie, "visiteur@exemple.fr", "Bonjour.")
    row = mworld.desk.store.sollicitation(numero)
    assert (row["destinataire_id"], row["emetteur_id"], row["cree_par"], row["contact"], row["statut"]) == (
        _bureau(mworld.desk, "support"),
        None,
        None,
        True,
        Status.ENVOYEE.value,
    )
    history = mworld.desk.store.history(numero)
    assert [(h["ancien_statut"], h["nouveau_statut"], h["login"]) for h in history] == [
        (None, Status.ENVOYEE.value, None)
    ]


def test_contact_requests_never_reach_an_emitters_lists(desk):
    """Contact requests have numbers and go to support; no emitter's list, search or dashboard counts them."""
    numeros = [desk.contact(p.categorie, p.sous_categorie, "visiteur@exemple.fr", "Bonjour.") for p in CONTACT_PAIRS]
    assert len(set(numeros)) == len(numeros)
    every_status = [s.value for s in Status]
    raw = desk.store.query_df("SELECT * FROM sollicitations")
    emitters = desk.store.query_df("SELECT DISTINCT login FROM habilitations WHERE role = 'emetteur'")
    assert len(emitters) >= 2
    for login in emitters["login"]:
        user = desk.as_user(login)
        listed = set(user.to_process(page_size=1000, space="emises")["Numéro de la sollicitation"])
        found = user.search(statut=every_status, page_size=1000, space="emises")
        assert not listed & set(numeros) and not set(found["Référence"]) & set(numeros), login
        own = raw[raw["emetteur_id"].isin(user.user.emitter_structures)]
        assert found.attrs["total"] == len(own), login
        assert int(user.dashboard(space="emises").drop(columns="Emetteur").to_numpy().sum()) == len(own), login
        for numero in numeros:
            with pytest.raises(sol.PermissionDenied):
                user.get(numero)
    support = desk.as_user("support")
    received = set(support.search(statut=every_status, page_size=1000)["Référence"])
    assert set(numeros) <= received
    table = support.dashboard()
    assert table.loc[_bureau(desk, "support"), Status.ENVOYEE.short_label] == len(
        raw[(raw["destinataire_id"] == _bureau(desk, "support")) & (raw["statut"] == "envoyee")]
    )
    # The list shows where it comes from.
    line = support.search(numero=numeros[0])
    assert line["Créé par"].tolist() == ["Nous contacter"]
    assert pd.isna(raw.loc[raw["numero"] == numeros[0], "emetteur_id"]).all()

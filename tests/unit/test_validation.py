"""Every validation message, reached through the entry points a user has (save_draft, send, submit,
update_draft, contact, the exchange actions), and the promise that a refused attempt writes nothing."""

from __future__ import annotations

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo, rules
from sollicitations.status import COMMENT_REQUIRED, TRANSITIONS, Actor, Status

from .conftest import nothing_changes

SUPPORT_FORM = dict(
    categorie="Factures émises",
    sous_categorie="Mandat de facturation",
    structure=demo.REC201FOURNISSEUR,
    description="Comment déclarer un mandat ?",
)
OBJECT_FORM = dict(
    categorie="Factures émises",
    sous_categorie="Rejet d'une facture",
    structure=demo.REC201FOURNISSEUR,
    type_objet="Facture",
    numero_objet="QUAL_00000000007215",
    description="Pourquoi ce rejet ?",
)
CHOSEN_FORM = dict(
    categorie="Factures émises",
    sous_categorie="Question pour une entité publique",
    structure=demo.REC201FOURNISSEUR,
    destinataire=demo.REC201DESTINATAIRE,
    description="Quelles pièces joindre ?",
)
TIC_FORM = dict(
    categorie="Remboursement TIC",
    sous_categorie="Question sur une demande rejetée",
    structure=demo.REC201FOURNISSEUR,
    type_objet="Demande de remboursement TIC",
    numero_objet="TIC-2017-000042",
    description="Pourquoi ce rejet ?",
)


def refused(desk, call, *expected, numero=None, exact=False) -> list[str]:
    """`call` raises ValidationError carrying `expected` (all of them, and only them if `exact`),
    and leaves every table, and the request `numero`, as they were."""
    numeros = () if numero is None else (numero,)
    with nothing_changes(desk, *numeros), pytest.raises(sol.ValidationError) as info:
        call()
    messages = info.value.messages
    assert isinstance(messages, list) and all(isinstance(m, str) and m for m in messages)
    assert str(info.value) == "\n".join(messages)
    for message in expected:
        assert message in messages, f"{message!r} not in {messages!r}"
    if exact:
        assert sorted(messages) == sorted(expected)
    return messages


@pytest.fixture
def me(mworld):
    return mworld.user("fournisseur")


def form(base: dict, **changes) -> dict:
    return {**base, **changes}


# -- the guide's own words -------------------------------------------------------------------------


def test_the_guides_messages_are_verbatim():
    assert rules.TYPE_OBJET_OBLIGATOIRE == "Le type d'objet est obligatoire"
    assert rules.NUMERO_OBLIGATOIRE == "Le numéro est obligatoire"
    assert rules.NUMERO_INCONNU == "Le numéro indiqué ne correspond à aucune demande de paiement"


# -- mandatory fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, message",
    [
        ("categorie", rules.CATEGORIE_OBLIGATOIRE),
        ("sous_categorie", rules.SOUS_CATEGORIE_OBLIGATOIRE),
        ("structure", rules.STRUCTURE_OBLIGATOIRE),
        ("description", rules.DESCRIPTION_OBLIGATOIRE),
    ],
)
@pytest.mark.parametrize("blank", [None, "", "   \n\t "], ids=["none", "empty", "spaces"])
def test_mandatory_field_at_send(mworld, me, field, message, blank):
    refused(mworld.desk, lambda: me.send(**form(SUPPORT_FORM, **{field: blank})), message, exact=True)


@pytest.mark.parametrize(
    "field, message",
    [
        ("categorie", rules.CATEGORIE_OBLIGATOIRE),
        ("sous_categorie", rules.SOUS_CATEGORIE_OBLIGATOIRE),
        ("structure", rules.STRUCTURE_OBLIGATOIRE),
    ],
)
def test_mandatory_field_of_a_draft(mworld, me, field, message):
    refused(mworld.desk, lambda: me.save_draft(**form(SUPPORT_FORM, **{field: None})), message, exact=True)


def test_no_category_at_all_gives_both_messages(mworld, me):
    refused(
        mworld.desk,
        lambda: me.send(**form(SUPPORT_FORM, categorie=None, sous_categorie=None)),
        rules.CATEGORIE_OBLIGATOIRE,
        rules.SOUS_CATEGORIE_OBLIGATOIRE,
        exact=True,
    )


def test_a_draft_needs_no_description_but_sending_it_does(mworld, me):
    numero = me.save_draft(**form(SUPPORT_FORM, description=None))
    assert mworld.status(numero) == Status.BROUILLON
    refused(mworld.desk, lambda: me.submit(numero), rules.DESCRIPTION_OBLIGATOIRE, numero=numero, exact=True)
    me.submit(numero, description="Complétée avant l'envoi.")
    assert mworld.status(numero) == Status.ENVOYEE


def test_update_draft_rechecks_the_whole_form(mworld, me):
    numero = me.save_draft(**SUPPORT_FORM)
    refused(mworld.desk, lambda: me.update_draft(numero, categorie=None), rules.CATEGORIE_OBLIGATOIRE, numero=numero)
    refused(
        mworld.desk,
        lambda: me.update_draft(numero, email="pas-une-adresse"),
        rules.EMAIL_INVALIDE,
        numero=numero,
        exact=True,
    )
    me.update_draft(numero, email="compta@fournisseur.example")
    assert mworld.desk.store.sollicitation(numero)["email"] == "compta@fournisseur.example"
    assert mworld.desk.store.sollicitation(numero)["description"] == SUPPORT_FORM["description"]


def test_unknown_category_and_sub_category(mworld, me):
    refused(
        mworld.desk,
        lambda: me.send(**form(SUPPORT_FORM, categorie="Factures inventées")),
        rules.CATEGORIE_INCONNUE,
        exact=True,
    )
    # "Autre" exists, but under "Factures reçues".
    refused(
        mworld.desk,
        lambda: me.send(**form(SUPPORT_FORM, sous_categorie="Autre")),
        rules.SOUS_CATEGORIE_INCONNUE,
        exact=True,
    )


# -- object pairs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing, messages",
    [
        (("type_objet",), [rules.TYPE_OBJET_OBLIGATOIRE]),
        (("numero_objet",), [rules.NUMERO_OBLIGATOIRE]),
        (("type_objet", "numero_objet"), [rules.TYPE_OBJET_OBLIGATOIRE, rules.NUMERO_OBLIGATOIRE]),
    ],
    ids=["type", "numero", "both"],
)
def test_object_fields_are_mandatory_when_sending(mworld, me, missing, messages):
    values = form(OBJECT_FORM, **{k: None for k in missing})
    refused(mworld.desk, lambda: me.send(**values), *messages, exact=True)
    # A draft may wait for them; sending it may not.
    numero = me.save_draft(**values)
    refused(mworld.desk, lambda: me.submit(numero), *messages, numero=numero, exact=True)
    assert mworld.status(numero) == Status.BROUILLON


@pytest.mark.parametrize(
    "values",
    [
        dict(numero_objet="FAC-QUI-N-EXISTE-PAS"),  # unknown number
        dict(numero_objet="TIC-2017-000042"),  # exists, but as a TIC refund
        dict(numero_objet="FA-2018-0457"),  # Menuiserie Dupont's invoice
        dict(numero_objet="2017/640"),  # LES LOGES DU GREL's invoice
        dict(structure=demo.LOGES_DU_GREL, numero_objet="QUAL_00000000007215"),  # REC201's, from LOGES
    ],
    ids=["unknown", "other-type", "other-supplier", "own-other-structure", "from-other-structure"],
)
@pytest.mark.parametrize("entry", ["send", "save_draft"])
def test_number_matching_no_payment_request(mworld, me, values, entry):
    call = getattr(me, entry)
    refused(mworld.desk, lambda: call(**form(OBJECT_FORM, **values)), rules.NUMERO_INCONNU, exact=True)


def test_number_of_the_wrong_type_for_a_tic_pair(mworld, me):
    # QUAL_... is an invoice: it is no TIC refund request.
    refused(
        mworld.desk,
        lambda: me.send(**form(TIC_FORM, numero_objet="QUAL_00000000007215")),
        rules.NUMERO_INCONNU,
        exact=True,
    )


@pytest.mark.parametrize("type_objet", ["Demande de remboursement TIC", "Bon de commande"])
def test_object_type_not_the_pairs(mworld, me, type_objet):
    refused(
        mworld.desk, lambda: me.send(**form(OBJECT_FORM, type_objet=type_objet)), rules.TYPE_OBJET_INCORRECT, exact=True
    )


@pytest.mark.parametrize("type_objet", ["Facture", "facture"], ids=["label", "code"])
def test_object_type_by_label_or_code(mworld, me, type_objet):
    numero = me.send(**form(OBJECT_FORM, type_objet=type_objet))
    assert mworld.desk.store.sollicitation(numero)["type_objet"] == "facture"


def test_an_object_on_a_pair_without_object(mworld, me):
    refused(
        mworld.desk,
        lambda: me.send(**form(SUPPORT_FORM, type_objet="Facture", numero_objet="QUAL_00000000007215")),
        rules.OBJET_NON_ATTENDU,
        exact=True,
    )


def _objet(desk, numero):
    return desk.store.query_df("SELECT * FROM objets WHERE numero = ?", [numero]).iloc[0]


def test_draft_invoice_without_recipient_cannot_be_sent(mworld, me):
    objet = _objet(mworld.desk, "BROUILLON-2018-0002")
    assert objet["statut"] == "brouillon" and pd.isna(objet["destinataire_id"])
    values = form(OBJECT_FORM, numero_objet="BROUILLON-2018-0002")
    messages = refused(mworld.desk, lambda: me.send(**values), rules.BROUILLON_SANS_DESTINATAIRE, exact=True)
    assert "Brouillon" in messages[0] and "destinataire" in messages[0]
    numero = me.save_draft(**values)  # a draft may name it...
    refused(mworld.desk, lambda: me.submit(numero), rules.BROUILLON_SANS_DESTINATAIRE, numero=numero, exact=True)


def test_draft_invoice_with_recipient_can_be_sent(mworld, me):
    objet = _objet(mworld.desk, "BROUILLON-2018-0001")
    assert objet["statut"] == "brouillon"
    numero = me.send(**form(OBJECT_FORM, numero_objet="BROUILLON-2018-0001"))
    row = mworld.desk.store.sollicitation(numero)
    assert (row["statut"], row["destinataire_id"]) == (Status.ENVOYEE.value, objet["destinataire_id"])


# -- contact details -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email",
    [
        "pas-une-adresse",
        "a@b",
        "a@@exemple.fr",
        "jean dupont@exemple.fr",
        "@exemple.fr",
        "jean@exemple..fr",
        "jean@-exemple.fr",
    ],
)
def test_invalid_email(mworld, me, email):
    refused(mworld.desk, lambda: me.send(**form(SUPPORT_FORM, email=email)), rules.EMAIL_INVALIDE, exact=True)


@pytest.mark.parametrize(
    "email", ["jean.dupont@exemple.fr", "compta+sollicitations@sous.domaine.example", "  espaces.autour@exemple.fr  "]
)
def test_valid_email(mworld, me, email):
    numero = me.save_draft(**form(SUPPORT_FORM, email=email))
    assert mworld.desk.store.sollicitation(numero)["email"] == email.strip()


@pytest.mark.parametrize("telephone", ["abc", "12", "01-2", "++33 1 23 45 67 89", "01 23 45 67 8x", "(0)"])
def test_invalid_phone(mworld, me, telephone):
    refused(
        mworld.desk, lambda: me.send(**form(SUPPORT_FORM, telephone=telephone)), rules.TELEPHONE_INVALIDE, exact=True
    )


@pytest.mark.parametrize("telephone", ["01 23 45 67 89", "+33 1 23 45 67 89", "0123456789", "+33 (0)1.23.45.67.89"])
def test_valid_phone(mworld, me, telephone):
    numero = me.save_draft(**form(SUPPORT_FORM, telephone=telephone))
    assert mworld.desk.store.sollicitation(numero)["telephone"] == telephone


def test_service_of_another_structure(mworld, me):
    refused(
        mworld.desk, lambda: me.send(**form(SUPPORT_FORM, service="comptabilite")), rules.SERVICE_INCONNU, exact=True
    )


@pytest.mark.parametrize("service", ["maintenance", "Service maintenance"], ids=["code", "label"])
def test_service_by_code_or_label(mworld, me, service):
    numero = me.send(**form(SUPPORT_FORM, service=service))
    stored = mworld.desk.store.service(mworld.desk.store.sollicitation(numero)["service_emetteur_id"])
    assert (stored["structure_id"], stored["code"]) == (demo.REC201FOURNISSEUR, "maintenance")


# -- lengths, control characters, types, unknown fields --------------------------------------------


def _too_long(field: str, length: int) -> str:
    label, limit = rules.MAX_LENGTHS[field]
    return f"{label} ne doit pas dépasser {limit} caractères ({length} saisis)"


@pytest.mark.parametrize(
    "field, base, make",
    [
        ("description", SUPPORT_FORM, lambda n: "d" * n),
        ("email", SUPPORT_FORM, lambda n: "a" * (n - len("@exemple.fr")) + "@exemple.fr"),
        ("telephone", SUPPORT_FORM, lambda n: "0" * n),
        ("numero_objet", OBJECT_FORM, lambda n: "9" * n),
    ],
)
def test_too_long_form_texts(mworld, me, field, base, make):
    limit = rules.MAX_LENGTHS[field][1]
    refused(
        mworld.desk, lambda: me.send(**form(base, **{field: make(limit + 1)})), _too_long(field, limit + 1), exact=True
    )
    if field == "description":  # the limit itself is accepted
        numero = me.send(**form(base, description=make(limit)))
        assert len(mworld.desk.store.sollicitation(numero)["description"]) == limit


def test_too_long_comment(mworld):
    numero = mworld.new(Status.EN_COURS, attach=False)
    limit = rules.MAX_LENGTHS["commentaire"][1]
    refused(
        mworld.desk,
        lambda: mworld.receiver().respond(numero, "r" * (limit + 1)),
        _too_long("commentaire", limit + 1),
        numero=numero,
        exact=True,
    )
    mworld.receiver().respond(numero, "r" * limit)
    assert mworld.status(numero) == Status.REPONDUE


def test_too_long_designation(mworld, me):
    numero = me.save_draft(**SUPPORT_FORM)
    limit = rules.MAX_LENGTHS["designation"][1]
    refused(
        mworld.desk,
        lambda: me.add_attachment(numero, "a.txt", b"x", designation="d" * (limit + 1)),
        _too_long("designation", limit + 1),
        numero=numero,
        exact=True,
    )


@pytest.mark.parametrize(
    "field, base, value, label",
    [
        ("description", SUPPORT_FORM, "Ligne 1\x07Ligne 2", "La description"),
        ("description", SUPPORT_FORM, "nul\x00octet", "La description"),
        ("email", SUPPORT_FORM, "jean\x1b@exemple.fr", "L'adresse électronique de contact"),
        ("telephone", SUPPORT_FORM, "01 23\x0845 67 89", "Le téléphone de contact"),
        ("numero_objet", OBJECT_FORM, "QUAL\x7f_0001", "Le numéro"),
    ],
)
def test_control_characters(mworld, me, field, base, value, label):
    refused(
        mworld.desk,
        lambda: me.send(**form(base, **{field: value})),
        f"{label} contient des caractères de contrôle non autorisés",
        exact=True,
    )


def test_control_characters_in_a_comment(mworld):
    numero = mworld.new(Status.EN_COURS, attach=False)
    refused(
        mworld.desk,
        lambda: mworld.receiver().respond(numero, "Réponse\x1b[31m"),
        "Le commentaire contient des caractères de contrôle non autorisés",
        numero=numero,
        exact=True,
    )


def test_line_breaks_and_tabs_are_text(mworld, me):
    description = "Ligne 1\nLigne 2\r\n\tindentée"
    numero = me.send(**form(SUPPORT_FORM, description=description))
    assert mworld.desk.store.sollicitation(numero)["description"] == description


def test_texts_are_stripped_and_normalized(mworld, me):
    numero = me.send(**form(SUPPORT_FORM, description="  Facture de\u0301cale\u0301e  "))
    assert mworld.desk.store.sollicitation(numero)["description"] == "Facture d\u00e9cal\u00e9e"


@pytest.mark.parametrize("value", [42, 3.5, ["liste"], b"octets"], ids=["int", "float", "list", "bytes"])
def test_non_text_description(mworld, me, value):
    refused(
        mworld.desk,
        lambda: me.send(**form(SUPPORT_FORM, description=value)),
        "La description doit être un texte",
        exact=True,
    )


def test_unknown_fields_are_named(mworld, me):
    refused(
        mworld.desk,
        lambda: me.send(**SUPPORT_FORM, couleur="bleu", priorite=1),
        "Champ inconnu : couleur",
        "Champ inconnu : priorite",
        exact=True,
    )
    numero = me.save_draft(**SUPPORT_FORM)
    refused(
        mworld.desk, lambda: me.update_draft(numero, urgence=True), "Champ inconnu : urgence", numero=numero, exact=True
    )
    refused(mworld.desk, lambda: me.submit(numero, urgence=True), "Champ inconnu : urgence", numero=numero, exact=True)
    assert mworld.status(numero) == Status.BROUILLON


# -- "Question pour une entité publique" -----------------------------------------------------------


def test_recipient_is_mandatory_when_sending(mworld, me):
    values = form(CHOSEN_FORM, destinataire=None)
    refused(mworld.desk, lambda: me.send(**values), rules.DESTINATAIRE_OBLIGATOIRE, exact=True)
    numero = me.save_draft(**values)
    refused(mworld.desk, lambda: me.submit(numero), rules.DESTINATAIRE_OBLIGATOIRE, numero=numero, exact=True)
    me.submit(numero, destinataire=demo.STRUCTURE_PUBLIQUE_TEST)
    assert mworld.desk.store.sollicitation(numero)["destinataire_id"] == demo.STRUCTURE_PUBLIQUE_TEST


@pytest.mark.parametrize(
    "destinataire",
    [demo.MENUISERIE_DUPONT, demo.REC201FOURNISSEUR, "99999999999999"],
    ids=["private", "the-emitter-itself", "unknown"],
)
@pytest.mark.parametrize("entry", ["send", "save_draft"])
def test_recipient_must_be_a_public_structure(mworld, me, destinataire, entry):
    call = getattr(me, entry)
    refused(
        mworld.desk,
        lambda: call(**form(CHOSEN_FORM, destinataire=destinataire)),
        rules.DESTINATAIRE_INCONNU,
        exact=True,
    )


def test_recipient_service_must_belong_to_it(mworld, me):
    refused(
        mworld.desk,
        lambda: me.send(
            **form(CHOSEN_FORM, destinataire=demo.STRUCTURE_PUBLIQUE_TEST, service_destinataire="comptabilite")
        ),
        rules.SERVICE_DESTINATAIRE_INCONNU,
        exact=True,
    )


def _service_etat(desk, structure_id) -> bool:
    return desk.store.structure(structure_id)["service_etat"]


@pytest.mark.parametrize("destinataire", [demo.REC201DESTINATAIRE, demo.FINANCES_TIC], ids=["not-state", "state"])
def test_state_service_answer_must_match(mworld, me, destinataire):
    etat = _service_etat(mworld.desk, destinataire)
    refused(
        mworld.desk,
        lambda: me.send(**form(CHOSEN_FORM, destinataire=destinataire, destinataire_etat=not etat)),
        rules.DESTINATAIRE_ETAT,
        exact=True,
    )
    for answer in (etat, None):  # the right answer, or none at all
        numero = me.send(**form(CHOSEN_FORM, destinataire=destinataire, destinataire_etat=answer))
        assert mworld.desk.store.sollicitation(numero)["destinataire_id"] == destinataire


@pytest.mark.parametrize("answer", ["Non", "non"])
def test_state_service_answer_no_as_text_is_not_yes(mworld, me, answer):
    """The form's "Oui"/"Non" answer given as text must not be read as "Oui" (any non-empty string
    is truthy): answering "Non" for a State service must be refused, never silently accepted."""
    assert _service_etat(mworld.desk, demo.FINANCES_TIC) is True
    with nothing_changes(mworld.desk), pytest.raises(sol.ValidationError):
        me.send(**form(CHOSEN_FORM, destinataire=demo.FINANCES_TIC, destinataire_etat=answer))


def test_recipient_only_for_the_chosen_pair(mworld, me):
    refused(
        mworld.desk,
        lambda: me.send(**form(SUPPORT_FORM, destinataire=demo.REC201DESTINATAIRE)),
        rules.DESTINATAIRE_NON_ATTENDU,
        exact=True,
    )


# -- all the messages of one attempt together ----------------------------------------------------


def test_every_problem_of_one_attempt_comes_at_once(mworld, me):
    values = dict(
        categorie="Factures émises",
        sous_categorie="Rejet d'une facture",
        structure=demo.REC201FOURNISSEUR,
        service="comptabilite",
        email="jean@",
        telephone="x",
        description=None,
        type_objet=None,
        numero_objet=None,
    )
    refused(
        mworld.desk,
        lambda: me.send(**values),
        rules.SERVICE_INCONNU,
        rules.EMAIL_INVALIDE,
        rules.TELEPHONE_INVALIDE,
        rules.DESCRIPTION_OBLIGATOIRE,
        rules.TYPE_OBJET_OBLIGATOIRE,
        rules.NUMERO_OBLIGATOIRE,
        exact=True,
    )


def test_every_problem_of_a_chosen_recipient_form_at_once(mworld, me):
    values = form(CHOSEN_FORM, destinataire=None, email="@", description="x" * 10_001)
    refused(
        mworld.desk,
        lambda: me.send(**values),
        rules.DESTINATAIRE_OBLIGATOIRE,
        rules.EMAIL_INVALIDE,
        _too_long("description", 10_001),
        exact=True,
    )


# -- comments of the exchange ------------------------------------------------------------------------

COMMENTED = [(s, a, who) for (s, a, who) in TRANSITIONS if s is not None and a in COMMENT_REQUIRED]


@pytest.mark.parametrize("key", COMMENTED, ids=[f"{s.value}-{a.value}" for s, a, _ in COMMENTED])
@pytest.mark.parametrize("blank", [None, "", "  \n "], ids=["none", "empty", "spaces"])
def test_comment_is_mandatory(mworld, key, blank):
    status, action, actor = key
    numero = mworld.new(status, attach=False)
    user = mworld.emitter() if actor == Actor.EMETTEUR else mworld.receiver()
    call = {
        "add_complement": lambda: user.add_complement(numero, blank),
        "close_resolved": lambda: user.close(numero, resolved=True, comment=blank),
        "close_unresolved": lambda: user.close(numero, resolved=False, comment=blank),
        "reopen": lambda: user.close(numero, resolved=False, reopen=True, comment=blank),
        "close_early": lambda: user.close(numero, comment=blank),
        "request_information": lambda: user.request_information(numero, blank),
        "respond": lambda: user.respond(numero, blank),
        "transfer_to_support": lambda: user.transfer_to_support(numero, blank),
    }[action.value]
    refused(mworld.desk, call, rules.COMMENTAIRE_OBLIGATOIRE, numero=numero, exact=True)


def test_assign_only_to_an_agent_who_may_act(mworld):
    numero = mworld.new(Status.ENVOYEE, attach=False)
    agent = mworld.receiver()
    message = "L'agent indiqué n'est pas habilité sur la structure destinataire"
    for login in ("lecteur", "agent_tic", "fournisseur", "personne"):
        refused(mworld.desk, lambda who=login: agent.assign(numero, who), message, numero=numero, exact=True)


def test_transfer_of_a_request_already_at_the_support(mworld):
    numero = mworld.new(Status.EN_COURS, route="support", attach=False)
    refused(
        mworld.desk,
        lambda: mworld.receiver("support").transfer_to_support(numero, "Hors périmètre"),
        "La sollicitation est déjà adressée au support",
        numero=numero,
        exact=True,
    )


# -- "Nous contacter" ------------------------------------------------------------------------------

CONTACT = dict(
    categorie="Connexion",
    sous_categorie="Mot de passe oublié",
    email="visiteur@exemple.fr",
    description="Le lien a expiré.",
)


@pytest.mark.parametrize(
    "changes, messages",
    [
        (dict(email=None), [rules.EMAIL_OBLIGATOIRE]),
        (dict(email="  "), [rules.EMAIL_OBLIGATOIRE]),
        (dict(email="visiteur"), [rules.EMAIL_INVALIDE]),
        (dict(description=None), [rules.DESCRIPTION_OBLIGATOIRE]),
        (dict(categorie=None), [rules.CATEGORIE_OBLIGATOIRE]),
        (dict(sous_categorie=None), [rules.SOUS_CATEGORIE_OBLIGATOIRE]),
        # Pairs of the connected form only are not offered to visitors.
        (dict(categorie="Factures émises", sous_categorie="Rejet d'une facture"), [rules.CATEGORIE_INCONNUE]),
        (dict(sous_categorie="Habilitations"), [rules.SOUS_CATEGORIE_INCONNUE]),
        (
            dict(email=None, description="d\x07", categorie=None, sous_categorie=None),
            [
                rules.EMAIL_OBLIGATOIRE,
                "La description contient des caractères de contrôle non autorisés",
                rules.CATEGORIE_OBLIGATOIRE,
                rules.SOUS_CATEGORIE_OBLIGATOIRE,
            ],
        ),
    ],
    ids=[
        "no-email",
        "blank-email",
        "bad-email",
        "no-description",
        "no-category",
        "no-sub-category",
        "connected-only-pair",
        "sub-category-of-another",
        "all-at-once",
    ],
)
def test_contact_form(mworld, changes, messages):
    refused(mworld.desk, lambda: mworld.desk.contact(**{**CONTACT, **changes}), *messages, exact=True)


def test_contact_without_a_support_desk_cannot_be_routed(empty_desk):
    with nothing_changes(empty_desk), pytest.raises(sol.ValidationError) as info:
        empty_desk.contact(**CONTACT)
    assert info.value.messages == [rules.ROUTAGE_IMPOSSIBLE]


def test_send_without_a_bureau_cannot_be_routed(desk, fournisseur):
    desk.store.cursor().execute("UPDATE structures SET bureau = NULL WHERE bureau = 'frais_justice'")
    values = dict(
        categorie="Mémoires de frais de justice",
        sous_categorie="Question générale sur la réglementation",
        structure=demo.LOGES_DU_GREL,
        description="Quel barème ?",
    )
    refused(desk, lambda: fournisseur.send(**values), rules.ROUTAGE_IMPOSSIBLE, exact=True)
    numero = fournisseur.save_draft(**values)  # routing happens when sending
    refused(desk, lambda: fournisseur.submit(numero), rules.ROUTAGE_IMPOSSIBLE, numero=numero, exact=True)


@pytest.mark.parametrize("identifier", ["ABC", "1234567890123", "123456789012345", "1234567890123A", "", None])
def test_a_structure_identifier_is_14_digits(mworld, identifier):
    store = mworld.desk.store
    with nothing_changes(mworld.desk), pytest.raises(sol.ValidationError) as refused:
        store.run(lambda cur: store.add_structure(cur, identifier, "Structure mal identifiée", publique=False))
    assert refused.value.messages == [rules.IDENTIFIANT_STRUCTURE_INVALIDE]


def test_a_14_digit_structure_identifier_is_accepted(mworld):
    store = mworld.desk.store
    store.run(lambda cur: store.add_structure(cur, "12345678901234", "Structure bien identifiée", publique=False))
    assert store.structure("12345678901234")["designation"] == "Structure bien identifiée"


def test_a_resolved_request_cannot_also_be_reopened(mworld):
    n = mworld.new(Status.REPONDUE)
    with nothing_changes(mworld.desk, n), pytest.raises(sol.ValidationError) as refused:
        mworld.emitter().close(n, resolved=True, reopen=True, comment="Merci.")
    assert "ne peut pas être rouverte" in refused.value.messages[0]
    assert mworld.status(n) == Status.REPONDUE

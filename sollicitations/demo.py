"""The demo world: the guide's structures and invoices, invented people, and any volume of requests.

The fixed part goes through the desk, as users would; the generated part is described here and written
by `store.generated` in one set of SQL statements over range(), so that a million requests take seconds.
Every name here is invented.
"""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from . import accounts
from . import demo_texts as texts
from .clock import paris_now
from .desk import Desk, open_desk
from .status import COMMENT_SHOWN_IN_EXCHANGE, RESENDS, TRANSITIONS, Action, Actor, Status
from .store.connection import is_postgresql_url
from .store.generated import GeneratedWorld, generate_requests

# The reference day of the generated history: fixed, so that a seed always builds the same world.
DEMO_TODAY = datetime(2026, 11, 2, 9, 0)

SUPPORT = "13000000000006"
BUREAU_FRAIS_JUSTICE = "13000000000014"
FINANCES_TIC = "13000000000022"
COUR_APPEL = "13000000000030"
REC201FOURNISSEUR = "00000000002145"
REC100FOURNISSEUR = "00000000000149"
LOGES_DU_GREL = "53453679200011"
MENUISERIE_DUPONT = "12700691200859"
REC201DESTINATAIRE = "00000000002161"
STRUCTURE_PUBLIQUE_TEST = "51448875800012"

STRUCTURES = [
    # id, designation, publique, service_etat, bureau
    (REC201FOURNISSEUR, "REC201FOURNISSEUR", False, False, None),
    (REC100FOURNISSEUR, "REC100FOURNISSEUR", False, False, None),
    (LOGES_DU_GREL, "LES LOGES DU GREL", False, False, None),
    (MENUISERIE_DUPONT, "Menuiserie Dupont", False, False, None),
    (REC201DESTINATAIRE, "REC201DESTINATAIRE", True, False, None),
    (STRUCTURE_PUBLIQUE_TEST, "STRUCTURE PUBLIQUE test", True, False, None),
    (SUPPORT, "Support Chorus Pro", True, True, "support"),
    (BUREAU_FRAIS_JUSTICE, "Bureau de la réglementation des frais de justice", True, True, "frais_justice"),
    (FINANCES_TIC, "Service départemental des finances publiques - remboursements TIC", True, True, None),
    (COUR_APPEL, "Service administratif régional de la cour d'appel de Valmont", True, True, None),
]
SERVICES = [
    (REC201FOURNISSEUR, "service_fournisseur", "service_fournisseur"),
    (REC201FOURNISSEUR, "maintenance", "Service maintenance"),
    (STRUCTURE_PUBLIQUE_TEST, "factures_publiques", "Service des factures publiques"),
    (REC201DESTINATAIRE, "comptabilite", "Service comptabilité"),
]
USERS = [
    # login, nom, prenom, email, telephone, habilitations [(structure, role, droit_modification)]
    ("fournisseur", "MARCHAND", "Élise", "elise.marchand@fournisseur.example", "01 23 45 67 89",
     [(REC201FOURNISSEUR, "emetteur", True), (REC100FOURNISSEUR, "emetteur", True),
      (LOGES_DU_GREL, "emetteur", True)]),
    ("dupont", "DUPONT", "Gaston", "gaston@menuiserie-dupont.example", "02 98 76 54 32",
     [(MENUISERIE_DUPONT, "emetteur", True)]),
    ("destinataire", "NAVARRO", "Inès", "ines.navarro@collectivite.example", None,
     [(REC201DESTINATAIRE, "agent", True), (STRUCTURE_PUBLIQUE_TEST, "agent", True)]),
    ("collegue", "FONTAINE", "Hugo", "hugo.fontaine@collectivite.example", None,
     [(REC201DESTINATAIRE, "agent", True), (STRUCTURE_PUBLIQUE_TEST, "agent", True)]),
    ("lecteur", "PERRIN", "Jeanne", "jeanne.perrin@collectivite.example", None,
     [(REC201DESTINATAIRE, "agent", False)]),
    ("support", "LEGRAND", "Mathis", "support@portail.example", None, [(SUPPORT, "support", True)]),
    ("agent_tic", "ROCHE", "Salomé", "salome.roche@finances.example", None, [(FINANCES_TIC, "agent", True)]),
    ("bureau_fj", "CARON", "Yves", "yves.caron@justice.example", None,
     [(BUREAU_FRAIS_JUSTICE, "agent", True), (COUR_APPEL, "agent", True)]),
    ("gestionnaire", "BERTRAND", "Odile", "odile.bertrand@portail.example", None, [(None, "gestionnaire", True)]),
]  # fmt: skip
OBJETS = [
    # type, numero, emetteur, destinataire, service code of the recipient, statut
    ("facture", "2017/640", LOGES_DU_GREL, STRUCTURE_PUBLIQUE_TEST, None, "rejetee"),
    ("facture", "QUAL_00000000007215", REC201FOURNISSEUR, REC201DESTINATAIRE, None, "mise_a_disposition"),
    ("facture", "TMP2017000000000003", REC201FOURNISSEUR, STRUCTURE_PUBLIQUE_TEST, "factures_publiques", "suspendue"),
    ("facture", "BROUILLON-2018-0001", REC201FOURNISSEUR, STRUCTURE_PUBLIQUE_TEST, None, "brouillon"),
    ("facture", "BROUILLON-2018-0002", REC201FOURNISSEUR, None, None, "brouillon"),
    ("facture", "FA-2018-0457", MENUISERIE_DUPONT, REC201DESTINATAIRE, "comptabilite", "mise_a_disposition"),
    ("demande_remboursement_tic", "TIC-2017-000042", REC201FOURNISSEUR, FINANCES_TIC, None, "rejetee"),
    ("memoire_frais_justice", "MFJ-2018-000017", LOGES_DU_GREL, COUR_APPEL, None, "deposee"),
]  # fmt: skip


class _DemoClock:
    """A clock the demo moves by hand, so that fixed requests have a believable past."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def build(path: str | Path, size: int = 0, seed: int = 1) -> Desk:
    """Create a demo database at `path` (a DuckDB file that must not exist yet, or an empty PostgreSQL
    database given by its URL) and return its desk."""
    if is_postgresql_url(path):
        return _build_on_postgresql(str(path), size, seed)
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} existe déjà : supprimez-le ou choisissez un autre fichier")
    desk = open_desk(path)
    populate(desk, size=size, seed=seed)
    return desk


def _build_on_postgresql(url: str, size: int, seed: int) -> Desk:
    """The world is generated with DuckDB's SQL in a scratch file, then copied over in one transaction."""
    target = open_desk(url)
    if target.store.count_sollicitations():
        target.close()
        raise FileExistsError(
            f"la base {url.split('@')[-1]} contient déjà des sollicitations : choisissez une base vide"
        )
    with tempfile.TemporaryDirectory(prefix="sollicitations-demo-") as scratch:
        local = build(Path(scratch) / "demo.duckdb", size=size, seed=seed)
        try:
            local.store.copy_into(target.store)
        finally:
            local.close()
    return target


def populate(desk: Desk, size: int = 0, seed: int = 1) -> None:
    """Add the fixed demo world, then `size` generated requests, to an empty desk."""
    if not desk.store.is_empty():
        raise ValueError("the demo world goes into an empty store")
    _directory(desk)
    _passwords(desk)
    _fixed_requests(desk)
    if size:
        generate(desk, size, seed)


def _directory(desk: Desk) -> None:
    store = desk.store
    with store.transaction() as cur:
        for row in STRUCTURES:
            store.add_structure(cur, *row)
        for structure_id, code, libelle in SERVICES:
            store.add_service(cur, structure_id, code, libelle)
        for login, nom, prenom, email, telephone, habilitations in USERS:
            store.add_user(cur, login, nom, prenom, email, telephone)
            for structure_id, role, droit in habilitations:
                store.add_habilitation(cur, login, structure_id, role, droit)
        for type_, numero, emetteur, destinataire, service_code, statut in OBJETS:
            service = store.find_service(destinataire, service_code, cur) if service_code else None
            store.add_objet(cur, type_, numero, emetteur, destinataire, service and service["id"], statut)


def _passwords(desk: Desk) -> None:
    """Each demo login's password is the login itself (documented in the README)."""
    for login, *_ in USERS:
        accounts.set_password(desk, login, login, demo=True)


def _fixed_requests(desk: Desk) -> None:
    """A handful of requests in every status, built through the desk so that history is real."""
    clock = _DemoClock(DEMO_TODAY - timedelta(days=60))
    desk.clock = clock
    try:
        me, dupont = desk.as_user("fournisseur"), desk.as_user("dupont")
        agent, support = desk.as_user("destinataire"), desk.as_user("support")
        bureau = desk.as_user("bureau_fj")

        me.save_draft(
            categorie="Factures reçues",
            sous_categorie="Autre",
            structure=REC201FOURNISSEUR,
            description="Une facture reçue porte un numéro d'engagement que nous ne connaissons pas.",
        )
        clock.advance(days=2)
        n = me.send(
            categorie="Factures émises",
            sous_categorie="Montant payé différent",
            structure=LOGES_DU_GREL,
            type_objet="Facture",
            numero_objet="2017/640",
            email="compta@loges-du-grel.example",
            description="Le montant payé est inférieur de 120,00 € au montant de la facture.",
        )
        clock.advance(days=1)
        agent.take_in_charge(n)
        clock.advance(days=3)
        agent.respond(
            n, "La différence correspond à une retenue de garantie ; elle sera versée à la réception des travaux."
        )
        clock.advance(days=1)
        me.save_draft(
            categorie="Factures émises",
            sous_categorie="Mandat de facturation",
            structure=REC201FOURNISSEUR,
            service="service_fournisseur",
            description="Comment déclarer un mandat de facturation ?",
        )
        clock.advance(days=2)
        n = me.send(
            categorie="Factures émises",
            sous_categorie="Erreur dans les éléments de facturation",
            structure=REC201FOURNISSEUR,
            service="service_fournisseur",
            type_objet="Facture",
            numero_objet="QUAL_00000000007215",
            telephone="01 23 45 67 89",
            description="Le taux de TVA appliqué sur la ligne 3 est erroné.",
        )
        clock.advance(days=1)
        agent.request_information(n, "Merci de joindre le bon de commande correspondant à cette facture.")
        clock.advance(days=1)
        me.send(
            categorie="Remboursement TIC",
            sous_categorie="Question sur une demande rejetée",
            structure=REC201FOURNISSEUR,
            type_objet="Demande de remboursement TIC",
            numero_objet="TIC-2017-000042",
            description="Pourquoi notre demande de remboursement a-t-elle été rejetée ?",
        )
        clock.advance(days=1)
        n = me.send(
            categorie="Mémoires de frais de justice",
            sous_categorie="Question générale sur la réglementation",
            structure=LOGES_DU_GREL,
            description="Quel barème s'applique aux frais de déplacement des experts ?",
        )
        clock.advance(hours=5)
        bureau.take_in_charge(n)
        clock.advance(days=1)
        n = me.send(
            categorie="Factures émises",
            sous_categorie="Question pour une entité publique",
            structure=REC201FOURNISSEUR,
            destinataire=STRUCTURE_PUBLIQUE_TEST,
            service_destinataire="factures_publiques",
            destinataire_etat=False,
            description="Quelles pièces faut-il joindre aux factures de maintenance ?",
        )
        clock.advance(days=1)
        agent.respond(n, "Le procès-verbal d'intervention signé suffit.")
        clock.advance(days=1)
        me.close(n, resolved=True, comment="Merci pour cette réponse rapide.")
        clock.advance(days=1)
        n = me.send(
            categorie="Factures émises",
            sous_categorie="Intérêts moratoires",
            structure=REC201FOURNISSEUR,
            type_objet="Facture",
            numero_objet="TMP2017000000000003",
            description="La facture a été payée avec 45 jours de retard : les intérêts moratoires ne sont pas versés.",
        )
        clock.advance(days=2)
        agent.take_in_charge(n)
        clock.advance(days=1)
        dupont.send(
            categorie="Factures émises",
            sous_categorie="Ajout de pièce jointe",
            structure=MENUISERIE_DUPONT,
            description="Je n'arrive pas à ajouter le devis signé à ma facture.",
        )
        clock.advance(days=1)
        n = me.send(
            categorie="Compte utilisateur",
            sous_categorie="Habilitations",
            structure=REC100FOURNISSEUR,
            description="Un collègue doit pouvoir déposer des factures pour REC100FOURNISSEUR.",
        )
        clock.advance(hours=3)
        support.take_in_charge(n)
        clock.advance(days=1)
        desk.contact(
            "Connexion",
            "Mot de passe oublié",
            "contact@boulangerie-exemple.example",
            "Le lien de réinitialisation du mot de passe a expiré.",
        )
    finally:
        desk.clock = paris_now


# Paths of the generated requests: (variant, weight, [(action, who)]). `who` is the person acting:
# "e" the emitter (its creator), "d" the recipient's agent, "c" the colleague the agent assigns, "s" the
# support desk after a transfer. _walk() plays each path on TRANSITIONS: an illegal step fails at import.
_A = Action
_PATHS = [
    ("brouillon", 4, [(_A.SAVE_DRAFT, "e")]),
    ("brouillon_pj", 3, [(_A.SAVE_DRAFT, "e"), (_A.ADD_ATTACHMENT, "e"), (_A.UPDATE_DRAFT, "e")]),
    ("envoyee", 4, [(_A.SUBMIT, "e")]),
    ("envoyee_pj", 3, [(_A.SAVE_DRAFT, "e"), (_A.ADD_ATTACHMENT, "e"), (_A.SUBMIT, "e")]),
    ("en_cours", 5, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d")]),
    ("en_cours_assignee", 3, [(_A.SUBMIT, "e"), (_A.ASSIGN, "d")]),
    ("informations", 4, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.REQUEST_INFORMATION, "d")]),
    ("informations_pj", 2, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.REQUEST_INFORMATION, "d"),
                            (_A.ADD_ATTACHMENT, "e")]),
    ("complement", 3, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.REQUEST_INFORMATION, "d"),
                       (_A.ADD_ATTACHMENT, "e"), (_A.ADD_COMPLEMENT, "e")]),
    ("repondue", 6, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.ADD_ATTACHMENT, "d"), (_A.RESPOND, "d")]),
    ("repondue_directe", 3, [(_A.SUBMIT, "e"), (_A.RESPOND, "d")]),
    ("fermee", 9, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"), (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_modifiee", 5, [(_A.SAVE_DRAFT, "e"), (_A.UPDATE_DRAFT, "e"), (_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"),
                            (_A.RESPOND, "d"), (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_complement", 10, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.REQUEST_INFORMATION, "d"),
                              (_A.ADD_COMPLEMENT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"),
                              (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_pj", 7, [(_A.SAVE_DRAFT, "e"), (_A.ADD_ATTACHMENT, "e"), (_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"),
                      (_A.RESPOND, "d"), (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_reponse_pj", 6, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.ADD_ATTACHMENT, "d"),
                              (_A.RESPOND, "d"), (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_informations", 10, [(_A.SAVE_DRAFT, "e"), (_A.ADD_ATTACHMENT, "e"), (_A.SUBMIT, "e"),
                                (_A.TAKE_IN_CHARGE, "d"), (_A.REQUEST_INFORMATION, "d"), (_A.ADD_ATTACHMENT, "e"),
                                (_A.ADD_COMPLEMENT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"),
                                (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_assignee", 5, [(_A.SUBMIT, "e"), (_A.ASSIGN, "d"), (_A.RESPOND, "c"), (_A.CLOSE_RESOLVED, "e")]),
    ("fermee_non_resolue", 3, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"),
                               (_A.CLOSE_UNRESOLVED, "e")]),
    ("rouverte", 8, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"), (_A.REOPEN, "e"),
                     (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"), (_A.CLOSE_UNRESOLVED, "e")]),
    ("rouverte_resolue", 4, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"), (_A.REOPEN, "e"),
                             (_A.ASSIGN, "d"), (_A.ADD_ATTACHMENT, "c"), (_A.RESPOND, "c"), (_A.CLOSE_RESOLVED, "e")]),
    ("rouverte_ouverte", 2, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.RESPOND, "d"), (_A.REOPEN, "e")]),
    ("abandonnee", 2, [(_A.SUBMIT, "e"), (_A.CLOSE_EARLY, "e")]),
    ("abandonnee_informations", 1, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.REQUEST_INFORMATION, "d"),
                                    (_A.CLOSE_EARLY, "e")]),
    ("transferee", 4, [(_A.SUBMIT, "e"), (_A.TAKE_IN_CHARGE, "d"), (_A.TRANSFER_TO_SUPPORT, "d"),
                       (_A.TAKE_IN_CHARGE, "s"), (_A.RESPOND, "s"), (_A.CLOSE_RESOLVED, "e")]),
    ("transferee_en_cours", 1, [(_A.SUBMIT, "e"), (_A.TRANSFER_TO_SUPPORT, "d"), (_A.TAKE_IN_CHARGE, "s")]),
]  # fmt: skip
# A "Nous contacter" request has no emitter to act after its deposit: only paths the desk alone walks.
_CONTACT_PATHS = ("envoyee", "en_cours", "en_cours_assignee", "repondue", "repondue_directe")
# A request already routed to the support desk cannot be transferred to it: it takes this path instead.
_INSTEAD_OF_TRANSFER = "fermee"


def _walk(path):
    """Play a path on the transition table: per step (action, who, old status, new status) and the
    request's state after the last step (status, assignee, transferred, re-sent, resolved, last sending)."""
    status, assignee, transferred, resent, resolved, sent_at = None, None, False, False, None, None
    steps = []
    for k, (action, who) in enumerate(path):
        actor = Actor.EMETTEUR if who == "e" else Actor.DESTINATAIRE
        new = TRANSITIONS[(status, action, actor)]  # KeyError: the path is not one the desk allows
        steps.append((action, who, status, new))
        if action in (Action.TAKE_IN_CHARGE, Action.REQUEST_INFORMATION, Action.RESPOND):
            assignee = who if action == Action.TAKE_IN_CHARGE else assignee or who
        elif action == Action.ASSIGN:
            assignee = "c"
        elif action == Action.TRANSFER_TO_SUPPORT:
            assignee, transferred = None, True
        if action in (Action.TAKE_IN_CHARGE, Action.ASSIGN, Action.REQUEST_INFORMATION, Action.RESPOND,
                      Action.TRANSFER_TO_SUPPORT):  # fmt: skip
            resent = False
        if action == Action.SUBMIT or action in RESENDS:
            sent_at, resent, resolved = k, action in RESENDS, None
        if new == Status.FERMEE:
            resolved = action == Action.CLOSE_RESOLVED
        status = new
    return steps, (status, assignee, transferred, resent, resolved, sent_at)


_WALKS = {variant: _walk(path) for variant, _, path in _PATHS}
assert all(v in _WALKS for v in _CONTACT_PATHS + (_INSTEAD_OF_TRANSFER,))
_PATH_OF = {variant: path for variant, _, path in _PATHS}
assert all(who != "e" and action != Action.TRANSFER_TO_SUPPORT
           for variant in _CONTACT_PATHS for action, who in _PATH_OF[variant][1:])  # fmt: skip


def generate(desk: Desk, size: int, seed: int = 1) -> None:
    """Add `size` requests spread over every status, category, structure and two years, each with the
    history the desk would have written (about five rows: every step a legal transition by someone allowed
    to take it), its comments and, for about one request in three, attachments with a small content."""
    comment_kinds = list(texts.COMMENT_FRAGMENTS)
    paths, steps = [], []
    for variant, weight, _ in _PATHS:
        walked, (status, assignee, transferred, resent, resolved, sent_at) = _WALKS[variant]
        paths.append((variant, weight, status.value, assignee, transferred, resent, resolved, sent_at))
        for k, (action, who, old, new) in enumerate(walked):
            file_kind = None
            if action == Action.ADD_ATTACHMENT:
                file_kind = 3 if who != "e" else 1 if old == Status.BROUILLON else 2
            steps.append((variant, k, action.value, old and old.value, new.value, who,
                          "emetteur" if who == "e" else "destinataire",
                          comment_kinds.index(action) + 1 if action in COMMENT_SHOWN_IN_EXCHANGE else None, file_kind))  # fmt: skip
    world = GeneratedWorld(
        today=DEMO_TODAY,
        pairs=[(p.categorie, p.sous_categorie, p.type_objet, p.routage, texts.THEMES.get(p.categorie, 1))
               for p in desk.catalogue.pairs],
        paths=paths, steps=steps, contact_paths=_CONTACT_PATHS, instead_of_transfer=_INSTEAD_OF_TRANSFER,
        transfer_paths=[v for v, _, path in _PATHS if any(a == Action.TRANSFER_TO_SUPPORT for a, _ in path)],
        files=texts.FILES, openings=texts.OPENINGS, references=texts.REFERENCES, details=texts.DETAILS, closings=texts.CLOSINGS,
        comments=list(texts.COMMENT_FRAGMENTS.values()),
        names={"trades": texts.TRADES, "names": texts.NAMES, "first": texts.FIRST, "publics": texts.PUBLICS, "towns": texts.TOWNS},
        known_emitters=([REC201FOURNISSEUR, REC100FOURNISSEUR, LOGES_DU_GREL], "fournisseur"),
        known_recipients=([REC201DESTINATAIRE, STRUCTURE_PUBLIQUE_TEST], "destinataire", "collegue"),
        support=(SUPPORT, "support"), frais_justice=(BUREAU_FRAIS_JUSTICE, "bureau_fj"),
        memoires=(COUR_APPEL, "bureau_fj"), tic=(FINANCES_TIC, "agent_tic"),
    )  # fmt: skip
    generate_requests(desk.store, size, seed, world)

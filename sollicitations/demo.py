"""The demo world: the guide's structures and invoices, invented people, and any volume of requests.

The fixed part goes through the desk, as users would; the generated part is one set of SQL
statements over range(), so that a million requests take seconds, not a Python loop per row.
Every name here is invented.
"""
from __future__ import annotations

import re
import struct
import tempfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path

from . import accounts
from .clock import paris_now
from .desk import Desk, open_desk
from .status import COMMENT_SHOWN_IN_EXCHANGE, RESENDS, TRANSITIONS, Action, Actor, Status
from .store.connection import is_postgresql_url

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
        raise FileExistsError(f"la base {url.split('@')[-1]} contient déjà des sollicitations : choisissez une base vide")
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

        me.save_draft(categorie="Factures reçues", sous_categorie="Autre", structure=REC201FOURNISSEUR,
                      description="Une facture reçue porte un numéro d'engagement que nous ne connaissons pas.")
        clock.advance(days=2)
        n = me.send(categorie="Factures émises", sous_categorie="Montant payé différent", structure=LOGES_DU_GREL,
                    type_objet="Facture", numero_objet="2017/640", email="compta@loges-du-grel.example",
                    description="Le montant payé est inférieur de 120,00 € au montant de la facture.")
        clock.advance(days=1)
        agent.take_in_charge(n)
        clock.advance(days=3)
        agent.respond(n, "La différence correspond à une retenue de garantie ; elle sera versée à la réception des travaux.")
        clock.advance(days=1)
        me.save_draft(categorie="Factures émises", sous_categorie="Mandat de facturation", structure=REC201FOURNISSEUR,
                      service="service_fournisseur", description="Comment déclarer un mandat de facturation ?")
        clock.advance(days=2)
        n = me.send(categorie="Factures émises", sous_categorie="Erreur dans les éléments de facturation",
                    structure=REC201FOURNISSEUR, service="service_fournisseur", type_objet="Facture",
                    numero_objet="QUAL_00000000007215", telephone="01 23 45 67 89",
                    description="Le taux de TVA appliqué sur la ligne 3 est erroné.")
        clock.advance(days=1)
        agent.request_information(n, "Merci de joindre le bon de commande correspondant à cette facture.")
        clock.advance(days=1)
        me.send(categorie="Remboursement TIC", sous_categorie="Question sur une demande rejetée",
                structure=REC201FOURNISSEUR, type_objet="Demande de remboursement TIC",
                numero_objet="TIC-2017-000042", description="Pourquoi notre demande de remboursement a-t-elle été rejetée ?")
        clock.advance(days=1)
        n = me.send(categorie="Mémoires de frais de justice", sous_categorie="Question générale sur la réglementation",
                    structure=LOGES_DU_GREL, description="Quel barème s'applique aux frais de déplacement des experts ?")
        clock.advance(hours=5)
        bureau.take_in_charge(n)
        clock.advance(days=1)
        n = me.send(categorie="Factures émises", sous_categorie="Question pour une entité publique",
                    structure=REC201FOURNISSEUR, destinataire=STRUCTURE_PUBLIQUE_TEST,
                    service_destinataire="factures_publiques", destinataire_etat=False,
                    description="Quelles pièces faut-il joindre aux factures de maintenance ?")
        clock.advance(days=1)
        agent.respond(n, "Le procès-verbal d'intervention signé suffit.")
        clock.advance(days=1)
        me.close(n, resolved=True, comment="Merci pour cette réponse rapide.")
        clock.advance(days=1)
        n = me.send(categorie="Factures émises", sous_categorie="Intérêts moratoires", structure=REC201FOURNISSEUR,
                    type_objet="Facture", numero_objet="TMP2017000000000003",
                    description="La facture a été payée avec 45 jours de retard : les intérêts moratoires ne sont pas versés.")
        clock.advance(days=2)
        agent.take_in_charge(n)
        clock.advance(days=1)
        dupont.send(categorie="Factures émises", sous_categorie="Ajout de pièce jointe", structure=MENUISERIE_DUPONT,
                    description="Je n'arrive pas à ajouter le devis signé à ma facture.")
        clock.advance(days=1)
        n = me.send(categorie="Compte utilisateur", sous_categorie="Habilitations", structure=REC100FOURNISSEUR,
                    description="Un collègue doit pouvoir déposer des factures pour REC100FOURNISSEUR.")
        clock.advance(hours=3)
        support.take_in_charge(n)
        clock.advance(days=1)
        desk.contact("Connexion", "Mot de passe oublié", "contact@boulangerie-exemple.example",
                     "Le lien de réinitialisation du mot de passe a expiré.")
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

_TRADES = ["Menuiserie", "Boulangerie", "Transports", "Imprimerie", "Cabinet", "Garage", "Plomberie",
           "Électricité", "Traiteur", "Nettoyage", "Paysages", "Informatique"]  # fmt: skip
_NAMES = ["Arnaud", "Bellec", "Carrel", "Delorme", "Esnault", "Ferrand", "Guérin", "Hamel", "Izard",
          "Jolivet", "Kerbrat", "Lemoine", "Marchetti", "Nicolle", "Oudin", "Pasquier", "Quéré",
          "Rivoire", "Sauvage", "Tessier"]  # fmt: skip
_FIRST = ["Anne", "Bruno", "Chloé", "David", "Emma", "François", "Gaëlle", "Henri", "Iris", "Julien",
          "Karine", "Louis", "Maëlys", "Noël", "Océane", "Pierre"]  # fmt: skip
_PUBLICS = ["Commune de", "Centre hospitalier de", "Lycée de", "Communauté de communes de",
            "Syndicat des eaux de", "Collège de"]  # fmt: skip
_TOWNS = ["Valmont", "Bois-le-Roi", "Saint-Aubin", "Montfleury", "Rivecourt", "Lanvallay",
          "Beaulieu", "Chantereine", "Pradelles", "Sainte-Marthe", "Vernières", "Castelnau"]  # fmt: skip

# Texts of the generated requests, composed in SQL from fragments drawn with a skewed frequency (the first
# of a list comes often, the last rarely), so that the vocabulary is a few hundred words used unevenly, as
# in real requests. Placeholders in braces become references: {fac} an invoice number, {montant} an amount
# in euros, {date} a date, {bc} a purchase order, {ej} a legal commitment, {tic} and {mfj} other objects,
# {flux} an exchange file, {jours} a number of days (or of anything), {code} an HTTP status.
_THEMES = {  # categorie -> theme (1-based index into the lists of lists below)
    "Factures émises": 1, "Factures reçues": 1, "Mémoires de frais de justice": 2, "Remboursement TIC": 3,
    "Compte utilisateur": 4, "Connexion": 4, "Raccordements EDI et API": 5, "Utilisation du portail": 5,
}  # fmt: skip
_OPENINGS = [
    [  # invoices
        "Le montant payé ne correspond pas au montant de notre facture.",
        "Notre facture a été rejetée sans motif compréhensible.",
        "Le délai de paiement de trente jours est largement dépassé.",
        "Nous n'avons reçu aucun paiement pour une facture mise à disposition depuis plusieurs semaines.",
        "La facture est suspendue depuis son dépôt et nous ignorons pourquoi.",
        "Le destinataire indiqué sur la facture n'est pas le bon service.",
        "Un virement partiel a été reçu sans explication sur l'écart.",
        "Le service facturier nous indique un code service manquant.",
        "Les intérêts moratoires dus pour retard de paiement n'ont pas été versés.",
        "La facture apparaît au statut « mise en paiement » mais rien n'est arrivé sur notre compte.",
        "Notre client public affirme ne jamais avoir reçu la facture.",
        "Le numéro d'engagement juridique figurant sur le bon de commande est refusé.",
        "Une facture d'avoir a été déposée par erreur à la place de la facture initiale.",
        "Le taux de TVA retenu par le comptable public diffère de celui de la facture.",
        "Nous souhaitons connaître l'état d'avancement du traitement de notre facture.",
        "La retenue de garantie n'a toujours pas été libérée après la réception des travaux.",
        "Deux factures identiques ont été payées alors qu'une seule était due.",
    ],
    [  # frais de justice
        "Notre mémoire de frais de justice n'a pas encore été certifié par la juridiction.",
        "Le barème appliqué aux frais de déplacement de l'expert nous semble erroné.",
        "La taxe de l'interprète a été réduite sans justification.",
        "Le mémoire a été renvoyé pour une pièce manquante que nous avions pourtant jointe.",
        "Nous ne savons pas quel service centralise les mémoires de la cour d'appel.",
        "L'ordonnance de taxe ne mentionne pas les vacations de nuit.",
    ],
    [  # TIC
        "Notre demande de remboursement de taxe intérieure de consommation a été rejetée.",
        "Le volume de gazole déclaré a été corrigé à la baisse par le service.",
        "Nous n'avons pas reçu le remboursement TIC du dernier semestre.",
        "Le justificatif de carte grise est refusé alors que le véhicule est bien immatriculé.",
        "Le taux de remboursement appliqué ne correspond pas à la région déclarée.",
    ],
    [  # account, login
        "Je n'arrive plus à me connecter au portail depuis le changement de mot de passe.",
        "Notre compte est bloqué après plusieurs tentatives de connexion.",
        "Le lien de réinitialisation reçu par courriel a expiré.",
        "Un nouveau collaborateur doit être rattaché à notre structure.",
        "Le gestionnaire principal de notre compte a quitté l'entreprise.",
        "L'adresse électronique associée au compte n'est plus valide.",
        "Nous souhaitons modifier la raison sociale affichée sur notre espace.",
        "La création de compte échoue à l'étape de vérification du SIRET.",
    ],
    [  # exchanges, portal
        "Le raccordement de notre logiciel de facturation échoue depuis hier.",
        "Un flux déposé par EDI est rejeté avec une erreur de format.",
        "L'appel à l'API de dépôt renvoie une erreur d'authentification.",
        "Le portail affiche une page blanche lors de la consultation des factures.",
        "Le certificat de notre plateforme de dématérialisation arrive à expiration.",
        "Les pièces jointes de plus de deux mégaoctets ne sont pas acceptées.",
        "La recherche de factures ne renvoie aucun résultat sur la période demandée.",
        "Nous souhaitons passer du dépôt manuel au raccordement par API.",
    ],
]  # fmt: skip
_REFERENCES = [
    [
        "Il s'agit de la facture {fac} d'un montant de {montant} €.",
        "La facture {fac} a été déposée le {date}.",
        "Le montant concerné s'élève à {montant} € TTC.",
        "Référence : facture {fac}, bon de commande {bc}.",
        "L'écart constaté est de {montant} € sur la facture {fac}.",
        "Le numéro d'engagement juridique indiqué est {ej}.",
        "Facture {fac} émise le {date}, échéance dépassée de {jours} jours.",
        "Le bon de commande {bc} couvre pourtant cette prestation.",
    ],
    [
        "Mémoire {mfj} déposé le {date} pour un montant de {montant} €.",
        "Le mémoire {mfj} porte sur {jours} vacations.",
        "Montant réclamé : {montant} €, mémoire {mfj}.",
    ],
    [
        "Demande {tic} déposée le {date}.",
        "Le montant attendu est de {montant} € pour la demande {tic}.",
        "La demande {tic} couvre {jours} jours d'activité.",
    ],
    [
        "Dernière connexion réussie le {date}.",
        "Le message affiché est : « identifiant ou mot de passe incorrect ».",
        "Le compte concerné est rattaché au SIRET de notre siège.",
    ],
    [
        "Le flux {flux} a été rejeté le {date}.",
        "Le fichier {flux} contient {jours} factures.",
        "L'anomalie se produit depuis le {date}.",
        "Le code retour obtenu est {code}.",
    ],
]  # fmt: skip
_DETAILS = [
    "Nous avons déjà relancé le service par téléphone sans obtenir de réponse.",
    "Les pièces justificatives ont été transmises avec la facture.",
    "Notre trésorerie est fortement pénalisée par ce retard.",
    "Le comptable public nous renvoie vers l'ordonnateur, qui nous renvoie vers le comptable.",
    "Aucun courrier ne nous a été adressé pour expliquer la situation.",
    "La prestation a pourtant été réalisée et réceptionnée sans réserve.",
    "Nos autres factures adressées au même service ont été payées normalement.",
    "Le problème se reproduit chaque mois depuis le début de l'année.",
    "Notre expert-comptable ne parvient pas à rapprocher ce règlement.",
    "Les coordonnées bancaires enregistrées sont à jour.",
    "Le service indiqué sur le bon de commande a été réorganisé récemment.",
    "Nous avons vérifié les informations saisies à plusieurs reprises.",
]  # fmt: skip
_CLOSINGS = [
    "Merci de nous indiquer la marche à suivre.",
    "Pouvez-vous nous dire quand le paiement interviendra ?",
    "Merci par avance pour votre retour.",
    "Nous restons disponibles pour tout complément.",
    "Pouvez-vous régulariser la situation rapidement ?",
    "Merci de transmettre notre demande au service compétent.",
    "Une réponse écrite nous serait utile pour notre comptabilité.",
    "Nous vous remercions de votre aide.",
]  # fmt: skip
# Comments, by action: a first sentence (from the list of the request's theme where there is one per
# theme), then (often) a second one.
_COMMENT_FRAGMENTS = {
    Action.REQUEST_INFORMATION: (
        [["Merci de joindre le bon de commande correspondant.",
          "Merci de préciser le numéro d'engagement juridique.",
          "Pouvez-vous transmettre le relevé d'identité bancaire à jour ?",
          "Merci de fournir le procès-verbal de réception des travaux.",
          "Merci d'indiquer le code service figurant sur la commande.",
          "Pouvez-vous nous communiquer la copie de la facture rejetée ?",
          "Merci de préciser la date de la prestation.",
          "Le justificatif transmis est illisible : merci de le déposer à nouveau."],
         ["Merci de joindre l'ordonnance de taxe.", "Merci de préciser la juridiction qui a ordonné l'expertise.",
          "Pouvez-vous transmettre l'état des vacations signé par le magistrat ?"],
         ["Merci de joindre la copie de la carte grise du véhicule.",
          "Pouvez-vous transmettre les factures de carburant du semestre ?",
          "Merci de préciser la région de consommation du gazole."],
         ["Merci de préciser l'identifiant de connexion concerné.",
          "Pouvez-vous indiquer le SIRET de la structure à laquelle rattacher le compte ?",
          "Merci de joindre une capture de l'écran d'erreur."],
         ["Merci de joindre le compte rendu de traitement du flux.",
          "Pouvez-vous préciser la version du format utilisé ?",
          "Merci d'indiquer l'identifiant technique de votre raccordement.",
          "Merci de joindre une capture de l'écran d'erreur."]],
        ["Sans ces éléments, nous ne pouvons pas instruire la demande.",
         "Le dossier sera traité dès réception.",
         "Le service ordonnateur en a besoin pour liquider la dépense.",
         "Vous pouvez l'ajouter en pièce jointe à cette sollicitation."],
    ),
    Action.RESPOND: (
        [["Votre facture a été mise en paiement ce jour.",
          "Le paiement sera effectué sous quinze jours.",
          "L'écart correspond à une retenue de garantie de cinq pour cent.",
          "La facture a été rejetée car le code service était absent ; merci de la déposer à nouveau.",
          "Le service facturier a corrigé le destinataire ; la facture suit son circuit normal.",
          "Les intérêts moratoires seront versés avec le prochain mandatement.",
          "Le doublon a été identifié : un ordre de reversement vous sera adressé.",
          "La différence correspond à des pénalités de retard prévues au marché."],
         ["Le mémoire a été certifié et transmis au service payeur.",
          "Les vacations de nuit sont désormais prises en compte.",
          "Le barème kilométrique applicable a été appliqué à nouveau."],
         ["Le remboursement a été recalculé selon le taux régional en vigueur.",
          "Le volume retenu correspond aux factures de carburant justifiées.",
          "Le virement du semestre a été ordonnancé."],
         ["Votre compte a été débloqué ; un nouveau lien de connexion vous a été envoyé.",
          "Le collaborateur a été rattaché à votre structure.",
          "L'adresse électronique du compte a été mise à jour.",
          "Le gestionnaire principal a été remplacé comme demandé."],
         ["Le flux a été rejoué avec succès après correction du format.",
          "Les identifiants techniques de raccordement vous ont été transmis.",
          "L'anomalie d'affichage a été corrigée par la dernière mise à jour.",
          "La limite de taille des pièces jointes est de dix mégaoctets par fichier."]],
        ["Nous restons à votre disposition.",
         "Vous pouvez suivre l'avancement depuis votre espace.",
         "N'hésitez pas à revenir vers nous si le virement n'apparaît pas.",
         "La référence du virement figurera sur votre relevé bancaire.",
         "Veuillez nous excuser pour ce délai."],
    ),
    Action.CLOSE_RESOLVED: (
        ["Réponse satisfaisante, merci.", "Paiement bien reçu, merci pour votre aide.",
         "Tout est rentré dans l'ordre.", "Merci, le problème est résolu.",
         "Le virement est arrivé ce matin.", "Connexion rétablie, merci."],
        [],
    ),
    Action.CLOSE_UNRESOLVED: (
        ["Sans suite de notre côté.", "Nous abandonnons cette réclamation.",
         "La réponse ne règle pas le problème mais nous clôturons.",
         "Nous saisirons directement le comptable public."],
        [],
    ),
    Action.REOPEN: (
        [["La réponse ne traite pas le point soulevé.", "Le paiement annoncé n'a jamais été reçu.",
          "Le montant versé reste inférieur au montant dû."],
         ["La réponse ne traite pas le point soulevé.", "Le mémoire n'a toujours pas été payé."],
         ["La réponse ne traite pas le point soulevé.", "Le remboursement n'a toujours pas été reçu."],
         ["La réponse ne traite pas le point soulevé.", "Le problème de connexion est réapparu."],
         ["La réponse ne traite pas le point soulevé.", "Le flux est de nouveau rejeté."]],
        ["Merci de reprendre l'examen du dossier.", "Nous joignons le relevé bancaire du mois.",
         "Le montant reste erroné.", "Merci de vérifier auprès du service payeur."],
    ),
    Action.ADD_COMPLEMENT: (
        ["Vous trouverez le document demandé en pièce jointe.", "Voici le numéro d'engagement demandé.",
         "Le bon de commande signé est joint.", "Le relevé d'identité bancaire à jour est joint.",
         "La prestation a été réalisée en mars."],
        ["Merci de reprendre le traitement.", "Nous restons disponibles pour toute autre précision."],
    ),
    Action.CLOSE_EARLY: (
        ["Le paiement est arrivé entre-temps.", "Demande déposée par erreur.",
         "Le problème a été résolu de notre côté.", "Doublon d'une autre sollicitation."],
        [],
    ),
    Action.TRANSFER_TO_SUPPORT: (
        ["Cette demande relève du support du portail.", "Question technique hors de notre périmètre.",
         "Problème de compte utilisateur : transmis au support."],
        ["Merci de la prendre en charge."],
    ),
}  # fmt: skip
# Attachments, by who adds them: (file name stem, extension, type, designation). "{n}" becomes the number.
_FILES = [
    [  # the emitter, on a draft
        ("facture-{n}", "pdf", "Sollicitation", "Facture contestée"),
        ("bon-de-commande-{n}", "pdf", "Justificatif", "Bon de commande"),
        ("capture-ecran", "png", "Capture d'écran", "Capture de l'erreur"),
        ("releve-bancaire", "pdf", "Justificatif", "Relevé bancaire"),
        ("courrier-relance-{n}", "txt", "Sollicitation", "Courrier de relance"),
        ("detail-lignes-{n}", "csv", "Justificatif", "Détail des lignes facturées"),
    ],
    [  # the emitter, when information is asked
        ("justificatif-{n}", "pdf", "Justificatif", "Justificatif demandé"),
        ("rib", "pdf", "Justificatif", "Relevé d'identité bancaire"),
        ("pv-reception-{n}", "pdf", "Justificatif", "Procès-verbal de réception"),
        ("capture-portail", "png", "Capture d'écran", "Capture du portail"),
    ],
    [  # the recipient's agent
        ("reponse-{n}", "pdf", "Réponse", "Réponse du service"),
        ("avis-de-paiement-{n}", "pdf", "Réponse", "Avis de paiement"),
        ("note-explicative", "txt", "Réponse", "Note explicative"),
        ("extrait-comptable-{n}", "csv", "Justificatif", "Extrait comptable"),
    ],
]  # fmt: skip


def _tiny_pdf() -> str:
    """A one-page PDF of a few hundred bytes whose text holds a 10-character placeholder, NNNNNNNNNN:
    replaced by a number of the same width, the cross-reference offsets stay right."""
    stream = "BT /F1 14 Tf 72 760 Td (Piece jointe - sollicitation NNNNNNNNNN) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"


_PDF = _tiny_pdf()


def _tiny_png() -> bytes:
    """A 1x1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b"")


_PNG = _tiny_png()


def generate(desk: Desk, size: int, seed: int = 1) -> None:
    """Add `size` requests spread over every status, category, structure and two years, each with the
    history the desk would have written (about five rows: every step a legal transition by someone allowed
    to take it), its comments and, for about one request in three, attachments with a small content.

    DuckDB-only SQL (range, hash, list indexing): it builds demo files, it is not the store's API.
    """
    cur = desk.store.cursor()
    pairs = [(p.categorie, p.sous_categorie, p.type_objet, p.routage, _THEMES.get(p.categorie, 1))
             for p in desk.catalogue.pairs]  # fmt: skip
    n_emitters = min(50_000, max(5, size // 20))
    n_publics = min(10_000, max(3, size // 100))
    comment_kinds = list(_COMMENT_FRAGMENTS)
    n_themes = len(_OPENINGS)
    variants, steps, cumulative, total = [], [], [], 0
    for variant, weight, _ in _PATHS:
        walked, (status, assignee, transferred, resent, resolved, sent_at) = _WALKS[variant]
        total += weight
        cumulative.append((variant, total))
        ranks = {"comment": 0, "file": 0}
        for k, (action, who, old, new) in enumerate(walked):
            comment = comment_kinds.index(action) + 1 if action in COMMENT_SHOWN_IN_EXCHANGE else None
            file_kind = None
            if action == Action.ADD_ATTACHMENT:
                file_kind = 3 if who != "e" else 1 if old == Status.BROUILLON else 2
            steps.append((variant, k, action.value, old and old.value, new.value, who,
                          "emetteur" if who == "e" else "destinataire", comment, ranks["comment"] if comment else None,
                          file_kind, ranks["file"] if file_kind else None, file_kind and len(_FILES[file_kind - 1])))  # fmt: skip
            ranks["comment"] += comment is not None
            ranks["file"] += file_kind is not None
        variants.append((variant, len(walked), status.value, assignee, transferred, resent, resolved, sent_at,
                         ranks["comment"], ranks["file"]))  # fmt: skip
    files = [(kind, k, *spec) for kind, specs in enumerate(_FILES, 1) for k, spec in enumerate(specs, 1)]
    base = cur.execute("SELECT coalesce(max(numero), 0) FROM sollicitations").fetchone()[0] + 1
    ids_before = {t: cur.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
                  for t in ("historique", "commentaires", "pieces_jointes")}  # fmt: skip

    cur.execute("BEGIN TRANSACTION")
    # rnd(i, k, n): the k-th pseudo-random draw in [0, n) for row i, the same for the same seed.
    cur.execute(f"CREATE TEMP MACRO rnd(i, k, n) AS (hash(i, {int(seed)}, k) % n)::BIGINT")
    # skew(i, k, n): a draw in [1, n] where 1 is the most frequent and n the rarest (u² of a uniform u).
    cur.execute(f"CREATE TEMP MACRO skew(i, k, n) AS (1 + floor(n * pow((hash(i, {int(seed)}, k) % 1000003) / 1000003.0, 2)))::BIGINT")
    # ref(p, i, d, r): the reference a placeholder stands for, drawn for row i, around day d (a CASE: only the
    # placeholder's own branch is computed). Reference numbers are drawn among r (one per hundred requests):
    # each supplier numbers its own invoices, so the same number comes back from one supplier to another, and
    # a world of any size keeps most of its searchable words real words, not numbers.
    cur.execute(
        """
        CREATE TEMP MACRO ref(p, i, d, r) AS CASE p
            WHEN 'fac' THEN 'FAC-' || year(d) || '-' || lpad((1 + rnd(i, 30, r))::VARCHAR, 5, '0')
            WHEN 'montant' THEN printf('%d,%02d', 10 * (4 + rnd(i, 31, r)),
                                       CASE WHEN rnd(i, 32, 3) = 0 THEN 5 * rnd(i, 39, 20) ELSE 0 END)
            WHEN 'date' THEN strftime(d - INTERVAL 1 DAY * rnd(i, 33, 90), '%d/%m/%Y')
            WHEN 'bc' THEN 'BC-' || lpad((1 + rnd(i, 34, r))::VARCHAR, 5, '0')
            WHEN 'ej' THEN (1300000000 + rnd(i, 35, r))::VARCHAR
            WHEN 'tic' THEN 'TIC-' || year(d) || '-' || lpad((1 + rnd(i, 36, r))::VARCHAR, 5, '0')
            WHEN 'mfj' THEN 'MFJ-' || year(d) || '-' || lpad((1 + rnd(i, 36, r))::VARCHAR, 5, '0')
            WHEN 'flux' THEN 'FLX-' || year(d) || '-' || lpad((1 + rnd(i, 37, r))::VARCHAR, 5, '0')
            WHEN 'jours' THEN [15, 30, 10, 45, 20, 5, 60, 3, 12, 90, 8, 2, 120][skew(i, 38, 13)]::VARCHAR
            WHEN 'code' THEN ['400', '401', '403', '422', '500', '404', '503'][skew(i, 29, 7)]
            ELSE '' END
        """
    )
    # The reference sentences cut at their placeholders: text, placeholder, text, placeholder, text.
    cur.execute("CREATE TEMP TABLE gen_refs (theme INTEGER, k INTEGER, t0 VARCHAR, p1 VARCHAR, t1 VARCHAR, p2 VARCHAR, t2 VARCHAR)")
    cur.executemany(
        "INSERT INTO gen_refs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(theme, k, *(re.split(r"\{(\w+)\}", template) + [None, "", None, ""])[:5])
         for theme, templates in enumerate(_REFERENCES, 1) for k, template in enumerate(templates, 1)],
    )
    cur.execute("CREATE TEMP TABLE gen_pairs (k INTEGER, categorie VARCHAR, sous_categorie VARCHAR, type_objet VARCHAR, routage VARCHAR, theme INTEGER)")
    cur.executemany("INSERT INTO gen_pairs VALUES (?, ?, ?, ?, ?, ?)", [(i, *p) for i, p in enumerate(pairs)])
    cur.execute(
        "CREATE TEMP TABLE gen_variants (variant VARCHAR, n_steps INTEGER, statut VARCHAR, assignee VARCHAR,"
        " transferred BOOLEAN, renvoyee BOOLEAN, resolue BOOLEAN, sent_step INTEGER, n_comments INTEGER, n_files INTEGER)"
    )
    cur.executemany("INSERT INTO gen_variants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", variants)
    cur.execute(
        "CREATE TEMP TABLE gen_steps (variant VARCHAR, step INTEGER, action VARCHAR, ancien VARCHAR, nouveau VARCHAR,"
        " who VARCHAR, cote VARCHAR, comment_kind INTEGER, comment_rank INTEGER, file_kind INTEGER, file_rank INTEGER,"
        " file_count INTEGER)"
    )
    cur.executemany("INSERT INTO gen_steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", steps)
    cur.execute("CREATE TEMP TABLE gen_files (kind INTEGER, k INTEGER, stem VARCHAR, ext VARCHAR, type VARCHAR, designation VARCHAR)")
    cur.executemany("INSERT INTO gen_files VALUES (?, ?, ?, ?, ?, ?)", files)
    params = {"trades": _TRADES, "names": _NAMES, "first": _FIRST, "publics": _PUBLICS, "towns": _TOWNS}
    cur.execute(
        f"""
        INSERT INTO structures
        SELECT printf('%014d', 20000000000000 + i),
               $trades[1 + rnd(i, 1, len($trades))] || ' ' || $names[1 + rnd(i, 2, len($names))] || ' ' || i,
               false, false, NULL
        FROM range({n_emitters}) t(i)
        """,
        {k: params[k] for k in ("trades", "names")},
    )
    cur.execute(
        f"""
        INSERT INTO structures
        SELECT printf('%014d', 30000000000000 + i),
               $publics[1 + rnd(i, 3, len($publics))] || ' ' || $towns[1 + rnd(i, 4, len($towns))] || ' ' || i,
               true, rnd(i, 5, 4) = 0, NULL
        FROM range({n_publics}) t(i)
        """,
        {k: params[k] for k in ("publics", "towns")},
    )
    cur.execute(
        f"""
        INSERT INTO services
        SELECT nextval('services_id'), printf('%014d', 30000000000000 + i), c.code, c.libelle
        FROM range({n_publics}) t(i), (VALUES ('factures', 'Service des factures'), ('finances', 'Service financier')) c(code, libelle)
        WHERE rnd(i, 6, 2) = 0
        """
    )
    # Each generated public structure has two agents: 'a<i>', who receives, and 'b<i>', to whom 'a<i>' assigns.
    cur.execute(
        f"""
        INSERT INTO users (login, nom, prenom, email, telephone)
        SELECT 'u' || i, upper($names[1 + rnd(i, 7, len($names))]), $first[1 + rnd(i, 8, len($first))],
               'u' || i || '@fournisseur.example', NULL
        FROM range({n_emitters}) t(i)
        UNION ALL
        SELECT 'a' || i, upper($names[1 + rnd(i, 9, len($names))]), $first[1 + rnd(i, 10, len($first))],
               'a' || i || '@public.example', NULL
        FROM range({n_publics}) t(i)
        UNION ALL
        SELECT 'b' || i, upper($names[1 + rnd(i, 39, len($names))]), $first[1 + rnd(i, 40, len($first))],
               'b' || i || '@public.example', NULL
        FROM range({n_publics}) t(i)
        """,
        {k: params[k] for k in ("names", "first")},
    )
    cur.execute(f"INSERT INTO habilitations SELECT 'u' || i, printf('%014d', 20000000000000 + i), 'emetteur', true FROM range({n_emitters}) t(i)")
    cur.execute(
        f"INSERT INTO habilitations SELECT who || i, printf('%014d', 30000000000000 + i), 'agent', true"
        f" FROM range({n_publics}) t(i), (VALUES ('a'), ('b')) w(who)"
    )
    # One in ten generated requests comes from, or goes to, the demo logins' own structures.
    picked = " ".join(f"WHEN r.pick_variant < {c} THEN '{v}'" for v, c in cumulative)
    transfers = ", ".join(f"'{v}'" for v, _, path in _PATHS if any(a == Action.TRANSFER_TO_SUPPORT for a, _ in path))
    contacts = ", ".join(f"'{v}'" for v in _CONTACT_PATHS)
    today = f"TIMESTAMP '{DEMO_TODAY:%Y-%m-%d %H:%M:%S}'"
    cur.execute(
        f"""
        CREATE TEMP TABLE gen AS
        WITH r AS (
            SELECT i, {base} + i AS numero,
                   rnd(i, 11, {total}) AS pick_variant,
                   rnd(i, 12, (SELECT count(*) FROM gen_pairs)) AS pair_k,
                   rnd(i, 13, 10) = 0 AS known_emitter,
                   rnd(i, 14, 10) = 0 AS known_public,
                   rnd(i, 15, 50) = 0 AS is_contact,
                   rnd(i, 16, {n_emitters}) AS emitter_k,
                   rnd(i, 17, {n_publics}) AS public_k,
                   rnd(i, 18, 3) AS known_k,
                   rnd(i, 19, 2) AS known_public_k,
                   rnd(i, 22, 72) + 1 AS step_hours
            FROM range({size}) t(i)
        ), rp AS (
            SELECT r.*, p.categorie, p.sous_categorie, p.type_objet, p.routage, p.theme,
                   (r.is_contact AND p.routage = 'support') AS contact,
                   CASE {picked} END AS picked
            FROM r JOIN gen_pairs p ON p.k = r.pair_k
        ), v AS (
            SELECT p.*,
                   -- A visitor of "Nous contacter" cannot act afterwards: only the support desk moves those.
                   CASE WHEN p.contact THEN [{contacts}][1 + p.pick_variant % {len(_CONTACT_PATHS)}]
                        WHEN p.routage = 'support' AND p.picked IN ({transfers}) THEN '{_INSTEAD_OF_TRANSFER}'
                        ELSE p.picked END AS variant
            FROM rp p
        )
        SELECT v.numero, v.categorie, v.sous_categorie, v.type_objet, v.routage, v.variant, v.contact, v.step_hours,
               gv.n_steps, gv.statut, gv.assignee, gv.transferred, gv.renvoyee, gv.resolue, gv.sent_step,
               -- The whole path lies in the two years before the reference day.
               {today} - INTERVAL 1 HOUR * (gv.n_steps * v.step_hours)
                       - INTERVAL 1 SECOND * rnd(v.i, 20, 730 * 86400) AS saisie_le,
               CASE WHEN v.contact THEN NULL
                    WHEN v.known_emitter THEN ['{REC201FOURNISSEUR}', '{REC100FOURNISSEUR}', '{LOGES_DU_GREL}'][1 + v.known_k]
                    ELSE printf('%014d', 20000000000000 + v.emitter_k) END AS emetteur_id,
               CASE WHEN v.contact THEN NULL
                    WHEN v.known_emitter THEN 'fournisseur' ELSE 'u' || v.emitter_k END AS cree_par,
               CASE WHEN v.routage = 'support' THEN '{SUPPORT}'
                    WHEN v.routage = 'frais_justice' THEN '{BUREAU_FRAIS_JUSTICE}'
                    WHEN v.type_objet = 'demande_remboursement_tic' THEN '{FINANCES_TIC}'
                    WHEN v.type_objet = 'memoire_frais_justice' THEN '{COUR_APPEL}'
                    WHEN v.known_public THEN ['{REC201DESTINATAIRE}', '{STRUCTURE_PUBLIQUE_TEST}'][1 + v.known_public_k]
                    ELSE printf('%014d', 30000000000000 + v.public_k) END AS destinataire_id,
               CASE WHEN v.routage = 'support' THEN 'support'
                    WHEN v.routage = 'frais_justice' OR v.type_objet = 'memoire_frais_justice' THEN 'bureau_fj'
                    WHEN v.type_objet = 'demande_remboursement_tic' THEN 'agent_tic'
                    WHEN v.known_public THEN 'destinataire' ELSE 'a' || v.public_k END AS agent,
               -- Whom the agent assigns: a colleague where the structure has one, else the agent itself.
               CASE WHEN v.routage = 'support' THEN 'support'
                    WHEN v.routage = 'frais_justice' OR v.type_objet = 'memoire_frais_justice' THEN 'bureau_fj'
                    WHEN v.type_objet = 'demande_remboursement_tic' THEN 'agent_tic'
                    WHEN v.known_public THEN 'collegue' ELSE 'b' || v.public_k END AS colleague,
               v.theme, v.i,
               -- Ids of this request's first history row, comment and attachment, in number order.
               sum(gv.n_steps) OVER w - gv.n_steps AS history_offset,
               sum(gv.n_comments) OVER w - gv.n_comments AS comment_offset,
               sum(gv.n_files) OVER w - gv.n_files AS file_offset
        FROM v JOIN gen_variants gv ON gv.variant = v.variant
        WINDOW w AS (ORDER BY v.numero ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        """
    )
    cur.execute(
        """
        INSERT INTO objets
        SELECT nextval('objets_id'), g.type_objet, 'GEN-' || g.numero, g.emetteur_id, g.destinataire_id, NULL,
               'mise_a_disposition'
        FROM gen g WHERE g.type_objet IS NOT NULL AND g.emetteur_id IS NOT NULL
        """
    )
    # A step's date: `step_hours` apart on average, each but the first moved by less than that, so that
    # a request's steps keep their order.
    cur.execute(
        "CREATE TEMP MACRO step_date(saisie, k, h, n) AS saisie + INTERVAL 1 HOUR * (k * h)"
        " + INTERVAL 1 SECOND * CASE WHEN k = 0 THEN 0 ELSE rnd(n * 16 + k, 41, h * 3600) END"
    )
    cur.execute(
        """
        INSERT INTO sollicitations (numero, statut, categorie, sous_categorie, type_objet, numero_objet, objet_id,
            emetteur_id, description, destinataire_id, assigne_a, cree_par, contact, renvoyee, resolue,
            saisie_le, envoyee_le, cloturee_le, modifiee_le, email)
        SELECT g.numero, g.statut, g.categorie, g.sous_categorie,
               CASE WHEN g.emetteur_id IS NOT NULL THEN g.type_objet END,
               CASE WHEN g.type_objet IS NOT NULL AND g.emetteur_id IS NOT NULL THEN 'GEN-' || g.numero END,
               o.id, g.emetteur_id,
               concat_ws(' ',
                   $openings[g.theme][skew(g.i, 21, len($openings[g.theme]))],
                   CASE WHEN rnd(g.i, 23, 10) < 8
                        THEN rf.t0 || ref(rf.p1, g.i, g.saisie_le, $r) || rf.t1 || ref(rf.p2, g.i, g.saisie_le, $r) || rf.t2 END,
                   CASE WHEN rnd(g.i, 25, 10) < 5 THEN $details[skew(g.i, 26, len($details))] END,
                   CASE WHEN rnd(g.i, 27, 10) < 7 THEN $closings[skew(g.i, 28, len($closings))] END),
               CASE WHEN g.statut = 'brouillon' THEN NULL WHEN g.transferred THEN $support ELSE g.destinataire_id END,
               CASE g.assignee WHEN 'd' THEN g.agent WHEN 'c' THEN g.colleague WHEN 's' THEN 'support' END,
               g.cree_par, g.contact, g.renvoyee, g.resolue,
               g.saisie_le, step_date(g.saisie_le, g.sent_step, g.step_hours, g.numero),
               CASE WHEN g.statut = 'fermee' THEN step_date(g.saisie_le, g.n_steps - 1, g.step_hours, g.numero) END,
               step_date(g.saisie_le, g.n_steps - 1, g.step_hours, g.numero),
               CASE WHEN g.contact THEN 'contact' || g.numero || '@visiteur.example' END
        FROM gen g LEFT JOIN objets o ON o.numero = 'GEN-' || g.numero AND o.type = g.type_objet
        JOIN gen_refs rf ON rf.theme = g.theme AND rf.k = skew(g.i, 24, $ref_counts[g.theme])
        -- Stored in number order, as the app's writes store them: a list's page joins its 50 numbers back
        -- to the requests, and the row groups' number ranges let that join skip the others (in join
        -- order, 1M requests listed at 66 ms instead of 35 ms).
        ORDER BY g.numero
        """,
        {"openings": _OPENINGS, "ref_counts": [len(r) for r in _REFERENCES], "details": _DETAILS, "closings": _CLOSINGS,
         "support": SUPPORT, "r": max(20, size // 100)},  # fmt: skip
    )
    cur.execute(
        f"""
        CREATE TEMP TABLE gen_history AS
        WITH h AS (
            SELECT g.numero, s.step, s.action, s.ancien, s.nouveau, s.cote, s.file_kind,
                   {ids_before["historique"]} + g.history_offset + s.step + 1 AS id,
                   {ids_before["commentaires"]} + g.comment_offset + s.comment_rank + 1 AS comment_id,
                   {ids_before["pieces_jointes"]} + g.file_offset + s.file_rank + 1 AS file_id,
                   step_date(g.saisie_le, s.step, g.step_hours, g.numero) AS date,
                   CASE s.who WHEN 'e' THEN g.cree_par WHEN 'd' THEN g.agent WHEN 'c' THEN g.colleague ELSE 'support' END AS login,
                   CASE WHEN s.comment_kind IS NOT NULL THEN concat_ws(' ',
                       $first[(s.comment_kind - 1) * {n_themes} + g.theme][skew(g.numero * 16 + s.step, 42,
                              len($first[(s.comment_kind - 1) * {n_themes} + g.theme]))],
                       CASE WHEN rnd(g.numero * 16 + s.step, 43, 10) < 6
                            THEN $second[s.comment_kind][skew(g.numero * 16 + s.step, 44, len($second[s.comment_kind]))] END)
                   END AS texte,
                   CASE WHEN s.file_kind IS NOT NULL
                        THEN skew(g.numero * 16 + s.step, 45, s.file_count) END AS file_k,
                   CASE WHEN s.action = 'assign' THEN g.colleague END AS assigned
            FROM gen g JOIN gen_steps s ON s.variant = g.variant
        )
        SELECT h.*, replace(f.stem, '{{n}}', h.numero::VARCHAR) || '.' || f.ext AS nom_fichier, f.ext, f.type, f.designation,
               CASE WHEN h.action = 'assign' THEN 'Assignée à ' || u.nom || ' ' || u.prenom
                    WHEN h.action = 'add_attachment' THEN 'Pièce jointe ajoutée : ' || replace(f.stem, '{{n}}', h.numero::VARCHAR) || '.' || f.ext
                    ELSE h.texte END AS commentaire
        FROM h LEFT JOIN gen_files f ON f.kind = h.file_kind AND f.k = h.file_k
        LEFT JOIN users u ON u.login = h.assigned
        """,
        {"first": [fragments if isinstance(fragments[0], str) else fragments[theme]
                   for fragments in (_COMMENT_FRAGMENTS[a][0] for a in comment_kinds) for theme in range(n_themes)],
         "second": [_COMMENT_FRAGMENTS[a][1] for a in comment_kinds]},  # fmt: skip
    )
    cur.execute("INSERT INTO historique SELECT id, numero, date, login, action, ancien, nouveau, commentaire FROM gen_history ORDER BY id")
    cur.execute(
        "INSERT INTO commentaires SELECT comment_id, numero, date, login, cote, texte FROM gen_history"
        " WHERE texte IS NOT NULL ORDER BY comment_id"
    )
    # Contents: a one-page PDF, a 1x1 PNG or a few lines of text naming the request; size and hash are theirs.
    cur.execute(
        """
        CREATE TEMP TABLE gen_attachments AS
        SELECT file_id AS id, numero, type, designation, ext, nom_fichier, cote, login, date,
               CASE ext WHEN 'pdf' THEN encode(replace($pdf, 'NNNNNNNNNN', lpad(numero::VARCHAR, 10, '0')))
                        WHEN 'png' THEN $png
                        WHEN 'csv' THEN encode('numero;date;montant' || chr(10) || numero || ';'
                                               || strftime(date, '%d/%m/%Y') || ';' || (file_id % 9000 + 100) || ',00' || chr(10))
                        ELSE encode(designation || ' - sollicitation n° ' || numero || chr(10)
                                    || 'Document déposé le ' || strftime(date, '%d/%m/%Y') || '.' || chr(10)) END AS contenu
        FROM gen_history WHERE file_kind IS NOT NULL
        """,
        {"pdf": _PDF, "png": _PNG},
    )
    cur.execute(
        "INSERT INTO pieces_jointes SELECT id, numero, type, designation, ext, nom_fichier, octet_length(contenu),"
        " sha256(contenu), cote, login, date FROM gen_attachments ORDER BY id"
    )
    cur.execute("INSERT INTO pieces_jointes_contenu SELECT id, contenu FROM gen_attachments ORDER BY id")
    # Ids were computed (in history order, the same for a seed): move the sequences past them.
    for table, sequence in (("historique", "historique_id"), ("commentaires", "commentaires_id"),
                            ("pieces_jointes", "pieces_jointes_id")):  # fmt: skip
        added = cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] - ids_before[table]
        if added > 0:
            cur.execute(f"SELECT max(nextval('{sequence}')) FROM range({int(added)})")
    # Keep the numbering ahead of what was generated.
    cur.execute(f"SELECT max(nextval('sollicitations_numero')) FROM range({size})")
    for table in ("gen", "gen_history", "gen_attachments", "gen_refs", "gen_pairs", "gen_steps", "gen_variants", "gen_files"):
        cur.execute(f"DROP TABLE {table}")
    for macro in ("step_date", "ref", "skew", "rnd"):
        cur.execute(f"DROP MACRO {macro}")
    desk.store.rebuild_derived(cur)  # structure keys, full-text index and first steps, as the writes keep them
    cur.execute("COMMIT")

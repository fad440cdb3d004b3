"""The demo world: the guide's structures and invoices, invented people, and any volume of requests.

The fixed part goes through the desk, as users would; the generated part is one set of SQL
statements over range(), so that a million requests take seconds, not a Python loop per row.
Every name here is invented.
"""
from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from . import accounts
from .clock import paris_now
from .database import is_postgresql_url
from .desk import Desk, open_desk
from .status import Action, Status

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


# Paths of the generated requests: (variant, weight in %, [(action, old status, new status, side)]).
_E, _D = "emetteur", "destinataire"
_PATHS = [
    ("brouillon", 8, [(Action.SAVE_DRAFT, None, Status.BROUILLON, _E)]),
    ("envoyee", 15, [(Action.SUBMIT, None, Status.ENVOYEE, _E)]),
    ("en_cours", 15, [(Action.SUBMIT, None, Status.ENVOYEE, _E), (Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS, _D)]),
    ("informations", 8, [(Action.SUBMIT, None, Status.ENVOYEE, _E), (Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS, _D),
                         (Action.REQUEST_INFORMATION, Status.EN_COURS, Status.INFORMATIONS_REQUISES, _D)]),
    ("repondue", 14, [(Action.SUBMIT, None, Status.ENVOYEE, _E), (Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS, _D),
                      (Action.RESPOND, Status.EN_COURS, Status.REPONDUE, _D)]),
    ("fermee", 32, [(Action.SUBMIT, None, Status.ENVOYEE, _E), (Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS, _D),
                    (Action.RESPOND, Status.EN_COURS, Status.REPONDUE, _D),
                    (Action.CLOSE_RESOLVED, Status.REPONDUE, Status.FERMEE, _E)]),
    ("rouverte", 8, [(Action.SUBMIT, None, Status.ENVOYEE, _E), (Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS, _D),
                     (Action.RESPOND, Status.EN_COURS, Status.REPONDUE, _D), (Action.REOPEN, Status.REPONDUE, Status.ENVOYEE, _E),
                     (Action.TAKE_IN_CHARGE, Status.ENVOYEE, Status.EN_COURS, _D), (Action.RESPOND, Status.EN_COURS, Status.REPONDUE, _D),
                     (Action.CLOSE_UNRESOLVED, Status.REPONDUE, Status.FERMEE, _E)]),
]  # fmt: skip
_COMMENTS = {
    Action.REQUEST_INFORMATION: "Merci de préciser le numéro d'engagement et de joindre le justificatif.",
    Action.RESPOND: "Votre demande a été traitée : le paiement sera effectué sous quinze jours.",
    Action.CLOSE_RESOLVED: "Réponse satisfaisante, merci.",
    Action.REOPEN: "La réponse ne traite pas le point soulevé : le montant reste erroné.",
    Action.CLOSE_UNRESOLVED: "Sans suite de notre côté.",
}
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
_DESCRIPTIONS = [
    "Le montant payé ne correspond pas au montant de la facture.",
    "La facture a été rejetée sans motif compréhensible.",
    "Le délai de paiement de 30 jours est dépassé.",
    "Nous ne parvenons pas à joindre le service gestionnaire.",
    "Le destinataire indiqué sur la facture n'est pas le bon.",
    "Question sur la procédure de dépôt des pièces justificatives.",
    "Le raccordement de notre logiciel de facturation échoue.",
    "Nous souhaitons connaître l'état d'avancement du paiement.",
]


def generate(desk: Desk, size: int, seed: int = 1) -> None:
    """Add `size` requests spread over every status, category, structure and two years.

    DuckDB-only SQL (range, hash, list indexing): it builds demo files, it is not the store's API.
    """
    cur = desk.store.cursor()
    pairs = [(p.categorie, p.sous_categorie, p.type_objet, p.routage) for p in desk.catalogue.pairs]
    n_emitters = min(50_000, max(5, size // 20))
    n_publics = min(10_000, max(3, size // 100))
    variants, weights, steps = [], [], []
    for variant, weight, path in _PATHS:
        variants.append(variant)
        weights.append(weight)
        for k, (action, old, new, side) in enumerate(path):
            steps.append((variant, k, action.value, old and old.value, new.value, side, _COMMENTS.get(action)))
    cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]
    base = cur.execute("SELECT coalesce(max(numero), 0) FROM sollicitations").fetchone()[0] + 1

    cur.execute("BEGIN TRANSACTION")
    # rnd(i, k, n): the k-th pseudo-random draw in [0, n) for row i, the same for the same seed.
    cur.execute(f"CREATE TEMP MACRO rnd(i, k, n) AS (hash(i, {int(seed)}, k) % n)::BIGINT")
    cur.execute("CREATE TEMP TABLE gen_pairs (k INTEGER, categorie VARCHAR, sous_categorie VARCHAR, type_objet VARCHAR, routage VARCHAR)")
    cur.executemany("INSERT INTO gen_pairs VALUES (?, ?, ?, ?, ?)", [(i, *p) for i, p in enumerate(pairs)])
    cur.execute("CREATE TEMP TABLE gen_steps (variant VARCHAR, step INTEGER, action VARCHAR, ancien VARCHAR, nouveau VARCHAR, cote VARCHAR, commentaire VARCHAR)")
    cur.executemany("INSERT INTO gen_steps VALUES (?, ?, ?, ?, ?, ?, ?)", steps)
    params = {"trades": _TRADES, "names": _NAMES, "first": _FIRST, "publics": _PUBLICS,
              "towns": _TOWNS, "descriptions": _DESCRIPTIONS}  # fmt: skip
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
        """,
        {k: params[k] for k in ("names", "first")},
    )
    cur.execute(f"INSERT INTO habilitations SELECT 'u' || i, printf('%014d', 20000000000000 + i), 'emetteur', true FROM range({n_emitters}) t(i)")
    cur.execute(f"INSERT INTO habilitations SELECT 'a' || i, printf('%014d', 30000000000000 + i), 'agent', true FROM range({n_publics}) t(i)")
    # One in ten generated requests comes from, or goes to, the demo logins' own structures.
    cur.execute(
        f"""
        CREATE TEMP TABLE gen AS
        WITH r AS (
            SELECT i, {base} + i AS numero,
                   rnd(i, 11, 100) AS pick_variant,
                   rnd(i, 12, (SELECT count(*) FROM gen_pairs)) AS pair_k,
                   rnd(i, 13, 10) = 0 AS known_emitter,
                   rnd(i, 14, 10) = 0 AS known_public,
                   rnd(i, 15, 50) = 0 AS is_contact,
                   rnd(i, 16, {n_emitters}) AS emitter_k,
                   rnd(i, 17, {n_publics}) AS public_k,
                   rnd(i, 18, 3) AS known_k,
                   rnd(i, 19, 2) AS known_public_k,
                   TIMESTAMP '{DEMO_TODAY:%Y-%m-%d %H:%M:%S}' - INTERVAL 1 SECOND * (rnd(i, 20, (730) * 86400)) AS saisie_le
            FROM range({size}) t(i)
        )
        SELECT r.numero, r.saisie_le, p.categorie, p.sous_categorie, p.type_objet, p.routage,
               -- A visitor of "Nous contacter" cannot act afterwards: only the support desk moves those.
               CASE WHEN r.is_contact AND p.routage = 'support' THEN ['envoyee', 'en_cours', 'repondue'][1 + r.pick_variant % 3]
                    {" ".join(f"WHEN r.pick_variant < {c} THEN '{v}'" for v, c in zip(variants, cumulative))} END AS variant,
               (r.is_contact AND p.routage = 'support') AS contact,
               CASE WHEN r.is_contact AND p.routage = 'support' THEN NULL
                    WHEN r.known_emitter THEN ['{REC201FOURNISSEUR}', '{REC100FOURNISSEUR}', '{LOGES_DU_GREL}'][1 + r.known_k]
                    ELSE printf('%014d', 20000000000000 + r.emitter_k) END AS emetteur_id,
               CASE WHEN r.is_contact AND p.routage = 'support' THEN NULL
                    WHEN r.known_emitter THEN 'fournisseur' ELSE 'u' || r.emitter_k END AS cree_par,
               CASE WHEN p.routage = 'support' THEN '{SUPPORT}'
                    WHEN p.routage = 'frais_justice' THEN '{BUREAU_FRAIS_JUSTICE}'
                    WHEN p.type_objet = 'demande_remboursement_tic' THEN '{FINANCES_TIC}'
                    WHEN p.type_objet = 'memoire_frais_justice' THEN '{COUR_APPEL}'
                    WHEN r.known_public THEN ['{REC201DESTINATAIRE}', '{STRUCTURE_PUBLIQUE_TEST}'][1 + r.known_public_k]
                    ELSE printf('%014d', 30000000000000 + r.public_k) END AS destinataire_id,
               CASE WHEN p.routage = 'support' THEN 'support'
                    WHEN p.routage = 'frais_justice' OR p.type_objet = 'memoire_frais_justice' THEN 'bureau_fj'
                    WHEN p.type_objet = 'demande_remboursement_tic' THEN 'agent_tic'
                    WHEN r.known_public THEN 'destinataire' ELSE 'a' || r.public_k END AS agent,
               $descriptions[1 + rnd(r.i, 21, len($descriptions))] AS description,
               rnd(r.i, 22, 72) + 1 AS step_hours
        FROM r JOIN gen_pairs p ON p.k = r.pair_k
        """,
        {"descriptions": _DESCRIPTIONS},
    )
    cur.execute(
        """
        INSERT INTO objets
        SELECT nextval('objets_id'), g.type_objet, 'GEN-' || g.numero, g.emetteur_id, g.destinataire_id, NULL,
               'mise_a_disposition'
        FROM gen g WHERE g.type_objet IS NOT NULL AND g.emetteur_id IS NOT NULL
        """
    )
    cur.execute(
        """
        CREATE TEMP TABLE gen_history AS
        SELECT g.numero, s.step, s.action, s.ancien, s.nouveau, s.cote, s.commentaire,
               g.saisie_le + INTERVAL 1 HOUR * (s.step * g.step_hours) AS date,
               CASE WHEN s.cote = 'emetteur' THEN g.cree_par ELSE g.agent END AS login,
               max(s.step) OVER (PARTITION BY g.numero) = s.step AS last
        FROM gen g JOIN gen_steps s ON s.variant = g.variant
        WHERE NOT (g.contact AND s.variant = 'brouillon')
        """
    )
    cur.execute(
        """
        INSERT INTO sollicitations (numero, statut, categorie, sous_categorie, type_objet, numero_objet, objet_id,
            emetteur_id, description, destinataire_id, assigne_a, cree_par, contact, renvoyee, resolue,
            saisie_le, envoyee_le, cloturee_le, modifiee_le, email)
        SELECT g.numero, h.nouveau, g.categorie, g.sous_categorie,
               CASE WHEN g.emetteur_id IS NOT NULL THEN g.type_objet END,
               CASE WHEN g.type_objet IS NOT NULL AND g.emetteur_id IS NOT NULL THEN 'GEN-' || g.numero END,
               o.id, g.emetteur_id, g.description,
               CASE WHEN h.nouveau <> 'brouillon' THEN g.destinataire_id END,
               CASE WHEN h.nouveau NOT IN ('brouillon', 'envoyee') THEN g.agent END,
               g.cree_par, g.contact, g.variant = 'rouverte' AND h.nouveau = 'envoyee',
               CASE WHEN h.nouveau = 'fermee' THEN h.action = 'close_resolved' END,
               g.saisie_le, CASE WHEN h.nouveau <> 'brouillon' THEN g.saisie_le END,
               CASE WHEN h.nouveau = 'fermee' THEN h.date END, h.date,
               CASE WHEN g.contact THEN 'contact' || g.numero || '@visiteur.example' END
        FROM gen g JOIN gen_history h ON h.numero = g.numero AND h.last
        LEFT JOIN objets o ON o.numero = 'GEN-' || g.numero AND o.type = g.type_objet
        """
    )
    ids_before = {t: cur.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
                  for t in ("historique", "commentaires")}  # fmt: skip
    cur.execute(
        """
        INSERT INTO historique
        SELECT (SELECT coalesce(max(id), 0) FROM historique) + row_number() OVER (ORDER BY numero, step),
               numero, date, login, action, ancien, nouveau, commentaire
        FROM gen_history WHERE numero IN (SELECT numero FROM sollicitations)
        """
    )
    cur.execute(
        """
        INSERT INTO commentaires
        SELECT (SELECT coalesce(max(id), 0) FROM commentaires) + row_number() OVER (ORDER BY numero, step),
               numero, date, login, cote, commentaire
        FROM gen_history WHERE commentaire IS NOT NULL AND numero IN (SELECT numero FROM sollicitations)
        """
    )
    # Ids come from row_number (in history order, the same for a seed): move the sequences past them.
    for table, sequence in (("historique", "historique_id"), ("commentaires", "commentaires_id")):
        added = cur.execute(f"SELECT max(id) FROM {table}").fetchone()[0] - ids_before[table]
        if added > 0:
            cur.execute(f"SELECT max(nextval('{sequence}')) FROM range({int(added)})")
    # Keep the numbering ahead of what was generated.
    cur.execute(f"SELECT max(nextval('sollicitations_numero')) FROM range({size})")
    for table in ("gen", "gen_history", "gen_pairs", "gen_steps"):
        cur.execute(f"DROP TABLE {table}")
    cur.execute("DROP MACRO rnd")
    desk.store.rebuild_derived(cur)  # full-text index and first steps, as the writes keep them
    cur.execute("COMMIT")

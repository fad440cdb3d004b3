"""Unit-tier helpers: the store invariants, a request factory that drives requests through the API,
and desks shared by a module (the demo world, and the demo world with generated volume).

Test modules import the helpers with `from .conftest import ...` (tests/unit is a package).
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import TRANSITIONS, Action, Actor, Status
from sollicitations.store import FIRST_STEPS, STOP_WORDS, STRUCTURE_KEYS, words_sql

from ..conftest import opened

TABLES = ("sollicitations", "historique", "commentaires", "pieces_jointes", "pieces_jointes_contenu")
STATUSES = list(Status)

# Where each kind of test request comes from and goes to. `emitter`/`receiver` are demo logins;
# `fields` is the form as the emitter fills it in. The recipient structure is not written here:
# tests read it from the stored request, where routing put it.
ROUTES = {
    # REC201FOURNISSEUR -> REC201DESTINATAIRE (agents destinataire, collegue; lecteur reads only)
    "own": dict(
        emitter="fournisseur",
        receiver="destinataire",
        fields=dict(
            categorie="Factures émises",
            sous_categorie="Question pour une entité publique",
            structure=demo.REC201FOURNISSEUR,
            destinataire=demo.REC201DESTINATAIRE,
            description="Quelles pièces faut-il joindre aux factures ?",
        ),
    ),
    # Menuiserie Dupont -> REC201DESTINATAIRE: another emitter, the same recipient as "own"
    "dupont": dict(
        emitter="dupont",
        receiver="destinataire",
        fields=dict(
            categorie="Factures émises",
            sous_categorie="Question pour une entité publique",
            structure=demo.MENUISERIE_DUPONT,
            destinataire=demo.REC201DESTINATAIRE,
            description="Où en est le paiement de notre facture ?",
        ),
    ),
    # REC201FOURNISSEUR -> the finance office of its TIC refund request
    "tic": dict(
        emitter="fournisseur",
        receiver="agent_tic",
        fields=dict(
            categorie="Remboursement TIC",
            sous_categorie="Question sur une demande rejetée",
            structure=demo.REC201FOURNISSEUR,
            type_objet="Demande de remboursement TIC",
            numero_objet="TIC-2017-000042",
            description="Pourquoi ce rejet ?",
        ),
    ),
    # REC100FOURNISSEUR -> the support desk
    "support": dict(
        emitter="fournisseur",
        receiver="support",
        fields=dict(
            categorie="Compte utilisateur",
            sous_categorie="Habilitations",
            structure=demo.REC100FOURNISSEUR,
            description="Un collègue doit être habilité.",
        ),
    ),
    # LES LOGES DU GREL -> the justice-expense regulation bureau
    "bureau": dict(
        emitter="fournisseur",
        receiver="bureau_fj",
        fields=dict(
            categorie="Mémoires de frais de justice",
            sous_categorie="Question générale sur la réglementation",
            structure=demo.LOGES_DU_GREL,
            description="Quel barème pour les experts ?",
        ),
    ),
    # LES LOGES DU GREL -> STRUCTURE PUBLIQUE test, through invoice 2017/640 (lecteur not habilitated)
    "facture": dict(
        emitter="fournisseur",
        receiver="destinataire",
        fields=dict(
            categorie="Factures émises",
            sous_categorie="Rejet d'une facture",
            structure=demo.LOGES_DU_GREL,
            type_objet="Facture",
            numero_objet="2017/640",
            description="Pourquoi la facture a-t-elle été rejetée ?",
        ),
    ),
    # "Nous contacter": no emitter, straight to the support desk
    "contact": dict(
        emitter=None,
        receiver="support",
        fields=dict(
            categorie="Connexion",
            sous_categorie="Compte bloqué",
            email="visiteur@exemple.fr",
            description="Mon compte est bloqué depuis ce matin.",
        ),
    ),
}
# The statuses a "Nous contacter" request can reach: nobody can act for its (absent) emitter.
CONTACT_STATUSES = (Status.ENVOYEE, Status.EN_COURS, Status.INFORMATIONS_REQUISES, Status.REPONDUE)

TEXT_FILE = ("piece.txt", "Bon de commande n° 42 : 3 pièces.\n".encode())


# -- invariants ------------------------------------------------------------------------------


def assert_invariants(desk) -> None:
    """What must hold in any store, whatever happened before: fails with the offending rows."""
    q = desk.store.query_df

    def none(sql: str, what: str) -> None:
        rows = q(sql)
        assert rows.empty, f"{what}:\n{rows.head(20).to_string()}"

    none(
        "SELECT numero, statut FROM sollicitations s WHERE NOT EXISTS "
        "(SELECT 1 FROM historique h WHERE h.numero = s.numero)",
        "requests without history",
    )
    none(
        """
        WITH ranked AS (
            SELECT numero, nouveau_statut,
                   row_number() OVER (PARTITION BY numero ORDER BY date DESC, id DESC) AS rn
            FROM historique)
        SELECT s.numero, s.statut, r.nouveau_statut FROM sollicitations s
        JOIN ranked r ON r.numero = s.numero AND r.rn = 1
        WHERE r.nouveau_statut <> s.statut
        """,
        "status differs from the new status of the last history row",
    )
    none(
        """
        SELECT numero, id, ancien_statut, previous FROM (
            SELECT numero, id, ancien_statut,
                   lag(nouveau_statut) OVER (PARTITION BY numero ORDER BY date, id) AS previous
            FROM historique) h
        WHERE ancien_statut IS DISTINCT FROM previous
        """,
        "history rows whose old status is not the previous row's new status",
    )
    for table in ("historique", "commentaires", "pieces_jointes"):
        none(
            f"SELECT t.* FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM sollicitations s WHERE s.numero = t.numero)",
            f"orphan rows in {table}",
        )
    none(
        "SELECT c.id FROM pieces_jointes_contenu c WHERE NOT EXISTS (SELECT 1 FROM pieces_jointes p WHERE p.id = c.id)",
        "attachment contents without metadata",
    )
    none(
        "SELECT p.id FROM pieces_jointes p WHERE NOT EXISTS (SELECT 1 FROM pieces_jointes_contenu c WHERE c.id = p.id)",
        "attachments without content",
    )
    # The full-text index holds exactly the words of each request's description and comments.
    words = words_sql(
        "SELECT numero, description AS texte FROM sollicitations UNION ALL SELECT numero, texte FROM commentaires"
    )
    stop = list(STOP_WORDS)
    for missing, sql in (
        ("missing from", f"{words} EXCEPT SELECT mot, numero FROM mots"),
        ("stale in", f"SELECT mot, numero FROM mots EXCEPT {words}"),
    ):
        rows = desk.store.query_df(sql, [stop])
        assert rows.empty, f"words {missing} the full-text index:\n{rows.head(20).to_string()}"
    # The first steps kept on each request are those its history tells.
    firsts = ", ".join(f"{sql} AS {column}" for column, sql in FIRST_STEPS.items())
    differ = " OR ".join(f"s.{c} IS DISTINCT FROM f.{c}" for c in FIRST_STEPS)
    none(
        f"SELECT s.numero FROM sollicitations s JOIN (SELECT h.numero, {firsts} FROM historique h GROUP BY h.numero) f"
        f" ON f.numero = s.numero WHERE {differ}",
        "first steps out of step with the history",
    )
    codes = [s.value for s in Status]
    known = ", ".join(f"'{c}'" for c in codes)
    none(f"SELECT numero, statut FROM sollicitations WHERE statut NOT IN ({known})", "unknown statuses")
    none(
        "SELECT numero FROM sollicitations WHERE statut <> 'brouillon' AND destinataire_id IS NULL",
        "sent requests without a recipient",
    )
    keys = " OR ".join(
        f"{key} IS DISTINCT FROM CASE WHEN {column} SIMILAR TO '[0-9]{{14}}' THEN CAST({column} AS BIGINT)"
        f" WHEN {column} IS NOT NULL THEN -1 END"
        for column, key in STRUCTURE_KEYS.items()
    )
    none(
        f"SELECT numero, emetteur_id, emetteur_cle, destinataire_id, destinataire_cle FROM sollicitations WHERE {keys}",
        "structure keys out of step with the identifiers",
    )
    none(
        "SELECT numero FROM sollicitations WHERE contact <> (emetteur_id IS NULL)",
        "contact requests with an emitter, or others without",
    )
    none(
        "SELECT numero FROM sollicitations WHERE (statut = 'fermee') <> (cloturee_le IS NOT NULL)"
        " OR (statut = 'fermee') <> (resolue IS NOT NULL)",
        "closing fields out of step with the status",
    )
    none(
        "SELECT id, cote FROM commentaires WHERE cote NOT IN ('emetteur', 'destinataire')"
        " UNION ALL SELECT id, cote FROM pieces_jointes WHERE cote NOT IN ('emetteur', 'destinataire')",
        "comments or attachments of an unknown side",
    )
    # Every recorded step is one the transition table allows, for one side or the other.
    steps = q("SELECT DISTINCT ancien_statut, action, nouveau_statut FROM historique")
    illegal = []
    for old, action, new in steps.itertuples(index=False):
        old = None if not isinstance(old, str) else Status(old)
        if not any(TRANSITIONS.get((old, Action(action), actor)) == Status(new) for actor in Actor):
            illegal.append((old, action, new))
    assert not illegal, f"history steps the transition table does not allow: {illegal}"
    # The counts the writes keep (store/counts.py) are those a rebuild from the requests would give.
    drift = desk.store.counts_drift()
    assert not drift, f"kept counts out of step with the requests: {drift}"


def table_counts(desk) -> dict[str, int]:
    sql = "SELECT " + ", ".join(f"(SELECT count(*) FROM {t})" for t in TABLES)
    return dict(zip(TABLES, desk.store.cursor().execute(sql).fetchone()))


def snapshot(desk, numero) -> dict:
    """Everything stored about one request (None when it does not exist)."""
    store = desk.store
    row = store.sollicitation(int(numero))
    return {
        "row": row,
        "history": store.history(int(numero)),
        "comments": store.comments(int(numero)),
        "attachments": store.attachments(int(numero)),
    }


_COUNTS = "SELECT 'tables', concat_ws(',', " + ", ".join(f"(SELECT count(*) FROM {t})" for t in TABLES) + ")"
_ONE_REQUEST = " UNION ALL ".join(
    f"SELECT '{t}', to_json(x)::VARCHAR FROM {t} x WHERE x.numero = ?"
    for t in ("sollicitations", "historique", "commentaires", "pieces_jointes")
)


def fingerprint(desk, numero=None, counts=True) -> list[tuple[str, str]]:
    """Every table's row count and, with `numero`, every stored row of that request: in one query."""
    if numero is None:
        return desk.store.cursor().execute(_COUNTS).fetchall()
    sql = f"{_COUNTS} UNION ALL {_ONE_REQUEST}" if counts else _ONE_REQUEST
    return sorted(desk.store.cursor().execute(sql, [int(numero)] * sql.count("?")).fetchall())


@contextmanager
def nothing_changes(desk, *numeros):
    """The block must leave every table's count and the named requests exactly as they were."""
    before = [fingerprint(desk, n) for n in numeros] or [fingerprint(desk)]
    yield
    after = [fingerprint(desk, n) for n in numeros] or [fingerprint(desk)]
    assert after == before


# -- a factory of requests, driven through the API ---------------------------------------------


class World:
    """A desk plus the means to bring a fresh request to any status, as users would."""

    def __init__(self, desk):
        self.desk = desk
        self._users: dict[str, sol.UserDesk] = {}

    def user(self, login: str) -> sol.UserDesk:
        if login not in self._users:
            self._users[login] = self.desk.as_user(login)
        return self._users[login]

    def emitter(self, route: str = "own") -> sol.UserDesk:
        return self.user(ROUTES[route]["emitter"])

    def receiver(self, route: str = "own") -> sol.UserDesk:
        return self.user(ROUTES[route]["receiver"])

    def new(self, status: Status, route: str = "own", attach: bool = True) -> int:
        """A new request of `route` at `status`; with `attach`, one attachment per side it passed."""
        status = Status(status)
        spec = ROUTES[route]
        agent = self.receiver(route)
        if spec["emitter"] is None:
            if status not in CONTACT_STATUSES:
                raise ValueError(f"a contact request cannot reach {status}")
            n = self.desk.contact(**spec["fields"])
        else:
            me = self.emitter(route)
            n = me.save_draft(**spec["fields"])
            if attach:
                me.add_attachment(n, *TEXT_FILE)
            if status == Status.BROUILLON:
                return n
            me.submit(n)
        if status == Status.ENVOYEE:
            if attach:
                agent.add_attachment(n, "reponse.txt", b"Accuse de reception.\n")
            return n
        agent.take_in_charge(n)
        if attach:
            agent.add_attachment(n, "reponse.txt", b"Accuse de reception.\n")
        if status == Status.EN_COURS:
            return n
        if status == Status.INFORMATIONS_REQUISES:
            agent.request_information(n, "Merci de joindre le bon de commande.")
            return n
        agent.respond(n, "Le paiement sera effectué sous quinze jours.")
        if status == Status.REPONDUE:
            return n
        self.emitter(route).close(n, resolved=True, comment="Merci.")
        return n

    def status(self, numero) -> Status | None:
        row = self.desk.store.sollicitation(int(numero))
        return None if row is None else Status(row["statut"])

    def attachment_id(self, numero, side: Actor | None = None) -> int | None:
        rows = self.desk.store.attachments(int(numero))
        mine = [r["id"] for r in rows if side is None or r["cote"] == side.value]
        return mine[0] if mine else None


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def world(desk):
    return World(desk)


@pytest.fixture(autouse=True)
def _invariants_after_each_test(request):
    """Every test that used the demo `desk` leaves a consistent store behind."""
    if "desk" not in request.fixturenames:
        yield
        return
    d = request.getfixturevalue("desk")
    yield
    assert_invariants(d)


@pytest.fixture(scope="module")
def mdesk(demo_template, tmp_path_factory):
    """One copy of the demo world for a whole module (tests there make their own requests)."""
    with opened(demo_template, tmp_path_factory.mktemp("module")) as d:
        yield d
        assert_invariants(d)


@pytest.fixture(scope="module")
def mworld(mdesk):
    return World(mdesk)


GENERATED_SIZE, GENERATED_SEED = 3000, 7


@pytest.fixture(scope="session")
def generated_template(demo_template, tmp_path_factory):
    """The demo world plus 3000 generated requests (seed 7), built once (a DuckDB file: generate() speaks
    DuckDB's SQL; on PostgreSQL, tests get copies of it through the template database)."""
    path = tmp_path_factory.mktemp("generated") / "generated.duckdb"
    shutil.copy(demo_template, path)
    d = sol.open_desk(path)
    demo.generate(d, GENERATED_SIZE, seed=GENERATED_SEED)
    d.close()
    return path


@pytest.fixture(scope="module")
def big_desk(generated_template, tmp_path_factory):
    with opened(generated_template, tmp_path_factory.mktemp("big")) as d:
        yield d
        assert_invariants(d)


def report(request, line: str) -> None:
    """A figure on the terminal, even under -q and output capture."""
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is None or reporter is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.ensure_newline()
        reporter.write_line(line)

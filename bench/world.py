"""The worlds the suite measures: built with `demo.build` (timed), what is picked in them to ask
(sample numbers, words, structures), and their copies into PostgreSQL."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from sollicitations import demo
from sollicitations.store import Store

from .table import GENERATION, Recorder, Row

F_STRUCTURES = (demo.REC201FOURNISSEUR, demo.REC100FOURNISSEUR, demo.LOGES_DU_GREL)  # fournisseur's 3 structures
D_STRUCTURES = (demo.REC201DESTINATAIRE, demo.STRUCTURE_PUBLIQUE_TEST)  # destinataire's 2 structures
ALL_STATUSES = ["Brouillon", "Envoyée", "En cours", "Informations compl. requises", "Répondue", "Fermée"]


# The scopes of the demo users, as plain SQL (the raw side of each figure, and the picks below).
def sql_list(items) -> str:
    return "(" + ", ".join("'" + str(i).replace("'", "''") + "'" for i in items) + ")"


SCOPES = {
    "fournisseur": f"s.emetteur_id IN {sql_list(F_STRUCTURES)}",
    "destinataire": f"s.destinataire_id IN {sql_list(D_STRUCTURES)} AND s.statut <> 'brouillon'",
    "gestionnaire": "true",
}
SPACES = {"fournisseur": "emises", "destinataire": "recues", "gestionnaire": "toutes"}


@dataclass
class Context:
    numero: dict
    objet: dict
    emitter: dict
    details: dict  # who -> numbers to open in turn
    words: dict  # full-text search terms: common, median, prefix


def context(con, size: int) -> Context:
    """What the figures ask about in this world: numbers of each scope, frequent and rare words."""

    def pick(scope: str) -> tuple[int, str]:
        n = con.execute(
            f"SELECT count(*) FROM sollicitations s WHERE {scope} AND s.numero_objet IS NOT NULL"
        ).fetchone()[0]
        row = con.execute(f"SELECT s.numero, s.numero_objet FROM sollicitations s WHERE {scope} AND s.numero_objet"
                          f" IS NOT NULL ORDER BY s.numero LIMIT 1 OFFSET {max(0, n // 2)}").fetchone()  # fmt: skip
        return row

    f_num, f_obj = pick(SCOPES["fournisseur"])
    g_num, g_obj = pick("s.numero > 100")
    generated = con.execute("SELECT emetteur_id FROM sollicitations WHERE emetteur_id LIKE '2%' GROUP BY 1"
                            " ORDER BY count(*) DESC, 1 LIMIT 1").fetchone()  # fmt: skip

    def spread(scope: str, k: int = 25) -> list[int]:
        rows = con.execute(f"SELECT s.numero FROM sollicitations s WHERE {scope} USING SAMPLE reservoir({k} ROWS)"
                           " REPEATABLE (7)").fetchall()  # fmt: skip
        return [1, 2, 3, 4, 5] + sorted(r[0] for r in rows)  # the fixed demo requests carry comments

    frequencies = con.execute(
        "SELECT mot FROM mots WHERE length(mot) >= 5 GROUP BY mot ORDER BY count(*) DESC, mot"
    ).fetchall()
    common = frequencies[0][0]
    words = {"common": common, "median": frequencies[len(frequencies) // 2][0], "prefix": common[:4]}
    return Context(
        words=words,
        numero={"fournisseur": f_num, "gestionnaire": g_num},
        objet={"fournisseur": f_obj, "gestionnaire": g_obj},
        emitter={"fournisseur": demo.LOGES_DU_GREL, "gestionnaire": generated[0] if generated else demo.LOGES_DU_GREL},
        details={"fournisseur": spread(SCOPES["fournisseur"]), "gestionnaire": spread("true")},
    )


# The request the writes create (a question to a public structure: routed to the one the emitter picks).
DRAFT = {"categorie": "Factures émises", "sous_categorie": "Question pour une entité publique",
         "structure": demo.REC201FOURNISSEUR, "destinataire": demo.STRUCTURE_PUBLIQUE_TEST, "destinataire_etat": False,
         "description": "Banc d'essai : question pour une entité publique."}  # fmt: skip


def generate(rec: Recorder, path: Path, size: int) -> None:
    """A world of `size` generated requests in the file `path` (any older one replaced), its time a row."""
    for p in (path, Path(str(path) + ".wal")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    desk = demo.build(path, size=size)
    seconds = time.perf_counter() - started
    desk.close()
    rec.add(Row("generation", "generation (demo.build)", size, "s", value=seconds, target=GENERATION,
                note=f"file {path.stat().st_size / 1e6:,.0f} MB"))  # fmt: skip


def counts(con) -> dict:
    """Rows of each table of the world (the report's "Worlds" table)."""
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("sollicitations", "historique", "commentaires", "structures", "services", "users",
                      "pieces_jointes")}  # fmt: skip


# -- PostgreSQL: the world copied into a database of its own ------------------------------------------------


def postgresql_copy(rec: Recorder, path: Path, url: str, size: int) -> str:
    import psycopg

    name = f"bench_{size}"
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        _drop_database(admin, name)
        admin.execute(f'CREATE DATABASE "{name}"')
    target = url.rsplit("/", 1)[0] + "/" + name
    started = time.perf_counter()
    source, store = Store(path, read_only=True), Store(target)
    rows = source.copy_into(store)
    source.close()
    store.close()
    rec.add(Row("generation", "copy into PostgreSQL (binary COPY)", size, "s", value=time.perf_counter() - started,
                note=f"{sum(rows.values()):,} rows, one transaction, then ANALYZE"))  # fmt: skip
    return target


def drop_postgresql(target: str) -> None:
    import psycopg

    name = target.rsplit("/", 1)[1]
    with psycopg.connect(target.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        _drop_database(admin, name)


def _drop_database(admin, name: str) -> None:
    """DROP ... WITH (FORCE) ends the sessions of our role, not an autovacuum worker (a superuser's):
    while one runs on the database (after a bulk COPY), try again."""
    import psycopg

    for attempt in range(60):
        try:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 59:
                raise
            time.sleep(1)

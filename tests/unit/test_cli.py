"""`python -m sollicitations demo`: builds a demo file, never overwrites one unasked, and is
deterministic for a seed; the file opens with open_desk."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo

from ..support.ports import free_port
from .conftest import assert_invariants

pytestmark = pytest.mark.duckdb_only  # DuckDB files themselves: see tests/conftest.py

ROOT = Path(sol.__file__).resolve().parent.parent
SIZE, SEED = 200, 3


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "sollicitations", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path) -> dict[str, pd.DataFrame]:
    """The demo's tables, rows in a stable order; history and comments without their surrogate ids
    (the ids' own order is checked by test_generated_history_ids_follow_the_chronology)."""
    desk = sol.open_desk(path, read_only=True)
    try:
        frames = {
            t: desk.store.query_df(f"SELECT * FROM {t} ORDER BY ALL")
            for t in ("sollicitations", "objets", "structures", "habilitations")
        }
        # Password hashes are salted: two builds differ there by design.
        frames["users"] = desk.store.query_df("SELECT * EXCLUDE (password_hash) FROM users ORDER BY ALL")
        for t in ("historique", "commentaires"):
            frames[t] = desk.store.query_df(f"SELECT * EXCLUDE (id) FROM {t} ORDER BY ALL")
        return frames
    finally:
        desk.close()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.duckdb"
    result = cli("demo", "--path", path, "--size", SIZE, "--seed", SEED)
    assert result.returncode == 0, result.stderr
    return path, result


def test_demo_builds_a_file(built, fixed_count, tmp_path):
    built_path, result = built
    path = tmp_path / "copy.duckdb"  # the module's file stays as built, for the determinism test
    path.write_bytes(built_path.read_bytes())
    match = re.fullmatch(r"Base de démonstration créée : (.+) \((\d+) sollicitations\)\n", result.stdout)
    assert match and Path(match.group(1)) == built_path
    desk = sol.open_desk(path)
    try:
        count = desk.store.count_sollicitations()
        assert int(match.group(2)) == count
        fixed = fixed_count
        # The fixed examples, and the generated ones (contact drafts are not generated).
        assert fixed < count <= fixed + SIZE and count >= fixed + SIZE * 0.9
        statuses = set(desk.store.query_df("SELECT DISTINCT statut FROM sollicitations")["statut"])
        assert statuses == {s.value for s in sol.Status}
        assert_invariants(desk)
        for login, *_ in demo.USERS:
            desk.as_user(login)
        me = desk.as_user("fournisseur")
        assert sorted(me.dashboard().index) == sorted(
            [demo.REC201FOURNISSEUR, demo.REC100FOURNISSEUR, demo.LOGES_DU_GREL]
        )
        n = me.send(
            categorie="Factures émises",
            sous_categorie="Rejet d'une facture",
            structure=demo.LOGES_DU_GREL,
            type_objet="Facture",
            numero_objet="2017/640",
            description="Pourquoi ce rejet ?",
        )
        assert desk.store.sollicitation(n)["destinataire_id"] == demo.STRUCTURE_PUBLIQUE_TEST
        assert n > count  # numbering continues after the generated requests
    finally:
        desk.close()


@pytest.fixture(scope="module")
def fixed_count(demo_template) -> int:
    """How many requests the demo world has before any generated one."""
    desk = sol.open_desk(demo_template, read_only=True)
    try:
        return desk.store.count_sollicitations()
    finally:
        desk.close()


def test_demo_refuses_to_overwrite_without_force(built, fixed_count, tmp_path):
    path = tmp_path / "demo.duckdb"
    path.write_bytes(built[0].read_bytes())
    before = digest(path)
    result = cli("demo", "--path", path, "--size", 10)
    assert result.returncode == 1
    assert "--force" in result.stderr and "existe déjà" in result.stderr
    assert digest(path) == before
    with pytest.raises(FileExistsError):
        demo.build(path)
    assert digest(path) == before

    result = cli("demo", "--path", path, "--size", 10, "--force")
    assert result.returncode == 0, result.stderr
    desk = sol.open_desk(path, read_only=True)
    try:
        assert fixed_count < desk.store.count_sollicitations() <= fixed_count + 10
    finally:
        desk.close()


def test_demo_is_deterministic_for_a_seed(built, tmp_path):
    again = tmp_path / "again.duckdb"
    demo.build(again, size=SIZE, seed=SEED).close()
    first, second = tables(built[0]), tables(again)
    counts = {
        name: frame["statut"].value_counts().sort_index()
        for name, frame in (("cli", first["sollicitations"]), ("api", second["sollicitations"]))
    }
    pd.testing.assert_series_equal(counts["cli"], counts["api"])
    for name in first:
        pd.testing.assert_frame_equal(first[name], second[name], check_dtype=False, obj=name)

    other = tmp_path / "other.duckdb"
    demo.build(other, size=SIZE, seed=SEED + 1).close()
    different = tables(other)["sollicitations"]
    assert not different.drop(columns=["numero"]).equals(first["sollicitations"].drop(columns=["numero"]))


def test_demo_path_defaults_to_the_environment(tmp_path):
    path = tmp_path / "from-env.duckdb"
    result = cli("demo", "--size", 0, env={"SOLLICITATIONS_DB": str(path)})
    assert result.returncode == 0, result.stderr
    assert path.exists() and str(path) in result.stdout


def test_demo_refuses_a_negative_size(tmp_path):
    path = tmp_path / "negative.duckdb"
    result = cli("demo", "--path", path, "--size", -5)
    assert result.returncode == 2 and "--size" in result.stderr
    assert not path.exists()


# -- the generated history looks like one the desk writes ----------------------------------------------


def test_generated_history_ids_follow_the_chronology(generated_template):
    """History is append-only: within a request, a later step has a later id, as the desk writes it."""
    desk = sol.open_desk(generated_template, read_only=True)
    try:
        out_of_order = desk.store.query_df("""
            SELECT count(*) AS n FROM (
                SELECT id, lag(id) OVER (PARTITION BY numero ORDER BY date, id) AS previous FROM historique)
            WHERE id < previous""")["n"][0]
    finally:
        desk.close()
    assert out_of_order == 0


def test_generated_contact_requests_follow_paths_a_visitor_can_take(generated_template):
    """A "Nous contacter" request has no emitter in the portal: nobody can add a complement to it,
    close it or reopen it, so generated ones never show such steps."""
    desk = sol.open_desk(generated_template, read_only=True)
    try:
        emitter_steps = desk.store.query_df("""
            SELECT h.numero, h.action, h.login FROM historique h JOIN sollicitations s ON s.numero = h.numero
            WHERE s.contact AND h.action IN ('add_complement', 'close_resolved', 'close_unresolved', 'reopen',
                                             'close_early')""")
    finally:
        desk.close()
    assert emitter_steps.empty, emitter_steps.head().to_string()


def test_generated_history_is_walked_by_people_allowed_to_take_each_step(generated_template):
    """Every generated step is in the transition table for the side of whoever took it (the request's
    creator, or nobody for a visitor, acts as emitter; anyone else as an agent of the recipient side, which
    that login really is), and the last step leaves the request in its stored status."""
    from sollicitations.status import TRANSITIONS, Action, Actor, Status

    desk = sol.open_desk(generated_template, read_only=True)
    try:
        steps = desk.store.query_df("""
            SELECT DISTINCT h.ancien_statut, h.action, h.nouveau_statut,
                   h.login IS NULL OR h.login IS NOT DISTINCT FROM s.cree_par AS by_emitter,
                   CASE WHEN h.login IS NULL OR h.login IS NOT DISTINCT FROM s.cree_par
                        THEN h.login IS NULL OR EXISTS (SELECT 1 FROM habilitations a WHERE a.login = h.login
                             AND a.structure_id = s.emetteur_id AND a.role = 'emetteur')
                        ELSE EXISTS (SELECT 1 FROM habilitations a WHERE a.login = h.login
                             AND a.role IN ('agent', 'support') AND a.droit_modification) END AS habilitated
            FROM historique h JOIN sollicitations s ON s.numero = h.numero""")
        last = desk.store.query_df("""
            SELECT s.numero, s.statut, h.nouveau_statut FROM sollicitations s
            JOIN (SELECT numero, arg_max(nouveau_statut, id) AS nouveau_statut FROM historique GROUP BY numero) h
              ON h.numero = s.numero
            WHERE h.nouveau_statut <> s.statut""")
    finally:
        desk.close()
    illegal = []
    for old, action, new, by_emitter, habilitated in steps.itertuples(index=False):
        old = None if not isinstance(old, str) else Status(old)
        actor = Actor.EMETTEUR if by_emitter else Actor.DESTINATAIRE
        if TRANSITIONS.get((old, Action(action), actor)) != Status(new) or not habilitated:
            illegal.append((old, action, new, actor, habilitated))
    assert not illegal, illegal
    assert last.empty, last.head().to_string()


def test_generated_world_has_a_realistic_shape(generated_template):
    """About five history rows per request, an attachment for every two or three requests (each with a
    content whose size and hash are the metadata's), comments where the action carries one, and
    descriptions drawn from a vocabulary of a few hundred words."""
    from sollicitations.status import COMMENT_SHOWN_IN_EXCHANGE

    desk = sol.open_desk(generated_template, read_only=True)
    try:
        q = desk.store.query_df
        requests = q("SELECT count(*) AS n FROM sollicitations")["n"][0]
        history = q("SELECT count(*) AS n FROM historique")["n"][0]
        attachments = q("SELECT count(*) AS n FROM pieces_jointes")["n"][0]
        bad_contents = q("""
            SELECT p.id, p.taille, p.sha256 FROM pieces_jointes p LEFT JOIN pieces_jointes_contenu c ON c.id = p.id
            WHERE c.id IS NULL OR p.taille <> octet_length(c.contenu) OR p.sha256 <> sha256(c.contenu)
               OR p.ajoutee_par IS NULL OR p.nom_fichier <> p.designation AND p.nom_fichier NOT LIKE '%.' || p.extension""")
        uncommented = q(
            """
            SELECT h.numero, h.action FROM historique h WHERE h.action = ANY(?)
            AND NOT EXISTS (SELECT 1 FROM commentaires c WHERE c.numero = h.numero AND c.date = h.date
                            AND c.texte = h.commentaire)""",
            [[a.value for a in COMMENT_SHOWN_IN_EXCHANGE]],
        )
        descriptions = q("SELECT count(DISTINCT description) AS n FROM sollicitations")["n"][0]
        words = q("SELECT count(DISTINCT mot) AS n FROM mots WHERE NOT regexp_matches(mot, '[0-9]')")["n"][0]
        one = q("SELECT numero, id FROM pieces_jointes WHERE extension = 'pdf' ORDER BY id LIMIT 1").iloc[0]
        numero, attachment_id = int(one["numero"]), int(one["id"])
    finally:
        desk.close()
    assert 4.5 <= history / requests <= 5.5
    assert requests / 3.5 <= attachments <= requests / 2
    assert bad_contents.empty, bad_contents.head().to_string()
    assert uncommented.empty, uncommented.head().to_string()
    assert descriptions > requests / 2
    assert 200 <= words <= 1000
    desk = sol.open_desk(generated_template, read_only=True)
    try:  # the manager downloads a generated attachment: a PDF
        name, content = desk.as_user("gestionnaire").attachment(numero, attachment_id)
    finally:
        desk.close()
    assert name.endswith(".pdf") and content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")


def test_serve_holds_the_database_from_startup(demo_template, tmp_path):
    """`serve` opens the store (and publishes its snapshot) before any visit: a reader that comes
    later reads the snapshot and never takes the file first."""
    import shutil
    import time

    from sollicitations import snapshot
    from sollicitations.store import Store
    from sollicitations.store.connection import DatabaseLocked

    path = tmp_path / "served.duckdb"
    shutil.copy(demo_template, path)
    port = free_port()
    env = {**os.environ, "SOLLICITATIONS_COOKIE_SECRET": "x" * 48, "SOLLICITATIONS_SECRETS": str(tmp_path / "s")}
    env.pop("SOLLICITATIONS_SNAPSHOT", None)
    server = subprocess.Popen([sys.executable, "-m", "sollicitations", "serve", "--db", str(path), "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        published = snapshot.snapshot_path(path)
        deadline = time.monotonic() + 90
        while not published.exists() and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert published.exists(), server.stderr.read() if server.poll() is not None else "no snapshot"
        with pytest.raises(DatabaseLocked):
            Store(path)  # held by the app, though nobody has visited it
        reader = sol.open_desk(path, read_only=True)
        try:
            assert reader.store.private_copy is None and reader.snapshot_age() is not None
        finally:
            reader.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_generated_requests_are_stored_in_number_order(generated_template):
    """As the app's writes store them: lists join their page of numbers back to the requests, and the
    stored number ranges are what lets that join skip most of a million rows."""
    desk = sol.open_desk(generated_template, read_only=True)
    try:
        backwards = desk.store.query_df(
            "SELECT count(*) AS n FROM (SELECT numero, lag(numero) OVER (ORDER BY rowid) AS previous"
            " FROM sollicitations) WHERE numero < previous")["n"][0]  # fmt: skip
    finally:
        desk.close()
    assert backwards == 0

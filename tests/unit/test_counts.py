"""The counts the writes keep (store/counts.py): after every kind of change they are what a rebuild from
the requests gives (assert_invariants checks it after every test of a desk), the figures that read
them equal the same figures counted over the requests, folding them changes no figure, and a store
made before them gets them when it migrates. DuckDB and PostgreSQL alike (SOLLICITATIONS_TEST_DB)."""

from __future__ import annotations

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Status
from sollicitations.store import core, counts, figures

from ..conftest import opened
from .conftest import ROUTES, World

CATEGORY = ROUTES["own"]["fields"]["categorie"]

# The figures that may read the kept counts, as managers and receivers ask for them; the last two ask
# for a criterion the counts do not hold, so they count the requests (and must agree all the same).
FIGURES = {
    "manager's status table": lambda w: w.user("gestionnaire").dashboard(space="toutes"),
    "manager's table by service": lambda w: w.user("gestionnaire").dashboard(
        structure=demo.REC201DESTINATAIRE, space="toutes"
    ),
    "manager's table of a category": lambda w: w.user("gestionnaire").dashboard(space="toutes", categorie=CATEGORY),
    "receiver's status table": lambda w: w.user("destinataire").dashboard(space="recues"),
    "weekly flow": lambda w: w.user("gestionnaire").weekly_flow(space="toutes"),
    "weekly flow of a category": lambda w: w.user("gestionnaire").weekly_flow(space="toutes", categorie=CATEGORY),
    "backlog": lambda w: w.user("gestionnaire").backlog(space="toutes"),
    "backlog of a category": lambda w: w.user("gestionnaire").backlog(space="toutes", categorie=CATEGORY),
    "reopen rates by recipient": lambda w: w.user("gestionnaire").reopen_rates("destinataire", space="toutes"),
    "reopen rates by category": lambda w: w.user("gestionnaire").reopen_rates("categorie", space="toutes"),
    "receiver's reopen rates": lambda w: w.user("destinataire").reopen_rates("categorie", space="recues"),
    "flow of one emitter": lambda w: w.user("gestionnaire").weekly_flow(space="toutes", structure=demo.LOGES_DU_GREL),
}
KEPT_PATHS = ("status_counts_kept", "flow_kept", "backlog_kept", "reopen_rates_kept")


def every_kind_of_change(world: World) -> None:
    """Requests brought to every status on every route, a draft re-categorised and one deleted, a transfer
    to the support desk, a reopening: each change the counts follow."""
    for route, spec in ROUTES.items():
        for status in Status:
            if spec["emitter"] is None and status in (Status.BROUILLON, Status.FERMEE):
                continue
            world.new(status, route, attach=False)
    me = world.emitter("own")
    draft = world.new(Status.BROUILLON, "support", attach=False)
    world.emitter("support").update_draft(draft, categorie="Connexion", sous_categorie="Compte bloqué")
    world.emitter("own").delete_draft(world.new(Status.BROUILLON, attach=False))
    world.receiver("own").transfer_to_support(world.new(Status.EN_COURS, attach=False), "Hors de notre périmètre.")
    reopened = world.new(Status.REPONDUE, attach=False)
    me.close(reopened, resolved=False, reopen=True, comment="Toujours pas payé.")


def counted_over_the_requests(world: World, monkeypatch, name: str) -> pd.DataFrame:
    with monkeypatch.context() as m:
        for path in KEPT_PATHS:
            m.setattr(figures, path, lambda *args: False)
        world.desk.store.forget_figures()
        return FIGURES[name](world)


@pytest.fixture(scope="module")
def changed(big_desk):
    world = World(big_desk)
    every_kind_of_change(world)
    return world


@pytest.mark.parametrize("name", FIGURES)
def test_a_figure_read_from_the_kept_counts_is_the_one_counted_over_the_requests(changed, monkeypatch, name):
    changed.desk.store.forget_figures()
    kept = FIGURES[name](changed)
    assert len(kept) > 0
    pd.testing.assert_frame_equal(kept, counted_over_the_requests(changed, monkeypatch, name), check_dtype=False)


def test_the_busiest_figures_do_read_the_kept_counts(changed):
    """A row slipped into the counts shows in the figures that read them, and in counts_drift."""
    store, manager = changed.desk.store, changed.user("gestionnaire")
    before = manager.dashboard(space="toutes").loc[demo.REC201DESTINATAIRE, Status.ENVOYEE.short_label]
    flow_before = manager.weekly_flow(space="toutes")["Entrées"].sum()

    def slip(sign: int) -> None:
        with store.transaction() as cur:
            cur.execute(
                "INSERT INTO comptes (vue, destinataire_cle, destinataire_id, categorie, statut, n)"
                " VALUES ('destinataire', ?, ?, ?, 'envoyee', ?)",
                [int(demo.REC201DESTINATAIRE), demo.REC201DESTINATAIRE, CATEGORY, 5 * sign],
            )
            cur.execute("INSERT INTO comptes (vue, categorie, jour, n) VALUES ('entree', ?, DATE '2026-11-02', ?)",
                        [CATEGORY, 3 * sign])  # fmt: skip
        store.forget_figures()

    slip(+1)
    try:
        assert manager.dashboard(space="toutes").loc[demo.REC201DESTINATAIRE, Status.ENVOYEE.short_label] == before + 5
        assert manager.weekly_flow(space="toutes")["Entrées"].sum() == flow_before + 3
        assert set(store.counts_drift()) == {"comptes"}
    finally:
        slip(-1)  # the rows taken back as the writes do it
    assert not store.counts_drift()


def test_folding_the_counts_leaves_one_row_per_key_and_every_figure_as_it_was(world):
    every_kind_of_change(world)
    store = world.desk.store
    figures_before = {name: figure(world) for name, figure in FIGURES.items()}
    rows = "SELECT (SELECT count(*) FROM comptes), (SELECT count(*) FROM mouvements_jour)"
    before = store.cursor().execute(rows).fetchone()
    with store.transaction() as cur:
        store.compact_counts(cur)
    after = store.cursor().execute(rows).fetchone()
    assert after[0] < before[0] and after[1] < before[1]
    keys = store.cursor().execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {counts.COUNT_COLUMNS} FROM comptes) k"
    ).fetchone()[0]  # fmt: skip
    assert keys == after[0]
    assert store.cursor().execute("SELECT count(*) FROM comptes WHERE n = 0").fetchone()[0] == 0
    assert not store.counts_drift()
    store.forget_figures()
    for name, figure in FIGURES.items():
        pd.testing.assert_frame_equal(figure(world), figures_before[name], check_dtype=False)


def test_a_process_folds_the_counts_every_so_many_writes(world, monkeypatch):
    folds = []
    fold = world.desk.store.compact_counts
    monkeypatch.setattr(core, "COMPACT_EVERY", 3)
    monkeypatch.setattr(world.desk.store, "compact_counts", lambda cur: folds.append(1) or fold(cur))
    writes = world.desk.store.writes
    for _ in range(4):
        world.new(Status.ENVOYEE, attach=False)  # two writes each: the draft, then its sending
    assert len(folds) == (world.desk.store.writes // 3) - (writes // 3) > 0


def test_a_store_made_before_the_counts_gets_them_when_it_migrates(world):
    every_kind_of_change(world)
    store = world.desk.store
    with store.transaction() as cur:
        cur.execute("DROP TABLE comptes")
        cur.execute("DROP TABLE mouvements_jour")
        cur.execute("DELETE FROM schema_migrations WHERE name = '0013_kept_counts'")
    assert store.migrate() == ["0013_kept_counts"]
    assert store.cursor().execute("SELECT count(*) FROM comptes").fetchone()[0] > 0
    assert not store.counts_drift()


def test_a_store_made_before_the_counts_and_opened_read_only_counts_the_requests(demo_template, tmp_path):
    """A notebook reading an old file (read-only: nothing migrates) gets the same figures."""
    with opened(demo_template, tmp_path) as desk:
        expected = {name: figure(World(desk)) for name, figure in FIGURES.items()}
        with desk.store.transaction() as cur:
            cur.execute("DROP TABLE comptes")
            cur.execute("DROP TABLE mouvements_jour")
            cur.execute("DELETE FROM schema_migrations WHERE name = '0013_kept_counts'")
        desk.close()
        old = sol.open_desk(desk.store.path, read_only=True)
        try:
            assert not old.store.counts_kept
            for name, figure in FIGURES.items():
                pd.testing.assert_frame_equal(figure(World(old)), expected[name], check_dtype=False)
        finally:
            old.close()

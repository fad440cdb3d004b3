"""Several app processes on one PostgreSQL store (issue 10): four real processes at once, started together,
create requests, contest the same transitions, attach files to the same request and deliver the outbox.
Numbers stay unique, each contested transition has one winner, no attachment is lost, every mail is taken
by exactly one process, and the store's invariants hold afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sollicitations as sol
from sollicitations import demo

from ..conftest import clone, release
from .conftest import ROUTES, assert_invariants, report, table_counts

pytestmark = pytest.mark.postgresql

PROCESSES, CREATED_EACH, CONTESTED = 4, 15, 12
ROOT = Path(__file__).resolve().parents[2]

WORKER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import sollicitations as sol
from sollicitations import demo

url, me_index, go, fields, contested, shared, created_each = (
    sys.argv[2], int(sys.argv[3]), Path(sys.argv[4]), json.loads(sys.argv[5]), json.loads(sys.argv[6]),
    int(sys.argv[7]), int(sys.argv[8]))
desk = sol.open_desk(url)
supplier, agent = desk.as_user("fournisseur"), desk.as_user("destinataire")
out = {"created": [], "won": [], "lost": [], "attached": None, "mails": []}

def wait(name):
    while not (go / name).exists():
        time.sleep(0.005)

print("ready", flush=True)
wait("write")
for i in range(created_each):
    out["created"].append(supplier.send(**dict(fields, description=f"Processus {me_index}, demande {i}")))
for n in contested:
    try:
        agent.take_in_charge(n)
        out["won"].append(n)
    except (sol.TransitionError, sol.ConflictError):
        out["lost"].append(n)
out["attached"] = agent.add_attachment(shared, f"piece-{me_index}.txt", f"Pièce du processus {me_index}".encode())
(go / f"written-{me_index}").touch()
wait("deliver")
while True:
    row = desk.store.claim_mail(desk.clock(), stale_before=desk.clock().replace(year=2000))
    if row is not None:
        out["mails"].append(row["id"])
        desk.store.mail_sent(row["id"], desk.clock())
    elif desk.store.cursor().execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0] == 0:
        break
desk.close()
print(json.dumps(out), flush=True)
"""


def test_four_processes_share_one_postgresql_store(demo_template, tmp_path, request):
    target = clone(demo_template, tmp_path, backend="postgresql")
    desk = sol.open_desk(target)
    try:
        fields = dict(ROUTES["own"]["fields"])
        supplier = desk.as_user("fournisseur")
        contested = [supplier.send(**dict(fields, description=f"Disputée {i}")) for i in range(CONTESTED)]
        shared = contested[0]
        desk.store.cursor().execute("UPDATE outbox SET status = 'sent'")  # only the mails written below count
        go = tmp_path / "go"
        go.mkdir()
        workers = [
            subprocess.Popen([sys.executable, "-c", WORKER, str(ROOT), target, str(k), str(go), json.dumps(fields),
                              json.dumps(contested), str(shared), str(CREATED_EACH)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for k in range(PROCESSES)
        ]  # fmt: skip
        for w in workers:
            assert w.stdout.readline().strip() == "ready", w.stderr.read()
        started = time.perf_counter()
        (go / "write").touch()
        while len(list(go.glob("written-*"))) < PROCESSES and all(w.poll() is None for w in workers):
            time.sleep(0.01)
        pending = desk.store.cursor().execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
        (go / "deliver").touch()
        results = []
        for w in workers:
            stdout, stderr = w.communicate(timeout=180)
            assert w.returncode == 0, stderr
            results.append(json.loads(stdout.strip().splitlines()[-1]))
        seconds = time.perf_counter() - started

        created = [n for r in results for n in r["created"]]
        assert len(created) == len(set(created)) == PROCESSES * CREATED_EACH  # one number each
        for n in contested:
            winners = [r for r in results if n in r["won"]]
            assert len(winners) == 1, (n, winners)
            assert sum(n in r["lost"] for r in results) == PROCESSES - 1
            actions = [h["Action"] for h in desk.as_user("destinataire").get(n)["historique"].to_dict("records")]
            assert actions.count("take_in_charge") == 1, actions
        attachments = {a["id"] for a in desk.store.attachments(shared)}
        assert {r["attached"] for r in results} <= attachments and len({r["attached"] for r in results}) == PROCESSES
        mails = [m for r in results for m in r["mails"]]
        assert pending > 0 and len(mails) == len(set(mails)) == pending  # every mail taken once
        statuses = desk.store.cursor().execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
        assert dict(statuses) == {"sent": dict(statuses)["sent"]}
        assert_invariants(desk)
        report(request, f"test_processes: {PROCESSES} processes, {len(created)} requests created, {CONTESTED} "
                        f"contested transitions, {len(mails)} mails delivered once each, in {seconds:.1f} s")  # fmt: skip
    finally:
        desk.close()
        release(target)


def test_the_demo_world_is_built_on_postgresql_through_duckdb(tmp_path):
    local = demo.build(tmp_path / "same.duckdb", size=500, seed=5)
    expected = table_counts(local)
    local.close()
    target = clone(None, tmp_path, backend="postgresql")  # an empty database
    try:
        desk = demo.build(target, size=500, seed=5)
        try:
            assert desk.store.dialect == "postgresql"
            assert table_counts(desk) == expected and expected["sollicitations"] > 500  # the same world
            assert desk.as_user("gestionnaire").search(mots="facture", space="toutes").attrs["total"] > 0
            assert_invariants(desk)
            with pytest.raises(FileExistsError):
                demo.build(target, size=10)
        finally:
            desk.close()
    finally:
        release(target)


def test_a_notebook_reads_postgresql_live_and_cannot_write(demo_template, tmp_path):
    target = clone(demo_template, tmp_path, backend="postgresql")
    app, notebook = sol.open_desk(target), sol.open_desk(target, read_only=True)
    try:
        n = app.as_user("fournisseur").send(**dict(ROUTES["own"]["fields"], description="Vue aussitôt"))
        reader = notebook.as_user("gestionnaire")
        assert reader.get(n)["description"] == "Vue aussitôt"  # no snapshot, no delay
        assert notebook.snapshot_age() is None
        with pytest.raises(sol.PermissionDenied) as refused:
            notebook.as_user("fournisseur").send(**dict(ROUTES["own"]["fields"], description="Refusée"))
        assert "lecture seule" in str(refused.value)
    finally:
        notebook.close()
        app.close()
        release(target)


def test_a_figure_kept_by_one_process_follows_another_process_write(demo_template, tmp_path):
    """Each process keeps its figures until the database's snapshot moves: a request sent through
    another connection (another app process) shows in the next count; without any commit in between,
    the kept figure is returned again (not computed)."""
    target = clone(demo_template, tmp_path, backend="postgresql")
    app, other = sol.open_desk(target), sol.open_desk(target)
    try:
        manager = app.as_user("gestionnaire")
        before = manager.dashboard(space="toutes")
        version = app.store.data_version()
        queries = []
        real = app.store.query_df
        app.store.query_df = lambda sql, params=(): queries.append(sql) or real(sql, params)
        assert manager.dashboard(space="toutes").equals(before)
        assert queries == [] and app.store.data_version() == version  # kept: no query, nothing committed
        other.as_user("fournisseur").send(**dict(ROUTES["own"]["fields"], description="Vue par l'autre processus"))
        assert app.store.data_version() != version
        after = manager.dashboard(space="toutes")
        assert queries  # computed again
        sent = [c for c in before.columns if c.startswith("Envoy")]
        assert int(after[sent].to_numpy().sum()) == int(before[sent].to_numpy().sum()) + 1
    finally:
        other.close()
        app.close()
        release(target)

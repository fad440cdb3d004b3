"""Crash durability: a child process writes a burst of requests through the desk on a real DuckDB file and
is killed with SIGKILL at a random moment; the store, reopened, holds every acknowledged write with its full
history, no unacknowledged write half-done, and the invariants hold. Round after round on the same file, so
that each round also replays the WAL the previous kill left behind.

`SOLLICITATIONS_CRASH_ROUNDS` (default 20) sets the number of rounds, `SOLLICITATIONS_CRASH_SEED` the seed
(random by default; printed, and quoted in every failure).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

import sollicitations as sol

from .conftest import assert_invariants, report

pytestmark = pytest.mark.duckdb_only  # DuckDB files themselves: see tests/conftest.py

ROUNDS = int(os.environ.get("SOLLICITATIONS_CRASH_ROUNDS", "20"))
SEED = int(os.environ.get("SOLLICITATIONS_CRASH_SEED") or random.SystemRandom().randrange(10**9))
MAX_DELAY = 1.2  # seconds of writing before the kill, at most
ROOT = Path(__file__).resolve().parents[2]

# The child: opens the desk, says "ready", then writes until killed, printing each acknowledged result (after
# the call returned) on its own line. Requests follow one life each; every text is a function of the number,
# so that the parent knows what must be stored.
CHILD = r"""
import hashlib, random, sys
sys.path.insert(0, sys.argv[1])
import pytest

import sollicitations as sol
from sollicitations import demo

path, seed, small_checkpoint = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
rng = random.Random(seed)
desk = sol.open_desk(path)
if small_checkpoint:  # checkpoint often, so that some kills land during a checkpoint
    desk.store.cursor().execute("SET checkpoint_threshold = '256KB'")
me, agent = desk.as_user("fournisseur"), desk.as_user("destinataire")
FORM = dict(categorie="Factures émises", sous_categorie="Question pour une entité publique",
            structure=demo.REC201FOURNISSEUR, destinataire=demo.REC201DESTINATAIRE)
LIFE = ["add_attachment", "submit", "take_in_charge", "request_information", "add_complement", "respond", "close"]

def ack(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()

def comment(n, action):
    return f"{action} de la sollicitation n° {n} : « d’accord »"

print("ready", flush=True)
open_ = []  # [numero, index of its next step in LIFE]
while True:
    roll = rng.random()
    if roll < 0.25 or not open_:
        n = me.save_draft(**FORM, description=f"Brouillon de la tentative {seed}")
        ack("ack", n, "save_draft")
        open_.append([n, 0])
    elif roll < 0.32:
        n = me.send(**FORM, description=f"Envoi direct de la tentative {seed}")
        ack("ack", n, "submit")
        open_.append([n, 2])
    elif roll < 0.36:
        n = desk.contact("Connexion", "Compte bloqué", "visiteur@exemple.fr", f"Contact de la tentative {seed}")
        ack("ack", n, "submit")
    else:
        item = rng.choice(open_)
        n, step = item
        action = LIFE[step]
        if action == "add_attachment":
            content = bytes(rng.choice(b"abcdefghij \n") for _ in range(rng.choice([100, 5_000, 150_000])))
            aid = me.add_attachment(n, f"piece-{n}.txt", content)
            ack("ack", n, action, aid, hashlib.sha256(content).hexdigest())
        else:
            if action == "submit":
                me.submit(n)
            elif action == "take_in_charge":
                agent.take_in_charge(n)
            elif action == "request_information":
                agent.request_information(n, comment(n, action))
            elif action == "add_complement":
                me.add_complement(n, comment(n, action))
            elif action == "respond":
                agent.respond(n, comment(n, action))
            elif action == "close":
                me.close(n, resolved=True, comment=comment(n, action))
                action = "close_resolved"
            ack("ack", n, action)
        item[1] += 1
        if item[1] == len(LIFE):
            open_.remove(item)
"""

COMMENTED = {"request_information", "add_complement", "respond", "close_resolved"}


def comment(n: int, action: str) -> str:
    return f"{'close' if action == 'close_resolved' else action} de la sollicitation n° {n} : « d’accord »"


def run_child(script: Path, path: Path, seed: int, small_checkpoint: bool, delay: float) -> tuple[list[str], float]:
    """Start the child, let it write for `delay` seconds after "ready", SIGKILL it; its complete stdout lines."""
    proc = subprocess.Popen(
        [sys.executable, str(script), str(ROOT), str(path), str(seed), "1" if small_checkpoint else "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    lines: list[bytes] = []
    ready = threading.Event()

    def read() -> None:  # drain the pipe as the child writes, so that it never blocks on a full pipe
        buffer = b""
        while chunk := proc.stdout.read1(65536):
            buffer += chunk
            *complete, buffer = buffer.split(b"\n")
            lines.extend(complete)
            if b"ready" in complete:
                ready.set()
        # a line cut by the kill (no newline) was never acknowledged: it is dropped

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not ready.wait(30):
            proc.kill()
            raise AssertionError(f"seed {seed}: the child never got ready: {proc.stderr.read().decode()[-2000:]}")
        started = time.monotonic()
        time.sleep(delay)
        if proc.poll() is not None:
            raise AssertionError(f"seed {seed}: the child died by itself: {proc.stderr.read().decode()[-3000:]}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        ran = time.monotonic() - started
        reader.join(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, f"seed {seed}: child ended with {proc.returncode}"
    return [line.decode() for line in lines if line != b"ready"], ran


def test_kill_minus_nine_loses_nothing_acknowledged(demo_template, tmp_path, request):
    print(f"crash test seed: {SEED} (SOLLICITATIONS_CRASH_SEED={SEED} reproduces it)")
    rng = random.Random(SEED)
    path = tmp_path / "crash.duckdb"
    shutil.copy(demo_template, path)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")

    acked: dict[int, list[str]] = defaultdict(list)  # numero -> acknowledged history actions, in order
    attachments: dict[int, tuple[int, str]] = {}  # attachment id -> (numero, sha256)
    known_extra: set[int] = set()  # requests with one committed, unacknowledged step
    unacked_requests: set[int] = set()  # requests created but never acknowledged
    total_acks, survived, checkpoint_rounds = 0, 0, 0

    with _opened(path) as desk:  # the demo world's own requests
        baseline = set(desk.store.query_df("SELECT numero FROM sollicitations")["numero"].tolist())

    for round_ in range(ROUNDS):
        child_seed = rng.randrange(10**9)
        small_checkpoint = rng.random() < 0.5
        checkpoint_rounds += small_checkpoint
        delay = rng.uniform(0.0, MAX_DELAY)
        where = (
            f"seed {SEED}, round {round_} (child seed {child_seed}, delay {delay:.3f} s, "
            f"small checkpoint {small_checkpoint})"
        )
        lines, _ = run_child(script, path, child_seed, small_checkpoint, delay)
        for line in lines:
            words = line.split()
            assert words[0] == "ack", f"{where}: unexpected child output {line!r}"
            numero, action = int(words[1]), words[2]
            acked[numero].append(action)
            if action == "add_attachment":
                attachments[int(words[3])] = (numero, words[4])
            total_acks += 1

        with _opened(path) as desk:
            try:
                assert_invariants(desk)
            except AssertionError as error:
                raise AssertionError(f"{where}: invariants broken after the kill:\n{error}") from None
            store = desk.store
            present = set(store.query_df("SELECT numero FROM sollicitations")["numero"].tolist()) - baseline
            history = defaultdict(list)
            for n, action in (
                store.cursor().execute("SELECT numero, action FROM historique ORDER BY date, id").fetchall()
            ):
                history[n].append(action)

            missing = sorted(set(acked) - present)
            assert not missing, f"{where}: acknowledged requests lost: {missing}"
            new_extra, new_unacked = [], []
            for n in sorted(present):
                done, wanted = history[n], acked.get(n, [])
                assert done[: len(wanted)] == wanted, (
                    f"{where}: request {n}: acknowledged steps {wanted}, stored history {done}"
                )
                if len(done) > len(wanted):
                    assert len(done) == len(wanted) + 1, f"{where}: request {n}: {done} after acks {wanted}"
                    if not wanted:
                        if n not in unacked_requests:
                            new_unacked.append(n)
                    elif n not in known_extra:
                        new_extra.append(n)
            # One child, one call at a time: at most one write was in flight when the kill came.
            assert len(new_extra) + len(new_unacked) <= 1, (
                f"{where}: several unacknowledged writes committed: steps {new_extra}, requests {new_unacked}"
            )
            known_extra.update(new_extra)
            unacked_requests.update(new_unacked)
            for n in new_unacked:  # a request never acknowledged is whole or absent: its row and its history
                row = store.sollicitation(n)
                assert row["description"] in {
                    f"{kind} de la tentative {child_seed}" for kind in ("Brouillon", "Envoi direct", "Contact")
                }, f"{where}: {row}"
                assert len(history[n]) == 1 and history[n][0] in ("save_draft", "submit"), f"{where}: {history[n]}"

            # Acknowledged attachments: metadata and the exact bytes.
            for aid, (n, sha) in attachments.items():
                meta = store.attachment(aid)
                assert meta is not None and meta["numero"] == n, f"{where}: attachment {aid} of {n} lost"
                content = store.attachment_content(aid)
                assert content is not None and hashlib.sha256(content).hexdigest() == sha == meta["sha256"], (
                    f"{where}: attachment {aid} of {n} not stored as acknowledged"
                )
            # Acknowledged comments: in "Commentaires/Réponses", word for word.
            texts = defaultdict(list)
            for n, texte in store.cursor().execute("SELECT numero, texte FROM commentaires").fetchall():
                texts[n].append(texte)
            for n, actions in acked.items():
                for action in actions:
                    if action in COMMENTED:
                        assert comment(n, action) in texts[n], f"{where}: comment of {action} on {n} lost"
        survived += 1

    report(request, f"test_durability: {survived} SIGKILL rounds survived (seed {SEED}, {checkpoint_rounds} with "
                    f"frequent checkpoints), {total_acks} acknowledged writes on {len(acked)} requests all "
                    f"found, {len(known_extra) + len(unacked_requests)} unacknowledged in-flight writes found "
                    f"whole, none half-written")  # fmt: skip
    assert survived == ROUNDS


class _opened:
    """The desk over `path`, closed on leaving (DuckDB lets one process hold the file)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.desk = sol.open_desk(self.path)
        return self.desk

    def __exit__(self, *exc):
        self.desk.close()
        return False

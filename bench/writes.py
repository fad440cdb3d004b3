"""(a) + (b) the package's writes against the same rows written in plain SQL: "Valider et envoyer",
save+submit, then every transition on those requests, with 1 and 8 threads (a desk user each); on
PostgreSQL, whole lives of requests written by several processes at once."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.support.concurrent import at_once

from . import ROOT, timing
from .raw_sql import RAW_STAGES, raw_create, raw_insert, raw_transition
from .table import SAVE_SUBMIT, Recorder, Row
from .world import DRAFT

# "send" is "Valider et envoyer" on a new form (one transaction, like the raw insert + history); then a
# draft saved and sent in two steps, whose requests the transitions that follow move.
TRANSITION_STAGES = ["send", "save_draft+submit", "take_in_charge", "request_information", "add_complement", "respond",
                     "close"]  # fmt: skip


def package_stage(stage: str, emitter, agent, n: int) -> None:
    if stage == "take_in_charge":
        agent.take_in_charge(n)
    elif stage == "request_information":
        agent.request_information(n, "Merci de joindre le bon de commande.")
    elif stage == "add_complement":
        emitter.add_complement(n, "Le voici.")
    elif stage == "respond":
        agent.respond(n, "Le paiement part demain.")
    elif stage == "close":
        emitter.close(n, resolved=True, comment="Merci.")
    else:
        raise ValueError(stage)


def in_threads(work, threads: int, *args) -> tuple[float, list[str]]:
    """work(thread_index, *args) in `threads` threads released together: the wall time in seconds from
    their release, and the errors of those that failed (a failed writer is reported, not fatal)."""
    outcomes = at_once(lambda i=i: work(i, *args) for i in range(threads))
    return outcomes.seconds, [repr(o.error) for o in outcomes if o.error is not None]


class Writers:
    """`threads` writers sharing `k` requests per stage: each with desk users and a cursor of its own,
    and the requests it created (the package's and the raw ones), which the later stages move."""

    def __init__(self, desk, con, threads: int, k: int):
        self.emitters = [desk.as_user("fournisseur") for _ in range(threads)]
        self.agents = [desk.as_user("destinataire") for _ in range(threads)]
        self.shards: list[list[int]] = [[] for _ in range(threads)]
        self.raw_shards: list[list[int]] = [[] for _ in range(threads)]
        self.cursors = [con.cursor() for _ in range(threads)]
        self.per = [k // threads + (1 if i < k % threads else 0) for i in range(threads)]

    def package(self, i: int, stage: str, latencies: list) -> None:
        if stage == "send":
            for _ in range(self.per[i]):
                t = time.perf_counter()
                self.emitters[i].send(**DRAFT)
                latencies.append((time.perf_counter() - t) * 1000)
        elif stage == "save_draft+submit":
            for _ in range(self.per[i]):
                t = time.perf_counter()
                n = self.emitters[i].save_draft(**DRAFT)
                self.emitters[i].submit(n)
                latencies.append((time.perf_counter() - t) * 1000)
                self.shards[i].append(n)
        else:
            for n in self.shards[i]:
                t = time.perf_counter()
                package_stage(stage, self.emitters[i], self.agents[i], n)
                latencies.append((time.perf_counter() - t) * 1000)

    def raw(self, i: int, stage: str, latencies: list) -> None:
        cur = self.cursors[i]
        if stage in ("send", "save_draft+submit"):
            for _ in range(self.per[i]):
                t = time.perf_counter()
                if stage == "send":
                    raw_insert(cur, datetime.now(), sent=True)
                else:
                    self.raw_shards[i].append(raw_create(cur, datetime.now()))
                latencies.append((time.perf_counter() - t) * 1000)
        else:
            old, new, comment, mail = RAW_STAGES[stage]
            for n in self.raw_shards[i]:
                t = time.perf_counter()
                raw_transition(cur, n, old, new, comment, mail, datetime.now())
                latencies.append((time.perf_counter() - t) * 1000)

    def close(self) -> None:
        for cur in self.cursors:
            cur.close()


def bench_writes(rec: Recorder, desk, con, size: int, args) -> None:
    for threads in (1, 8):
        label = "1 thread" if threads == 1 else f"{threads} threads"
        writers = Writers(desk, con, threads, args.writes)
        for stage in TRANSITION_STAGES:
            lat, raw_lat, raw_seconds, raw_errors = [], [], None, []
            seconds, errors = in_threads(writers.package, threads, stage, lat)
            done = len(lat)
            if timing.RAW_ENABLED:
                raw_seconds, raw_errors = in_threads(writers.raw, threads, stage, raw_lat)
            note = f"{done} ops in {seconds:.2f} s"
            if errors:
                note += f"; {len(errors)} thread(s) failed: {errors[0][:120]}"
            if raw_errors:
                note += f"; raw failed: {raw_errors[0][:80]}"
            rec.add(Row("package", f"write {stage}, {label}", size, "/s", lat, raw_lat,
                        value=done / seconds if seconds else None,
                        raw_value=len(raw_lat) / raw_seconds if raw_seconds else None,
                        target=SAVE_SUBMIT if stage in ("send", "save_draft+submit") else None, note=note))  # fmt: skip
        writers.close()


PROCESS_WORKER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import sollicitations as sol
url, cycles, go = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
desk = sol.open_desk(url)
emitter, agent = desk.as_user("fournisseur"), desk.as_user("destinataire")
draft = json.loads(sys.argv[5])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.002)
latencies = []
for _ in range(cycles):
    t = time.perf_counter()
    n = emitter.save_draft(**draft)
    emitter.submit(n)
    agent.take_in_charge(n)
    agent.respond(n, "Le paiement part demain.")
    emitter.close(n, resolved=True, comment="Merci.")
    latencies.append((time.perf_counter() - t) * 1000)
print(json.dumps(latencies), flush=True)
"""


def bench_processes(rec: Recorder, url: str, size: int, args) -> None:
    """Throughput of app processes writing at once: each runs whole lives (save+submit, take in charge,
    respond, close: 5 use cases) on requests of its own; the figure counts use cases per second."""
    cycles = max(10, args.writes // 4)
    for procs in args.procs:
        go = Path(tempfile.mkdtemp(prefix="bench-go-")) / "go"
        workers = [subprocess.Popen([sys.executable, "-c", PROCESS_WORKER, str(ROOT), url, str(cycles), str(go),
                                     json.dumps(DRAFT)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(procs)]  # fmt: skip
        for w in workers:
            w.stdout.readline()
        started = time.perf_counter()
        go.touch()
        latencies, failures = [], []
        for w in workers:
            out, err = w.communicate(timeout=600)
            if w.returncode:
                failures.append(err.strip()[-200:])
            else:
                latencies += json.loads(out.strip().splitlines()[-1])
        seconds = time.perf_counter() - started
        note = f"{procs} × {cycles} lives of 5 use cases in {seconds:.1f} s; p95 is one life"
        if failures:
            note += f"; {len(failures)} process(es) failed: {failures[0]}"
        rec.add(Row("package", f"write lives, {procs} process{'es' if procs > 1 else ''}", size, "/s", latencies,
                    value=5 * len(latencies) / seconds, note=note))  # fmt: skip

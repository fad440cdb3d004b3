"""(c) documents: the detail PDF, and the CSV and XLSX exports of about 100k rows by the manager, each
export in a subprocess of its own (`run.py --child-export`) so that its peak memory is its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb

import sollicitations as sol

from . import ROOT
from .memory import peak_kb
from .raw_sql import RAW_LIST, day
from .table import PDF, XLSX, Recorder, Row
from .timing import measure
from .world import ALL_STATUSES, Context


def bench_pdf(rec: Recorder, desk, c: Context, size: int, args) -> None:
    from sollicitations import pdf

    me = desk.as_user("fournisseur")
    numbers = c.details["fournisseur"]
    turn = [0]

    def one():
        turn[0] += 1
        return pdf.detail_pdf(me, numbers[turn[0] % len(numbers)])

    p, _ = measure(one, None, args.repeat, args.budget)
    rec.add(Row("package", "pdf detail_pdf", size, "ms", p, target=PDF, note="fournisseur, requests in turn"))


# -- exports (each in a subprocess of its own: its peak memory is its own) -------------------------------


RUN = ROOT / "bench" / "run.py"  # the entry point runs the child export


def export_criteria(con, size: int) -> tuple[dict, int]:
    """Criteria of the manager's search that select about 100k rows: all of a small base, a period otherwise."""
    total = con.execute("SELECT count(*) FROM sollicitations").fetchone()[0]
    if total <= 120_000:
        return {"statut": ALL_STATUSES}, total
    moment = con.execute(
        "SELECT saisie_le FROM sollicitations ORDER BY saisie_le DESC LIMIT 1 OFFSET 99999"
    ).fetchone()[0]
    start = moment.date()
    rows = con.execute(
        "SELECT count(*) FROM sollicitations WHERE saisie_le >= ?", [datetime.combine(start, datetime.min.time())]
    ).fetchone()[0]
    return {"du": start.strftime("%d/%m/%Y")}, rows


def export_child(db: str, fmt: str, out: str, criteria_json: str) -> None:
    """One export in this process (`--child-export`): prints its figures as JSON."""
    criteria = json.loads(criteria_json)
    if fmt == "rawcsv":
        con = duckdb.connect(db, read_only=True)
        where = ("s.statut IN ('brouillon', 'envoyee', 'en_cours', 'informations_requises', 'repondue', 'fermee')"
                 if "statut" in criteria else "s.saisie_le >= ?")  # fmt: skip
        params = [] if "statut" in criteria else [day(criteria["du"])]
        baseline = peak_kb()
        started = time.perf_counter()
        con.execute(
            f"COPY ({RAW_LIST} WHERE {where} ORDER BY s.numero DESC) TO '{out}' (HEADER, DELIMITER ';')", params
        )
        seconds = time.perf_counter() - started
        rows = con.execute(f"SELECT count(*) FROM read_csv('{out}', delim=';', header=true)").fetchone()[0]
    else:
        from sollicitations.export import files as export_files

        desk = sol.open_desk(db, read_only=True)
        me = desk.as_user("gestionnaire")
        me.search(1, 1, space="toutes", **criteria)  # warm: the baseline is the open desk
        baseline = peak_kb()
        started = time.perf_counter()
        rows = export_files.write_export(me, out, fmt, space="toutes", **criteria)
        seconds = time.perf_counter() - started
    print(json.dumps({"rows": rows, "seconds": seconds, "bytes": os.path.getsize(out),
                      "baseline_kb": baseline, "peak_kb": peak_kb()}))  # fmt: skip


def bench_exports(rec: Recorder, db: Path, criteria: dict, expected: int, size: int, workdir: Path) -> None:
    def child(fmt: str) -> dict | None:
        out = workdir / f"export-{size}.{'csv' if fmt == 'rawcsv' else fmt}"
        result = subprocess.run([sys.executable, str(RUN), "--child-export", str(db), fmt, str(out), json.dumps(criteria)],
                                capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
        out.unlink(missing_ok=True)
        if result.returncode:
            rec.notes.append(f"export {fmt} at {size:,}: failed: {result.stderr.strip()[-300:]}")
            return None
        return json.loads(result.stdout.strip().splitlines()[-1])

    raw = child("rawcsv")
    for fmt in ("csv", "xlsx"):
        r = child(fmt)
        if r is None:
            rec.add(Row("package", f"export {fmt.upper()}", size, "na", note="failed (see notes)"))
            continue
        note = (f"{r['rows']:,} rows, {r['bytes'] / 1e6:.1f} MB, peak RSS {r['peak_kb'] / 1024:.0f} MB"
                f" (+{(r['peak_kb'] - r['baseline_kb']) / 1024:.0f} MB during the export)")  # fmt: skip
        rec.add(Row("package", f"export {fmt.upper()}", size, "s", value=r["seconds"],
                    raw_value=raw["seconds"] if raw and fmt == "csv" else None,
                    target=XLSX if fmt == "xlsx" else None, note=note))  # fmt: skip

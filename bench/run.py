"""The benchmark suite of issue 8: figures, never assertions.

    python bench/run.py --sizes 10000 100000 1000000 [--repeat 20] [--out bench/results]

For each size: build a demo world with `demo.build(path, size=N)` (timed), then measure
(median and p95 over repeated runs, in milliseconds unless said otherwise)

  a) the package (`sol.open_desk(path).as_user(...)`): to-process lists, a dozen search criteria
     mixes for an emitter and for the manager, dashboards, drill-down lists, the detail of a
     request, the managers' figures, save+submit and every transition (1 and 8 threads);
  b) the same questions as plain DuckDB SQL on the same file (a second connection), run
     alternately with (a), so that each package figure has a "ratio to raw";
  c) the detail PDF and the CSV/XLSX export of ~100k rows, when those modules exist;
  d) unless --no-app, the served app (`python -m sollicitations serve` on a copy of the file)
     driven by Playwright in Debian's chromium: first render of each tab, then tab switches and
     search clicks with 1, 10 and 30 concurrent sessions on one server process.

It writes bench/results/bench.md (the table and the machine), bench.json (every sample) and
bench.png (time vs size). See bench/README.md for how to read them.

The parts live in modules named after what they measure: world.py (building the worlds), reads.py
and writes.py (a, b), raw_sql.py (b), documents.py (c), served.py (d), table.py (targets, rows)
and timing.py, report.py (the three files); this one runs them size after size.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: bench, tests, sollicitations

import duckdb

import sollicitations as sol
from bench import ROOT, timing
from bench.documents import bench_exports, bench_pdf, export_child, export_criteria
from bench.reads import bench_reads, package_figure_names
from bench.report import load_rows, machine, write_report
from bench.served import app_part
from bench.table import Recorder
from bench.world import context, counts, drop_postgresql, generate, postgresql_copy
from bench.writes import bench_processes, bench_writes

__all__ = ["main", "package_figure_names"]  # the smoke test (tests/app/test_bench_smoke.py) calls both


def bench_size(rec: Recorder, size: int, args, workdir: Path) -> None:
    print(f"\n== {size:,} requests", flush=True)
    path = workdir / f"bench-{size}.duckdb"
    generate(rec, path, size)
    app_db = None
    if args.app:
        app_db = workdir / f"app-{size}.duckdb"
        shutil.copy(path, app_db)

    target = path
    if args.postgresql:
        target = postgresql_copy(rec, path, args.postgresql, size)
    desk = sol.open_desk(target)
    con = duckdb.connect(str(path), read_only=bool(args.postgresql))  # DuckDB: a second connection of this process
    rec.worlds[size] = counts(con)
    if args.package:
        c = bench_reads(rec, desk, con, size, args)
        bench_pdf(rec, desk, c, size, args)
        criteria, expected = export_criteria(con, size)
        bench_writes(rec, desk, con, size, args)
    else:
        c = context(con, size)
    con.close()
    desk.close()
    if args.package:
        bench_exports(rec, target, criteria, expected, size, workdir)
    if args.postgresql:
        bench_processes(rec, target, size, args)
        drop_postgresql(target)
    if app_db is not None:
        numbers = [n for n in c.details["fournisseur"] if n > 20][:12] or c.details["fournisseur"]
        try:
            asyncio.run(app_part(rec, app_db, size, numbers, args, workdir))
        except Exception as e:  # noqa: BLE001 - the package figures are kept; the failure is reported
            rec.notes.append(f"app at {size:,}: stopped: {e!r}"[:400])
        app_db.unlink(missing_ok=True)
    if not args.keep:
        path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=20, help="runs per read figure (after one warm-up)")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per read figure before stopping early")
    parser.add_argument("--writes", type=int, default=200, help="requests created and moved per write stage")
    parser.add_argument(
        "--out", type=Path, default=None, help="bench/results (DuckDB) or bench/results/postgresql (with --postgresql)"
    )
    parser.add_argument("--postgresql", metavar="URL", default=None,
                        help="run the package on PostgreSQL: each world is generated with DuckDB, then copied into"
                             " a database of this server (the URL's role must be allowed to CREATE DATABASE);"
                             " raw SQL and the app are not measured there; adds N-process write throughput")  # fmt: skip
    parser.add_argument("--procs", type=int, nargs="+", default=[1, 2, 4], help="processes for --postgresql")
    parser.add_argument("--workdir", type=Path, default=None, help="where databases go (a temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the databases in --workdir")
    parser.add_argument("--no-app", dest="app", action="store_false", help="skip the served app (d)")
    parser.add_argument(
        "--app-only",
        dest="package",
        action="store_false",
        help="skip the package, SQL and documents parts (a, b, c): generation and the app only",
    )
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 10, 30])
    parser.add_argument("--app-repeat", type=int, default=3, help="new sessions per tab for the first render")
    parser.add_argument("--app-iterations", type=int, default=5, help="tab switch + search rounds per session")
    parser.add_argument("--op-timeout", type=float, default=30.0, help="seconds before one browser step gives up")
    parser.add_argument("--phase-timeout", type=float, default=180.0, help="seconds for one concurrency level")
    parser.add_argument("--merge", action="store_true", help="keep the other sizes of an earlier bench.json")
    parser.add_argument("--child-export", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = ROOT / "bench" / "results" / ("postgresql" if args.postgresql else "")
    timing.RAW_ENABLED = not args.postgresql  # the raw queries are DuckDB's SQL on the DuckDB file
    if args.postgresql:
        args.app = False
    if args.child_export:
        export_child(*args.child_export)
        return Path()
    started = datetime.now()
    info = machine()
    print(f"machine: {info}", flush=True)
    rec = Recorder()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="sollicitations-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        for size in args.sizes:
            bench_size(rec, size, args, workdir)
    finally:
        if args.merge and (args.out / "bench.json").exists():
            old_rows, old_worlds, old_notes = load_rows(args.out / "bench.json")
            keep = [r for r in old_rows if r.size not in args.sizes]
            for r in keep:
                r.order += 100_000
            rec.rows = keep + rec.rows
            rec.worlds = {**{k: v for k, v in old_worlds.items() if k not in args.sizes}, **rec.worlds}
            rec.notes = [n for n in old_notes if not any(f" {s:,}" in n for s in args.sizes)] + rec.notes
        path = write_report(rec, args.out, args, info, started)
        if args.workdir is None and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"\nwrote {path}", flush=True)
    return path


if __name__ == "__main__":
    main()

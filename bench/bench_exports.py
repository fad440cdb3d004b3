"""Benchmark of the documents and exports (issue 6): figures, no assertions.

    python bench/bench_exports.py                      # PDF per request, exports of 100k rows
    python bench/bench_exports.py --sizes 100000 1000000 --formats xlsx csv parquet

- PDF: `pdf.detail_pdf` on --pdf-runs requests of the demo world (median, p95), with and without
  attachments, and `pdf.detail_zip`.
- Exports: the manager's search over every status (the whole base) written by
  `export_files.write_export`, each in a fresh subprocess so that its peak memory (ru_maxrss) is its
  own (VmHWM); "pages only" reads the same pages without writing them (the cost of paging in SQL).
Databases are built with `demo.build(path, size=N)` under --workdir and kept for the next run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.memory import peak_kb  # noqa: E402 - the repository is on the path from here

EVERYTHING = {"statut": ["Brouillon", "Envoyée", "En cours", "Informations compl. requises", "Répondue", "Fermée"]}


def database(workdir: Path, size: int) -> Path:
    from sollicitations import demo

    path = workdir / f"bench-{size}.duckdb"
    if not path.exists():
        started = time.perf_counter()
        demo.build(path, size=size, seed=1).close()
        print(f"  base de {size} sollicitations construite en {time.perf_counter() - started:.1f} s", flush=True)
    return path


def bench_pdf(workdir: Path, runs: int) -> None:
    import sollicitations as sol
    from sollicitations import demo, pdf

    path = database(workdir, 2000)
    desk = sol.open_desk(path, read_only=True)
    manager = desk.as_user("gestionnaire")
    numbers = manager.search(1, runs, **EVERYTHING)["Référence"].tolist()
    # the demo world's own requests first: they carry comments, history and attachments
    numbers = sorted(set(range(1, 12)) | set(numbers))[:runs]
    pdf.detail_pdf(manager, numbers[0])  # imports and font file in the page cache
    print(f"\nPDF par sollicitation ({len(numbers)} sollicitations, utilisateur gestionnaire)")
    for label, make in (
        ("detail_pdf", lambda n: pdf.detail_pdf(manager, n)),
        ("detail_pdf(attachments=True)", lambda n: pdf.detail_pdf(manager, n, attachments=True)),
        ("detail_zip", lambda n: pdf.detail_zip(manager, n)),
        ("me.get seul (lecture SQL)", lambda n: manager.get(n)),
    ):
        times, sizes = [], []
        for n in numbers:
            started = time.perf_counter()
            out = make(n)
            times.append(time.perf_counter() - started)
            sizes.append(len(out) if isinstance(out, bytes) else 0)
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        size = f", {statistics.median(sizes) / 1024:.0f} Ko médian" if any(sizes) else ""
        print(
            f"  {label:32s} médiane {statistics.median(times) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"
            f"   max {times[-1] * 1000:6.1f} ms{size}"
        )
    desk.close()
    del demo


def child(db: str, fmt: str, out: str) -> None:
    """One export in this process; prints JSON figures."""
    import sollicitations as sol
    from sollicitations.export import files as export_files

    desk = sol.open_desk(db, read_only=True)
    me = desk.as_user("gestionnaire")
    me.search(1, 1, **EVERYTHING)  # warm: the baseline is the open desk, not the export
    baseline = peak_kb()
    started = time.perf_counter()
    if fmt == "pages":
        rows = sum(len(frame) for frame in export_files.list_pages(me, **EVERYTHING))
        size = 0
    else:
        rows = export_files.write_export(me, out, fmt, **EVERYTHING)
        size = os.path.getsize(out)
    seconds = time.perf_counter() - started
    peak = peak_kb()
    desk.close()
    print(json.dumps({"rows": rows, "seconds": seconds, "bytes": size, "baseline_kb": baseline, "peak_kb": peak}))


def bench_exports(workdir: Path, sizes: list[int], formats: list[str]) -> None:
    for size in sizes:
        db = database(workdir, size)
        print(f"\nExport de la base entière ({size} sollicitations générées + le monde de démo), gestionnaire")
        for fmt in formats:
            out = workdir / f"export-{size}.{fmt}"
            result = subprocess.run([sys.executable, __file__, "--child", str(db), fmt, str(out)],
                                    capture_output=True, text=True, cwd=ROOT, check=False)  # fmt: skip
            if result.returncode:
                print(f"  {fmt}: échec\n{result.stderr}")
                continue
            r = json.loads(result.stdout.strip().splitlines()[-1])
            label = "pages seules (SQL)" if fmt == "pages" else fmt
            print(
                f"  {label:20s} {r['rows']:>9} lignes  {r['seconds']:7.1f} s  "
                f"{r['rows'] / max(r['seconds'], 1e-9):>9,.0f} lignes/s  "
                f"fichier {r['bytes'] / 1e6:7.1f} Mo  "
                f"mémoire max {r['peak_kb'] / 1024:6.0f} Mo (dont {(r['peak_kb'] - r['baseline_kb']) / 1024:5.0f} Mo"
                f" pendant l'export)",
                flush=True,
            )
            out.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--formats", nargs="+", default=["xlsx", "csv", "parquet"])
    parser.add_argument("--pdf-runs", type=int, default=50)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sollicitations-bench")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--skip-pages", action="store_true", help="sans la mesure « pages seules »")
    parser.add_argument("--child", nargs=3, metavar=("DB", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"Machine : {os.cpu_count()} coeurs, Python {sys.version.split()[0]}; bases dans {args.workdir}")
    if not args.skip_pdf:
        bench_pdf(args.workdir, args.pdf_runs)
    bench_exports(args.workdir, args.sizes, args.formats if args.skip_pages else ["pages", *args.formats])


if __name__ == "__main__":
    main()

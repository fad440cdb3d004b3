"""The report: bench.md (the machine, the worlds, one row per figure and size), bench.json (every
sample), bench.png (time against size, drawn with Pillow); and the rows of an earlier bench.json."""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import subprocess
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

import duckdb

from tests.support.browser import CHROMIUM

from .reads import package_figure_names
from .table import (
    FIRST_RENDER,
    FULL_TEXT,
    GENERATION,
    PDF,
    SAVE_SUBMIT,
    SCREEN,
    SWITCH_10,
    SWITCH_30,
    XLSX,
    Recorder,
    Row,
    fmt_cell,
    fmt_ms,
    fmt_value,
)


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            mem_kb = int(line.split()[1])
    versions = {"python": platform.python_version(), "duckdb": duckdb.__version__}
    for name in ("pandas", "panel", "bokeh"):
        with contextlib.suppress(Exception):  # a library missing is left out of the list
            versions[name] = __import__(name).__version__
    with contextlib.suppress(Exception):
        versions["chromium"] = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True,
                                              timeout=20, check=False).stdout.strip()  # fmt: skip
    return {"nproc": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
            "os": platform.platform(), **versions}  # fmt: skip


def write_report(rec: Recorder, out: Path, args, info: dict, started: datetime) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    rows = sorted(rec.rows, key=lambda r: (SECTION_ORDER.get(r.section, 9), figure_rank(r), r.size))
    lines = [
        "# Benchmark results (issue 8)",
        "",
        (
            f"Run {started:%Y-%m-%d %H:%M} → {datetime.now():%H:%M}, command: `python bench/run.py "
            f"{' '.join(sys.argv[1:])}`"
        ),
        "",
        "## Machine",
        "",
        f"- {info['nproc']} cores ({info['cpu']}), {info['memory_gib']} GiB memory, {info['os']}",
        "- " + ", ".join(f"{k} {v}" for k, v in info.items() if k not in ("nproc", "cpu", "memory_gib", "os")),
        "",
        "## Worlds",
        "",
        "| size | requests | history rows | comments | structures | services | users | attachments |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, w in sorted(rec.worlds.items()):
        lines.append(f"| {size:,} | {w['sollicitations']:,} | {w['historique']:,} | {w['commentaires']:,} |"
                     f" {w['structures']:,} | {w['services']:,} | {w['users']:,} | {w['pieces_jointes']:,} |")  # fmt: skip
    lines += [
        "",
        "## Figures",
        "",
        (
            "Latencies in ms (median and nearest-rank p95 over n runs, after one warm-up run). Rows marked /s are "
            "throughputs: the median column is operations per second over the whole batch, p95 the per-operation "
            "latency. Ratio to raw = package time / time of the same question in plain DuckDB SQL (for rates: "
            "raw rate / package rate). Targets are issue 8's, stated for 1M requests; they are checked at every size."
        ),
        "",
        "| figure | size | median | p95 | n | raw median | ratio to raw | target | met? | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        raw = fmt_ms(r.raw_median) if r.unit == "ms" else fmt_value(r.unit, r.raw_value)
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        n = str(len(r.samples)) if r.samples else ("—" if r.unit == "na" else "1")
        lines.append(f"| {r.figure} | {r.size:,} | {fmt_cell(r, 'median')} | {fmt_cell(r, 'p95')} | {n} | {raw} |"
                     f" {ratio} | {r.target.text if r.target else '—'} | {r.met()} | {r.note} |")  # fmt: skip
    if rec.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in rec.notes]
    lines.append("")
    path = out / "bench.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    data = {"machine": info, "started": started.isoformat(), "argv": sys.argv[1:], "notes": rec.notes,
            "worlds": {str(k): v for k, v in rec.worlds.items()},
            "rows": [{**{k: v for k, v in asdict(r).items() if k != "target"},
                      "target": r.target.text if r.target else None, "median": r.median, "p95": r.p95,
                      "raw_median": r.raw_median, "ratio": r.ratio, "met": r.met()} for r in rows]}  # fmt: skip
    (out / "bench.json").write_text(json.dumps(data, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    try:
        chart(rows, out / "bench.png")
    except Exception as e:  # noqa: BLE001 - the table matters more than the picture
        print(f"chart not drawn: {e!r}")
    return path


SECTION_ORDER = {"generation": 0, "package": 1, "app": 2}
_RANKS: dict[str, int] = {}


def figure_rank(row: Row) -> int:
    if row.figure not in _RANKS:
        names = package_figure_names()
        _RANKS[row.figure] = names.index(row.figure) if row.figure in names else 1000 + row.order
    return _RANKS[row.figure]


def load_rows(path: Path) -> tuple[list[Row], dict, list[str]]:
    """Rows of an earlier bench.json (--merge keeps the sizes this run does not measure)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    targets = {t.text: t for t in (SCREEN, FULL_TEXT, SAVE_SUBMIT, PDF, XLSX, GENERATION, FIRST_RENDER, SWITCH_10,
                                   SWITCH_30)}  # fmt: skip
    rows = []
    for d in data["rows"]:
        rows.append(Row(d["section"], d["figure"], d["size"], d["unit"], d["samples"], d["raw_samples"], d["value"],
                        d["raw_value"], targets.get(d["target"]), d["note"], d["order"]))  # fmt: skip
    return rows, {int(k): v for k, v in data.get("worlds", {}).items()}, data.get("notes", [])


# -- the chart, drawn with Pillow (matplotlib is not installed) ------------------------------------------------

CHART_FIGURES = [
    "to_process fournisseur", "to_process destinataire", "search statut Envoyée+En cours + period (3 months) (gestionnaire)",
    "search cree_par (name) (gestionnaire)", "search statut Fermée, page 20 (gestionnaire)",
    "dashboard fournisseur (3 structures)", "dashboard gestionnaire (all structures)", "detail get() fournisseur",
    "manager delays (by destinataire)", "manager backlog", "manager reopen_rates",
    "app first render: Synthèse (fournisseur)", "app 10 sessions: tab switch",
]  # fmt: skip
COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
          "#17becf", "#000091", "#aa3300", "#008855"]  # fmt: skip


def chart(rows: list[Row], path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    series = {}
    for name in CHART_FIGURES:
        points = sorted((r.size, r.median) for r in rows if r.figure == name and r.unit == "ms" and r.samples)
        if points:
            series[name] = points
    sizes = sorted({r.size for r in rows})
    if not series or not sizes:
        return
    W, H, left, right, top, bottom = 1400, 800, 90, 560, 60, 70
    img = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(img)
    try:  # a Unicode font (accents): the one the PDFs embed, a dependency of the package
        import ttf_opensans

        font = ImageFont.truetype(str(ttf_opensans.OPENSANS_REGULAR.path), 16)
        small = ImageFont.truetype(str(ttf_opensans.OPENSANS_REGULAR.path), 14)
    except Exception:  # noqa: BLE001
        font = small = ImageFont.load_default()
    values = [v for pts in series.values() for _, v in pts]
    y_lo = 10 ** math.floor(math.log10(max(min(values), 0.1)))
    y_hi = 10 ** math.ceil(math.log10(max(values)))
    x_lo, x_hi = min(sizes), max(sizes)
    if x_lo == x_hi:
        x_lo, x_hi = x_lo / 3, x_hi * 3

    def X(v):
        return left + (math.log10(v) - math.log10(x_lo)) / (math.log10(x_hi) - math.log10(x_lo)) * (W - left - right)

    def Y(v):
        return (
            H
            - bottom
            - (math.log10(max(v, y_lo)) - math.log10(y_lo)) / (math.log10(y_hi) - math.log10(y_lo)) * (H - top - bottom)
        )

    d.text((left, 20), "Time vs number of requests (median, log-log); dashed: 50 ms target", fill="black", font=font)
    d.rectangle([left, top, W - right, H - bottom], outline="black")
    decade = y_lo
    while decade <= y_hi * 1.0001:
        y = Y(decade)
        d.line([left, y, W - right, y], fill="#dddddd")
        d.text((10, y - 8), f"{decade:g} ms", fill="black", font=small)
        decade *= 10
    if y_lo <= 50 <= y_hi:
        y = Y(50)
        for x in range(left, W - right, 12):
            d.line([x, y, x + 6, y], fill="#cc0000", width=2)
    for s in sizes:
        x = X(s)
        d.line([x, top, x, H - bottom], fill="#eeeeee")
        d.text((x - 25, H - bottom + 10), f"{s:,}", fill="black", font=small)
    d.text(((left + W - right) / 2 - 60, H - 30), "requests in the base", fill="black", font=font)
    for i, (name, pts) in enumerate(series.items()):
        color = COLORS[i % len(COLORS)]
        xy = [(X(s), Y(v)) for s, v in pts]
        if len(xy) > 1:
            d.line(xy, fill=color, width=3)
        for x, y in xy:
            d.ellipse([x - 4, y - 4, x + 4, y + 4], fill=color)
        ly = top + 10 + i * 24
        d.line([W - right + 20, ly + 8, W - right + 50, ly + 8], fill=color, width=3)
        d.text((W - right + 58, ly), name[:62], fill="black", font=small)
    img.save(path)

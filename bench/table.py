"""The table of figures: issue 8's targets, a row (samples, raw samples, note), the recorder that
prints each row as it comes, and the cells' formats."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

# -- targets of issue 8 (stated for 1M requests on a 2-core machine) ---------------------------------


@dataclass(frozen=True)
class Target:
    text: str
    stat: str  # which figure is compared: "p95", "median" or "value" (rates, seconds)
    op: str  # "<=", "<" or ">="
    limit: float

    def met(self, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "—"
        ok = {"<=": value <= self.limit, "<": value < self.limit, ">=": value >= self.limit}[self.op]
        return "yes" if ok else "**NO**"


SCREEN = Target("p95 ≤ 50 ms", "p95", "<=", 50)
FULL_TEXT = Target("p95 ≤ 100 ms", "p95", "<=", 100)
SAVE_SUBMIT = Target("≥ 100 /s", "value", ">=", 100)
PDF = Target("p95 ≤ 100 ms", "p95", "<=", 100)
XLSX = Target("≤ 5 s, bounded memory", "value", "<=", 5)
GENERATION = Target("1M < 60 s", "value", "<", 60)
FIRST_RENDER = Target("median ≤ 1 s", "median", "<=", 1000)
SWITCH_10 = Target("p95 ≤ 300 ms", "p95", "<=", 300)
SWITCH_30 = Target("p95 ≤ 1 s", "p95", "<=", 1000)

# -- rows of the table ----------------------------------------------------------------------------------


@dataclass
class Row:
    section: str
    figure: str
    size: int
    unit: str  # "ms" (samples are latencies), "/s" (value is a rate), "s" (value in seconds), "na"
    samples: list[float] = field(default_factory=list)
    raw_samples: list[float] = field(default_factory=list)
    value: float | None = None  # rates and seconds
    raw_value: float | None = None
    target: Target | None = None
    note: str = ""
    order: int = 0

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    @property
    def p95(self) -> float | None:
        return percentile(self.samples, 95) if self.samples else None

    @property
    def raw_median(self) -> float | None:
        if self.unit == "ms":
            return statistics.median(self.raw_samples) if self.raw_samples else None
        return self.raw_value

    @property
    def ratio(self) -> float | None:
        """Package cost / raw cost (> 1: our layers add that factor)."""
        if self.unit == "ms" and self.samples and self.raw_samples:
            return self.median / max(self.raw_median, 1e-6)
        if self.unit == "/s" and self.value and self.raw_value:
            return self.raw_value / self.value
        if self.unit == "s" and self.value and self.raw_value:
            return self.value / self.raw_value
        return None

    def met(self) -> str:
        if self.target is None:
            return "—"
        if self.unit == "na":
            return "—"
        value = {"p95": self.p95, "median": self.median, "value": self.value}[self.target.stat]
        return self.target.met(value)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (p95 of 20 samples is the 19th smallest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


class Recorder:
    def __init__(self):
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.worlds: dict[int, dict] = {}

    def add(self, row: Row) -> Row:
        row.order = len(self.rows)
        self.rows.append(row)
        print(f"  {row.figure:58s} {fmt_cell(row, 'median'):>12s} {fmt_cell(row, 'p95'):>14s}"
              f"  raw {fmt_ms(row.raw_median) if row.unit == 'ms' else fmt_value(row.unit, row.raw_value):>10s}"
              f"  {row.note}", flush=True)  # fmt: skip
        return row


def fmt_ms(v: float | None) -> str:
    if v is None:
        return "—"
    return f"{v:,.0f} ms" if v >= 100 else f"{v:.1f} ms"


def fmt_value(unit: str, v: float | None) -> str:
    if v is None:
        return "—"
    if unit == "/s":
        return f"{v:,.0f} /s"
    if unit == "s":
        return f"{v:,.1f} s"
    return fmt_ms(v)


def fmt_cell(row: Row, which: str) -> str:
    if row.unit == "na":
        return row.note.split(":")[0] if which == "median" else "—"
    if row.unit == "ms":
        return fmt_ms(row.median if which == "median" else row.p95)
    if which == "median":
        return fmt_value(row.unit, row.value)
    if row.samples:  # per-operation latency of a throughput figure
        return "op p95 " + fmt_ms(row.p95)
    return "—"

"""The benchmark suite of issue 8 runs end to end at 10,000 requests (its package part): figures, no timing checks.

The served-app part drives chromium for minutes; it is opt-in (`python bench/run.py` without --no-app),
so this test runs the package part only, as CI's smoke test.
"""

import importlib.util
import json
import re
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run.py"


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_the_suite_writes_a_row_for_every_figure(tmp_path):
    bench = load_bench()
    out = tmp_path / "results"
    report = bench.main(["--sizes", "10000", "--repeat", "2", "--budget", "1", "--writes", "16", "--no-app",
                         "--out", str(out), "--workdir", str(tmp_path / "work")])  # fmt: skip
    assert report == out / "bench.md"
    table = report.read_text(encoding="utf-8")
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 10 and cells[1] == "10,000":
            rows[cells[0]] = cells
    names = bench.package_figure_names()
    assert len(names) > 50
    missing = [n for n in names if n not in rows]
    assert not missing, missing
    for name in names:
        _figure, _size, median, _p95, _n, raw, ratio, _target, _met, note = rows[name]
        assert re.fullmatch(r"[\d,.]+ (ms|s|/s)", median), (name, median)
        if name.startswith(("to_process", "search ", "drill-down", "dashboard", "detail", "monthly", "manager")):
            assert raw.endswith("ms") and re.fullmatch(r"[\d.]+", ratio), (name, raw, ratio)
        if name.startswith("search full text"):
            assert re.fullmatch(r"« \w+( \w+)? »: [\d,]+ matches", note), note
            if "most frequent" in name:
                assert not note.endswith(": 0 matches"), note  # the word is taken from the world's texts
        if name.startswith("write "):
            assert median.endswith("/s") and raw.endswith("/s"), (name, median, raw)
    # the machine is described, the samples are kept, the chart is drawn
    assert "## Machine" in table and "duckdb " in table and "cores" in table
    data = json.loads((out / "bench.json").read_text(encoding="utf-8"))
    assert {r["figure"] for r in data["rows"]} >= set(names)
    assert (out / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (tmp_path / "work" / "bench-10000.duckdb").exists()  # databases are not left behind

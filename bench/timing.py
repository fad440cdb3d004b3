"""The timing loop: a package call and the same question in raw SQL, run in turn."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

RAW_ENABLED = True  # False on PostgreSQL: the raw queries are DuckDB's SQL on the DuckDB file


def measure(pkg: Callable[[], Any], raw: Callable[[], Any] | None, repeat: int, budget: float):
    """Warm once, then alternate package and raw runs; stop early past `budget` seconds (3 runs at least)."""
    raw = raw if RAW_ENABLED else None
    pkg()
    if raw is not None:
        raw()
    p, r = [], []
    started = time.perf_counter()
    for i in range(repeat):
        t = time.perf_counter()
        pkg()
        p.append((time.perf_counter() - t) * 1000)
        if raw is not None:
            t = time.perf_counter()
            raw()
            r.append((time.perf_counter() - t) * 1000)
        if i + 1 >= min(3, repeat) and time.perf_counter() - started > budget:
            break
    return p, r

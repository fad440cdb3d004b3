"""Where things are, from the environment: one place for every setting the package reads."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "sollicitations.duckdb"
DEFAULT_DEMO_SIZE = 2000


def database_path() -> Path:
    """SOLLICITATIONS_DB, or data/sollicitations.duckdb beside the package."""
    return Path(os.environ.get("SOLLICITATIONS_DB") or DEFAULT_DB)

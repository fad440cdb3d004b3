"""Where things are, from the environment: one place for every setting the package reads."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = ROOT / "data" / "sollicitations.duckdb"
DEFAULT_DEMO_SIZE = 2000


def database_path() -> Path | str:
    """SOLLICITATIONS_DB: a DuckDB file (data/sollicitations.duckdb beside the package by default) or a
    PostgreSQL URL (postgresql://user:password@host:5432/base), kept as a string."""
    configured = os.environ.get("SOLLICITATIONS_DB") or DEFAULT_DB
    return str(configured) if is_postgresql_url(str(configured)) else Path(configured)


def is_postgresql_url(target) -> bool:
    return isinstance(target, str) and target.startswith(("postgresql://", "postgres://"))


def secrets_dir() -> Path:
    path = Path(os.environ.get("SOLLICITATIONS_SECRETS") or ROOT / "data" / "secrets")
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def cookie_secret() -> str:
    """SOLLICITATIONS_COOKIE_SECRET, or one generated on first use and kept out of git."""
    if os.environ.get("SOLLICITATIONS_COOKIE_SECRET"):
        return os.environ["SOLLICITATIONS_COOKIE_SECRET"]
    path = secrets_dir() / "cookie_secret"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()

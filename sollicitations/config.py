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
        # Written whole, readable by its owner only from the first byte (not 0644 then narrowed), then
        # linked in place: processes starting together all read the one that was linked first.
        draft = path.with_name(f".cookie_secret.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()

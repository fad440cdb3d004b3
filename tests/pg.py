"""PostgreSQL for the tests: the server's URL, a database per test, and the `postgresql` marker.

The server comes from `scripts/start-postgres`; tests find it through the environment:

    export SOLLICITATIONS_TEST_PG=$(scripts/start-postgres | tail -1)

Without that variable, tests marked `postgresql` are deselected (pytest reports them as deselected), or,
with SOLLICITATIONS_REQUIRE_PG=1 (CI), fail with a message saying what is missing. Never skipped in
silence.

The hooks below are a pytest plugin. Test modules that use the marker call `ensure_plugin(config)` (from
their `pytest_generate_tests`), which registers this module as a plugin unless it already is; loading it
for the whole suite is also possible: `pytest -p tests.pg`, or in tests/conftest.py
`pytest_plugins = ["tests.pg"]`. Registering the marker in pyproject.toml is harmless too.
"""

from __future__ import annotations

import os
import re
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

ENV_URL = "SOLLICITATIONS_TEST_PG"
ENV_REQUIRE = "SOLLICITATIONS_REQUIRE_PG"
MARKER = "postgresql"
MISSING = (
    f"PostgreSQL tests need {ENV_URL}=postgresql://... "
    f"(export {ENV_URL}=$(scripts/start-postgres | tail -1)); {ENV_REQUIRE}=1 makes its absence a failure"
)

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def pg_url() -> str | None:
    """The test server's URL (env SOLLICITATIONS_TEST_PG), or None."""
    return os.environ.get(ENV_URL) or None


def pg_required() -> bool:
    return os.environ.get(ENV_REQUIRE, "") not in ("", "0")


def require_pg_url() -> str:
    """The URL, or a test failure that says how to get one (for fixtures of `postgresql` tests)."""
    url = pg_url()
    if url is None:
        pytest.fail(MISSING, pytrace=False)
    return url


def database_url(url: str, name: str) -> str:
    """The same server and role, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def unique_name(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


def _check(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"not a plain database name: {name!r}")
    return name


def _admin(url: str):
    import psycopg

    # The maintenance database of the URL's server: never the one being created or dropped.
    return psycopg.connect(database_url(url, "postgres"), autocommit=True)


def fresh_database(url: str, name: str, template: str | None = None) -> str:
    """Create database `name` (dropped first if it exists), copied from `template` when given, and
    return its URL. A template must have no other session connected while it is copied."""
    _check(name)
    with _admin(url) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if template is None:
            admin.execute(f'CREATE DATABASE "{name}"')
        else:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_check(template)}"')
    return database_url(url, name)


def drop_database(url: str, name: str) -> None:
    """Drop database `name` if it exists, disconnecting our sessions left on it (PostgreSQL 13+)."""
    import psycopg

    with _admin(url) as admin:
        try:
            # Plain DROP stops an autovacuum worker on its own; FORCE would need the superuser's rights
            # for that, since the worker is the server's.
            admin.execute(f'DROP DATABASE IF EXISTS "{_check(name)}"')
        except psycopg.errors.ObjectInUse:  # a session of ours still open: disconnect it
            admin.execute(f'DROP DATABASE IF EXISTS "{_check(name)}" WITH (FORCE)')


# -- the marker ----------------------------------------------------------------------------------


def ensure_plugin(config) -> None:
    """Register this module as a pytest plugin (marker and deselection) if it is not registered yet."""
    import sys

    module = sys.modules[__name__]
    if not config.pluginmanager.is_registered(module):
        config.pluginmanager.register(module, "tests.pg")


def pytest_configure(config):
    config.addinivalue_line("markers", f"{MARKER}: needs a PostgreSQL server ({ENV_URL}); deselected without one")


def pytest_collection_modifyitems(config, items):
    """Without a server, deselect the `postgresql` tests, unless SOLLICITATIONS_REQUIRE_PG=1: then they
    run, and their fixtures fail (require_pg_url)."""
    if pg_url() is not None or pg_required():
        return
    deselected = [item for item in items if item.get_closest_marker(MARKER)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(MARKER)]

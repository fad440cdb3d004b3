"""The generated cookie secret: readable by its owner only from the moment it exists, one for all."""

import os
import pathlib
import stat
from concurrent.futures import ThreadPoolExecutor

from sollicitations import config


def test_the_secret_file_is_never_readable_by_others(tmp_path, monkeypatch):
    monkeypatch.delenv("SOLLICITATIONS_COOKIE_SECRET", raising=False)
    monkeypatch.setenv("SOLLICITATIONS_SECRETS", str(tmp_path))
    # No narrowing afterwards: the mode it is created with is the mode it has.
    monkeypatch.setattr(pathlib.Path, "chmod", lambda self, mode: None)
    previous = os.umask(0o022)
    try:
        secret = config.cookie_secret()
    finally:
        os.umask(previous)
    mode = stat.S_IMODE((tmp_path / "cookie_secret").stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert len(secret) >= 48 and config.cookie_secret() == secret


def test_processes_starting_together_share_one_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("SOLLICITATIONS_COOKIE_SECRET", raising=False)
    monkeypatch.setenv("SOLLICITATIONS_SECRETS", str(tmp_path))
    with ThreadPoolExecutor(8) as pool:
        secrets = set(pool.map(lambda _: config.cookie_secret(), range(32)))
    assert len(secrets) == 1 and secrets == {(tmp_path / "cookie_secret").read_text().strip()}

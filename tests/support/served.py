"""The app served for real, as `python -m sollicitations serve` starts it in production, on a free port
of loopback: for the browser tests, the HTTP and websocket tests, and the benchmark of the served app."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from .ports import free_port
from .waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]


class Server:
    """`serve --port <free> --db <db> *serve_args`, up once /login answers (within `timeout` seconds).

    `secrets` is its SOLLICITATIONS_SECRETS folder, where its log goes unless `log` says where;
    `extra_env` adds variables to its environment (a None value takes one out).
    """

    def __init__(
        self,
        db: Path,
        secrets: Path,
        serve_args: tuple[str, ...] = (),
        *,
        log: Path | None = None,
        timeout: float = 60,
        **extra_env: str | None,
    ):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.secrets = secrets
        env = {**os.environ, "SOLLICITATIONS_SECRETS": str(secrets), **extra_env}
        self.log = open(log or secrets / "server.log", "w")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sollicitations", "serve", "--port", str(self.port), "--db", str(db), *serve_args],
            env={k: v for k, v in env.items() if v is not None},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        try:
            wait_until(self._up, timeout=timeout)
        except BaseException:
            self.stop()  # no server left behind by a start that failed
            raise

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError("the server stopped: " + Path(self.log.name).read_text())
        try:
            urllib.request.urlopen(self.url + "/login", timeout=1)
            return True
        except OSError:
            return False

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return Path(self.log.name).read_text()

    def stop(self) -> str:
        """Stop the server (killed if it takes more than 10 s); its whole log."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        return self.log_text()


def assert_no_server_error(log: str) -> None:
    """No exception from our code nor from a session's message handling.

    Tornado logs a WebSocketClosedError when a browser leaves mid-write: not an error of ours.
    """
    ours = [
        line
        for line in log.splitlines()
        if line.strip().startswith("File") and str(ROOT) in line and "site-packages" not in line
    ]
    assert not ours and "error handling message" not in log, log

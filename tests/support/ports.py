"""Ports for the servers tests and benchmarks start (the app, SMTP): free ones, never fixed numbers."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port of loopback that nothing listens on now (the system's choice, as port 0 asks)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

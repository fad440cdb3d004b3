"""How many wrong logins a client may try: a sliding window of its recent failures, per client address.

The login handler asks before checking a password (a check costs an argon2 hash, 0.25-0.6 s of CPU),
and tells after a failure. Successful logins are not counted: only guessing is slowed down.
"""

from __future__ import annotations

import threading
import time
from collections import deque

FAILURES_PER_WINDOW = 10
WINDOW_SECONDS = 60.0
TOO_MANY = "Trop de tentatives de connexion depuis votre poste : réessayez dans une minute."


class ClientThrottle:
    def __init__(self, limit: int = FAILURES_PER_WINDOW, window: float = WINDOW_SECONDS, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allows(self, client: str) -> bool:
        with self._lock:
            return self._count(client) < self.limit

    def failed(self, client: str) -> None:
        with self._lock:
            self._count(client)
            self._failures.setdefault(client, deque()).append(self.clock())

    def _count(self, client: str) -> int:
        """The client's failures still in the window; a client with none is forgotten."""
        failures = self._failures.get(client)
        if failures is None:
            return 0
        horizon = self.clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            del self._failures[client]
        return len(failures)

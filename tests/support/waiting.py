"""Poll instead of sleeping: a test waits as long as the thing takes, and no longer."""

from __future__ import annotations

import time


def wait_until(condition, timeout: float = 15.0, interval: float = 0.1):
    """Poll `condition` until it returns something true; fail with the last value otherwise."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {value!r})")

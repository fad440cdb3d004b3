"""A process's peak memory, as the exports report it (imports nothing heavy: a child measures from here)."""

from __future__ import annotations

import resource
from pathlib import Path


def peak_kb() -> int:
    """This process's peak resident memory: VmHWM (ru_maxrss would include the parent's, kept across fork)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

"""The office's time: Paris wall-clock time, stored without zone, since every user reads French time."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_now() -> datetime:
    return datetime.now(PARIS).replace(tzinfo=None)

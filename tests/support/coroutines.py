"""Coroutines run from plain (synchronous) tests."""

from __future__ import annotations

import asyncio
import concurrent.futures


def run(coroutine):
    """Run `coroutine` on an event loop of its own thread: playwright's sync API, when the browser tests
    ran first in this process, keeps a loop running in the main thread, where asyncio.run refuses."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

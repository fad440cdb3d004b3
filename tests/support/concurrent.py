"""Calls started together, one thread each, released by one barrier: users racing for the same
request, writers in a burst. Each caller keeps its own bookkeeping (counters, latencies)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass
class Outcome:
    """What one call returned, or the exception it raised."""

    value: Any = None
    error: BaseException | None = None

    def result(self) -> Any:
        """The value, or the call's exception raised again (here, in the caller's thread)."""
        if self.error is not None:
            raise self.error
        return self.value


class Outcomes(list):
    """One Outcome per call, in the order of the calls; `seconds`: from their release to the end of the last."""

    seconds: float = 0.0


def at_once(calls: Iterable[Callable[[], Any]], timeout: float | None = None) -> Outcomes:
    """Run each call in a thread of its own, all released together, and wait for them all.

    `timeout` bounds the wait at the barrier and for each thread (None: as long as they take); a thread
    still running after it fails the caller, instead of hanging the suite.
    """
    calls = list(calls)
    barrier = threading.Barrier(len(calls) + 1)  # this thread too: the clock starts at the release
    outcomes = Outcomes(Outcome() for _ in calls)
    done = [False] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[i].value = call()
        except BaseException as error:  # noqa: BLE001 - the caller inspects every outcome
            outcomes[i].error = error
        done[i] = True

    threads = [threading.Thread(target=run, args=(i, c), daemon=True) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    with contextlib.suppress(threading.BrokenBarrierError):  # a call that did not start in time: its outcome says so
        barrier.wait(timeout=timeout)
    started = time.perf_counter()
    for t in threads:
        t.join(timeout)
    outcomes.seconds = time.perf_counter() - started
    assert all(done), "a thread did not finish"
    return outcomes

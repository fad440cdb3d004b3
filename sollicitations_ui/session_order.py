"""Each session's callbacks run in the order the browser sent them, on Panel's thread pool.

With `--num-threads`, Panel hands every change ("the user typed a comment") and every event ("the user
clicked Valider") to a shared pool. Before an event it flushes the session's pending changes, but only
by *submitting* them: the change and the click then run side by side on two threads, and the click may
read the comment before the change has set it ("Commentaire obligatoire" for a comment that was typed).
Seen in the browser tests on a loaded machine; a person who types and clicks at once would meet it too.

`SessionOrderedPool` keeps the pool (one session's long export still never blocks another session) but
starts a session's next callback only when its previous one has finished. Nothing waits on a thread:
the next one is submitted from the done-callback of the one before. Installed as a Panel plugin
(`--plugins sollicitations_ui.session_order`), which Panel imports after it has made its pool.
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial

from bokeh.document import Document

ROUTES: list = []  # a plugin without pages: importing it installs the pool


def document_of(fn, args) -> Document | None:
    """The session a callback belongs to: Panel passes its Document as an argument (or in a partial)."""
    while True:
        for value in args:
            if isinstance(value, Document):
                return value
        if not isinstance(fn, partial):
            return None
        fn, args = fn.func, fn.args


class SessionOrderedPool(ThreadPoolExecutor):
    """A thread pool in which the callbacks of one Document run one after the other, in submission order."""

    def __init__(self, max_workers: int | None = None):
        super().__init__(max_workers=max_workers, thread_name_prefix="session")
        self._last: weakref.WeakKeyDictionary[Document, Future] = weakref.WeakKeyDictionary()
        self._order_lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        doc = document_of(fn, args)
        if doc is None:
            return super().submit(fn, *args, **kwargs)
        outer: Future = Future()
        with self._order_lock:
            previous = self._last.get(doc)
            self._last[doc] = outer
        start = partial(self._start, outer, fn, args, kwargs)
        if previous is None:
            start()
        else:
            previous.add_done_callback(lambda _: start())  # called at once if it is already done
        return outer

    def _start(self, outer: Future, fn, args, kwargs) -> None:
        try:
            inner = super().submit(fn, *args, **kwargs)
        except RuntimeError as e:  # the pool was shut down (the server stops)
            outer.set_exception(e)
            return
        inner.add_done_callback(partial(_copy_outcome, outer))


def _copy_outcome(outer: Future, inner: Future) -> None:
    if inner.cancelled():
        outer.cancel()
        outer.set_running_or_notify_cancel()
    elif inner.exception() is not None:
        outer.set_exception(inner.exception())
    else:
        outer.set_result(inner.result())


def install() -> None:
    """Replace the pool Panel made for `--num-threads` by an ordered one of the same size."""
    from panel.io.state import state

    current = state._thread_pool
    if current is None or isinstance(current, SessionOrderedPool):
        return
    state._thread_pool = SessionOrderedPool(max_workers=current._max_workers)
    current.shutdown(wait=False)


install()

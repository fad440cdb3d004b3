"""The served app's thread pool: one session's callbacks in order, sessions side by side."""

import argparse
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

from bokeh.document import Document

from sollicitations.__main__ import panel_command
from sollicitations_ui.session_order import SessionOrderedPool, document_of


def test_the_session_of_a_callback_is_found_in_its_arguments_or_partials():
    doc = Document()
    assert document_of(print, (1, doc)) is doc
    assert document_of(partial(partial(print, doc), 2), ()) is doc
    assert document_of(print, (1, 2)) is None


def test_one_sessions_callbacks_run_in_submission_order_even_when_the_first_is_slow():
    pool, doc, ran = SessionOrderedPool(max_workers=4), Document(), []

    def change():  # the comment typed: slower than the click that follows it
        time.sleep(0.3)
        ran.append("change")

    def click(_doc):
        ran.append("click")

    pool.submit(lambda _doc: change(), doc)
    second = pool.submit(click, doc)
    second.result(timeout=5)
    assert ran == ["change", "click"]
    pool.shutdown()


def test_two_sessions_do_not_wait_for_each_other():
    pool, slow_doc, quick_doc = SessionOrderedPool(max_workers=4), Document(), Document()
    release = threading.Event()
    slow = pool.submit(lambda _doc: release.wait(5), slow_doc)
    quick = pool.submit(lambda _doc: "done", quick_doc)
    assert quick.result(timeout=2) == "done" and not slow.done()
    release.set()
    assert slow.result(timeout=5) is True
    pool.shutdown()


def test_a_failed_callback_neither_stops_the_next_nor_hides_its_error():
    pool, doc = SessionOrderedPool(max_workers=2), Document()

    def fail(_doc):
        raise ValueError("boom")

    failed = pool.submit(fail, doc)
    after = pool.submit(lambda _doc: "after", doc)
    assert after.result(timeout=5) == "after"
    assert isinstance(failed.exception(timeout=5), ValueError)
    pool.shutdown()


def test_many_callbacks_of_one_session_keep_their_order():
    pool, doc, ran = SessionOrderedPool(max_workers=4), Document(), []
    futures = [pool.submit(lambda _doc, i=i: (time.sleep(0.001 * (i % 3)), ran.append(i)), doc) for i in range(200)]
    futures[-1].result(timeout=20)
    assert ran == list(range(200))
    pool.shutdown()


def test_importing_the_plugin_replaces_panels_pool_by_an_ordered_one_of_its_size():
    code = (
        "import panel as pn\n"
        "from panel.io.state import state\n"
        "pn.config.nthreads = 3\n"
        "import sollicitations_ui.session_order as order\n"
        "assert isinstance(state._thread_pool, order.SessionOrderedPool), state._thread_pool\n"
        "assert state._thread_pool._max_workers == 3\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_served_app_loads_the_plugin():
    command = panel_command(argparse.Namespace(port=5006, address="localhost", procs=1, show=False), Path("x.duckdb"))
    plugins = [command[i + 1] for i, word in enumerate(command) if word == "--plugins"]
    assert "sollicitations_ui.session_order" in plugins and "--num-threads" in command

"""The served app's own defences, over HTTP and raw websockets (no browser).

One server for the module, started as `python -m sollicitations serve` starts it in production (same
flags), with SMTP pointed at a real aiosmtpd server on localhost.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import struct
import urllib.error
import urllib.request

import pytest
from aiosmtpd.controller import Controller
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClosedError, websocket_connect

import sollicitations as sol
from sollicitations import mail

from ..support.concurrent import at_once
from ..support.coroutines import run
from ..support.ports import free_port
from ..support.served import Server, assert_no_server_error
from ..support.waiting import wait_until

MAX_MESSAGE = 15 * 1024 * 1024  # `--websocket-max-message-size` in sollicitations/__main__.py
WAITING = "attente-avant-demarrage@example.org"


class Inbox:
    def __init__(self):
        self.recipients: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture(scope="module")
def inbox():
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    yield box
    controller.stop()


@pytest.fixture(scope="module")
def served(demo_template, tmp_path_factory, inbox):
    folder = tmp_path_factory.mktemp("hardening")
    db = folder / "app.duckdb"
    shutil.copy(demo_template, db)
    # A mail left in the outbox before this (re)start: only the courier can deliver it.
    desk = sol.open_desk(db)
    with desk.store.transaction() as cur:
        desk.store.enqueue_mail(cur, 1, "depot", WAITING, "Objet", "Texte", "<p>Texte</p>", desk.clock())
    desk.close()
    srv = Server(db, folder, SOLLICITATIONS_SMTP_HOST="127.0.0.1", SOLLICITATIONS_SMTP_PORT=str(inbox.port))
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


def status_of(url: str) -> int:
    try:
        return urllib.request.urlopen(url, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


def session_token(served, path: str = "/contact") -> str:
    """The token Bokeh writes in the page for its websocket (the page's session)."""
    page = urllib.request.urlopen(served.url + path, timeout=30).read().decode()
    found = re.search(r'"token":\s*"([^"]+)"', page) or re.search(r'token\s*=\s*"([^"]+)"', page)
    assert found, page[:2000]
    return found.group(1)


def open_socket(served, origin: str, token: str):
    """Open the page's websocket as a browser at `origin` would (Bokeh's subprotocol carries the token)."""
    request = HTTPRequest(served.url.replace("http", "ws") + "/contact/ws",
                          headers={"Origin": origin, "Sec-WebSocket-Protocol": f"bokeh, {token}"})  # fmt: skip
    return websocket_connect(request, max_message_size=64 * 1024 * 1024)


def test_the_contact_page_alone_starts_the_mail_courier(served, inbox):
    """After a restart, a visitor of "Nous contacter" (nobody logged in) gets the mails out."""
    assert status_of(served.url + "/contact") == 200
    wait_until(lambda: WAITING in inbox.recipients, timeout=30)


def test_a_foreign_origin_cannot_open_the_websocket(served):
    token = session_token(served)

    async def attempt(origin):
        try:
            socket = await open_socket(served, origin, token)
        except HTTPClientError as error:
            return error.code
        socket.close()
        return 101

    assert run(attempt("http://attaquant.example")) == 403
    assert run(attempt(f"http://localhost:{served.port}.attaquant.example")) == 403
    # The same request from the served address is accepted: the refusal above is the origin's.
    assert run(attempt(f"http://localhost:{served.port}")) == 101


def test_the_admin_page_is_not_served(served):
    assert status_of(served.url + "/admin") == 404
    assert status_of(served.url + "/admin/") == 404
    assert status_of(served.url + "/admin/logs") == 404


def frame_header(length: int) -> bytes:
    """A client's binary frame header announcing `length` bytes (masked, as clients must)."""
    return b"\x82" + bytes([0x80 | 127]) + struct.pack("!Q", length) + os.urandom(4)


def test_an_oversized_websocket_message_closes_the_socket(served):
    """The server judges a message by the length its frame announces, and hangs up before reading it."""
    token = session_token(served)

    async def announce(length: int):
        socket = await open_socket(served, f"http://localhost:{served.port}", token)
        first = await asyncio.wait_for(socket.read_message(), 30)  # Bokeh's ACK: the session is up
        assert first is not None and "ACK" in first
        await socket.protocol.stream.write(frame_header(length))  # the header alone: no body is ever sent
        deadline = asyncio.get_running_loop().time() + 5
        while (left := deadline - asyncio.get_running_loop().time()) > 0:
            try:  # the session may still push its own messages: read them until the socket closes
                if await asyncio.wait_for(socket.read_message(), left) is None:
                    return socket.close_code
            except TimeoutError:
                break
        socket.close()
        return "still open"

    # Under the limit, the server waits for the announced body; over it, it closes at once.
    assert run(announce(MAX_MESSAGE)) == "still open"
    assert run(announce(MAX_MESSAGE + 1)) == 1009  # "message too big"
    # A real oversized message: the socket is closed under the sender's feet.
    real = b"x" * (MAX_MESSAGE + 1024)

    async def send_real():
        socket = await open_socket(served, f"http://localhost:{served.port}", token)
        await asyncio.wait_for(socket.read_message(), 30)
        try:
            await socket.write_message(real, binary=True)
        except WebSocketClosedError:
            return "closed"
        while await asyncio.wait_for(socket.read_message(), 30) is not None:
            pass
        return "closed"

    assert run(send_real()) == "closed"


def test_one_courier_per_process():
    """app.py and contact.py share one courier, even when sessions open at the same moment."""
    import panel as pn

    from sollicitations_ui.courier import ensure_courier

    started = []

    class FakeDesk:
        store = None

    class Recorder:
        def __init__(self, store, settings):
            started.append(self)

        def start(self):
            return self

    original, mail.Courier = mail.Courier, Recorder
    pn.state.cache.pop(("courier",), None)
    try:
        results = [o.result() for o in at_once([lambda: ensure_courier(FakeDesk())] * 8)]
    finally:
        mail.Courier = original
        pn.state.cache.pop(("courier",), None)
    assert len(started) == 1 and all(r is started[0] for r in results)

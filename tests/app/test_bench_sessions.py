"""The browserless load driver (bench/sessions.py) speaks to the served app as a browser does: for each demo
user, the page it gets has the user's spaces as tabs, and every tab it switches to is filled by the server."""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bench import sessions
from sollicitations_ui.shell import SPACE_LABELS

from ..support.coroutines import run
from ..support.served import Server, assert_no_server_error


@pytest.fixture(scope="module")
def served(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-sessions")
    shutil.copy(demo_template, folder / "app.duckdb")
    server = Server(folder / "app.duckdb", folder)
    yield server
    server.stop()
    assert_no_server_error(server.log_text())


def titles(session: sessions.Session, tabs_id: str) -> list[str]:
    tabs = session.models[tabs_id]
    return [session.models[ref["id"]]["attributes"]["title"] for ref in tabs["attributes"]["tabs"]]


@pytest.mark.parametrize("login", sessions.LOGINS)
def test_a_session_opens_and_each_tab_is_filled_by_the_server(served, desk, login):
    spaces = desk.user(login).spaces()
    cookie = sessions.log_in(served.url, login)

    async def visit() -> sessions.Session:
        session = await sessions.open_session(served.url, login, cookie)
        await sessions.visit_every_tab(session)
        session.socket.close()
        return session

    session = run(asyncio.wait_for(visit(), 120))
    first_titles = titles(session, session.tabs[0][0])
    if len(spaces) > 1:
        assert first_titles == [SPACE_LABELS[space] for space in spaces]
    else:  # one space: its own tabs at the top (every space searches and consults)
        assert {"Rechercher", "Consulter"} <= set(first_titles)
    # Every tab after the first of every tab list (a space's own tabs included) was switched to, and the
    # switch returned only once the server's patch had filled that tab's slot.
    assert len(session.tab_ms) == sum(len(slots) - 1 for _, slots in session.tabs) > 0

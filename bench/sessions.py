"""The served app under many users, without a browser: sessions opened over HTTP and Bokeh's websocket
protocol, tab switches sent as the browser sends them, so that the figures are the server's, not chromium's.

    python -m bench.sessions                          # the demo world, 1, 10 and 30 users, then 100 over a minute
    python -m bench.sessions --db world.duckdb --users 10 30 --spread 100 60 --json out.json

What a browser does and this driver does too, for each user:
1. `POST /login` (before the timed phases: argon2 is the login's cost, not the session's);
2. `GET /app` with the session cookie: the server runs the app for a new session and builds its page
   (timed: "open");
3. the websocket with the page's token: `PULL-DOC-REQ`, then the `document_ready` event (Panel sends
   the changes of a session only once its page is drawn) (timed with 2: "first page");
4. a tab switch: a `PATCH-DOC` setting the tabs' `active`, answered when the server's patch fills the
   tab's slot (the app's tabs are built on their first display) (timed: "tab").

The server's CPU comes from /proc (user + system time of its process), shared by the sessions of a phase.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

from sollicitations import demo
from tests.support.served import Server

LOGINS = [login for login, *_ in demo.USERS]
TIMEOUT = 120


@dataclass
class Session:
    """One user's page as the server sees it: its socket and the tabs it can switch."""

    login: str
    socket: WebSocketClientConnection
    models: dict[str, dict]
    tabs: list[tuple[str, list[str]]]  # (Tabs model id, the slot model of each tab)
    open_ms: float
    first_page_ms: float
    tab_ms: list[float] = field(default_factory=list)


def log_in(url: str, login: str) -> str:
    """The Cookie header of a new login session (the demo passwords equal the logins)."""
    answer = requests.post(
        url + "/login", data={"username": login, "password": login}, allow_redirects=False, timeout=TIMEOUT
    )
    if answer.status_code != 302:
        raise RuntimeError(f"login {login}: HTTP {answer.status_code}")
    return "; ".join(f"{name}={answer.cookies[name]}" for name in ("user", "session"))


async def send(socket: WebSocketClientConnection, msgtype: str, content: dict) -> None:
    for part in ({"msgid": uuid.uuid4().hex, "msgtype": msgtype}, {}, content):
        await socket.write_message(json.dumps(part))


async def receive(socket: WebSocketClientConnection) -> tuple[dict, dict]:
    """One Bokeh message: its header and content (its binary buffers read and dropped)."""
    parts = []
    for _ in range(3):
        frame = await asyncio.wait_for(socket.read_message(), TIMEOUT)
        if frame is None:
            raise RuntimeError("the server closed the websocket")
        parts.append(frame)
    head, content = json.loads(parts[0]), json.loads(parts[2])
    for _ in range(2 * head.get("num_buffers", 0)):
        await asyncio.wait_for(socket.read_message(), TIMEOUT)
    return head, content


def objects(node, found: dict[str, dict]) -> dict[str, dict]:
    """Every model of a serialized document (or patch), by id."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "id" in node:
            found.setdefault(node["id"], node)
        for value in node.values():
            objects(value, found)
    elif isinstance(node, list):
        for value in node:
            objects(value, found)
    return found


def tab_slots(models: dict[str, dict]) -> list[tuple[str, list[str]]]:
    tabs = []
    for model in models.values():
        if model["name"].endswith("Tabs") and "tabs" in model.get("attributes", {}):
            panels = [models[ref["id"]] for ref in model["attributes"]["tabs"]]
            tabs.append((model["id"], [panel["attributes"]["child"]["id"] for panel in panels]))
    return tabs


async def open_session(url: str, login: str, cookie: str) -> Session:
    started = time.perf_counter()
    page = await AsyncHTTPClient().fetch(
        HTTPRequest(url + "/app", headers={"Cookie": cookie}, request_timeout=TIMEOUT, follow_redirects=False)
    )
    opened = time.perf_counter()
    token = re.search(r'"token":"([^"]+)"', page.body.decode()).group(1)
    socket = await websocket_connect(
        HTTPRequest(url.replace("http", "ws", 1) + "/app/ws", headers={"Cookie": cookie, "Origin": url}),
        subprotocols=["bokeh", token],
        max_message_size=50_000_000,
    )
    head, _ = await receive(socket)
    if head["msgtype"] != "ACK":
        raise RuntimeError(f"{login}: {head['msgtype']} instead of ACK")
    await send(socket, "PULL-DOC-REQ", {})
    while head["msgtype"] != "PULL-DOC-REPLY":
        head, content = await receive(socket)
    await send(
        socket,
        "PATCH-DOC",
        {
            "events": [
                {
                    "kind": "MessageSent",
                    "msg_type": "bokeh_event",
                    "msg_data": {"type": "event", "name": "document_ready", "values": {"type": "map", "entries": []}},
                }
            ]
        },
    )
    models = objects(content["doc"], {})
    return Session(
        login, socket, models, tab_slots(models), 1000 * (opened - started), 1000 * (time.perf_counter() - started)
    )


async def switch_tab(session: Session, tabs_id: str, index: int) -> float:
    """Milliseconds from the click on tab `index` to the server's patch that fills it."""
    slot = dict(session.tabs)[tabs_id][index]
    started = time.perf_counter()
    await send(
        session.socket,
        "PATCH-DOC",
        {"events": [{"kind": "ModelChanged", "model": {"id": tabs_id}, "attr": "active", "new": index}]},
    )
    while True:
        head, content = await receive(session.socket)
        if head["msgtype"] == "PATCH-DOC" and any(
            event.get("model", {}).get("id") == slot and event.get("attr") == "children"
            for event in content.get("events", [])
        ):
            elapsed = 1000 * (time.perf_counter() - started)
            objects(content, session.models)
            session.tabs = tab_slots(session.models)  # a space's own tabs arrive with it
            session.tab_ms.append(elapsed)
            return elapsed


async def visit_every_tab(session: Session) -> None:
    """Each tab of each tab list once, in order, as a user discovering the app would."""
    done: set[tuple[str, int]] = set()
    while True:
        todo = [
            (tabs_id, i) for tabs_id, slots in session.tabs for i in range(1, len(slots)) if (tabs_id, i) not in done
        ]
        if not todo:
            return
        tabs_id, index = todo[0]
        done.add((tabs_id, index))
        await switch_tab(session, tabs_id, index)


def server_cpu(pid: int) -> float:
    """Seconds of CPU (user + system) used by the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Phase:
    name: str
    sessions: list[Session]
    failures: list[str]
    wall_s: float
    cpu_s: float

    def summary(self) -> dict:
        def stats(values):
            if not values:
                return None
            ordered = sorted(values)
            return {
                "p50": round(statistics.median(ordered), 1),
                "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
                "max": round(ordered[-1], 1),
                "n": len(ordered),
            }

        n = max(1, len(self.sessions))
        return {
            "phase": self.name,
            "sessions": len(self.sessions),
            "failures": self.failures,
            "wall_s": round(self.wall_s, 2),
            "server_cpu_ms_per_session": round(1000 * self.cpu_s / n),
            "open_ms": stats([s.open_ms for s in self.sessions]),
            "first_page_ms": stats([s.first_page_ms for s in self.sessions]),
            "tab_ms": stats([t for s in self.sessions for t in s.tab_ms]),
        }


async def run_phase(
    name: str, server: Server, cookies: list[tuple[str, str]], *, spread_s: float = 0, tabs: bool = True
) -> Phase:
    """Open one session per cookie (all at once, or evenly over `spread_s`), then visit their tabs."""
    sessions, failures = [], []
    cpu, started = server_cpu(server.process.pid), time.perf_counter()

    async def user(i: int, login: str, cookie: str) -> None:
        await asyncio.sleep(i * spread_s / max(1, len(cookies)))
        try:
            session = await open_session(server.url, login, cookie)
            if tabs:
                await visit_every_tab(session)
            sessions.append(session)
        except Exception as error:  # noqa: BLE001 - a failed session is a figure of the phase
            failures.append(f"{login}: {type(error).__name__} {error}")

    await asyncio.gather(*(user(i, login, cookie) for i, (login, cookie) in enumerate(cookies)))
    phase = Phase(name, sessions, failures, time.perf_counter() - started, server_cpu(server.process.pid) - cpu)
    for session in sessions:
        session.socket.close()
    return phase


def cookies_for(url: str, count: int, logins: list[str]) -> list[tuple[str, str]]:
    return [(logins[i % len(logins)], log_in(url, logins[i % len(logins)])) for i in range(count)]


def print_summary(summary: dict) -> None:
    def cell(stats):
        return "—" if not stats else f"{stats['p50']:.0f} / {stats['p95']:.0f} ms"

    print(
        f"{summary['phase']:<34} {summary['sessions']:>4} ok {len(summary['failures']):>3} failed "
        f"wall {summary['wall_s']:>6.2f} s  open p50/p95 {cell(summary['open_ms']):>16}  "
        f"first page {cell(summary['first_page_ms']):>16}  tab {cell(summary['tab_ms']):>16}  "
        f"server CPU {summary['server_cpu_ms_per_session']} ms/session",
        flush=True,
    )
    for failure in summary["failures"][:5]:
        print("    ", failure)


async def measure(server: Server, users: list[int], spread: tuple[int, float] | None, logins: list[str]) -> list[dict]:
    results = []
    for login in logins:  # each role alone, warm: what one user waits for
        for _ in range(2):
            await run_phase("warm-up", server, cookies_for(server.url, 1, [login]))
        summary = (
            await run_phase(f"1 user: {login}", server, cookies_for(server.url, 5, [login]), spread_s=5)
        ).summary()
        print_summary(summary)
        results.append(summary)
    for count in users:
        summary = (await run_phase(f"{count} users at once", server, cookies_for(server.url, count, logins))).summary()
        print_summary(summary)
        results.append(summary)
    if spread:
        count, seconds = spread
        summary = (
            await run_phase(
                f"{count} users over {seconds:.0f} s", server, cookies_for(server.url, count, logins), spread_s=seconds
            )
        ).summary()
        print_summary(summary)
        results.append(summary)
    return results


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", help="a DuckDB store to copy, or a postgresql:// URL served as is (default: the demo world)"
    )
    parser.add_argument("--size", type=int, default=2000, help="generated requests of the demo world")
    parser.add_argument("--users", type=int, nargs="*", default=[1, 10, 30], help="sessions opened at once")
    parser.add_argument(
        "--spread",
        type=float,
        nargs=2,
        default=(100, 60),
        metavar=("USERS", "SECONDS"),
        help="sessions opened evenly over a duration (0 0: none)",
    )
    parser.add_argument("--logins", nargs="*", default=LOGINS)
    parser.add_argument("--serve-args", nargs="*", default=[], help="more options of `serve` (e.g. --procs 2)")
    parser.add_argument("--json", type=Path, help="where to write the figures")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "world.duckdb"
        if args.db and args.db.startswith("postgresql://"):
            db = args.db  # several processes (--serve-args --procs N) share it
        elif args.db:
            shutil.copy(args.db, db)
        else:
            demo.build(db, size=args.size)
        secrets = Path(folder) / "secrets"
        secrets.mkdir()
        server = Server(db, secrets, tuple(args.serve_args))
        try:
            spread = (int(args.spread[0]), args.spread[1]) if args.spread[0] else None
            results = asyncio.run(measure(server, args.users, spread, args.logins))
        finally:
            server.stop()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    return results


if __name__ == "__main__":
    main()

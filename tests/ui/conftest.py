"""Browser tests: the app served for real on a free port, driven by Playwright in Debian's chromium."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.ui

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, db: Path, secrets: Path, serve_args: tuple[str, ...] = (), **extra_env: str):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.secrets = secrets
        env = {**os.environ, "SOLLICITATIONS_SECRETS": str(secrets), **extra_env}
        self.log = open(secrets / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sollicitations", "serve", "--port", str(self.port), "--db", str(db), *serve_args],
            env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        wait_until(self._up, timeout=60)

    def _up(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError("the server stopped: " + Path(self.log.name).read_text())
        try:
            urllib.request.urlopen(self.url + "/login", timeout=1)
            return True
        except OSError:
            return False

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return Path(self.log.name).read_text()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture
def server(demo_template, tmp_path_factory):
    """A server of its own for each test, over a fresh copy of the demo world: no test sees another's writes."""
    folder = tmp_path_factory.mktemp("server")
    db = folder / "app.duckdb"
    shutil.copy(demo_template, db)
    # The captcha's test hook: answers land in this folder (refused by `serve` off loopback).
    srv = Server(db, folder, SOLLICITATIONS_CAPTCHA_TEST_DIR=str(folder / "captcha"), SOLLICITATIONS_SESSION_CHECK_SECONDS="2")
    srv.captcha_dir = folder / "captcha"
    srv.db = db
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


ROOT = Path(__file__).resolve().parents[2]


def assert_no_server_error(log: str) -> None:
    """No exception from our code nor from a session's message handling.

    Tornado logs a WebSocketClosedError when a browser leaves mid-write: not an error of ours.
    """
    ours = [line for line in log.splitlines()
            if line.strip().startswith("File") and str(ROOT) in line and "site-packages" not in line]
    assert not ours and "error handling message" not in log, log


@pytest.fixture(scope="module")
def shared_server(demo_template, tmp_path_factory):
    """One server for a whole module of tests that only read (matrices, screenshots): started once."""
    folder = tmp_path_factory.mktemp("shared-server")
    db = folder / "app.duckdb"
    shutil.copy(demo_template, db)
    srv = Server(db, folder)
    srv.db = db
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


@pytest.fixture(scope="session", autouse=True)
def fresh_screenshots():
    """No failure's picture from an earlier run: it would mislead. (The other pictures are overwritten
    by the tests that make them; runs of a few tests keep those of the others.)"""
    if SCREENSHOTS.exists():
        for old in SCREENSHOTS.glob("FAILED-*.png"):
            old.unlink()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
    pg = context.new_page()
    pg.set_default_timeout(20_000)
    pg.console_errors = []
    pg.on("console", lambda m: pg.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    context.close()


def login(page, server, user: str, path: str = "/app") -> None:
    page.goto(server.url + path)
    page.fill("#username", user)
    page.fill("#password", user)
    page.click("button[type=submit]")
    page.wait_for_selector(".bk-tab", timeout=30_000)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(300)
    # What the user sees, scrolled where it is: the app scrolls inside #main, so a "full page" shot would
    # only re-layout the window and show the top.
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


SIZES = {"large": (1400, 1000), "small": (1024, 768)}


def screenshots(page, name: str) -> None:
    """The page at both sizes the issues ask us to read it at (1400x1000 and 1024x768)."""
    before = page.viewport_size
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        screenshot(page, f"{name}-{size}")
    page.set_viewport_size(before)


def in_viewport(page, locator) -> bool:
    """Visible and at least partly inside the window as it is scrolled now: where the user looks."""
    if not locator.is_visible():
        return False
    box = locator.bounding_box()
    view = page.viewport_size
    return bool(box) and box["y"] < view["height"] and box["y"] + box["height"] > 0 \
        and box["x"] < view["width"] and box["x"] + box["width"] > 0


def type_keys(page, label: str, text: str) -> None:
    """Type as a person does: click the field, key by key, then leave it with Tab."""
    field = page.get_by_label(label, exact=True)
    field.click()
    field.press("Control+A")
    field.press_sequentially(text, delay=10)
    field.press("Tab")
    page.wait_for_timeout(150)


def open_tab(page, label: str) -> None:
    page.locator(".bk-tab", has_text=label).first.click()
    page.wait_for_timeout(300)


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).select_option(label=option)
    page.wait_for_timeout(250)


def type_in(page, label: str, text: str) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    field.press("Tab")
    page.wait_for_timeout(150)


def pick_file(page, folder, name: str, content: bytes, last: bool = False) -> None:
    """Write `name` in `folder` and choose it in the page's first (or last) file input."""
    path = folder / name
    path.write_bytes(content)
    inputs = page.locator("input[type=file]")
    (inputs.last if last else inputs.first).set_input_files(str(path))
    page.wait_for_timeout(500)  # the upload reaches the server before a button uses it


def click(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).first.click()
    page.wait_for_timeout(300)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, keep a screenshot of what the browser showed."""
    outcome = yield
    report = outcome.get_result()
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        try:
            screenshot(page, "FAILED-" + item.name)
        except Exception:  # noqa: BLE001 - a failed screenshot must not hide the real failure
            pass

"""Browser tests: the app served for real on a free port, driven by Playwright in Debian's chromium."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

from ..support.browser import CHROMIUM, CHROMIUM_ARGS, CONTEXT
from ..support.served import Server, assert_no_server_error
from ..support.waiting import wait_until  # noqa: F401 - the browser tests import it from here

pytestmark = pytest.mark.ui

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def server(demo_template, tmp_path_factory):
    """A server of its own for each test, over a fresh copy of the demo world: no test sees another's writes."""
    folder = tmp_path_factory.mktemp("server")
    db = folder / "app.duckdb"
    shutil.copy(demo_template, db)
    # The captcha's test hook: answers land in this folder (refused by `serve` off loopback).
    srv = Server(
        db, folder, SOLLICITATIONS_CAPTCHA_TEST_DIR=str(folder / "captcha"), SOLLICITATIONS_SESSION_CHECK_SECONDS="2"
    )
    srv.captcha_dir = folder / "captcha"
    srv.db = db
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


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
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(**CONTEXT)
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
    return (
        bool(box)
        and box["y"] < view["height"]
        and box["y"] + box["height"] > 0
        and box["x"] < view["width"]
        and box["x"] + box["width"] > 0
    )


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
        with contextlib.suppress(Exception):  # a failed screenshot must not hide the real failure
            screenshot(page, "FAILED-" + item.name)

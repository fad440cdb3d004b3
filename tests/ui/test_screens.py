"""Every screen for every demo user, pictured at both sizes the issues ask us to read them at.

The tour only reads, over one server; the pictures land in tests/ui/screenshots/ (one per user,
tab and size) for a person to look at. Each screen renders with no traceback and no console error.
"""

from __future__ import annotations

import pytest

from sollicitations import demo

from .conftest import login, screenshots

LOGINS = [user[0] for user in demo.USERS]


def visible_tabs(page, below: float = -1.0) -> list[str]:
    """The labels of the first row of visible tabs under `below` (px from the top of the window)."""
    found = []
    for tab in page.locator(".bk-tab").filter(visible=True).all():
        box = tab.bounding_box()
        if box and box["y"] > below:
            found.append((box["y"], tab.inner_text().strip()))
    top = min((y for y, _ in found), default=0)
    return [label for y, label in found if abs(y - top) < 5]


def tab_row(page, label: str) -> float:
    return page.locator(".bk-tab", has_text=label).filter(visible=True).first.bounding_box()["y"]


def show(page, tab: str) -> None:
    page.locator(".bk-tab", has_text=tab).filter(visible=True).first.click()
    page.wait_for_timeout(700)


def picture(page, user: str, *tabs: str) -> None:
    name = "screen-" + "-".join([user, *(slug(t) for t in tabs)])
    screenshots(page, name)
    assert page.get_by_text("Traceback").count() == 0, name


@pytest.mark.parametrize("user", LOGINS)
def test_every_screen_of_every_user(shared_server, page, user):
    login(page, shared_server, user)
    top = visible_tabs(page)
    assert top, "no tab shown"
    for tab in top:
        show(page, tab)
        picture(page, user, tab)
        # A tab may hold tabs of its own (a user with several spaces, the managers' figures): one level down.
        for inner in visible_tabs(page, below=tab_row(page, tab) + 5):
            show(page, inner)
            picture(page, user, tab, inner)
            show(page, tab)
    assert page.console_errors == [], page.console_errors


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")

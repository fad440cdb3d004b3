"""The managers' page as a manager reads it (status table first, figures in sub-tabs loaded when opened),
the monthly chart's axis, no blank scroll space on any tab of any role, and "/" leading to the app."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Status
from sollicitations_ui.manager.state import FIGURES, SECTIONS

from .conftest import choose, click, in_viewport, login, open_tab, screenshots, wait_until

# The height of the page, and the bottom of its last visible content (text, inputs, images, charts),
# both measured in the element that scrolls (the template's #main), whatever is inside shadow roots.
MEASURE = """() => {
  const main = document.getElementById('main') || document.scrollingElement;
  const TAGS = new Set(['IMG', 'CANVAS', 'INPUT', 'SELECT', 'TEXTAREA', 'BUTTON', 'svg']);
  let bottom = 0;
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!text && !TAGS.has(el.tagName)) continue;
      const box = el.getBoundingClientRect();
      if (box.width <= 0 || box.height <= 0) continue;
      if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
      bottom = Math.max(bottom, box.bottom);
    }
  };
  walk(document);
  const top = main.getBoundingClientRect().top;
  return {scroll: main.scrollHeight, window: main.clientHeight, content: bottom - top + main.scrollTop,
          page: document.scrollingElement.scrollHeight, viewport: window.innerHeight};
}"""

# Every Bokeh bar chart of the page: its y range, and the top of its tallest bar (or stack).
RANGES = """() => {
  const out = [];
  for (const doc of Bokeh.documents) {
    for (const m of doc._all_models.values()) {
      if (m.type !== 'Figure') continue;
      let top = null;
      for (const r of m.renderers) {
        // A stack's top is a column ("top"); a single series' bars name theirs in the glyph.
        const data = r.data_source && r.data_source.data;
        const field = r.glyph && r.glyph.top && r.glyph.top.field;
        if (data && field && data[field]) top = Math.max(top ?? -Infinity, ...Array.from(data[field]));
      }
      if (top !== null) out.push({id: m.id, start: m.y_range.start, end: m.y_range.end, top});
    }
  }
  return out;
}"""


def blank_space(page) -> float:
    """How far the page scrolls below its last visible content (a short page does not scroll at all)."""
    m = page.evaluate(MEASURE)
    return max(m["scroll"] - max(m["content"], m["window"]), m["page"] - m["viewport"])


def settle(page) -> None:
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(700)


def visible_tabs(page, below: float) -> list[tuple[str, float]]:
    """The tab headers of the highest row of tabs under `below` (y, in the page): (label, y)."""
    found = []
    tabs = page.locator(".bk-tab")
    for i in range(tabs.count()):
        tab = tabs.nth(i)
        if tab.is_visible() and (box := tab.bounding_box()) and box["y"] > below:
            found.append((tab.inner_text().strip(), box["y"]))
    if not found:
        return []
    top = min(y for _, y in found)
    return [(label, y) for label, y in found if abs(y - top) < 5]


def click_tab(page, label: str, y: float) -> None:
    tabs = page.locator(".bk-tab", has_text=label)
    for i in range(tabs.count()):
        if tabs.nth(i).is_visible() and abs(tabs.nth(i).bounding_box()["y"] - y) < 5:
            tabs.nth(i).click()
            settle(page)
            return
    raise AssertionError(f"tab {label!r} not found at y={y}")


def walk_tabs(page, where: str, below: float = -1, found: list | None = None) -> list:
    """Open every tab, row of tabs after row (a space's tabs, then the managers' sub-tabs), and measure
    the blank space under each: [(path, blank)]."""
    found = [] if found is None else found
    for label, y in visible_tabs(page, below):
        click_tab(page, label, y)
        path = f"{where} > {label}"
        found.append((path, blank_space(page)))
        walk_tabs(page, path, y + 5, found)
    return found


def logins_with_a_space(demo_template) -> list[str]:
    desk = sol.open_desk(demo_template)
    try:
        return [login for login, *_ in demo.USERS if desk.as_user(login).user.spaces()]
    finally:
        desk.close()


@pytest.fixture(scope="module")
def logins(demo_template):
    return logins_with_a_space(demo_template)


def test_the_manager_reads_the_status_table_first(shared_server, page):
    login(page, shared_server, "gestionnaire")
    table_card = page.locator(".card", has_text="Sollicitations par statut").first
    table_card.wait_for()
    first_row = table_card.locator(".tabulator-row").first
    first_row.wait_for()
    assert in_viewport(page, table_card) and in_viewport(page, first_row)
    filters = page.get_by_role("button", name="Appliquer", exact=True)
    assert in_viewport(page, filters)
    assert filters.bounding_box()["y"] < first_row.bounding_box()["y"]
    # The sub-tabs: the status table's first, then one per figure, in the package's order.
    labels = [t for t in page.locator(".bk-tab").all_inner_texts() if t in SECTIONS.values()]
    assert labels == list(SECTIONS.values())
    # Its drill-down list comes just under it.
    cells = [first_row.locator(f".tabulator-cell[tabulator-field='{status.short_label}']") for status in Status]
    count = next(c for c in cells if c.count() and c.inner_text().strip() not in ("", "0"))
    count.click()
    listing = page.locator(".card", has_text="Sollicitations :").first
    listing.wait_for()
    assert listing.bounding_box()["y"] > table_card.bounding_box()["y"]
    listing.locator(".tabulator-row").first.wait_for()
    assert listing.locator(".tabulator-row").count() == min(int(count.inner_text()), 10)
    screenshots(page, "manager-par-statut")
    assert page.console_errors == []


def test_each_sub_tab_is_built_when_first_opened(shared_server, page):
    login(page, shared_server, "gestionnaire")
    page.get_by_text("Sollicitations par statut").first.wait_for()
    settle(page)
    titles = {"mois": "Sollicitations saisies par mois", **FIGURES}
    for key, label in SECTIONS.items():
        if key == "statuts":
            continue
        title = titles[key]
        # Not built, so not queried, before its tab is clicked.
        assert page.get_by_text(title, exact=True).count() == 0, title
        open_tab(page, label)
        heading = page.get_by_text(title, exact=True).first
        heading.wait_for()
        assert in_viewport(page, heading), title
        card = page.locator(".card", has_text=title).first
        shown = card.locator(".bk-Figure, .tabulator-row").first
        shown.wait_for()
        assert in_viewport(page, shown), title
        settle(page)
        screenshots(page, f"manager-{key.replace('_', '-')}")
        assert blank_space(page) < 200, (label, page.evaluate(MEASURE))
    assert page.console_errors == []


def newest_bars(page) -> dict | None:
    """The bar chart drawn last (a chart drawn again is a new model; the old one may linger in the
    browser's document)."""
    ranges = page.evaluate(RANGES)
    return max(ranges, key=lambda r: int(r["id"].lstrip("p"))) if ranges else None


def assert_monthly_axis_fits(page) -> dict:
    r = wait_until(lambda: newest_bars(page))
    assert r["start"] == 0 and r["top"] <= r["end"] <= 1.5 * max(r["top"], 1), r
    return r


@pytest.mark.parametrize("user", ["fournisseur", "destinataire", "gestionnaire"])
def test_the_monthly_chart_fits_its_stacked_bars(shared_server, page, user):
    login(page, shared_server, user)
    if user == "gestionnaire":
        open_tab(page, SECTIONS["mois"])
    else:
        open_tab(page, "Tableau de bord")
    page.get_by_text("Sollicitations saisies par mois").first.wait_for()
    page.locator(".card", has_text="Sollicitations saisies par mois").first.locator(".bk-Figure").first.wait_for()
    settle(page)
    before = assert_monthly_axis_fits(page)
    if user == "gestionnaire":
        # After a filter: the chart is drawn again, for the filtered months, with its own axis.
        choose(page, "Catégorie", "Compte utilisateur")
        click(page, "Appliquer")
        wait_until(lambda: newest_bars(page)["id"] != before["id"])
        settle(page)
        after = assert_monthly_axis_fits(page)
        assert after["top"] < before["top"]
    assert page.console_errors == []


def test_no_tab_of_any_role_scrolls_into_blank_space(shared_server, browser, logins):
    """For every demo user who has a space, every tab of every space (and the managers' sub-tabs),
    visited in turn: the page ends with its content."""
    measured = []
    for user in logins:
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            login(page, shared_server, user)
            settle(page)
            measured += walk_tabs(page, user)
        finally:
            context.close()
    assert len(measured) >= 3 * len(logins)
    blank = [(path, round(space)) for path, space in measured if space >= 200]
    assert blank == [], blank


def test_the_root_address_leads_to_the_app(shared_server, page):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(shared_server.url + "/", timeout=10)
    assert answer.value.code == 302 and answer.value.headers["Location"] == "/app"
    page.goto(shared_server.url + "/")
    page.fill("#username", "gestionnaire")
    page.fill("#password", "gestionnaire")
    page.click("button[type=submit]")
    page.wait_for_selector(".bk-tab", timeout=30_000)
    assert page.url.startswith(shared_server.url + "/app")
    assert page.get_by_text("Activités du gestionnaire").first.is_visible()

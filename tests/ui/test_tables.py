"""The lists read as the guide's tables, at both sizes the issues ask for (1400x1000 and 1024x768).

No header or cell is cut, no word broken across lines (they wrap at spaces or after a hyphen),
identifiers, numbers and dates stay on one line; our pager speaks French, with French thousands;
no header offers a sort (the lists are sorted in SQL and paged, a header sort would sort one page);
the order is said above the table and marked on its column, and the rows are in the package's
order, newest first. The server serves a world of a thousand requests and more, so that totals
read "1 211", not "1,211".
"""

from __future__ import annotations

import shutil

import pytest

from sollicitations import demo
from sollicitations.access import Space
from sollicitations.status import Status
from sollicitations_ui import format as fmt
from sollicitations_ui.common import Pager
from sollicitations_ui.outbox import state as outbox_state
from sollicitations_ui.search import state as search_state
from sollicitations_ui.synthesis import state as synthesis_state
from sollicitations_ui.tables import WHOLE_COLUMNS

from ..support.served import Server, assert_no_server_error
from .conftest import SIZES, click, in_viewport, login, open_tab, screenshots, wait_until

BIG = 1200  # requests added to the fixed demo world: lists of more than 1 000 lines


@pytest.fixture(scope="module")
def big_world(tmp_path_factory):
    path = tmp_path_factory.mktemp("big-world") / "app.duckdb"
    demo.build(path, size=BIG).close()
    return path


@pytest.fixture(scope="module")
def big_server(big_world, tmp_path_factory):
    """One server over the big world for the module: these tests only read."""
    folder = tmp_path_factory.mktemp("big-server")
    db = folder / "app.duckdb"
    shutil.copy(big_world, db)
    srv = Server(db, folder)
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


@pytest.fixture(scope="module")
def package(big_world, tmp_path_factory):
    """The package over a copy of the same world: what each table must show, page 1."""
    import sollicitations as sol

    db = tmp_path_factory.mktemp("big-package") / "app.duckdb"
    shutil.copy(big_world, db)
    desk = sol.open_desk(db)
    yield desk
    desk.close()


EVERY_STATUS = [s.short_label for s in Status]


def first_page(desk, user: str, tab: str):
    """(the frame of page 1 as the state asks for it, the order said above the table, the order column)."""
    me = desk.as_user(user)
    space = me.user.spaces()[0]
    if tab == "Synthèse":
        frame = me.to_process(page=1, page_size=10, space=space)
        return (
            frame,
            synthesis_state.ORDER.get(space, synthesis_state.ORDER[Space.RECUES]),
            "Numéro de la sollicitation",
        )
    if tab == "Rechercher":
        frame = me.search(1, 10, space, sort=search_state.SEARCH_SORT, statut=EVERY_STATUS)
        return frame, search_state.ORDER, "Référence"
    frame = me.outbox(1, 10)
    return frame, outbox_state.ORDER, "Sollicitation"


def page_columns(desk, user: str) -> list[str]:
    """Synthèse's columns: the package's, with the emitter's expected "Actions" (synthesis/view.py)."""
    me = desk.as_user(user)
    space = me.user.spaces()[0]
    return list(me.to_process(page_size=1, space=space).columns) + (["Actions"] if space == Space.EMISES else [])


CASES = [
    ("fournisseur", "Synthèse"),
    ("destinataire", "Synthèse"),
    ("fournisseur", "Rechercher"),
    ("support", "Rechercher"),
    ("gestionnaire", "Rechercher"),
    ("support", "Courriels"),
]

# For each visible header title and cell of the table: is anything cut (wider than its box), is a
# word broken across two lines (a word: between spaces, or ending with a hyphen, where the browser
# may wrap), does a "whole" cell (identifier, number, date) take more than one line?
MEASURE = """(table, whole) => {
  const problems = []
  const lines = (node, start, end) => {
    const range = document.createRange()
    range.setStart(node, start)
    range.setEnd(node, end)
    return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom))).size
  }
  const check = (el, what, oneLine) => {
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`${what} cut (${el.scrollWidth} > ${el.clientWidth}): "${el.textContent}"`)
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
    let node, all = ""
    while ((node = walker.nextNode())) {
      all += node.data
      const words = /[^\\s-]+-?/g
      let m
      while ((m = words.exec(node.data))) {
        if (lines(node, m.index, m.index + m[0].length) > 1) problems.push(`${what} breaks the word "${m[0]}"`)
      }
      if (oneLine && node.data.trim() && lines(node, 0, node.data.length) > 1) problems.push(`${what} on two lines: "${node.data}"`)
    }
  }
  const ours = (field) => field && field !== "_index"  // Panel's own index column: 1px, hidden
  // A table wider than its card (Rechercher's eleven columns at 1024 px) scrolls sideways: no column is out of reach.
  const holder = table.querySelector(".tabulator-tableholder")
  if (holder.scrollWidth > holder.clientWidth + 1 && !["auto", "scroll"].includes(getComputedStyle(holder).overflowX))
    problems.push(`columns out of reach (${holder.scrollWidth} > ${holder.clientWidth})`)
  for (const title of table.querySelectorAll(".tabulator-col-title")) {
    const column = title.closest(".tabulator-col")
    const group = column && column.classList.contains("tabulator-col-group")
    const named = title.textContent.trim() !== ""  // the links under "Actions" have no title of their own
    if (named && title.offsetParent !== null && (group || ours(column.getAttribute("tabulator-field")))) check(title, "header", false)
  }
  for (const cell of table.querySelectorAll(".tabulator-row .tabulator-cell")) {
    if (cell.offsetParent === null || !ours(cell.getAttribute("tabulator-field"))) continue
    check(cell, "cell " + cell.getAttribute("tabulator-field"), whole.includes(cell.getAttribute("tabulator-field")))
  }
  return problems
}"""


def show(page, user: str, tab: str) -> None:
    open_tab(page, tab)
    if tab == "Rechercher":
        for label in EVERY_STATUS:
            page.get_by_role("checkbox", name=label, exact=True).check()
            page.wait_for_timeout(200)  # each choice reaches the server before the next one
        page.wait_for_timeout(300)  # the choices reach the server before the button does
        wait_until(
            lambda: all(page.get_by_role("checkbox", name=label, exact=True).is_checked() for label in EVERY_STATUS)
        )
        page.get_by_role("button", name="Rechercher", exact=True).last.click()


@pytest.mark.parametrize("user, tab", CASES, ids=[f"{u}-{t}" for u, t in CASES])
def test_tables_read_whole_in_french_newest_first(big_server, package, page, user, tab):
    frame, order, key = first_page(package, user, tab)
    assert len(frame) > 1, "a table of one row tells nothing of its order"
    login(page, big_server, user)
    show(page, user, tab)
    table = page.locator(".tabulator").filter(visible=True).first
    keys = table.locator(f".tabulator-row .tabulator-cell[tabulator-field='{key}']")
    # The rows are the package's page 1, in its order (newest first, by entry date; see test_search.py).
    wait_until(lambda: keys.all_inner_texts() == [str(n) for n in frame[key]], timeout=20)
    if "Saisie le" in frame.columns:
        dates = [d for d, again in zip(frame["Saisie le"], frame.get("Renvoyée", [False] * len(frame))) if not again]
        assert dates == sorted(dates, reverse=True)
    # The order is said above the table and marked on its column.
    # (Drawn by its own pane, which may reach the browser a moment after the rows.)
    page.get_by_text(order, exact=True).filter(visible=True).first.wait_for(timeout=10_000)
    marked = table.locator(".tabulator-col.ordered").first
    mark = marked.locator(".tabulator-col-title").evaluate("e => getComputedStyle(e, '::after').content")
    assert "▼" in mark, mark
    # No header sorts (no arrow, nothing to click); the links of a row share one "Actions" header.
    # (Panel keeps a 1px "_index" column of its own, with no field, sortable: no user sees it.)
    ours = ".tabulator-col[tabulator-field]:not([tabulator-field='_index'])"
    sortable = table.locator(ours + ".tabulator-sortable")
    assert sortable.count() == 0, sortable.evaluate_all("els => els.map(e => e.getAttribute('tabulator-field'))")
    assert table.locator(ours + " .tabulator-arrow").filter(visible=True).count() == 0
    if tab == "Rechercher" or (tab == "Synthèse" and "Actions" in page_columns(package, user)):
        actions = table.locator(".tabulator-col-title", has_text="Actions").filter(visible=True)
        assert actions.count() == 1
    # Our pager, in French, with French thousands; Tabulator's own pager never shows.
    summary = Pager(page=1, total=frame.attrs["total"], pages=frame.attrs["pages"]).summary
    assert page.get_by_text(summary, exact=True).filter(visible=True).count() == 1, summary
    if frame.attrs["total"] >= 1000:
        assert fmt.number(frame.attrs["total"]) in summary and "\u202f" in summary
    for english in ("First", "Prev", "Next", "Last", "Showing"):
        assert page.get_by_text(english, exact=True).filter(visible=True).count() == 0
    whole = [c for c in WHOLE_COLUMNS if c in frame.columns]
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(600)  # Tabulator lays its columns out again
        problems = table.evaluate(MEASURE, whole)
        assert problems == [], (size, problems)
    page.set_viewport_size({"width": 1400, "height": 1000})
    table.scroll_into_view_if_needed()
    screenshots(page, f"tables-{user}-{tab.lower()}")
    assert page.console_errors == []


def test_the_export_button_is_whole_at_1024(big_server, page):
    """ "Télécharger le fichier" appears whole, on the screen, even in a 1024 px window."""
    login(page, big_server, "gestionnaire")
    page.set_viewport_size({"width": 1024, "height": 768})
    show(page, "gestionnaire", "Rechercher")
    page.locator(".tabulator-row").filter(visible=True).first.wait_for()
    click(page, "Exporter les résultats")
    ready = page.get_by_role("button", name="Télécharger le fichier", exact=True)
    ready.wait_for(timeout=60_000)
    ready.scroll_into_view_if_needed()
    box = ready.bounding_box()
    assert in_viewport(page, ready) and box["x"] >= 0 and box["x"] + box["width"] <= 1024, box
    screenshots(page, "tables-export-ready")
    assert page.console_errors == []

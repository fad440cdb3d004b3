"""RGAA 4.1 / WCAG 2.1 AA, checked by an outside engine: axe-core (shipped by axe-playwright-python).

Every screen of every demo user (each tab and sub-tab; Consulter with the request that has the most
buttons, its attachments and each block its buttons open), the login page, "Nous contacter" and the accessibility
statement are scanned with axe-core's WCAG 2.0/2.1 A and AA rules; a serious or critical violation
fails, with the rule, its help and the elements it found. The users, their requests and the blocks come
from the package: a new role, status or block is scanned without editing this file.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from sollicitations import demo
from sollicitations_ui.detail.state import DOWNLOAD, labels_for

from .conftest import login, wait_until
from .test_detail_matrix import world  # noqa: F401 - a fixture, shared
from .test_screens import show, tab_row, visible_tabs

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OPTIONS = {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]}
BLOCKING = ("serious", "critical")
LOGINS = [user[0] for user in demo.USERS]
STATEMENT_LINK = "Accessibilité : partiellement conforme"
AXE = Axe()


def blocking_violations(page) -> list[str]:
    """Each serious or critical violation: its rule, its help, and up to five of the elements it found."""
    response = AXE.run(page, options=OPTIONS).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> " + "; ".join(element(n) for n in v["nodes"][:5])
        for v in response["violations"] if v["impact"] in BLOCKING
    ]  # fmt: skip


def element(node: dict) -> str:
    """The element's innermost selector (axe gives one per shadow root crossed) and its start tag."""
    target = node["target"][-1]
    innermost = target[-1] if isinstance(target, list) else target
    return f"{innermost} {node['html'][:120]}"


def assert_clean(found: dict[str, list[str]]) -> None:
    dirty = {screen: v for screen, v in found.items() if v}
    assert not dirty, "\n".join(f"{screen}: {problem}" for screen, problems in dirty.items() for problem in problems)


def press(page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).filter(visible=True).first.click()
    page.wait_for_timeout(300)  # the click reaches the server before the next step looks


def in_french_with_the_statement_link(page) -> None:
    # Panel's template says lang="en"; the page repairs set "fr" when the page is drawn, which a slow
    # machine does after "networkidle" (the websocket does not count): wait for the drawing, then look.
    page.get_by_role("link", name=STATEMENT_LINK, exact=True).first.wait_for()
    page.wait_for_function("document.documentElement.lang === 'fr'", timeout=10_000)


@pytest.fixture(scope="module")
def richest_requests(world):  # noqa: F811 - the fixture imported above
    """For each login: the request it reads with the most action buttons in Consulter, and those buttons
    (among one request per status it reads: the matrix's cases)."""
    chosen = {}
    for login_ in LOGINS:
        cases = [(numero, labels_for(actions)) for numero, actions, _ in world.get(login_, {}).values()]
        chosen[login_] = max(cases, key=lambda case: len(case[1]), default=(None, []))
    return chosen


def test_the_rules_axe_runs(shared_server, page, capsys):
    page.goto(shared_server.url + "/login")
    page.evaluate(AXE.axe_script)
    rules = page.evaluate(f"axe.getRules({TAGS!r}).map(r => r.ruleId)")
    with capsys.disabled():
        print(f"\naxe-core rules run ({len(rules)}, tags {', '.join(TAGS)}): {', '.join(sorted(rules))}")
    assert {"label", "select-name", "color-contrast", "aria-required-children", "html-lang-valid"} <= set(rules)


@pytest.mark.parametrize("path", ["/login", "/contact", "/accessibilite"])
def test_public_pages(shared_server, page, path):
    page.goto(shared_server.url + path)
    page.wait_for_load_state("networkidle")
    in_french_with_the_statement_link(page)
    assert_clean({path: blocking_violations(page)})


def test_the_statement_is_public_and_in_the_legal_form(shared_server, page):
    page.goto(shared_server.url + "/login")
    page.get_by_role("link", name=STATEMENT_LINK, exact=True).click()
    page.get_by_role("heading", name="Déclaration d'accessibilité", exact=True).wait_for()
    for heading in ("État de conformité", "Résultats des tests", "Contenus non accessibles",
                    "Établissement de cette déclaration d'accessibilité", "Retour d'information et contact",
                    "Voies de recours"):  # fmt: skip
        assert page.get_by_role("heading", name=heading, exact=True).is_visible(), heading
    text = page.inner_text("main")
    assert "partiellement conforme" in text and "RGAA" in text and "Défenseur des droits" in text
    assert page.get_by_role("link", name="formulaire « Nous contacter »").is_visible()


@pytest.mark.parametrize("user", LOGINS)
def test_every_screen_of_every_user(shared_server, page, user, richest_requests):
    login(page, shared_server, user)
    in_french_with_the_statement_link(page)
    found = {}
    top = visible_tabs(page)
    for tab in top:
        show(page, tab)
        found[tab] = blocking_violations(page)
        for inner in visible_tabs(page, below=tab_row(page, tab) + 5):
            show(page, inner)
            found[f"{tab} / {inner}"] = blocking_violations(page)
            show(page, tab)
    numero, labels = richest_requests[user]
    if numero is not None:
        page.goto(f"{shared_server.url}/app?numero={numero}")
        page.get_by_text(f"Détail de la sollicitation n° {numero}").first.wait_for()
        found[f"Consulter n° {numero}"] = blocking_violations(page)
        for label in [*labels, DOWNLOAD.label]:
            opened = page.get_by_role("button", name=label, exact=True).filter(visible=True)
            if label == "Prendre en charge" or not opened.count():  # acts at once (a write): not a block
                continue
            press(page, label)
            cancel = page.get_by_role("button", name="Annuler", exact=True).filter(visible=True).first
            cancel.wait_for()
            found[f"Consulter n° {numero} / {label}"] = blocking_violations(page)
            press(page, "Annuler")
            # The buttons are drawn again: all of them, before the next one is clicked.
            wait_until(lambda: all(page.get_by_role("button", name=name, exact=True).filter(visible=True).count()
                                   for name in (*labels, DOWNLOAD.label)))  # fmt: skip
            page.wait_for_timeout(300)
    assert_clean(found)
    assert page.console_errors == []

""" "Consulter" as each demo role sees it, at each status it can read: exactly the buttons of
`UserDesk.actions(n)`, no block before its button is clicked, and each block closed again by "Annuler".

The cases are derived from the package (the demo's logins, the requests each reads, their actions): a
new role, status or transition is covered without editing this file. Requests are opened as a user
opens them, from Synthèse or Rechercher, after having visited Consulter with nothing open.
"""

from __future__ import annotations

import re
import shutil

import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Action, Status
from sollicitations_ui.detail.state import ATTACHMENT_CONTROLS, BLOCKS, BUTTONS, DOWNLOAD, labels_for

from .conftest import in_viewport, login, open_tab, screenshot, screenshots, type_keys, wait_until

LOGINS = [login for login, *_ in demo.USERS]
LABELS = [*dict.fromkeys(b.label for b in BUTTONS), DOWNLOAD.label]
MODE_OF = {b.label: b.mode for b in (*BUTTONS, DOWNLOAD)}
TITLES = [title for title, _ in BLOCKS.values()]
VALIDATES = sorted({validate for _, validate in BLOCKS.values()})
NUMBER_CELLS = (
    ".tabulator-cell[tabulator-field='Numéro de la sollicitation'], .tabulator-cell[tabulator-field='Référence']"
)
# A few cases whose screenshots we look at: (login, status).
PICTURED = {("fournisseur", Status.REPONDUE), ("destinataire", Status.EN_COURS), ("lecteur", Status.INFORMATIONS_REQUISES),
            ("support", Status.ENVOYEE), ("gestionnaire", Status.FERMEE)}  # fmt: skip


@pytest.fixture(scope="module")
def world(demo_template, tmp_path_factory):
    """For each login: one request per status it can read, with `actions(n)`, computed on a copy of the
    demo world the shared server also serves a copy of."""
    path = tmp_path_factory.mktemp("matrix") / "demo.duckdb"
    shutil.copy(demo_template, path)
    desk = sol.open_desk(path)
    try:
        cases = {}
        for login_ in LOGINS:
            me, per_status = desk.as_user(login_), {}
            for numero in range(1, desk.store.count_sollicitations() + 1):
                try:
                    data = me.get(numero)
                except sol.SollicitationError:
                    continue
                per_status.setdefault(data["statut"], (numero, list(data["actions"]), len(data["pieces_jointes"])))
            cases[login_] = per_status
        return cases
    finally:
        desk.close()


def button(page, name: str):
    return page.get_by_role("button", name=name, exact=True).filter(visible=True)


def shown_buttons(page) -> list[str]:
    return [name for name in LABELS if button(page, name).count()]


def open_blocks(page) -> list[str]:
    return [t for t in TITLES if page.get_by_role("heading", name=t, exact=True).filter(visible=True).count()]


def assert_nothing_to_act_on(page) -> None:
    assert shown_buttons(page) == [], shown_buttons(page)
    assert open_blocks(page) == [], open_blocks(page)
    assert [v for v in VALIDATES if button(page, v).count()] == []
    assert button(page, "Ajouter").count() == 0


def open_from_lists(page, numero: int) -> str:
    """Click the request's number in Synthèse when it is listed there, otherwise search it by number."""
    cell = page.locator(NUMBER_CELLS).filter(visible=True).filter(has_text=re.compile(rf"^\s*{numero}\s*$"))
    tabs = page.locator(".bk-tab").all_inner_texts()
    if "Synthèse" in tabs:
        open_tab(page, "Synthèse")
        page.wait_for_timeout(300)
        if cell.count():
            cell.first.click()
            return "Synthèse"
    open_tab(page, "Rechercher")
    type_keys(page, "Numéro de la sollicitation", str(numero))
    button(page, "Rechercher").last.click()
    try:
        wait_until(lambda: cell.count() == 1, timeout=30)
    except AssertionError:
        shown = page.locator(NUMBER_CELLS).filter(visible=True).all_inner_texts()
        typed = page.get_by_label("Numéro de la sollicitation", exact=True).input_value()
        raise AssertionError(f"searching n° {numero} (typed {typed!r}): the results show {shown}") from None
    cell.first.click()
    return "Rechercher"


def active_tab(page) -> str:
    return page.locator(".bk-tab.bk-active").first.inner_text().strip()


@pytest.mark.parametrize("login_", LOGINS)
def test_the_detail_shows_what_actions_allow(shared_server, page, world, login_):
    cases = world[login_]
    assert cases, f"{login_} reads no request in the demo world"
    login(page, shared_server, login_)
    open_tab(page, "Consulter")
    page.get_by_text("Cliquez sur le numéro d'une sollicitation").first.wait_for()
    assert_nothing_to_act_on(page)

    ways = set()
    for status, (numero, actions, attachments) in sorted(cases.items(), key=lambda c: list(Status).index(c[0])):
        ways.add(open_from_lists(page, numero))
        if Action.SUBMIT in actions:  # a draft its emitter may send opens in the entry form
            wait_until(lambda: active_tab(page) == "Saisir sollicitation")
            continue
        page.get_by_text(f"Détail de la sollicitation n° {numero} ").first.wait_for()
        wait_until(lambda: active_tab(page) == "Consulter", timeout=5)
        expected = [*labels_for(actions), DOWNLOAD.label]
        wait_until(lambda expected=expected: shown_buttons(page) == expected, timeout=20)
        assert open_blocks(page) == [], (login_, status)
        history = page.locator("section.block", has_text="Historique").filter(visible=True).first
        dates = history.locator("tbody tr td:first-child").all_inner_texts()
        assert dates and all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", d) for d in dates), dates
        for action, name in ATTACHMENT_CONTROLS.items():
            assert bool(button(page, name).count()) == (action in actions), (login_, status, name)
        download = button(page, "Télécharger pièces jointes")
        assert download.count() == 1 and download.is_disabled() == (attachments == 0), (login_, status)
        if (login_, status) in PICTURED:
            button(page, DOWNLOAD.label).first.scroll_into_view_if_needed()
            screenshots(page, f"detail-{login_}-{status.value}")

        for name in expected:
            mode = MODE_OF[name]
            if mode is None:  # acts at once ("Prendre en charge"): a write, see test_detail_feedback
                continue
            title, validate = BLOCKS[mode]
            button(page, name).first.click()
            page.get_by_role("heading", name=title, exact=True).filter(visible=True).first.wait_for()
            assert open_blocks(page) == [title] and shown_buttons(page) == [], (login_, status, name)
            wait_until(lambda validate=validate: in_viewport(page, button(page, validate).first), timeout=5)
            assert in_viewport(page, button(page, "Annuler").first)
            if (login_, status) in PICTURED and mode in ("cloture", "reponse"):
                screenshots(page, f"detail-{login_}-{status.value}-{mode}")
            button(page, "Annuler").first.click()
            wait_until(
                lambda expected=expected: open_blocks(page) == [] and shown_buttons(page) == expected, timeout=20
            )
    assert ways <= {"Synthèse", "Rechercher"} and ways
    assert page.console_errors == []


def scenario(demo_template, tmp_path) -> tuple[int, str, str]:
    """A request some receiver may take in charge, and the login of an emitter who may close it early:
    the guide's round trip (take in charge, ask, complement, respond, close) can be played on it."""
    path = tmp_path / "scenario.duckdb"
    shutil.copy(demo_template, path)
    desk = sol.open_desk(path)
    try:
        for receiver in LOGINS:
            me = desk.as_user(receiver)
            for numero in range(1, desk.store.count_sollicitations() + 1):
                try:
                    if Action.TAKE_IN_CHARGE not in me.actions(numero):
                        continue
                except sol.SollicitationError:
                    continue
                for emitter in LOGINS:
                    try:
                        if Action.CLOSE_EARLY in desk.as_user(emitter).actions(numero):
                            return numero, receiver, emitter
                    except sol.SollicitationError:
                        continue
    finally:
        desk.close()
    raise AssertionError("no request of the demo world can go through the guide's round trip")


def status_message(page, text: str):
    return page.get_by_role("status").filter(has_text=text).filter(visible=True).first


def act(page, name: str, fields: dict[str, str], validate: str, message: str, numero: int) -> None:
    """Click `name`, fill its block as a person types, validate: the message is where the user looks."""
    button(page, name).first.click()
    if fields:
        button(page, validate).first.wait_for()
        if validate != "Télécharger":
            button(page, validate).first.click()  # nothing typed yet: the errors show next to the button
            alert = page.get_by_role("alert").filter(visible=True).first
            alert.wait_for(timeout=30_000)  # the server's answer: slow when the machine is busy
            wait_until(lambda: in_viewport(page, alert), timeout=3)  # then scrolled into view at once
        for label, text in fields.items():
            type_keys(page, label, text)
        button(page, validate).first.click()
    try:
        status_message(page, message).wait_for(timeout=30_000)
    except Exception:
        screenshot(page, f"FAILED-act-{name}")  # this test's pages are its own: the hook does not see them
        raise
    wait_until(lambda: in_viewport(page, status_message(page, message)), timeout=3)
    assert f"n° {numero}" in status_message(page, message).inner_text()
    assert page.get_by_role("alert").filter(visible=True).count() == 0, "the earlier errors are replaced"


def reopen(page, server, numero: int) -> None:
    """A fresh session (another user's write does not reach a page already open), opened from the lists."""
    page.goto(server.url + "/app")
    page.wait_for_selector(".bk-tab")
    open_from_lists(page, numero)
    page.get_by_text(f"Détail de la sollicitation n° {numero} ").first.wait_for()


def test_each_action_of_the_guide_says_so_where_the_user_looks(server, browser, demo_template, tmp_path):
    numero, receiver, emitter = scenario(demo_template, tmp_path)
    pages = {}
    for who in (receiver, emitter):
        context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR")
        pages[who] = page = context.new_page()
        page.set_default_timeout(20_000)
        page.console_errors = []
        page.on("console", lambda m, page=page: page.console_errors.append(m.text) if m.type == "error" else None)
        login(pages[who], server, who)
    agent, supplier = pages[receiver], pages[emitter]

    reopen(agent, server, numero)
    act(agent, "Prendre en charge", {}, "", "Vous avez pris en charge la sollicitation", numero)
    assert button(agent, "Prendre en charge").count() == 0
    act(
        agent,
        "Demander des informations complémentaires",
        {"Commentaire *": "Merci de joindre le bon de commande."},
        "Valider",
        "La demande d'informations complémentaires a été envoyée",
        numero,
    )
    screenshots(agent, "detail-message-demande-informations")

    reopen(supplier, server, numero)
    act(
        supplier,
        "Ajouter complément d'information",
        {"Complément d'information *": "Le voici, en pièce jointe."},
        "Valider et envoyer",
        "Le complément d'information a été envoyé",
        numero,
    )
    screenshots(supplier, "detail-message-complement")

    reopen(agent, server, numero)
    act(
        agent,
        "Répondre",
        {"Commentaire *": "La facture est mise en paiement."},
        "Valider",
        "La réponse à la sollicitation",
        numero,
    )

    reopen(supplier, server, numero)
    act(supplier, "Clôturer", {"Commentaires *": "Merci, c'est réglé."}, "Valider", "est fermée", numero)
    assert shown_buttons(supplier) == [DOWNLOAD.label]
    assert agent.console_errors == [] and supplier.console_errors == []

"""RGAA (themes 10, 12): the guide's entry flow played with the keyboard only, as a supplier who uses no mouse.

No click and no fill on any element: only keys (`page.keyboard`), and the OS file dialog answered through
`expect_file_chooser` (a person answers it with the keyboard too). At each step the focused element, found
through Bokeh's shadow roots, is in the window and shows a focus indicator.
"""

from itertools import pairwise

from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import in_viewport, screenshots, wait_until

# The deep focused element: Bokeh draws each widget in a shadow root, whose host is all that
# document.activeElement tells. `record` keeps the element itself to measure the Tab order later.
FOCUSED = """(record) => {
  let e = document.activeElement
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement
  if (!e) return null
  if (record) (window.__tabPath = window.__tabPath || []).push(e)
  const ancestors = []
  for (let a = e; a; a = a.parentNode instanceof ShadowRoot ? a.parentNode.host : a.parentElement) ancestors.push(a)
  const region = ancestors.find((a) => a.tagName === "DIALOG" || a.id === "header" || a.id === "main")
  const style = getComputedStyle(e)
  const box = e.getBoundingClientRect()
  // An ancestor that hides its overflow may cut the ring: a side is lost when less than a pixel of it shows.
  // Lost on two opposite sides, or on three, what is left is thin lines. (One side may be lost a moment
  // where a scroller has just brought the box to its edge.)
  const clip = { top: -Infinity, bottom: Infinity, left: -Infinity, right: Infinity }
  for (const a of ancestors.slice(1)) {
    const s = getComputedStyle(a), r = a.getBoundingClientRect()
    if (s.overflowY !== "visible") [clip.top, clip.bottom] = [Math.max(clip.top, r.top), Math.min(clip.bottom, r.bottom)]
    if (s.overflowX !== "visible") [clip.left, clip.right] = [Math.max(clip.left, r.left), Math.min(clip.right, r.right)]
  }
  const inner = parseFloat(style.outlineOffset), outer = inner + parseFloat(style.outlineWidth)
  const shows = {
    top: box.top - inner - Math.max(box.top - outer, clip.top),
    bottom: Math.min(box.bottom + outer, clip.bottom) - (box.bottom + inner),
    left: box.left - inner - Math.max(box.left - outer, clip.left),
    right: Math.min(box.right + outer, clip.right) - (box.right + inner),
  }
  const lost = Object.keys(shows).filter((side) => shows[side] < 1)
  const cut = style.outlineStyle !== "none" && (lost.length >= 3 || (lost.includes("top") && lost.includes("bottom"))
    || (lost.includes("left") && lost.includes("right")))
  const label = e.getAttribute("aria-label") || (e.labels && e.labels.length ? e.labels[0].innerText : "")
  return {
    tag: e.tagName.toLowerCase(), type: e.type || "", id: e.id, role: e.getAttribute("role") || "",
    name: (label || (e.tagName === "BODY" ? "" : e.innerText) || "").trim(),
    selected: e.getAttribute("aria-selected"), tabindex: e.getAttribute("tabindex"),
    chosen: e.tagName === "SELECT" && e.selectedIndex >= 0 ? e.options[e.selectedIndex].text : null,
    region: !region ? "body" : region.tagName === "DIALOG" ? "dialog" : region.id,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== "none",
    cut: cut ? lost : null,
    visible: box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && box.bottom > Math.max(0, clip.top) && box.top < Math.min(innerHeight, clip.bottom)
      && box.right > Math.max(0, clip.left) && box.left < Math.min(innerWidth, clip.right),
  }
}"""

# Where each recorded element sits, all measured at once: (its block's top, its column's left, its top, its
# left). In reading order these keys never go back: blocks top to bottom, in a block column after column.
READING_KEYS = """() => (window.__tabPath || []).map((e) => {
  const ancestors = []
  for (let a = e.parentNode; a; a = a instanceof ShadowRoot ? a.host : a.parentNode) if (a.classList) ancestors.push(a)
  const card = ancestors.find((a) => a.classList.contains("card"))
  const column = ancestors.find((a) => a.classList.contains("bk-panel-models-layout-Column"))
  const box = e.getBoundingClientRect()
  return [card ? card.getBoundingClientRect().top : box.top, column ? column.getBoundingClientRect().left : 0,
          box.top, box.left].map(Math.round)
})"""

FORM_FIELDS = [
    "Sélectionner une catégorie *", "Sélectionner une sous-catégorie *",
    "Type de l'objet concerné par la sollicitation", "Numéro",
    "Désignation de la structure émettrice *", "Service",
    "Adresse électronique de contact", "Téléphone de contact",
    "Description *",
]  # fmt: skip


def open_file_chooser(page):
    """Space on the focused file input opens the OS dialog. On a loaded machine the block may be drawn
    again just after the picker took the focus (the key then reaches a replaced input): as a person
    would, press once more, after coming back to the picker."""
    for attempt in range(2):
        try:
            with page.expect_file_chooser(timeout=8_000) as chooser:
                page.keyboard.press("Space")
            return chooser.value
        except PlaywrightTimeout:  # a second try, then the failure
            if attempt:
                raise
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")
            assert focused(page)["type"] == "file", focused(page)


def focused(page, record: bool = False) -> dict:
    return page.evaluate(FOCUSED, record)


def focus_shown(page, record: bool = False) -> dict:
    """The focused element, once it is in the window with a focus indicator (outline or box-shadow) not cut."""
    last = {}

    def shown():
        last.update(focused(page))
        return last["visible"] and (last["outline"] or last["shadow"]) and not last["cut"]

    try:
        wait_until(shown, timeout=5)
    except AssertionError:
        raise AssertionError(f"focus not shown: {last}") from None
    return focused(page, record)


def press(page, key: str, record: bool = False) -> dict:
    page.keyboard.press(key)
    return focus_shown(page, record)


def tab_to(page, name: str, key: str = "Tab", record: bool = False, limit: int = 40) -> list[dict]:
    """Press Tab (or Shift+Tab) until the element named `name` has the focus; every step on the way shows it."""
    path = []
    for _ in range(limit):
        path.append(press(page, key, record))
        if path[-1]["name"] == name:
            return path
    raise AssertionError(f"{name!r} not reached with {key}: {[p['name'] for p in path]}")


def choose_by_typing(page, start: str, option: str) -> None:
    """In the focused native <select>, type the option's start (the browser's type-ahead), as a person does."""
    assert focused(page)["tag"] == "select", focused(page)
    page.keyboard.type(start, delay=60)
    wait_until(lambda: focused(page)["chosen"] == option)
    page.wait_for_timeout(250)  # the choice reaches the server before the next key


def options(page, label: str) -> list[str]:
    return page.get_by_label(label, exact=True).locator("option").all_inner_texts()


def log_in_with_keys(page, server) -> None:
    page.goto(server.url + "/login")
    wait_until(lambda: focused(page)["id"] == "username")  # autofocus: keys typed before it are lost
    assert focus_shown(page)["name"] == "Identifiant"
    page.keyboard.type("fournisseur")
    assert press(page, "Tab")["name"] == "Mot de passe"
    page.keyboard.type("fournisseur")
    page.keyboard.press("Enter")
    page.locator("[role=tab]").first.wait_for(timeout=30_000)  # drawn, and repaired (aria.py)
    page.locator("a.skip-link").wait_for(state="attached")


def tabs_state(page) -> list[tuple[str, str, str]]:
    """(name, aria-selected, tabindex) of each tab."""
    rows = page.locator("[role=tab]").evaluate_all(
        "tabs => tabs.map(t => [t.innerText.trim(), t.getAttribute('aria-selected'), t.getAttribute('tabindex')])"
    )
    return [tuple(row) for row in rows]


def test_supplier_files_a_request_with_the_keyboard_only(server, page, tmp_path):
    log_in_with_keys(page, server)

    # From the top: the skip link first, then the header, then the tab list (its open tab only).
    skip = press(page, "Tab")
    assert (skip["tag"], skip["name"]) == ("a", "Aller au contenu"), skip
    screenshots(page, "clavier-lien-evitement")
    path = tab_to(page, "Synthèse")
    regions = [p["region"] for p in path]
    assert regions == ["header"] * (len(path) - 1) + ["main"], path
    assert {"Se déconnecter", "Recevoir les notifications par courriel"} <= {p["name"] for p in path}, path
    assert (path[-1]["role"], path[-1]["selected"]) == ("tab", "true"), path[-1]
    assert page.locator("[role=tablist]").count() == 1
    state = tabs_state(page)
    assert [name for name, *_ in state] == ["Synthèse", "Saisir sollicitation", "Rechercher", "Consulter",
                                            "Tableau de bord"], state  # fmt: skip
    assert [(selected, tabindex) for _, selected, tabindex in state] == [("true", "0")] + [("false", "-1")] * 4

    # The skip link leads past the header, straight to the tab list.
    tab_to(page, "Aller au contenu", key="Shift+Tab")
    page.keyboard.press("Enter")
    wait_until(lambda: focused(page)["id"] == "main")  # the target area itself (a container: no ring)
    assert press(page, "Tab")["name"] == "Synthèse"

    # The arrows move along the tabs (nothing opens), Enter opens.
    moved = press(page, "ArrowRight")
    assert (moved["role"], moved["name"], moved["selected"]) == ("tab", "Saisir sollicitation", "false"), moved
    assert moved["tabindex"] == "0", moved  # the tab reached is the one Tab comes back to
    assert press(page, "ArrowLeft")["name"] == "Synthèse"
    assert press(page, "ArrowRight")["name"] == "Saisir sollicitation"
    screenshots(page, "clavier-onglet")
    page.keyboard.press("Enter")
    wait_until(lambda: ("Saisir sollicitation", "true", "0") in tabs_state(page))
    page.get_by_label("Sélectionner une catégorie *", exact=True).wait_for()
    page.get_by_text("Aucune pièce jointe").first.wait_for()  # the whole form is drawn
    assert focus_shown(page)["name"] == "Saisir sollicitation"

    # The form, field after field with Tab.
    walked = [press(page, "Tab", record=True)]
    assert walked[-1]["name"] == "Sélectionner une catégorie *"
    choose_by_typing(page, "Factures", "Factures émises")
    wait_until(lambda: "Erreur dans les éléments de facturation" in options(page, "Sélectionner une sous-catégorie *"))
    walked.append(press(page, "Tab", record=True))
    choose_by_typing(page, "Erreur dans", "Erreur dans les éléments de facturation")
    screenshots(page, "clavier-liste-deroulante")
    # This pair names an invoice: its two fields appear, next in the Tab order.
    page.get_by_label("Type de l'objet concerné par la sollicitation", exact=True).wait_for()
    walked.append(press(page, "Tab", record=True))
    choose_by_typing(page, "Fac", "Facture")
    walked.append(press(page, "Tab", record=True))
    assert walked[-1]["name"] == "Numéro"
    page.keyboard.type("QUAL_00000000007215")
    walked.append(press(page, "Tab", record=True))
    choose_by_typing(page, "00000000002145", "00000000002145 - REC201FOURNISSEUR")
    identifiant = page.get_by_label("Identifiant de la structure", exact=True)
    wait_until(lambda: identifiant.input_value() == "00000000002145")
    walked += tab_to(page, "Description *", record=True)
    page.keyboard.type("Le taux de TVA de la ligne 2 est erroné.")
    screenshots(page, "clavier-zone-de-texte")
    walked += tab_to(page, "Enregistrer", record=True)
    names = [p["name"] for p in walked]
    assert names[: len(FORM_FIELDS)] == FORM_FIELDS, names
    # Between them, only the attachments' table (its "select all" box): its buttons are disabled until saved.
    assert [p["type"] for p in walked[len(FORM_FIELDS) : -2]] == ["checkbox"], names
    assert names[-2:] == ["Saisir une nouvelle sollicitation", "Enregistrer"], names
    assert {p["region"] for p in walked} == {"main"}, walked
    keys = page.evaluate(READING_KEYS)
    assert len(keys) == len(walked), keys
    assert all(a <= b for a, b in pairwise(keys)), f"not in reading order: {list(zip(names, keys))}"

    # Saved first (the guide: files join a saved request), then "+Gestion des pièces jointes".
    page.keyboard.press("Enter")
    saved = page.get_by_role("status").filter(has_text="est enregistrée au statut « Brouillon »")
    saved.wait_for()
    assert in_viewport(page, saved)
    assert focus_shown(page)["name"] == "Enregistrer"
    tab_to(page, "+Gestion des pièces jointes", key="Shift+Tab")
    page.keyboard.press("Enter")
    page.get_by_label("Parcourir...", exact=True).wait_for()
    picker = press(page, "Tab")
    assert (picker["name"], picker["type"]) == ("Parcourir...", "file"), picker
    screenshots(page, "clavier-fichier")
    document = tmp_path / "facture-corrigee.pdf"
    document.write_bytes(b"%PDF-1.4\n% facture corrigee\n")
    chooser = open_file_chooser(page)
    chooser.set_files(document)
    wait_until(lambda: page.get_by_label("Parcourir...", exact=True).evaluate("input => input.files.length") == 1)
    page.wait_for_timeout(500)  # the upload reaches the server before a button uses it
    assert focus_shown(page)["name"] == "Parcourir..."
    assert press(page, "Tab")["name"] == "Type de pièce jointe"
    assert press(page, "Tab")["name"] == "Ajouter"
    page.keyboard.press("Enter")
    page.get_by_text("Total de 1 pièce(s) jointe(s).").first.wait_for()
    page.locator(".tabulator-cell", has_text="facture-corrigee.pdf").first.wait_for()
    focus_shown(page)

    # "Valider et envoyer" with Enter: the confirmation window, its "Fermer" focused.
    tab_to(page, "Valider et envoyer")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    confirmation = dialog.get_by_role("status")
    wait_until(lambda: confirmation.is_visible() and "a été envoyée" in confirmation.inner_text())
    assert in_viewport(page, confirmation)
    closing = focus_shown(page)
    assert (closing["region"], closing["name"]) == ("dialog", "Fermer"), closing
    screenshots(page, "clavier-confirmation")
    page.keyboard.press("Enter")
    wait_until(lambda: not dialog.is_visible())
    sent = page.get_by_role("status").filter(has_text="a été envoyée").filter(visible=True)
    sent.wait_for()
    assert in_viewport(page, sent)
    assert page.console_errors == []

    # Closed, the window gives the focus back: "Valider et envoyer" went with the sent form, so to the
    # confirmation left under the buttons, where the user reads what happened.
    # (Once the page has settled: the server hides the sent form's buttons a moment after the window closes.)
    after = wait_until(lambda: (now := focused(page))["role"] == "status" and now, timeout=6)
    assert "a été envoyée" in after["name"], after
    focus_shown(page)


def test_a_request_opens_from_the_list_and_from_its_action_with_the_keyboard(shared_server, page):
    """Synthèse: Tab reaches a request's number, then a row's action, each shown focused; Enter opens them."""

    def selected() -> str:
        return next((name for name, chosen, _ in tabs_state(page) if chosen == "true"), "")

    log_in_with_keys(page, shared_server)
    for column, opens in (("Numéro de la sollicitation", "Consulter"), ("Actions", None)):
        page.goto(shared_server.url + "/app")  # back to Synthèse, as on arrival
        cell = page.locator(f".tabulator-cell[tabulator-field='{column}']").filter(visible=True).first
        cell.wait_for()
        wait_until(lambda cell=cell: cell.get_attribute("tabindex") == "0")  # made focusable (aria.py)
        name = cell.inner_text().strip()
        tab_to(page, name)
        page.keyboard.press("Enter")
        wait_until(lambda: selected() not in ("", "Synthèse"))
        screenshots(page, f"clavier-liste-{column.split()[0].lower()}")  # (resizing the window moves the focus)
        if opens:
            assert selected() == opens
            page.get_by_text(f"Détail de la sollicitation n° {name}").first.wait_for()
    assert page.console_errors == []

"""Issue 9 through the served app: who may open what by URL, and hostile text on every screen."""

import pytest

import sollicitations as sol

from ..support.samples import PNG
from .conftest import click, login, open_tab, type_in, wait_until
from .test_emitter_flow import fill_rejet, number_in
from .test_round_trip import receiver_comment

REFUSED = "n'existe pas ou vous n'êtes pas habilité à la consulter"
LOGINS = ["fournisseur", "dupont", "destinataire", "lecteur", "support", "gestionnaire"]


@pytest.fixture(scope="module")
def expected(demo_template):
    """What the package says each login may read, request by request: the app must agree."""
    desk = sol.open_desk(demo_template, read_only=True)
    try:
        numbers = list(range(1, desk.store.count_sollicitations() + 1))
        allowed = {}
        for login in LOGINS:
            me = desk.as_user(login)
            for n in numbers:
                try:
                    me.get(n)
                    allowed[login, n] = True
                except sol.PermissionDenied:
                    allowed[login, n] = False
        return numbers, allowed
    finally:
        desk.close()


@pytest.mark.parametrize("user", LOGINS)
def test_opening_requests_by_url_follows_the_package(server, page, expected, user):
    numbers, allowed = expected
    login(page, server, user)
    for n in numbers:
        page.goto(f"{server.url}/app?numero={n}")
        detail, refusal = page.get_by_text(f"Détail de la sollicitation n° {n} "), page.get_by_text(REFUSED)
        wait_until(lambda d=detail, r=refusal: d.count() or r.count(), timeout=20)
        assert bool(detail.count()) == allowed[user, n], (user, n)
        if not allowed[user, n]:
            # Nothing of the request leaks into the page.
            assert "Description" not in page.locator("section.block").all_inner_texts()
    if user == "gestionnaire":
        for name in ("Clôturer", "Répondre", "Prendre en charge", "Valider et envoyer"):
            assert page.get_by_role("button", name=name, exact=True).count() == 0


PAYLOADS = ['<img src=x onerror="window.__pwned=1">', "<script>window.__pwned=2</script>",
            '"><svg onload="window.__pwned=3">']  # fmt: skip


def test_hostile_text_in_every_field_never_runs(server, browser, tmp_path):
    payload = " ".join(PAYLOADS)
    supplier = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    agent = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    for page in (supplier, agent):
        page.set_default_timeout(20_000)
    login(supplier, server, "fournisseur")
    fill_rejet(supplier, numero_objet="2017/640")
    type_in(supplier, "Description *", payload)
    click(supplier, "Enregistrer")
    numero = number_in(supplier, "est enregistrée")
    hostile = tmp_path / '<img src=x onerror="window.__pwned=4">.png'
    hostile.write_bytes(PNG)  # a real image: uploads are typed from their content
    click(supplier, "+Gestion des pièces jointes")
    supplier.locator("input[type=file]").first.set_input_files(str(hostile))
    supplier.wait_for_timeout(500)
    click(supplier, "Ajouter")
    supplier.get_by_text("Total de 1 pièce(s) jointe(s).").first.wait_for()
    click(supplier, "Valider et envoyer")
    number_in(supplier, "a été envoyée")

    login(agent, server, "destinataire", path=f"/app?numero={numero}")
    receiver_comment(agent, "Demander des informations complémentaires", payload)
    agent.get_by_text("La demande d'informations complémentaires a été envoyée").first.wait_for()

    supplier.goto(f"{server.url}/app?numero={numero}")
    click(supplier, "Ajouter complément d'information")
    type_in(supplier, "Complément d'information *", payload)
    click(supplier, "Valider et envoyer")
    supplier.get_by_text("Le complément d'information a été envoyé").first.wait_for()
    # Every screen that shows it: detail, Synthèse, Rechercher, Tableau de bord, the receiver's list.
    supplier.get_by_text(PAYLOADS[0]).first.wait_for()
    open_tab(supplier, "Rechercher")
    type_in(supplier, "Numéro de la sollicitation", str(numero))
    supplier.get_by_role("button", name="Rechercher", exact=True).last.click()
    supplier.get_by_text("Page 1 / 1 (1 ligne)").first.wait_for()
    open_tab(supplier, "Synthèse")
    open_tab(supplier, "Tableau de bord")
    agent.goto(server.url + "/app")
    agent.locator(
        ".tabulator-cell[tabulator-field='Numéro de la sollicitation']", has_text=str(numero)
    ).first.wait_for()
    agent.goto(f"{server.url}/app?numero={numero}")
    agent.get_by_text(PAYLOADS[1]).first.wait_for()
    for page in (supplier, agent):
        assert page.evaluate("window.__pwned") is None

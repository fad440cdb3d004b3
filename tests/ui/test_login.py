"""The login page: French refusals, lock-out, the page asked for reached after login."""
import urllib.error
import urllib.parse
import urllib.request

from .conftest import login


def post_login(server, user: str, password: str) -> tuple[int, str]:
    data = urllib.parse.urlencode({"username": user, "password": password}).encode()
    opener = urllib.request.build_opener(urllib.request.HTTPRedirectHandler())
    try:
        with opener.open(server.url + "/login", data=data, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_wrong_password_then_lock_out(server, page):
    page.goto(server.url + "/app")
    page.fill("#username", "dupont")
    page.fill("#password", "mauvais")
    page.click("button[type=submit]")
    page.get_by_text("Identifiant ou mot de passe incorrect.").wait_for()
    for _ in range(4):
        status, body = post_login(server, "dupont", "mauvais")
        assert status == 401
    assert "Compte temporairement verrouillé" in body
    status, body = post_login(server, "dupont", "dupont")
    assert status == 401 and "Compte temporairement verrouillé" in body
    assert "failed for 'dupont'" in server.log_text()


def test_the_page_asked_for_is_reached_after_login(server, page):
    login(page, server, "fournisseur", path="/app?numero=2")
    page.get_by_text("Détail de la sollicitation n° 2").first.wait_for()


def test_an_outside_next_is_ignored(server, page):
    page.goto(server.url + "/login?next=//exemple.invalid/")
    page.fill("#username", "fournisseur")
    page.fill("#password", "fournisseur")
    page.click("button[type=submit]")
    page.wait_for_selector(".bk-tab", timeout=30_000)
    assert page.url.startswith(server.url + "/app")

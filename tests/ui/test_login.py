"""The login page: French refusals, lock-out, the page asked for reached after login."""

import urllib.error
import urllib.parse
import urllib.request

import pytest

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


def test_pages_already_open_close_when_their_session_ends(server, page):
    """Logged out in one tab: the app open in another tab (or a thief's copy of the cookie) goes to the
    login within a check's period (2 s for the test server), and "Retour" does not bring it back."""
    login(page, server, "fournisseur")
    other = page.context.new_page()
    other.goto(server.url + "/app")
    other.wait_for_selector(".bk-tab", timeout=30_000)
    page.get_by_role("link", name="Se déconnecter").click()
    page.get_by_text("Vous êtes déconnecté").first.wait_for()
    other.wait_for_url("**/login**", timeout=20_000)
    other.locator("#username").wait_for()
    other.go_back()
    other.locator("#username").wait_for(timeout=20_000)
    other.close()


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


@pytest.mark.parametrize("asked", ["/\\evil.example/x", "/app x", "/app\tx", "//evil.example/"])
def test_a_next_that_is_not_a_local_path_leads_to_the_app(shared_server, asked):
    """The server's own answers (no browser that would tidy the URL): the login page, then a redirect home."""
    query = urllib.parse.urlencode({"next": asked})
    with urllib.request.urlopen(f"{shared_server.url}/login?{query}", timeout=10) as page:
        assert page.status == 200
        cookie = page.headers["Set-Cookie"]
    assert cookie.split(";")[0] in ("next_url=/app", 'next_url="/app"'), cookie
    data = urllib.parse.urlencode({"username": "fournisseur", "password": "fournisseur"}).encode()
    request = urllib.request.Request(shared_server.url + "/login", data=data, headers={"Cookie": cookie.split(";")[0]})
    opener = urllib.request.build_opener(NoRedirect())
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302 and answer.headers["Location"] == "/app", (answer.code, answer.headers)
    else:
        raise AssertionError("the login did not redirect")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_burst_of_wrong_logins_neither_stalls_the_server_nor_goes_on_for_ever(server):
    """Password checks run off the event loop: a page asked for during a burst of wrong logins is
    answered before the burst is over. Past ten failures in a minute, the client is asked to wait."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sollicitations_ui.login_throttle import FAILURES_PER_WINDOW, TOO_MANY

    finished, lock = [], threading.Lock()

    def wrong(n: int) -> int:
        status, _ = post_login(server, f"inconnu{n}", "mauvais")
        with lock:
            finished.append("login")
        return status

    def page() -> int:
        with urllib.request.urlopen(server.url + "/login", timeout=30) as answer:
            with lock:
                finished.append("page")
            return answer.status

    with ThreadPoolExecutor(FAILURES_PER_WINDOW + 1) as pool:
        logins = [pool.submit(wrong, n) for n in range(FAILURES_PER_WINDOW - 2)]
        asked = pool.submit(page)
        statuses = [f.result() for f in logins]
        assert asked.result() == 200
    assert statuses == [401] * len(statuses)
    # Before most of the burst's checks (on the event loop, it came after nearly all of them).
    assert finished.index("page") < len(finished) // 2, finished
    for n in range(2):
        assert post_login(server, f"inconnu-b{n}", "mauvais")[0] == 401
    status, body = post_login(server, "fournisseur", "fournisseur")  # the right password, too late
    assert status == 429 and TOO_MANY in body

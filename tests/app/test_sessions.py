"""Server-side sessions, over HTTP and the websocket: what logout, a lock and a proxy change for a cookie."""

from __future__ import annotations

import shutil

import pytest
import requests
import tornado.web
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.websocket import websocket_connect

from sollicitations import accounts

from ..support.coroutines import run
from ..support.served import Server, assert_no_server_error

PUBLIC = "https://sollicitations.example.fr"


def serve(demo_template, folder, *serve_args) -> Server:
    db = folder / "app.duckdb"
    shutil.copy(demo_template, db)
    return Server(db, folder, serve_args)


@pytest.fixture(scope="module")
def served(demo_template, tmp_path_factory):
    srv = serve(demo_template, tmp_path_factory.mktemp("sessions"))
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


@pytest.fixture(scope="module")
def proxied(demo_template, tmp_path_factory):
    """The app as `serve --behind-proxy` runs it: the proxy's headers say who the visitor is."""
    srv = serve(demo_template, tmp_path_factory.mktemp("proxied"), "--behind-proxy", PUBLIC)
    yield srv
    srv.stop()
    assert_no_server_error(srv.log_text())


def log_in(server, login: str, password: str | None = None, **headers) -> requests.Response:
    return requests.post(server.url + "/login", data={"username": login, "password": password or login},
                         headers=headers, allow_redirects=False, timeout=30)  # fmt: skip


def cookies_of(answer: requests.Response) -> dict[str, str]:
    assert answer.status_code == 302, answer.text[:500]
    return {name: answer.cookies[name] for name in ("user", "session")}


def opens_app(server, cookies) -> bool:
    answer = requests.get(server.url + "/app", cookies=cookies, allow_redirects=False, timeout=60)
    assert answer.status_code in (200, 302), answer.status_code
    return answer.status_code == 200 and "/login" not in answer.headers.get("Location", "")


def test_logout_ends_the_session_wherever_its_cookie_is(served):
    cookies = cookies_of(log_in(served, "fournisseur"))
    copy = dict(cookies)  # the thief's
    assert opens_app(served, cookies)
    requests.get(served.url + "/logout", cookies=cookies, timeout=30)
    assert not opens_app(served, copy)
    assert opens_app(served, cookies_of(log_in(served, "fournisseur")))  # a new login opens a new one


def test_a_signed_user_cookie_without_an_open_session_opens_nothing(served):
    """What was enough until now (a cookie signed with the server's secret) no longer is."""
    secret = (served.secrets / "cookie_secret").read_text().strip()
    forged = tornado.web.create_signed_value(secret, "user", "gestionnaire").decode()
    assert not opens_app(served, {"user": forged})
    session = tornado.web.create_signed_value(secret, "session", "un-jeton-inventé").decode()
    assert not opens_app(served, {"user": forged, "session": session})
    # A real session of one account does not open another's.
    real = cookies_of(log_in(served, "fournisseur"))
    assert not opens_app(served, {"user": forged, "session": real["session"]})


def test_a_lock_ends_the_account_sessions(served):
    cookies = cookies_of(log_in(served, "destinataire"))
    for _ in range(accounts.LOCK_AFTER):
        assert log_in(served, "destinataire", "pas le bon mot de passe").status_code == 401
    assert not opens_app(served, cookies)


def page_token(server, cookies) -> str:
    """The token Bokeh writes in the app's page for its websocket."""
    page = requests.get(server.url + "/app", cookies=cookies, timeout=60).text
    return page.split('"token":')[1].split('"')[1] if '"token":' in page else page.split('token = "')[1].split('"')[0]


def socket_status(server, cookies, token: str, origin: str) -> int:
    """101 when the app's websocket opens for these cookies from `origin`, else the HTTP refusal."""

    async def attempt():
        request = HTTPRequest(server.url.replace("http", "ws") + "/app/ws", headers={
            "Origin": origin, "Sec-WebSocket-Protocol": f"bokeh, {token}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})  # fmt: skip
        try:
            socket = await websocket_connect(request)
        except HTTPClientError as error:
            return error.code
        socket.close()
        return 101

    return run(attempt())


def test_the_websocket_refuses_an_ended_session(served):
    cookies = cookies_of(log_in(served, "support"))
    token = page_token(served, cookies)
    origin = f"http://localhost:{served.port}"
    requests.get(served.url + "/logout", cookies=cookies, timeout=30)
    assert socket_status(served, cookies, token, origin) in (302, 401, 403)


def test_cookies_are_secure_over_https_and_only_then(proxied):
    over_https = log_in(proxied, "fournisseur", **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.20"})
    plain = log_in(proxied, "fournisseur", **{"X-Forwarded-For": "203.0.113.21"})
    for name in ("user", "session"):
        assert next(c for c in over_https.cookies if c.name == name).secure
        assert not next(c for c in plain.cookies if c.name == name).secure
    for header in over_https.raw.headers.getlist("Set-Cookie"):
        if not header.startswith("next_url="):  # (that one is only cleared)
            assert "HttpOnly" in header and "SameSite=Strict" in header and "Secure" in header, header


def test_behind_the_proxy_each_visitor_is_limited_on_its_own(proxied):
    """Every request comes from the proxy's address: the visitor's is in X-Forwarded-For."""
    guesser = {"X-Forwarded-For": "203.0.113.30"}
    statuses = [log_in(proxied, "gestionnaire", f"faux {i}", **guesser).status_code for i in range(12)]
    assert statuses[-1] == 429, statuses
    assert log_in(proxied, "gestionnaire", **{"X-Forwarded-For": "203.0.113.31"}).status_code == 302


def test_behind_the_proxy_the_websocket_accepts_the_public_origin_only(proxied):
    cookies = cookies_of(log_in(proxied, "fournisseur", **{"X-Forwarded-For": "203.0.113.40"}))
    token = page_token(proxied, cookies)
    # (The backend's own address is same-origin for Tornado, as it would be for a browser: accepted.)
    assert socket_status(proxied, cookies, token, "http://attaquant.example") == 403
    assert socket_status(proxied, cookies, token, PUBLIC + ".attaquant.example") == 403
    assert socket_status(proxied, cookies, token, PUBLIC) == 101

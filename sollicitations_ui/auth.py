"""Bokeh auth module (`--auth-module`): the login page checks argon2 hashes in the store.

A login opens a server-side session (`accounts.open_session`): its random token rides in the signed
"session" cookie, and every request (page, websocket, static file) is let in only while that session
is open, so that logout, a new password or a lock end it at once. Panel reads the signed "user"
cookie beside it (`pn.state.user`); the package then decides what that user may see and do.
"/contact" is open to visitors.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import panel as pn
import tornado.ioloop
import tornado.web
from jinja2 import Template

import sollicitations as sol
from sollicitations import accounts, config
from sollicitations_ui import login_throttle

TEMPLATES = Path(__file__).parent / "templates"
LOGIN = Template((TEMPLATES / "login.html").read_text(encoding="utf-8"))
LOGOUT = (TEMPLATES / "logout.html").read_text(encoding="utf-8")
GUEST_PATHS = ("/contact",)
COOKIE_DAYS = 1

login_url = "/login"
logout_url = "/logout"


def desk() -> sol.Desk:
    """The process's desk, the same the app's sessions use."""
    return pn.state.as_cached("desk", lambda: sol.open_desk(config.database_path()))


# Session lookups are queries: off the event loop too, beside (not behind) the password checks.
SESSION_CHECKS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="session-check")


async def get_user_async(request_handler):
    path = request_handler.request.path
    if any(path == p or path.startswith(p + "/") for p in GUEST_PATHS):
        return "invité"
    user = request_handler.get_secure_cookie("user", max_age_days=COOKIE_DAYS)
    token = request_handler.get_secure_cookie("session", max_age_days=COOKIE_DAYS)
    if not user or not token:
        return None
    login = await tornado.ioloop.IOLoop.current().run_in_executor(
        SESSION_CHECKS, accounts.session_user, desk(), token.decode("utf-8"))  # fmt: skip
    return login if login is not None and login == user.decode("utf-8") else None


def cookie_options(request) -> dict:
    """Our cookies: out of scripts' reach, never sent by another site, and only over HTTPS when the
    page came over HTTPS (`request.protocol` says so behind a proxy too, with --behind-proxy)."""
    return {"httponly": True, "samesite": "Strict", "secure": request.protocol == "https"}


# A path of this site and its query, in the characters the app's own links use. Anything else goes to
# the app: browsers read "\" as "/" (so "/\\evil.example" is another site), and a space or a control
# character cannot be stored in the cookie that carries the page across the login.
LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9._~/-]*(\?[A-Za-z0-9._~=&%-]*)?")


# Password checks run here, two at a time (the machine's cores), never on the event loop.
PASSWORD_CHECKS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="password-check")
THROTTLE = login_throttle.ClientThrottle()


def local_path(url: str | None) -> str:
    """Only a path of this site may follow the login (no open redirect)."""
    return url if url and LOCAL_PATH.fullmatch(url) else "/app"


class LoginHandler(tornado.web.RequestHandler):
    def get(self):
        # The form posts to /login without the query: the page asked for waits in a cookie.
        self.set_cookie("next_url", local_path(self.get_argument("next", None)), **cookie_options(self.request))
        self.write(LOGIN.render(login_endpoint=login_url, errormessage=""))

    async def post(self):
        login = self.get_argument("username", "")[:100]
        password = self.get_argument("password", "")[:1000]
        client = self.request.remote_ip
        if not THROTTLE.allows(client):
            self.set_status(429)
            self.write(LOGIN.render(login_endpoint=login_url, errormessage=login_throttle.TOO_MANY))
            return
        # The argon2 check takes a core for a quarter of a second or more: off the event loop, which
        # every session of this process shares.
        user, reason = await tornado.ioloop.IOLoop.current().run_in_executor(
            PASSWORD_CHECKS, accounts.authenticate, desk(), login, password, client)  # fmt: skip
        if user is None:
            THROTTLE.failed(client)
            self.set_status(401)
            self.write(LOGIN.render(login_endpoint=login_url, errormessage=reason))
            return
        token = await tornado.ioloop.IOLoop.current().run_in_executor(
            SESSION_CHECKS, accounts.open_session, desk(), user, client)  # fmt: skip
        for name, value in (("user", user), ("session", token)):
            self.set_secure_cookie(name, value, expires_days=COOKIE_DAYS, **cookie_options(self.request))
        self.clear_cookie("next_url")
        self.redirect(local_path(self.get_cookie("next_url")))


class LogoutHandler(tornado.web.RequestHandler):
    async def get(self):
        token = self.get_secure_cookie("session", max_age_days=COOKIE_DAYS)
        if token:
            # Ended on the server: a copy of the cookie, wherever it is, opens nothing any more.
            await tornado.ioloop.IOLoop.current().run_in_executor(
                SESSION_CHECKS, accounts.close_session, desk(), token.decode("utf-8"))  # fmt: skip
        self.clear_cookie("user")
        self.clear_cookie("session")
        self.write(LOGOUT)

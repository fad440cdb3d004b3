"""Bokeh auth module (`--auth-module`): the login page checks argon2 hashes in the store.

Panel reads the signed "user" cookie this module sets (`pn.state.user`); the package then
decides what that user may see and do. "/contact" is open to visitors.
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


def get_user(request_handler):
    path = request_handler.request.path
    if any(path == p or path.startswith(p + "/") for p in GUEST_PATHS):
        return "invité"
    user = request_handler.get_secure_cookie("user", max_age_days=COOKIE_DAYS)
    return user.decode("utf-8") if user else None


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
        self.set_cookie("next_url", local_path(self.get_argument("next", None)), httponly=True, samesite="Strict")
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
        self.set_secure_cookie("user", user, expires_days=COOKIE_DAYS, httponly=True, samesite="Strict")
        self.clear_cookie("next_url")
        self.redirect(local_path(self.get_cookie("next_url")))


class LogoutHandler(tornado.web.RequestHandler):
    def get(self):
        self.clear_cookie("user")
        self.write(LOGOUT)

"""An open page ends with its login session: a logout elsewhere, a new password or a lock (which end
the session on the server) close the pages already open with it too, within a check's period."""

from __future__ import annotations

import os

import panel as pn
from tornado.web import decode_signed_value

from sollicitations import accounts

CHECK_SECONDS = float(os.environ.get("SOLLICITATIONS_SESSION_CHECK_SECONDS", "30"))


def session_token() -> str | None:
    """The token of this page's login session, from its signed cookie."""
    signed = pn.state.cookies.get("session") if pn.state.cookies else None
    if not signed or not pn.config.cookie_secret:
        return None
    token = decode_signed_value(pn.config.cookie_secret, "session", signed)
    return token.decode("utf-8") if token else None


def end_with_session(desk, location) -> None:
    """Send the page to the login once its session is no longer open (one lookup per period)."""
    token = session_token()
    if token is None or location is None:
        return

    def check() -> None:
        if accounts.session_user(desk, token) is None:
            location.param.update(reload=True, pathname="/login", search="")

    pn.state.add_periodic_callback(check, period=int(CHECK_SECONDS * 1000))

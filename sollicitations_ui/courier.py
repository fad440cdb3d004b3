"""The process's one mail courier, shared by the app and the contact page."""

from __future__ import annotations

import panel as pn

import sollicitations as sol
from sollicitations import mail


def ensure_courier(desk: sol.Desk) -> mail.Courier:
    """The process's one mail courier, started by whichever page is opened first.

    Both app.py and contact.py call this: after a restart, a visitor of "Nous contacter" alone must
    get the confirmation mail. `pn.state.as_cached` holds a lock per key, so concurrent first
    sessions still start a single thread. Without SMTP settings the courier delivers nothing (mails
    stay in the outbox, readable by support) but still purges expired captchas.
    """
    return pn.state.as_cached("courier", lambda: mail.Courier(desk.store, mail.SmtpSettings.from_env()).start())

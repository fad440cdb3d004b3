"""Mail: who is told of what (one table), the French messages, and their delivery over SMTP.

A change and the mails it causes are written in one transaction (the outbox); a sender delivers
the outbox later, with retries and backoff, so a failing SMTP server loses neither: an outage of
any length only delays mails (they are retried forever, at most an hour apart). Only a permanent
refusal of the recipient (an SMTP 5xx reply to RCPT TO) gives a mail up, with the reason kept for
support.
"""

from __future__ import annotations

import html
import logging
import os
import re
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .clock import paris_now
from .status import Action

log = logging.getLogger(__name__)

TO_EMITTER, TO_AGENTS = "emetteur", "agents"
# action -> who is told. The emitter when something is asked of it or answered; the receiving
# agents when a request arrives or comes back.
NOTIFICATIONS = {
    Action.SUBMIT: TO_AGENTS,
    Action.ADD_COMPLEMENT: TO_AGENTS,
    Action.REOPEN: TO_AGENTS,
    Action.TRANSFER_TO_SUPPORT: TO_AGENTS,
    Action.REQUEST_INFORMATION: TO_EMITTER,
    Action.RESPOND: TO_EMITTER,
}
SUBJECTS = {
    "depot": "Votre sollicitation a bien été déposée",
    Action.SUBMIT: "Nouvelle sollicitation à traiter",
    Action.ADD_COMPLEMENT: "Complément d'information reçu",
    Action.REOPEN: "Sollicitation renvoyée par l'émetteur",
    Action.TRANSFER_TO_SUPPORT: "Sollicitation transférée au support",
    Action.REQUEST_INFORMATION: "Informations complémentaires requises",
    Action.RESPOND: "Réponse à votre sollicitation",
}


@dataclass(frozen=True)
class Mail:
    to_addr: str
    subject: str
    text: str
    html: str


def compose(kind, request: dict, comment: str | None = None) -> tuple[str, str, str]:
    """Subject (with the request number), plain text and HTML of one notification."""
    numero = request["numero"]
    subject = f"[Sollicitation n° {numero}] {SUBJECTS[kind]}"
    lines = [f"Sollicitation n° {numero}", f"Catégorie : {request['categorie']} / {request['sous_categorie']}"]
    if kind == "depot":
        intro = ("Votre sollicitation a bien été déposée auprès du support. Conservez son numéro : "
                 "il vous sera demandé pour tout échange à son sujet.")  # fmt: skip
        detail_title, detail = "Début de votre description", deposit_excerpt(request["description"])
    elif kind == Action.REQUEST_INFORMATION:
        intro = "Le destinataire de votre sollicitation vous demande un complément d'information."
        detail_title, detail = "Question du destinataire", comment
    elif kind == Action.RESPOND:
        intro = "Le destinataire a répondu à votre sollicitation."
        detail_title, detail = "Réponse", comment
    else:
        intro = {
            Action.SUBMIT: "Une nouvelle sollicitation est adressée à votre structure.",
            Action.ADD_COMPLEMENT: "L'émetteur a apporté le complément d'information demandé.",
            Action.REOPEN: "L'émetteur juge la réponse insuffisante et renvoie sa sollicitation.",
            Action.TRANSFER_TO_SUPPORT: "Une sollicitation a été transférée au support.",
        }[kind]
        detail_title, detail = ("Commentaire", comment) if comment else ("Description", request["description"])
    text = "\n".join(["Bonjour,", "", intro, "", *lines, "", f"{detail_title} :", detail or "", "",
                      "Ce message est envoyé automatiquement : merci de ne pas y répondre."])  # fmt: skip
    e = html.escape
    body = "".join(f"<li>{e(line)}</li>" for line in lines)
    html_body = (
        f"<p>Bonjour,</p><p>{e(intro)}</p><ul>{body}</ul>"
        f"<p><strong>{e(detail_title)} :</strong></p><blockquote>{e(detail or '').replace(chr(10), '<br>')}</blockquote>"
        "<p><small>Ce message est envoyé automatiquement : merci de ne pas y répondre.</small></p>"
    )
    return subject, text, html_body


def queue_for_action(store, cur, request: dict, action: Action, comment: str | None, now: datetime) -> int:
    """Write, in the caller's transaction, the mails `action` causes; how many."""
    audience = NOTIFICATIONS.get(action)
    if audience is None:
        return 0
    if audience == TO_AGENTS:
        addresses = (
            [a["email"] for a in store.notified_agents(request["destinataire_id"], cur)]
            if request["destinataire_id"]
            else []
        )
    else:
        addresses = [address] if (address := emitter_address(store, cur, request)) else []
    subject, text, html_body = compose(action, request, comment)
    for address in addresses:
        store.enqueue_mail(cur, request["numero"], action.value, address, subject, text, html_body, now)
    return len(addresses)


# The address a visitor types is nobody's we know: what we send there carries no more of the visitor's
# own words than a short excerpt with its links cut out, so that the form cannot relay spam.
EXCERPT_LENGTH = 60
_LINKS = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]*:/*|www\.)\S*|\S+@\S+|\b(?:[\w-]+\.)+[a-z]{2,}\S*")


def deposit_excerpt(description: str | None) -> str:
    """The first words of a visitor's description, on one line, links and addresses cut out."""
    text = " ".join(_LINKS.sub("[…]", description or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + " […]"


def queue_deposit(store, cur, request: dict, now: datetime) -> None:
    """The "Nous contacter" confirmation, to the address the visitor typed (unverified: see deposit_excerpt)."""
    subject, text, html_body = compose("depot", request)
    store.enqueue_mail(cur, request["numero"], "depot", request["email"], subject, text, html_body, now)


def emitter_address(store, cur, request: dict) -> str | None:
    """A visitor's typed address; for a connected emitter, the contact address of the request or
    its own, unless it turned notifications off."""
    if request["contact"]:
        return request["email"]
    creator = store.user(request["cree_par"]) if request["cree_par"] else None
    if creator is None or not creator["notifications"]:
        return None
    return request["email"] or creator["email"]


# -- delivery --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 25
    security: str = "none"  # none, starttls or ssl
    user: str | None = None
    password: str | None = None
    sender: str = "Sollicitations <ne-pas-repondre@sollicitations.invalid>"
    timeout: float = 10.0

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        """SOLLICITATIONS_SMTP_HOST (none: mails stay in the outbox), _PORT, _SECURITY, _USER, _PASSWORD, _FROM."""
        host = os.environ.get("SOLLICITATIONS_SMTP_HOST")
        if not host:
            return None
        security = os.environ.get("SOLLICITATIONS_SMTP_SECURITY", "none")
        default_port = {"ssl": 465, "starttls": 587}.get(security, 25)
        return cls(
            host=host, port=int(os.environ.get("SOLLICITATIONS_SMTP_PORT", default_port)), security=security,
            user=os.environ.get("SOLLICITATIONS_SMTP_USER"), password=os.environ.get("SOLLICITATIONS_SMTP_PASSWORD"),
            sender=os.environ.get("SOLLICITATIONS_SMTP_FROM", cls.sender),
        )  # fmt: skip


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min... capped at one hour."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts)))


def message_of(row: dict, settings: SmtpSettings) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = row["subject"]
    message["From"] = settings.sender
    message["To"] = row["to_addr"]
    message["Date"] = format_datetime(row["created_at"].astimezone())
    message["Message-ID"] = make_msgid(idstring=f"sollicitation-{row['numero']}-{row['id']}")
    message.set_content(row["text_body"])
    message.add_alternative(row["html_body"], subtype="html")
    return message


def send_one(message: EmailMessage, settings: SmtpSettings) -> None:
    if settings.security == "ssl":
        server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                  context=ssl.create_default_context())  # fmt: skip
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with server:
        if settings.security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if settings.user:
            server.login(settings.user, settings.password or "")
        server.send_message(message)


def permanent_refusal(error: Exception) -> str | None:
    """The French reason to give a mail up, or None to try it again later.

    Only the server's permanent refusal (5xx) of every recipient is final: the address itself is
    wrong, and retrying would never help. A connection error, a timeout, a temporary 4xx reply, a
    refused sender or login (our configuration, not this mail) keep the mail waiting.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused) and error.recipients:
        codes = [code for code, _ in error.recipients.values()]
        if all(500 <= code < 600 for code in codes):
            details = "; ".join(
                f"{address} : {code} {_text(reply)}" for address, (code, reply) in error.recipients.items()
            )
            return f"Adresse refusée définitivement par le serveur de messagerie ({details})"
    return None


def _text(reply) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def deliver_due(store, settings: SmtpSettings, now: datetime | None = None, limit: int = 100,
                clock=paris_now) -> tuple[int, int]:  # fmt: skip
    """Deliver the mails that are due; (sent, failed attempts).

    Stops at the first failure that says the server cannot be reached; a recipient refused for good
    is marked failed and the round goes on with the next mail.
    """
    sent = failed = 0
    for _ in range(limit):
        moment = now or clock()
        row = store.claim_mail(moment, stale_before=moment - timedelta(minutes=10))
        if row is None:
            break
        try:
            send_one(message_of(row, settings), settings)
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            attempts = row["attempts"] + 1
            reason = permanent_refusal(error)
            if reason is not None:
                store.mail_failed(row["id"], reason, None)
                log.warning("mail %s to %s given up: %s", row["id"], row["to_addr"], reason)
                continue  # the server answers: the next mail may go through
            store.mail_failed(row["id"], f"{type(error).__name__}: {error}", moment + backoff(attempts))
            log.warning("mail %s to %s not delivered (attempt %s): %s", row["id"], row["to_addr"], attempts, error)
            break  # the server is down: the others wait for the next round
        store.mail_sent(row["id"], clock())
        sent += 1
    return sent, failed


def housekeeping(store, now: datetime) -> None:
    """Drop the expired captcha challenges, which nothing else removes."""
    store.purge_captchas(now)


class Courier:
    """A background thread that delivers the outbox every `interval` seconds (when SMTP is set up),
    and every `housekeeping_interval` seconds drops expired captchas.

    One per process: the Panel pages share it through `pn.state.as_cached("courier", ...)`.
    """

    def __init__(self, store, settings: SmtpSettings | None, interval: float = 15.0,
                 housekeeping_interval: float = 600.0, clock=paris_now):  # fmt: skip
        self.store, self.settings, self.interval = store, settings, interval
        self.housekeeping_interval, self.clock = housekeeping_interval, clock
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sollicitations-courier", daemon=True)

    def start(self) -> Courier:
        self._thread.start()
        return self

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(self.interval + 5)

    def _run(self) -> None:
        last_housekeeping = None
        while not self._stop.is_set():
            if self.settings is not None:  # without SMTP (the demo) mails stay in the outbox, readable by support
                try:
                    deliver_due(self.store, self.settings, clock=self.clock)
                except Exception:  # the courier must outlive one bad round; it logs why
                    log.exception("mail delivery round failed")
            if last_housekeeping is None or time.monotonic() - last_housekeeping >= self.housekeeping_interval:
                try:
                    housekeeping(self.store, self.clock())
                except Exception:  # same: log, and try again at the next round
                    log.exception("captcha purge failed")
                last_housekeeping = time.monotonic()
            self._stop.wait(self.interval)

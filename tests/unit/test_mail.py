"""Mail through a real SMTP server on localhost (aiosmtpd), and the public form's defences."""

from __future__ import annotations

import email
import email.policy
import smtplib
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller

import sollicitations as sol
from sollicitations import captcha, mail, rules
from sollicitations import desk as desk_module
from sollicitations.demo import REC201FOURNISSEUR

from ..support import captcha as proof
from ..support.concurrent import at_once
from ..support.ports import free_port


class Inbox:
    """Accepts every recipient, except a domain refused for good (5xx) and one refused for now (4xx)."""

    REFUSED, BUSY = "@refuse.example", "@occupe.example"

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith(self.REFUSED):
            return "550 5.1.1 Mailbox unknown"
        if address.endswith(self.BUSY):
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self):
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        self.controller.stop()
        self.controller = None

    @property
    def settings(self):
        return mail.SmtpSettings(
            host="127.0.0.1", port=self.port, sender="Sollicitations <ne-pas-repondre@example.org>", timeout=3
        )


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    if server.controller:
        server.stop()


def outbox(desk, **where):
    frame = desk.store.query_df("SELECT * FROM outbox ORDER BY id")
    for key, value in where.items():
        frame = frame[frame[key] == value]
    return frame


def new_sent(fournisseur) -> int:
    return fournisseur.send(
        categorie="Factures émises",
        sous_categorie="Erreur dans les éléments de facturation",
        structure=REC201FOURNISSEUR,
        type_objet="Facture",
        numero_objet="QUAL_00000000007215",
        description="Le taux de TVA est erroné : 20 % au lieu de 5,5 %.",
    )


def test_a_response_reaches_the_emitter_through_smtp(desk, fournisseur, destinataire, smtp):
    numero = new_sent(fournisseur)
    destinataire.respond(numero, "Réponse : l’avoir est émis, « vérifiez » vos écritures… 120 €.")
    sent, failed = mail.deliver_due(desk.store, smtp.settings)
    assert failed == 0 and sent == len(outbox(desk)) == len(smtp.inbox.messages)
    to_emitter = [
        (rcpt, m)
        for rcpt, m in smtp.inbox.messages
        if m["Subject"] == f"[Sollicitation n° {numero}] Réponse à votre sollicitation"
    ]
    assert len(to_emitter) == 1
    rcpt, message = to_emitter[0]
    assert rcpt == ["elise.marchand@fournisseur.example"]
    assert message["Subject"] == f"[Sollicitation n° {numero}] Réponse à votre sollicitation"
    assert message["From"] == "Sollicitations <ne-pas-repondre@example.org>"
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "l’avoir est émis, « vérifiez » vos écritures… 120 €." in text
    assert "« vérifiez »" in html and "<strong>Réponse :</strong>" in html
    assert set(outbox(desk)["status"]) == {"sent"}


def test_new_requests_reach_the_receiving_agents(desk, fournisseur, smtp):
    numero = new_sent(fournisseur)
    mail.deliver_due(desk.store, smtp.settings)
    recipients = sorted(r for rcpt, m in smtp.inbox.messages if f"n° {numero}]" in m["Subject"] for r in rcpt)
    assert recipients == ["hugo.fontaine@collectivite.example", "ines.navarro@collectivite.example"]


def test_user_text_is_escaped_in_html_mail(desk, fournisseur, destinataire):
    numero = new_sent(fournisseur)
    destinataire.request_information(numero, "<script>alert(1)</script>")
    row = outbox(desk, kind="request_information").iloc[-1]
    assert "<script>" not in row["html_body"] and "&lt;script&gt;" in row["html_body"]


def test_notifications_can_be_turned_off(desk, fournisseur, destinataire):
    fournisseur.set_notifications(False)
    assert fournisseur.notifications() is False
    numero = new_sent(fournisseur)
    destinataire.respond(numero, "Réglé.")
    assert outbox(desk, numero=numero, kind="respond").empty
    destinataire.set_notifications(False)
    numero = new_sent(fournisseur)
    assert list(outbox(desk, numero=numero)["to_addr"]) == ["hugo.fontaine@collectivite.example"]


def test_a_refused_transition_writes_no_mail(desk, fournisseur, destinataire):
    numero = new_sent(fournisseur)
    before = len(outbox(desk))
    with pytest.raises(sol.ValidationError):
        destinataire.respond(numero, "")
    assert len(outbox(desk)) == before


def test_smtp_down_then_back_every_mail_once(desk, fournisseur, smtp):
    for _ in range(3):
        new_sent(fournisseur)
    due = len(outbox(desk, status="pending"))
    now = desk.clock()
    # The server works for one mail, then goes down in the middle of the outbox.
    assert mail.deliver_due(desk.store, smtp.settings, now=now, limit=1) == (1, 0)
    assert len(smtp.inbox.messages) == 1
    smtp.stop()
    sent, failed = mail.deliver_due(desk.store, smtp.settings, now=now)
    assert (sent, failed) == (0, 1)
    waiting = outbox(desk, status="pending")
    assert len(waiting) == due - 1 and waiting["attempts"].max() == 1
    assert waiting["last_error"].notna().sum() == 1
    # The failed mail waits for its backoff; the others are due but the server is still down.
    assert mail.deliver_due(desk.store, smtp.settings, now=now + timedelta(seconds=1)) == (0, 1)
    smtp.start()
    sent, _ = mail.deliver_due(desk.store, smtp.settings, now=now + timedelta(hours=2))
    assert sent == due - 1
    assert mail.deliver_due(desk.store, smtp.settings, now=now + timedelta(hours=3)) == (0, 0)
    ids = [m["Message-ID"] for _, m in smtp.inbox.messages]
    assert len(ids) == due == len(set(ids))
    assert set(outbox(desk)["status"]) == {"sent"}


class Clock:
    """The time `deliver_due` reads through its `clock` argument, moved by the test."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


def test_a_day_of_outage_loses_no_mail(desk, fournisseur, smtp):
    desk.store.cursor().execute("DELETE FROM outbox")  # the demo's own mails would share the rounds
    new_sent(fournisseur)
    mails = len(outbox(desk))
    smtp.stop()
    clock = Clock(desk.clock())
    end = clock.now + timedelta(days=1)
    while clock.now < end:  # the courier's rounds, one every 15 minutes of a day without SMTP
        mail.deliver_due(desk.store, smtp.settings, clock=clock)
        clock.now += timedelta(minutes=15)
    waiting = outbox(desk)
    assert set(waiting["status"]) == {"pending"}  # never given up
    assert waiting["attempts"].max() > 8  # more than the 8 tries that used to give a mail up
    assert (waiting["next_attempt_at"] - clock.now).max() <= timedelta(hours=1)  # the backoff is capped
    smtp.start()
    clock.now += timedelta(hours=1)
    sent, failed = mail.deliver_due(desk.store, smtp.settings, clock=clock)
    assert (sent, failed) == (mails, 0)
    assert set(outbox(desk)["status"]) == {"sent"} and len(smtp.inbox.messages) == mails


def enqueue(desk, to_addr: str, numero: int = 1) -> None:
    with desk.store.transaction() as cur:
        desk.store.enqueue_mail(cur, numero, "depot", to_addr, "Objet", "Texte", "<p>Texte</p>", desk.clock())


def test_a_recipient_refused_for_good_is_given_up_with_its_reason(desk, smtp):
    desk.store.cursor().execute("DELETE FROM outbox")
    enqueue(desk, "inconnu" + Inbox.REFUSED)
    enqueue(desk, "occupe" + Inbox.BUSY)
    enqueue(desk, "visiteur@example.org")
    mail.deliver_due(desk.store, smtp.settings)
    rows = outbox(desk).set_index("to_addr")
    refused = rows.loc["inconnu" + Inbox.REFUSED]
    assert refused["status"] == "failed"
    assert "Adresse refusée définitivement" in refused["last_error"] and "550" in refused["last_error"]
    # A temporary refusal (4xx) is tried again later; it stops the round like an outage would.
    busy = rows.loc["occupe" + Inbox.BUSY]
    assert busy["status"] == "pending" and busy["attempts"] == 1
    # Support reads why in its outbox.
    shown = desk.as_user("gestionnaire").outbox().set_index("Destinataire").loc["inconnu" + Inbox.REFUSED]
    assert shown["Statut"] == "Échec" and "Adresse refusée définitivement" in shown["Dernière erreur"]
    assert mail.permanent_refusal(ConnectionRefusedError(111, "Connection refused")) is None
    assert mail.permanent_refusal(smtplib.SMTPServerDisconnected("perdu")) is None
    # The permanent refusal did not stop the round; the next round delivers the rest.
    mail.deliver_due(desk.store, smtp.settings)
    assert [rcpt for rcpt, _ in smtp.inbox.messages] == [["visiteur@example.org"]]
    assert outbox(desk).set_index("to_addr").loc["visiteur@example.org", "status"] == "sent"


def test_backoff_grows_and_is_capped():
    assert [mail.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert mail.backoff(20) == timedelta(hours=1)


def test_courier_delivers_in_the_background(desk, fournisseur, smtp):
    new_sent(fournisseur)
    courier = mail.Courier(desk.store, smtp.settings, interval=0.2).start()
    try:
        deadline = time.monotonic() + 10
        while outbox(desk, status="pending").shape[0] and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        courier.stop()
    assert outbox(desk, status="pending").empty and smtp.inbox.messages


def captcha_tokens(desk) -> set[str]:
    return {row[0] for row in desk.store.cursor().execute("SELECT token FROM captchas").fetchall()}


def test_expired_captchas_are_purged(desk):
    now = desk.clock()
    old = captcha.new_visual(desk.store, now - captcha.LIFETIME - timedelta(minutes=1)).token
    live = captcha.new_proof(desk.store, now).token
    mail.housekeeping(desk.store, now)
    assert old not in captcha_tokens(desk) and live in captcha_tokens(desk)


def test_the_courier_purges_captchas_even_without_smtp(desk):
    now = desk.clock()
    old = captcha.new_visual(desk.store, now - captcha.LIFETIME - timedelta(minutes=1)).token
    live = captcha.new_visual(desk.store, now).token
    pending = len(outbox(desk, status="pending"))
    courier = mail.Courier(desk.store, None, interval=0.1, housekeeping_interval=0.2, clock=desk.clock).start()
    try:
        deadline = time.monotonic() + 10
        while old in captcha_tokens(desk) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        courier.stop()
    assert old not in captcha_tokens(desk) and live in captcha_tokens(desk)
    assert len(outbox(desk, status="pending")) == pending  # no SMTP: the outbox waits for support


# -- "Nous contacter" -------------------------------------------------------------------------


def answer_of(tmp_path) -> tuple[str, str]:
    token, answer = (tmp_path / "captcha" / "last").read_text().split()
    return token, answer


@pytest.fixture
def hook(tmp_path, monkeypatch):
    monkeypatch.setenv(captcha.TEST_HOOK_ENV, str(tmp_path / "captcha"))
    return tmp_path


FORM = {
    "categorie": "Connexion",
    "sous_categorie": "Mot de passe oublié",
    "email": "visiteur@example.org",
    "description": "Je n'arrive plus à me connecter depuis hier.",
}


def test_contact_form_deposits_and_confirms_by_mail(desk, hook, smtp, support):
    challenge = captcha.new_visual(desk.store, desk.clock())
    assert challenge.image_png.startswith(b"\x89PNG")
    token, answer = answer_of(hook)
    numero = desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer.lower(), client="198.51.100.7")
    assert support.get(numero)["contact"] is True
    mail.deliver_due(desk.store, smtp.settings)
    deposits = [m for rcpt, m in smtp.inbox.messages if rcpt == ["visiteur@example.org"]]
    assert len(deposits) == 1
    body = deposits[0].get_body(("plain",)).get_content()
    assert f"Sollicitation n° {numero}" in body and "Connexion / Mot de passe oublié" in body
    assert FORM["description"] in body
    support.respond(numero, "Un nouveau lien vous a été envoyé.")
    mail.deliver_due(desk.store, smtp.settings)
    answers = [m for rcpt, m in smtp.inbox.messages if rcpt == ["visiteur@example.org"]]
    assert "Un nouveau lien vous a été envoyé." in answers[-1].get_body(("plain",)).get_content()


def test_a_visitor_address_gets_the_number_and_a_short_excerpt_only(desk, hook, smtp, support):
    """The typed address is unverified: the form must not relay a stranger's text (or links) to it."""
    spam = ("Gagnez 1 000 euros sur https://promo.example/gain ou www.promo.example, écrivez à gain@promo.example "
            "ou promo.example.com. " + "Offre exceptionnelle, " * 40)  # fmt: skip
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    numero = desk.contact_form(**{**FORM, "description": spam}, captcha_token=token, captcha_answer=answer, client="c")
    assert support.get(numero)["description"] == spam.strip()  # the support desk reads it whole
    mail.deliver_due(desk.store, smtp.settings)
    (deposit,) = [m for rcpt, m in smtp.inbox.messages if rcpt == ["visiteur@example.org"]]
    for part in ("plain", "html"):
        body = deposit.get_body((part,)).get_content()
        assert f"n° {numero}" in body and "Gagnez 1" in body
        assert "promo" not in body and "@" not in body.replace("ne-pas-repondre@", "")
        assert body.count("Offre exceptionnelle") <= 2
    assert len(deposit.get_body(("plain",)).get_content()) < 600


def test_the_accessible_check_works_too(desk, hook):
    """ALTCHA's proof of work: the browser's solution (played here by altcha's own solver) is accepted."""
    challenge = captcha.new_proof(desk.store, desk.clock())
    assert challenge.image_png is None and challenge.proof["maxnumber"] == captcha.PROOF_MAX_NUMBER
    assert desk.contact_form(
        **FORM, captcha_token=challenge.token, captcha_answer=proof.solve(challenge.proof), client="c"
    )


@pytest.mark.parametrize("change", [
    {"number": -1}, {"signature": "0" * 64}, {"salt": "autre-sel?expires=9999999999&"}, {"algorithm": "SHA-1"},
    {"challenge": "f" * 64}, "not base64", "bm90IGpzb24=", {"number": "1 OR 1=1"},
])  # fmt: skip
def test_a_forged_proof_of_work_is_refused_and_spends_the_challenge(desk, change):
    challenge = captcha.new_proof(desk.store, desk.clock())
    bad = proof.forged(challenge.proof, **change) if isinstance(change, dict) else change
    with pytest.raises(sol.ValidationError) as refused:
        desk.contact_form(**FORM, captcha_token=challenge.token, captcha_answer=bad + " " * 30, client="c")
    assert captcha.WRONG in refused.value.messages
    with pytest.raises(sol.ValidationError):  # the right solution comes too late: spent
        desk.contact_form(
            **FORM, captcha_token=challenge.token, captcha_answer=proof.solve(challenge.proof), client="c"
        )


def test_a_proof_of_work_works_once_and_only_for_its_own_challenge(desk):
    first, second = captcha.new_proof(desk.store, desk.clock()), captcha.new_proof(desk.store, desk.clock())
    with pytest.raises(sol.ValidationError):  # the solution of one challenge does not open another
        desk.contact_form(**FORM, captcha_token=second.token, captcha_answer=proof.solve(first.proof), client="c")
    payload = proof.solve(first.proof)
    assert desk.contact_form(**FORM, captcha_token=first.token, captcha_answer=payload, client="c")
    with pytest.raises(sol.ValidationError) as replayed:
        desk.contact_form(**FORM, captcha_token=first.token, captcha_answer=payload, client="c")
    assert captcha.WRONG in replayed.value.messages


def test_a_proof_of_work_signed_by_another_server_is_refused(desk, monkeypatch):
    challenge = captcha.new_proof(desk.store, desk.clock())
    payload = proof.solve(challenge.proof)
    monkeypatch.setenv("SOLLICITATIONS_COOKIE_SECRET", "le secret d'un autre serveur")
    with pytest.raises(sol.ValidationError):
        desk.contact_form(**FORM, captcha_token=challenge.token, captcha_answer=payload, client="c")


def test_a_captcha_works_once(desk, hook):
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="c")
    count = desk.store.count_sollicitations()
    with pytest.raises(sol.ValidationError) as refused:
        desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="c")
    assert refused.value.messages == [captcha.WRONG]
    assert desk.store.count_sollicitations() == count


def test_wrong_or_expired_captcha_stores_nothing(desk, hook):
    count, mails = desk.store.count_sollicitations(), len(outbox(desk))
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    with pytest.raises(sol.ValidationError):
        desk.contact_form(
            **FORM, captcha_token=token, captcha_answer="ZZZZZ" if answer != "ZZZZZ" else "YYYYY", client="c"
        )
    captcha.new_visual(desk.store, desk.clock() - captcha.LIFETIME - timedelta(seconds=1))
    token, answer = answer_of(hook)
    with pytest.raises(sol.ValidationError):
        desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="c")
    assert desk.store.count_sollicitations() == count and len(outbox(desk)) == mails


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("email", "pas-une-adresse", "L'adresse électronique de contact n'est pas valide"),
        ("email", "", "L'adresse électronique de contact est obligatoire"),
        ("description", "", "La description est obligatoire"),
        ("description", "x" * 10_001, "La description ne doit pas dépasser 10000 caractères (10001 saisis)"),
        ("categorie", "Factures émises", "La catégorie sélectionnée n'existe pas"),
    ],
)
def test_bad_fields_are_refused_before_the_captcha_is_spent(desk, hook, field, value, message):
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    with pytest.raises(sol.ValidationError) as refused:
        desk.contact_form(**{**FORM, field: value}, captcha_token=token, captcha_answer=answer, client="c")
    assert message in refused.value.messages
    # The challenge was not spent: the corrected form goes through with the same answer.
    assert desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="c")


def test_every_refusal_of_the_form_comes_at_once(desk, hook):
    """An empty form: each missing field and the missing captcha answer in one list, nothing spent."""
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    with pytest.raises(sol.ValidationError) as refused:
        desk.contact_form(None, None, "", "", captcha_token=token, captcha_answer="", client="c")
    assert refused.value.messages == [rules.CATEGORIE_OBLIGATOIRE, rules.SOUS_CATEGORIE_OBLIGATOIRE,
                                      rules.EMAIL_OBLIGATOIRE, rules.DESCRIPTION_OBLIGATOIRE,
                                      rules.CAPTCHA_OBLIGATOIRE]  # fmt: skip
    assert desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="c")


def test_a_wrong_answer_is_reported_with_the_fields_and_spends_the_challenge(desk, hook):
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    count = desk.store.count_sollicitations()
    with pytest.raises(sol.ValidationError) as refused:
        desk.contact_form(**{**FORM, "email": "pas-une-adresse"}, captcha_token=token,
                          captcha_answer="ZZZZZ" if answer != "ZZZZZ" else "YYYYY", client="")  # fmt: skip
    assert refused.value.messages == [rules.EMAIL_INVALIDE,
                                      "La provenance de la demande est inconnue : rechargez la page et réessayez",
                                      captcha.WRONG]  # fmt: skip
    with pytest.raises(sol.ValidationError) as again:
        desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="c")
    assert again.value.messages == [captcha.WRONG]
    assert desk.store.count_sollicitations() == count


def test_rate_limit_per_client(desk, hook):
    for _ in range(5):
        captcha.new_visual(desk.store, desk.clock())
        desk.contact_form(**FORM, captcha_token=(a := answer_of(hook))[0], captcha_answer=a[1], client="203.0.113.9")
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    with pytest.raises(sol.ValidationError) as refused:
        desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="203.0.113.9")
    assert "Trop de sollicitations" in refused.value.messages[0]
    captcha.new_visual(desk.store, desk.clock())
    token, answer = answer_of(hook)
    assert desk.contact_form(**FORM, captcha_token=token, captcha_answer=answer, client="another client")


def test_only_support_and_managers_read_the_outbox(desk, fournisseur, support, gestionnaire):
    new_sent(fournisseur)
    assert len(gestionnaire.outbox()) == len(outbox(desk))
    assert "Objet" in gestionnaire.outbox().columns
    with pytest.raises(sol.PermissionDenied):
        fournisseur.outbox()


def test_the_support_desk_reads_the_mails_of_the_requests_it_may_read_only(desk, fournisseur, support, gestionnaire):
    """A mail holds its request's description and answers: the outbox follows `can_read`, page and total."""
    numero = new_sent(fournisseur)  # to a public structure: not the support desk's
    with pytest.raises(sol.PermissionDenied):
        support.get(numero)
    every = set(outbox(desk)["numero"].dropna().astype(int))
    assert numero in every and numero in set(gestionnaire.outbox(page_size=1000)["Sollicitation"].astype(int))
    shown = support.outbox(page_size=1000)
    readable = set()
    for n in every:
        try:
            support.get(n)
            readable.add(n)
        except sol.PermissionDenied:
            pass
    assert set(shown["Sollicitation"].astype(int)) == readable and numero not in readable
    assert shown.attrs["total"] == len(shown) == int(outbox(desk)["numero"].isin(readable).sum())
    assert support.outbox(numero=numero).empty


def test_the_rate_limit_holds_against_concurrent_deposits(desk):
    """Twelve deposits of one client at once: the limit (5) is not outrun by counting before inserting."""
    challenges = [captcha.new_proof(desk.store, desk.clock()) for _ in range(12)]
    answers = [proof.solve(c.proof) for c in challenges]

    def deposit(i):
        try:
            return desk.contact_form(**FORM, captcha_token=challenges[i].token, captcha_answer=answers[i],
                                     client="203.0.113.10")  # fmt: skip
        except sol.SollicitationError as error:
            return error

    outcomes = [o.result() for o in at_once([lambda i=i: deposit(i) for i in range(len(challenges))], timeout=30)]
    accepted = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if not isinstance(o, int)]
    # Never more than the limit; a deposit that lost every retry to the others is told so in French.
    assert 1 <= len(accepted) <= desk_module.CONTACT_LIMIT, outcomes
    assert all(isinstance(e, sol.ConflictError) or (isinstance(e, sol.ValidationError)
               and e.messages == [desk_module.TROP_DE_DEMANDES]) for e in refused), refused  # fmt: skip
    # Another client is not held back by this one.
    other = captcha.new_proof(desk.store, desk.clock())
    assert desk.contact_form(
        **FORM, captcha_token=other.token, captcha_answer=proof.solve(other.proof), client="203.0.113.11"
    )

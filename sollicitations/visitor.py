"""The public "Nous contacter" deposit: a request without login, straight to the support desk.

The form's fields are checked first, then the captcha (spent once) and the client's limit of
CONTACT_LIMIT requests per CONTACT_WINDOW, in the transaction that stores the request.
"""

from __future__ import annotations

import os
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING

from . import captcha, mail, rules
from .errors import ValidationError
from .form_check import description_problems, pair_problems
from .status import Action, Status

if TYPE_CHECKING:
    from .desk import Desk

# "Nous contacter": at most CONTACT_LIMIT requests per client within CONTACT_WINDOW.
CONTACT_LIMIT = int(os.environ.get("SOLLICITATIONS_CONTACT_LIMIT", "5"))
CONTACT_WINDOW = timedelta(hours=1)
TROP_DE_DEMANDES = "Trop de sollicitations ont été envoyées depuis votre poste. Veuillez réessayer dans une heure."
PROVENANCE_INCONNUE = "La provenance de la demande est inconnue : rechargez la page et réessayez"


def contact(desk: Desk, categorie: str, sous_categorie: str, email: str, description: str, guard=None,
            check_only: bool = False) -> int | None:  # fmt: skip
    """A request from "Nous contacter": no login, straight to the support desk; its number.

    `guard(cur)` runs first in the transaction that stores it; with `check_only`, nothing is stored."""
    categorie, sous_categorie = rules.clean_text(categorie), rules.clean_text(sous_categorie)
    email, description = rules.clean_text(email), rules.clean_text(description)
    wrong = [p for k, v in (("categorie", categorie), ("sous_categorie", sous_categorie), ("email", email),
                            ("description", description)) for p in rules.not_text(k, v)]  # fmt: skip
    if wrong:
        raise ValidationError(wrong)
    problems = pair_problems(desk.catalogue, categorie, sous_categorie, contact_form=True)
    problems += rules.email_problems(email, required=True)
    problems += description_problems(description, required=True)
    support = desk.store.bureau_structure("support")
    if support is None:
        problems.append(rules.ROUTAGE_IMPOSSIBLE)
    if problems:
        raise ValidationError(problems)
    if check_only:
        return None
    fields = {"categorie": categorie, "sous_categorie": sous_categorie, "email": email, "description": description}
    return desk.store.run(partial(_deposit, desk, fields, support["id"], guard))


def _deposit(desk: Desk, fields: dict, support_id: str, guard, cur) -> int:
    if guard is not None:
        guard(cur)
    now = desk.clock()
    numero = desk.store.next_numero(cur)
    request = {
        "numero": numero, "statut": Status.ENVOYEE.value, "categorie": fields["categorie"],
        "sous_categorie": fields["sous_categorie"], "email": fields["email"], "description": fields["description"],
        "destinataire_id": support_id, "contact": True, "saisie_le": now,
        "envoyee_le": now, "modifiee_le": now, "cree_par": None,
    }  # fmt: skip
    desk.store.insert_sollicitation(cur, request)
    desk.store.append_history(
        cur,
        numero,
        now,
        None,
        Action.SUBMIT.value,
        None,
        Status.ENVOYEE.value,
        "Sollicitation déposée depuis « Nous contacter »",
    )
    mail.queue_deposit(desk.store, cur, request, now)
    mail.queue_for_action(desk.store, cur, request, Action.SUBMIT, None, now)
    return numero


def contact_form(desk: Desk, categorie, sous_categorie, email, description, captcha_token: str,
                 captcha_answer: str, client: str) -> int:  # fmt: skip
    """The public "Nous contacter" form: the fields, then the captcha (spent once) and the
    client's rate limit, checked in the transaction that stores the request.

    Every refusal of the form comes in one list (the fields', the captcha's), so that the visitor
    corrects everything at once."""
    problems: list[str] = []
    try:
        contact(desk, categorie, sous_categorie, email, description, check_only=True)
    except ValidationError as error:
        problems += error.messages
    if not isinstance(client, str) or not client.strip() or not rules.is_encodable(client):
        problems.append(PROVENANCE_INCONNUE)
    else:
        client = client[:100]
    if captcha_answer is None or (isinstance(captcha_answer, str) and not captcha_answer.strip()):
        problems.append(rules.CAPTCHA_OBLIGATOIRE)  # nothing to check: the challenge stays usable
        raise ValidationError(problems)
    if problems:
        # The answer is checked too. A wrong one spends the challenge (a robot cannot try answers
        # on one token); a right one is rolled back, kept for the corrected form.
        if not _captcha_kept(desk, captcha_token, captcha_answer):
            problems.append(captcha.WRONG)
        raise ValidationError(problems)
    # The challenge is spent in a transaction of its own: a wrong answer must not be retried.
    if not desk.store.run(partial(_spend_captcha, desk, captcha_token, captcha_answer)):
        raise ValidationError(captcha.WRONG)

    desk.store.add_contact_client(client, desk.clock())
    return contact(desk, categorie, sous_categorie, email, description, guard=partial(_contact_turn, desk, client))


def _spend_captcha(desk: Desk, token, answer, cur) -> bool:
    return captcha.spend(desk.store, cur, token, answer, desk.clock())


def _contact_turn(desk: Desk, client: str, cur) -> None:
    """The client's limit, counted in the deposit's transaction."""
    now = desk.clock()
    # The client's turn first: two deposits of one client cannot both count four before them.
    desk.store.take_contact_turn(cur, client, now)
    if desk.store.count_contact_attempts(cur, client, now - CONTACT_WINDOW) >= CONTACT_LIMIT:
        raise ValidationError(TROP_DE_DEMANDES)
    desk.store.add_contact_attempt(cur, client, now)


class _RightAnswer(Exception):
    """Raised to roll back the check of a right answer, so that its challenge is not spent."""


def _captcha_kept(desk: Desk, token, answer) -> bool:
    """Whether `answer` is right, leaving a right answer's challenge unspent (a wrong one is spent)."""
    try:
        return desk.store.run(partial(_spend_unless_right, desk, token, answer))
    except _RightAnswer:
        return True


def _spend_unless_right(desk: Desk, token, answer, cur) -> bool:
    if captcha.spend(desk.store, cur, token, answer, desk.clock()):
        raise _RightAnswer
    return False

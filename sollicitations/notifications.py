"""The office's mails as users see them: one's own notification setting, and the outbox ("Courriels")
that the support desk and managers read, limited to the mails of the requests they may read."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from . import rules
from .access import Role
from .errors import PermissionDenied, ValidationError
from .lists import check_page

if TYPE_CHECKING:
    from .desk import UserDesk

OUTBOX_STATUS = {"pending": "En attente", "sending": "En cours d'envoi", "sent": "Envoyé", "failed": "Échec"}


def set_notifications(me: UserDesk, enabled: bool) -> None:
    """Turn this user's notification mails on or off."""
    if not isinstance(enabled, bool):
        raise ValidationError("Indiquez Oui ou Non pour les notifications")
    me.store.set_notifications(me.user.login, enabled)


def notifications(me: UserDesk) -> bool:
    return bool(me.store.user(me.user.login)["notifications"])


def can_read_outbox(me: UserDesk) -> bool:
    return me.user.is_manager or Role.SUPPORT in {h.role for h in me.user.habilitations}


def outbox(me: UserDesk, page, page_size, numero) -> pd.DataFrame:
    """The mails written by the office (sent or waiting): for the support desk and managers."""
    if not can_read_outbox(me):
        raise PermissionDenied("Seuls le support et les gestionnaires consultent les courriels envoyés")
    page, page_size = check_page(page, page_size)
    key = rules.parse_numero(numero) if numero is not None else None
    if numero is not None and key is None:
        raise ValidationError("Le numéro de la sollicitation doit être un nombre entier")
    # Only the mails of the requests this user may read: they hold their descriptions and answers.
    rows, total = me.store.outbox_page(page, page_size, key, scope=me.user.readable_scope())
    return outbox_frame(rows, total, page, page_size)


def outbox_frame(rows: pd.DataFrame, total: int, page: int, page_size: int) -> pd.DataFrame:
    frame = pd.DataFrame({
        "Date": rows["created_at"], "Sollicitation": rows["numero"], "Destinataire": rows["to_addr"],
        "Objet": rows["subject"], "Statut": rows["status"].map(OUTBOX_STATUS), "Tentatives": rows["attempts"],
        "Envoyé le": rows["sent_at"], "Dernière erreur": rows["last_error"], "Texte": rows["text_body"],
    })  # fmt: skip
    frame.attrs.update(total=int(total), page=page, page_size=page_size, pages=max(1, math.ceil(total / page_size)))
    return frame

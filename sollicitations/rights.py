"""What every use case asks first: the request this user may read, the space it may consult.

A request of someone else reads exactly like one that does not exist; refusals are logged on
`sollicitations.security`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from . import rules
from .access import Space
from .errors import PermissionDenied, ValidationError

if TYPE_CHECKING:
    from .desk import UserDesk

security_log = logging.getLogger("sollicitations.security")


def readable(me: UserDesk, numero, cur=None, for_change: bool = False) -> dict:
    """The stored request `numero`, if `me` may read it (`for_change`: read to change it, in `cur`)."""
    key = rules.parse_numero(numero)
    row = None if key is None else me.store.sollicitation(key, cur, for_change=for_change)
    if row is None or not me.user.can_read(row):
        security_log.warning("refused: %s may not read request %r", me.user.login, numero)
        raise PermissionDenied(f"La sollicitation n° {numero} n'existe pas ou vous n'êtes pas habilité à la consulter")
    return row


def space_of(me: UserDesk, space) -> Space:
    """The space asked for (by default the user's first), if `me` may consult it."""
    if space is None:
        space = me.user.default_space()
        if space is None:
            raise PermissionDenied("Vous n'avez aucune habilitation sur les sollicitations")
    try:
        space = Space(space)
    except ValueError:
        raise ValidationError(f"Espace inconnu : {space}") from None
    if space not in me.user.spaces():
        raise PermissionDenied("Vous n'êtes pas habilité à consulter cet espace")
    return space

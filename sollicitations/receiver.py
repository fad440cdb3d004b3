"""The receiver's use cases: take in charge, assign, ask for information, respond, transfer to the
support desk; and who a request can be assigned to.

Each change goes through the lifecycle engine (lifecycle.act), one transaction each.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

import pandas as pd

from . import lifecycle, rules
from .errors import PermissionDenied, ValidationError
from .rights import readable
from .status import Action, Actor

if TYPE_CHECKING:
    from .desk import UserDesk


def take_in_charge(me: UserDesk, numero) -> None:
    lifecycle.act(me, numero, Action.TAKE_IN_CHARGE, partial(_taken_by, me))


def assign(me: UserDesk, numero, login: str) -> None:
    """Assign to an agent of the recipient structure (oneself included) and take in charge."""
    lifecycle.act(me, numero, Action.ASSIGN, partial(_assigned_to, me, login))


def request_information(me: UserDesk, numero, comment: str) -> None:
    lifecycle.act(me, numero, Action.REQUEST_INFORMATION, partial(_handled, me), comment=comment)


def respond(me: UserDesk, numero, comment: str) -> None:
    lifecycle.act(me, numero, Action.RESPOND, partial(_handled, me), comment=comment)


def transfer_to_support(me: UserDesk, numero, comment: str) -> None:
    """Outside the structure's remit: the request goes to the support desk, unassigned."""
    lifecycle.act(me, numero, Action.TRANSFER_TO_SUPPORT, partial(_sent_to_support, me), comment=comment)


def agents(me: UserDesk, numero) -> pd.DataFrame:
    """Who the request can be assigned to: the agents of its recipient structure."""
    row = readable(me, numero)
    if Actor.DESTINATAIRE not in me.user.acts_as(row):
        raise PermissionDenied("Seuls les agents de la structure destinataire peuvent assigner cette sollicitation")
    rows = me.store.agents(row["destinataire_id"])
    return pd.DataFrame({"login": [a["login"] for a in rows], "Agent": [f"{a['nom']} {a['prenom']}" for a in rows]})


def _taken_by(me: UserDesk, cur, row: dict, actor: Actor) -> tuple[dict, None]:
    return {"assigne_a": me.user.login, "renvoyee": False}, None


def _assigned_to(me: UserDesk, login, cur, row: dict, actor: Actor) -> tuple[dict, str]:
    agents = {a["login"]: a for a in me.store.agents(row["destinataire_id"], cur)}
    if not isinstance(login, str) or login not in agents:
        raise ValidationError("L'agent indiqué n'est pas habilité sur la structure destinataire")
    agent = agents[login]
    return {"assigne_a": login, "renvoyee": False}, f"Assignée à {agent['nom']} {agent['prenom']}"


def _handled(me: UserDesk, cur, row: dict, actor: Actor) -> tuple[dict, None]:
    """Handled by whoever it is assigned to, else by `me`; no longer flagged as re-sent."""
    return {"assigne_a": row["assigne_a"] or me.user.login, "renvoyee": False}, None


def _sent_to_support(me: UserDesk, cur, row: dict, actor: Actor) -> tuple[dict, None]:
    support = me.store.bureau_structure("support", cur)
    if support is None:
        raise ValidationError(rules.ROUTAGE_IMPOSSIBLE)
    if row["destinataire_id"] == support["id"]:
        raise ValidationError("La sollicitation est déjà adressée au support")
    return {"destinataire_id": support["id"], "service_destinataire_id": None,
            "assigne_a": None, "renvoyee": False}, None  # fmt: skip

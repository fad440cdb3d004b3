"""The lifecycle engine: every creation and status change of a request, decided by status.TRANSITIONS.

`create` and `act` write the request, its history entry, the comment of the exchange and the mails
in one transaction (store.run, which starts again on a write conflict: what decides is read inside).
A use case gives `act` what it changes besides the status, as `apply(cur, row, actor)` returning
(column changes, history comment); `apply` checks what it needs and raises to refuse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from . import mail, rules
from .errors import PermissionDenied, TransitionError, ValidationError
from .rights import readable
from .status import (
    COMMENT_REQUIRED,
    COMMENT_SHOWN_IN_EXCHANGE,
    RESENDS,
    TRANSITIONS,
    Action,
    Actor,
    Status,
    allowed_actions,
    is_allowed,
    next_status,
)
from .store import StaleRead

if TYPE_CHECKING:
    from .desk import UserDesk

security_log = logging.getLogger("sollicitations.security")

Apply = Callable[[Any, dict, Actor], tuple[dict, str | None]]


def no_changes(cur, row: dict, actor: Actor) -> tuple[dict, None]:
    """The `apply` of actions that change the status only."""
    return {}, None


def create(me: UserDesk, action: Action, columns_of: Callable[[Any], dict]) -> int:
    """A new request by the emitter `me`: `columns_of(cur)` checks and gives its columns; its number."""
    status = next_status(None, action, Actor.EMETTEUR)
    return me.store.run(partial(_insert, me, action, status, columns_of))


def _insert(me: UserDesk, action: Action, status: Status, columns_of, cur) -> int:
    row = columns_of(cur)
    now = me.desk.clock()
    numero = me.store.next_numero(cur)
    row.update(numero=numero, statut=status.value, cree_par=me.user.login, saisie_le=now, modifiee_le=now)
    if status == Status.ENVOYEE:
        row["envoyee_le"] = now
    me.store.insert_sollicitation(cur, row)
    me.store.append_history(cur, numero, now, me.user.login, action.value, None, status.value, None)
    mail.queue_for_action(me.store, cur, {**row, "contact": False}, action, None, now)
    return numero


def act(me: UserDesk, numero, action: Action, apply: Apply = no_changes, comment: str | None = None) -> None:
    """Check rights and the transition table, apply the change, write history: one transaction."""
    me.store.run(partial(_transition, me, numero, action, apply, rules.clean_text(comment)))


def _transition(me: UserDesk, numero, action: Action, apply: Apply, comment: str | None, cur) -> None:
    row = readable(me, numero, cur, for_change=True)
    n = row["numero"]
    actor = _actor_for(me, row, action)
    status = Status(row["statut"])
    if not is_allowed(status, action, actor):
        raise TransitionError(
            f"L'action « {action.label} » n'est pas possible sur la sollicitation n° {n} au statut « {status.label} »"
        )
    problems = rules.comment_problems(comment, required=action in COMMENT_REQUIRED)
    if problems:
        raise ValidationError(problems)
    changes, note = apply(cur, row, actor)
    # A field the form sends back unchanged is not written again (an unchanged description is
    # not indexed again: "Valider et envoyer" on a draft usually changes none).
    changes = {k: v for k, v in changes.items() if k not in row or row[k] != v}
    new = next_status(status, action, actor)
    now = me.desk.clock()
    if new is None:
        _write(me.store.delete_sollicitation(cur, n, status.value), n)
        return
    changes = {**changes, **_status_columns(action, new, now)}
    # Another writer may have changed its status since it was read (PostgreSQL lets the loser of a race
    # find no row instead of a conflict): start again, and decide on what is there now.
    _write(me.store.update_sollicitation(cur, n, status.value, changes), n)
    me.store.append_history(cur, n, now, me.user.login, action.value, status.value, new.value, comment or note)
    if comment and action in COMMENT_SHOWN_IN_EXCHANGE:
        me.store.append_comment(cur, n, now, me.user.login, actor.value, comment)
    mail.queue_for_action(me.store, cur, {**row, **changes}, action, comment, now)


def _status_columns(action: Action, new: Status, now) -> dict:
    """The columns a status change sets besides those of the use case."""
    columns = {"statut": new.value, "modifiee_le": now}
    if new == Status.FERMEE:
        columns.update(cloturee_le=now, resolue=action == Action.CLOSE_RESOLVED)
    if action in RESENDS:
        columns.update(renvoyee=True, envoyee_le=now, cloturee_le=None, resolue=None)
    return columns


def _write(done: bool, numero: int) -> None:
    """A write of the row read at its status: none when another writer changed it first."""
    if not done:
        raise StaleRead(f"sollicitation {numero} changed since it was read")


def _actor_for(me: UserDesk, row: dict, action: Action) -> Actor:
    """The side `me` acts for: the first of its sides for which the table knows `action`."""
    sides = me.user.acts_as(row)
    status = Status(row["statut"])
    candidates = [a for a in sides if any(k[1] == action and k[2] == a for k in TRANSITIONS)]
    for actor in candidates:
        if is_allowed(status, action, actor):
            return actor
    if candidates:
        return candidates[0]
    security_log.warning("refused: %s may not %s request %s", me.user.login, action.value, row["numero"])
    if me.user.is_manager and not sides:
        raise PermissionDenied("Les gestionnaires consultent les sollicitations mais ne peuvent pas les modifier")
    raise PermissionDenied(
        f"Vous n'êtes pas habilité à effectuer l'action « {action.label} » sur la sollicitation n° {row['numero']}"
    )


def actions(me: UserDesk, numero, row: dict | None = None) -> list[Action]:
    """What `me` may do on the request now, for all its sides: the buttons of the detail screen."""
    row = row or readable(me, numero)
    status = Status(row["statut"])
    allowed: list[Action] = []
    for actor in me.user.acts_as(row):
        allowed += [a for a in allowed_actions(status, actor) if a not in allowed]
    return allowed

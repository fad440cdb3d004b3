"""The emitter's use cases: the entry form (save a draft, send, update, delete), the complement
asked for, and closing with the guide's questions.

Each goes through the lifecycle engine (lifecycle.create / lifecycle.act), one transaction each.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from . import lifecycle, rules
from .errors import PermissionDenied, ValidationError
from .form_check import check_form, known_fields
from .rights import readable
from .status import Action, Actor, Status
from .store import Store

if TYPE_CHECKING:
    from .desk import UserDesk


def save_draft(me: UserDesk, fields: dict) -> int:
    """ "Enregistrer": a new request in Brouillon; its number."""
    return _create(me, fields, Action.SAVE_DRAFT)


def send(me: UserDesk, fields: dict) -> int:
    """ "Valider et envoyer" on a new form: create and send at once; its number."""
    return _create(me, known_fields(fields), Action.SUBMIT)


def update_draft(me: UserDesk, numero, fields: dict) -> None:
    """Change some fields of a draft; the others keep their values."""
    lifecycle.act(me, numero, Action.UPDATE_DRAFT, partial(_draft_changes, me, known_fields(fields)))


def submit(me: UserDesk, numero, fields: dict) -> None:
    """ "Valider et envoyer" a draft (after applying `fields`, if any): it goes to its recipient."""
    lifecycle.act(me, numero, Action.SUBMIT, partial(_sent_changes, me, known_fields(fields)))


def delete_draft(me: UserDesk, numero) -> None:
    lifecycle.act(me, numero, Action.DELETE_DRAFT)


def add_complement(me: UserDesk, numero, text: str) -> None:
    """The emitter's answer to "Informations complémentaires requises": re-sent, flagged."""
    lifecycle.act(me, numero, Action.ADD_COMPLEMENT, comment=text)


def close(me: UserDesk, numero, resolved: bool | None, reopen: bool, comment: str | None) -> None:
    """ "Clôturer": the guide's questions (resolved? if not, reopen?) and a mandatory comment.

    Before any response, closing is the early close of a question no longer relevant.
    """
    if (resolved is not None and not isinstance(resolved, bool)) or not isinstance(reopen, bool):
        raise ValidationError("Les réponses aux questions de clôture doivent être Oui ou Non")
    if resolved is True and reopen:  # the guide asks about reopening only when the answer did not help
        raise ValidationError("Une sollicitation résolue ne peut pas être rouverte : répondez Non à la"
                              " première question pour la rouvrir")  # fmt: skip
    row = readable(me, numero)
    lifecycle.act(me, numero, _closing_action(Status(row["statut"]), resolved, reopen), comment=comment)


def _closing_action(status: Status, resolved: bool | None, reopen: bool) -> Action:
    """What the answers to the closing questions mean at `status`."""
    if status != Status.REPONDUE and not reopen:
        return Action.CLOSE_EARLY
    if reopen and resolved is not True:
        return Action.REOPEN
    if resolved is None:
        raise ValidationError("Veuillez indiquer si la réponse apportée vous a permis de résoudre votre problème")
    return Action.CLOSE_RESOLVED if resolved else Action.CLOSE_UNRESOLVED


def _create(me: UserDesk, fields: dict, action: Action) -> int:
    structure = rules.clean_text(fields.get("structure"))
    if rules.not_text("structure", structure):
        raise ValidationError(rules.not_text("structure", structure))
    if structure is not None and Actor.EMETTEUR not in me.user.acts_as(None, structure):
        raise PermissionDenied(f"Vous n'êtes pas habilité sur la structure {structure}")
    submit = action == Action.SUBMIT
    return lifecycle.create(me, action, partial(_new_columns, me, fields, submit))


def _new_columns(me: UserDesk, fields: dict, submit: bool, cur) -> dict:
    """A new request's columns, once its form is checked (routed to its recipient when sent)."""
    form = check_form(me.store, me.desk.catalogue, me.user, cur, fields, submit=submit)
    return form.stored_fields(routed=submit)


def _draft_changes(me: UserDesk, fields: dict, cur, row: dict, actor: Actor) -> tuple[dict, None]:
    return _checked_over(me, cur, row, fields, submit=False).stored_fields(routed=False), None


def _sent_changes(me: UserDesk, fields: dict, cur, row: dict, actor: Actor) -> tuple[dict, None]:
    changes = _checked_over(me, cur, row, fields, submit=True).stored_fields(routed=True)
    changes["envoyee_le"] = me.desk.clock()
    return changes, None


def _checked_over(me: UserDesk, cur, row: dict, fields: dict, submit: bool):
    """The stored request with `fields` over it, checked whole: a partial update re-checks all."""
    return check_form(me.store, me.desk.catalogue, me.user, cur, {**form_of(me.store, row, cur), **fields}, submit)


def form_of(store: Store, row: dict, cur) -> dict:
    """A stored request back as the form's fields."""
    service = store.service(row["service_emetteur_id"], cur)
    service_destinataire = store.service(row["service_destinataire_id"], cur)
    return {
        "categorie": row["categorie"], "sous_categorie": row["sous_categorie"],
        "structure": row["emetteur_id"], "service": service["code"] if service else None,
        "email": row["email"], "telephone": row["telephone"], "description": row["description"] or None,
        "type_objet": row["type_objet"], "numero_objet": row["numero_objet"],
        "destinataire": row["destinataire_id"],
        "service_destinataire": service_destinataire["code"] if service_destinataire else None,
    }  # fmt: skip

"""Structures and services as the screens list them: the public search of recipients (the form's
"Rechercher" button), a structure's services, the user's own structures; under the guide's headers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from . import rules
from .access import Space
from .errors import ValidationError
from .rights import space_of

if TYPE_CHECKING:
    from .desk import Desk, UserDesk


def search_structures(desk: Desk, text: str, etat: bool | None, limit: int) -> pd.DataFrame:
    """Public structures whose name or identifier holds every word of `text`, in any order, case and
    accents aside."""
    problems = rules.not_text("destinataire", text)
    if etat is not None and not isinstance(etat, bool):
        problems.append("La réponse « service de l'Etat » doit être Oui ou Non")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
        problems.append("Le nombre de structures affichées doit être compris entre 1 et 500")
    if problems:
        raise ValidationError(problems)
    rows = desk.store.search_structures((text or "")[:200], publique=True, service_etat=etat, limit=limit)
    return structures_frame(rows)


def services(desk: Desk, structure_id: str) -> pd.DataFrame:
    if rules.not_text("structure", structure_id):
        raise ValidationError(rules.not_text("structure", structure_id))
    return services_frame(desk.store.services(structure_id))


def my_structures(me: UserDesk, space) -> pd.DataFrame:
    """The user's structures in `space`: its emitter structures in "emises", else its receiving ones."""
    space = space_of(me, space)
    ids = me.user.emitter_structures if space == Space.EMISES else me.user.receiver_structures
    return structures_frame(me.store.structures(ids))


def structures_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "designation", "publique", "service_etat"])
    return frame.rename(columns={"id": "Identifiant", "designation": "Désignation",
                                 "publique": "Publique", "service_etat": "Service de l'Etat"})  # fmt: skip


def services_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "code", "libelle"])
    return frame.rename(columns={"code": "Code", "libelle": "Service"})

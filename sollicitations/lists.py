"""The lists of requests: "Mes sollicitations à traiter", "Rechercher" and the whole of either
streamed in batches; their pages checked, and their rows under the guide's French headers."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from .access import Space, User
from .catalogue import Catalogue
from .criteria import build_filters, check_structure_in_space
from .errors import ValidationError
from .rights import space_of
from .scopes import Filters
from .status import EMITTER_TO_PROCESS, RECEIVER_TO_PROCESS, Status
from .store import SORTS, Store

if TYPE_CHECKING:
    from .desk import UserDesk

MAX_PAGE_SIZE = 1000
MAX_PAGE = 1_000_000
MAX_BATCH_SIZE = 1_000_000

TO_PROCESS_COLUMNS = {
    "saisie_le": "Saisie le",
    "structure": "Structure",
    "service_destinataire": "Service",
    "categorie": "Catégorie",
    "sous_categorie": "Sous-catégorie",
    "numero": "Numéro de la sollicitation",
    "statut": "Statut sollicitation",
}
RECEIVED_COLUMNS = {
    "saisie_le": "Saisie le",
    "emetteur": "Emetteur",
    "service_destinataire": "Service",
    "categorie": "Catégorie",
    "sous_categorie": "Sous-catégorie",
    "numero": "Numéro de la sollicitation",
    "statut": "Statut sollicitation",
    "renvoyee": "Renvoyée",
    "assigne_a": "Assigné à",
}
SEARCH_COLUMNS = {
    "numero": "Référence",
    "categorie": "Catégorie",
    "sous_categorie": "Sous-catégorie",
    "numero_objet": "Numéro d'objet",
    "cree_par": "Créé par",
    "saisie_le": "Saisie le",
    "statut": "Statut sollicitation",
}

# Every list of the app reads newest first (by entry date, then number); the receivers' list puts
# re-sent requests on top of that. One order everywhere, said above each table.
SEARCH_SORT = "saisie"


def to_process(me: UserDesk, structure, page, page_size, space) -> pd.DataFrame:
    """ "Mes sollicitations à traiter", optionally for one structure, one page."""
    space = space_of(me, space)
    page, page_size = check_page(page, page_size)
    filters = _to_process_filters(me.user, space, structure)
    rows, total = me.store.list_page(me.user.scope(space), filters, page, page_size, sort=_to_process_sort(space))
    columns = TO_PROCESS_COLUMNS if space == Space.EMISES else RECEIVED_COLUMNS
    return present(rows, columns, total, page, page_size)


def search(me: UserDesk, page, page_size, space, sort, criteria: dict) -> pd.DataFrame:
    """The "Rechercher" tab: at least one criterion; one page, its total in `.attrs`."""
    space = space_of(me, space)
    page, page_size = check_page(page, page_size)
    if not isinstance(sort, str) or sort not in SORTS:
        raise ValidationError(f"Tri inconnu : {sort}")
    filters = build_filters(me.store, me.desk.catalogue, me.user, space, criteria)
    rows, total = me.store.list_page(me.user.scope(space), filters, page, page_size, sort=sort)
    return present(rows, SEARCH_COLUMNS, total, page, page_size)


def list_batches(me: UserDesk, list_name: str, space, batch_size, criteria: dict):
    """The whole list, "search" (with criteria) or "to_process", streamed in frames of `batch_size`.

    The space and the batch size are checked now, not at the first frame read (the frames come from
    a generator)."""
    space = space_of(me, space)
    check_batch_size(batch_size)
    return _batches(me.store, me.desk.catalogue, me.user, space, list_name, dict(criteria), batch_size)


def _batches(store: Store, catalogue: Catalogue, user: User, space: Space, list_name: str, criteria: dict,
             batch_size: int):  # fmt: skip
    if list_name == "to_process":
        structure = criteria.pop("structure", None)
        if criteria:
            raise ValidationError([f"Critère inconnu : {k}" for k in criteria])
        filters, sort = _to_process_filters(user, space, structure), _to_process_sort(space)
        columns = TO_PROCESS_COLUMNS if space == Space.EMISES else RECEIVED_COLUMNS
    elif list_name == "search":
        # Newest first, as the "Rechercher" screen shows its pages (SEARCH_SORT).
        filters, sort, columns = build_filters(store, catalogue, user, space, criteria), SEARCH_SORT, SEARCH_COLUMNS
    else:
        raise ValidationError(f"Liste inconnue : {list_name}")
    empty = True
    for number, (rows, total) in enumerate(store.iter_list(user.scope(space), filters, sort, batch_size), start=1):
        empty = False
        yield present(rows, columns, total, number, batch_size)
    if empty:  # an empty list still has its header
        rows, total = store.list_page(user.scope(space), filters, 1, 1, sort)
        yield present(rows, columns, total, 1, batch_size)


def _to_process_filters(user: User, space: Space, structure) -> Filters:
    filters = Filters()
    if structure:
        check_structure_in_space(user, space, structure)
        if space == Space.EMISES:
            filters.structure = structure
        else:
            filters.destinataire = structure
    statuses = EMITTER_TO_PROCESS if space == Space.EMISES else RECEIVER_TO_PROCESS
    filters.statuts = [s.value for s in statuses]
    return filters


def _to_process_sort(space: Space) -> str:
    """Newest first (entry date); on the receivers' side, re-sent requests on top."""
    return "saisie" if space == Space.EMISES else "a_traiter"


def check_page(page, page_size) -> tuple[int, int]:
    problems = []
    if not isinstance(page, int) or isinstance(page, bool) or not 1 <= page <= MAX_PAGE:
        problems.append("Le numéro de page doit être un entier positif")
    if not isinstance(page_size, int) or isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(f"Le nombre de lignes par page doit être compris entre 1 et {MAX_PAGE_SIZE}")
    if problems:
        raise ValidationError(problems)
    return page, page_size


def check_batch_size(batch_size) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValidationError(
            f"La taille des lots doit être un nombre entier de 1 à {MAX_BATCH_SIZE:,}".replace(",", "\u202f")
        )


def present(rows: pd.DataFrame, columns: dict, total: int, page: int, page_size: int) -> pd.DataFrame:
    """The list's columns under their French headers; only the columns asked for are derived (a frame
    built once: pandas' per-operation cost, not the rows, is what a page of 50 pays)."""
    frame = pd.DataFrame({header: _DERIVED[column](rows) if column in _DERIVED else rows[column]
                          for column, header in columns.items()}, index=rows.index)  # fmt: skip
    frame.attrs.update(total=int(total), page=page, page_size=page_size,
                       pages=max(1, math.ceil(total / page_size)))  # fmt: skip
    return frame


def _or_blank(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "")


_DERIVED = {
    "statut": lambda r: status_labels(r["statut"]),
    "structure": lambda r: _join_label(r["destinataire_id"], r["destinataire_designation"]),
    "emetteur": lambda r: _join_label(r["emetteur_id"], r["emetteur_designation"]),
    "cree_par": lambda r: [
        f"{n} {p}" if isinstance(n, str) else ("Nous contacter" if contact else "")
        for n, p, contact in zip(r["cree_par_nom"], r["cree_par_prenom"], r["contact"])
    ],
    "assigne_a": lambda r: [
        f"{n} {p}" if isinstance(n, str) else "" for n, p in zip(r["assigne_nom"], r["assigne_prenom"])
    ],
    "service_destinataire": lambda r: _or_blank(r["service_destinataire"]),
    "service_emetteur": lambda r: _or_blank(r["service_emetteur"]),
    "numero_objet": lambda r: _or_blank(r["numero_objet"]),
}


def _join_label(ids: pd.Series, names: pd.Series) -> list[str]:
    return [f"{i} - {n}" if isinstance(i, str) else "" for i, n in zip(ids, names)]


_STATUS_LABELS = {s.value: s.short_label for s in Status}


def status_labels(codes: pd.Series) -> pd.Series:
    """Stored status codes -> the guide's short labels ("" where none), one dictionary lookup each."""
    return codes.map(_STATUS_LABELS).fillna("")

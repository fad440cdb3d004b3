"""What a list of requests asks for, as data: the Scope a user may see (access.py) and the Filters of a
search (queries.py). The store turns both into SQL (store/filters.py); nothing here knows SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Scope:
    """Which requests a list may show: decided by access.py, turned into SQL by store/filters.py."""

    emitter_structures: tuple[str, ...] = ()
    recipient_structures: tuple[str, ...] = ()
    everything: bool = False


@dataclass
class Filters:
    """Search criteria already checked and resolved to stored values (see queries.py), turned into
    SQL by store/filters.py."""

    numero: int | None = None
    categorie: str | None = None
    sous_categorie: str | None = None
    numero_objet: str | None = None
    du: date | None = None
    au: date | None = None
    structure: str | None = None
    sans_structure: bool = False
    service_emetteur: int | None = None
    sans_service_emetteur: bool = False
    destinataire: str | None = None
    sans_destinataire: bool = False
    service_destinataire: int | None = None
    sans_service_destinataire: bool = False
    cree_par: str | None = None
    statuts: list[str] = field(default_factory=list)
    renvoyee: bool | None = None
    assigne_a: str | None = None
    mots: list[str] = field(default_factory=list)  # words as words_of() gives them; each a prefix

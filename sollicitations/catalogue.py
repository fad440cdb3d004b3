"""The category catalogue and its routing, read from data/*.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# Routing words with a meaning of their own; any other word names a `bureau` of the directory.
ROUTE_OBJECT = "objet"
ROUTE_CHOSEN = "choisi"
ROUTE_SUPPORT = "support"


@dataclass(frozen=True)
class Pair:
    categorie: str
    sous_categorie: str
    type_objet: str | None
    routage: str
    formulaire_contact: bool

    @property
    def needs_object(self) -> bool:
        return self.type_objet is not None

    @property
    def needs_recipient(self) -> bool:
        return self.routage == ROUTE_CHOSEN


@dataclass(frozen=True)
class Catalogue:
    pairs: tuple[Pair, ...]
    object_types: dict[str, str]  # code -> French label

    def categories(self, contact_form: bool = False) -> list[str]:
        """Category names in file order; those of the public form only when asked."""
        seen: dict[str, None] = {}
        for p in self._offered(contact_form):
            seen.setdefault(p.categorie, None)
        return list(seen)

    def sous_categories(self, categorie: str, contact_form: bool = False) -> list[str]:
        return [p.sous_categorie for p in self._offered(contact_form) if p.categorie == categorie]

    def pair(self, categorie: str, sous_categorie: str) -> Pair | None:
        for p in self.pairs:
            if p.categorie == categorie and p.sous_categorie == sous_categorie:
                return p
        return None

    def object_type_code(self, value: str | None) -> str | None:
        """Accept an object type by code or by its French label."""
        if not value:
            return None
        for code, label in self.object_types.items():
            if value in (code, label):
                return code
        return None

    def _offered(self, contact_form: bool) -> list[Pair]:
        return [p for p in self.pairs if p.formulaire_contact or not contact_form]


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def load_catalogue(data_dir: Path = DATA_DIR) -> Catalogue:
    object_types = {r["code"]: r["libelle"] for r in _read_csv(data_dir / "types_objet.csv")}
    pairs = []
    for row in _read_csv(data_dir / "categories.csv"):
        type_objet = row["type_objet"].strip() or None
        if type_objet is not None and type_objet not in object_types:
            raise ValueError(f"categories.csv: unknown type_objet {type_objet!r}")
        pairs.append(
            Pair(
                categorie=row["categorie"].strip(),
                sous_categorie=row["sous_categorie"].strip(),
                type_objet=type_objet,
                routage=row["routage"].strip(),
                formulaire_contact=row["formulaire_contact"].strip() == "oui",
            )
        )
    return Catalogue(pairs=tuple(pairs), object_types=object_types)

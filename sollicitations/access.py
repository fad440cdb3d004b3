"""Authorization: who may see which requests, and act on them as which side.

The desk asks these questions before every read and write; the store turns a user's Scope into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .scopes import Scope
from .status import Actor


class Role(StrEnum):
    EMETTEUR = "emetteur"  # files requests for a supplier structure
    AGENT = "agent"  # receives requests addressed to a public structure
    SUPPORT = "support"  # agent of the support desk
    GESTIONNAIRE = "gestionnaire"  # reads everything, writes nothing


RECEIVER_ROLES = (Role.AGENT, Role.SUPPORT)


class Space(StrEnum):
    """The app's spaces, and the lists' point of view."""

    EMISES = "emises"  # "Sollicitations émises": requests of my emitter structures
    RECUES = "recues"  # "Sollicitations reçues": requests addressed to my structures
    TOUTES = "toutes"  # managers: every request


@dataclass(frozen=True)
class Habilitation:
    structure_id: str | None
    role: Role
    droit_modification: bool = True


@dataclass(frozen=True)
class User:
    login: str
    nom: str
    prenom: str
    email: str | None
    telephone: str | None
    habilitations: tuple[Habilitation, ...]

    @property
    def display_name(self) -> str:
        return f"{self.nom} {self.prenom}"

    def structures(self, *roles: Role, modify_only: bool = False) -> tuple[str, ...]:
        return tuple(
            dict.fromkeys(
                h.structure_id
                for h in self.habilitations
                if h.role in roles and h.structure_id is not None and (h.droit_modification or not modify_only)
            )
        )

    @property
    def emitter_structures(self) -> tuple[str, ...]:
        return self.structures(Role.EMETTEUR)

    @property
    def receiver_structures(self) -> tuple[str, ...]:
        return self.structures(*RECEIVER_ROLES)

    @property
    def is_manager(self) -> bool:
        return any(h.role == Role.GESTIONNAIRE for h in self.habilitations)

    def spaces(self) -> list[Space]:
        """The spaces this user's habilitations open, in the portal's order."""
        spaces = []
        if self.emitter_structures:
            spaces.append(Space.EMISES)
        if self.receiver_structures:
            spaces.append(Space.RECUES)
        if self.is_manager:
            spaces.append(Space.TOUTES)
        return spaces

    def default_space(self) -> Space | None:
        spaces = self.spaces()
        return spaces[0] if spaces else None

    def scope(self, space: Space) -> Scope:
        if space == Space.EMISES:
            return Scope(emitter_structures=self.emitter_structures)
        if space == Space.RECUES:
            return Scope(recipient_structures=self.receiver_structures)
        return Scope(everything=self.is_manager)

    def readable_scope(self) -> Scope:
        """Every request this user may read, in all its spaces: the SQL side of `can_read`."""
        if self.is_manager:
            return Scope(everything=True)
        return Scope(emitter_structures=self.emitter_structures, recipient_structures=self.receiver_structures)

    def can_read(self, request: dict) -> bool:
        if self.is_manager:
            return True
        if request["emetteur_id"] in self.emitter_structures:
            return True
        return request["statut"] != "brouillon" and request["destinataire_id"] in self.receiver_structures

    def acts_as(self, request: dict | None, structure_id: str | None = None) -> list[Actor]:
        """The sides this user may act for on `request` (or on a new one for `structure_id`)."""
        if request is None:
            return [Actor.EMETTEUR] if structure_id in self.emitter_structures else []
        sides = []
        if request["emetteur_id"] in self.emitter_structures:
            sides.append(Actor.EMETTEUR)
        if request["destinataire_id"] in self.structures(*RECEIVER_ROLES, modify_only=True):
            sides.append(Actor.DESTINATAIRE)
        return sides

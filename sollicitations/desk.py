"""The facade notebooks and the app use: `open_desk`, the `Desk` over one store, and `UserDesk`, the
view of one user, whose every method is authorized for that user and runs as one transaction.

The use cases themselves are in emitter.py, receiver.py, attachment_actions.py and visitor.py (over
the lifecycle engine, lifecycle.py, and the form's checks, form_check.py); what they read is in
lists.py, detail.py, figures.py, structures.py and notifications.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd

from . import (
    attachment_actions,
    detail,
    emitter,
    figures,
    lifecycle,
    lists,
    notifications,
    receiver,
    rules,
    snapshot,
    structures,
    visitor,
)
from .access import Habilitation, Role, Space, User
from .attachments import DEFAULT_TYPE
from .catalogue import Catalogue, load_catalogue
from .clock import paris_now
from .errors import PermissionDenied
from .export import cells as exports
from .form_check import FORM_FIELDS
from .status import Action
from .store import Store
from .store.connection import DatabaseLocked, is_postgresql_url
from .visitor import CONTACT_LIMIT, CONTACT_WINDOW, TROP_DE_DEMANDES

__all__ = [
    "CONTACT_LIMIT", "CONTACT_WINDOW", "FORM_FIELDS", "LOCK_WAIT_SECONDS", "TROP_DE_DEMANDES", "Desk", "UserDesk",
    "open_desk",
]  # fmt: skip

# How long opening a DuckDB file read-write waits for a reader's brief copy (snapshot.private_copy).
LOCK_WAIT_SECONDS = 15.0


def open_desk(path: str | Path = "data/sollicitations.duckdb", read_only: bool = False) -> Desk:
    """Open (and on first use create) the store at `path` (a DuckDB file, ':memory:', or a PostgreSQL URL).

    With `read_only`, a DuckDB file is never held: the reader gets the snapshot the serving app
    publishes beside it, or, when none is current, a private copy of the file taken while it is free
    (see snapshot.py); `desk.snapshot_age()` says how old either is.
    """
    if read_only:
        if is_postgresql_url(path):  # PostgreSQL is read live, by as many processes as need it
            return Desk(Store(path, read_only=True))
        return Desk(_read_only_store(Path(path)))
    store = _read_write_store(path)
    desk = Desk(store)
    desk.sync_catalogue()
    return desk


def _read_write_store(path) -> Store:
    """The store, waiting a little while a reader copies the file (its lock is held for a copy only)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            return Store(path)
        except DatabaseLocked:
            if is_postgresql_url(path) or time.monotonic() >= deadline:
                raise
            time.sleep(0.2)


def _read_only_store(path: Path) -> Store:
    published = snapshot.snapshot_path(path)
    if snapshot.is_current(published, path):  # the app's snapshot: the live file is not touched
        return Store(published, read_only=True)
    try:
        return snapshot.private_copy(path)
    except DatabaseLocked:
        pass
    if not published.exists():
        raise PermissionDenied(
            f"{path} est utilisée par l'application et aucun instantané n'est encore publié ({published})"
        )
    return Store(published, read_only=True)


class Desk:
    """The whole office over one store. `as_user` gives the view of one user."""

    def __init__(self, store: Store, catalogue: Catalogue | None = None,
                 clock: Callable[[], datetime] = paris_now):  # fmt: skip
        self.store = store
        self.catalogue = catalogue or load_catalogue()
        self.clock = clock

    def snapshot_age(self):
        """How old the data is: None when live, a timedelta for a published snapshot."""
        published = self.store.published_at()
        return None if published is None else self.clock() - published

    def sync_catalogue(self) -> None:
        """Mirror data/categories.csv into the store, where analysts' SQL can join it."""
        self.store.replace_catalogue(
            (p.categorie, p.sous_categorie, p.type_objet, p.routage, p.formulaire_contact) for p in self.catalogue.pairs
        )

    def close(self) -> None:
        self.store.close()

    def user(self, login: str) -> User:
        row = self.store.user(login) if isinstance(login, str) and rules.is_encodable(login) else None
        if row is None:
            raise PermissionDenied(f"Utilisateur inconnu : {login}")
        habilitations = tuple(
            Habilitation(h["structure_id"], Role(h["role"]), h["droit_modification"])
            for h in self.store.habilitations(login)
        )
        return User(row["login"], row["nom"], row["prenom"], row["email"], row["telephone"], habilitations)

    def as_user(self, login: str) -> UserDesk:
        return UserDesk(self, self.user(login))

    def contact(self, categorie: str, sous_categorie: str, email: str, description: str, guard=None,
                check_only: bool = False) -> int | None:  # fmt: skip
        """A request from "Nous contacter": no login, straight to the support desk; its number."""
        return visitor.contact(self, categorie, sous_categorie, email, description, guard, check_only)

    def contact_form(self, categorie, sous_categorie, email, description, captcha_token: str,
                     captcha_answer: str, client: str) -> int:  # fmt: skip
        """The public "Nous contacter" form: the fields, then the captcha (spent once) and the
        client's rate limit, checked in the transaction that stores the request.

        Every refusal of the form comes in one list (the fields', the captcha's), so that the visitor
        corrects everything at once."""
        return visitor.contact_form(self, categorie, sous_categorie, email, description, captcha_token,
                                    captcha_answer, client)  # fmt: skip

    def search_structures(self, text: str, etat: bool | None = None, limit: int = 50) -> pd.DataFrame:
        """Public structures whose name or identifier holds every word of `text`, in any order, case and
        accents aside (the recipient's "Rechercher" button)."""
        return structures.search_structures(self, text, etat, limit)

    def services(self, structure_id: str) -> pd.DataFrame:
        return structures.services(self, structure_id)


class UserDesk:
    """Everything one user may do. Every method checks the user's rights before anything else."""

    def __init__(self, desk: Desk, user: User):
        self.desk = desk
        self.store = desk.store
        self.user = user

    def __repr__(self) -> str:
        return f"<UserDesk {self.user.login}>"

    # -- the emitter's form ----------------------------------------------------------------

    def save_draft(self, categorie=None, sous_categorie=None, structure=None, description=None,
                   service=None, email=None, telephone=None, type_objet=None, numero_objet=None,
                   destinataire=None, service_destinataire=None, destinataire_etat=None) -> int:  # fmt: skip
        """ "Enregistrer": a new request in Brouillon; its number."""
        fields = dict(locals())
        del fields["self"]
        return emitter.save_draft(self, fields)

    def send(self, **fields) -> int:
        """ "Valider et envoyer" on a new form: create and send at once; its number."""
        return emitter.send(self, fields)

    def update_draft(self, numero: int, **fields) -> None:
        """Change some fields of a draft; the others keep their values."""
        emitter.update_draft(self, numero, fields)

    def submit(self, numero: int, **fields) -> None:
        """ "Valider et envoyer" a draft (after applying `fields`, if any): it goes to its recipient."""
        emitter.submit(self, numero, fields)

    def delete_draft(self, numero: int) -> None:
        emitter.delete_draft(self, numero)

    # -- exchanges -------------------------------------------------------------------------

    def add_complement(self, numero: int, text: str) -> None:
        """The emitter's answer to "Informations complémentaires requises": re-sent, flagged."""
        emitter.add_complement(self, numero, text)

    def close(self, numero: int, resolved: bool | None = None, reopen: bool = False,
              comment: str | None = None) -> None:  # fmt: skip
        """ "Clôturer": the guide's questions (resolved? if not, reopen?) and a mandatory comment.

        Before any response, closing is the early close of a question no longer relevant.
        """
        emitter.close(self, numero, resolved, reopen, comment)

    def take_in_charge(self, numero: int) -> None:
        receiver.take_in_charge(self, numero)

    def assign(self, numero: int, login: str) -> None:
        """Assign to an agent of the recipient structure (oneself included) and take in charge."""
        receiver.assign(self, numero, login)

    def request_information(self, numero: int, comment: str) -> None:
        receiver.request_information(self, numero, comment)

    def respond(self, numero: int, comment: str) -> None:
        receiver.respond(self, numero, comment)

    def transfer_to_support(self, numero: int, comment: str) -> None:
        """Outside the structure's remit: the request goes to the support desk, unassigned."""
        receiver.transfer_to_support(self, numero, comment)

    # -- attachments -----------------------------------------------------------------------

    def add_attachment(self, numero: int, filename: str, content: bytes,
                       designation: str | None = None, type: str = DEFAULT_TYPE) -> int:  # fmt: skip
        """Attach a file to a saved request; the attachment's id."""
        return attachment_actions.add(self, numero, filename, content, designation, type)

    def delete_attachment(self, numero: int, attachment_id: int) -> None:
        attachment_actions.delete(self, numero, attachment_id)

    def detail_pdf(self, numero: int, attachments: bool = False) -> bytes:
        """ "Télécharger détail": the PDF; with `attachments`, the files embedded in it."""
        return attachment_actions.detail_pdf(self, numero, attachments)

    def detail_zip(self, numero: int, path=None):
        """The detail PDF and the attachments, in one ZIP: its bytes, or written to `path` (see pdf.detail_zip)."""
        return attachment_actions.detail_zip(self, numero, path)

    def export(self, path, format: str = "xlsx", list_name: str = "search", space: Space | str | None = None,
               progress=None, **criteria) -> int:  # fmt: skip
        """The whole list written to `path` (xlsx, csv or parquet), streamed; the number of rows."""
        from .export import files as export_files

        return export_files.write_export(self, path, format, list_name, space=space, progress=progress, **criteria)

    def attachments(self, numero: int) -> pd.DataFrame:
        return attachment_actions.listed(self, numero)

    def attachment(self, numero: int, attachment_id: int) -> tuple[str, bytes]:
        """ "Télécharger": the file name and content of one attachment."""
        return attachment_actions.download(self, numero, attachment_id)

    # -- reading ---------------------------------------------------------------------------

    def get(self, numero: int) -> dict:
        """Everything the detail screen shows, history and attachments included."""
        return detail.get(self, numero)

    def actions(self, numero: int, row: dict | None = None) -> list[Action]:
        """What this user may do on the request now: the buttons of the detail screen."""
        return lifecycle.actions(self, numero, row)

    def to_process(self, structure: str | None = None, page: int = 1, page_size: int = 50,
                   space: Space | str | None = None) -> pd.DataFrame:  # fmt: skip
        """ "Mes sollicitations à traiter", optionally for one structure, one page."""
        return lists.to_process(self, structure, page, page_size, space)

    def search(self, page: int = 1, page_size: int = 50, space: Space | str | None = None,
               sort: str = "numero", **criteria) -> pd.DataFrame:  # fmt: skip
        """The "Rechercher" tab: at least one criterion; one page, its total in `.attrs`."""
        return lists.search(self, page, page_size, space, sort, criteria)

    def dashboard(self, structure: str | None = None, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Counts per structure x status, or per service x status for one structure.

        The index holds what to pass back as `structure=` or `service_emetteur=` to drill down;
        `filters` are optional search criteria (du, au, categorie, destinataire...).
        """
        return figures.dashboard(self, structure, space, filters)

    # -- managers' figures: every one computed in SQL, the same for the app and notebooks ---------

    def weekly_flow(self, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Requests received ("Entrées") and closed ("Fermetures") per week."""
        return figures.weekly_flow(self, space, filters)

    def backlog(self, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Open requests per status at the end of each week."""
        return figures.backlog(self, space, filters)

    def delays(self, by: str = "destinataire", space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Days to first response and to closing (median, 90th percentile) per recipient or category."""
        return figures.delays(self, by, space, filters)

    def processing_times(self, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Per sent request, days to first response and to closing: the distributions behind `delays`."""
        return figures.processing_times(self, space, filters)

    def reopen_rates(self, by: str = "destinataire", space: Space | str | None = None, **filters) -> pd.DataFrame:
        return figures.reopen_rates(self, by, space, filters)

    def oldest_open(self, limit: int = 20, space: Space | str | None = None, **filters) -> pd.DataFrame:
        return figures.oldest_open(self, limit, space, filters)

    def agents(self, numero: int) -> pd.DataFrame:
        """Who the request can be assigned to: the agents of its recipient structure."""
        return receiver.agents(self, numero)

    def monthly(self, by: str = "statut", structure: str | None = None,
                space: Space | str | None = None, **filters) -> pd.DataFrame:  # fmt: skip
        """Requests entered per month (rows) and per status or category (columns); `filters` are the
        optional criteria of the other figures (du, au, categorie, destinataire...)."""
        return figures.monthly(self, by, structure, space, filters)

    def list_batches(self, list_name: str = "search", space: Space | str | None = None, batch_size: int = 10_000,
                     **criteria):  # fmt: skip
        """The whole list, "search" (with criteria) or "to_process", streamed in frames of `batch_size`."""
        return lists.list_batches(self, list_name, space, batch_size, criteria)

    def export_csv(self, list_name: str = "search", space: Space | str | None = None, **criteria) -> bytes:
        """The whole list (not one page) as CSV: "search" with criteria, or "to_process"."""
        return exports.csv_bytes(self.list_batches(list_name, space, **criteria))

    def my_structures(self, space: Space | str | None = None) -> pd.DataFrame:
        return structures.my_structures(self, space)

    def set_notifications(self, enabled: bool) -> None:
        """Turn this user's notification mails on or off."""
        notifications.set_notifications(self, enabled)

    def notifications(self) -> bool:
        return notifications.notifications(self)

    def can_read_outbox(self) -> bool:
        return notifications.can_read_outbox(self)

    def outbox(self, page: int = 1, page_size: int = 50, numero: int | None = None) -> pd.DataFrame:
        """The mails written by the office (sent or waiting): for the support desk and managers."""
        return notifications.outbox(self, page, page_size, numero)

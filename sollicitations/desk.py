"""The use cases: each call is authorized for one user and runs as one transaction."""
from __future__ import annotations

from collections.abc import Callable
import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd


from . import captcha, mail, queries, rules, snapshot
from .access import RECEIVER_ROLES, Habilitation, Role, Space, User
from .attachments import DEFAULT_TYPE, MAX_FILES, MAX_TOTAL, TOO_LARGE_TOTAL, TOO_MANY_FILES, TYPES, check_file
from .clock import paris_now
from .catalogue import ROUTE_CHOSEN, ROUTE_OBJECT, Catalogue, Pair, load_catalogue
from .errors import PermissionDenied, TransitionError, ValidationError
from .export import cells as exports
from .status import (
    COMMENT_REQUIRED,
    COMMENT_SHOWN_IN_EXCHANGE,
    RESENDS,
    TRANSITIONS,
    Action,
    Actor,
    Status,
    is_allowed,
    next_status,
)
from .store import StaleRead, Store
from .store.connection import DatabaseLocked, is_postgresql_url

security_log = logging.getLogger("sollicitations.security")
# "Nous contacter": at most CONTACT_LIMIT requests per client within CONTACT_WINDOW.
CONTACT_LIMIT = int(os.environ.get("SOLLICITATIONS_CONTACT_LIMIT", "5"))
CONTACT_WINDOW = timedelta(hours=1)
TROP_DE_DEMANDES = "Trop de sollicitations ont été envoyées depuis votre poste. Veuillez réessayer dans une heure."

# The fields of the entry form, as the API names them.
FORM_FIELDS = (
    "categorie", "sous_categorie", "structure", "service", "email", "telephone", "description",
    "type_objet", "numero_objet", "destinataire", "service_destinataire", "destinataire_etat",
)  # fmt: skip


# How long opening a DuckDB file read-write waits for a reader's brief copy (snapshot.private_copy).
LOCK_WAIT_SECONDS = 15.0


def open_desk(path: str | Path = "data/sollicitations.duckdb", read_only: bool = False) -> "Desk":
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
            (p.categorie, p.sous_categorie, p.type_objet, p.routage, p.formulaire_contact)
            for p in self.catalogue.pairs
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

    def as_user(self, login: str) -> "UserDesk":
        return UserDesk(self, self.user(login))

    def contact(self, categorie: str, sous_categorie: str, email: str, description: str, guard=None,
                check_only: bool = False) -> int | None:  # fmt: skip
        """A request from "Nous contacter": no login, straight to the support desk; its number."""
        categorie, sous_categorie = rules.clean_text(categorie), rules.clean_text(sous_categorie)
        email, description = rules.clean_text(email), rules.clean_text(description)
        wrong = [p for k, v in (("categorie", categorie), ("sous_categorie", sous_categorie), ("email", email),
                                ("description", description)) for p in rules.not_text(k, v)]  # fmt: skip
        if wrong:
            raise ValidationError(wrong)
        problems = _pair_problems(self.catalogue, categorie, sous_categorie, contact_form=True)
        problems += rules.email_problems(email, required=True)
        problems += _description_problems(description, required=True)
        support = self.store.bureau_structure("support")
        if support is None:
            problems.append(rules.ROUTAGE_IMPOSSIBLE)
        if problems:
            raise ValidationError(problems)
        if check_only:
            return None

        def work(cur) -> int:
            if guard is not None:
                guard(cur)
            now = self.clock()
            numero = self.store.next_numero(cur)
            request = {
                "numero": numero, "statut": Status.ENVOYEE.value, "categorie": categorie,
                "sous_categorie": sous_categorie, "email": email, "description": description,
                "destinataire_id": support["id"], "contact": True, "saisie_le": now,
                "envoyee_le": now, "modifiee_le": now, "cree_par": None,
            }  # fmt: skip
            self.store.insert_sollicitation(cur, request)
            self.store.append_history(
                cur, numero, now, None, Action.SUBMIT.value, None, Status.ENVOYEE.value,
                "Sollicitation déposée depuis « Nous contacter »",
            )
            mail.queue_deposit(self.store, cur, request, now)
            mail.queue_for_action(self.store, cur, request, Action.SUBMIT, None, now)
            return numero

        return self.store.run(work)

    def contact_form(self, categorie, sous_categorie, email, description, captcha_token: str,
                     captcha_answer: str, client: str) -> int:  # fmt: skip
        """The public "Nous contacter" form: the fields, then the captcha (spent once) and the
        client's rate limit, checked in the transaction that stores the request.

        Every refusal of the form comes in one list (the fields', the captcha's), so that the visitor
        corrects everything at once."""
        problems: list[str] = []
        try:
            self.contact(categorie, sous_categorie, email, description, check_only=True)
        except ValidationError as error:
            problems += error.messages
        if not isinstance(client, str) or not client.strip() or not rules.is_encodable(client):
            problems.append("La provenance de la demande est inconnue : rechargez la page et réessayez")
        else:
            client = client[:100]
        if captcha_answer is None or (isinstance(captcha_answer, str) and not captcha_answer.strip()):
            problems.append(rules.CAPTCHA_OBLIGATOIRE)  # nothing to check: the challenge stays usable
            raise ValidationError(problems)
        if problems:
            # The answer is checked too. A wrong one spends the challenge (a robot cannot try answers
            # on one token); a right one is rolled back, kept for the corrected form.
            if not self._captcha_kept(captcha_token, captcha_answer):
                problems.append(captcha.WRONG)
            raise ValidationError(problems)
        # The challenge is spent in a transaction of its own: a wrong answer must not be retried.
        if not self.store.run(lambda cur: captcha.spend(self.store, cur, captcha_token, captcha_answer, self.clock())):
            raise ValidationError(captcha.WRONG)

        self.store.add_contact_client(client, self.clock())

        def guard(cur) -> None:
            now = self.clock()
            # The client's turn first: two deposits of one client cannot both count four before them.
            self.store.take_contact_turn(cur, client, now)
            if self.store.count_contact_attempts(cur, client, now - CONTACT_WINDOW) >= CONTACT_LIMIT:
                raise ValidationError(TROP_DE_DEMANDES)
            self.store.add_contact_attempt(cur, client, now)

        return self.contact(categorie, sous_categorie, email, description, guard=guard)

    def _captcha_kept(self, token, answer) -> bool:
        """Whether `answer` is right, leaving a right answer's challenge unspent (a wrong one is spent)."""

        class Right(Exception):
            pass

        def check(cur) -> bool:
            if captcha.spend(self.store, cur, token, answer, self.clock()):
                raise Right  # rolls the transaction back: the challenge is not spent
            return False

        try:
            return self.store.run(check)
        except Right:
            return True

    def search_structures(self, text: str, etat: bool | None = None, limit: int = 50) -> pd.DataFrame:
        """Public structures whose name or identifier holds every word of `text`, in any order, case and
        accents aside (the recipient's "Rechercher" button)."""
        problems = rules.not_text("destinataire", text)
        if etat is not None and not isinstance(etat, bool):
            problems.append("La réponse « service de l'Etat » doit être Oui ou Non")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 500:
            problems.append("Le nombre de structures affichées doit être compris entre 1 et 500")
        if problems:
            raise ValidationError(problems)
        rows = self.store.search_structures((text or "")[:200], publique=True, service_etat=etat, limit=limit)
        return queries.structures_frame(rows)

    def services(self, structure_id: str) -> pd.DataFrame:
        if rules.not_text("structure", structure_id):
            raise ValidationError(rules.not_text("structure", structure_id))
        return queries.services_frame(self.store.services(structure_id))


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
        """"Enregistrer": a new request in Brouillon; its number."""
        fields = dict(locals())
        del fields["self"]
        return self._create(fields, Action.SAVE_DRAFT)

    def send(self, **fields) -> int:
        """"Valider et envoyer" on a new form: create and send at once; its number."""
        return self._create(_known_fields(fields), Action.SUBMIT)

    def update_draft(self, numero: int, **fields) -> None:
        """Change some fields of a draft; the others keep their values."""
        fields = _known_fields(fields)

        def apply(cur, row, actor):
            values = self._check_form(cur, {**_form_of(self.store, row, cur), **fields}, submit=False)
            return _stored_fields(values, routed=False), None

        self._act(numero, Action.UPDATE_DRAFT, apply)

    def submit(self, numero: int, **fields) -> None:
        """"Valider et envoyer" a draft (after applying `fields`, if any): it goes to its recipient."""
        fields = _known_fields(fields)

        def apply(cur, row, actor):
            values = self._check_form(cur, {**_form_of(self.store, row, cur), **fields}, submit=True)
            changes = _stored_fields(values, routed=True)
            changes["envoyee_le"] = self.desk.clock()
            return changes, None

        self._act(numero, Action.SUBMIT, apply)

    def delete_draft(self, numero: int) -> None:
        self._act(numero, Action.DELETE_DRAFT, lambda cur, row, actor: ({}, None))

    # -- exchanges -------------------------------------------------------------------------

    def add_complement(self, numero: int, text: str) -> None:
        """The emitter's answer to "Informations complémentaires requises": re-sent, flagged."""
        self._act(numero, Action.ADD_COMPLEMENT, _no_changes, comment=text)

    def close(self, numero: int, resolved: bool | None = None, reopen: bool = False,
              comment: str | None = None) -> None:  # fmt: skip
        """"Clôturer": the guide's questions (resolved? if not, reopen?) and a mandatory comment.

        Before any response, closing is the early close of a question no longer relevant.
        """
        if resolved is not None and not isinstance(resolved, bool) or not isinstance(reopen, bool):
            raise ValidationError("Les réponses aux questions de clôture doivent être Oui ou Non")
        if resolved is True and reopen:  # the guide asks about reopening only when the answer did not help
            raise ValidationError("Une sollicitation résolue ne peut pas être rouverte : répondez Non à la"
                                  " première question pour la rouvrir")  # fmt: skip
        row = self._readable(numero)
        if Status(row["statut"]) != Status.REPONDUE and not reopen:
            action = Action.CLOSE_EARLY
        elif reopen and resolved is not True:
            action = Action.REOPEN
        elif resolved is None:
            raise ValidationError(
                "Veuillez indiquer si la réponse apportée vous a permis de résoudre votre problème"
            )
        else:
            action = Action.CLOSE_RESOLVED if resolved else Action.CLOSE_UNRESOLVED
        self._act(numero, action, _no_changes, comment=comment)

    def take_in_charge(self, numero: int) -> None:
        self._act(numero, Action.TAKE_IN_CHARGE, lambda cur, row, actor: (
            {"assigne_a": self.user.login, "renvoyee": False}, None))  # fmt: skip

    def assign(self, numero: int, login: str) -> None:
        """Assign to an agent of the recipient structure (oneself included) and take in charge."""

        def apply(cur, row, actor):
            agents = {a["login"]: a for a in self.store.agents(row["destinataire_id"], cur)}
            if not isinstance(login, str) or login not in agents:
                raise ValidationError("L'agent indiqué n'est pas habilité sur la structure destinataire")
            agent = agents[login]
            return {"assigne_a": login, "renvoyee": False}, f"Assignée à {agent['nom']} {agent['prenom']}"

        self._act(numero, Action.ASSIGN, apply)

    def request_information(self, numero: int, comment: str) -> None:
        self._act(numero, Action.REQUEST_INFORMATION, self._handled, comment=comment)

    def respond(self, numero: int, comment: str) -> None:
        self._act(numero, Action.RESPOND, self._handled, comment=comment)

    def transfer_to_support(self, numero: int, comment: str) -> None:
        """Outside the structure's remit: the request goes to the support desk, unassigned."""

        def apply(cur, row, actor):
            support = self.store.bureau_structure("support", cur)
            if support is None:
                raise ValidationError(rules.ROUTAGE_IMPOSSIBLE)
            if row["destinataire_id"] == support["id"]:
                raise ValidationError("La sollicitation est déjà adressée au support")
            return {"destinataire_id": support["id"], "service_destinataire_id": None,
                    "assigne_a": None, "renvoyee": False}, None  # fmt: skip

        self._act(numero, Action.TRANSFER_TO_SUPPORT, apply, comment=comment)

    def _handled(self, cur, row, actor):
        return {"assigne_a": row["assigne_a"] or self.user.login, "renvoyee": False}, None

    # -- attachments -----------------------------------------------------------------------

    def add_attachment(self, numero: int, filename: str, content: bytes,
                       designation: str | None = None, type: str = DEFAULT_TYPE) -> int:  # fmt: skip
        """Attach a file to a saved request; the attachment's id."""
        checked, problems = check_file(filename, content)
        designation = rules.clean_text(designation)
        problems += rules.text_problems("designation", designation)
        if type not in TYPES:
            problems.append("Le type de pièce jointe n'est pas valide. Types possibles : " + ", ".join(TYPES))
        if problems:
            self._readable(numero)  # a stranger learns nothing about the request from our messages
            raise ValidationError(problems)
        created: list[int] = []

        def apply(cur, row, actor):
            count, total = self.store.attachment_usage(cur, row["numero"])
            if count >= MAX_FILES:
                raise ValidationError(TOO_MANY_FILES.format(n=MAX_FILES, f=checked.nom_fichier[:80]))
            if total + checked.taille > MAX_TOTAL:
                raise ValidationError(TOO_LARGE_TOTAL.format(n=MAX_TOTAL // (1024 * 1024), f=checked.nom_fichier[:80]))
            meta = {
                "type": type, "extension": checked.extension, "nom_fichier": checked.nom_fichier,
                "designation": designation or checked.nom_fichier.rsplit(".", 1)[0],
                "taille": checked.taille, "sha256": checked.sha256, "cote": actor.value,
                "ajoutee_par": self.user.login, "ajoutee_le": self.desk.clock(),
            }  # fmt: skip
            created.append(self.store.insert_attachment(cur, row["numero"], meta, bytes(content)))
            return {}, f"Pièce jointe ajoutée : {checked.nom_fichier}"

        self._act(numero, Action.ADD_ATTACHMENT, apply)
        return created[0]

    def delete_attachment(self, numero: int, attachment_id: int) -> None:
        def apply(cur, row, actor):
            meta = self.store.attachment(rules.parse_numero(attachment_id), cur) if rules.parse_numero(attachment_id) else None
            if meta is None or meta["numero"] != row["numero"]:
                raise ValidationError("La pièce jointe indiquée n'existe pas sur cette sollicitation")
            if meta["cote"] != actor.value:
                raise PermissionDenied("Seules les pièces jointes que votre structure a ajoutées peuvent être supprimées")
            self.store.delete_attachment(cur, meta["id"])
            return {}, f"Pièce jointe supprimée : {meta['nom_fichier']}"

        self._act(numero, Action.DELETE_ATTACHMENT, apply)

    def detail_pdf(self, numero: int, attachments: bool = False) -> bytes:
        """"Télécharger détail": the PDF; with `attachments`, the files embedded in it."""
        from . import pdf

        return pdf.detail_pdf(self, numero, attachments)

    def detail_zip(self, numero: int, path=None):
        """The detail PDF and the attachments, in one ZIP: its bytes, or written to `path` (see pdf.detail_zip)."""
        from . import pdf

        return pdf.detail_zip(self, numero, path)

    def export(self, path, format: str = "xlsx", list_name: str = "search", space: Space | str | None = None,
               progress=None, **criteria) -> int:  # fmt: skip
        """The whole list written to `path` (xlsx, csv or parquet), streamed; the number of rows."""
        from .export import files as export_files

        return export_files.write_export(self, path, format, list_name, space=space, progress=progress, **criteria)

    def attachments(self, numero: int) -> pd.DataFrame:
        row = self._readable(numero)
        return queries.attachments_frame(self.store.attachments(row["numero"]))

    def attachment(self, numero: int, attachment_id: int) -> tuple[str, bytes]:
        """"Télécharger": the file name and content of one attachment."""
        row = self._readable(numero)
        meta = self.store.attachment(rules.parse_numero(attachment_id)) if rules.parse_numero(attachment_id) else None
        if meta is None or meta["numero"] != row["numero"]:
            raise ValidationError("La pièce jointe indiquée n'existe pas sur cette sollicitation")
        return meta["nom_fichier"], self.store.attachment_content(meta["id"])

    # -- reading ---------------------------------------------------------------------------

    def get(self, numero: int) -> dict:
        """Everything the detail screen shows, history and attachments included."""
        row = self._readable(numero)
        return queries.detail(self.store, self.desk.catalogue, row, self.actions(numero, row))

    def actions(self, numero: int, row: dict | None = None) -> list[Action]:
        """What this user may do on the request now: the buttons of the detail screen."""
        row = row or self._readable(numero)
        status = Status(row["statut"])
        allowed = []
        for actor in self.user.acts_as(row):
            allowed += [a for (s, a, who) in TRANSITIONS if s == status and who == actor and a not in allowed]
        return allowed

    def to_process(self, structure: str | None = None, page: int = 1, page_size: int = 50,
                   space: Space | str | None = None) -> pd.DataFrame:  # fmt: skip
        """"Mes sollicitations à traiter", optionally for one structure, one page."""
        space = self._space(space)
        return queries.to_process(self.store, self.user, space, structure, page, page_size)

    def search(self, page: int = 1, page_size: int = 50, space: Space | str | None = None,
               sort: str = "numero", **criteria) -> pd.DataFrame:  # fmt: skip
        """The "Rechercher" tab: at least one criterion; one page, its total in `.attrs`."""
        space = self._space(space)
        return queries.search(self.store, self.desk.catalogue, self.user, space, criteria, page, page_size, sort)

    def dashboard(self, structure: str | None = None, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Counts per structure x status, or per service x status for one structure.

        The index holds what to pass back as `structure=` or `service_emetteur=` to drill down;
        `filters` are optional search criteria (du, au, categorie, destinataire...).
        """
        space = self._space(space)
        return queries.dashboard(self.store, self.user, space, structure, self._figure_filters(space, filters))

    # -- managers' figures: every one computed in SQL, the same for the app and notebooks ---------

    def weekly_flow(self, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Requests received ("Entrées") and closed ("Fermetures") per week."""
        space = self._space(space)
        return queries.weekly_flow(self.store, self.user, space, self._figure_filters(space, filters))

    def backlog(self, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Open requests per status at the end of each week."""
        space = self._space(space)
        return queries.backlog(self.store, self.user, space, self._figure_filters(space, filters), self.desk.clock())

    def delays(self, by: str = "destinataire", space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Days to first response and to closing (median, 90th percentile) per recipient or category."""
        space = self._space(space)
        return queries.delays(self.store, self.user, space, self._figure_filters(space, filters), by)

    def processing_times(self, space: Space | str | None = None, **filters) -> pd.DataFrame:
        """Per sent request, days to first response and to closing: the distributions behind `delays`."""
        space = self._space(space)
        return queries.processing_times(self.store, self.user, space, self._figure_filters(space, filters))

    def reopen_rates(self, by: str = "destinataire", space: Space | str | None = None, **filters) -> pd.DataFrame:
        space = self._space(space)
        return queries.reopen_rates(self.store, self.user, space, self._figure_filters(space, filters), by)

    def oldest_open(self, limit: int = 20, space: Space | str | None = None, **filters) -> pd.DataFrame:
        space = self._space(space)
        return queries.oldest_open(self.store, self.user, space, self._figure_filters(space, filters), limit,
                                   self.desk.clock())  # fmt: skip

    def agents(self, numero: int) -> pd.DataFrame:
        """Who the request can be assigned to: the agents of its recipient structure."""
        row = self._readable(numero)
        if Actor.DESTINATAIRE not in self.user.acts_as(row):
            raise PermissionDenied("Seuls les agents de la structure destinataire peuvent assigner cette sollicitation")
        rows = self.store.agents(row["destinataire_id"])
        return pd.DataFrame({"login": [a["login"] for a in rows], "Agent": [f"{a['nom']} {a['prenom']}" for a in rows]})

    def _figure_filters(self, space: Space, filters: dict):
        return queries.figure_filters(self.store, self.desk.catalogue, self.user, space, filters)

    def monthly(self, by: str = "statut", structure: str | None = None,
                space: Space | str | None = None, **filters) -> pd.DataFrame:  # fmt: skip
        """Requests entered per month (rows) and per status or category (columns); `filters` are the
        optional criteria of the other figures (du, au, categorie, destinataire...)."""
        space = self._space(space)
        return queries.monthly(self.store, self.user, space, by, structure, self._figure_filters(space, filters))

    def list_batches(self, list_name: str = "search", space: Space | str | None = None, batch_size: int = 10_000,
                     **criteria):  # fmt: skip
        """The whole list, "search" (with criteria) or "to_process", streamed in frames of `batch_size`."""
        space = self._space(space)
        queries.check_batch_size(batch_size)  # now, not at the first frame read (the list is a generator)
        return queries.list_batches(self.store, self.desk.catalogue, self.user, space, list_name, dict(criteria),
                                    batch_size)  # fmt: skip

    def export_csv(self, list_name: str = "search", space: Space | str | None = None, **criteria) -> bytes:
        """The whole list (not one page) as CSV: "search" with criteria, or "to_process"."""
        return exports.csv_bytes(self.list_batches(list_name, space, **criteria))

    def my_structures(self, space: Space | str | None = None) -> pd.DataFrame:
        space = self._space(space)
        ids = self.user.emitter_structures if space == Space.EMISES else self.user.receiver_structures
        return queries.structures_frame(self.store.structures(ids))

    def set_notifications(self, enabled: bool) -> None:
        """Turn this user's notification mails on or off."""
        if not isinstance(enabled, bool):
            raise ValidationError("Indiquez Oui ou Non pour les notifications")
        self.store.set_notifications(self.user.login, enabled)

    def notifications(self) -> bool:
        return bool(self.store.user(self.user.login)["notifications"])

    def can_read_outbox(self) -> bool:
        return self.user.is_manager or Role.SUPPORT in {h.role for h in self.user.habilitations}

    def outbox(self, page: int = 1, page_size: int = 50, numero: int | None = None) -> pd.DataFrame:
        """The mails written by the office (sent or waiting): for the support desk and managers."""
        if not self.can_read_outbox():
            raise PermissionDenied("Seuls le support et les gestionnaires consultent les courriels envoyés")
        page, page_size = queries.check_page(page, page_size)
        key = rules.parse_numero(numero) if numero is not None else None
        if numero is not None and key is None:
            raise ValidationError("Le numéro de la sollicitation doit être un nombre entier")
        # Only the mails of the requests this user may read: they hold their descriptions and answers.
        rows, total = self.store.outbox_page(page, page_size, key, scope=self.user.readable_scope())
        return queries.outbox_frame(rows, total, page, page_size)

    # -- plumbing --------------------------------------------------------------------------

    def _space(self, space) -> Space:
        if space is None:
            space = self.user.default_space()
            if space is None:
                raise PermissionDenied("Vous n'avez aucune habilitation sur les sollicitations")
        try:
            space = Space(space)
        except ValueError:
            raise ValidationError(f"Espace inconnu : {space}") from None
        if space not in self.user.spaces():
            raise PermissionDenied("Vous n'êtes pas habilité à consulter cet espace")
        return space

    def _readable(self, numero, cur=None) -> dict:
        key = rules.parse_numero(numero)
        row = None if key is None else self.store.sollicitation(key, cur)
        if row is None or not self.user.can_read(row):
            security_log.warning("refused: %s may not read request %r", self.user.login, numero)
            raise PermissionDenied(
                f"La sollicitation n° {numero} n'existe pas ou vous n'êtes pas habilité à la consulter"
            )
        return row

    def _create(self, fields: dict, action: Action) -> int:
        structure = rules.clean_text(fields.get("structure"))
        if rules.not_text("structure", structure):
            raise ValidationError(rules.not_text("structure", structure))
        if structure is not None and Actor.EMETTEUR not in self.user.acts_as(None, structure):
            raise PermissionDenied(f"Vous n'êtes pas habilité sur la structure {structure}")
        status = next_status(None, action, Actor.EMETTEUR)

        def work(cur) -> int:
            values = self._check_form(cur, fields, submit=action == Action.SUBMIT)
            now = self.desk.clock()
            numero = self.store.next_numero(cur)
            row = _stored_fields(values, routed=action == Action.SUBMIT)
            row.update(numero=numero, statut=status.value, cree_par=self.user.login,
                       saisie_le=now, modifiee_le=now)  # fmt: skip
            if status == Status.ENVOYEE:
                row["envoyee_le"] = now
            self.store.insert_sollicitation(cur, row)
            self.store.append_history(cur, numero, now, self.user.login, action.value, None, status.value, None)
            mail.queue_for_action(self.store, cur, {**row, "contact": False}, action, None, now)
            return numero

        return self.store.run(work)

    def _act(self, numero, action: Action, apply, comment: str | None = None) -> None:
        """Check rights and the transition table, apply the change, write history: one transaction.

        `apply(cur, row, actor)` validates and returns (column changes, history comment).
        """
        comment = rules.clean_text(comment)

        def work(cur) -> None:
            row = self._readable(numero, cur)
            n = row["numero"]
            actor = self._actor_for(row, action)
            status = Status(row["statut"])
            if not is_allowed(status, action, actor):
                raise TransitionError(
                    f"L'action « {action.label} » n'est pas possible sur la sollicitation n° {n}"
                    f" au statut « {status.label} »"
                )
            problems = rules.comment_problems(comment, required=action in COMMENT_REQUIRED)
            if problems:
                raise ValidationError(problems)
            changes, note = apply(cur, row, actor)
            # A field the form sends back unchanged is not written again (an unchanged description is
            # not indexed again: "Valider et envoyer" on a draft usually changes none).
            changes = {k: v for k, v in changes.items() if k not in row or row[k] != v}
            new = next_status(status, action, actor)
            now = self.desk.clock()
            if new is None:
                if not self.store.delete_sollicitation(cur, n, status.value):
                    raise StaleRead(f"sollicitation {n} changed since it was read")
                return
            changes = {**changes, "statut": new.value, "modifiee_le": now}
            if new == Status.FERMEE:
                changes.update(cloturee_le=now, resolue=action == Action.CLOSE_RESOLVED)
            if action in RESENDS:
                changes.update(renvoyee=True, envoyee_le=now, cloturee_le=None, resolue=None)
            if not self.store.update_sollicitation(cur, n, status.value, changes):
                # Another writer changed its status since it was read (PostgreSQL lets the loser of a race
                # find no row instead of a conflict): start again, and decide on what is there now.
                raise StaleRead(f"sollicitation {n} changed since it was read")
            self.store.append_history(cur, n, now, self.user.login, action.value, status.value,
                                      new.value, comment or note)  # fmt: skip
            if comment and action in COMMENT_SHOWN_IN_EXCHANGE:
                self.store.append_comment(cur, n, now, self.user.login, actor.value, comment)
            mail.queue_for_action(self.store, cur, {**row, **changes}, action, comment, now)

        self.store.run(work)

    def _actor_for(self, row: dict, action: Action) -> Actor:
        """The side this user acts for: the first of its sides for which the table knows `action`."""
        sides = self.user.acts_as(row)
        status = Status(row["statut"])
        candidates = [a for a in sides if any(k[1] == action and k[2] == a for k in TRANSITIONS)]
        for actor in candidates:
            if is_allowed(status, action, actor):
                return actor
        if candidates:
            return candidates[0]
        security_log.warning("refused: %s may not %s request %s", self.user.login, action.value, row["numero"])
        if self.user.is_manager and not sides:
            raise PermissionDenied("Les gestionnaires consultent les sollicitations mais ne peuvent pas les modifier")
        raise PermissionDenied(
            f"Vous n'êtes pas habilité à effectuer l'action « {action.label} » sur la sollicitation n° {row['numero']}"
        )

    def _check_form(self, cur, fields: dict, submit: bool) -> dict:
        """Every rule of the entry form at once; the values as stored, or all the messages."""
        v = {k: rules.clean_text(fields.get(k)) if k != "destinataire_etat" else fields.get(k)
             for k in FORM_FIELDS}  # fmt: skip
        type_problems = [p for k in FORM_FIELDS if k != "destinataire_etat" for p in rules.not_text(k, v[k])]
        if type_problems:
            raise ValidationError(type_problems)
        catalogue = self.desk.catalogue
        problems = _pair_problems(catalogue, v["categorie"], v["sous_categorie"])
        pair = catalogue.pair(v["categorie"], v["sous_categorie"]) if not problems else None

        if v["structure"] is None:
            problems.append(rules.STRUCTURE_OBLIGATOIRE)
        elif Actor.EMETTEUR not in self.user.acts_as(None, v["structure"]):
            raise PermissionDenied(f"Vous n'êtes pas habilité sur la structure {v['structure']}")
        v["service_id"] = None
        if v["service"] is not None and v["structure"] is not None:
            service = self.store.find_service(v["structure"], v["service"], cur)
            if service is None:
                problems.append(rules.SERVICE_INCONNU)
            else:
                v["service_id"] = service["id"]
        problems += rules.email_problems(v["email"]) + rules.phone_problems(v["telephone"])
        problems += _description_problems(v["description"], required=submit)
        if pair is not None:
            problems += self._object_problems(cur, pair, v, submit)
            problems += self._recipient_problems(cur, pair, v, submit)
        if problems:
            raise ValidationError(problems)
        v["pair"] = pair
        return v

    def _object_problems(self, cur, pair: Pair, v: dict, submit: bool) -> list[str]:
        v["objet_id"] = v["objet"] = None
        type_code = self.desk.catalogue.object_type_code(v["type_objet"])
        if type_code is not None:
            v["type_objet"] = type_code
        if not pair.needs_object:
            return [rules.OBJET_NON_ATTENDU] if v["type_objet"] or v["numero_objet"] else []
        problems = []
        if v["type_objet"] is None:
            problems += [rules.TYPE_OBJET_OBLIGATOIRE] if submit else []
        elif type_code != pair.type_objet:
            problems.append(rules.TYPE_OBJET_INCORRECT)
        if v["numero_objet"] is None:
            problems += [rules.NUMERO_OBLIGATOIRE] if submit else []
        else:
            problems += rules.text_problems("numero_objet", v["numero_objet"])
        if problems or v["numero_objet"] is None or type_code is None:
            return problems
        objet = self.store.objet(type_code, v["numero_objet"], cur)
        # Another supplier's invoice must look exactly like one that does not exist.
        if objet is None or objet["emetteur_id"] != v["structure"]:
            return [rules.NUMERO_INCONNU]
        v["objet_id"], v["objet"], v["type_objet"] = objet["id"], objet, type_code
        if submit and objet["destinataire_id"] is None:
            return [rules.BROUILLON_SANS_DESTINATAIRE]
        return []

    def _recipient_problems(self, cur, pair: Pair, v: dict, submit: bool) -> list[str]:
        v["destinataire_id"] = v["service_destinataire_id"] = None
        if not pair.needs_recipient:
            if v["destinataire"] or v["service_destinataire"]:
                return [rules.DESTINATAIRE_NON_ATTENDU]
            return self._routed_problems(cur, pair, v, submit)
        if v["destinataire"] is None:
            return [rules.DESTINATAIRE_OBLIGATOIRE] if submit else []
        structure = self.store.structure(v["destinataire"], cur)
        if structure is None or not structure["publique"]:
            return [rules.DESTINATAIRE_INCONNU]
        etat, problems = rules.parse_oui_non(v["destinataire_etat"], "La réponse « service de l'Etat »")
        if problems:
            return problems
        if etat is not None and etat != structure["service_etat"]:
            return [rules.DESTINATAIRE_ETAT]
        v["destinataire_id"] = structure["id"]
        if v["service_destinataire"] is not None:
            service = self.store.find_service(structure["id"], v["service_destinataire"], cur)
            if service is None:
                return [rules.SERVICE_DESTINATAIRE_INCONNU]
            v["service_destinataire_id"] = service["id"]
        return []

    def _routed_problems(self, cur, pair: Pair, v: dict, submit: bool) -> list[str]:
        """Where the catalogue sends the request, for pairs whose recipient is not chosen."""
        if not submit:
            return []
        if pair.routage == ROUTE_OBJECT:
            if v["objet"] is not None:
                v["destinataire_id"] = v["objet"]["destinataire_id"]
                v["service_destinataire_id"] = v["objet"]["service_destinataire_id"]
            return []
        bureau = self.store.bureau_structure(pair.routage, cur)
        if bureau is None:
            return [rules.ROUTAGE_IMPOSSIBLE]
        v["destinataire_id"] = bureau["id"]
        return []


def _no_changes(cur, row, actor):
    return {}, None


def _known_fields(fields: dict) -> dict:
    unknown = sorted(set(fields) - set(FORM_FIELDS))
    if unknown:
        raise ValidationError([f"Champ inconnu : {name}" for name in unknown])
    return fields


def _pair_problems(catalogue: Catalogue, categorie, sous_categorie, contact_form: bool = False) -> list[str]:
    if categorie is None:
        return [rules.CATEGORIE_OBLIGATOIRE] + ([] if sous_categorie else [rules.SOUS_CATEGORIE_OBLIGATOIRE])
    if categorie not in catalogue.categories(contact_form):
        return [rules.CATEGORIE_INCONNUE]
    if sous_categorie is None:
        return [rules.SOUS_CATEGORIE_OBLIGATOIRE]
    if sous_categorie not in catalogue.sous_categories(categorie, contact_form):
        return [rules.SOUS_CATEGORIE_INCONNUE]
    return []


def _description_problems(description, required: bool) -> list[str]:
    if description is None:
        return [rules.DESCRIPTION_OBLIGATOIRE] if required else []
    return rules.text_problems("description", description)


def _form_of(store: Store, row: dict, cur) -> dict:
    """A stored request back as the form's fields, so that a partial update re-checks all."""
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


def _stored_fields(v: dict, routed: bool) -> dict:
    pair = v["pair"]
    keep_recipient = routed or (pair is not None and pair.routage == ROUTE_CHOSEN)
    return {
        "categorie": v["categorie"], "sous_categorie": v["sous_categorie"],
        "type_objet": v.get("type_objet") if v.get("numero_objet") or v.get("type_objet") else None,
        "numero_objet": v.get("numero_objet"), "objet_id": v.get("objet_id"),
        "emetteur_id": v["structure"], "service_emetteur_id": v["service_id"],
        "email": v["email"], "telephone": v["telephone"], "description": v["description"] or "",
        "destinataire_id": v.get("destinataire_id") if keep_recipient else None,
        "service_destinataire_id": v.get("service_destinataire_id") if keep_recipient else None,
    }  # fmt: skip

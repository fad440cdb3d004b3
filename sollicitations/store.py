"""The only module that speaks SQL: schema, migrations and every statement, with bound values.

Statements stay portable (they also run on PostgreSQL) unless a comment says why not.
Identifiers are never spliced from input: the few that vary come from whitelists below.
"""
from __future__ import annotations

import random
import re
import shutil
import threading
import time
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from .database import POSTGRESQL, IntegrityError, UndefinedObject, WriteConflict, open_database
from . import rules
from .errors import ConflictError, PermissionDenied, ValidationError
from .status import Status

T = TypeVar("T")

# Ordered, named migrations. Never edit an applied one: append a new one.
MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_directory",
        """
        CREATE TABLE structures (
            id VARCHAR PRIMARY KEY,              -- 14-digit identifier (SIRET or internal)
            designation VARCHAR NOT NULL,
            publique BOOLEAN NOT NULL,
            service_etat BOOLEAN NOT NULL DEFAULT false,
            bureau VARCHAR                        -- routing word for support desk and bureaus
        );
        CREATE SEQUENCE services_id START 1;
        CREATE TABLE services (
            id BIGINT PRIMARY KEY,
            structure_id VARCHAR NOT NULL,
            code VARCHAR NOT NULL,
            libelle VARCHAR NOT NULL,
            UNIQUE (structure_id, code)
        );
        CREATE TABLE users (
            login VARCHAR PRIMARY KEY,
            nom VARCHAR NOT NULL,
            prenom VARCHAR NOT NULL,
            email VARCHAR,
            telephone VARCHAR,
            notifications BOOLEAN NOT NULL DEFAULT true
        );
        CREATE TABLE habilitations (
            login VARCHAR NOT NULL,
            structure_id VARCHAR,                 -- NULL: every structure (managers)
            role VARCHAR NOT NULL,
            droit_modification BOOLEAN NOT NULL DEFAULT true
        );
        CREATE SEQUENCE objets_id START 1;
        CREATE TABLE objets (
            id BIGINT PRIMARY KEY,
            type VARCHAR NOT NULL,
            numero VARCHAR NOT NULL,
            emetteur_id VARCHAR NOT NULL,
            destinataire_id VARCHAR,
            service_destinataire_id BIGINT,
            statut VARCHAR NOT NULL,
            UNIQUE (type, numero)
        );
        CREATE TABLE categories (
            categorie VARCHAR NOT NULL,
            sous_categorie VARCHAR NOT NULL,
            type_objet VARCHAR,
            routage VARCHAR NOT NULL,
            formulaire_contact BOOLEAN NOT NULL
        );
        """,
    ),
    (
        "0002_sollicitations",
        """
        CREATE SEQUENCE sollicitations_numero START 1;
        CREATE TABLE sollicitations (
            numero BIGINT PRIMARY KEY,
            statut VARCHAR NOT NULL,
            categorie VARCHAR NOT NULL,
            sous_categorie VARCHAR NOT NULL,
            type_objet VARCHAR,
            numero_objet VARCHAR,
            objet_id BIGINT,
            emetteur_id VARCHAR,                  -- NULL for "Nous contacter" requests
            service_emetteur_id BIGINT,
            email VARCHAR,
            telephone VARCHAR,
            description VARCHAR NOT NULL,
            destinataire_id VARCHAR,
            service_destinataire_id BIGINT,
            assigne_a VARCHAR,
            cree_par VARCHAR,
            contact BOOLEAN NOT NULL DEFAULT false,
            renvoyee BOOLEAN NOT NULL DEFAULT false,
            resolue BOOLEAN,
            saisie_le TIMESTAMP NOT NULL,
            envoyee_le TIMESTAMP,
            cloturee_le TIMESTAMP,
            modifiee_le TIMESTAMP NOT NULL
        );
        CREATE SEQUENCE historique_id START 1;
        CREATE TABLE historique (
            id BIGINT PRIMARY KEY,
            numero BIGINT NOT NULL,
            date TIMESTAMP NOT NULL,
            login VARCHAR,
            action VARCHAR NOT NULL,
            ancien_statut VARCHAR,
            nouveau_statut VARCHAR NOT NULL,
            commentaire VARCHAR
        );
        CREATE SEQUENCE commentaires_id START 1;
        CREATE TABLE commentaires (
            id BIGINT PRIMARY KEY,
            numero BIGINT NOT NULL,
            date TIMESTAMP NOT NULL,
            login VARCHAR,
            cote VARCHAR NOT NULL,                -- 'emetteur' or 'destinataire'
            texte VARCHAR NOT NULL
        );
        CREATE SEQUENCE pieces_jointes_id START 1;
        CREATE TABLE pieces_jointes (
            id BIGINT PRIMARY KEY,
            numero BIGINT NOT NULL,
            type VARCHAR NOT NULL,
            designation VARCHAR NOT NULL,
            extension VARCHAR NOT NULL,
            nom_fichier VARCHAR NOT NULL,
            taille BIGINT NOT NULL,
            sha256 VARCHAR NOT NULL,
            cote VARCHAR NOT NULL,
            ajoutee_par VARCHAR,
            ajoutee_le TIMESTAMP NOT NULL
        );
        -- Contents apart, so that listing attachments never reads their bytes.
        CREATE TABLE pieces_jointes_contenu (
            id BIGINT PRIMARY KEY,
            contenu BYTEA NOT NULL                -- BYTEA: DuckDB's BLOB, PostgreSQL's bytea
        );
        """,
    ),
    (
        "0003_mail_and_contact",
        """
        CREATE SEQUENCE outbox_id START 1;
        CREATE TABLE outbox (
            id BIGINT PRIMARY KEY,
            numero BIGINT,
            kind VARCHAR NOT NULL,
            to_addr VARCHAR NOT NULL,
            subject VARCHAR NOT NULL,
            text_body VARCHAR NOT NULL,
            html_body VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            status VARCHAR NOT NULL,               -- pending, sending, sent, failed
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TIMESTAMP NOT NULL,
            claimed_at TIMESTAMP,
            sent_at TIMESTAMP,
            last_error VARCHAR
        );
        CREATE TABLE captchas (
            token VARCHAR PRIMARY KEY,
            answer_hash VARCHAR NOT NULL,
            expires_at TIMESTAMP NOT NULL,
            used BOOLEAN NOT NULL DEFAULT false
        );
        CREATE TABLE contact_attempts (
            client VARCHAR NOT NULL,
            tente_le TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        "0004_local_accounts",
        """
        ALTER TABLE users ADD COLUMN password_hash VARCHAR;
        ALTER TABLE users ADD COLUMN failed_logins INTEGER DEFAULT 0;
        ALTER TABLE users ADD COLUMN locked_until TIMESTAMP;
        """,
    ),
    (
        "0005_full_text",
        """
        -- The full-text index: one row per distinct word of a request's description and exchanges.
        -- Kept in step by the writes below, in their transactions; rebuild_words() sorts it by word
        -- so that a search reads only the blocks of its words (zone maps), not every row.
        CREATE TABLE mots (
            mot VARCHAR NOT NULL,
            numero BIGINT NOT NULL
        );
        """,
    ),
    (
        "0006_first_steps",
        """
        -- What the managers' delays and reopen rates read, kept on the request by append_history()
        -- instead of being searched for in the whole history at each figure (400 ms at 1M requests).
        ALTER TABLE sollicitations ADD COLUMN premier_envoi_le TIMESTAMP;
        ALTER TABLE sollicitations ADD COLUMN premiere_reponse_le TIMESTAMP;
        ALTER TABLE sollicitations ADD COLUMN premiere_cloture_le TIMESTAMP;
        ALTER TABLE sollicitations ADD COLUMN rouverte BOOLEAN DEFAULT false;
        """,
    ),
    (
        "0007_habilitation_lookups",
        """
        -- Every mail to a structure's agents and every login read the habilitations of one structure
        -- or one user: a lookup, not a scan of ~70k rows (9 ms of each sending at 1M requests).
        CREATE INDEX habilitations_structure ON habilitations (structure_id);
        CREATE INDEX habilitations_login ON habilitations (login);
        """,
    ),
    (
        "0008_structure_keys",
        """
        -- A request's emitter and recipient also as numbers (STRUCTURE_KEYS): what lists filter on and
        -- dashboards group by, at a third of the cost of their 14-character text.
        ALTER TABLE sollicitations ADD COLUMN emetteur_cle BIGINT;
        ALTER TABLE sollicitations ADD COLUMN destinataire_cle BIGINT;
        """,
    ),
    ("0009_postgresql_lookups", "-- POSTGRESQL_LOOKUPS, on PostgreSQL only (see its follow-up)"),
    (
        "0010_login_failures",
        """
        -- Wrong passwords counted per account and client: a guesser locks the account for itself, not
        -- for its owner elsewhere; each lock lasts longer than the one before (`locks`).
        CREATE TABLE login_failures (
            login VARCHAR NOT NULL,
            client VARCHAR NOT NULL,
            failures INTEGER NOT NULL DEFAULT 0,
            locks INTEGER NOT NULL DEFAULT 0,
            locked_until TIMESTAMP,
            PRIMARY KEY (login, client)
        );
        """,
    ),
    (
        "0011_contact_clients",
        """
        -- One row per client of "Nous contacter", updated by each deposit before it counts the client's
        -- attempts: concurrent deposits of one client take turns on it, so the limit cannot be outrun.
        CREATE TABLE contact_clients (
            client VARCHAR PRIMARY KEY,
            derniere_tentative TIMESTAMP NOT NULL
        );
        """,
    ),
    (
        "0012_sessions",
        """
        -- Server-side login sessions: the cookie carries a random token, stored here only as its hash,
        -- so that logout, a new password or a lock revoke it at once (a signed cookie alone cannot be).
        CREATE TABLE sessions (
            token_hash VARCHAR PRIMARY KEY,
            login VARCHAR NOT NULL,
            client VARCHAR,
            created_at TIMESTAMP NOT NULL,
            expires_at TIMESTAMP NOT NULL,
            revoked_at TIMESTAMP
        );
        """,
    ),
]
# DuckDB finds a request's history, its words or a status's requests from the min/max kept per block
# of rows (the tables are stored in number order, the words in word order), with no index to keep up
# on each write. PostgreSQL has no such summaries: without these it reads the whole table each time
# (a request's detail 72 ms, a full-text search 250-800 ms at 100k requests).
POSTGRESQL_LOOKUPS = """
    CREATE INDEX IF NOT EXISTS historique_numero ON historique (numero);
    CREATE INDEX IF NOT EXISTS commentaires_numero ON commentaires (numero);
    CREATE INDEX IF NOT EXISTS pieces_jointes_numero ON pieces_jointes (numero);
    CREATE INDEX IF NOT EXISTS mots_mot ON mots (mot, numero);
    CREATE INDEX IF NOT EXISTS mots_numero ON mots (numero);
    CREATE INDEX IF NOT EXISTS objets_numero ON objets (numero, type);
    CREATE INDEX IF NOT EXISTS sollicitations_emetteur ON sollicitations (emetteur_cle, statut);
    CREATE INDEX IF NOT EXISTS sollicitations_destinataire ON sollicitations (destinataire_cle, statut);
    CREATE INDEX IF NOT EXISTS sollicitations_saisie ON sollicitations (saisie_le);
    CREATE INDEX IF NOT EXISTS sollicitations_numero_objet ON sollicitations (numero_objet);
    CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
"""


def _postgresql_lookups(store, cur) -> None:
    if store.dialect == POSTGRESQL:
        for statement in _statements(POSTGRESQL_LOOKUPS):
            cur.execute(statement)



# Migrations that need more than their SQL text: what to run after it, in the same transaction.
MIGRATION_FOLLOW_UPS: dict[str, Callable[[Any, Any], None]] = {
    "0005_full_text": lambda store, cur: store.rebuild_words(cur),  # index what earlier versions stored
    "0006_first_steps": lambda store, cur: store.rebuild_first_steps(cur),
    "0008_structure_keys": lambda store, cur: store.rebuild_structure_keys(cur),
    "0009_postgresql_lookups": _postgresql_lookups,
}
# The first steps of a request, as its history tells them: (column, SQL over historique h).
FIRST_STEPS = {
    "premier_envoi_le": "min(CASE WHEN h.nouveau_statut = 'envoyee' THEN h.date END)",
    "premiere_reponse_le": "min(CASE WHEN h.action = 'respond' THEN h.date END)",
    "premiere_cloture_le": "min(CASE WHEN h.nouveau_statut = 'fermee' THEN h.date END)",
    "rouverte": "bool_or(h.action = 'reopen')",
}

# Words a full-text search ignores: too common in French to tell requests apart.
STOP_WORDS = (
    "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du", "elle", "en", "est", "et", "il",
    "ils", "je", "la", "le", "les", "leur", "leurs", "mais", "me", "mes", "ne", "nos", "notre", "nous",
    "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sont", "sur", "ta",
    "te", "tes", "ton", "un", "une", "vos", "votre", "vous", "etre", "avoir", "ete", "ai", "as", "avons",
    "avez", "ont", "y", "bonjour", "merci", "cordialement", "madame", "monsieur",
)  # fmt: skip
MAX_WORD_LENGTH = 40


def _accent_table() -> tuple[str, str, list[tuple[str, str]]]:
    """Lower-case Latin letters with diacritics (Latin-1 and Extended-A): those that lose their accent to
    one letter, the letters they become, and the others with what they become ("ĳ" -> "ij")."""
    accented, plain, longer = [], [], [("œ", "oe"), ("æ", "ae")]
    for code in range(0xC0, 0x180):
        letter = chr(code).lower()
        base = "".join(c for c in unicodedata.normalize("NFKD", letter) if not unicodedata.combining(c))
        if len(letter) != 1 or letter in accented or letter in dict(longer) or base == letter:
            continue
        if len(base) == 1 and "a" <= base <= "z":
            accented.append(letter)
            plain.append(base)
        else:
            longer.append((letter, base))
    return "".join(accented), "".join(plain), longer


# For translate() and replace(), which run on DuckDB and PostgreSQL alike (neither strip_accents nor
# unaccent does).
_ACCENTED, _UNACCENTED, _LONGER = _accent_table()


def _plain_sql(text: str) -> str:
    for letter, base in _LONGER:
        text = f"replace({text}, '{letter}', '{base}')"
    return f"translate({text}, '{_ACCENTED}', '{_UNACCENTED}')"


_PLAIN_TABLE = str.maketrans(_ACCENTED, _UNACCENTED)
# What separates the words of a structure search: blanks and the punctuation of names ("Saint-Aubin",
# "d'appel"). LIKE's own "%" and "_" are not among them: they are searched as they are.
_STRUCTURE_WORD_SEPARATORS = re.compile(r"[\s\-'’,.;:/()]+")
MAX_STRUCTURE_WORDS = 12


def structure_search_words(text: str) -> list[str]:
    """The words of a structure search, folded as `_plain_sql("lower(...)")` folds the stored text:
    lower case, then the same ligatures and accents undone. Distinct, in order, at most 12."""
    plain = text.lower()
    for letter, base in _LONGER:
        plain = plain.replace(letter, base)
    plain = plain.translate(_PLAIN_TABLE)
    words = [w for w in _STRUCTURE_WORD_SEPARATORS.split(plain) if w]
    return list(dict.fromkeys(words))[:MAX_STRUCTURE_WORDS]


def words_sql(source: str) -> str:
    """SQL of the distinct (mot, numero) pairs of `source`, a query of (numero, texte) rows.

    The one definition of a word, for the index and for a search's terms alike: lower case, accents
    and ligatures undone, split on anything but letters and digits, 2 to 40 characters, stop words
    out. Its one bound value is the stop-word list.
    """
    return f"""
        SELECT DISTINCT w AS mot, numero FROM (
            SELECT numero, unnest(regexp_split_to_array(
                       {_plain_sql("lower(texte)")},
                       '[^a-z0-9]+')) AS w
            FROM ({source}) src
        ) words
        WHERE length(w) BETWEEN 2 AND {MAX_WORD_LENGTH} AND NOT (w = ANY(?))
    """


# Every table of the schema, and the sequence numbering each table that has one: what moves when a
# whole store is copied (a DuckDB world into PostgreSQL, see copy_into).
TABLES = (
    "structures", "services", "users", "habilitations", "objets", "categories", "sollicitations",
    "historique", "commentaires", "pieces_jointes", "pieces_jointes_contenu", "outbox", "captchas",
    "contact_attempts", "mots", "login_failures", "contact_clients", "sessions",
)  # fmt: skip
SEQUENCES = {
    "services_id": ("services", "id"), "objets_id": ("objets", "id"),
    "sollicitations_numero": ("sollicitations", "numero"), "historique_id": ("historique", "id"),
    "commentaires_id": ("commentaires", "id"), "pieces_jointes_id": ("pieces_jointes", "id"),
    "outbox_id": ("outbox", "id"),
}  # fmt: skip

SOLLICITATION_COLUMNS = (
    "numero", "statut", "categorie", "sous_categorie", "type_objet", "numero_objet", "objet_id",
    "emetteur_id", "service_emetteur_id", "email", "telephone", "description", "destinataire_id",
    "service_destinataire_id", "assigne_a", "cree_par", "contact", "renvoyee", "resolue",
    "saisie_le", "envoyee_le", "cloturee_le", "modifiee_le",
)  # fmt: skip
_UPDATABLE = frozenset(SOLLICITATION_COLUMNS) - {"numero", "saisie_le", "cree_par", "contact"}

# A structure's identifier is 14 digits (rules.is_structure_id): each request also keeps its emitter's
# and its recipient's as a number, written with them (insert_sollicitation, update_sollicitation). Lists
# filter and dashboards group on those: over a million requests a filter on three structures took 23 ms
# on the text and 8 ms on the number, a count per structure and status 101 ms and 41 ms.
STRUCTURE_KEYS = {"emetteur_id": "emetteur_cle", "destinataire_id": "destinataire_cle"}


def structure_key(structure_id: str | None) -> int | None:
    """The number an identifier stands for; -1 (no request has it) for a text that is not one."""
    if structure_id is None:
        return None
    return int(structure_id) if rules.is_structure_id(structure_id) else -1


def _structure_id_sql(key: str) -> str:
    """SQL of the identifier a key column stands for (its 14 digits, leading zeros back)."""
    return f"lpad(CAST({key} AS VARCHAR), 14, '0')"


def _with_structure_keys(values: dict) -> dict:
    return {**values, **{key: structure_key(values[column]) for column, key in STRUCTURE_KEYS.items() if column in values}}


# The columns a dashboard can group by, per side: (structure key column, service column).
DASHBOARD_SIDES = {
    "emetteur": ("emetteur_cle", "service_emetteur_id"),
    "destinataire": ("destinataire_cle", "service_destinataire_id"),
}
STATUS_CODES = tuple(s.value for s in Status)  # also column names of status_counts()
# What a monthly chart can split by -> column.
MONTHLY_BY = {"statut": "statut", "categorie": "categorie"}
# What delays and reopen rates can be grouped by -> (column, what it shows as `cle`).
DELAY_BY = {"destinataire": ("destinataire_cle", _structure_id_sql("cle")), "categorie": ("categorie", "cle")}
# Sort keys a list may ask for -> ORDER BY clause.
SORTS = {
    "recent": "s.modifiee_le DESC, s.numero DESC",
    "numero": "s.numero DESC",
    "saisie": "s.saisie_le DESC, s.numero DESC",
    # The receivers' "à traiter" list: a request the emitter re-sent (complement, reopening) stays on
    # top, flagged, until an agent acts on it (the desk's actions clear `renvoyee`); then newest first,
    # as every list of the app (its "Saisie le" column shows the order).
    "a_traiter": "s.renvoyee DESC, s.saisie_le DESC, s.numero DESC",
}


@dataclass(frozen=True)
class Scope:
    """Which requests a list may show: decided by access.py, turned into SQL here."""

    emitter_structures: tuple[str, ...] = ()
    recipient_structures: tuple[str, ...] = ()
    everything: bool = False

    def sql(self) -> tuple[str, list[Any]]:
        if self.everything:
            return "true", []
        parts, params = [], []
        if self.emitter_structures:
            parts.append(_in("s.emetteur_cle", self.emitter_structures))
            params += [structure_key(i) for i in self.emitter_structures]
        if self.recipient_structures:
            # Drafts are the emitter's own work: receivers never see them.
            parts.append(f"({_in('s.destinataire_cle', self.recipient_structures)} AND s.statut <> 'brouillon')")
            params += [structure_key(i) for i in self.recipient_structures]
        return ("(" + " OR ".join(parts) + ")" if parts else "false"), params


def _in(column: str, values: Sequence) -> str:
    """`column IN (?, ?, ...)`: a list of values DuckDB pushes into the scan as an IN filter (with
    `= ANY(?)` and a list it joins the list instead: 20% slower over a million requests)."""
    return f"{column} IN ({', '.join('?' * len(values))})"


@dataclass
class Filters:
    """Search criteria already checked and resolved to stored values (see queries.py)."""

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

    def sql(self) -> tuple[str, list[Any]]:
        parts: list[str] = []
        params: list[Any] = []

        def add(clause: str, *values: Any) -> None:
            parts.append(clause)
            params.extend(values)

        if self.numero is not None:
            add("s.numero = ?", self.numero)
        if self.categorie:
            add("s.categorie = ?", self.categorie)
        if self.sous_categorie:
            add("s.sous_categorie = ?", self.sous_categorie)
        if self.numero_objet:
            add("s.numero_objet = ?", self.numero_objet)
        if self.du:
            add("s.saisie_le >= ?", datetime.combine(self.du, datetime.min.time()))
        if self.au:
            add("s.saisie_le < ?", datetime.combine(self.au + timedelta(days=1), datetime.min.time()))
        if self.structure:
            add("s.emetteur_cle = ?", structure_key(self.structure))
        if self.sans_structure:
            add("s.emetteur_id IS NULL")
        if self.service_emetteur is not None:
            add("s.service_emetteur_id = ?", self.service_emetteur)
        if self.sans_service_emetteur:
            add("s.service_emetteur_id IS NULL")
        if self.destinataire:
            add("s.destinataire_cle = ?", structure_key(self.destinataire))
        if self.sans_destinataire:
            add("s.destinataire_id IS NULL")
        if self.service_destinataire is not None:
            add("s.service_destinataire_id = ?", self.service_destinataire)
        if self.sans_service_destinataire:
            add("s.service_destinataire_id IS NULL")
        if self.cree_par:
            pattern = "%" + _escape_like(self.cree_par.lower()) + "%"
            add(
                "s.cree_par IN (SELECT u.login FROM users u WHERE lower(u.login) LIKE ? ESCAPE '\\'"
                " OR lower(u.nom || ' ' || u.prenom) LIKE ? ESCAPE '\\'"
                " OR lower(u.prenom || ' ' || u.nom) LIKE ? ESCAPE '\\')",
                pattern, pattern, pattern,
            )  # fmt: skip
        if self.statuts:
            add(_in("s.statut", self.statuts), *self.statuts)
        if self.renvoyee is not None:
            add("s.renvoyee = ?", self.renvoyee)
        if self.assigne_a:
            add("s.assigne_a = ?", self.assigne_a)
        if self.mots:
            # Each word a range on the sorted words, which zone maps answer (every word starting with it);
            # the words' numbers are intersected before they meet the requests.
            ranges, values = [], []
            for word in self.mots:
                end = _prefix_end(word)
                ranges.append("SELECT numero FROM mots WHERE mot >= ?" + (" AND mot < ?" if end else ""))
                values += [word, end] if end else [word]
            add(f"s.numero IN ({' INTERSECT '.join(ranges)})", *values)
        return (" AND ".join(parts) if parts else "true"), params


_WORD_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"  # what a stored word is made of, in order


def _prefix_end(prefix: str) -> str | None:
    """The first word after every word starting with `prefix` (None: there is none): "fact" -> "facu",
    "faz" -> "fb". Built from the words' own alphabet, so that the range holds under a binary order and
    under PostgreSQL's linguistic collations alike (which ignore punctuation such as "{")."""
    while prefix:
        last = _WORD_ALPHABET.index(prefix[-1])
        if last + 1 < len(_WORD_ALPHABET):
            return prefix[:-1] + _WORD_ALPHABET[last + 1]
        prefix = prefix[:-1]
    return None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# The list screens share one projection; queries.py gives the columns their French names.
_LIST_SELECT = """
    SELECT s.numero, s.statut, s.categorie, s.sous_categorie, s.numero_objet, s.saisie_le,
           s.modifiee_le, s.renvoyee, s.contact,
           s.emetteur_id, e.designation AS emetteur_designation, se.libelle AS service_emetteur,
           s.destinataire_id, d.designation AS destinataire_designation,
           sd.libelle AS service_destinataire,
           s.cree_par, u.nom AS cree_par_nom, u.prenom AS cree_par_prenom,
           s.assigne_a, a.nom AS assigne_nom, a.prenom AS assigne_prenom
    FROM sollicitations s
    LEFT JOIN structures e ON e.id = s.emetteur_id
    LEFT JOIN services se ON se.id = s.service_emetteur_id
    LEFT JOIN structures d ON d.id = s.destinataire_id
    LEFT JOIN services sd ON sd.id = s.service_destinataire_id
    LEFT JOIN users u ON u.login = s.cree_par
    LEFT JOIN users a ON a.login = s.assigne_a
"""


_PAGE_COLUMNS = """
    s.numero, s.statut, s.categorie, s.sous_categorie, s.numero_objet, s.saisie_le, s.modifiee_le,
    s.renvoyee, s.contact, s.emetteur_id, s.service_emetteur_id, s.destinataire_id,
    s.service_destinataire_id, s.cree_par, s.assigne_a
"""


def _page_of(where: str, order: str) -> str:
    """A page of a list and the total, in one pass over the requests: the matches are found once (for
    the count and the page), the page's numbers chosen on them alone, and only those rows are read.
    Their labels are looked up apart (Store._labelled): joining the whole users and structures tables
    cost a hash table of each, 25 ms at 1M requests, for a page of 50 rows.
    Its values: the WHERE's, then LIMIT and OFFSET. Columns: `total`, then _PAGE_COLUMNS."""
    return f"""
        WITH matches AS MATERIALIZED (
            SELECT s.numero, s.saisie_le, s.modifiee_le, s.renvoyee FROM sollicitations s WHERE {where}
        ), page AS (SELECT s.numero FROM matches s ORDER BY {order} LIMIT ? OFFSET ?)
        SELECT (SELECT count(*) FROM matches) AS total, {_PAGE_COLUMNS}
        FROM page JOIN sollicitations s ON s.numero = page.numero
        ORDER BY {order}
    """


# What Store._labelled adds to a page, table by table: (table, its key) -> the page's columns that
# hold that key -> {the table's column: the label column it gives the page}.
_PAGE_LABELS = {
    ("structures", "id"): {
        "emetteur_id": {"designation": "emetteur_designation"},
        "destinataire_id": {"designation": "destinataire_designation"},
    },
    ("services", "id"): {
        "service_emetteur_id": {"libelle": "service_emetteur"},
        "service_destinataire_id": {"libelle": "service_destinataire"},
    },
    ("users", "login"): {
        "cree_par": {"nom": "cree_par_nom", "prenom": "cree_par_prenom"},
        "assigne_a": {"nom": "assigne_nom", "prenom": "assigne_prenom"},
    },
}


READ_ONLY_MESSAGE = (
    "Cette base est ouverte en lecture seule (instantané publié par l'application) : "
    "aucune modification n'est possible ici."
)


class StaleRead(WriteConflict):
    """A use case found that what it read changed before its write: Store.run starts it again."""


class ReadOnly(PermissionDenied):
    """A write through a read-only desk (a notebook's snapshot)."""


_CONFLICT_MESSAGE = (
    "Un autre utilisateur a modifié cette sollicitation au même moment. "
    "Veuillez recharger la page et réessayer."
)


class Store:
    """One DuckDB database, shared by the threads of one process (a cursor per thread)."""

    RETRIES = 8

    def __init__(self, path: str | Path = ":memory:", read_only: bool = False):
        """A DuckDB file (or ":memory:"), or a PostgreSQL database given as a postgresql:// URL."""
        self.path = str(path)
        self.read_only = read_only
        self.db = open_database(path, read_only=read_only)
        self.dialect = self.db.dialect
        self.writes = 0  # committed use cases: the snapshot publisher and the figures' cache compare it
        self.private_copy: Path | None = None  # a reader's own copy (snapshot.private_copy), deleted on close
        self._figures: OrderedDict[tuple, tuple[int, pd.DataFrame]] = OrderedDict()
        self._figures_lock = threading.Lock()
        self._labels: dict[str, OrderedDict] = {}  # table -> key -> its names (see _labelled)
        if not read_only:
            self.migrate()

    # -- connections and transactions -------------------------------------------------

    def cursor(self):
        """This thread's cursor (database.py: a DuckDB cursor, or a PostgreSQL connection, per thread)."""
        return self.db.cursor()

    def close(self) -> None:
        """Close the database (and delete it, if it is a reader's private copy); closing twice is harmless."""
        self.db.close()
        if self.private_copy is not None:
            shutil.rmtree(self.private_copy, ignore_errors=True)

    @contextmanager
    def transaction(self):
        if self.read_only:
            raise ReadOnly(READ_ONLY_MESSAGE)
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        else:
            cur.execute("COMMIT")

    def run(self, work: Callable[[Any], T]) -> T:
        """Run `work` in one transaction, again from the start when a concurrent write conflicts.

        `work` must read what it decides on inside the transaction, so that a retry sees the
        other writer's change (and, say, refuses a transition that is no longer allowed).
        """
        for attempt in range(self.RETRIES):
            try:
                with self.transaction() as cur:
                    result = work(cur)
                self.writes += 1
                return result
            except WriteConflict:
                if attempt == self.RETRIES - 1:
                    raise ConflictError(_CONFLICT_MESSAGE) from None
                # Writers that collided would collide again at once: each waits a little, at random.
                time.sleep(random.uniform(0, 0.005 * 2**attempt))
        raise AssertionError("unreachable")

    def data_version(self) -> Any:
        """A value that changes whenever the data may have. DuckDB: this process's committed writes (one
        process writes a DuckDB file; a read-only snapshot never changes). PostgreSQL, where other
        processes write: the current snapshot (next transaction id and those in progress); two equal
        snapshots mean that no transaction committed in between."""
        if self.dialect == POSTGRESQL:
            return self.cursor().execute("SELECT CAST(pg_current_snapshot() AS VARCHAR)").fetchone()[0]
        return self.writes

    def query_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        return self.cursor().execute(sql, list(params)).df()

    FIGURES_KEPT = 256

    def forget_figures(self) -> None:
        """Drop the kept figures (what a commit does to them): the benchmarks' first reader after a write."""
        with self._figures_lock:
            self._figures.clear()

    def figure_df(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """query_df for the read-mostly figures (dashboards, managers' charts), kept until the data
        changes (data_version): a manager's tab asks for the same aggregates over every request again
        and again, and only a write can change them."""
        key = (sql, _hashable(params))
        version = self.data_version()  # read before the query: a write during it makes the result stale at once
        with self._figures_lock:
            kept = self._figures.get(key)
            if kept is not None and kept[0] == version:
                self._figures.move_to_end(key)
                return kept[1].copy()
        frame = self.query_df(sql, params)
        with self._figures_lock:
            self._figures[key] = (version, frame)
            self._figures.move_to_end(key)
            while len(self._figures) > self.FIGURES_KEPT:
                self._figures.popitem(last=False)
        return frame.copy()

    # -- schema -------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, each in its own transaction; return their names."""
        cur = self.cursor()
        if self.dialect == POSTGRESQL:
            # App processes starting together: one migrates, the others wait, then find it done.
            cur.execute("BEGIN TRANSACTION")
            cur.execute("SELECT pg_advisory_xact_lock(20261128)")
        cur.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)"
        )
        if self.dialect == POSTGRESQL:
            cur.execute("COMMIT")
        applied = []
        for name, script in MIGRATIONS:
            with self.transaction() as tx:
                if self.dialect == POSTGRESQL:
                    tx.execute("SELECT pg_advisory_xact_lock(20261128)")
                if tx.execute("SELECT count(*) FROM schema_migrations WHERE name = ?", [name]).fetchone()[0]:
                    continue
                for statement in _statements(script):
                    tx.execute(statement)
                if name in MIGRATION_FOLLOW_UPS:
                    MIGRATION_FOLLOW_UPS[name](self, tx)
                tx.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, datetime.now()])
            applied.append(name)
        return applied

    def copy_to(self, target: Path, published_at: datetime) -> None:
        """A consistent copy of the whole database into a new file (one read transaction).

        DuckDB-only (ATTACH and COPY FROM DATABASE): PostgreSQL deployments read live instead.
        """
        cur = self.db.new_cursor()
        source = cur.execute("SELECT current_database()").fetchone()[0]
        cur.execute(f"ATTACH '{_quote(target)}' AS snapshot_target")
        try:
            cur.execute(f'COPY FROM DATABASE "{source}" TO snapshot_target')
            cur.execute("CREATE TABLE snapshot_target.snapshot_info (published_at TIMESTAMP NOT NULL)")
            cur.execute("INSERT INTO snapshot_target.snapshot_info VALUES (?)", [published_at])
        finally:
            cur.execute("DETACH snapshot_target")
            cur.close()

    @staticmethod
    def stamp_copy(path: Path, published_at: datetime) -> None:
        """Make a private file copy of a DuckDB database (and its .wal) read like a published snapshot:
        its WAL replayed into the file, and the moment it was taken stored as copy_to does."""
        db = open_database(path)
        try:
            cur = db.cursor()
            cur.execute("CREATE TABLE IF NOT EXISTS snapshot_info (published_at TIMESTAMP NOT NULL)")
            cur.execute("INSERT INTO snapshot_info VALUES (?)", [published_at])
            cur.execute("CHECKPOINT")
        finally:
            db.close()

    def copy_into(self, target: Store) -> dict[str, int]:
        """Every row of this DuckDB store into a PostgreSQL store, whose tables are emptied first, in one
        transaction; its sequences then follow the copied numbers. Rows per table."""
        from .transfer import copy_database

        copied = copy_database(self.db, target.db, TABLES, SEQUENCES, clear=True)
        target.writes += 1
        return copied

    def published_at(self) -> datetime | None:
        """When the snapshot this store reads was published; None for a live database."""
        if self.dialect == POSTGRESQL:
            return None  # read live: there are no snapshots of a PostgreSQL store
        try:
            row = self.cursor().execute("SELECT max(published_at) FROM snapshot_info").fetchone()
        except UndefinedObject:
            return None
        return row[0]

    def replace_catalogue(self, rows: Iterable[tuple]) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM categories")
            cur.executemany("INSERT INTO categories VALUES (?, ?, ?, ?, ?)", list(rows))

    def count_sollicitations(self) -> int:
        return self.cursor().execute("SELECT count(*) FROM sollicitations").fetchone()[0]

    def is_empty(self) -> bool:
        return self.cursor().execute("SELECT count(*) FROM structures").fetchone()[0] == 0

    # -- directory ----------------------------------------------------------------------

    def add_structure(self, cur, id, designation, publique, service_etat=False, bureau=None):
        if not rules.is_structure_id(id):
            raise ValidationError(rules.IDENTIFIANT_STRUCTURE_INVALIDE)
        cur.execute(
            "INSERT INTO structures VALUES (?, ?, ?, ?, ?)",
            [id, designation, publique, service_etat, bureau],
        )

    def add_service(self, cur, structure_id, code, libelle) -> int:
        return cur.execute(
            "INSERT INTO services VALUES (nextval('services_id'), ?, ?, ?) RETURNING id",
            [structure_id, code, libelle],
        ).fetchone()[0]

    def add_user(self, cur, login, nom, prenom, email=None, telephone=None):
        cur.execute(
            "INSERT INTO users (login, nom, prenom, email, telephone) VALUES (?, ?, ?, ?, ?)",
            [login, nom, prenom, email, telephone],
        )

    def add_habilitation(self, cur, login, structure_id, role, droit_modification=True):
        cur.execute(
            "INSERT INTO habilitations VALUES (?, ?, ?, ?)",
            [login, structure_id, role, droit_modification],
        )

    def add_objet(self, cur, type, numero, emetteur_id, destinataire_id, service_destinataire_id, statut) -> int:
        return cur.execute(
            "INSERT INTO objets VALUES (nextval('objets_id'), ?, ?, ?, ?, ?, ?) RETURNING id",
            [type, numero, emetteur_id, destinataire_id, service_destinataire_id, statut],
        ).fetchone()[0]

    def user(self, login: str) -> dict | None:
        return self._one("SELECT * FROM users WHERE login = ?", [login])

    def habilitations(self, login: str) -> list[dict]:
        return self._all(
            "SELECT structure_id, role, droit_modification FROM habilitations WHERE login = ?"
            " ORDER BY structure_id, role",
            [login],
        )

    def structure(self, structure_id: str, cur=None) -> dict | None:
        return self._one("SELECT * FROM structures WHERE id = ?", [structure_id], cur)

    def structures(self, ids: Sequence[str]) -> list[dict]:
        return self._all("SELECT * FROM structures WHERE id = ANY(?) ORDER BY id", [list(ids)])

    def designations(self, ids: Sequence[str]) -> dict[str, str]:
        """id -> designation, for labelling figures of thousands of structures (kept, as a page's names)."""
        found = self._kept_labels("structures", "id", ["designation"], set(ids))
        return {k: v["designation"] for k, v in found.items()}

    def bureau_structure(self, bureau: str, cur=None) -> dict | None:
        return self._one(
            "SELECT * FROM structures WHERE bureau = ? ORDER BY id LIMIT 1", [bureau], cur
        )

    def search_structures(
        self, text: str, publique: bool | None = True, service_etat: bool | None = None, limit: int = 50
    ) -> list[dict]:
        """Structures whose name and identifier hold every word of `text`, in any order, case and accents
        aside ("college jean" finds "Jean Moulin, COLLÈGE"); no word at all: every structure.

        Each word is a bound LIKE pattern over the folded text (the same folding as full-text words, see
        `_plain_sql`), so the statement is the same on DuckDB and PostgreSQL.
        """
        words = structure_search_words(text)
        folded = _plain_sql("lower(coalesce(designation, '') || ' ' || id)")
        matches = "".join(f" AND {folded} LIKE ? ESCAPE '\\'" for _ in words)
        return self._all(
            "SELECT * FROM structures WHERE (CAST(? AS BOOLEAN) IS NULL OR publique = ?)"
            " AND (CAST(? AS BOOLEAN) IS NULL OR service_etat = ?)" + matches + " ORDER BY designation, id LIMIT ?",
            [publique, publique, service_etat, service_etat, *["%" + _escape_like(w) + "%" for w in words], limit],
        )

    def services(self, structure_id: str) -> list[dict]:
        return self._all(
            "SELECT * FROM services WHERE structure_id = ? ORDER BY libelle, id", [structure_id]
        )

    def service(self, service_id: int | None, cur=None) -> dict | None:
        if service_id is None:
            return None
        return self._one("SELECT * FROM services WHERE id = ?", [service_id], cur)

    def find_service(self, structure_id: str, code_or_label: str, cur=None) -> dict | None:
        return self._one(
            "SELECT * FROM services WHERE structure_id = ? AND (code = ? OR libelle = ?)"
            " ORDER BY id LIMIT 1",
            [structure_id, code_or_label, code_or_label],
            cur,
        )

    def agents(self, structure_id: str, cur=None) -> list[dict]:
        """Users who may act on requests addressed to the structure."""
        agents = self._acting_agents(structure_id, ["login", "nom", "prenom"], cur)
        return sorted(agents, key=lambda a: (a["nom"], a["prenom"]))

    def _acting_agents(self, structure_id: str, columns: list[str], cur=None) -> list[dict]:
        """The agents (and support) with the right to act on the structure's requests, read in two
        primary-key or indexed lookups: their logins, then their rows (a join would scan and hash
        the whole users table)."""
        cur = cur or self.cursor()
        logins = sorted({row[0] for row in cur.execute(
            "SELECT login, role, droit_modification FROM habilitations WHERE structure_id = ?", [structure_id]
        ).fetchall() if row[1] in ("agent", "support") and row[2]})  # fmt: skip
        if not logins:
            return []
        return self._all(
            f"SELECT {', '.join(columns)} FROM users WHERE login IN ({', '.join('?' * len(logins))})", logins, cur
        )

    def objet(self, type: str, numero: str, cur=None) -> dict | None:
        return self._one("SELECT * FROM objets WHERE type = ? AND numero = ?", [type, numero], cur)

    # -- sollicitations -----------------------------------------------------------------

    def next_numero(self, cur) -> int:
        return cur.execute("SELECT nextval('sollicitations_numero')").fetchone()[0]

    def insert_sollicitation(self, cur, row: dict) -> None:
        row = _with_structure_keys(row)
        columns = [c for c in (*SOLLICITATION_COLUMNS, *STRUCTURE_KEYS.values()) if c in row]
        cur.execute(
            f"INSERT INTO sollicitations ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
            [row[c] for c in columns],
        )
        self._index_words(cur, row["numero"], row["description"])

    def update_sollicitation(self, cur, numero: int, expected_status: str, changes: dict) -> bool:
        """Change a request only if it still has `expected_status`; False when it does not."""
        unknown = set(changes) - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        changes = _with_structure_keys(changes)
        columns = sorted(changes)
        assignments = ", ".join(f"{c} = ?" for c in columns)
        found = cur.execute(
            f"UPDATE sollicitations SET {assignments} WHERE numero = ? AND statut = ? RETURNING numero",
            [changes[c] for c in columns] + [numero, expected_status],
        ).fetchall()
        if found and "description" in changes:
            self._reindex_words(cur, numero)
        return bool(found)

    def delete_sollicitation(self, cur, numero: int, expected_status: str) -> bool:
        """Delete a request and all it holds, only if it still has `expected_status`; False when not."""
        # The request's row first: under PostgreSQL a concurrent change of it makes this find no row.
        if not cur.execute(
            "DELETE FROM sollicitations WHERE numero = ? AND statut = ? RETURNING numero", [numero, expected_status]
        ).fetchall():
            return False
        cur.execute(
            "DELETE FROM pieces_jointes_contenu WHERE id IN (SELECT id FROM pieces_jointes WHERE numero = ?)",
            [numero],
        )
        for table in ("pieces_jointes", "commentaires", "historique", "mots"):
            cur.execute(f"DELETE FROM {table} WHERE numero = ?", [numero])
        return True

    def sollicitation(self, numero: int, cur=None) -> dict | None:
        return self._one("SELECT * FROM sollicitations WHERE numero = ?", [numero], cur)

    def append_history(self, cur, numero, when, login, action, ancien, nouveau, commentaire) -> None:
        cur.execute(
            "INSERT INTO historique VALUES (nextval('historique_id'), ?, ?, ?, ?, ?, ?, ?)",
            [numero, when, login, action, ancien, nouveau, commentaire],
        )
        if nouveau in ("envoyee", "fermee") or action in ("respond", "reopen"):
            # The request's first steps (FIRST_STEPS), in the same transaction as the history row.
            cur.execute(
                """
                UPDATE sollicitations SET
                    premier_envoi_le = CASE WHEN ? = 'envoyee' THEN least(premier_envoi_le, ?) ELSE premier_envoi_le END,
                    premiere_reponse_le = CASE WHEN ? = 'respond' THEN least(premiere_reponse_le, ?)
                                               ELSE premiere_reponse_le END,
                    premiere_cloture_le = CASE WHEN ? = 'fermee' THEN least(premiere_cloture_le, ?)
                                               ELSE premiere_cloture_le END,
                    rouverte = rouverte OR ? = 'reopen'
                WHERE numero = ?
                """,
                [nouveau, when, action, when, nouveau, when, action, numero],
            )

    def rebuild_first_steps(self, cur) -> None:
        """Set every request's first steps from its history: after a bulk load of history rows."""
        columns = ", ".join(f"{c} = f.{c}" for c in FIRST_STEPS)
        firsts = ", ".join(f"{sql} AS {c}" for c, sql in FIRST_STEPS.items())
        cur.execute(
            f"UPDATE sollicitations SET {columns}"
            f" FROM (SELECT h.numero, {firsts} FROM historique h GROUP BY h.numero) f"
            " WHERE sollicitations.numero = f.numero"
        )

    def rebuild_derived(self, cur) -> None:
        """What the store derives from the requests on each write, derived again for all: after a bulk load."""
        self.rebuild_structure_keys(cur)
        self.rebuild_words(cur)
        self.rebuild_first_steps(cur)

    def rebuild_structure_keys(self, cur) -> None:
        """Every request's structure keys from its identifiers (STRUCTURE_KEYS)."""
        cur.execute("UPDATE sollicitations SET " + ", ".join(
            f"{key} = CASE WHEN {column} SIMILAR TO '[0-9]{{14}}' THEN CAST({column} AS BIGINT)"
            f" WHEN {column} IS NOT NULL THEN -1 END" for column, key in STRUCTURE_KEYS.items()
        ))  # fmt: skip
        self.writes += 1  # a bulk load is a write: the figures kept are stale

    def append_comment(self, cur, numero, when, login, cote, texte) -> None:
        cur.execute(
            "INSERT INTO commentaires VALUES (nextval('commentaires_id'), ?, ?, ?, ?, ?)",
            [numero, when, login, cote, texte],
        )
        self._index_words(cur, numero, texte)

    # -- the full-text index --------------------------------------------------------------

    def words_of(self, text: str) -> list[str]:
        """The words of `text` as the index keeps them (what a search looks for), in order of length."""
        rows = self.cursor().execute(
            f"SELECT mot FROM ({words_sql('SELECT 0 AS numero, ? AS texte')}) words ORDER BY length(mot) DESC, mot",
            [text, list(STOP_WORDS)],
        ).fetchall()
        return [r[0] for r in rows]

    def _index_words(self, cur, numero: int, text: str) -> None:
        # A word already indexed for this request may be added again: searches read numbers as a set.
        cur.execute(
            f"INSERT INTO mots {words_sql('SELECT ? AS numero, ? AS texte')}",
            [numero, text, list(STOP_WORDS)],
        )

    def _reindex_words(self, cur, numero: int) -> None:
        cur.execute("DELETE FROM mots WHERE numero = ?", [numero])
        source = (
            "SELECT numero, description AS texte FROM sollicitations WHERE numero = ?"
            " UNION ALL SELECT numero, texte FROM commentaires WHERE numero = ?"
        )
        cur.execute(f"INSERT INTO mots {words_sql(source)}", [numero, numero, list(STOP_WORDS)])

    def rebuild_words(self, cur) -> None:
        """Index every request again, the rows sorted by word: after a bulk load, or to compact the
        index once many writes have appended words out of order."""
        cur.execute("DELETE FROM mots")
        source = "SELECT numero, description AS texte FROM sollicitations UNION ALL SELECT numero, texte FROM commentaires"
        cur.execute(f"INSERT INTO mots SELECT * FROM ({words_sql(source)}) words ORDER BY mot, numero", [list(STOP_WORDS)])

    def history(self, numero: int) -> list[dict]:
        return self._all(
            "SELECT h.date, h.login, u.nom, u.prenom, h.action, h.ancien_statut, h.nouveau_statut,"
            " h.commentaire FROM historique h LEFT JOIN users u ON u.login = h.login"
            " WHERE h.numero = ? ORDER BY h.date, h.id",
            [numero],
        )

    def comments(self, numero: int) -> list[dict]:
        return self._all(
            "SELECT c.date, c.login, u.nom, u.prenom, c.cote, c.texte FROM commentaires c"
            " LEFT JOIN users u ON u.login = c.login WHERE c.numero = ? ORDER BY c.date, c.id",
            [numero],
        )

    # -- attachments --------------------------------------------------------------------

    def insert_attachment(self, cur, numero, meta: dict, content: bytes) -> int:
        attachment_id = cur.execute(
            "INSERT INTO pieces_jointes VALUES (nextval('pieces_jointes_id'), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " RETURNING id",
            [
                numero, meta["type"], meta["designation"], meta["extension"], meta["nom_fichier"],
                meta["taille"], meta["sha256"], meta["cote"], meta["ajoutee_par"], meta["ajoutee_le"],
            ],
        ).fetchone()[0]  # fmt: skip
        cur.execute("INSERT INTO pieces_jointes_contenu VALUES (?, ?)", [attachment_id, content])
        return attachment_id

    def attachments(self, numero: int, cur=None) -> list[dict]:
        return self._all(
            "SELECT * FROM pieces_jointes WHERE numero = ? ORDER BY ajoutee_le, id", [numero], cur
        )

    def attachment_usage(self, cur, numero: int) -> tuple[int, int]:
        """(count, total size in bytes) of a request's attachments, for the limits checked before adding one.

        Two sessions adding at once must not both pass: PostgreSQL (READ COMMITTED) locks the request's row
        first, so the second waits for the first to commit and then counts its file; DuckDB's transactions
        are snapshots, and the second one's update of the same row (every action rewrites it) conflicts and
        is tried again, counting anew (Store.run).
        """
        if self.dialect == POSTGRESQL:
            cur.execute("SELECT numero FROM sollicitations WHERE numero = ? FOR UPDATE", [numero])
        count, total = cur.execute(
            "SELECT count(*), coalesce(sum(taille), 0) FROM pieces_jointes WHERE numero = ?", [numero]
        ).fetchone()
        return int(count), int(total)

    def attachment(self, attachment_id: int, cur=None) -> dict | None:
        return self._one("SELECT * FROM pieces_jointes WHERE id = ?", [attachment_id], cur)

    def attachment_content(self, attachment_id: int) -> bytes | None:
        row = self.cursor().execute(
            "SELECT contenu FROM pieces_jointes_contenu WHERE id = ?", [attachment_id]
        ).fetchone()
        return None if row is None else bytes(row[0])

    def delete_attachment(self, cur, attachment_id: int) -> None:
        cur.execute("DELETE FROM pieces_jointes_contenu WHERE id = ?", [attachment_id])
        cur.execute("DELETE FROM pieces_jointes WHERE id = ?", [attachment_id])

    # -- lists --------------------------------------------------------------------------

    def list_page(
        self, scope: Scope, filters: Filters, page: int, page_size: int, sort: str = "recent"
    ) -> tuple[pd.DataFrame, int]:
        """One page of requests and the total count, both computed in SQL."""
        where, params = self._where(scope, filters)
        rows = self.query_df(_page_of(where, SORTS[sort]), params + [page_size, (page - 1) * page_size])
        if rows.empty:  # past the last page, or nothing found: the total is counted apart
            total = self.cursor().execute(f"SELECT count(*) FROM sollicitations s WHERE {where}", params).fetchone()[0]
        else:
            total = int(rows["total"].iloc[0])
        return self._labelled(rows.drop(columns="total")), total

    LABELS_KEPT = 100_000  # per table: ~20 MB at most for the three

    def _labelled(self, rows: pd.DataFrame) -> pd.DataFrame:
        """A page's rows with the names of their structures, services and users. Each table is read by
        its key for the values not seen before; what was found is kept: the directory is only ever
        added to (no statement of the package renames a structure, a service or a user), so a kept
        name stays true in every process sharing the database."""
        rows = rows.copy()
        for (table, key), columns in _PAGE_LABELS.items():
            names = sorted({name for labels in columns.values() for name in labels})
            # tolist(): plain Python values to bind; a nullable id column comes back as floats
            values = {int(v) if isinstance(v, float) else v
                      for column in columns for v in rows[column].dropna().tolist()}  # fmt: skip
            found = self._kept_labels(table, key, names, values)
            for column, labels in columns.items():
                for name, label in labels.items():
                    rows[label] = [found[v][name] if v in found else None for v in rows[column]]
        return rows

    def _kept_labels(self, table: str, key: str, names: list[str], values: set) -> dict:
        with self._figures_lock:
            kept = self._labels.setdefault(table, OrderedDict())
            found = {v: kept[v] for v in values if v in kept}
        missing = sorted(values - found.keys())
        if missing:
            # A page's few values: each a primary-key lookup; a figure's thousands: one list, joined.
            many = len(missing) > 200
            match = "= ANY(?)" if many else f"IN ({', '.join('?' * len(missing))})"
            sql = f"SELECT {key}, {', '.join(names)} FROM {table} WHERE {key} {match}"
            rows = self.cursor().execute(sql, [missing] if many else missing).fetchall()
            read = {row[0]: dict(zip(names, row[1:])) for row in rows}
            found.update(read)
            with self._figures_lock:
                kept.update(read)
                while len(kept) > self.LABELS_KEPT:
                    kept.popitem(last=False)
        return found

    def iter_list(self, scope: Scope, filters: Filters, sort: str = "numero", batch_size: int = 10_000):
        """Every row of a list, sorted, `batch_size` at a time, with the total: one query on a cursor
        of its own (one snapshot for count and rows), not one LIMIT/OFFSET query per page whose cost
        grows with the offset. Exports of a million rows stream through it."""
        where, params = self._where(scope, filters)
        cur = self.db.new_cursor()
        try:
            cur.execute("BEGIN TRANSACTION")
            if self.dialect == POSTGRESQL:  # DuckDB transactions are snapshots already
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            total = cur.execute(f"SELECT count(*) FROM sollicitations s WHERE {where}", params).fetchone()[0]
            for frame in cur.batches(f"{_LIST_SELECT} WHERE {where} ORDER BY {SORTS[sort]}", params, batch_size):
                yield frame, total
            cur.execute("COMMIT")
        finally:
            cur.close()

    def status_counts(self, scope: Scope, filters: Filters, side: str, by_service: bool) -> pd.DataFrame:
        """Counts per structure (or service): one row per key (cle), one column per status code, and
        `libelle` (a structure's "id - designation"; for services, nothing). Pivoted in SQL, labelled
        after counting: a manager's table has a row for each of thousands of structures."""
        structure_column, service_column = DASHBOARD_SIDES[side]
        key = service_column if by_service else structure_column
        where, params = self._where(scope, filters)
        per_status = ", ".join(f"sum(c.n) FILTER (WHERE c.statut = '{code}') AS {code}" for code in STATUS_CODES)
        if by_service:
            shown, label, labels = "c.cle", "NULL::VARCHAR", ""
        else:  # counted per key, then named: the identifier and "id - designation"
            shown = _structure_id_sql("c.cle")
            label, labels = f"min({shown} || ' - ' || k.designation)", f"LEFT JOIN structures k ON k.id = {shown}"
        return self.figure_df(
            f"WITH c AS (SELECT s.{key} AS cle, s.statut, count(*) AS n FROM sollicitations s WHERE {where}"
            f" GROUP BY s.{key}, s.statut)"
            f" SELECT {shown} AS cle, {label} AS libelle, {per_status} FROM c {labels} GROUP BY c.cle ORDER BY c.cle",
            params,
        )

    def monthly_counts(self, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
        """Requests entered per month and per `by` (a whitelisted column): mois, cle, n."""
        column = MONTHLY_BY[by]
        where, params = self._where(scope, filters)
        return self.figure_df(
            f"SELECT date_trunc('month', s.saisie_le) AS mois, s.{column} AS cle, count(*) AS n"
            f" FROM sollicitations s WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2",
            params,
        )

    # -- mail outbox: written in the transaction of the change, delivered later --------------------

    def enqueue_mail(self, cur, numero, kind, to_addr, subject, text_body, html_body, now) -> None:
        cur.execute(
            "INSERT INTO outbox (id, numero, kind, to_addr, subject, text_body, html_body, created_at, status,"
            " next_attempt_at) VALUES (nextval('outbox_id'), ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            [numero, kind, to_addr, subject, text_body, html_body, now, now],
        )

    def claim_mail(self, now: datetime, stale_before: datetime) -> dict | None:
        """Take one due mail for delivery; a mail left 'sending' by a dead sender becomes due again."""
        with self.transaction() as cur:
            row = self._one(
                "SELECT * FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?)"
                " OR (status = 'sending' AND claimed_at < ?) ORDER BY next_attempt_at, id LIMIT 1",
                [now, stale_before], cur,
            )
            if row is None:
                return None
            # Taken only if nobody took it since it was read (several processes deliver on PostgreSQL).
            taken = cur.execute(
                "UPDATE outbox SET status = 'sending', claimed_at = ?"
                " WHERE id = ? AND status = ? AND (claimed_at = ? OR (claimed_at IS NULL AND CAST(? AS TIMESTAMP) IS NULL))"
                " RETURNING id",
                [now, row["id"], row["status"], row["claimed_at"], row["claimed_at"]],
            ).fetchall()
            return row if taken else None

    def mail_sent(self, mail_id: int, now: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", [now, mail_id])

    def mail_failed(self, mail_id: int, error: str, next_attempt_at: datetime | None) -> None:
        """Count a failed attempt; None as next attempt gives up."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = coalesce(?, next_attempt_at), claimed_at = NULL WHERE id = ?",
                ["pending" if next_attempt_at else "failed", error[:500], next_attempt_at, mail_id],
            )

    def outbox_page(self, page: int, page_size: int, numero: int | None = None,
                    scope: Scope | None = None) -> tuple[pd.DataFrame, int]:  # fmt: skip
        """A page of the mails, newest first. `scope`: only the mails of the requests it reads (a mail of
        no request, e.g. an account's, only with a scope of everything); None: every mail."""
        parts, params = ([] if numero is None else ["o.numero = ?"]), ([] if numero is None else [numero])
        source = "outbox o"
        if scope is not None and not scope.everything:
            scope_sql, scope_params = scope.sql()
            source = "outbox o JOIN sollicitations s ON s.numero = o.numero"
            parts.append(scope_sql)
            params += scope_params
        where = " AND ".join(parts) or "true"
        total = self.cursor().execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]
        rows = self.query_df(
            "SELECT o.id, o.numero, o.kind, o.to_addr, o.subject, o.text_body, o.created_at, o.status, o.attempts,"
            f" o.sent_at, o.last_error FROM {source} WHERE {where} ORDER BY o.id DESC LIMIT ? OFFSET ?",
            params + [page_size, (page - 1) * page_size],
        )
        return rows, total

    # -- local accounts -------------------------------------------------------------------------

    def set_password_hash(self, login: str, password_hash: str, now: datetime) -> bool:
        """A new password: the failures are forgotten and every open session of the account ends."""
        with self.transaction() as cur:
            found = cur.execute(
                "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE login = ?"
                " RETURNING login",
                [password_hash, login],
            ).fetchall()
            self.clear_login_failures(login, cur)
            self.revoke_sessions(login, now, cur)
        return bool(found)

    def account(self, login: str) -> dict | None:
        return self._one(
            "SELECT login, password_hash, coalesce(failed_logins, 0) AS failed_logins, locked_until"
            " FROM users WHERE login = ?",
            [login],
        )

    def login_lock(self, login: str, client: str) -> datetime | None:
        """Until when `login` is locked for `client` (None: not locked, or never was)."""
        row = self._one("SELECT locked_until FROM login_failures WHERE login = ? AND client = ?", [login, client])
        return row["locked_until"] if row else None

    def record_login_failure(self, login: str, client: str, lock_after: int, lock_for, now: datetime) -> datetime | None:
        """Count a wrong password of `client` on `login`; at `lock_after` in a row, lock the pair until
        `lock_for(locks)` (locks: how many times it was locked, this one included), count again from
        zero, and end the account's open sessions (someone is guessing its password: a session it may
        have opened goes too). Returns the new lock's end, if this failure locked it."""
        with self.transaction() as cur:
            failures, locks = cur.execute(
                "INSERT INTO login_failures (login, client, failures, locks) VALUES (?, ?, 1, 0)"
                " ON CONFLICT (login, client) DO UPDATE SET failures = login_failures.failures + 1"
                " RETURNING failures, locks",
                [login, client],
            ).fetchone()
            if failures < lock_after:
                return None
            until = lock_for(locks + 1)
            cur.execute(
                "UPDATE login_failures SET failures = 0, locks = locks + 1, locked_until = ? WHERE login = ? AND client = ?",
                [until, login, client],
            )
            self.revoke_sessions(login, now, cur)
            return until

    def clear_login_failures(self, login: str, cur=None) -> None:
        """After a success or a new password: every client starts again from nothing."""
        (cur or self.cursor()).execute("DELETE FROM login_failures WHERE login = ?", [login])

    # -- login sessions (the cookie's token, kept as its hash) -----------------------------------

    def open_session(self, token_hash: str, login: str, client: str, now: datetime, expires_at: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])  # the day's leftovers
            cur.execute(
                "INSERT INTO sessions (token_hash, login, client, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [token_hash, login, client, now, expires_at],
            )

    def session_login(self, token_hash: str, now: datetime) -> str | None:
        """The login of a session still open at `now` (not revoked, not expired)."""
        row = self._one(
            "SELECT login FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
            [token_hash, now],
        )
        return row["login"] if row else None

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", [now, token_hash])

    def revoke_sessions(self, login: str, now: datetime, cur=None) -> int:
        """End every open session of `login`; how many."""
        if cur is None:
            with self.transaction() as cur:
                return self.revoke_sessions(login, now, cur)
        return len(cur.execute(
            "UPDATE sessions SET revoked_at = ? WHERE login = ? AND revoked_at IS NULL AND expires_at > ? RETURNING login",
            [now, login, now],
        ).fetchall())  # fmt: skip

    def set_notifications(self, login: str, enabled: bool) -> None:
        with self.transaction() as cur:
            cur.execute("UPDATE users SET notifications = ? WHERE login = ?", [enabled, login])

    def notified_agents(self, structure_id: str, cur=None) -> list[dict]:
        """Agents of a structure who act on its requests and want mail."""
        agents = self._acting_agents(structure_id, ["login", "email", "notifications"], cur)
        return [{"login": a["login"], "email": a["email"]}
                for a in sorted(agents, key=lambda a: a["login"]) if a["notifications"] and a["email"] is not None]  # fmt: skip

    # -- the public contact form's defences -------------------------------------------------------

    def add_captcha(self, token: str, answer_hash: str, expires_at: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("INSERT INTO captchas VALUES (?, ?, ?, false)", [token, answer_hash, expires_at])

    def use_captcha(self, cur, token: str, answer_hash: str, now: datetime) -> bool:
        """Spend a challenge: true only once, before it expires, for the right answer."""
        found = cur.execute(
            "UPDATE captchas SET used = true WHERE token = ? AND NOT used AND expires_at > ? RETURNING answer_hash",
            [token, now],
        ).fetchall()
        return bool(found) and found[0][0] == answer_hash

    def purge_captchas(self, now: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM captchas WHERE expires_at <= ?", [now])

    def add_contact_client(self, client: str, now: datetime) -> None:
        """The client's row, in a transaction of its own before the deposit's: two first deposits at
        once would both insert it, and the loser's error would be a duplicate key, not a conflict."""
        try:
            with self.transaction() as cur:
                cur.execute("INSERT INTO contact_clients VALUES (?, ?) ON CONFLICT (client) DO NOTHING", [client, now])
        except (IntegrityError, WriteConflict):  # DuckDB says the duplicate key at commit, as a conflict
            pass  # the other one inserted it: there it is

    def take_contact_turn(self, cur, client: str, now: datetime) -> None:
        """Write the client's row (add_contact_client made it) first: a concurrent deposit of the same
        client waits for this transaction (PostgreSQL) or conflicts and starts again (DuckDB), and then
        counts this one."""
        cur.execute("UPDATE contact_clients SET derniere_tentative = ? WHERE client = ?", [now, client])

    def count_contact_attempts(self, cur, client: str, since: datetime) -> int:
        return cur.execute(
            "SELECT count(*) FROM contact_attempts WHERE client = ? AND tente_le >= ?", [client, since]
        ).fetchone()[0]

    def add_contact_attempt(self, cur, client: str, now: datetime) -> None:
        cur.execute("INSERT INTO contact_attempts VALUES (?, ?)", [client, now])

    # -- figures for managers (each one SQL statement over the scoped, filtered requests) --------

    def weekly_flow(self, scope: Scope, filters: Filters) -> pd.DataFrame:
        """Per week: requests entered (drafts aside, by entry date) and requests closed."""
        where, params = self._where(scope, filters)
        return self.figure_df(
            f"""
            WITH s AS (SELECT s.envoyee_le, s.cloturee_le, s.saisie_le, s.statut FROM sollicitations s WHERE {where})
            SELECT semaine, sum(entrees) AS entrees, sum(fermetures) AS fermetures FROM (
                SELECT date_trunc('week', saisie_le) AS semaine, count(*) AS entrees, 0 AS fermetures
                FROM s WHERE statut <> 'brouillon' GROUP BY 1
                UNION ALL
                SELECT date_trunc('week', cloturee_le), 0, count(*) FROM s WHERE cloturee_le IS NOT NULL GROUP BY 1
            ) t GROUP BY semaine ORDER BY semaine
            """,
            params,
        )

    def backlog(self, scope: Scope, filters: Filters, moments: Sequence[datetime]) -> pd.DataFrame:
        """How many requests stood in each status at each moment, rebuilt from the history.

        Each history row enters its new status and leaves its old one (the previous row's new status),
        so the count of a status at a moment is the sum of those +1 and -1 up to it. The changes are
        first counted per day (a change belongs to the first midnight at or after it), then each day
        put in the first moment at or after it, then summed moment after moment: one pass
        over the history, where pairing each row with the next (a window) and joining the spans to the
        moments took 1.6 s at 1M requests. The moments must therefore be midnights.
        """
        if any(m != datetime.combine(m.date(), datetime.min.time()) for m in moments):
            raise ValueError("backlog moments must be midnights")
        where, params = self._where(scope, filters)
        return self.figure_df(
            f"""
            WITH per_day AS (
                -- the day of the first midnight at or after the change
                SELECT CAST(h.date - INTERVAL '1 microsecond' AS DATE) + 1 AS jour,
                       h.nouveau_statut, h.ancien_statut, count(*) AS n
                FROM ({self._history_in(where)}) h
                GROUP BY 1, h.nouveau_statut, h.ancien_statut
            ),
            changes AS (
                SELECT jour, nouveau_statut AS statut, n AS delta FROM per_day
                UNION ALL
                SELECT jour, ancien_statut, -n FROM per_day WHERE ancien_statut IS NOT NULL
            ),
            moments AS (
                SELECT moment, CAST(moment AS DATE) AS jour, lag(CAST(moment AS DATE)) OVER (ORDER BY moment) AS avant
                FROM unnest(?::TIMESTAMP[]) AS t(moment)
            ),
            per_moment AS (  -- each day's changes go to the first moment at or after it
                SELECT m.moment, c.statut, sum(c.delta) AS delta
                FROM changes c JOIN moments m ON c.jour <= m.jour AND (m.avant IS NULL OR c.jour > m.avant)
                GROUP BY m.moment, c.statut
            ),
            grid AS (
                SELECT m.moment, st.statut, coalesce(p.delta, 0) AS delta
                FROM moments m CROSS JOIN (SELECT DISTINCT statut FROM per_moment) st
                LEFT JOIN per_moment p ON p.moment = m.moment AND p.statut = st.statut
            ),
            running AS (
                SELECT moment, statut, sum(delta) OVER (PARTITION BY statut ORDER BY moment) AS n FROM grid
            )
            SELECT moment, statut, n FROM running WHERE n > 0 ORDER BY moment, statut
            """,
            params + [list(moments)],
        )

    @staticmethod
    def _history_in(where: str) -> str:
        """The history rows of the requests matching `where` (all rows, without a join, for all)."""
        if where == "true":
            return "SELECT * FROM historique h"
        return f"SELECT * FROM historique h WHERE h.numero IN (SELECT s.numero FROM sollicitations s WHERE {where})"

    def processing_times(self, scope: Scope, filters: Filters) -> pd.DataFrame:
        """Per request: when it was first sent, first answered, first closed (FIRST_STEPS)."""
        where, params = self._where(scope, filters)
        return self.query_df(
            f"""
            SELECT s.numero, s.statut, s.categorie, s.destinataire_id, s.premier_envoi_le AS envoi,
                   s.premiere_reponse_le AS reponse, s.premiere_cloture_le AS fermeture,
                   extract(epoch FROM (s.premiere_reponse_le - s.premier_envoi_le)) / 3600.0 AS h_reponse,
                   extract(epoch FROM (s.premiere_cloture_le - s.premier_envoi_le)) / 3600.0 AS h_fermeture
            FROM sollicitations s WHERE {where} AND s.premier_envoi_le IS NOT NULL ORDER BY s.numero
            """,
            params,
        )

    def delays(self, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
        """Hours from sending to the first response and to closing: median and 90th percentile."""
        column, shown = DELAY_BY[by]
        where, params = self._where(scope, filters)
        return self.figure_df(
            f"""
            WITH d AS (
                SELECT s.{column} AS cle,
                       extract(epoch FROM (s.premiere_reponse_le - s.premier_envoi_le)) / 3600.0 AS h_reponse,
                       extract(epoch FROM (s.premiere_cloture_le - s.premier_envoi_le)) / 3600.0 AS h_fermeture
                FROM sollicitations s WHERE {where} AND s.premier_envoi_le IS NOT NULL
            )
            , q AS (  -- both quantiles of a column from one sort
                SELECT cle, count(*) AS envoyees, count(h_reponse) AS repondues, count(h_fermeture) AS fermees,
                       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY h_reponse) AS reponse,
                       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY h_fermeture) AS fermeture
                FROM d GROUP BY cle
            )
            SELECT {shown} AS cle, envoyees, repondues, fermees, reponse[1] AS reponse_mediane, reponse[2] AS reponse_p90,
                   fermeture[1] AS fermeture_mediane, fermeture[2] AS fermeture_p90
            FROM q ORDER BY envoyees DESC, cle
            """,
            params,
        )

    def reopen_rates(self, scope: Scope, filters: Filters, by: str) -> pd.DataFrame:
        """Among requests that got a response, the share reopened at least once."""
        column, shown = DELAY_BY[by]
        where, params = self._where(scope, filters)
        return self.figure_df(
            f"""
            SELECT {shown} AS cle, repondues, rouvertes FROM (
                SELECT s.{column} AS cle, count(*) AS repondues, sum(CASE WHEN s.rouverte THEN 1 ELSE 0 END) AS rouvertes
                FROM sollicitations s WHERE {where} AND s.premiere_reponse_le IS NOT NULL
                GROUP BY s.{column}
            ) r ORDER BY repondues DESC, r.cle
            """,
            params,
        )

    def entry_range(self, scope: Scope, filters: Filters) -> tuple[datetime | None, datetime | None]:
        where, params = self._where(scope, filters)
        return tuple(self.cursor().execute(
            f"SELECT min(s.saisie_le), max(s.modifiee_le) FROM sollicitations s WHERE {where}", params
        ).fetchone())  # fmt: skip

    def oldest_open(self, scope: Scope, filters: Filters, limit: int) -> pd.DataFrame:
        where, params = self._where(scope, filters)
        return self._labelled(self.query_df(
            # the age shown is counted from the entry date
            _page_of(f"{where} AND s.statut NOT IN ('brouillon', 'fermee')", "s.saisie_le, s.numero"),
            params + [limit, 0],
        ).drop(columns="total"))

    def _where(self, scope: Scope, filters: Filters) -> tuple[str, list[Any]]:
        scope_sql, scope_params = scope.sql()
        filter_sql, filter_params = filters.sql()
        parts = [part for part in (scope_sql, filter_sql) if part != "true"]
        return " AND ".join(parts) or "true", scope_params + filter_params

    # -- plumbing -----------------------------------------------------------------------

    def _one(self, sql: str, params: Sequence[Any], cur=None) -> dict | None:
        rows = self._all(sql, params, cur)
        return rows[0] if rows else None

    def _all(self, sql: str, params: Sequence[Any], cur=None) -> list[dict]:
        cur = cur or self.cursor()
        result = cur.execute(sql, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, row)) for row in result.fetchall()]


def _hashable(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    return value


def _quote(path: Path) -> str:
    """A file path inside a SQL string literal (ATTACH takes no bound parameter)."""
    return str(path).replace("'", "''")


def _statements(script: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]

"""The schema: the ordered, named migrations that build it, and Store.migrate, which applies them.

Each migration is SQL text run statement by statement, then, for a few, a follow-up in the same
transaction (MIGRATION_FOLLOW_UPS): the derived data of words, first steps and structure keys rebuilt,
or the lookups of one backend made (dialects.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

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
    (
        "0013_kept_counts",
        """
        -- Counts the writes keep (counts.py): what the status tables, the weekly flow and the backlog
        -- read instead of a million requests and five million history rows. Signed rows, summed.
        CREATE TABLE comptes (
            vue VARCHAR NOT NULL,                 -- destinataire, entree or fermeture
            destinataire_cle BIGINT,
            destinataire_id VARCHAR,
            service_destinataire_id BIGINT,
            categorie VARCHAR,
            statut VARCHAR,
            jour DATE,
            repondue BOOLEAN,
            rouverte BOOLEAN,
            n BIGINT NOT NULL
        );
        CREATE TABLE mouvements_jour (
            jour DATE NOT NULL,
            ancien_statut VARCHAR,
            nouveau_statut VARCHAR NOT NULL,
            n BIGINT NOT NULL
        );
        """,
    ),
]

# Migrations that need more than their SQL text: what to run after it, in the same transaction.
MIGRATION_FOLLOW_UPS: dict[str, Callable[[Any, Any], None]] = {
    "0005_full_text": lambda store, cur: store.rebuild_words(cur),  # index what earlier versions stored
    "0006_first_steps": lambda store, cur: store.rebuild_first_steps(cur),
    "0008_structure_keys": lambda store, cur: store.rebuild_structure_keys(cur),
    "0009_postgresql_lookups": lambda store, cur: store.backend.create_lookups(cur),
    "0013_kept_counts": lambda store, cur: store.rebuild_counts(cur),
}


def split_statements(script: str) -> list[str]:
    """The statements of a script, its `--` comments left out."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


class SchemaMixin:
    """Store's migrations (mixed into Store, core.py)."""

    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, each in its own transaction; return their names."""
        cur = self.cursor()
        with self.backend.migrations_serialised(cur):
            cur.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
        applied = []
        for name, script in MIGRATIONS:
            with self.transaction() as tx:
                self.backend.wait_for_other_migrations(tx)
                if tx.execute("SELECT count(*) FROM schema_migrations WHERE name = ?", [name]).fetchone()[0]:
                    continue
                for statement in split_statements(script):
                    tx.execute(statement)
                if name in MIGRATION_FOLLOW_UPS:
                    MIGRATION_FOLLOW_UPS[name](self, tx)
                tx.execute("INSERT INTO schema_migrations VALUES (?, ?)", [name, datetime.now()])
            applied.append(name)
        return applied

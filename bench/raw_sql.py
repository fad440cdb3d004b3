"""The same questions as the package's, in plain DuckDB SQL written by hand: the raw side of each
figure (its "ratio to raw" is what our layers cost above the query). Lists, details, and writes:
the same rows inserted and updated in the same transactions, without checks, routing or mails' text."""

from __future__ import annotations

from datetime import datetime

import duckdb

from sollicitations import demo

from .world import DRAFT, SCOPES

RAW_LIST = """
    SELECT s.numero, s.statut, s.categorie, s.sous_categorie, s.numero_objet, s.saisie_le, s.modifiee_le,
           s.renvoyee, s.contact, s.emetteur_id, e.designation, se.libelle, s.destinataire_id, d.designation,
           sd.libelle, s.cree_par, u.nom, u.prenom, s.assigne_a, a.nom, a.prenom
    FROM sollicitations s
    LEFT JOIN structures e ON e.id = s.emetteur_id
    LEFT JOIN services se ON se.id = s.service_emetteur_id
    LEFT JOIN structures d ON d.id = s.destinataire_id
    LEFT JOIN services sd ON sd.id = s.service_destinataire_id
    LEFT JOIN users u ON u.login = s.cree_par
    LEFT JOIN users a ON a.login = s.assigne_a
"""
ORDER = {"numero": "s.numero DESC", "recent": "s.modifiee_le DESC, s.numero DESC",
         "saisie": "s.saisie_le DESC, s.numero DESC"}  # fmt: skip


def raw_page(con, who: str, where: str, params: list, sort: str = "numero", page: int = 1, size: int = 50):
    """A list's page as the package answers it: the count of `who`'s requests that match, and one page."""
    clause = f"{SCOPES[who]} AND {where}"
    total = con.execute(f"SELECT count(*) FROM sollicitations s WHERE {clause}", params).fetchone()[0]
    rows = con.execute(f"{RAW_LIST} WHERE {clause} ORDER BY {ORDER[sort]} LIMIT {size} OFFSET {(page - 1) * size}",
                       params).fetchall()  # fmt: skip
    return total, rows


def day(text: str) -> datetime:
    return datetime.strptime(text, "%d/%m/%Y")


CREE_PAR_SQL = ("s.cree_par IN (SELECT login FROM users WHERE lower(login) LIKE ? OR lower(nom || ' ' || prenom)"
                " LIKE ? OR lower(prenom || ' ' || nom) LIKE ?)")  # fmt: skip
WORD_SQL = "s.numero IN (SELECT numero FROM mots WHERE mot >= ? AND mot < ?)"


def word_raw(*words: str) -> tuple[str, list]:
    """Requests holding every word (as a prefix) in the words index: "Mots-clés"."""
    return " AND ".join([WORD_SQL] * len(words)), [v for w in words for v in (w, w + "{")]


def raw_detail(con, n: int):
    """What the detail screen reads of request `n`: its row, names, history, comments, attachments."""
    row = con.execute("SELECT * FROM sollicitations WHERE numero = ?", [n]).fetchone()
    names = [d[0] for d in con.description]
    r = dict(zip(names, row))
    con.execute("SELECT * FROM structures WHERE id IN (?, ?)", [r["emetteur_id"], r["destinataire_id"]]).fetchall()
    if r["service_emetteur_id"] or r["service_destinataire_id"]:
        con.execute(
            "SELECT * FROM services WHERE id IN (?, ?)", [r["service_emetteur_id"], r["service_destinataire_id"]]
        ).fetchall()
    con.execute("SELECT * FROM users WHERE login IN (?, ?)", [r["cree_par"], r["assigne_a"]]).fetchall()
    con.execute("SELECT h.*, u.nom, u.prenom FROM historique h LEFT JOIN users u ON u.login = h.login"
                " WHERE h.numero = ? ORDER BY h.date, h.id", [n]).fetchall()  # fmt: skip
    con.execute("SELECT c.*, u.nom, u.prenom FROM commentaires c LEFT JOIN users u ON u.login = c.login"
                " WHERE c.numero = ? ORDER BY c.date, c.id", [n]).fetchall()  # fmt: skip
    return con.execute("SELECT * FROM pieces_jointes WHERE numero = ? ORDER BY ajoutee_le, id", [n]).fetchall()


FIRSTS = """
    SELECT h.numero, min(CASE WHEN h.nouveau_statut = 'envoyee' THEN h.date END) AS envoi,
           min(CASE WHEN h.action = 'respond' THEN h.date END) AS reponse,
           min(CASE WHEN h.nouveau_statut = 'fermee' THEN h.date END) AS fermeture
    FROM historique h GROUP BY h.numero
"""  # each request's first sending, first response and first closing, from its history


# raw transitions: (old status, new status, comment, mail to)
RAW_STAGES = {
    "take_in_charge": ("envoyee", "en_cours", None, None),
    "request_information": ("en_cours", "informations_requises", "Merci de joindre le bon de commande.", "emetteur"),
    "add_complement": ("informations_requises", "envoyee", "Le voici.", "agents"),
    "respond": ("envoyee", "repondue", "Le paiement part demain.", "emetteur"),
    "close": ("repondue", "fermee", "Merci.", None),
}


def raw_insert(cur, now, sent: bool) -> int:
    """A new request as one plain transaction: its row and history row, in Brouillon, or (sent) in
    Envoyée to its recipient with one mail, as "Valider et envoyer" on a new form."""
    status, action = ("envoyee", "submit") if sent else ("brouillon", "save_draft")
    recipient, sent_at = (demo.STRUCTURE_PUBLIQUE_TEST, now) if sent else (None, None)
    for _attempt in range(20):
        try:
            cur.execute("BEGIN TRANSACTION")
            n = cur.execute("SELECT nextval('sollicitations_numero')").fetchone()[0]
            cur.execute("INSERT INTO sollicitations (numero, statut, categorie, sous_categorie, emetteur_id, description,"
                        " destinataire_id, cree_par, saisie_le, modifiee_le, envoyee_le)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, 'fournisseur', ?, ?, ?)",
                        [n, status, DRAFT["categorie"], DRAFT["sous_categorie"], DRAFT["structure"],
                         DRAFT["description"], recipient, now, now, sent_at])  # fmt: skip
            cur.execute("INSERT INTO historique VALUES (nextval('historique_id'), ?, ?, 'fournisseur', ?,"
                        " NULL, ?, NULL)", [n, now, action, status])  # fmt: skip
            if sent:
                cur.execute("INSERT INTO outbox (id, numero, kind, to_addr, subject, text_body, html_body, created_at,"
                            " status, next_attempt_at) VALUES (nextval('outbox_id'), ?, 'raw', 'x@example.org', 's',"
                            " 't', 'h', ?, 'pending', ?)", [n, now, now])  # fmt: skip
            cur.execute("COMMIT")
            return n
        except duckdb.TransactionException:
            cur.execute("ROLLBACK")
    raise RuntimeError("raw insert kept conflicting")


def raw_create(cur, now) -> int:
    """save_draft then submit, as two plain transactions (row + history; update + history + mail)."""
    n = raw_insert(cur, now, sent=False)
    raw_transition(
        cur,
        n,
        "brouillon",
        "envoyee",
        None,
        "agents",
        now,
        {"destinataire_id": demo.STRUCTURE_PUBLIQUE_TEST, "envoyee_le": now},
    )
    return n


def raw_transition(cur, n, old, new, comment, mail, now, extra=None) -> None:
    sets = {"statut": new, "modifiee_le": now, **(extra or {})}
    for _attempt in range(20):
        try:
            cur.execute("BEGIN TRANSACTION")
            cur.execute("SELECT * FROM sollicitations WHERE numero = ?", [n]).fetchone()
            cur.execute(f"UPDATE sollicitations SET {', '.join(f'{k} = ?' for k in sets)} WHERE numero = ? AND statut = ?",
                        [*sets.values(), n, old])  # fmt: skip
            cur.execute(
                "INSERT INTO historique VALUES (nextval('historique_id'), ?, ?, 'bench', 'raw', ?, ?, ?)",
                [n, now, old, new, comment],
            )
            if comment:
                cur.execute(
                    "INSERT INTO commentaires VALUES (nextval('commentaires_id'), ?, ?, 'bench', 'x', ?)",
                    [n, now, comment],
                )
            if mail:
                cur.execute("INSERT INTO outbox (id, numero, kind, to_addr, subject, text_body, html_body, created_at,"
                            " status, next_attempt_at) VALUES (nextval('outbox_id'), ?, 'raw', 'x@example.org', 's', 't',"
                            " 'h', ?, 'pending', ?)", [n, now, now])  # fmt: skip
            cur.execute("COMMIT")
            return
        except duckdb.TransactionException:
            cur.execute("ROLLBACK")
    raise RuntimeError("raw transition kept conflicting")

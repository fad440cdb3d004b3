"""The demo world's generated requests: DuckDB SQL over range(), so that a million requests take seconds,
not a Python loop per row. `sollicitations.demo` says what the world is made of (a `GeneratedWorld`);
this module writes it, the same rows for the same seed and size.

    generate_requests(store, size, seed, world)

DuckDB-only SQL (range, hash, list indexing, macros): it builds demo and benchmark files, not the app's
writes; a PostgreSQL world is built in DuckDB, then copied (transfer.py).
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GeneratedWorld:
    """What the generated requests are made of. Texts are lists drawn with a skewed frequency (the first
    often, the last rarely); a theme is a 1-based index into the per-theme lists."""

    today: datetime  # every history lies in the two years before this day
    pairs: Sequence[tuple]  # (categorie, sous_categorie, type_objet, routage, theme) a request may have
    # The paths a request may follow: (variant, weight, statut, assignee, transferred, renvoyee, resolue,
    # sent_step) once walked, and its steps: (variant, step, action, ancien, nouveau, who, cote,
    # comment_kind, file_kind). `who` acts: "e" the emitter, "d" the recipient's agent, "c" the colleague
    # the agent assigns, "s" the support desk; comment_kind indexes `comments`, file_kind `files` (1-based).
    paths: Sequence[tuple]
    steps: Sequence[tuple]
    contact_paths: Sequence[str]  # the only variants a "Nous contacter" request takes
    transfer_paths: Sequence[str]  # the variants that transfer to the support desk...
    instead_of_transfer: str  # ...and the one a request already routed to it takes instead
    files: Sequence[Sequence[tuple]]  # per file kind: (name stem, extension, type, designation), "{n}" the number
    openings: Sequence[Sequence[str]]  # per theme
    references: Sequence[Sequence[str]]  # per theme; {fac}, {montant}, {date}... are drawn by the ref() macro
    details: Sequence[str]
    closings: Sequence[str]
    comments: Sequence[tuple]  # per comment kind: (first sentences, one list or one per theme; second sentences)
    names: Mapping[str, Sequence[str]]  # trades, names, first, publics, towns: the generated structures and people
    # The fixed world's parties that generated requests also involve: (structure ids, login[s]).
    known_emitters: tuple[Sequence[str], str]  # one request in ten comes from these, by this login
    known_recipients: tuple[Sequence[str], str, str]  # one in ten goes to these: agent, and the colleague assigned
    support: tuple[str, str]  # the support desk: its routing, and transfers
    frais_justice: tuple[str, str]  # the 'frais_justice' routing
    memoires: tuple[str, str]  # memoire_frais_justice objects
    tic: tuple[str, str]  # demande_remboursement_tic objects


def _tiny_pdf() -> str:
    """A one-page PDF of a few hundred bytes whose text holds a 10-character placeholder, NNNNNNNNNN:
    replaced by a number of the same width, the cross-reference offsets stay right."""
    stream = "BT /F1 14 Tf 72 760 Td (Piece jointe - sollicitation NNNNNNNNNN) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        " /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = "%PDF-1.4\n", []
    for k, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{k} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n" + "".join(f"{o:010d} 00000 n \n" for o in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"


_PDF = _tiny_pdf()


def _tiny_png() -> bytes:
    """A 1x1 white PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
        + chunk(b"IEND", b"")
    )


_PNG = _tiny_png()


def generate_requests(store, size: int, seed: int, world: GeneratedWorld) -> None:
    """Add `size` requests to `store` (its directory and catalogue in place), each with the history, comments
    and attachments its path makes, in one transaction; then the derived rows, as the writes keep them."""
    cur = store.cursor()
    n_emitters = min(50_000, max(5, size // 20))
    n_publics = min(10_000, max(3, size // 100))
    n_themes = len(world.openings)
    variants, steps, cumulative = _variants_and_steps(world)
    files = [(kind, k, *spec) for kind, specs in enumerate(world.files, 1) for k, spec in enumerate(specs, 1)]
    total = cumulative[-1][1]
    base = cur.execute("SELECT coalesce(max(numero), 0) FROM sollicitations").fetchone()[0] + 1
    ids_before = {t: cur.execute(f"SELECT coalesce(max(id), 0) FROM {t}").fetchone()[0]
                  for t in ("historique", "commentaires", "pieces_jointes")}  # fmt: skip

    cur.execute("BEGIN TRANSACTION")
    # rnd(i, k, n): the k-th pseudo-random draw in [0, n) for row i, the same for the same seed.
    cur.execute(f"CREATE TEMP MACRO rnd(i, k, n) AS (hash(i, {int(seed)}, k) % n)::BIGINT")
    # skew(i, k, n): a draw in [1, n] where 1 is the most frequent and n the rarest (u² of a uniform u).
    cur.execute(
        f"CREATE TEMP MACRO skew(i, k, n) AS (1 + floor(n * pow((hash(i, {int(seed)}, k) % 1000003) / 1000003.0, 2)))::BIGINT"
    )
    # ref(p, i, d, r): the reference a placeholder stands for, drawn for row i, around day d (a CASE: only the
    # placeholder's own branch is computed). Reference numbers are drawn among r (one per hundred requests):
    # each supplier numbers its own invoices, so the same number comes back from one supplier to another, and
    # a world of any size keeps most of its searchable words real words, not numbers.
    cur.execute(
        """
        CREATE TEMP MACRO ref(p, i, d, r) AS CASE p
            WHEN 'fac' THEN 'FAC-' || year(d) || '-' || lpad((1 + rnd(i, 30, r))::VARCHAR, 5, '0')
            WHEN 'montant' THEN printf('%d,%02d', 10 * (4 + rnd(i, 31, r)),
                                       CASE WHEN rnd(i, 32, 3) = 0 THEN 5 * rnd(i, 39, 20) ELSE 0 END)
            WHEN 'date' THEN strftime(d - INTERVAL 1 DAY * rnd(i, 33, 90), '%d/%m/%Y')
            WHEN 'bc' THEN 'BC-' || lpad((1 + rnd(i, 34, r))::VARCHAR, 5, '0')
            WHEN 'ej' THEN (1300000000 + rnd(i, 35, r))::VARCHAR
            WHEN 'tic' THEN 'TIC-' || year(d) || '-' || lpad((1 + rnd(i, 36, r))::VARCHAR, 5, '0')
            WHEN 'mfj' THEN 'MFJ-' || year(d) || '-' || lpad((1 + rnd(i, 36, r))::VARCHAR, 5, '0')
            WHEN 'flux' THEN 'FLX-' || year(d) || '-' || lpad((1 + rnd(i, 37, r))::VARCHAR, 5, '0')
            WHEN 'jours' THEN [15, 30, 10, 45, 20, 5, 60, 3, 12, 90, 8, 2, 120][skew(i, 38, 13)]::VARCHAR
            WHEN 'code' THEN ['400', '401', '403', '422', '500', '404', '503'][skew(i, 29, 7)]
            ELSE '' END
        """
    )
    # The reference sentences cut at their placeholders: text, placeholder, text, placeholder, text.
    cur.execute(
        "CREATE TEMP TABLE gen_refs (theme INTEGER, k INTEGER, t0 VARCHAR, p1 VARCHAR, t1 VARCHAR, p2 VARCHAR, t2 VARCHAR)"
    )
    cur.executemany(
        "INSERT INTO gen_refs VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (theme, k, *(re.split(r"\{(\w+)\}", template) + [None, "", None, ""])[:5])
            for theme, templates in enumerate(world.references, 1)
            for k, template in enumerate(templates, 1)
        ],
    )
    cur.execute(
        "CREATE TEMP TABLE gen_pairs (k INTEGER, categorie VARCHAR, sous_categorie VARCHAR, type_objet VARCHAR, routage VARCHAR, theme INTEGER)"
    )
    cur.executemany("INSERT INTO gen_pairs VALUES (?, ?, ?, ?, ?, ?)", [(i, *p) for i, p in enumerate(world.pairs)])
    cur.execute(
        "CREATE TEMP TABLE gen_variants (variant VARCHAR, n_steps INTEGER, statut VARCHAR, assignee VARCHAR,"
        " transferred BOOLEAN, renvoyee BOOLEAN, resolue BOOLEAN, sent_step INTEGER, n_comments INTEGER, n_files INTEGER)"
    )
    cur.executemany("INSERT INTO gen_variants VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", variants)
    cur.execute(
        "CREATE TEMP TABLE gen_steps (variant VARCHAR, step INTEGER, action VARCHAR, ancien VARCHAR, nouveau VARCHAR,"
        " who VARCHAR, cote VARCHAR, comment_kind INTEGER, comment_rank INTEGER, file_kind INTEGER, file_rank INTEGER,"
        " file_count INTEGER)"
    )
    cur.executemany("INSERT INTO gen_steps VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", steps)
    cur.execute(
        "CREATE TEMP TABLE gen_files (kind INTEGER, k INTEGER, stem VARCHAR, ext VARCHAR, type VARCHAR, designation VARCHAR)"
    )
    cur.executemany("INSERT INTO gen_files VALUES (?, ?, ?, ?, ?, ?)", files)
    params = world.names
    cur.execute(
        f"""
        INSERT INTO structures
        SELECT printf('%014d', 20000000000000 + i),
               $trades[1 + rnd(i, 1, len($trades))] || ' ' || $names[1 + rnd(i, 2, len($names))] || ' ' || i,
               false, false, NULL
        FROM range({n_emitters}) t(i)
        """,
        {k: params[k] for k in ("trades", "names")},
    )
    cur.execute(
        f"""
        INSERT INTO structures
        SELECT printf('%014d', 30000000000000 + i),
               $publics[1 + rnd(i, 3, len($publics))] || ' ' || $towns[1 + rnd(i, 4, len($towns))] || ' ' || i,
               true, rnd(i, 5, 4) = 0, NULL
        FROM range({n_publics}) t(i)
        """,
        {k: params[k] for k in ("publics", "towns")},
    )
    cur.execute(
        f"""
        INSERT INTO services
        SELECT nextval('services_id'), printf('%014d', 30000000000000 + i), c.code, c.libelle
        FROM range({n_publics}) t(i), (VALUES ('factures', 'Service des factures'), ('finances', 'Service financier')) c(code, libelle)
        WHERE rnd(i, 6, 2) = 0
        """
    )
    # Each generated public structure has two agents: 'a<i>', who receives, and 'b<i>', to whom 'a<i>' assigns.
    cur.execute(
        f"""
        INSERT INTO users (login, nom, prenom, email, telephone)
        SELECT 'u' || i, upper($names[1 + rnd(i, 7, len($names))]), $first[1 + rnd(i, 8, len($first))],
               'u' || i || '@fournisseur.example', NULL
        FROM range({n_emitters}) t(i)
        UNION ALL
        SELECT 'a' || i, upper($names[1 + rnd(i, 9, len($names))]), $first[1 + rnd(i, 10, len($first))],
               'a' || i || '@public.example', NULL
        FROM range({n_publics}) t(i)
        UNION ALL
        SELECT 'b' || i, upper($names[1 + rnd(i, 39, len($names))]), $first[1 + rnd(i, 40, len($first))],
               'b' || i || '@public.example', NULL
        FROM range({n_publics}) t(i)
        """,
        {k: params[k] for k in ("names", "first")},
    )
    cur.execute(
        f"INSERT INTO habilitations SELECT 'u' || i, printf('%014d', 20000000000000 + i), 'emetteur', true FROM range({n_emitters}) t(i)"
    )
    cur.execute(
        f"INSERT INTO habilitations SELECT who || i, printf('%014d', 30000000000000 + i), 'agent', true"
        f" FROM range({n_publics}) t(i), (VALUES ('a'), ('b')) w(who)"
    )
    # One in ten generated requests comes from, or goes to, the demo logins' own structures.
    picked = " ".join(f"WHEN r.pick_variant < {c} THEN '{v}'" for v, c in cumulative)
    transfers, contacts = _quoted(world.transfer_paths), _quoted(world.contact_paths)
    today = f"TIMESTAMP '{world.today:%Y-%m-%d %H:%M:%S}'"
    (emitters, emitter_login), (publics, agent, colleague) = world.known_emitters, world.known_recipients
    (support, support_login), (frais_justice, frais_justice_login) = world.support, world.frais_justice
    (memoires, memoires_login), (tic, tic_login) = world.memoires, world.tic
    cur.execute(
        f"""
        CREATE TEMP TABLE gen AS
        WITH r AS (
            SELECT i, {base} + i AS numero,
                   rnd(i, 11, {total}) AS pick_variant,
                   rnd(i, 12, (SELECT count(*) FROM gen_pairs)) AS pair_k,
                   rnd(i, 13, 10) = 0 AS known_emitter,
                   rnd(i, 14, 10) = 0 AS known_public,
                   rnd(i, 15, 50) = 0 AS is_contact,
                   rnd(i, 16, {n_emitters}) AS emitter_k,
                   rnd(i, 17, {n_publics}) AS public_k,
                   rnd(i, 18, {len(emitters)}) AS known_k,
                   rnd(i, 19, {len(publics)}) AS known_public_k,
                   rnd(i, 22, 72) + 1 AS step_hours
            FROM range({size}) t(i)
        ), rp AS (
            SELECT r.*, p.categorie, p.sous_categorie, p.type_objet, p.routage, p.theme,
                   (r.is_contact AND p.routage = 'support') AS contact,
                   CASE {picked} END AS picked
            FROM r JOIN gen_pairs p ON p.k = r.pair_k
        ), v AS (
            SELECT p.*,
                   -- A visitor of "Nous contacter" cannot act afterwards: only the support desk moves those.
                   CASE WHEN p.contact THEN [{contacts}][1 + p.pick_variant % {len(world.contact_paths)}]
                        WHEN p.routage = 'support' AND p.picked IN ({transfers}) THEN '{world.instead_of_transfer}'
                        ELSE p.picked END AS variant
            FROM rp p
        )
        SELECT v.numero, v.categorie, v.sous_categorie, v.type_objet, v.routage, v.variant, v.contact, v.step_hours,
               gv.n_steps, gv.statut, gv.assignee, gv.transferred, gv.renvoyee, gv.resolue, gv.sent_step,
               -- The whole path lies in the two years before the reference day.
               {today} - INTERVAL 1 HOUR * (gv.n_steps * v.step_hours)
                       - INTERVAL 1 SECOND * rnd(v.i, 20, 730 * 86400) AS saisie_le,
               CASE WHEN v.contact THEN NULL
                    WHEN v.known_emitter THEN [{_quoted(emitters)}][1 + v.known_k]
                    ELSE printf('%014d', 20000000000000 + v.emitter_k) END AS emetteur_id,
               CASE WHEN v.contact THEN NULL
                    WHEN v.known_emitter THEN '{emitter_login}' ELSE 'u' || v.emitter_k END AS cree_par,
               CASE WHEN v.routage = 'support' THEN '{support}'
                    WHEN v.routage = 'frais_justice' THEN '{frais_justice}'
                    WHEN v.type_objet = 'demande_remboursement_tic' THEN '{tic}'
                    WHEN v.type_objet = 'memoire_frais_justice' THEN '{memoires}'
                    WHEN v.known_public THEN [{_quoted(publics)}][1 + v.known_public_k]
                    ELSE printf('%014d', 30000000000000 + v.public_k) END AS destinataire_id,
               CASE WHEN v.routage = 'support' THEN '{support_login}'
                    WHEN v.routage = 'frais_justice' THEN '{frais_justice_login}'
                    WHEN v.type_objet = 'memoire_frais_justice' THEN '{memoires_login}'
                    WHEN v.type_objet = 'demande_remboursement_tic' THEN '{tic_login}'
                    WHEN v.known_public THEN '{agent}' ELSE 'a' || v.public_k END AS agent,
               -- Whom the agent assigns: a colleague where the structure has one, else the agent itself.
               CASE WHEN v.routage = 'support' THEN '{support_login}'
                    WHEN v.routage = 'frais_justice' THEN '{frais_justice_login}'
                    WHEN v.type_objet = 'memoire_frais_justice' THEN '{memoires_login}'
                    WHEN v.type_objet = 'demande_remboursement_tic' THEN '{tic_login}'
                    WHEN v.known_public THEN '{colleague}' ELSE 'b' || v.public_k END AS colleague,
               v.theme, v.i,
               -- Ids of this request's first history row, comment and attachment, in number order.
               sum(gv.n_steps) OVER w - gv.n_steps AS history_offset,
               sum(gv.n_comments) OVER w - gv.n_comments AS comment_offset,
               sum(gv.n_files) OVER w - gv.n_files AS file_offset
        FROM v JOIN gen_variants gv ON gv.variant = v.variant
        WINDOW w AS (ORDER BY v.numero ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        """
    )
    cur.execute(
        """
        INSERT INTO objets
        SELECT nextval('objets_id'), g.type_objet, 'GEN-' || g.numero, g.emetteur_id, g.destinataire_id, NULL,
               'mise_a_disposition'
        FROM gen g WHERE g.type_objet IS NOT NULL AND g.emetteur_id IS NOT NULL
        """
    )
    # A step's date: `step_hours` apart on average, each but the first moved by less than that, so that
    # a request's steps keep their order.
    cur.execute(
        "CREATE TEMP MACRO step_date(saisie, k, h, n) AS saisie + INTERVAL 1 HOUR * (k * h)"
        " + INTERVAL 1 SECOND * CASE WHEN k = 0 THEN 0 ELSE rnd(n * 16 + k, 41, h * 3600) END"
    )
    cur.execute(
        """
        INSERT INTO sollicitations (numero, statut, categorie, sous_categorie, type_objet, numero_objet, objet_id,
            emetteur_id, description, destinataire_id, assigne_a, cree_par, contact, renvoyee, resolue,
            saisie_le, envoyee_le, cloturee_le, modifiee_le, email)
        SELECT g.numero, g.statut, g.categorie, g.sous_categorie,
               CASE WHEN g.emetteur_id IS NOT NULL THEN g.type_objet END,
               CASE WHEN g.type_objet IS NOT NULL AND g.emetteur_id IS NOT NULL THEN 'GEN-' || g.numero END,
               o.id, g.emetteur_id,
               concat_ws(' ',
                   $openings[g.theme][skew(g.i, 21, len($openings[g.theme]))],
                   CASE WHEN rnd(g.i, 23, 10) < 8
                        THEN rf.t0 || ref(rf.p1, g.i, g.saisie_le, $r) || rf.t1 || ref(rf.p2, g.i, g.saisie_le, $r) || rf.t2 END,
                   CASE WHEN rnd(g.i, 25, 10) < 5 THEN $details[skew(g.i, 26, len($details))] END,
                   CASE WHEN rnd(g.i, 27, 10) < 7 THEN $closings[skew(g.i, 28, len($closings))] END),
               CASE WHEN g.statut = 'brouillon' THEN NULL WHEN g.transferred THEN $support ELSE g.destinataire_id END,
               CASE g.assignee WHEN 'd' THEN g.agent WHEN 'c' THEN g.colleague WHEN 's' THEN $support_login END,
               g.cree_par, g.contact, g.renvoyee, g.resolue,
               g.saisie_le, step_date(g.saisie_le, g.sent_step, g.step_hours, g.numero),
               CASE WHEN g.statut = 'fermee' THEN step_date(g.saisie_le, g.n_steps - 1, g.step_hours, g.numero) END,
               step_date(g.saisie_le, g.n_steps - 1, g.step_hours, g.numero),
               CASE WHEN g.contact THEN 'contact' || g.numero || '@visiteur.example' END
        FROM gen g LEFT JOIN objets o ON o.numero = 'GEN-' || g.numero AND o.type = g.type_objet
        JOIN gen_refs rf ON rf.theme = g.theme AND rf.k = skew(g.i, 24, $ref_counts[g.theme])
        -- Stored in number order, as the app's writes store them: a list's page joins its 50 numbers back
        -- to the requests, and the row groups' number ranges let that join skip the others (in join
        -- order, 1M requests listed at 66 ms instead of 35 ms).
        ORDER BY g.numero
        """,
        {"openings": world.openings, "ref_counts": [len(r) for r in world.references], "details": world.details,
         "closings": world.closings, "support": support, "support_login": support_login, "r": max(20, size // 100)},
    )  # fmt: skip
    cur.execute(
        f"""
        CREATE TEMP TABLE gen_history AS
        WITH h AS (
            SELECT g.numero, s.step, s.action, s.ancien, s.nouveau, s.cote, s.file_kind,
                   {ids_before["historique"]} + g.history_offset + s.step + 1 AS id,
                   {ids_before["commentaires"]} + g.comment_offset + s.comment_rank + 1 AS comment_id,
                   {ids_before["pieces_jointes"]} + g.file_offset + s.file_rank + 1 AS file_id,
                   step_date(g.saisie_le, s.step, g.step_hours, g.numero) AS date,
                   CASE s.who WHEN 'e' THEN g.cree_par WHEN 'd' THEN g.agent WHEN 'c' THEN g.colleague ELSE '{support_login}' END AS login,
                   CASE WHEN s.comment_kind IS NOT NULL THEN concat_ws(' ',
                       $first[(s.comment_kind - 1) * {n_themes} + g.theme][skew(g.numero * 16 + s.step, 42,
                              len($first[(s.comment_kind - 1) * {n_themes} + g.theme]))],
                       CASE WHEN rnd(g.numero * 16 + s.step, 43, 10) < 6
                            THEN $second[s.comment_kind][skew(g.numero * 16 + s.step, 44, len($second[s.comment_kind]))] END)
                   END AS texte,
                   CASE WHEN s.file_kind IS NOT NULL
                        THEN skew(g.numero * 16 + s.step, 45, s.file_count) END AS file_k,
                   CASE WHEN s.action = 'assign' THEN g.colleague END AS assigned
            FROM gen g JOIN gen_steps s ON s.variant = g.variant
        )
        SELECT h.*, replace(f.stem, '{{n}}', h.numero::VARCHAR) || '.' || f.ext AS nom_fichier, f.ext, f.type, f.designation,
               CASE WHEN h.action = 'assign' THEN 'Assignée à ' || u.nom || ' ' || u.prenom
                    WHEN h.action = 'add_attachment' THEN 'Pièce jointe ajoutée : ' || replace(f.stem, '{{n}}', h.numero::VARCHAR) || '.' || f.ext
                    ELSE h.texte END AS commentaire
        FROM h LEFT JOIN gen_files f ON f.kind = h.file_kind AND f.k = h.file_k
        LEFT JOIN users u ON u.login = h.assigned
        """,
        {"first": [first if isinstance(first[0], str) else first[theme]
                   for first, _ in world.comments for theme in range(n_themes)],
         "second": [second for _, second in world.comments]},
    )  # fmt: skip
    cur.execute(
        "INSERT INTO historique SELECT id, numero, date, login, action, ancien, nouveau, commentaire FROM gen_history ORDER BY id"
    )
    cur.execute(
        "INSERT INTO commentaires SELECT comment_id, numero, date, login, cote, texte FROM gen_history"
        " WHERE texte IS NOT NULL ORDER BY comment_id"
    )
    # Contents: a one-page PDF, a 1x1 PNG or a few lines of text naming the request; size and hash are theirs.
    cur.execute(
        """
        CREATE TEMP TABLE gen_attachments AS
        SELECT file_id AS id, numero, type, designation, ext, nom_fichier, cote, login, date,
               CASE ext WHEN 'pdf' THEN encode(replace($pdf, 'NNNNNNNNNN', lpad(numero::VARCHAR, 10, '0')))
                        WHEN 'png' THEN $png
                        WHEN 'csv' THEN encode('numero;date;montant' || chr(10) || numero || ';'
                                               || strftime(date, '%d/%m/%Y') || ';' || (file_id % 9000 + 100) || ',00' || chr(10))
                        ELSE encode(designation || ' - sollicitation n° ' || numero || chr(10)
                                    || 'Document déposé le ' || strftime(date, '%d/%m/%Y') || '.' || chr(10)) END AS contenu
        FROM gen_history WHERE file_kind IS NOT NULL
        """,
        {"pdf": _PDF, "png": _PNG},
    )
    cur.execute(
        "INSERT INTO pieces_jointes SELECT id, numero, type, designation, ext, nom_fichier, octet_length(contenu),"
        " sha256(contenu), cote, login, date FROM gen_attachments ORDER BY id"
    )
    cur.execute("INSERT INTO pieces_jointes_contenu SELECT id, contenu FROM gen_attachments ORDER BY id")
    # Ids were computed (in history order, the same for a seed): move the sequences past them.
    for table, sequence in (("historique", "historique_id"), ("commentaires", "commentaires_id"),
                            ("pieces_jointes", "pieces_jointes_id")):  # fmt: skip
        added = cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0] - ids_before[table]
        if added > 0:
            cur.execute(f"SELECT max(nextval('{sequence}')) FROM range({int(added)})")
    # Keep the numbering ahead of what was generated.
    cur.execute(f"SELECT max(nextval('sollicitations_numero')) FROM range({size})")
    for table in (
        "gen",
        "gen_history",
        "gen_attachments",
        "gen_refs",
        "gen_pairs",
        "gen_steps",
        "gen_variants",
        "gen_files",
    ):
        cur.execute(f"DROP TABLE {table}")
    for macro in ("step_date", "ref", "skew", "rnd"):
        cur.execute(f"DROP MACRO {macro}")
    store.rebuild_derived(cur)  # structure keys, full-text index and first steps, as the writes keep them
    cur.execute("COMMIT")


def _variants_and_steps(world: GeneratedWorld):
    """The gen_variants and gen_steps rows (with each step's rank among its request's comments and files, and
    each variant's counts: the generated ids follow from them) and the cumulative weights the draw picks from."""
    counts = {variant: [0, 0, 0] for variant, *_ in world.paths}  # steps, comments, files
    steps = []
    for variant, k, action, ancien, nouveau, who, cote, comment, file_kind in world.steps:
        n = counts[variant]
        steps.append((variant, k, action, ancien, nouveau, who, cote, comment, n[1] if comment else None,
                      file_kind, n[2] if file_kind else None, file_kind and len(world.files[file_kind - 1])))  # fmt: skip
        n[0] += 1
        n[1] += comment is not None
        n[2] += file_kind is not None
    variants, cumulative, total = [], [], 0
    for variant, weight, statut, assignee, transferred, renvoyee, resolue, sent_step in world.paths:
        total += weight
        cumulative.append((variant, total))
        n_steps, n_comments, n_files = counts[variant]
        variants.append(
            (variant, n_steps, statut, assignee, transferred, renvoyee, resolue, sent_step, n_comments, n_files)
        )
    return variants, steps, cumulative


def _quoted(values) -> str:
    return ", ".join(f"'{v}'" for v in values)

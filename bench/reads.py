"""(a) + (b) the package's reads, each against the same question in plain SQL: to-process lists,
searches (criteria mixes, full text), drill-down lists, dashboards, details, the managers' figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sollicitations import demo

from .raw_sql import CREE_PAR_SQL, FIRSTS, RAW_LIST, day, raw_detail, raw_page, word_raw
from .table import FULL_TEXT, SCREEN, Recorder, Row
from .timing import measure
from .world import SCOPES, SPACES, Context, context
from .writes import TRANSITION_STAGES

# The search criteria mixes: (label, criteria for the package, raw WHERE and parameters, sort, page).
# `c` is the world's context (sample numbers, a structure of each kind).
SEARCHES = [
    ("numero", lambda c, w: {"numero": c.numero[w]}, lambda c, w: ("s.numero = ?", [c.numero[w]]), "numero", 1),
    (
        "numero_objet",
        lambda c, w: {"numero_objet": c.objet[w]},
        lambda c, w: ("s.numero_objet = ?", [c.objet[w]]),
        "numero",
        1,
    ),
    (
        "period du/au (1 month)",
        lambda c, w: {"du": "01/03/2026", "au": "31/03/2026"},
        lambda c, w: ("s.saisie_le >= ? AND s.saisie_le < ?", [day("01/03/2026"), day("01/04/2026")]),
        "numero",
        1,
    ),
    ("statut En cours", lambda c, w: {"statut": "En cours"}, lambda c, w: ("s.statut = 'en_cours'", []), "numero", 1),
    (
        "statut Envoyée+En cours + period (3 months)",
        lambda c, w: {"statut": ["Envoyée", "En cours"], "du": "01/01/2026", "au": "31/03/2026"},
        lambda c, w: (
            "s.statut IN ('envoyee', 'en_cours') AND s.saisie_le >= ? AND s.saisie_le < ?",
            [day("01/01/2026"), day("01/04/2026")],
        ),
        "numero",
        1,
    ),
    (
        "destinataire",
        lambda c, w: {"destinataire": demo.REC201DESTINATAIRE},
        lambda c, w: ("s.destinataire_id = ?", [demo.REC201DESTINATAIRE]),
        "numero",
        1,
    ),
    (
        "cree_par (name)",
        lambda c, w: {"cree_par": "marchand"},
        lambda c, w: (CREE_PAR_SQL, ["%marchand%"] * 3),
        "numero",
        1,
    ),
    (
        "categorie+statut",
        lambda c, w: {"categorie": "Factures émises", "statut": "Répondue"},
        lambda c, w: ("s.categorie = ? AND s.statut = 'repondue'", ["Factures émises"]),
        "numero",
        1,
    ),
    (
        "categorie+sous_categorie",
        lambda c, w: {"categorie": "Factures émises", "sous_categorie": "Rejet d'une facture"},
        lambda c, w: ("s.categorie = ? AND s.sous_categorie = ?", ["Factures émises", "Rejet d'une facture"]),
        "numero",
        1,
    ),
    (
        "structure emettrice",
        lambda c, w: {"structure": c.emitter[w]},
        lambda c, w: ("s.emetteur_id = ?", [c.emitter[w]]),
        "numero",
        1,
    ),
    (
        "statut Fermée, page 20",
        lambda c, w: {"statut": "Fermée"},
        lambda c, w: ("s.statut = 'fermee'", []),
        "numero",
        20,
    ),
    (
        "statut Envoyée, sort recent",
        lambda c, w: {"statut": "Envoyée"},
        lambda c, w: ("s.statut = 'envoyee'", []),
        "recent",
        1,
    ),
]

# Full-text mixes ("Mots-clés"), on words picked from the world's own vocabulary (see context()).
FULL_TEXT_SEARCHES = [
    ("most frequent word", lambda c: c.words["common"], lambda c: word_raw(c.words["common"])),
    ("median-frequency word", lambda c: c.words["median"], lambda c: word_raw(c.words["median"])),
    (
        "two words",
        lambda c: f"{c.words['common']} {c.words['median']}",
        lambda c: word_raw(c.words["common"], c.words["median"]),
    ),
    ("prefix of 4 letters", lambda c: c.words["prefix"], lambda c: word_raw(c.words["prefix"])),
]
SEARCH_USERS = ("fournisseur", "gestionnaire")
# Drill-down lists: a click on a count of the dashboard (structure x status).
DRILLS = [
    (
        "fournisseur",
        "REC201FOURNISSEUR x En cours",
        {"structure": demo.REC201FOURNISSEUR, "statut": "En cours"},
        ("s.emetteur_id = ? AND s.statut = 'en_cours'", [demo.REC201FOURNISSEUR]),
    ),
    (
        "gestionnaire",
        "REC201DESTINATAIRE x Envoyée",
        {"destinataire": demo.REC201DESTINATAIRE, "statut": "Envoyée"},
        ("s.destinataire_id = ? AND s.statut = 'envoyee'", [demo.REC201DESTINATAIRE]),
    ),
    (
        "gestionnaire",
        "Support x Fermée (largest cell)",
        {"destinataire": demo.SUPPORT, "statut": "Fermée"},
        ("s.destinataire_id = ? AND s.statut = 'fermee'", [demo.SUPPORT]),
    ),
]
MANAGER_FIGURES = ["weekly_flow", "backlog", "delays (by destinataire)", "delays (by categorie)",
                   "reopen_rates", "oldest_open (20)"]  # fmt: skip


def package_figure_names() -> list[str]:
    """Every figure of the package part, in the table's order (the smoke test checks them all)."""
    names = ["generation (demo.build)", "to_process fournisseur", "to_process destinataire"]
    names += [f"search {label} ({who})" for who in SEARCH_USERS for label, *_ in SEARCHES]
    names += [f"search full text, {label} ({who})" for who in SEARCH_USERS for label, *_ in FULL_TEXT_SEARCHES]
    names += [f"drill-down {who}: {label}" for who, label, *_ in DRILLS]
    kept = [
        "dashboard fournisseur (3 structures)",
        "dashboard fournisseur, services of REC201FOURNISSEUR",
        "dashboard destinataire (2 structures)",
        "dashboard gestionnaire (all structures)",
        "monthly fournisseur",
        "monthly gestionnaire",
    ] + [f"manager {name}" for name in MANAGER_FIGURES]
    names += [n for name in kept[:6] for n in (name, f"{name} (kept)")]
    names += ["detail get() fournisseur", "detail get() gestionnaire"]
    names += [n for name in kept[6:] for n in (name, f"{name} (kept)")]
    names += ["pdf detail_pdf", "export CSV", "export XLSX"]
    names += [f"write {stage}, {threads}" for threads in ("1 thread", "8 threads") for stage in TRANSITION_STAGES]
    return names


def bench_reads(rec: Recorder, desk, con, size: int, args) -> Context:
    c = context(con, size)
    users = {w: desk.as_user(w) for w in ("fournisseur", "destinataire", "gestionnaire")}
    F, D, G = users["fournisseur"], users["destinataire"], users["gestionnaire"]

    def add(figure, pkg, raw, target=SCREEN, note=""):
        p, r = measure(pkg, raw, args.repeat, args.budget)
        rec.add(Row("package", figure, size, "ms", p, r, target=target, note=note))

    add("to_process fournisseur", lambda: F.to_process(),
        lambda: raw_page(con, "fournisseur", "s.statut IN ('brouillon', 'repondue', 'informations_requises')", [],
                         "saisie"))  # fmt: skip
    add(
        "to_process destinataire",
        lambda: D.to_process(),
        lambda: raw_page(con, "destinataire", "s.statut IN ('envoyee', 'en_cours')", [], "recent"),
    )
    for who in SEARCH_USERS:
        me = users[who]
        for label, criteria, raw, sort, page in SEARCHES:
            crit, (where, params) = criteria(c, who), raw(c, who)
            total = [0]

            def pkg(crit=crit, sort=sort, page=page, me=me, who=who, total=total):
                total[0] = me.search(page=page, page_size=50, space=SPACES[who], sort=sort, **crit).attrs["total"]

            add(
                f"search {label} ({who})",
                pkg,
                lambda where=where, params=params, sort=sort, page=page, who=who: raw_page(
                    con, who, where, params, sort, page
                ),
            )
            rec.rows[-1].note = f"{total[0]:,} matches"
        for label, text, raw in FULL_TEXT_SEARCHES:
            total, words, (where, params) = [0], text(c), raw(c)

            def pkg(words=words, me=me, who=who, total=total):
                total[0] = me.search(page=1, page_size=50, space=SPACES[who], mots=words).attrs["total"]

            add(
                f"search full text, {label} ({who})",
                pkg,
                lambda where=where, params=params, who=who: raw_page(con, who, where, params),
                target=FULL_TEXT,
            )
            rec.rows[-1].note = f"« {words} »: {total[0]:,} matches"
    for who, label, crit, (where, params) in DRILLS:
        me = users[who]
        add(
            f"drill-down {who}: {label}",
            lambda me=me, who=who, crit=crit: me.search(1, 50, SPACES[who], **crit),
            lambda who=who, where=where, params=params: raw_page(con, who, where, params),
        )

    def kept(figure, pkg, raw):
        add_kept_and_cold(rec, F, figure, pkg, raw, size, args)

    def raw_counts(who, key, extra="", params=()):
        join = "structures" if key.endswith("_id") and "service" not in key else "services"
        return con.execute(
            f"SELECT s.{key}, k.{'designation' if join == 'structures' else 'libelle'}, s.statut, count(*)"
            f" FROM sollicitations s LEFT JOIN {join} k ON k.id = s.{key}"
            f" WHERE {SCOPES[who]} {extra} GROUP BY ALL", list(params)).fetchall()  # fmt: skip

    kept(
        "dashboard fournisseur (3 structures)", lambda: F.dashboard(), lambda: raw_counts("fournisseur", "emetteur_id")
    )
    kept(
        "dashboard fournisseur, services of REC201FOURNISSEUR",
        lambda: F.dashboard(structure=demo.REC201FOURNISSEUR),
        lambda: raw_counts("fournisseur", "service_emetteur_id", "AND s.emetteur_id = ?", [demo.REC201FOURNISSEUR]),
    )
    kept(
        "dashboard destinataire (2 structures)",
        lambda: D.dashboard(),
        lambda: raw_counts("destinataire", "destinataire_id"),
    )
    kept(
        "dashboard gestionnaire (all structures)",
        lambda: G.dashboard(space="toutes"),
        lambda: raw_counts("gestionnaire", "destinataire_id"),
    )
    monthly_sql = ("SELECT date_trunc('month', s.saisie_le), s.statut, count(*) FROM sollicitations s WHERE {}"
                   " GROUP BY 1, 2 ORDER BY 1, 2")  # fmt: skip
    kept(
        "monthly fournisseur",
        lambda: F.monthly(),
        lambda: con.execute(monthly_sql.format(SCOPES["fournisseur"])).fetchall(),
    )
    kept(
        "monthly gestionnaire",
        lambda: G.monthly(space="toutes"),
        lambda: con.execute(monthly_sql.format("true")).fetchall(),
    )

    for who in ("fournisseur", "gestionnaire"):
        numbers, me = c.details[who], users[who]
        turn = {"pkg": 0, "raw": 0}

        def pkg(numbers=numbers, me=me, turn=turn):
            turn["pkg"] += 1
            return me.get(numbers[turn["pkg"] % len(numbers)])

        def raw(numbers=numbers, turn=turn):
            turn["raw"] += 1
            return raw_detail(con, numbers[turn["raw"] % len(numbers)])

        add(f"detail get() {who}", pkg, raw)

    add_manager_figures(rec, G, con, size, args)
    return c


def after_write(me, figure: Callable[[], Any]) -> Callable[[], Any]:
    """The figure as the first reader after a write sees it: the store keeps figures until the data
    changes (Store.data_version: this process's writes on DuckDB, the snapshot on PostgreSQL)."""

    def cold():
        me.desk.store.forget_figures()  # what a commit (here or, on PostgreSQL, anywhere) does to them
        return figure()

    return cold


def add_kept_and_cold(rec: Recorder, me, figure: str, pkg, raw, size: int, args, note: str = "") -> None:
    """A read-mostly figure twice: computed after a write (the main row), and kept since the last write."""
    p, r = measure(after_write(me, pkg), raw, args.repeat, args.budget)
    rec.add(
        Row("package", figure, size, "ms", p, r, target=SCREEN, note=f"{note}; computed after a write".lstrip("; "))
    )
    p, r = measure(pkg, raw, args.repeat, args.budget)
    rec.add(Row("package", f"{figure} (kept)", size, "ms", p, r, target=SCREEN,
                note=f"{note}; no write since the last call: the store's kept figure".lstrip("; ")))  # fmt: skip


def add_manager_figures(rec: Recorder, G, con, size: int, args) -> None:
    def add(figure, pkg, raw):
        add_kept_and_cold(rec, G, f"manager {figure}", pkg, raw, size, args, note="on the manager's dashboard tab")

    add(
        "weekly_flow",
        lambda: G.weekly_flow(space="toutes"),
        lambda: con.execute("""
        SELECT semaine, sum(e), sum(f) FROM (
          SELECT date_trunc('week', saisie_le) AS semaine, count(*) AS e, 0 AS f FROM sollicitations
          WHERE statut <> 'brouillon' GROUP BY 1
          UNION ALL SELECT date_trunc('week', cloturee_le), 0, count(*) FROM sollicitations
          WHERE cloturee_le IS NOT NULL GROUP BY 1) GROUP BY 1 ORDER BY 1""").fetchall(),
    )

    def raw_backlog():
        start = con.execute("SELECT min(saisie_le) FROM sollicitations").fetchone()[0]
        first = (start - timedelta(days=start.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
        now = datetime.now()
        moments = []
        m = first + timedelta(days=7)
        while m <= now + timedelta(days=7):
            moments.append(m)
            m += timedelta(days=7)
        return con.execute(
            """
            WITH spans AS (SELECT h.nouveau_statut AS statut, h.date AS debut,
                                  lead(h.date) OVER (PARTITION BY h.numero ORDER BY h.date, h.id) AS fin FROM historique h)
            SELECT m.moment, spans.statut, count(*) FROM unnest(?::TIMESTAMP[]) AS m(moment)
            JOIN spans ON spans.debut <= m.moment AND (spans.fin IS NULL OR spans.fin > m.moment)
            GROUP BY 1, 2 ORDER BY 1""",
            [moments[-156:]],
        ).fetchall()

    add("backlog", lambda: G.backlog(space="toutes"), raw_backlog)
    for by, column in (("destinataire", "destinataire_id"), ("categorie", "categorie")):
        add(
            f"delays (by {by})",
            lambda by=by: G.delays(by, space="toutes"),
            lambda column=column: con.execute(f"""
            WITH f AS ({FIRSTS}), d AS (
              SELECT s.{column} AS cle, extract(epoch FROM (f.reponse - f.envoi)) / 3600.0 AS hr,
                     extract(epoch FROM (f.fermeture - f.envoi)) / 3600.0 AS hf
              FROM f JOIN sollicitations s ON s.numero = f.numero WHERE f.envoi IS NOT NULL)
            SELECT cle, count(*), count(hr), count(hf), quantile_cont(hr, 0.5), quantile_cont(hr, 0.9),
                   quantile_cont(hf, 0.5), quantile_cont(hf, 0.9) FROM d GROUP BY cle""").fetchall(),
        )
    add(
        "reopen_rates",
        lambda: G.reopen_rates(space="toutes"),
        lambda: con.execute("""
        WITH r AS (SELECT numero, bool_or(action = 'respond') AS repondue, bool_or(action = 'reopen') AS rouverte
                   FROM historique GROUP BY numero)
        SELECT s.destinataire_id, count(*), count(*) FILTER (WHERE r.rouverte) FROM r
        JOIN sollicitations s ON s.numero = r.numero WHERE r.repondue GROUP BY 1""").fetchall(),
    )
    add(
        "oldest_open (20)",
        lambda: G.oldest_open(20, space="toutes"),
        lambda: con.execute(
            f"{RAW_LIST} WHERE s.statut NOT IN ('brouillon', 'fermee') ORDER BY s.saisie_le, s.numero LIMIT 20"
        ).fetchall(),
    )

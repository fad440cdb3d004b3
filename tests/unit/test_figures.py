"""The managers' figures against brute force: weekly flow, backlog, delays, reopen rates and oldest open
requests, each computed again in pandas from the raw tables (`sollicitations`, `historique`) of the demo
world with 3000 generated requests, plus a few requests driven through the API at chosen instants for the
edge cases the generator never produces. Nothing here reuses the package's SQL."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo

# A fixed clock, after every generated and API-driven history row: figures that read "now" are stable.
NOW = datetime(2026, 12, 17, 9, 0)
BOUNDARY = datetime(2026, 11, 30, 0, 0)  # a Monday 00:00, one of the backlog's moments
OPEN = ["envoyee", "en_cours", "informations_requises", "repondue"]
LABELS = {
    "brouillon": "Brouillon",
    "envoyee": "Envoyée",
    "en_cours": "En cours",
    "informations_requises": "Informations compl. requises",
    "repondue": "Répondue",
    "fermee": "Fermée",
}
BACKLOG_COLUMNS = [LABELS[s] for s in OPEN]
DELAY_COLUMNS = [
    "Première réponse, médiane (jours)",
    "Première réponse, 90e centile (jours)",
    "Clôture, médiane (jours)",
    "Clôture, 90e centile (jours)",
]
BY_COLUMN = {"destinataire": "destinataire_id", "categorie": "categorie"}
BY_HEADER = {"destinataire": "Destinataire", "categorie": "Catégorie"}

# (login, space, filters): the manager over everything, the receiver over its own structures.
CASES = {
    "manager": ("gestionnaire", "toutes", {}),
    "manager-period": ("gestionnaire", "toutes", {"du": "01/06/2026", "au": "15/11/2026"}),
    "manager-iso-dates": ("gestionnaire", "toutes", {"du": "2025-12-31", "au": "2026-03-01"}),
    "manager-categorie": ("gestionnaire", "toutes", {"categorie": "Factures émises"}),
    "manager-destinataire": ("gestionnaire", "toutes", {"destinataire": demo.REC201DESTINATAIRE}),
    "manager-support": ("gestionnaire", "toutes", {"destinataire": demo.SUPPORT}),
    "manager-all-filters": (
        "gestionnaire",
        "toutes",
        {"du": "01/01/2026", "categorie": "Factures émises", "destinataire": demo.REC201DESTINATAIRE},
    ),
    "manager-recent": ("gestionnaire", "toutes", {"du": "03/11/2026"}),
    "receiver": ("destinataire", "recues", {}),
    "receiver-period": ("destinataire", "recues", {"du": "01/03/2026", "au": "31/08/2026"}),
    "receiver-structure": ("destinataire", "recues", {"destinataire": demo.STRUCTURE_PUBLIQUE_TEST}),
    "receiver-recent": ("destinataire", "recues", {"du": "03/11/2026", "destinataire": demo.REC201DESTINATAIRE}),
    "support": ("support", "recues", {}),
    "support-categorie": ("support", "recues", {"categorie": "Connexion"}),
    "support-period-categorie": (
        "support",
        "recues",
        {"du": "01/01/2026", "au": "30/06/2026", "categorie": "Compte utilisateur"},
    ),
}
CASE_IDS = list(CASES)


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(scope="module")
def world(big_desk):
    """The generated world plus requests whose history the generator cannot write: sent long after being
    saved, two steps at the same instant, a step exactly at a backlog moment, re-sent after a complement or a
    reopening, transferred to the support desk, closed before any response, a draft already addressed."""
    clock = Clock(datetime(2026, 11, 3, 10, 0))
    big_desk.clock = clock
    me, dupont = big_desk.as_user("fournisseur"), big_desk.as_user("dupont")
    agent = big_desk.as_user("destinataire")
    own = dict(
        categorie="Factures émises",
        sous_categorie="Question pour une entité publique",
        structure=demo.REC201FOURNISSEUR,
        destinataire=demo.REC201DESTINATAIRE,
        description="Quelles pièces faut-il joindre aux factures ?",
    )
    made = {}

    def at(when: datetime):
        clock.now = when

    at(datetime(2026, 11, 3, 10, 0))
    made["late"] = n = me.save_draft(**own)  # saved one week, sent three weeks later
    at(datetime(2026, 11, 4, 8, 0))
    made["transfer"] = t = me.send(**own)
    at(datetime(2026, 11, 5, 14, 0))
    made["early"] = e = me.send(**{**own, "destinataire": demo.STRUCTURE_PUBLIQUE_TEST})
    at(datetime(2026, 11, 5, 16, 0))
    agent.take_in_charge(t)
    at(datetime(2026, 11, 6, 9, 30))
    agent.transfer_to_support(t, "Hors du périmètre de la structure.")
    at(datetime(2026, 11, 6, 11, 0))
    me.close(e, comment="La question ne se pose plus.")  # closed before any response
    made["draft"] = me.save_draft(**own)  # addressed, but a draft: receivers never see it
    at(datetime(2026, 11, 10, 9, 0))
    made["reopened"] = r = me.send(**own)
    at(datetime(2026, 11, 11, 17, 0))
    agent.respond(r, "Le bon de commande suffit.")
    at(datetime(2026, 11, 12, 10, 0))
    me.close(r, resolved=False, reopen=True, comment="Et pour les avoirs ?")  # re-sent, still open
    at(datetime(2026, 11, 25, 10, 0))
    me.submit(n)
    at(BOUNDARY)  # two steps at once, exactly at a backlog moment
    agent.take_in_charge(n)
    agent.request_information(n, "Merci de joindre le bon de commande.")
    at(datetime(2026, 12, 2, 17, 0))
    me.add_complement(n, "Le voici.")
    at(datetime(2026, 12, 3, 12, 0))
    agent.respond(n, "Merci, c'est complet.")
    at(datetime(2026, 12, 7, 8, 0))
    made["dupont"] = d = dupont.send(
        categorie="Factures émises",
        sous_categorie="Question pour une entité publique",
        structure=demo.MENUISERIE_DUPONT,
        destinataire=demo.REC201DESTINATAIRE,
        description="Où en est le paiement ?",
    )
    at(datetime(2026, 12, 8, 8, 0))
    agent.respond(d, "Payé ce jour.")
    at(datetime(2026, 12, 9, 8, 0))
    dupont.close(d, resolved=True, comment="Merci.")
    at(NOW)
    big_desk.made = made
    return big_desk


# -- brute force ---------------------------------------------------------------------------------


class Raw:
    """The raw tables, and each figure written again in pandas."""

    def __init__(self, desk):
        q = desk.store.query_df
        self.s = q("SELECT * FROM sollicitations")
        self.h = q("SELECT * FROM historique").sort_values(["date", "id"], kind="stable")
        self.hab = q("SELECT * FROM habilitations")
        self.names = dict(q("SELECT id, designation FROM structures").itertuples(index=False))

    def scoped(self, login: str, space: str, filters: dict) -> pd.DataFrame:
        s = self.s
        if space == "recues":
            h = self.hab[(self.hab["login"] == login) & self.hab["role"].isin(["agent", "support"])]
            s = s[s["destinataire_id"].isin(h["structure_id"]) & (s["statut"] != "brouillon")]
        else:
            assert space == "toutes"
        if filters.get("du"):
            s = s[s["saisie_le"] >= pd.Timestamp(day(filters["du"]))]
        if filters.get("au"):
            s = s[s["saisie_le"] < pd.Timestamp(day(filters["au"]) + timedelta(days=1))]
        if filters.get("categorie"):
            s = s[s["categorie"] == filters["categorie"]]
        if filters.get("destinataire"):
            s = s[s["destinataire_id"] == filters["destinataire"]]
        return s

    def history(self, s: pd.DataFrame) -> pd.DataFrame:
        return self.h[self.h["numero"].isin(s["numero"])]

    def weekly_flow(self, s: pd.DataFrame) -> pd.DataFrame:
        entered = monday(s.loc[s["statut"] != "brouillon", "saisie_le"]).value_counts()
        closed = monday(s["cloturee_le"].dropna()).value_counts()
        flow = pd.DataFrame({"Entrées": entered, "Fermetures": closed}).fillna(0).astype(int)
        return flow.sort_index()

    def backlog_at(self, s: pd.DataFrame, moment) -> dict[str, int]:
        h = self.history(s)
        last = h[h["date"] <= pd.Timestamp(moment)].groupby("numero").tail(1)  # sorted by (date, id)
        counts = last["nouveau_statut"].value_counts()
        return {LABELS[st]: int(counts.get(st, 0)) for st in OPEN}

    def firsts(self, s: pd.DataFrame) -> pd.DataFrame:
        """Per sent request: hours from the first entry into Envoyée to the first response, to the first close."""
        h = self.history(s)
        envoi = h[h["nouveau_statut"] == "envoyee"].groupby("numero")["date"].min()
        reponse = h[h["action"] == "respond"].groupby("numero")["date"].min()
        fermeture = h[h["nouveau_statut"] == "fermee"].groupby("numero")["date"].min()
        f = pd.DataFrame({"envoi": envoi}).join(reponse.rename("reponse")).join(fermeture.rename("fermeture"))
        f["h_reponse"] = (f["reponse"] - f["envoi"]).dt.total_seconds() / 3600
        f["h_fermeture"] = (f["fermeture"] - f["envoi"]).dt.total_seconds() / 3600
        keys = s.set_index("numero")
        for by, column in BY_COLUMN.items():
            f[by] = keys.loc[f.index, column]
        return f

    def delays(self, s: pd.DataFrame, by: str) -> dict:
        out = {}
        for key, g in self.firsts(s).groupby(by, dropna=False):
            out[key] = {
                "Envoyées": len(g),
                "Répondues": int(g["reponse"].notna().sum()),
                "Fermées": int(g["fermeture"].notna().sum()),
                DELAY_COLUMNS[0]: percentile_days(g["h_reponse"], 50),
                DELAY_COLUMNS[1]: percentile_days(g["h_reponse"], 90),
                DELAY_COLUMNS[2]: percentile_days(g["h_fermeture"], 50),
                DELAY_COLUMNS[3]: percentile_days(g["h_fermeture"], 90),
            }
        return out

    def reopen_rates(self, s: pd.DataFrame, by: str) -> dict:
        h = self.history(s)
        responded = set(h.loc[h["action"] == "respond", "numero"])
        reopened = set(h.loc[h["action"] == "reopen", "numero"])
        r = s[s["numero"].isin(responded)].assign(rouverte=lambda d: d["numero"].isin(reopened))
        return {key: (len(g), int(g["rouverte"].sum())) for key, g in r.groupby(BY_COLUMN[by], dropna=False)}

    def oldest_open(self, s: pd.DataFrame, limit: int = 20) -> pd.DataFrame:
        o = s[~s["statut"].isin(["brouillon", "fermee"])]
        return o.sort_values(["saisie_le", "numero"]).head(limit)

    def label(self, key, by: str) -> str:
        return f"{key} - {self.names[key]}" if by == "destinataire" else key


def day(text: str) -> datetime:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError(text)


def monday(stamps: pd.Series) -> pd.Series:
    """The Monday 00:00 that starts the ISO week of each timestamp."""
    stamps = pd.to_datetime(stamps)
    return stamps.dt.normalize() - pd.to_timedelta(stamps.dt.day_of_week, unit="D")


def percentile_days(hours: pd.Series, q: float) -> float:
    values = hours.dropna().to_numpy(dtype=float)
    return float(np.percentile(values, q)) / 24 if len(values) else math.nan


def assert_days(got, exact: float, what: str) -> None:
    """`got` is `exact` (days) rounded to 0.1: a multiple of 0.1 within 0.05 of it (either way on a tie)."""
    if math.isnan(exact):
        assert got is None or math.isnan(got), f"{what}: expected no value, got {got}"
        return
    assert got is not None and not math.isnan(got), f"{what}: expected {exact:.4f} days, got nothing"
    assert abs(got * 10 - round(got * 10)) < 1e-6, f"{what}: {got} is not rounded to 0.1"
    assert abs(got - exact) <= 0.05 + 1e-9, f"{what}: expected {exact:.4f} days (rounded to 0.1), got {got}"


@pytest.fixture(scope="module")
def raw(world):
    return Raw(world)


@pytest.fixture(scope="module")
def users(world):
    return {login: world.as_user(login) for login in ("gestionnaire", "destinataire", "support", "fournisseur")}


def case(raw, users, name):
    login, space, filters = CASES[name]
    return users[login], space, dict(filters), raw.scoped(login, space, filters)


# -- the world the figures are computed on -------------------------------------------------------


def test_the_world_has_what_the_figures_need(world, raw):
    s, h = raw.s, raw.h
    assert len(s) > 3000
    assert set(s["statut"]) == set(LABELS)
    assert (h["action"] == "reopen").sum() > 100 and (h["action"] == "respond").sum() > 1000
    made = world.made
    late = s.set_index("numero").loc[made["late"]]
    assert late["saisie_le"] < late["envoyee_le"] and late["statut"] == "repondue"
    assert ((h["numero"] == made["late"]) & (h["date"] == pd.Timestamp(BOUNDARY))).sum() == 2
    transferred = s.set_index("numero").loc[made["transfer"]]
    assert transferred["destinataire_id"] == demo.SUPPORT
    draft = s.set_index("numero").loc[made["draft"]]
    assert draft["statut"] == "brouillon" and draft["destinataire_id"] == demo.REC201DESTINATAIRE
    # Every case works on a set that is neither empty nor everything.
    for name in CASES:
        scoped = raw.scoped(*CASES[name])
        assert len(scoped) > 0 and (scoped["statut"] != "brouillon").any(), name
        if CASES[name][2]:
            base = raw.scoped(CASES[name][0], CASES[name][1], {})
            assert len(scoped) < len(base), name


# -- weekly flow ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_IDS)
def test_weekly_flow(raw, users, name):
    me, space, filters, s = case(raw, users, name)
    got = me.weekly_flow(space=space, **filters)
    assert list(got.columns) == ["Entrées", "Fermetures"] and got.index.name == "Semaine"
    got.index = pd.to_datetime(got.index)
    expected = raw.weekly_flow(s)
    assert (got.index.day_of_week == 0).all() and (got.index == got.index.normalize()).all()
    assert got.index.is_monotonic_increasing and got.index.is_unique
    # Weeks with neither entry nor closing may be listed or not; every other one must be exactly there.
    busy = got[(got["Entrées"] != 0) | (got["Fermetures"] != 0)]
    pd.testing.assert_frame_equal(
        busy.astype(int), expected, check_names=False, check_freq=False, check_index_type=False
    )
    assert got["Entrées"].sum() == (s["statut"] != "brouillon").sum()
    assert got["Fermetures"].sum() == (s["statut"] == "fermee").sum()


# -- backlog -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_IDS)
def test_backlog(raw, users, name):
    me, space, filters, s = case(raw, users, name)
    got = me.backlog(space=space, **filters)
    assert list(got.columns) == BACKLOG_COLUMNS
    moments = pd.to_datetime(got.index)
    # Weekly moments, Monday 00:00, from the end of the first entry's week to just past now.
    first = monday(pd.Series([s["saisie_le"].min()])).iloc[0]
    assert len(moments) <= 156
    if len(moments) < 156:
        assert moments[0] == first + pd.Timedelta(days=7)
    assert ((moments[1:] - moments[:-1]) == pd.Timedelta(days=7)).all()
    assert (moments.day_of_week == 0).all() and (moments == moments.normalize()).all()
    assert pd.Timestamp(NOW) < moments[-1] <= pd.Timestamp(NOW) + pd.Timedelta(days=7)
    picks = sorted(
        {0, len(moments) // 4, len(moments) // 2, 3 * len(moments) // 4, len(moments) - 2, len(moments) - 1}
        | set(np.flatnonzero(moments == pd.Timestamp(BOUNDARY)).tolist())
    )
    for i in picks:
        expected = raw.backlog_at(s, moments[i])
        assert got.iloc[i].astype(int).to_dict() == expected, f"backlog at {moments[i]}"
    # The last moment is after every history row: the requests' current statuses.
    now = s["statut"].value_counts()
    assert got.iloc[-1].astype(int).to_dict() == {LABELS[st]: int(now.get(st, 0)) for st in OPEN}


def test_backlog_counts_a_step_made_exactly_at_a_moment_and_the_last_of_simultaneous_steps(world, raw, users):
    me = users["destinataire"]
    filters = {"du": "03/11/2026", "destinataire": demo.REC201DESTINATAIRE}
    got = me.backlog(space="recues", **filters)
    got.index = pd.to_datetime(got.index)
    at = got.loc[pd.Timestamp(BOUNDARY)].astype(int).to_dict()
    # At the moment: "late" (taken in charge, then asked for information, both at that very instant) and
    # "reopened" (re-sent on the 12th); "transfer" left for the support desk; "early" went elsewhere.
    assert at == {"Envoyée": 1, "En cours": 0, "Informations compl. requises": 1, "Répondue": 0}
    assert at == raw.backlog_at(raw.scoped("destinataire", "recues", filters), BOUNDARY)
    before = got.loc[pd.Timestamp(BOUNDARY) - pd.Timedelta(days=7)].astype(int).to_dict()
    assert before == {"Envoyée": 1, "En cours": 0, "Informations compl. requises": 0, "Répondue": 0}


# -- delays --------------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["destinataire", "categorie"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_delays(raw, users, name, by):
    me, space, filters, s = case(raw, users, name)
    got = me.delays(by=by, space=space, **filters)
    assert list(got.columns) == [BY_HEADER[by], "Envoyées", "Répondues", "Fermées", *DELAY_COLUMNS]
    expected = raw.delays(s, by)
    assert expected, "nothing to compare"
    # Rows: every key with a sent request, the busiest first, then by key.
    order = sorted(expected, key=lambda k: (-expected[k]["Envoyées"], k))
    assert list(got.index) == order
    for key, row in got.iterrows():
        want = expected[key]
        assert row[BY_HEADER[by]] == raw.label(key, by)
        for column in ("Envoyées", "Répondues", "Fermées"):
            assert int(row[column]) == want[column], f"{key} {column}"
        for column in DELAY_COLUMNS:
            assert_days(row[column], want[column], f"{key} {column}")
    assert got["Envoyées"].sum() == (s["statut"] != "brouillon").sum()


def test_delays_start_at_the_first_sending_not_at_saving(world, raw, users):
    """ "late" was saved on Nov 3, sent on Nov 25 at 10:00, answered on Dec 3 at 12:00: 8.08 days."""
    got = users["gestionnaire"].processing_times(space="toutes", du="03/11/2026", categorie="Factures émises")
    late = got.set_index("Référence").loc[world.made["late"]]
    assert late["Première réponse, jours"] == pytest.approx(8 + 2 / 24)
    early = got.set_index("Référence").loc[world.made["early"]]
    assert math.isnan(early["Première réponse, jours"]) and early["Clôture, jours"] == pytest.approx(21 / 24)
    table = users["destinataire"].delays(
        by="destinataire", space="recues", du="03/11/2026", destinataire=demo.REC201DESTINATAIRE
    )
    row = table.loc[demo.REC201DESTINATAIRE]
    # "dupont" 1 day, "reopened" 32 h = 1.33 days, "late" 8.08 days: median 1.3,
    # 90th percentile 1.33 + 0.8 * (8.08 - 1.33) = 6.7; only "dupont" closed, after 2 days.
    assert (row["Envoyées"], row["Répondues"], row["Fermées"]) == (3, 3, 1)
    assert row[DELAY_COLUMNS[0]] == 1.3 and row[DELAY_COLUMNS[1]] == 6.7
    assert row[DELAY_COLUMNS[2]] == 2.0 and row[DELAY_COLUMNS[3]] == 2.0


# -- reopen rates --------------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["destinataire", "categorie"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_reopen_rates(raw, users, name, by):
    me, space, filters, s = case(raw, users, name)
    got = me.reopen_rates(by=by, space=space, **filters)
    assert list(got.columns) == [BY_HEADER[by], "Répondues", "Rouvertes", "Taux de réouverture (%)"]
    expected = raw.reopen_rates(s, by)
    assert expected, "nothing to compare"
    assert list(got.index) == sorted(expected, key=lambda k: (-expected[k][0], k))
    for key, row in got.iterrows():
        answered, reopened = expected[key]
        assert row[BY_HEADER[by]] == raw.label(key, by)
        assert (int(row["Répondues"]), int(row["Rouvertes"])) == (answered, reopened), key
        assert abs(row["Taux de réouverture (%)"] - 100 * reopened / answered) <= 0.05 + 1e-9, key
        assert abs(row["Taux de réouverture (%)"] * 10 - round(row["Taux de réouverture (%)"] * 10)) < 1e-6


def test_reopen_rate_of_the_recent_requests(world, users):
    """Since Nov 3 REC201DESTINATAIRE answered "reopened", "late" and "dupont"; only the first was reopened."""
    got = users["destinataire"].reopen_rates(space="recues", du="03/11/2026", destinataire=demo.REC201DESTINATAIRE)
    row = got.loc[demo.REC201DESTINATAIRE]
    assert (row["Répondues"], row["Rouvertes"], row["Taux de réouverture (%)"]) == (3, 1, 33.3)


# -- oldest open requests ------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_IDS)
def test_oldest_open(raw, users, name):
    me, space, filters, s = case(raw, users, name)
    got = me.oldest_open(space=space, **filters)
    expected = raw.oldest_open(s)
    assert len(expected) > 0
    assert got["Référence"].tolist() == expected["numero"].tolist()
    assert got["Statut sollicitation"].tolist() == [LABELS[st] for st in expected["statut"]]
    assert got["Destinataire"].tolist() == [raw.label(k, "destinataire") for k in expected["destinataire_id"]]
    assert got["Catégorie"].tolist() == expected["categorie"].tolist()
    assert pd.to_datetime(got["Saisie le"]).tolist() == expected["saisie_le"].tolist()
    assert got["Ancienneté (jours)"].tolist() == [(NOW - d.to_pydatetime()).days for d in expected["saisie_le"]]
    assert not set(got["Statut sollicitation"]) & {"Brouillon", "Fermée"}


def test_oldest_open_limit_and_recent_requests(world, raw, users):
    me = users["gestionnaire"]
    s = raw.scoped("gestionnaire", "toutes", {})
    assert me.oldest_open(limit=50, space="toutes")["Référence"].tolist() == raw.oldest_open(s, 50)["numero"].tolist()
    recent = me.oldest_open(space="toutes", du="03/11/2026")["Référence"].tolist()
    made = world.made
    # Open ones, oldest entry first (the age column counts from the entry date too).
    entered = raw.s.set_index("numero")["saisie_le"]
    expected = sorted([made["transfer"], made["reopened"], made["late"]], key=lambda n: (entered[n], n))
    assert recent == expected


# -- who sees what -------------------------------------------------------------------------------


def test_a_receiver_sees_only_requests_addressed_to_its_structures_and_never_drafts(world, raw, users):
    me = users["destinataire"]
    mine = set(raw.hab.loc[raw.hab["login"] == "destinataire", "structure_id"])
    assert mine == {demo.REC201DESTINATAIRE, demo.STRUCTURE_PUBLIQUE_TEST}
    keys = set(me.delays(by="destinataire", space="recues").index)
    keys |= set(me.reopen_rates(by="destinataire", space="recues").index)
    assert keys == mine
    oldest = me.oldest_open(limit=1000, space="recues")
    assert {label.split(" - ")[0] for label in oldest["Destinataire"]} <= mine
    assert world.made["transfer"] not in set(oldest["Référence"])
    assert world.made["draft"] not in set(oldest["Référence"])
    board = me.dashboard(space="recues")
    assert (board["Brouillon"] == 0).all()
    sent_mine = raw.s[raw.s["destinataire_id"].isin(mine) & (raw.s["statut"] != "brouillon")]
    assert int(board[list(LABELS.values())].to_numpy().sum()) == len(sent_mine)
    assert me.weekly_flow(space="recues")["Entrées"].sum() == len(sent_mine)
    # Everything else is the manager's.
    assert users["gestionnaire"].weekly_flow(space="toutes")["Entrées"].sum() == (raw.s["statut"] != "brouillon").sum()
    with pytest.raises(sol.PermissionDenied):
        me.delays(space="recues", destinataire=demo.SUPPORT)
    with pytest.raises(sol.PermissionDenied):
        me.weekly_flow(space="toutes")


# -- dashboard with filters ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {"du": "01/06/2026", "categorie": "Factures émises"},
        {"du": "2026-11-03", "categorie": "Factures émises"},
        {"du": "01/01/2025", "au": "31/12/2025", "categorie": "Connexion"},
    ],
)
def test_manager_dashboard_totals_equal_the_filtered_raw_count(raw, users, filters):
    board = users["gestionnaire"].dashboard(space="toutes", **filters)
    s = raw.scoped("gestionnaire", "toutes", filters)
    assert len(s) > 0
    cells = board[list(LABELS.values())].astype(int)
    assert int(cells.to_numpy().sum()) == len(s)
    counts = s["statut"].value_counts()
    assert cells.sum().to_dict() == {label: int(counts.get(code, 0)) for code, label in LABELS.items()}


# -- monthly, with the same filters ---------------------------------------------------------------


def monthly_expected(s: pd.DataFrame, by: str) -> pd.DataFrame:
    months = s["saisie_le"].dt.to_period("M").dt.to_timestamp()
    keys = s[by].map(LABELS) if by == "statut" else s[by]
    table = pd.crosstab(months, keys)
    if by == "statut":
        table = table[[label for label in LABELS.values() if label in table.columns]]
    else:
        table = table[sorted(table.columns)]
    return table


def assert_monthly(got: pd.DataFrame, s: pd.DataFrame, by: str) -> None:
    assert got.index.name == "Mois" and got.columns.name == ("Statut" if by == "statut" else "Catégorie")
    expected = monthly_expected(s, by)
    got = got.copy()
    got.index = pd.to_datetime(got.index)
    if by == "categorie":
        got = got[sorted(got.columns)]
    assert list(got.columns) == list(expected.columns)
    np.testing.assert_array_equal(got.index.to_numpy(), expected.index.to_numpy())
    np.testing.assert_array_equal(got.to_numpy(), expected.to_numpy())


@pytest.mark.parametrize("by", ["statut", "categorie"])
@pytest.mark.parametrize("name", CASE_IDS)
def test_monthly(raw, users, name, by):
    me, space, filters, s = case(raw, users, name)
    assert_monthly(me.monthly(by, space=space, **filters), s, by)


@pytest.mark.parametrize("by", ["statut", "categorie"])
def test_monthly_of_one_structure_with_filters(raw, users, by):
    filters = {"du": "01/03/2026", "categorie": "Factures émises"}
    s = raw.scoped("destinataire", "recues", {**filters, "destinataire": demo.REC201DESTINATAIRE})
    assert len(s) > 0
    got = users["destinataire"].monthly(by, structure=demo.REC201DESTINATAIRE, space="recues", **filters)
    assert_monthly(got, s, by)
    # The structure and a filter that contradicts it cannot both hold: refused, not one silently chosen.
    with pytest.raises(sol.ValidationError):
        users["gestionnaire"].monthly(by, structure=demo.REC201DESTINATAIRE, space="toutes", destinataire=demo.SUPPORT)


# -- refusals --------------------------------------------------------------------------------------

FIGURES = {
    "weekly_flow": lambda me, **kw: me.weekly_flow(space="toutes", **kw),
    "backlog": lambda me, **kw: me.backlog(space="toutes", **kw),
    "delays": lambda me, **kw: me.delays(space="toutes", **kw),
    "reopen_rates": lambda me, **kw: me.reopen_rates(space="toutes", **kw),
    "oldest_open": lambda me, **kw: me.oldest_open(space="toutes", **kw),
    "dashboard": lambda me, **kw: me.dashboard(space="toutes", **kw),
    "monthly": lambda me, **kw: me.monthly(space="toutes", **kw),
}
BAD_DU = "La date de début de la période de saisie n'est pas une date valide (jj/mm/aaaa)"
BAD_AU = "La date de fin de la période de saisie n'est pas une date valide (jj/mm/aaaa)"


@pytest.mark.parametrize("figure", list(FIGURES))
def test_bad_dates_and_unknown_criteria_are_refused_in_french(users, figure):
    me, call = users["gestionnaire"], FIGURES[figure]
    with pytest.raises(sol.ValidationError) as error:
        call(me, du="31/02/2026")
    assert error.value.messages == [BAD_DU]
    with pytest.raises(sol.ValidationError) as error:
        call(me, du="hier", au="2026-13-01")
    assert error.value.messages == [BAD_DU, BAD_AU]
    with pytest.raises(sol.ValidationError) as error:
        call(me, du="01/12/2026", au="01/11/2026")
    assert error.value.messages == ["La date de début de la période de saisie doit précéder la date de fin"]
    with pytest.raises(sol.ValidationError) as error:
        call(me, periode="2026")
    assert error.value.messages == ["Critère de recherche inconnu : periode"]


@pytest.mark.parametrize("figure", ["delays", "reopen_rates"])
@pytest.mark.parametrize("by", ["statut", "structure", "", "Destinataire"])
def test_an_unknown_grouping_is_refused_in_french(users, figure, by):
    with pytest.raises(sol.ValidationError) as error:
        FIGURES[figure](users["gestionnaire"], by=by)
    assert error.value.messages == [f"Regroupement inconnu : {by} (destinataire ou categorie)"]

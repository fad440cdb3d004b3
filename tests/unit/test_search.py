"""Search against brute force: each combination of the guide's criteria gives the count (and rows)
that pandas computes over the raw tables of a demo world with 3000 generated requests."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.criteria import AU_MOINS_UN_CRITERE
from sollicitations.status import Status

NR = sol.NON_RENSEIGNE
VIEWERS = [
    ("fournisseur", "emises"),
    ("destinataire", "recues"),
    ("support", "recues"),
    ("gestionnaire", "toutes"),
    ("dupont", "emises"),
    ("lecteur", "recues"),
]
SEARCH_HEADERS = [
    "Référence",
    "Catégorie",
    "Sous-catégorie",
    "Numéro d'objet",
    "Créé par",
    "Saisie le",
    "Statut sollicitation",
]  # the guide's "Résultats de la recherche"
STATUS_CODES = {label: s.value for s in Status for label in (s.value, s.label, s.short_label)}


class Brute:
    """The raw tables, and the guide's search rules written again in pandas."""

    def __init__(self, desk):
        q = desk.store.query_df
        self.raw = q("SELECT * FROM sollicitations")
        self.raw["jour"] = self.raw["saisie_le"].dt.date
        users = q("SELECT login, nom, prenom FROM users")
        self.names = {
            r.login: (r.login.lower(), f"{r.nom} {r.prenom}".lower(), f"{r.prenom} {r.nom}".lower())
            for r in users.itertuples()
        }
        self.services = q("SELECT * FROM services")
        self.habilitations = q("SELECT * FROM habilitations")

    def scope(self, login, space) -> pd.DataFrame:
        h, raw = self.habilitations[self.habilitations["login"] == login], self.raw
        if space == "emises":
            return raw[raw["emetteur_id"].isin(h.loc[h["role"] == "emetteur", "structure_id"])]
        if space == "recues":
            mine = h.loc[h["role"].isin(["agent", "support"]), "structure_id"]
            return raw[raw["destinataire_id"].isin(mine) & (raw["statut"] != "brouillon")]
        return raw

    def service_id(self, structure, value):
        s = self.services
        found = s[(s["structure_id"] == structure) & ((s["code"] == value) | (s["libelle"] == value))]
        return found["id"].iloc[0]

    def search(self, login, space, **c) -> pd.DataFrame:
        df = self.scope(login, space)
        if c.get("numero") is not None:
            df = df[df["numero"] == int(c["numero"])]
        for key in ("categorie", "sous_categorie", "numero_objet"):
            if c.get(key) is not None:
                df = df[df[key] == c[key]]
        if c.get("du") is not None:
            df = df[df["jour"] >= _as_date(c["du"])]
        if c.get("au") is not None:
            df = df[df["jour"] <= _as_date(c["au"])]
        for key, column, owner in (
            ("structure", "emetteur_id", None),
            ("destinataire", "destinataire_id", None),
            ("service_emetteur", "service_emetteur_id", "structure"),
            ("service_destinataire", "service_destinataire_id", "destinataire"),
        ):
            value = c.get(key)
            if value is None:
                continue
            if value == NR:
                df = df[df[column].isna()]
            elif owner:
                df = df[df[column] == self.service_id(c[owner], value)]
            else:
                df = df[df[column] == value]
        if c.get("cree_par") is not None:
            text = c["cree_par"].lower()
            df = df[[isinstance(x, str) and any(text in n for n in self.names.get(x, ())) for x in df["cree_par"]]]
        if c.get("statut") is not None:
            values = c["statut"] if isinstance(c["statut"], list) else [c["statut"]]
            df = df[df["statut"].isin([STATUS_CODES[v] for v in values])]
        return df


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise ValueError(value)


@pytest.fixture(scope="module")
def brute(big_desk):
    # A few requests with emitter and recipient services, which the generator does not set.
    me = big_desk.as_user("fournisseur")
    for service in ("maintenance", "Service maintenance", "service_fournisseur"):
        me.send(
            categorie="Factures émises",
            sous_categorie="Question pour une entité publique",
            structure=demo.REC201FOURNISSEUR,
            service=service,
            destinataire=demo.REC201DESTINATAIRE,
            service_destinataire="comptabilite",
            description="Question d'un service.",
        )
    return Brute(big_desk)


@pytest.fixture(scope="module")
def users(big_desk):
    return {login: big_desk.as_user(login) for login, _ in VIEWERS}


def check(users, brute, login, space, criteria):
    expected = brute.search(login, space, **criteria).sort_values("numero", ascending=False)
    found = users[login].search(space=space, page_size=1000, **criteria)
    assert found.attrs["total"] == len(expected), criteria
    assert found["Référence"].tolist() == expected["numero"].head(1000).tolist(), criteria
    return len(expected)


# -- named combinations ------------------------------------------------------------------------------

D0 = demo.DEMO_TODAY.date()
NAMED = {
    "statut-code": ("fournisseur", "emises", dict(statut="brouillon")),
    "statut-label": ("fournisseur", "emises", dict(statut="Informations complémentaires requises")),
    "statut-short-label": ("fournisseur", "emises", dict(statut="Informations compl. requises")),
    "statut-list": ("fournisseur", "emises", dict(statut=["repondue", "Fermée", "en_cours"])),
    "categorie+statut": ("fournisseur", "emises", dict(categorie="Factures émises", statut="Fermée")),
    "categorie+sous-categorie": (
        "gestionnaire",
        "toutes",
        dict(categorie="Compte utilisateur", sous_categorie="Habilitations"),
    ),
    "sous-categorie-alone": ("gestionnaire", "toutes", dict(sous_categorie="Autre")),
    "structure": ("fournisseur", "emises", dict(structure=demo.LOGES_DU_GREL)),
    "structure+service-non-renseigne": (
        "fournisseur",
        "emises",
        dict(structure=demo.REC201FOURNISSEUR, service_emetteur=NR),
    ),
    "structure+service-code": (
        "fournisseur",
        "emises",
        dict(structure=demo.REC201FOURNISSEUR, service_emetteur="service_fournisseur"),
    ),
    "structure+service-label": (
        "fournisseur",
        "emises",
        dict(structure=demo.REC201FOURNISSEUR, service_emetteur="Service maintenance"),
    ),
    "numero-objet": ("fournisseur", "emises", dict(numero_objet="2017/640")),
    "numero-as-text": ("fournisseur", "emises", dict(numero="2")),
    "numero-of-another": ("dupont", "emises", dict(numero=2)),
    "periode": ("fournisseur", "emises", dict(du="01/01/2026", au="30/06/2026")),
    "periode-iso": ("gestionnaire", "toutes", dict(du="2025-03-01", au="2025-03-31")),
    "periode-dates": ("gestionnaire", "toutes", dict(du=D0 - timedelta(days=90), au=D0 - timedelta(days=60))),
    "periode-one-day": ("gestionnaire", "toutes", dict(du=D0 - timedelta(days=60), au=D0 - timedelta(days=60))),
    "du-alone": ("destinataire", "recues", dict(du=datetime(2026, 6, 1, 15, 30))),
    "au-alone": ("destinataire", "recues", dict(au="31/12/2025")),
    "destinataire": ("fournisseur", "emises", dict(destinataire=demo.STRUCTURE_PUBLIQUE_TEST)),
    "destinataire+service": (
        "destinataire",
        "recues",
        dict(destinataire=demo.STRUCTURE_PUBLIQUE_TEST, service_destinataire="factures_publiques"),
    ),
    "destinataire+service-non-renseigne": (
        "destinataire",
        "recues",
        dict(destinataire=demo.STRUCTURE_PUBLIQUE_TEST, service_destinataire=NR),
    ),
    "cree-par-login": ("fournisseur", "emises", dict(cree_par="fourn")),
    "cree-par-nom-prenom": ("fournisseur", "emises", dict(cree_par="marchand élise")),
    "cree-par-prenom-nom": ("gestionnaire", "toutes", dict(cree_par="Élise MARCHAND")),
    "cree-par-percent-is-text": ("gestionnaire", "toutes", dict(cree_par="%")),
    "cree-par-underscore-is-text": ("gestionnaire", "toutes", dict(cree_par="_")),
    "support-everything": ("support", "recues", dict(statut=[s.value for s in Status])),
    "support-categorie": ("support", "recues", dict(categorie="Connexion", statut="envoyee")),
    "lecteur-reads": ("lecteur", "recues", dict(statut=["envoyee", "en_cours"])),
    "drafts-never-received": ("destinataire", "recues", dict(statut="brouillon")),
    "structure-in-recues": ("destinataire", "recues", dict(structure=demo.REC201FOURNISSEUR)),
    "all-criteria": (
        "fournisseur",
        "emises",
        dict(
            categorie="Factures émises",
            sous_categorie="Question pour une entité publique",
            du="01/09/2026",
            au="30/11/2026",
            structure=demo.REC201FOURNISSEUR,
            service_emetteur=NR,
            destinataire=demo.STRUCTURE_PUBLIQUE_TEST,
            service_destinataire="factures_publiques",
            cree_par="marchand",
            statut=["fermee", "repondue"],
        ),
    ),
}


@pytest.mark.parametrize("name", list(NAMED))
def test_named_combination(users, brute, name):
    login, space, criteria = NAMED[name]
    check(users, brute, login, space, criteria)


def test_named_combinations_are_not_all_empty(brute):
    """Most named combinations select something: the comparison is not between two empty lists."""
    sizes = {name: len(brute.search(login, space, **c)) for name, (login, space, c) in NAMED.items()}
    assert sizes["drafts-never-received"] == 0 and sizes["cree-par-percent-is-text"] == 0
    empty = sorted(name for name, n in sizes.items() if n == 0)
    assert empty == [
        "cree-par-percent-is-text",
        "cree-par-underscore-is-text",
        "drafts-never-received",
        "numero-of-another",
    ], sizes
    assert sizes["support-everything"] > 100 and sizes["statut-list"] > 50


# -- random combinations --------------------------------------------------------------------------

RANDOM_COUNT = 80
KEYS = [
    "numero",
    "categorie",
    "sous_categorie",
    "numero_objet",
    "periode",
    "structure",
    "service_emetteur",
    "destinataire",
    "service_destinataire",
    "cree_par",
    "statut",
]


@pytest.fixture(scope="module")
def combinations(brute):
    """Combinations of 1 to 4 criteria whose values come from a real row of the viewer's scope."""
    rng = random.Random(GENERATOR_SEED)
    found = []
    while len(found) < RANDOM_COUNT:
        login, space = rng.choice(VIEWERS[:4])
        scope = brute.scope(login, space)
        row = scope.iloc[rng.randrange(len(scope))]
        criteria = {}
        for key in rng.sample(KEYS, rng.randint(1, 4)):
            if key == "numero":
                criteria["numero"] = int(row["numero"]) if rng.random() < 0.8 else str(row["numero"])
            elif key in ("categorie", "sous_categorie"):
                criteria[key] = row[key]
            elif key == "numero_objet" and isinstance(row["numero_objet"], str):
                criteria[key] = row["numero_objet"]
            elif key == "periode":
                day = row["jour"]
                du, au = day - timedelta(days=rng.randint(0, 60)), day + timedelta(days=rng.randint(0, 60))
                fmt = rng.choice([lambda d: d.strftime("%d/%m/%Y"), lambda d: d.isoformat(), lambda d: d])
                if rng.random() < 0.7:
                    criteria["du"] = fmt(du)
                if rng.random() < 0.7 or "du" not in criteria:
                    criteria["au"] = fmt(au)
            elif key in ("structure", "service_emetteur") and isinstance(row["emetteur_id"], str):
                criteria["structure"] = row["emetteur_id"]
                if key == "service_emetteur":
                    criteria[key] = (
                        NR
                        if pd.isna(row["service_emetteur_id"])
                        else _service_name(brute, row["service_emetteur_id"], rng)
                    )
            elif key in ("destinataire", "service_destinataire") and isinstance(row["destinataire_id"], str):
                criteria["destinataire"] = row["destinataire_id"]
                if key == "service_destinataire":
                    criteria[key] = (
                        NR
                        if pd.isna(row["service_destinataire_id"])
                        else _service_name(brute, row["service_destinataire_id"], rng)
                    )
            elif key == "cree_par" and isinstance(row["cree_par"], str):
                names = brute.names[row["cree_par"]]
                name = rng.choice(names)
                start = rng.randrange(max(1, len(name) - 3))
                criteria[key] = (
                    name[start : start + rng.randint(3, 8)].upper()
                    if rng.random() < 0.3
                    else name[start : start + rng.randint(3, 8)]
                )
            elif key == "statut":
                other = rng.choice(list(Status))
                label = rng.choice([row["statut"], Status(row["statut"]).label, Status(row["statut"]).short_label])
                criteria[key] = label if rng.random() < 0.6 else [label, other.value]
        if criteria:
            found.append((login, space, criteria))
    return found


GENERATOR_SEED = 7


def _service_name(brute, service_id, rng):
    row = brute.services[brute.services["id"] == service_id].iloc[0]
    return rng.choice([row["code"], row["libelle"]])


@pytest.mark.parametrize("index", range(RANDOM_COUNT))
def test_random_combination(users, brute, combinations, index):
    login, space, criteria = combinations[index]
    assert check(users, brute, login, space, criteria) >= 1  # the row the values came from, at least


def test_random_combinations_cover_every_criterion(combinations):
    used = {k for _, _, c in combinations for k in c}
    assert used >= {
        "numero",
        "categorie",
        "sous_categorie",
        "numero_objet",
        "du",
        "au",
        "structure",
        "service_emetteur",
        "destinataire",
        "service_destinataire",
        "cree_par",
        "statut",
    }


# -- pages ---------------------------------------------------------------------------------------


def test_pages(users, brute):
    every = [s.value for s in Status]
    expected = brute.search("fournisseur", "emises", statut=every).sort_values("numero", ascending=False)
    me = users["fournisseur"]
    first = me.search(statut=every)
    assert list(first.columns) == SEARCH_HEADERS
    assert first.attrs == dict(total=len(expected), page=1, page_size=50, pages=math.ceil(len(expected) / 50))
    assert first.attrs["pages"] >= 3
    second = me.search(statut=every, page=2)
    assert second["Référence"].tolist() == expected["numero"].iloc[50:100].tolist()
    assert second.attrs["page"] == 2 and second.attrs["total"] == len(expected)
    last_page = first.attrs["pages"]
    last = me.search(statut=every, page=last_page)
    assert len(last) == len(expected) - 50 * (last_page - 1)
    beyond = me.search(statut=every, page=last_page + 1)
    assert beyond.empty and list(beyond.columns) == SEARCH_HEADERS and beyond.attrs["total"] == len(expected)
    one = me.search(statut=every, page_size=1, page=7)
    assert one["Référence"].tolist() == [expected["numero"].iloc[6]] and one.attrs["pages"] == len(expected)


def test_rows_show_the_guides_values(users, brute):
    found = users["fournisseur"].search(structure=demo.REC201FOURNISSEUR, page_size=1000)
    raw = brute.raw.set_index("numero")
    for line in found.head(200).to_dict("records"):
        row = raw.loc[line["Référence"]]
        assert line["Statut sollicitation"] == Status(row["statut"]).short_label
        assert line["Catégorie"] == row["categorie"] and line["Sous-catégorie"] == row["sous_categorie"]
        assert pd.Timestamp(line["Saisie le"]) == row["saisie_le"]
        nom, prenom = brute.names[row["cree_par"]][1].split(" ", 1)
        assert line["Créé par"].lower() == f"{nom} {prenom}"


@pytest.mark.parametrize(
    "sort, columns",
    [("numero", ["numero"]), ("saisie", ["saisie_le", "numero"]), ("recent", ["modifiee_le", "numero"])],
)
def test_sorts(users, brute, sort, columns):
    expected = brute.search("gestionnaire", "toutes", categorie="Factures émises")
    expected = expected.sort_values(columns, ascending=False)
    found = users["gestionnaire"].search(categorie="Factures émises", sort=sort, page=3, page_size=40)
    assert found["Référence"].tolist() == expected["numero"].iloc[80:120].tolist()


# -- refusals ------------------------------------------------------------------------------------


def refused(call, *messages):
    with pytest.raises(sol.ValidationError) as info:
        call()
    assert sorted(info.value.messages) == sorted(messages)


@pytest.mark.parametrize(
    "criteria",
    [{}, dict(numero=None), dict(numero="", categorie="   ", statut=[]), dict(cree_par=" ", du="")],
    ids=["none", "none-value", "blanks", "spaces"],
)
def test_at_least_one_criterion(users, criteria):
    refused(lambda: users["fournisseur"].search(**criteria), AU_MOINS_UN_CRITERE)


BAD_DU = "La date de début de la période de saisie n'est pas une date valide (jj/mm/aaaa)"
BAD_AU = "La date de fin de la période de saisie n'est pas une date valide (jj/mm/aaaa)"
DU_AFTER_AU = "La date de début de la période de saisie doit précéder la date de fin"


@pytest.mark.parametrize(
    "criteria, messages",
    [
        (dict(du="31/02/2026"), [BAD_DU]),
        (dict(au="2026-13-01"), [BAD_AU]),
        (dict(du="hier"), [BAD_DU]),
        (dict(du=20260101), [BAD_DU]),
        (dict(du="01/02/2026", au="99/99/9999"), [BAD_AU]),
        (dict(du="demain", au="après"), [BAD_DU, BAD_AU]),
        (dict(du="02/01/2026", au="01/01/2026"), [DU_AFTER_AU]),
        (dict(du=date(2026, 1, 2), au="2026-01-01"), [DU_AFTER_AU]),
    ],
    ids=["feb-31", "month-13", "word", "int", "bad-au", "both-bad", "du-after-au", "du-after-au-mixed"],
)
def test_bad_periods(users, criteria, messages):
    refused(lambda: users["fournisseur"].search(**criteria), *messages)


def test_one_day_period_is_not_du_after_au(users, brute):
    check(users, brute, "fournisseur", "emises", dict(du="05/09/2026", au="05/09/2026"))


@pytest.mark.parametrize(
    "criteria, messages",
    [
        (dict(couleur="bleu"), ["Critère de recherche inconnu : couleur"]),
        (dict(numero="douze"), ["Le numéro de la sollicitation doit être un nombre entier"]),
        (dict(numero=-3), ["Le numéro de la sollicitation doit être un nombre entier"]),
        (dict(statut="ouverte"), ["Statut inconnu : ouverte"]),
        (dict(statut=["brouillon", "perdue"]), ["Statut inconnu : perdue"]),
        (dict(categorie="Factures inventées"), ["La catégorie sélectionnée n'existe pas"]),
        (
            dict(categorie="Factures reçues", sous_categorie="Rejet d'une facture"),
            ["La sous-catégorie sélectionnée ne correspond pas à la catégorie"],
        ),
        (
            dict(service_emetteur="maintenance"),
            ["Le service indiqué n'appartient pas à la structure émettrice sélectionnée"],
        ),
        (
            dict(structure=demo.REC201FOURNISSEUR, service_emetteur="comptabilite"),
            ["Le service indiqué n'appartient pas à la structure émettrice sélectionnée"],
        ),
        (
            dict(service_destinataire="factures_publiques"),
            ["Le service indiqué n'appartient pas à la structure destinataire sélectionnée"],
        ),
        (dict(cree_par="x" * 101), ["Le critère « Créé par » ne doit pas dépasser 100 caractères (101 saisis)"]),
        (
            dict(numero="x", statut="y", du="z"),
            ["Le numéro de la sollicitation doit être un nombre entier", "Statut inconnu : y", BAD_DU],
        ),
    ],
)
def test_bad_criteria(users, criteria, messages):
    refused(lambda: users["fournisseur"].search(**criteria), *messages)


@pytest.mark.parametrize(
    "arguments, messages",
    [
        (dict(page=0), ["Le numéro de page doit être un entier positif"]),
        (dict(page="2"), ["Le numéro de page doit être un entier positif"]),
        (dict(page_size=0), ["Le nombre de lignes par page doit être compris entre 1 et 1000"]),
        (dict(page_size=1001), ["Le nombre de lignes par page doit être compris entre 1 et 1000"]),
        (
            dict(page=-1, page_size=True),
            [
                "Le numéro de page doit être un entier positif",
                "Le nombre de lignes par page doit être compris entre 1 et 1000",
            ],
        ),
        (dict(sort="hasard"), ["Tri inconnu : hasard"]),
    ],
)
def test_bad_pages_and_sorts(users, arguments, messages):
    refused(lambda: users["fournisseur"].search(statut="brouillon", **arguments), *messages)


def test_criteria_outside_ones_structures(users):
    with pytest.raises(sol.PermissionDenied):
        users["dupont"].search(structure=demo.REC201FOURNISSEUR)
    with pytest.raises(sol.PermissionDenied):
        users["destinataire"].search(destinataire=demo.SUPPORT)
    with pytest.raises(sol.PermissionDenied):
        users["fournisseur"].search(statut="brouillon", space="recues")


# -- "Mes sollicitations à traiter" --------------------------------------------------------------

TO_PROCESS = {"emises": ["brouillon", "repondue", "informations_requises"], "recues": ["envoyee", "en_cours"]}


@pytest.mark.parametrize(
    "login, space, structure",
    [
        ("fournisseur", "emises", None),
        ("fournisseur", "emises", demo.REC201FOURNISSEUR),
        ("fournisseur", "emises", demo.LOGES_DU_GREL),
        ("destinataire", "recues", None),
        ("destinataire", "recues", demo.STRUCTURE_PUBLIQUE_TEST),
        ("support", "recues", None),
    ],
)
def test_to_process_with_its_structure_filter(users, brute, login, space, structure):
    expected = brute.scope(login, space)
    expected = expected[expected["statut"].isin(TO_PROCESS[space])]
    if structure is not None:
        column = "emetteur_id" if space == "emises" else "destinataire_id"
        expected = expected[expected[column] == structure]
    found = users[login].to_process(structure=structure, page_size=1000, space=space)
    assert found.attrs["total"] == len(expected) > 0
    assert sorted(found["Numéro de la sollicitation"]) == sorted(expected["numero"].head(1000))
    assert set(found["Statut sollicitation"]) <= {Status(s).short_label for s in TO_PROCESS[space]}
    second = users[login].to_process(structure=structure, page=2, page_size=10, space=space)
    assert second.attrs["pages"] == math.ceil(len(expected) / 10)
    assert second["Numéro de la sollicitation"].tolist() == found["Numéro de la sollicitation"].iloc[10:20].tolist()


@pytest.mark.parametrize(
    "login, space", [("destinataire", "recues"), ("support", "recues"), ("gestionnaire", "toutes")]
)
def test_the_receivers_to_process_list_puts_resent_requests_first(users, brute, login, space):
    expected = brute.scope(login, space)
    expected = expected[expected["statut"].isin(TO_PROCESS["recues"])]
    expected = expected.sort_values(["renvoyee", "saisie_le", "numero"], ascending=False)
    found = users[login].to_process(page_size=1000, space=space)
    assert found["Numéro de la sollicitation"].tolist() == expected["numero"].head(1000).tolist()
    page = users[login].to_process(page=3, page_size=25, space=space)
    assert page["Numéro de la sollicitation"].tolist() == expected["numero"].iloc[50:75].tolist()


def test_a_resent_request_stays_on_top_until_an_agent_acts_on_it(world):
    """A re-sent request (a complement, a reopening) stays row 0 of the agent's list, flagged, whatever
    happens to other requests afterwards; taking it in charge clears the flag."""
    agent, me = world.receiver("own"), world.emitter("own")
    a = world.new(Status.INFORMATIONS_REQUISES, attach=False)
    b = world.new(Status.ENVOYEE, attach=False)
    me.add_complement(a, "Voici le bon de commande.")
    agent.take_in_charge(b)  # later activity on another request
    later = world.new(Status.ENVOYEE, route="dupont", attach=False)  # and a newer request
    listed = agent.to_process(page_size=1000)
    numbers = listed["Numéro de la sollicitation"].tolist()
    assert numbers[0] == a and bool(listed["Renvoyée"].iloc[0])
    assert {b, later} <= set(numbers[1:])
    flags = listed["Renvoyée"].astype(bool).tolist()
    assert flags == sorted(flags, reverse=True)  # every re-sent request before the others
    assert agent.to_process(page_size=1)["Numéro de la sollicitation"].tolist() == [a]  # paged in SQL
    exported = pd.concat(agent.list_batches("to_process", batch_size=3))
    assert exported["Numéro de la sollicitation"].tolist() == numbers  # exports keep the order
    agent.take_in_charge(a)
    listed = agent.to_process(page_size=1000)
    assert not listed.loc[listed["Numéro de la sollicitation"] == a, "Renvoyée"].item()


def test_a_list_names_structures_and_people_added_after_it_was_first_read(desk):
    """A page's names are kept once read (the directory is only added to): a structure, a service and
    a user added afterwards are named too, not left blank by what was kept."""
    manager = desk.as_user("gestionnaire")
    manager.search(statut="Envoyée", space="toutes", page_size=1000)  # names of the demo directory kept
    store, siret = desk.store, "12345678900017"
    store.run(lambda cur: (store.add_structure(cur, siret, "ATELIER NOUVEAU", publique=False),
                           store.add_user(cur, "nouvelle", "MARCHAND", "Léa", "lea@atelier.example"),
                           store.add_habilitation(cur, "nouvelle", siret, "emetteur")))  # fmt: skip
    me = desk.as_user("nouvelle")
    n = me.send(
        categorie="Factures émises",
        sous_categorie="Question pour une entité publique",
        structure=siret,
        destinataire=demo.REC201DESTINATAIRE,
        destinataire_etat=False,
        description="Première demande.",
    )
    row = manager.search(numero=n, space="toutes").iloc[0]
    assert row["Créé par"] == "MARCHAND Léa"
    received = desk.as_user("destinataire").to_process(page_size=1000)
    assert received.loc[received["Numéro de la sollicitation"] == n, "Emetteur"].tolist() == [
        f"{siret} - ATELIER NOUVEAU"
    ]

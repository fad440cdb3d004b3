"""The "Tableau de bord": counts per structure (or service) x status against the raw table, and each
count drillable to the list it counts (the index holds what to pass back to search)."""

from __future__ import annotations

import pandas as pd
import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.status import Status

NR = sol.NON_RENSEIGNE
# The guide's columns, in the guide's order.
GUIDE_COLUMNS = ["Brouillon", "Envoyée", "En cours", "Informations compl. requises", "Répondue", "Fermée"]
CODE = {s.short_label: s.value for s in Status}


def raw(desk) -> pd.DataFrame:
    return desk.store.query_df("SELECT * FROM sollicitations")


def habilitated(desk, login, *roles) -> list[str]:
    h = desk.store.query_df("SELECT * FROM habilitations WHERE login = ?", [login])
    return sorted(h.loc[h["role"].isin(roles), "structure_id"])


def crosstab(frame: pd.DataFrame, key: str, index) -> pd.DataFrame:
    """Counts of `frame` per `key` x status, as the dashboard shows them (missing cells: 0)."""
    keys = frame[key].astype(object).where(frame[key].notna(), NR)
    counts = pd.crosstab(keys, frame["statut"]) if len(frame) else pd.DataFrame()
    counts = counts.reindex(index=index, columns=[CODE[c] for c in GUIDE_COLUMNS], fill_value=0).fillna(0)
    counts.columns = GUIDE_COLUMNS
    return counts.astype(int)


def cells(table: pd.DataFrame) -> pd.DataFrame:
    out = table[GUIDE_COLUMNS].astype(int)
    out.index = list(out.index)
    return out


@pytest.fixture(scope="module")
def world(big_desk):
    """The generated world, plus requests with emitter and recipient services (the generator has none)."""
    me = big_desk.as_user("fournisseur")
    agent = big_desk.as_user("destinataire")
    for service in ("maintenance", "service_fournisseur", "maintenance"):
        n = me.send(
            categorie="Factures émises",
            sous_categorie="Question pour une entité publique",
            structure=demo.REC201FOURNISSEUR,
            service=service,
            destinataire=demo.STRUCTURE_PUBLIQUE_TEST,
            service_destinataire="factures_publiques",
            description="Question d'un service.",
        )
        agent.take_in_charge(n)
    me.save_draft(
        categorie="Factures reçues", sous_categorie="Autre", structure=demo.REC201FOURNISSEUR, service="maintenance"
    )
    return big_desk


# -- emitters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("login", ["fournisseur", "dupont"])
def test_emitter_dashboard_per_structure(world, login):
    user = world.as_user(login)
    table = user.dashboard()
    structures = habilitated(world, login, "emetteur")
    assert list(table.columns) == ["Emetteur", *GUIDE_COLUMNS]
    assert sorted(table.index) == structures
    data = raw(world)
    expected = crosstab(data[data["emetteur_id"].isin(structures)], "emetteur_id", list(table.index))
    pd.testing.assert_frame_equal(cells(table), expected, check_names=False)
    for key, label in table["Emetteur"].items():
        assert label == f"{key} - {world.store.structure(key)['designation']}"
    assert int(expected.to_numpy().sum()) == int(data["emetteur_id"].isin(structures).sum())


@pytest.mark.parametrize("structure", [demo.REC201FOURNISSEUR, demo.REC100FOURNISSEUR, demo.LOGES_DU_GREL])
def test_emitter_dashboard_per_service(world, structure):
    user = world.as_user("fournisseur")
    table = user.dashboard(structure=structure)
    services = world.store.services(structure)
    assert list(table.columns) == ["Service émetteur", *GUIDE_COLUMNS]
    assert list(table.index) == [NR] + [s["id"] for s in services]
    assert table["Service émetteur"].tolist() == [NR] + [s["libelle"] for s in services]
    data = raw(world)
    mine = data[data["emetteur_id"] == structure]
    pd.testing.assert_frame_equal(
        cells(table), crosstab(mine, "service_emetteur_id", list(table.index)), check_names=False
    )
    # The services add up to their structure's row.
    per_structure = cells(user.dashboard()).loc[structure]
    assert cells(table).sum().tolist() == per_structure.tolist()
    if structure == demo.REC201FOURNISSEUR:
        assert int(cells(table).loc[NR].sum()) > 0 and int(cells(table).drop(index=NR).to_numpy().sum()) >= 4


# -- receivers and managers ----------------------------------------------------------------------


@pytest.mark.parametrize("login", ["destinataire", "lecteur", "support", "agent_tic", "bureau_fj"])
def test_receiver_dashboard(world, login):
    user = world.as_user(login)
    table = user.dashboard(space="recues")
    structures = habilitated(world, login, "agent", "support")
    assert list(table.columns) == ["Destinataire", *GUIDE_COLUMNS]
    assert sorted(table.index) == structures
    data = raw(world)
    received = data[data["destinataire_id"].isin(structures) & (data["statut"] != "brouillon")]
    pd.testing.assert_frame_equal(
        cells(table), crosstab(received, "destinataire_id", list(table.index)), check_names=False
    )
    assert (table["Brouillon"] == 0).all()  # receivers never see drafts


def test_receiver_dashboard_per_service(world):
    user = world.as_user("destinataire")
    table = user.dashboard(structure=demo.STRUCTURE_PUBLIQUE_TEST, space="recues")
    services = world.store.services(demo.STRUCTURE_PUBLIQUE_TEST)
    assert list(table.columns) == ["Service destinataire", *GUIDE_COLUMNS]
    assert list(table.index) == [NR] + [s["id"] for s in services]
    data = raw(world)
    received = data[(data["destinataire_id"] == demo.STRUCTURE_PUBLIQUE_TEST) & (data["statut"] != "brouillon")]
    pd.testing.assert_frame_equal(
        cells(table), crosstab(received, "service_destinataire_id", list(table.index)), check_names=False
    )


def test_manager_dashboard_per_recipient(world):
    table = world.as_user("gestionnaire").dashboard(space="toutes")
    data = raw(world)
    routed = data[data["destinataire_id"].notna()]
    assert list(table.columns) == ["Destinataire", *GUIDE_COLUMNS]
    # One row per recipient, and "Non renseigné" last for the drafts not routed yet.
    assert list(table.index[:-1]) == sorted(routed["destinataire_id"].unique())
    assert table.index[-1] == sol.NON_RENSEIGNE
    recipients = list(table.index[:-1])
    pd.testing.assert_frame_equal(
        cells(table).loc[recipients], crosstab(routed, "destinataire_id", recipients), check_names=False
    )
    unrouted = data[data["destinataire_id"].isna()]
    assert int(cells(table).loc[sol.NON_RENSEIGNE].sum()) == len(unrouted)


def test_manager_dashboard_counts_every_request(world):
    """Managers read all: their dashboard's grand total is the raw table's, drafts included.

    Drafts have no recipient until they are sent (except "Question pour une entité publique" ones), so
    a per-recipient table must still count them somewhere (e.g. a "Non renseigné" row)."""
    table = world.as_user("gestionnaire").dashboard(space="toutes")
    data = raw(world)
    assert int(cells(table).to_numpy().sum()) == len(data)
    assert int(table["Brouillon"].sum()) == int((data["statut"] == "brouillon").sum())


# -- drilling down ---------------------------------------------------------------------------------

VIEWS = [
    ("fournisseur", "emises"),
    ("dupont", "emises"),
    ("destinataire", "recues"),
    ("support", "recues"),
    ("lecteur", "recues"),
    ("gestionnaire", "toutes"),
]


@pytest.mark.parametrize("login, space", VIEWS, ids=[v[0] for v in VIEWS])
def test_each_count_is_the_total_of_its_list(world, login, space):
    user = world.as_user(login)
    table = user.dashboard(space=space)
    side = "structure" if space == "emises" else "destinataire"
    checked = 0
    # The manager's table has a row per recipient: its busiest rows and the demo's named ones suffice.
    keys = list(table.index)
    if len(keys) > 8:
        busiest = cells(table).sum(axis=1).sort_values(ascending=False).index[:4].tolist()
        keys = busiest + [k for k in keys if k in (demo.STRUCTURE_PUBLIQUE_TEST, demo.SUPPORT) and k not in busiest]
    for key in keys:
        for column in GUIDE_COLUMNS:
            found = user.search(space=space, page_size=1, **{side: key, "statut": column})
            assert found.attrs["total"] == table.loc[key, column], (key, column)
            checked += table.loc[key, column]
    assert checked > 0


SERVICE_VIEWS = [
    ("fournisseur", "emises", demo.REC201FOURNISSEUR),
    ("fournisseur", "emises", demo.LOGES_DU_GREL),
    ("destinataire", "recues", demo.STRUCTURE_PUBLIQUE_TEST),
    ("destinataire", "recues", demo.REC201DESTINATAIRE),
]


@pytest.mark.parametrize("login, space, structure", SERVICE_VIEWS, ids=[v[2] for v in SERVICE_VIEWS])
def test_each_service_count_is_the_total_of_its_list(world, login, space, structure):
    """The index of a per-service table holds what to pass back as service_emetteur= (or
    service_destinataire=): every cell, "Non renseigné" and real services alike, drills down."""
    user = world.as_user(login)
    table = user.dashboard(structure=structure, space=space)
    owner, service = (
        ("structure", "service_emetteur") if space == "emises" else ("destinataire", "service_destinataire")
    )
    for key in table.index:
        for column in GUIDE_COLUMNS:
            found = user.search(space=space, page_size=1, **{owner: structure, service: key, "statut": column})
            assert found.attrs["total"] == table.loc[key, column], (key, column)


def test_drill_down_lists_the_counted_requests(world):
    user = world.as_user("fournisseur")
    table = user.dashboard()
    key, column = demo.REC201FOURNISSEUR, "Fermée"
    found = user.search(structure=key, statut=column, page_size=1000)
    data = raw(world)
    expected = data[(data["emetteur_id"] == key) & (data["statut"] == "fermee")]
    assert sorted(found["Référence"]) == sorted(expected["numero"]) and len(found) == table.loc[key, column]
    assert set(found["Statut sollicitation"]) == {column}


# -- moving counts -----------------------------------------------------------------------------


def test_counts_follow_the_lifecycle(world):
    me, agent = world.as_user("fournisseur"), world.as_user("destinataire")

    def both():
        return cells(me.dashboard()).loc[demo.REC201FOURNISSEUR], cells(agent.dashboard()).loc[demo.REC201DESTINATAIRE]

    mine0, theirs0 = both()
    n = me.save_draft(
        categorie="Factures émises",
        sous_categorie="Question pour une entité publique",
        structure=demo.REC201FOURNISSEUR,
        destinataire=demo.REC201DESTINATAIRE,
        description="?",
    )
    mine, theirs = both()
    assert (mine - mine0).to_dict() == {**dict.fromkeys(GUIDE_COLUMNS, 0), "Brouillon": 1}
    assert (theirs - theirs0).to_dict() == dict.fromkeys(GUIDE_COLUMNS, 0)  # a draft is not received
    me.submit(n)
    agent.take_in_charge(n)
    mine, theirs = both()
    assert (mine - mine0).to_dict() == {**dict.fromkeys(GUIDE_COLUMNS, 0), "En cours": 1}
    assert (theirs - theirs0).to_dict() == {**dict.fromkeys(GUIDE_COLUMNS, 0), "En cours": 1}


def test_dashboard_of_a_structure_not_ones_own(world):
    with pytest.raises(sol.PermissionDenied):
        world.as_user("dupont").dashboard(structure=demo.REC201FOURNISSEUR)
    with pytest.raises(sol.PermissionDenied):
        world.as_user("destinataire").dashboard(structure=demo.SUPPORT, space="recues")
    with pytest.raises(sol.ValidationError):
        world.as_user("fournisseur").dashboard(space="partout")

"""The lists' states in plain Python (no browser, no Panel): Synthèse (ToProcess), Rechercher
(SearchForm), Courriels (Outbox) and their Pager. Cases come from the package over the demo world."""

from __future__ import annotations

import io
import os
from datetime import date

import openpyxl
import pandas as pd
import pytest

from sollicitations.access import Space
from sollicitations.status import Status
from sollicitations_ui import format as fmt
from sollicitations_ui.common import NONE, Navigation, Pager
from sollicitations_ui.outbox.state import ORDER as OUTBOX_ORDER
from sollicitations_ui.outbox.state import Outbox
from sollicitations_ui.search.state import BAD_DATE, ORDER, SearchForm
from sollicitations_ui.synthesis.state import EXPECTED_ACTIONS, ToProcess
from sollicitations_ui.synthesis.state import ORDER as TO_PROCESS_ORDER

EVERY_STATUS = [s.short_label for s in Status]


def newest_first(frame) -> bool:
    dates = list(frame["Saisie le"])
    return dates == sorted(dates, reverse=True)


# -- Pager ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("total, pages, page, expected", [
    (0, 1, 1, "Page 1 / 1 (0 ligne)"),
    (1, 1, 1, "Page 1 / 1 (1 ligne)"),
    (21, 3, 2, "Page 2 / 3 (21 lignes)"),
    (1099, 110, 110, "Page 110 / 110 (1\u202f099 lignes)"),
    (1_234_567, 123_457, 1, "Page 1 / 123\u202f457 (1\u202f234\u202f567 lignes)"),
])  # fmt: skip
def test_the_pager_speaks_french(total, pages, page, expected):
    pager = Pager(total=total, pages=pages)
    pager.page = page
    assert pager.summary == expected
    assert "," not in pager.summary


def test_the_pager_moves_within_its_pages_and_a_new_size_goes_back_to_the_first():
    pager = Pager(total=45, pages=5)
    pager.previous()
    assert pager.page == 1
    for _ in range(7):
        pager.next()
    assert pager.page == 5
    pager.page_size = 20
    assert pager.page == 1


def test_french_numbers():
    assert fmt.number(0) == "0" and fmt.number(999) == "999"
    assert fmt.number(1099) == "1\u202f099" and fmt.number(10_000) == "10\u202f000"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("15/01/2026", date(2026, 1, 15)),
        (" 5/1/2026 ", date(2026, 1, 5)),
        ("29/02/2028", date(2028, 2, 29)),
        ("", None),
        ("  ", None),
    ],
)
def test_a_typed_day(text, expected):
    assert fmt.parse_day(text) == expected


@pytest.mark.parametrize(
    "text", ["31/02/2026", "12/13/2026", "29/02/2026", "00/01/2026", "hier", "2026-01-15", "15/01/26", "15.01.2026"]
)
def test_a_typed_day_that_does_not_exist_is_refused(text):
    with pytest.raises(ValueError):
        fmt.parse_day(text)


# -- Synthèse -------------------------------------------------------------------------------------


def test_to_process_is_the_packages_list_newest_first(desk):
    me = desk.as_user("fournisseur")
    state = ToProcess(me, Navigation())
    expected = me.to_process(page=1, page_size=state.pager.page_size)
    assert state.rows["Numéro de la sollicitation"].tolist() == expected["Numéro de la sollicitation"].tolist()
    assert newest_first(state.rows) and state.pager.order == TO_PROCESS_ORDER[Space.EMISES]
    assert state.order_column in state.rows.columns
    assert state.pager.total == expected.attrs["total"]
    assert set(state.rows["Statut sollicitation"]) <= set(EXPECTED_ACTIONS)


def test_to_process_pages_and_filters_by_structure(desk):
    manager = desk.as_user("gestionnaire")  # the demo's longest list to process
    state = ToProcess(manager, Navigation(), Space.TOUTES)
    state.pager.page_size = 5
    first = state.rows["Numéro de la sollicitation"].tolist()
    assert len(first) == 5 and state.pager.pages > 1
    state.pager.next()
    second = state.rows["Numéro de la sollicitation"].tolist()
    assert second == manager.to_process(page=2, page_size=5, space=Space.TOUTES)["Numéro de la sollicitation"].tolist()
    assert second and not set(first) & set(second)
    me = desk.as_user("fournisseur")
    state = ToProcess(me, Navigation())
    state.pager.page_size = 5
    structure = next(v for v in state.param.structure.objects.values() if v != NONE)
    state.structure = structure
    assert state.pager.page == 1
    assert (
        state.rows["Numéro de la sollicitation"].tolist()
        == me.to_process(structure, page=1, page_size=5)["Numéro de la sollicitation"].tolist()
    )


@pytest.mark.parametrize("format", ["xlsx", "csv"])
def test_the_list_download_is_the_whole_list_from_a_file_already_unlinked(desk, format):
    me = desk.as_user("gestionnaire")
    state = ToProcess(me, Navigation(), Space.TOUTES)
    with state.file(format) as download:
        assert not os.path.exists(download.name)  # nothing left in the temporary folder, even if never read
        content = download.read()
    expected = pd.concat(me.list_batches("to_process", Space.TOUTES, batch_size=2))["Numéro de la sollicitation"]
    if format == "xlsx":
        rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    else:
        rows = [line.split(";") for line in content.decode("utf-8-sig").splitlines()]
    column = list(rows[0]).index("Numéro de la sollicitation")
    assert [int(row[column]) for row in rows[1:]] == expected.tolist() and len(expected) > 2


def test_receivers_see_resent_requests_first_then_newest(desk):
    me = desk.as_user("destinataire")
    state = ToProcess(me, Navigation(), Space.RECUES)
    assert state.pager.order == TO_PROCESS_ORDER[Space.RECUES]
    flags = state.rows["Renvoyée"].astype(bool).tolist()
    assert flags == sorted(flags, reverse=True)
    assert newest_first(state.rows[~state.rows["Renvoyée"].astype(bool)])


def test_to_process_reloads_after_a_write(desk):
    me = desk.as_user("fournisseur")
    navigation = Navigation()
    state = ToProcess(me, navigation)
    draft = state.rows.loc[state.rows["Statut sollicitation"] == Status.BROUILLON.short_label,
                           "Numéro de la sollicitation"].iloc[0]  # fmt: skip
    me.delete_draft(int(draft))
    navigation.changed()
    assert draft not in state.rows["Numéro de la sollicitation"].tolist()


# -- Rechercher -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "login, space",
    [
        ("fournisseur", Space.EMISES),
        ("destinataire", Space.RECUES),
        ("support", Space.RECUES),
        ("gestionnaire", Space.TOUTES),
    ],
)
def test_search_is_the_packages_page_newest_first(desk, login, space):
    me = desk.as_user(login)
    form = SearchForm(me, Navigation(), space)
    assert form.rows is None  # nothing before "Rechercher"
    form.statuts = EVERY_STATUS
    form.search()
    expected = me.search(1, form.pager.page_size, space, sort="saisie", statut=EVERY_STATUS)
    assert form.errors == [] and form.rows["Référence"].tolist() == expected["Référence"].tolist()
    assert newest_first(form.rows) and form.pager.order == ORDER and form.order_column in form.rows.columns
    assert form.pager.summary == Pager(total=expected.attrs["total"], pages=expected.attrs["pages"]).summary


def test_search_criteria_and_pages(desk):
    me = desk.as_user("gestionnaire")
    form = SearchForm(me, Navigation(), Space.TOUTES)
    form.search()
    assert form.errors == ["Veuillez saisir ou sélectionner au moins un critère de recherche"] and form.rows is None
    form.categorie = me.desk.catalogue.categories()[0]
    assert form.criteria()["categorie"] == form.categorie and form.sous_categorie == NONE
    form.statuts = EVERY_STATUS
    form.pager.page_size = 5
    form.search()
    total = form.pager.total
    assert total == me.search(1, 5, Space.TOUTES, categorie=form.categorie, statut=EVERY_STATUS).attrs["total"]
    if form.pager.pages > 1:
        form.pager.next()
        assert form.rows["Référence"].tolist() == me.search(2, 5, Space.TOUTES, sort="saisie", categorie=form.categorie,
                                                          statut=EVERY_STATUS)["Référence"].tolist()  # fmt: skip
        form.search()  # "Rechercher" again: back to page 1
        assert form.pager.page == 1
    form.reset()
    assert form.rows is None and form.criteria()["statut"] == [] and form.du == ""


def test_typed_dates_filter_and_impossible_ones_are_refused_in_french(desk):
    me = desk.as_user("fournisseur")
    form = SearchForm(me, Navigation())
    form.statuts = EVERY_STATUS
    form.search()
    day = form.rows["Saisie le"].iloc[0].date()
    form.du = form.au = day.strftime("%d/%m/%Y")
    assert form.du_error == "" and form.au_error == ""
    form.search()
    assert form.errors == [] and set(d.date() for d in form.rows["Saisie le"]) == {day}
    for wrong in ("31/02/2026", "12/13/2026", "hier"):
        form.du = wrong
        assert form.du_error == BAD_DATE["du"] and form.au_error == ""
        form.search()
        assert BAD_DATE["du"] in form.errors  # the package refuses it too, with the same words
    form.du, form.au = "", "32/01/2026"
    assert form.du_error == "" and form.au_error == BAD_DATE["au"]
    form.reset()
    assert form.du_error == "" and form.au_error == ""


def test_a_single_structure_found_is_selected(desk):
    me = desk.as_user("fournisseur")
    form = SearchForm(me, Navigation())
    structures = desk.search_structures("", limit=500)
    single = next(name for name in structures["Désignation"]
                  if len(desk.search_structures(name, limit=50)) == 1)  # fmt: skip
    form.destinataire_recherche = single
    form.find_recipients()
    chosen = desk.search_structures(single, limit=50)["Identifiant"].iloc[0]
    assert form.destinataire == chosen
    assert form.criteria()["destinataire"] == chosen
    several = next(word for word in ("test", "structure", "e") if len(desk.search_structures(word, limit=50)) > 1)
    form.destinataire_recherche = several
    form.find_recipients()
    assert form.destinataire == NONE and len(form.param.destinataire.objects) > 2
    form.clear_recipient()
    assert form.destinataire == NONE and form.destinataire_recherche == ""


# -- Courriels ------------------------------------------------------------------------------------


def test_outbox_pages_newest_first_and_finds_a_request(desk):
    me = desk.as_user("support")
    state = Outbox(me, Navigation())
    expected = me.outbox(1, state.pager.page_size)
    assert state.rows["Sollicitation"].tolist() == expected["Sollicitation"].tolist()
    dates = list(state.rows["Date"])
    assert dates == sorted(dates, reverse=True) and state.pager.order == OUTBOX_ORDER
    assert state.order_column in state.rows.columns
    numero = int(state.rows["Sollicitation"].iloc[-1])
    state.numero = str(numero)
    state.search()
    assert set(state.rows["Sollicitation"]) == {numero} and state.pager.page == 1
    state.numero = "onze"
    state.search()
    assert state.errors == ["Le numéro de la sollicitation doit être un nombre entier"]


def test_outbox_is_refused_to_an_emitter(desk):
    state = Outbox(desk.as_user("fournisseur"), Navigation())
    assert state.errors and state.rows.empty


def test_a_session_keeps_one_export_file_at_most(desk):
    """A new export deletes the previous file; discarding (the session's end) deletes the last one."""
    form = SearchForm(desk.as_user("fournisseur"), Navigation())
    form.statuts = [Status.BROUILLON.short_label, Status.ENVOYEE.short_label]
    form.export()
    first = form.export_path
    assert first and os.path.getsize(first) > 0 and form.errors == []
    form.export_format = "csv"
    form.export()
    second = form.export_path
    assert second != first and not os.path.exists(first) and os.path.exists(second)
    form.discard_export()
    assert not os.path.exists(second) and form.export_path == ""
    form.discard_export()  # twice: nothing left to delete, no error

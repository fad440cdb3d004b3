"""Whole-list exports to files, read back: XLSX with openpyxl, CSV with the csv module, Parquet with
pyarrow, each compared row for row with what `me.search` / `me.to_process` show, page by page."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import datetime

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sollicitations as sol
from sollicitations import demo
from sollicitations.export import cells as exports
from sollicitations.export import files as export_files
from sollicitations.lists import SEARCH_SORT  # the order exports and the "Rechercher" screen share

from ..conftest import opened

SEARCH = dict(structure=demo.REC201FOURNISSEUR)
ALL_STATUSES = ["Brouillon", "Envoyée", "En cours", "Informations compl. requises", "Répondue", "Fermée"]
EVERYTHING = dict(statut=ALL_STATUSES)  # for the manager: every request


@pytest.fixture(scope="module")
def volume_template(demo_template, tmp_path_factory):
    """The demo world plus 1500 generated requests (generate() speaks DuckDB: built once, copied per test)."""
    path = tmp_path_factory.mktemp("volume") / "volume.duckdb"
    shutil.copy(demo_template, path)
    d = sol.open_desk(path)
    demo.generate(d, 1500, seed=11)
    d.close()
    return path


@pytest.fixture
def volume(volume_template, tmp_path):
    """A copy of that world; pages of 97 rows (small_pages) so that every list spans pages."""
    with opened(volume_template, tmp_path) as d:
        yield d


@pytest.fixture(autouse=True)
def small_pages(monkeypatch):
    monkeypatch.setattr(export_files, "BATCH_ROWS", 97)


@pytest.fixture
def out(tmp_path):
    """A folder of its own for the files written (the desk's database sits in out)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


def every_row(fetch) -> pd.DataFrame:
    """What the screen shows, page after page (pages of the UI's own size)."""
    frames, page = [], 1
    while True:
        frame = fetch(page, 50)
        frames.append(frame)
        if page >= frame.attrs["pages"]:
            return pd.concat(frames, ignore_index=True)
        page += 1


def blank(value):
    return None if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) else value


def expected_sheet_rows(frame: pd.DataFrame) -> list[tuple]:
    rows = []
    for record in frame.itertuples(index=False):
        row = []
        for value in record:
            value = blank(value)
            if value == "":  # an empty text is an empty cell, which the sheet's filters show as "(Vides)"
                value = None
            elif isinstance(value, pd.Timestamp):
                value = datetime(value.year, value.month, value.day)
            elif isinstance(value, bool):
                value = "Oui" if value else "Non"
            row.append(value)
        rows.append(tuple(row))
    return rows


def expected_csv_rows(frame: pd.DataFrame) -> list[list[str]]:
    return [["Oui" if v is True else "Non" if v is False else exports._cell(blank(v)) for v in record]
            for record in frame.itertuples(index=False)]  # fmt: skip


# -- XLSX -----------------------------------------------------------------------------------------


def test_xlsx_holds_the_whole_search_row_for_row(volume, out):
    me = volume.as_user("gestionnaire")
    shown = every_row(lambda page, size: me.search(page, size, sort=SEARCH_SORT, **EVERYTHING))
    assert len(shown) > 10 * 97
    path = out / "recherche.xlsx"
    assert export_files.write_export(me, path, "xlsx", **EVERYTHING) == len(shown)
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(shown.columns)
    assert rows[1:] == expected_sheet_rows(shown)


def test_xlsx_has_a_frozen_bold_header_filters_widths_and_typed_dates(volume, out):
    me = volume.as_user("fournisseur")
    path = out / "recherche.xlsx"
    rows = export_files.write_export(me, path, "xlsx", **SEARCH)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:G{rows + 1}"
    assert all(cell.font.b for cell in sheet[1])
    date_column = [c.value for c in sheet[1]].index("Saisie le") + 1
    day = sheet.cell(row=2, column=date_column)
    assert day.is_date and day.number_format == "dd/mm/yyyy"
    reference = sheet.cell(row=2, column=1)
    assert reference.data_type == "n"
    assert sheet.column_dimensions["B"].width >= len("Factures émises")


def test_xlsx_of_the_receivers_to_process_list(volume, out, monkeypatch):
    monkeypatch.setattr(export_files, "BATCH_ROWS", 3)
    me = volume.as_user("destinataire")
    shown = every_row(lambda page, size: me.to_process(None, page, size))
    assert "Renvoyée" in shown.columns and len(shown) > 3
    path = out / "a-traiter.xlsx"
    export_files.write_export(me, path, "xlsx", list_name="to_process")
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows[1:] == expected_sheet_rows(shown)


def test_xlsx_refuses_more_rows_than_a_sheet_holds_and_offers_csv(volume, out, monkeypatch):
    monkeypatch.setattr(export_files, "XLSX_MAX_ROWS", 50)
    me = volume.as_user("fournisseur")
    total = me.search(1, 1, **SEARCH).attrs["total"]
    assert total > 50
    path = out / "trop.xlsx"
    with pytest.raises(sol.ValidationError) as refused:
        export_files.write_export(me, path, "xlsx", **SEARCH)
    message = refused.value.messages[0]
    assert "CSV" in message and "XLSX" in message and "au plus 50." in message
    assert f"{total:,}".replace(",", "\u202f") in message
    assert list(out.iterdir()) == []
    assert export_files.write_export(me, out / "ok.csv", "csv", **SEARCH) == total


def test_a_list_at_the_limit_still_fits(volume, out, monkeypatch):
    me = volume.as_user("fournisseur")
    total = me.search(1, 1, **SEARCH).attrs["total"]
    monkeypatch.setattr(export_files, "XLSX_MAX_ROWS", total)
    assert export_files.write_export(me, out / "juste.xlsx", "xlsx", **SEARCH) == total


# -- CSV ------------------------------------------------------------------------------------------


def test_csv_holds_the_whole_search_row_for_row(volume, out):
    me = volume.as_user("gestionnaire")
    criteria = dict(statut=ALL_STATUSES, du="01/01/2024")
    shown = every_row(lambda page, size: me.search(page, size, sort=SEARCH_SORT, **criteria))
    path = out / "recherche.csv"
    assert export_files.write_export(me, path, "csv", **criteria) == len(shown)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert rows[0] == list(shown.columns)
    assert rows[1:] == expected_csv_rows(shown)
    # the same bytes as the in-memory export the app already offers
    assert raw == me.export_csv("search", **criteria)


def test_csv_of_the_to_process_list_says_oui_non(volume, out, monkeypatch):
    monkeypatch.setattr(export_files, "BATCH_ROWS", 3)
    me = volume.as_user("destinataire")
    shown = every_row(lambda page, size: me.to_process(None, page, size))
    path = out / "a-traiter.csv"
    export_files.write_export(me, path, "csv", list_name="to_process")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[1:] == expected_csv_rows(shown)
    assert {r[rows[0].index("Renvoyée")] for r in rows[1:]} <= {"Oui", "Non"}


# -- Parquet --------------------------------------------------------------------------------------


def test_parquet_holds_the_whole_search_with_its_types(volume, out, monkeypatch):
    monkeypatch.setattr(export_files, "PARQUET_ROW_GROUP", 250)
    me = volume.as_user("gestionnaire")
    criteria = dict(statut=ALL_STATUSES)
    shown = every_row(lambda page, size: me.search(page, size, sort=SEARCH_SORT, **criteria))
    path = out / "recherche.parquet"
    assert export_files.write_export(me, path, "parquet", **criteria) == len(shown)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_rows == len(shown) and meta.num_row_groups > 1
    table = pq.read_table(path)
    assert table.column_names == list(shown.columns)
    assert str(table.schema.field("Référence").type) == "int64"
    assert str(table.schema.field("Saisie le").type).startswith("timestamp")
    back = table.to_pandas()
    for column in shown.columns:
        assert [blank(v) for v in back[column]] == [blank(v) for v in shown[column]], column


# -- what every format shares --------------------------------------------------------------------


class FakeDesk:
    """Stands for a UserDesk: a search whose pages are given, counting what was fetched."""

    def __init__(self, pages: list[pd.DataFrame]):
        self.pages, self.fetched = pages, 0
        self.user = sol.User("faux", "FAUX", "Compte", None, None, ())

    def search(self, page, page_size, space=None, **criteria):
        self.fetched += 1
        frame = self.pages[page - 1].copy()
        frame.attrs.update(total=sum(len(p) for p in self.pages), page=page, pages=len(self.pages))
        return frame

    def list_batches(self, list_name="search", space=None, batch_size=10_000, **criteria):
        for number in range(1, len(self.pages) + 1):
            yield self.search(number, batch_size, space, **criteria)


HOSTILE = ["=HYPERLINK(\"http://exemple.invalid\";\"clic\")", "+33 1 23", "-2+3", "@SUM(A1)", "\tcaché",
           "\rretour", "sans danger", "a=b"]  # fmt: skip


def hostile_pages() -> list[pd.DataFrame]:
    frame = pd.DataFrame({
        "Référence": range(1, len(HOSTILE) + 1),
        "Créé par": HOSTILE,
        "Saisie le": pd.to_datetime(["2026-01-02 10:00"] * len(HOSTILE)),
    })  # fmt: skip
    return [frame.iloc[:4].reset_index(drop=True), frame.iloc[4:].reset_index(drop=True)]


def test_xlsx_never_writes_a_formula_and_keeps_the_text_exact(out):
    path = out / "piege.xlsx"
    export_files.write_export(FakeDesk(hostile_pages()), path, "xlsx", categorie="x")
    sheet = openpyxl.load_workbook(path).active
    cells = [row[1] for row in sheet.iter_rows(min_row=2)]
    # openpyxl leaves the XML escape of a carriage return as it is; Excel reads it back as CR
    assert [c.value.replace("_x000D_", "\r") for c in cells] == HOSTILE
    assert all(c.data_type == "s" for c in cells)
    # Excel's quote prefix on every text cell: a cell the user edits stays text
    assert all(c.quotePrefix for c in cells)
    assert not any(row[0].quotePrefix or row[2].quotePrefix for row in sheet.iter_rows(min_row=2))
    assert 't="str"' not in _sheet_xml(path) and "<f>" not in _sheet_xml(path)


def _sheet_xml(path) -> str:
    import zipfile

    return zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()


def test_csv_neutralises_formulas_with_a_leading_quote(out):
    path = out / "piege.csv"
    export_files.write_export(FakeDesk(hostile_pages()), path, "csv", categorie="x")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f, delimiter=";"))
    assert [r[1] for r in rows[1:]] == ["'" + v for v in HOSTILE[:6]] + HOSTILE[6:]


def test_the_export_streams_page_by_page_and_reports_progress(out):
    pages = [pd.DataFrame({"Référence": range(i * 10, i * 10 + 10), "Créé par": ["x"] * 10}) for i in range(6)]
    for fmt in export_files.FORMATS:
        me = FakeDesk(pages)
        seen = []

        def progress(done, total, me=me, seen=seen):
            seen.append((done, total, me.fetched))

        assert export_files.write_export(me, out / f"flux.{fmt}", fmt, categorie="x", progress=progress) == 60
        # each page is written before the next one is fetched: never the whole list in memory
        assert seen == [(0, 60, 1)] + [(10 * k, 60, k) for k in range(1, 7)], fmt


def test_an_interrupted_export_leaves_no_file(out):
    pages = [pd.DataFrame({"Référence": [i], "Créé par": ["x"]}) for i in range(5)]

    def cancel(done, total):
        if done >= 3:
            raise KeyboardInterrupt

    for fmt in export_files.FORMATS:
        with pytest.raises(KeyboardInterrupt):
            export_files.write_export(FakeDesk(pages), out / f"annule.{fmt}", fmt, categorie="x",
                                      progress=cancel)  # fmt: skip
    assert list(out.iterdir()) == []


def test_an_export_replaces_an_older_file_only_when_complete(volume, out):
    me = volume.as_user("fournisseur")
    path = out / "liste.csv"
    path.write_text("ancien")
    export_files.write_export(me, path, "csv", **SEARCH)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfR\xc3\xa9f\xc3\xa9rence;")
    assert [p.name for p in out.iterdir()] == ["liste.csv"]


def test_empty_results_give_a_header_only(desk, fournisseur, out):
    criteria = dict(numero_objet="AUCUN-OBJET")
    for fmt in export_files.FORMATS:
        assert export_files.write_export(fournisseur, out / f"vide.{fmt}", fmt, **criteria) == 0
    rows = list(openpyxl.load_workbook(out / "vide.xlsx").active.iter_rows(values_only=True))
    assert rows == [tuple(fournisseur.search(1, 1, **criteria).columns)]
    assert (out / "vide.csv").read_text(encoding="utf-8-sig").count("\n") == 1
    assert pq.read_table(out / "vide.parquet").num_rows == 0


def test_refusals_are_french_and_write_nothing(desk, fournisseur, dupont, out):
    with pytest.raises(sol.ValidationError, match="Format d'export inconnu : pdf"):
        export_files.write_export(fournisseur, out / "x.pdf", "pdf", **SEARCH)
    with pytest.raises(sol.ValidationError, match="Liste inconnue"):
        export_files.write_export(fournisseur, out / "x.csv", "csv", list_name="tout", **SEARCH)
    with pytest.raises(sol.ValidationError, match="au moins un critère"):
        export_files.write_export(fournisseur, out / "x.csv", "csv")
    with pytest.raises(sol.ValidationError, match="Critère inconnu : categorie"):
        export_files.write_export(fournisseur, out / "x.csv", "csv", list_name="to_process", categorie="x")
    with pytest.raises(sol.PermissionDenied):
        export_files.write_export(dupont, out / "x.csv", "csv", space="recues", statut="Envoyée")
    with pytest.raises(sol.ValidationError, match="n'existe pas"):
        export_files.write_export(fournisseur, out / "absent" / "x.csv", "csv", **SEARCH)
    assert list(out.iterdir()) == []


def test_rights_apply_to_exports(volume, out):
    dupont = volume.as_user("dupont")
    path = out / "dupont.csv"
    export_files.write_export(dupont, path, "csv", statut=ALL_STATUSES)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    numbers = {int(r[0]) for r in rows[1:]}
    assert numbers
    assert all(volume.store.sollicitation(n)["emetteur_id"] == demo.MENUISERIE_DUPONT for n in numbers)


def test_a_hostile_name_typed_into_the_directory_comes_out_inert(desk, out):
    """Through the real API: a user whose name is a formula files a request; the lists show it."""
    desk.store.run(
        lambda cur: (
            desk.store.add_user(cur, "piege", '=HYPERLINK("http://x.invalid")', "@A1"),
            desk.store.add_habilitation(cur, "piege", demo.MENUISERIE_DUPONT, "emetteur"),
        )
    )
    me = desk.as_user("piege")
    me.save_draft(categorie="Compte utilisateur", sous_categorie="Habilitations",
                  structure=demo.MENUISERIE_DUPONT, description="Test")  # fmt: skip
    criteria = dict(cree_par="piege")
    name = me.search(1, 10, **criteria)["Créé par"].iloc[0]
    assert name.startswith("=HYPERLINK")
    export_files.write_export(me, out / "l.xlsx", "xlsx", **criteria)
    export_files.write_export(me, out / "l.csv", "csv", **criteria)
    cell = openpyxl.load_workbook(out / "l.xlsx").active["E2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)
    with open(out / "l.csv", encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f, delimiter=";"))[1][4] == "'" + name

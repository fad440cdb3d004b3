"""Injection through stored text: HTML/script and spreadsheet-formula payloads stored in every text field
through the API come out of every export as inert text.

- CSV (`me.export_csv`, exports.csv_bytes, and `me.export(..., "csv")`): a cell starting with = + - @ (or tab,
  CR) gets a leading quote; HTML stays the very text that was typed.
- XLSX (export_files): every cell is a string, never a formula; formula-like text carries Excel's quote prefix.
- PDF (pdf.py): the payloads are printed literally (pypdf reads them back), and the file has no JavaScript,
  launch action or link made from user text.
- Mail (outbox): the HTML body escapes the payloads.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pandas as pd
import pytest

from sollicitations import demo
from sollicitations.export import cells as exports

HTML = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"]
FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"]
PAYLOADS = HTML + FORMULAS
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The fields with a format of their own still take formula-like values.
EMAILS = ["=1+1@exemple.fr", "+1+1@exemple.fr", "-2@exemple.fr"]
PHONES = ["+33 1 23 45 67 89"]


def neutralised(payload: str) -> str:
    return "'" + payload if payload.startswith(FORMULA_START) else payload


@pytest.fixture(scope="module")
def stored(mworld):
    """Requests whose every text field carries a payload, in every status the exchange reaches."""
    desk = mworld.desk
    me, agent = mworld.user("fournisseur"), mworld.user("destinataire")
    numbers = {}
    for i, payload in enumerate(PAYLOADS):
        # A draft keeps a free object number when no object type is given: the one free text of the lists.
        n = me.save_draft(categorie="Factures émises", sous_categorie="Rejet d'une facture",
                          structure=demo.REC201FOURNISSEUR, numero_objet=payload, description=payload,
                          email=EMAILS[i % len(EMAILS)], telephone=PHONES[i % len(PHONES)])  # fmt: skip
        # The payload is the designation; as a text file's content, HTML is refused at upload
        # (test_upload_content), formulas are text.
        content = payload.encode() if payload in FORMULAS else f"Pièce {i}\n".encode()
        me.add_attachment(n, "piece.txt", content, designation=payload)
        numbers[("brouillon", payload)] = n
        # The whole exchange, each comment a payload.
        n = me.send(categorie="Factures émises", sous_categorie="Question pour une entité publique",
                    structure=demo.REC201FOURNISSEUR, destinataire=demo.REC201DESTINATAIRE, description=payload,
                    email=EMAILS[i % len(EMAILS)], telephone=PHONES[i % len(PHONES)])  # fmt: skip
        agent.take_in_charge(n)
        agent.add_attachment(n, "<img src=x onerror=alert(1)>.txt" if i % 2 else "=HYPERLINK(1).txt",
                             b"reponse\n", designation=payload)  # fmt: skip
        agent.request_information(n, payload)
        me.add_complement(n, payload)
        agent.respond(n, payload)
        me.close(n, resolved=False, reopen=True, comment=payload)
        agent.respond(n, payload)
        me.close(n, resolved=True, comment=payload)
        numbers[("echange", payload)] = n
        numbers[("contact", payload)] = desk.contact("Connexion", "Compte bloqué", EMAILS[i % len(EMAILS)], payload)
    for (_kind, payload), n in numbers.items():
        row = desk.store.sollicitation(n)
        assert row["description"] == payload  # stored as typed: no escaping at rest
    return numbers


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_search_csv_neutralises_formulas_and_keeps_html_as_text(mworld, stored):
    me = mworld.user("fournisseur")
    rows = read_csv(me.export_csv("search", categorie="Factures émises"))
    header = rows[0]
    column = header.index("Numéro d'objet")
    by_number = {int(r[0]): r for r in rows[1:]}
    for payload in PAYLOADS:
        cell = by_number[stored[("brouillon", payload)]][column]
        assert cell == neutralised(payload), (payload, cell)
    # No cell of the whole export starts with a formula character.
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (row, cell)


def test_csv_bytes_neutralises_every_column():
    """exports.csv_bytes itself, every payload in every column (and the tab/CR starters)."""
    payloads = PAYLOADS + ["\t=1+1", "\r=1+1", "=1+1\n=2", " =1", "a=1"]
    frame = pd.DataFrame({f"c{i}": payloads for i in range(3)})
    frame.attrs.update(total=len(frame), pages=1)
    rows = read_csv(exports.csv_bytes(iter([frame])))
    assert rows[0] == ["c0", "c1", "c2"]
    got = [r[0] for r in rows[1:]]
    assert got == [neutralised(p) for p in payloads]


def test_csv_file_export(mworld, stored, tmp_path):
    me = mworld.user("fournisseur")
    path = tmp_path / "recherche.csv"
    me.export(path, format="csv", categorie="Factures émises")
    rows = read_csv(path.read_bytes())
    column = rows[0].index("Numéro d'objet")
    by_number = {int(r[0]): r for r in rows[1:]}
    for payload in PAYLOADS:
        assert by_number[stored[("brouillon", payload)]][column] == neutralised(payload)
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(FORMULA_START), (row, cell)


def test_xlsx_cells_are_strings_never_formulas(mworld, stored, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    me = mworld.user("fournisseur")
    path = tmp_path / "recherche.xlsx"
    me.export(path, format="xlsx", categorie="Factures émises")
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml, f"a formula in {name}"
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    column = header.index("Numéro d'objet") + 1
    by_number = {int(row[0].value): row for row in sheet.iter_rows(min_row=2)}
    for payload in PAYLOADS:
        cell = by_number[stored[("brouillon", payload)]][column - 1]
        assert cell.data_type == "s" and cell.value == payload, (payload, cell.data_type, cell.value)
        if payload.startswith(FORMULA_START):
            assert cell.quotePrefix, f"{payload!r} without the quote prefix"
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)


def test_parquet_keeps_the_text(mworld, stored, tmp_path):
    pytest.importorskip("pyarrow")
    me = mworld.user("fournisseur")
    path = tmp_path / "recherche.parquet"
    me.export(path, format="parquet", categorie="Factures émises")
    frame = pd.read_parquet(path)
    by_number = dict(zip(frame["Référence"], frame["Numéro d'objet"]))
    for payload in PAYLOADS:
        assert by_number[stored[("brouillon", payload)]] == payload


def pdf_text(data: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def assert_inert_pdf(data: bytes) -> None:
    assert data.startswith(b"%PDF")
    for key in (b"/JavaScript", b"/JS", b"/Launch", b"/AA", b"/URI", b"/SubmitForm", b"/AcroForm", b"/GoToR"):
        assert key not in data, f"{key!r} in the PDF"
    # fpdf2 opens the first page at page width: a destination array, never an action dictionary.
    for opening in re.findall(rb"/OpenAction\s*(.)", data):
        assert opening == b"[", f"/OpenAction is an action: {opening!r}"


@pytest.mark.parametrize("kind", ["brouillon", "echange", "contact"])
def test_pdf_prints_the_payloads_literally(mworld, stored, kind):
    me = mworld.user("gestionnaire")
    for payload in PAYLOADS:
        data = me.detail_pdf(stored[(kind, payload)])
        assert_inert_pdf(data)
        text = re.sub(r"\s+", " ", pdf_text(data))
        assert payload in text, f"{payload!r} not printed as such in the {kind} PDF"
        if kind != "contact":
            assert text.count(payload) >= (2 if kind == "brouillon" else 6), (payload, text.count(payload))


def test_pdf_with_embedded_files_and_zip_are_inert(mworld, stored):
    me = mworld.user("fournisseur")
    for payload in PAYLOADS:
        n = stored[("echange", payload)]
        assert_inert_pdf(me.detail_pdf(n, attachments=True))
        with zipfile.ZipFile(io.BytesIO(me.detail_zip(n))) as archive:
            for name in archive.namelist():
                assert name == f"sollicitation-{n}.pdf" or re.fullmatch(r"pieces-jointes/[^/\\]+", name), name
                assert "<" not in name and ">" not in name, name


def test_mail_html_escapes_the_payloads(mworld, stored):
    numbers = sorted(stored.values())
    bodies = mworld.desk.store.query_df(
        "SELECT numero, html_body, text_body FROM outbox WHERE numero IN (SELECT unnest(?::BIGINT[]))", [numbers]
    )
    assert not bodies.empty
    for body in bodies["html_body"]:
        for payload in HTML:
            assert payload not in body, f"raw {payload!r} in a mail's HTML"
        assert "<script" not in body.lower() and "<img src=x" not in body.lower()
    # The plain-text part says what was typed.
    assert any(payload in text for text in bodies["text_body"] for payload in HTML)


def test_payloads_round_trip_through_the_detail(mworld, stored):
    """Stored as typed, read back as typed: escaping belongs to the views and exports, not to the store."""
    me = mworld.user("gestionnaire")
    for payload in PAYLOADS:
        detail = me.get(stored[("echange", payload)])
        assert detail["description"] == payload
        assert {c["texte"] for c in detail["commentaires"]} == {payload}
        assert set(detail["historique"]["Commentaire"].dropna()) >= {payload}
        assert detail["pieces_jointes"]["Désignation"].tolist() == [payload]
        draft = me.get(stored[("brouillon", payload)])
        assert draft["numero_objet"] == payload and draft["pieces_jointes"]["Désignation"].tolist() == [payload]

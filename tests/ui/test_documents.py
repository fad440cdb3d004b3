"""Issue 6 in the browser: the detail PDF with its attachments, search exports, viewing a PDF."""

import io

import openpyxl
from pypdf import PdfReader

from .conftest import click, login, open_tab, screenshot, wait_until
from .test_round_trip import open_request


def test_download_the_detail_with_its_attachments(server, page, tmp_path):
    login(page, server, "fournisseur")
    open_request(page, server, 4)  # "Informations compl. requises": the supplier may attach
    attachment = tmp_path / "bon-de-commande.pdf"
    attachment.write_bytes(b"%PDF-1.4\n% bon de commande\n")
    page.locator("input[type=file]").filter(visible=True).first.set_input_files(str(attachment))
    page.wait_for_timeout(500)
    page.get_by_role("button", name="Ajouter", exact=True).filter(visible=True).first.click()
    page.get_by_text("bon-de-commande.pdf").first.wait_for()
    click(page, "Télécharger détail")
    page.get_by_text("Souhaitez-vous inclure les pièces jointes à votre téléchargement ?").first.wait_for()
    page.get_by_text("Oui", exact=True).filter(visible=True).first.click()
    page.wait_for_timeout(300)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger", exact=True).filter(visible=True).first.click()
    reader = PdfReader(download.value.path())
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Sollicitation n° 4" in text and "Historique" in text and "QUAL_00000000007215" in text
    assert "bon-de-commande.pdf" in reader.attachments


def test_export_the_whole_search_to_xlsx(server, page):
    login(page, server, "gestionnaire")
    open_tab(page, "Rechercher")
    for label in ("Envoyée", "En cours"):
        page.get_by_role("checkbox", name=label, exact=True).check()
        page.wait_for_timeout(200)  # each choice reaches the server before the next one (see test_tables.show)
    wait_until(lambda: all(page.get_by_role("checkbox", name=label, exact=True).is_checked()
                           for label in ("Envoyée", "En cours")))  # fmt: skip
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    references = page.locator(".tabulator-row", has_text="Visualiser").locator(
        ".tabulator-cell[tabulator-field='Référence']"
    )
    shown = wait_until(lambda: references.all_inner_texts())  # one page of 10 holds the demo's few
    click(page, "Exporter les résultats")
    ready = page.get_by_role("button", name="Télécharger le fichier")
    ready.wait_for()
    with page.expect_download() as download:
        ready.click()
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Référence" and sorted(str(int(r[0])) for r in rows[1:]) == sorted(shown)
    assert {r[6] for r in rows[1:]} == {"Envoyée", "En cours"}


def test_view_a_detail_pdf_from_the_results(server, page):
    login(page, server, "fournisseur")
    open_tab(page, "Rechercher")
    page.get_by_role("checkbox", name="Répondue", exact=True).check()
    page.wait_for_timeout(300)
    page.get_by_role("button", name="Rechercher", exact=True).last.click()
    page.locator(".row-action", has_text="Visualiser").filter(visible=True).first.click()
    wait_until(lambda: page.locator("embed, iframe, object").count() > 0)
    screenshot(page, "recherche-visualiser-pdf")
    assert page.console_errors == []

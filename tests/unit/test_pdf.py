"""The detail PDF ("Télécharger détail") and its ZIP, read back: text with pypdf, files, archive."""

from __future__ import annotations

import io
import zipfile

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject

import sollicitations as sol
from sollicitations import demo, pdf

TYPOGRAPHY = "L’œuvre « complète » coûte 1 200 € … “vraiment” ? Ça, où, Noël, naïve, Œil, âge, façade, aigüe, L’Haÿ, à, è, ù, ê, î, ô, û."
COMMENT = "Merci de joindre « le bon de commande » – l’original, s’il vous plaît…"
BLOCKS = [
    "En-tête de la sollicitation", "Informations Structure émettrice", "Information Structure Destinatrice",
    "Description", "Commentaires/Réponses", "Historique", "Pièces jointes",
]  # fmt: skip
HISTORY_HEADINGS = ["Date", "Utilisateur", "Ancien statut", "Nouveau statut", "Commentaire"]


def text_of(document: bytes) -> str:
    """The PDF's text, every run of white space as one space (lines wrap where they like)."""
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def flat(text: str) -> str:
    return " ".join(text.split())


def drawn_block_titles(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, page index) of every block title drawn, in drawing order: the text set in the
    block titles' font size, read from the pages themselves (not from the outline)."""
    titles = []
    for index, page in enumerate(reader.pages):

        def visit(text, _cm, _tm, _font, size, index=index):
            if size == pdf.BLOCK_TITLE_SIZE and text.strip():
                titles.append((text.strip(), index))

        page.extract_text(visitor_text=visit)
    return titles


def outline_entries(reader: PdfReader) -> list[tuple[str, int]]:
    """(title, page index) of every bookmark, in outline order (nested ones would be lists)."""
    return [(entry.title, reader.get_destination_page_number(entry)) for entry in reader.outline]


@pytest.fixture
def request_with_everything(fournisseur, destinataire):
    """A request that went both ways: typography in the description, comments, two attachments
    of the same name, in status "Envoyée" after a complement."""
    n = fournisseur.save_draft(
        categorie="Factures émises", sous_categorie="Question pour une entité publique",
        structure=demo.REC201FOURNISSEUR, destinataire=demo.REC201DESTINATAIRE, description=TYPOGRAPHY,
        email="contact@fournisseur.example", telephone="01 23 45 67 89",
    )  # fmt: skip
    fournisseur.add_attachment(n, "bon-de-commande.txt", "Bon de commande n° 42 : 3 pièces à 15 €.\n".encode())
    fournisseur.add_attachment(n, "bon-de-commande.txt", b"Seconde version.\n")
    fournisseur.submit(n)
    destinataire.take_in_charge(n)
    destinataire.request_information(n, COMMENT)
    fournisseur.add_complement(n, "Le voici, avec l’accusé « signé ».")
    return n


def test_the_pdf_holds_every_block_title_history_and_attachment(fournisseur, request_with_everything):
    n = request_with_everything
    data = fournisseur.get(n)
    document = pdf.detail_pdf(fournisseur, n)
    assert document.startswith(b"%PDF-")
    text = text_of(document)
    assert f"Sollicitation n° {n} saisie le {data['saisie_le']:%d/%m/%Y}" in text
    for block in BLOCKS + HISTORY_HEADINGS:
        assert block in text, block
    for value in ("Envoyée", "Factures émises", "Question pour une entité publique", "REC201FOURNISSEUR",
                  "REC201DESTINATAIRE", "contact@fournisseur.example", "01 23 45 67 89", "MARCHAND Élise",
                  "NAVARRO Inès", "Informations compl. requises", "Total de 2 pièce(s) jointe(s).",
                  "bon-de-commande.txt"):  # fmt: skip
        assert value in text, value
    # every history row, in order, with its statuses
    history = data["historique"]
    assert len(history) >= 6
    positions = [text.index(f"{d:%d/%m/%Y %H:%M}") for d in history["Date"]]
    assert positions == sorted(positions)


def test_the_pdf_has_a_title_a_language_and_an_outline_in_reading_order(fournisseur, request_with_everything):
    """RGAA 13.3: a title the viewer shows, a language, a subject, and the outline open at opening."""
    n = request_with_everything
    reader = PdfReader(io.BytesIO(pdf.detail_pdf(fournisseur, n, attachments=True)))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == f"Sollicitation n° {n}"
    assert reader.metadata.subject == f"Détail de la sollicitation n° {n}"
    assert reader.metadata["/Keywords"] == "sollicitation, Factures émises, Question pour une entité publique"
    assert root["/Lang"] == "fr-FR"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    assert root["/PageMode"] == "/UseOutlines"
    assert [title for title, _page in drawn_block_titles(reader)] == BLOCKS
    assert outline_entries(reader) == drawn_block_titles(reader)  # each bookmark points at its title's page


def test_the_outline_follows_the_blocks_drawn_even_on_several_pages(fournisseur):
    n = fournisseur.save_draft(categorie="Compte utilisateur", sous_categorie="Habilitations",
                               structure=demo.REC100FOURNISSEUR, description="Ligne assez longue.\n" * 400)  # fmt: skip
    reader = PdfReader(io.BytesIO(pdf.detail_pdf(fournisseur, n)))
    drawn = drawn_block_titles(reader)
    assert "Information Structure Destinatrice" not in [title for title, _page in drawn]
    assert drawn[-1][1] > 0  # the last blocks are on a later page
    assert outline_entries(reader) == drawn


def test_accents_and_typographic_characters_come_back_as_typed(fournisseur, request_with_everything):
    text = text_of(pdf.detail_pdf(fournisseur, request_with_everything))
    assert flat(TYPOGRAPHY) in text
    assert flat(COMMENT) in text
    assert "Le voici, avec l’accusé « signé »." in text
    for char in "’€œŒ«»…“”àâçéèêëîïôùûüÿ":
        assert char in text, char


def test_without_attachments_nothing_is_embedded(fournisseur, request_with_everything):
    reader = PdfReader(io.BytesIO(pdf.detail_pdf(fournisseur, request_with_everything)))
    assert dict(reader.attachments) == {}


def test_with_attachments_each_file_is_embedded_with_its_content(fournisseur, request_with_everything):
    document = pdf.detail_pdf(fournisseur, request_with_everything, attachments=True)
    files = {name: contents[0] for name, contents in PdfReader(io.BytesIO(document)).attachments.items()}
    assert files == {
        "bon-de-commande.txt": "Bon de commande n° 42 : 3 pièces à 15 €.\n".encode(),
        "bon-de-commande (2).txt": b"Seconde version.\n",
    }
    assert "Les fichiers sont joints à ce document" in text_of(document)


def test_the_zip_holds_the_pdf_and_the_files(fournisseur, request_with_everything):
    n = request_with_everything
    archive = zipfile.ZipFile(io.BytesIO(pdf.detail_zip(fournisseur, n)))
    assert archive.testzip() is None
    assert sorted(archive.namelist()) == sorted([
        f"sollicitation-{n}.pdf", "pieces-jointes/bon-de-commande.txt", "pieces-jointes/bon-de-commande (2).txt",
    ])  # fmt: skip
    assert archive.read("pieces-jointes/bon-de-commande (2).txt") == b"Seconde version.\n"
    inner = archive.read(f"sollicitation-{n}.pdf")
    assert "Information Structure Destinatrice" in text_of(inner)
    assert dict(PdfReader(io.BytesIO(inner)).attachments) == {}  # the files sit beside it, not twice


def test_the_receiver_gets_the_same_detail(destinataire, request_with_everything):
    text = text_of(pdf.detail_pdf(destinataire, request_with_everything, attachments=True))
    assert flat(TYPOGRAPHY) in text


def test_no_recipient_block_before_routing(fournisseur):
    n = fournisseur.save_draft(categorie="Compte utilisateur", sous_categorie="Habilitations",
                               structure=demo.REC100FOURNISSEUR, description="Brouillon sans destinataire.")  # fmt: skip
    text = text_of(pdf.detail_pdf(fournisseur, n))
    assert "Information Structure Destinatrice" not in text
    for block in ("En-tête de la sollicitation", "Description", "Historique", "Aucun commentaire.",
                  "Total de 0 pièce(s) jointe(s)."):  # fmt: skip
        assert block in text
    assert "Brouillon sans destinataire." in text


def test_a_contact_request_shows_where_it_came_from(desk, support):
    n = desk.contact("Connexion", "Compte bloqué", "visiteur@exemple.fr", "Mon compte est bloqué.")
    text = text_of(pdf.detail_pdf(support, n))
    assert "Nous contacter" in text
    assert "visiteur@exemple.fr" in text


def test_someone_who_may_not_read_the_request_gets_no_pdf(dupont, destinataire, fournisseur, request_with_everything):
    with pytest.raises(sol.PermissionDenied):
        pdf.detail_pdf(dupont, request_with_everything)
    with pytest.raises(sol.PermissionDenied):
        pdf.detail_zip(dupont, request_with_everything)
    draft = fournisseur.save_draft(categorie="Factures émises", sous_categorie="Question pour une entité publique",
                                   structure=demo.REC201FOURNISSEUR, destinataire=demo.REC201DESTINATAIRE,
                                   description="Pas encore envoyée.")  # fmt: skip
    with pytest.raises(sol.PermissionDenied):
        pdf.detail_pdf(destinataire, draft, attachments=True)


def test_long_texts_flow_over_pages_and_the_history_points_to_the_full_comment(fournisseur, destinataire):
    description = "\n".join(f"Paragraphe {i} : " + "une phrase assez longue pour remplir la ligne, " * 12
                            for i in range(15))[:10_000]  # fmt: skip
    url = "https://exemple.fr/" + "x" * 400  # one word wider than the page
    n = fournisseur.send(categorie="Factures émises", sous_categorie="Question pour une entité publique",
                         structure=demo.REC201FOURNISSEUR, destinataire=demo.REC201DESTINATAIRE,
                         description=description[:9_000] + "\n" + url)  # fmt: skip
    comment = ("Réponse détaillée ; " * 200)[:3_990] + " FIN."
    destinataire.take_in_charge(n)
    destinataire.respond(n, comment)
    document = pdf.detail_pdf(fournisseur, n)
    reader = PdfReader(io.BytesIO(document))
    assert len(reader.pages) >= 4
    text = text_of(document)
    assert "Paragraphe 14" in text and "FIN." in text
    assert "suite dans « Commentaires/Réponses »" in text  # the history row is cut, the comment is whole
    assert text.replace(" ", "").count("x" * 400) == 1  # the long word is cut across lines, not lost
    pages = " ".join(p.extract_text() for p in reader.pages)
    assert f"page {len(reader.pages)}/{len(reader.pages)}" in pages


def test_characters_the_font_lacks_do_not_break_the_pdf(fournisseur):
    n = fournisseur.save_draft(categorie="Compte utilisateur", sous_categorie="Habilitations",
                               structure=demo.REC100FOURNISSEUR,
                               description="Merci 🙂 ; espace\u202ffine ; zéro\u200blargeur ; tab\tulation ; 漢字.")  # fmt: skip
    text = text_of(pdf.detail_pdf(fournisseur, n))
    assert "Merci ? ;" in text
    assert "largeur" in text
    assert "tab ulation" in text


def test_file_names_are_made_safe_and_unique():
    taken: set[str] = set()
    assert pdf._unique(pdf._safe_name("../../etc/passwd"), taken) == "passwd"
    assert pdf._unique(pdf._safe_name("C:\\dossier\\a:b*c.txt"), taken) == "a_b_c.txt"
    assert pdf._unique(pdf._safe_name("A_B_C.TXT"), taken) == "A_B_C (2).TXT"
    assert pdf._unique(pdf._safe_name(""), taken) == "piece-jointe"
    assert pdf._unique(pdf._safe_name("..."), taken) == "piece-jointe (2)"

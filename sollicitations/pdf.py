"""The detail PDF ("Télécharger détail"), with or without its attachments, and its ZIP.

    from sollicitations import pdf
    pdf.detail_pdf(me, 49335)                    # the blocks of the detail screen, as PDF bytes
    pdf.detail_pdf(me, 49335, attachments=True)  # the same, the attachments embedded as PDF files
    pdf.detail_zip(me, 49335)                    # a ZIP: the PDF and the attachments beside it
    pdf.detail_zip(me, 49335, "detail.zip")      # the same ZIP written to a file (its path returned)

fpdf2's core fonts are latin-1 only (’ € œ … “ ” fail): the text is set in Open Sans, a TrueType
font embedded (subset) in every PDF. The font files come from the `ttf-opensans` package
(Apache 2.0). Authorization is the desk's: every value comes through `me.get` / `me.attachment`.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from datetime import date, datetime
from pathlib import Path, PurePosixPath

import pandas as pd
import ttf_opensans
from fpdf import FPDF
from fpdf.enums import PageMode, XPos, YPos
from fpdf.prefs import ViewerPreferences

from .attachments import write_zip_entry
from .clock import PARIS

FONT = "OpenSans"
_FONT_FILES = {"": ttf_opensans.OPENSANS_REGULAR.path, "B": ttf_opensans.OPENSANS_BOLD.path}

BLUE = (0, 0, 145)  # the portal's blue, as in the app's block titles
BAND = (232, 236, 246)  # block title background
HEAD = (242, 244, 248)  # table heading background
GREY = (90, 90, 90)
BLOCK_TITLE_SIZE = 10.5  # the block titles' font size, no other text is set in it

# A table row must fit on one page: history comments are cut there, as the portal's "... suite";
# every comment is given in full in "Commentaires/Réponses".
HISTORY_COMMENT_CHARS = 600
HISTORY_COMMENT_LINES = 12
SUITE = " … (suite dans « Commentaires/Réponses »)"

# Spaces the font lacks, drawn as the nearest one it has.
_SPACES = {"\u202f": "\u00a0", "\u2009": " ", "\u2007": "\u00a0", "\u200a": " ", "\t": "    "}
EMBEDDED_NOTE = "Les fichiers sont joints à ce document (panneau « Pièces jointes » du lecteur PDF)."
ZIP_NOTE = "Les fichiers sont dans le dossier « pieces-jointes » de l'archive."
_KEEP_TOGETHER = re.compile(r"(?<=«) | (?=[»;:!?€%])")
_SIDES = {"emetteur": "émetteur", "destinataire": "destinataire"}


def detail_pdf(me, numero, attachments: bool = False) -> bytes:
    """The PDF of one request as `me` may see it; with `attachments`, its files embedded in it."""
    data = me.get(numero)
    files = list(_attachment_files(me, data)) if attachments else []
    return _render(data, files, me, embed=attachments, note=EMBEDDED_NOTE if attachments else "")


def detail_zip(me, numero, path=None):
    """A ZIP of the detail PDF and, in `pieces-jointes/`, every attachment of the request.

    The ZIP is written as it is made, the attachments read one at a time: to `path` (a file name, whose
    Path is returned, or a binary file open for writing, returned as it is) or, without `path`, to a
    temporary file whose bytes are returned. Memory holds one attachment at a time, never all of them.
    """
    data = me.get(numero)  # refused before anything is written
    if path is None:
        with tempfile.TemporaryFile() as out:
            _write_detail_zip(me, data, out)
            out.seek(0)
            return out.read()
    if hasattr(path, "write"):
        _write_detail_zip(me, data, path)
        return path
    target = Path(os.fspath(path))
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{target.name}.", delete=False) as out:
        try:
            _write_detail_zip(me, data, out)
        except BaseException:
            out.close()
            os.unlink(out.name)
            raise
    shutil.move(out.name, target)  # a reader of `path` never sees half a ZIP
    return target


def _write_detail_zip(me, data: dict, out) -> None:
    document = _render(data, [], me, embed=False, note=ZIP_NOTE)  # the list of files only, not their bytes
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        write_zip_entry(archive, _zip_info(f"sollicitation-{data['numero']}.pdf", me), document)
        del document
        for name, content, meta in _attachment_files(me, data):
            write_zip_entry(archive, _zip_info(f"pieces-jointes/{name}", me, meta.get("Ajoutée le")), content)
            del content


def pdf_filename(numero, attachments: bool = False) -> str:
    """The download name the app offers: `sollicitation-N.pdf`, or `.zip` for the ZIP."""
    return f"sollicitation-{numero}.{'zip' if attachments else 'pdf'}"


# -- building the document --------------------------------------------------------------------


class _Document(FPDF):
    def __init__(self, numero: int):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.numero = numero
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)
        for style, path in _FONT_FILES.items():
            self.add_font(FONT, style, path)
        self.c_margin = 0

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"Sollicitation n° {self.numero} — page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(0, 0, 0)


def _render(data: dict, files: list, me, embed: bool, note: str) -> bytes:
    doc = _Document(data["numero"])
    # RGAA 13.3: a title shown by viewers instead of the file name, a language, a subject, and an
    # outline (one bookmark per block, see `_block_title`) shown at opening, in the reading order.
    doc.set_title(f"Sollicitation n° {data['numero']}")
    doc.viewer_preferences = ViewerPreferences(display_doc_title=True)
    doc.page_mode = PageMode.USE_OUTLINES
    doc.set_lang("fr-FR")
    doc.set_subject(f"Détail de la sollicitation n° {data['numero']}")
    doc.set_keywords([word for word in ("sollicitation", _text(data["categorie"]), _text(data["sous_categorie"]))
                      if word])  # fmt: skip
    doc.set_creator("sollicitations")
    doc.set_author(_text(me.user.display_name))
    doc.add_page()
    _title(doc, data, me)
    _fields(doc, "En-tête de la sollicitation", [
        ("Statut", data["statut_libelle"]), ("Date de clôture", _day(data["cloturee_le"])),
        ("Catégorie", data["categorie"]), ("Numéro (de la facture, du mémoire, ...)", data["numero_objet"]),
        ("Sous catégorie", data["sous_categorie"]), ("Type de l'objet concerné", data["type_objet"]),
        ("Date d'envoi", _day(data["envoyee_le"])), ("Résolue", _resolved(data)),
    ])  # fmt: skip
    structure = data["structure"]
    _fields(doc, "Informations Structure émettrice", [
        ("Désignation de la structure émettrice",
         data["structure_libelle"] or ("Nous contacter" if data["contact"] else "")),
        ("Adresse électronique de contact", data["email"]),
        ("Service", data["service"]), ("Téléphone de contact", data["telephone"]),
        ("Identifiant de la structure", structure["id"] if structure else ""), ("Saisie par", data["cree_par"]),
    ])  # fmt: skip
    recipient = data["destinataire"]
    if recipient:
        _fields(doc, "Information Structure Destinatrice", [
            ("Destinataire", recipient["designation"]), ("Assigné à", data["assigne_a"]),
            ("Service", data["service_destinataire"]), ("Identifiant", recipient["id"]),
            ("Raison sociale", recipient["designation"]), ("Renvoyée", "Oui" if data["renvoyee"] else "Non"),
        ])  # fmt: skip
    _block_title(doc, "Description")
    _paragraph(doc, data["description"], empty="Aucune description.", font=("", 9))
    _comments(doc, data["commentaires"])
    _history(doc, data["historique"])
    _attachments(doc, data["pieces_jointes"], note)
    if embed:
        for name, content, meta in files:
            doc.embed_file(
                bytes=content,
                basename=name,
                desc=_text(meta.get("Désignation")) or name,
                modification_date=_aware(meta.get("Ajoutée le")),
                compress=True,
            )
    return bytes(doc.output())


def _title(doc: _Document, data: dict, me) -> None:
    doc.set_font(FONT, "B", 15)
    doc.set_text_color(*BLUE)
    _paragraph(doc, f"Sollicitation n° {data['numero']} saisie le {_day(data['saisie_le'])}", line_height=8)
    doc.set_font(FONT, "", 8)
    doc.set_text_color(*GREY)
    now = me.desk.clock()
    _paragraph(doc, f"Détail de la sollicitation, édité le {_day(now)} à {now:%H:%M} par {me.user.display_name}",
               line_height=4.5)  # fmt: skip
    doc.set_text_color(0, 0, 0)
    doc.ln(1)


def _block_title(doc: _Document, title: str) -> None:
    """A block's title band, and its bookmark in the outline (pointing at the band)."""
    doc.ln(3)
    if doc.will_page_break(20):  # keep a title with the first lines of its block
        doc.add_page()
    doc.start_section(title)  # no `section_title_styles`: an outline entry only, nothing drawn
    doc.set_font(FONT, "B", BLOCK_TITLE_SIZE)
    doc.set_fill_color(*BAND)
    doc.set_text_color(*BLUE)
    doc.set_x(doc.l_margin)
    doc.cell(doc.epw, 7, "  " + title, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_text_color(0, 0, 0)
    doc.ln(1.5)


def _fields(doc: _Document, title: str, pairs: list[tuple[str, object]]) -> None:
    """A block of `label : value` fields in two columns, as on the detail screen."""
    _block_title(doc, title)
    label = ("B", 8, LABEL)
    value = ("", 8.5, BLACK)
    for i in range(0, len(pairs), 2):
        cells = []
        for (name, shown), widths in zip(pairs[i : i + 2], ((35, 55), (40, 50))):
            cells += [(f"{name} :", widths[0], label), (_text(shown), widths[1], value)]
        _row(doc, cells, line_height=4.3, pad=(0.9, 2))


def _paragraph(doc: _Document, text, empty: str = "", line_height: float = 4.6, font=None) -> None:
    """Text over the page width, line by line (a line break moves to the next page as needed)."""
    if font:
        doc.set_font(FONT, *font)
    text = _text(text)
    if not text:
        if empty:
            doc.set_font(FONT, "", 8.5)
            doc.set_text_color(*GREY)
            doc.cell(doc.epw, 4.5, empty, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            doc.set_text_color(0, 0, 0)
        return
    for line in _lines(doc, text, doc.epw):
        doc.cell(doc.epw, line_height, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _comments(doc: _Document, comments: list[dict]) -> None:
    _block_title(doc, "Commentaires/Réponses")
    if not comments:
        _paragraph(doc, None, empty="Aucun commentaire.")
        return
    for number, comment in enumerate(comments):
        if number:
            doc.ln(1.8)
        if doc.will_page_break(13):
            doc.add_page()
        doc.set_font(FONT, "B", 8)
        doc.set_text_color(*GREY)
        side = _SIDES.get(comment.get("cote"), "")
        meta = f"{_moment(comment['date'])} — {_text(comment['auteur'])}" + (f" ({side})" if side else "")
        _paragraph(doc, meta, line_height=4.2)
        doc.set_text_color(0, 0, 0)
        _paragraph(doc, comment["texte"], font=("", 9))


def _history(doc: _Document, history: pd.DataFrame) -> None:
    _block_title(doc, "Historique")
    columns = ["Date", "Utilisateur", "Ancien statut", "Nouveau statut", "Commentaire"]
    rows = [[_moment(r["Date"]), _text(r["Utilisateur"]), _text(r["Ancien statut"]),
             _text(r["Nouveau statut"]), _history_comment(r["Commentaire"])]
            for r in history.to_dict("records")]  # fmt: skip
    _grid(doc, columns, rows, widths=(27, 32, 29, 29, 63), empty="Aucun événement.")


def _attachments(doc: _Document, frame: pd.DataFrame, note: str) -> None:
    _block_title(doc, "Pièces jointes")
    doc.set_font(FONT, "", 8.5)
    total = f"Total de {len(frame)} pièce(s) jointe(s)."
    if note and len(frame):
        total += " " + note
    _paragraph(doc, total, line_height=4.5)
    doc.ln(1)
    if frame.empty:
        return
    columns = ["Type", "Désignation", "Extension", "Nom du fichier", "Taille", "Ajoutée le"]
    rows = [[_text(r["Type"]), _text(r["Désignation"]), _text(r["Extension"]), _text(r["Nom du fichier"]),
             _size(r["Taille"]), _day(r["Ajoutée le"])] for r in frame.to_dict("records")]  # fmt: skip
    _grid(doc, columns, rows, widths=(26, 46, 18, 50, 18, 22))


# -- a light table engine ------------------------------------------------------------------------
# fpdf2's `table()` measures every cell twice through `multi_cell`: 3 to 5 times slower than
# wrapping the words here and drawing each line with `cell`, for the same look.

LABEL = (70, 70, 70)
BLACK = (0, 0, 0)
RULE = (200, 205, 215)


def _grid(doc: _Document, columns: list[str], rows: list[list[str]], widths, empty: str = "") -> None:
    """A table with a heading row repeated on every page, rows never split across pages."""
    heading = [(c, w, ("B", 8, BLUE)) for c, w in zip(columns, widths)]
    body = ("", 8, BLACK)
    pad = (1.2, 1.3)

    def head() -> None:
        _row(doc, heading, line_height=4.2, pad=pad, fill=HEAD, rule=True)

    head()
    if not rows and empty:
        _row(doc, [(empty, sum(widths), ("", 8, GREY))], line_height=4.2, pad=pad, rule=True)
    for values in rows:
        cells = [(v, w, body) for v, w in zip(values, widths)]
        wrapped, height = _wrap_cells(doc, cells, 4.2, pad)
        if doc.will_page_break(height):
            doc.add_page()
            head()
        _draw_row(doc, cells, wrapped, height, 4.2, pad, fill=None, rule=True)


def _row(doc: _Document, cells, line_height: float, pad: tuple[float, float],
         fill=None, rule: bool = False) -> None:  # fmt: skip
    """One row of cells (text, width, (style, size, colour)), each wrapped in its width."""
    wrapped, height = _wrap_cells(doc, cells, line_height, pad)
    if doc.will_page_break(height):
        doc.add_page()
    _draw_row(doc, cells, wrapped, height, line_height, pad, fill, rule)


def _wrap_cells(doc: _Document, cells, line_height: float, pad: tuple[float, float]):
    """Each cell's lines, and the row's height; a cell never grows past what a page holds."""
    pad_y, pad_x = pad
    most = max(1, int((doc.eph - 2 * pad_y) / line_height) - 4)
    wrapped = []
    for text, width, (style, size, _color) in cells:
        doc.set_font(FONT, style, size)
        lines = _lines(doc, text, width - 2 * pad_x)
        if len(lines) > most:
            lines = lines[: most - 1] + ["…"]
        wrapped.append(lines)
    return wrapped, max(len(lines) for lines in wrapped) * line_height + 2 * pad_y


def _draw_row(doc: _Document, cells, wrapped, height: float, line_height: float, pad, fill, rule: bool) -> None:
    pad_y, pad_x = pad
    x, y = doc.l_margin, doc.get_y()
    if fill:
        doc.set_fill_color(*fill)
        doc.rect(x, y, sum(c[1] for c in cells), height, style="F")
    for (_, width, (style, size, color)), lines in zip(cells, wrapped):
        doc.set_font(FONT, style, size)
        doc.set_text_color(*color)
        for number, line in enumerate(lines):
            doc.set_xy(x + pad_x, y + pad_y + number * line_height)
            doc.cell(width - 2 * pad_x, line_height, line)
        x += width
    doc.set_text_color(0, 0, 0)
    if rule:
        doc.set_draw_color(*RULE)
        doc.set_line_width(0.2)
        doc.line(doc.l_margin, y + height, x, y + height)
    doc.set_xy(doc.l_margin, y + height)


def _lines(doc: _Document, text: str, width: float) -> list[str]:
    """`text` cut into lines of at most `width` in the current font: at spaces, and inside a word
    too long for a line (an URL, a file name)."""
    measure = doc.get_string_width
    space = measure(" ")
    lines: list[str] = []
    text = _KEEP_TOGETHER.sub("\u00a0", text)  # never « alone at a line's end, nor » ; : ? ! € at a start
    for paragraph in text.split("\n"):
        line, line_width, started = "", 0.0, False
        for word in paragraph.split(" "):
            word_width = measure(word)
            if started and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if started:
                lines.append(line)
            started = True
            if word_width <= width:
                line, line_width = word, word_width
                continue
            line, line_width = "", 0.0
            for char in word:
                char_width = measure(char)
                if line and line_width + char_width > width:
                    lines.append(line)
                    line, line_width = "", 0.0
                line, line_width = line + char, line_width + char_width
        lines.append(line)
    return lines


# -- attachments -------------------------------------------------------------------------------


def _attachment_files(me, data: dict):
    """(unique file name, content, metadata) of every attachment, read through the desk."""
    taken: set[str] = set()
    for meta in data["pieces_jointes"].to_dict("records"):
        name, content = me.attachment(data["numero"], int(meta["id"]))
        yield _unique(_safe_name(name), taken), bytes(content), meta
        del name, content  # not held while the next one is read


def _safe_name(name) -> str:
    """A plain file name: no folder, no control character (a ZIP entry never leaves its folder)."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/")
    name = PurePosixPath(name).name
    name = "".join("_" if unicodedata.category(c).startswith("C") or c in ':*?"<>|' else c for c in name)
    return name.strip(" .") or "piece-jointe"


def _unique(name: str, taken: set[str]) -> str:
    """`piece.txt`, then `piece (2).txt`, `piece (3).txt`...: two attachments may share a name."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, n = name, 1
    while candidate.lower() in taken:
        n += 1
        candidate = f"{stem} ({n})" + (f".{extension}" if extension else "")
    taken.add(candidate.lower())
    return candidate


def _zip_info(name: str, me, when=None) -> zipfile.ZipInfo:
    moment = when if isinstance(when, datetime) else me.desk.clock()
    info = zipfile.ZipInfo(name, date_time=(max(moment.year, 1980), moment.month, moment.day,
                                            moment.hour, moment.minute, moment.second))  # fmt: skip
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


# -- values as text ---------------------------------------------------------------------------


@functools.cache
def _glyphs() -> frozenset[int]:
    """The code points the font draws (the same in regular and bold)."""
    from fontTools.ttLib import TTFont

    with TTFont(_FONT_FILES[""], lazy=True) as font:
        return frozenset(font.getBestCmap())


def _text(value) -> str:
    """Any value as text the font can draw: NFC, no control characters, '?' for a missing glyph."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    glyphs = _glyphs()
    out = []
    for char in text:
        if char == "\n" or ord(char) in glyphs:
            out.append(char)
        elif char in _SPACES:
            out.append(_SPACES[char])
        elif unicodedata.category(char) in ("Cf", "Cc", "Mn"):
            continue  # zero-width and format characters, stray controls, unknown combining marks
        else:
            out.append("?")
    return "".join(out)


def _history_comment(value) -> str:
    text = _text(value)
    lines = text.split("\n")
    if len(text) <= HISTORY_COMMENT_CHARS and len(lines) <= HISTORY_COMMENT_LINES:
        return text
    cut = "\n".join(lines[:HISTORY_COMMENT_LINES])[:HISTORY_COMMENT_CHARS].rstrip()
    return cut + SUITE


def _day(value) -> str:
    if isinstance(value, (datetime, date, pd.Timestamp)) and value is not pd.NaT:
        return value.strftime("%d/%m/%Y")
    return ""


def _moment(value) -> str:
    if isinstance(value, (datetime, pd.Timestamp)) and value is not pd.NaT:
        return value.strftime("%d/%m/%Y %H:%M")
    return _day(value)


def _aware(value):
    """fpdf2 writes file dates with a zone: stored times are French local time."""
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value


def _size(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    size = int(value)
    if size < 1024:
        return f"{size} o"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} Ko".replace(".", ",")
    return f"{size / 1024 / 1024:.1f} Mo".replace(".", ",")


def _resolved(data: dict) -> str:
    if data["resolue"] is None or data["cloturee_le"] is None:
        return ""
    return "Oui" if data["resolue"] else "Non"

"""What an upload really is: its type read from the content by libmagic, archives opened (never
extracted to disk), and active content refused.

    from sollicitations.filetypes import content_problem
    content_problem("pdf", data, "facture.pdf")   # None, or the French reason the file is refused

`attachments.check_file` calls it once the name, the extension and the size are accepted. Each
allowed extension has the set of MIME types libmagic (the `file` command's maintained database,
through python-magic) may give it; then each family has checks of its own:

- PDF: no JavaScript, automatic action, launch, form submission or embedded file (names read in the
  file and in its compressed object streams), no HTML or executable beside the PDF, not encrypted;
- images: no HTML/script markers, no GIF whose header opens a JavaScript comment (GIF/JS polyglot);
- text (txt, csv): the whole file decodes (UTF-8 or Windows-1252), no NUL byte, no HTML, SVG or script;
- XML: well-formed, parsed by expat without building a tree; no DOCTYPE/ENTITY (XXE, entity
  expansion), no XHTML, SVG, XSLT or XInclude, no style sheet instruction;
- RTF: no embedded OLE object (the vector of the Equation Editor exploits);
- ZIP and the office formats built on it (docx, xlsx, pptx, odt, ods, odp): entry count, total
  uncompressed size and compression ratio capped (zip bombs), no encrypted entry, no link, no path
  leaving the archive, no duplicate name; OOXML must have its [Content_Types].xml with the main part
  of its extension, and no macro (vbaProject.bin, macro-enabled or macro sheet types), ActiveX, OLE
  object or external target other than a hyperlink; ODF its `mimetype` entry, and no Basic/Scripts
  macro; a .zip holds only allowed types, no other archive, each entry checked as an upload is;
- OLE (doc, xls, ppt): read with olefile: no VBA storage (Macros, _VBA_PROJECT_CUR, VBA), no Excel 4.0
  macro sheet, no embedded package (Ole10Native) or Equation Editor object, not encrypted;
- everywhere: no Windows (MZ/PE) or ELF executable hidden in the bytes.

Limits, said plainly: a scan finds what is written in the file; JavaScript inside a PDF stream that is
not an object stream, a PowerPoint 97 VBA project (stored compressed inside its main stream), or a
script hidden in image data without any marker, are not seen. This is a filter before storage, not an
antivirus: downloads are still served as attachments, never rendered by the app.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import PurePosixPath
from xml.parsers import expat

import magic
import olefile

# -- the French reasons ---------------------------------------------------------------------------

MISMATCH = "Le contenu du fichier « {f} » ne correspond pas à son extension « .{ext} »"
CODE = "Le fichier « {f} » contient du code HTML, JavaScript ou un script, ce qui n'est pas autorisé"
PROGRAM = "Le fichier « {f} » contient un programme exécutable, ce qui n'est pas autorisé"
MACROS = ("Le fichier « {f} » contient des macros, ce qui n'est pas autorisé : enregistrez-le sans macros"
          " (par exemple au format .docx, .xlsx ou .pptx)")  # fmt: skip
PDF_ACTIVE = ("Le fichier « {f} » contient du JavaScript, des actions automatiques ou des fichiers incorporés,"
              " ce qui n'est pas autorisé dans un PDF")  # fmt: skip
OBJECTS = ("Le fichier « {f} » contient des objets incorporés, des contrôles ActiveX ou des liens vers un contenu"
           " externe, ce qui n'est pas autorisé")  # fmt: skip
XML_DTD = "Le fichier « {f} » contient une déclaration DOCTYPE ou ENTITY, ce qui n'est pas autorisé dans un fichier XML"
ENCRYPTED = ("Le fichier « {f} » est chiffré ou protégé par un mot de passe : son contenu ne peut pas être vérifié."
             " Joignez-le sans protection")  # fmt: skip
UNVERIFIABLE = "Le contenu du fichier « {f} » ne peut pas être vérifié (structure trop complexe)"
ARCHIVE_ENTRIES = "L'archive « {f} » contient plus de {n} fichiers, le maximum autorisé"
ARCHIVE_SIZE = "L'archive « {f} » dépasserait {n} Mo une fois décompressée, le maximum autorisé"
ARCHIVE_BOMB = ("L'archive « {f} » a un taux de compression anormal (bombe de décompression),"
                " ce qui n'est pas autorisé")  # fmt: skip
ARCHIVE_NAME = "L'archive « {f} » contient un nom de fichier non valide (« {entry} »)"
ARCHIVE_NESTED = "L'archive « {f} » contient une autre archive (« {entry} »), ce qui n'est pas autorisé"
ARCHIVE_TYPE = "L'archive « {f} » contient le fichier « {entry} », dont le type n'est pas autorisé"
ARCHIVE_ENTRY_SIZE = ("L'archive « {f} » contient le fichier « {entry} », qui dépasse la taille maximale autorisée"
                      " de {n} Mo")  # fmt: skip

# -- the types each extension may have ------------------------------------------------------------

_OOXML = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ODF = {
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
}
# libmagic tells a Word, Excel or PowerPoint file from its directory when it can, a bare compound file
# otherwise; an MSI installer or an Outlook message (compound files too) has a type of its own.
_OLE_TYPES = frozenset({"application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
                        "application/vnd.ms-office", "application/x-ole-storage", "application/CDFV2"})  # fmt: skip
_ZIP = "application/zip"
MIME_TYPES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "png": frozenset({"image/png"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "gif": frozenset({"image/gif"}),
    "bmp": frozenset({"image/bmp", "image/x-ms-bmp"}),
    "tif": frozenset({"image/tiff"}),
    "tiff": frozenset({"image/tiff"}),
    "doc": _OLE_TYPES,
    "xls": _OLE_TYPES,
    "ppt": _OLE_TYPES,
    **{ext: frozenset({mime, _ZIP}) for ext, mime in {**_OOXML, **_ODF}.items()},
    "zip": frozenset({_ZIP}),
    "rtf": frozenset({"text/rtf", "application/rtf"}),
}
TEXT = ("txt", "csv", "xml")  # their type is read from the text itself (see _text_problem)
# What libmagic says of text that a browser would render or run, or that is a script.
ACTIVE_TEXT_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "image/svg+xml", "text/javascript", "application/javascript",
    "text/x-php", "text/x-shellscript", "text/x-msdos-batch", "text/x-perl", "text/x-python",
    "text/x-script.python", "text/x-ruby", "text/x-tcl", "text/x-lua", "text/x-awk", "text/vbscript",
})  # fmt: skip
_TEXT_NOT_NAMED = frozenset({"application/octet-stream", "application/csv", "application/json"})

# -- archives -------------------------------------------------------------------------------------

MAX_ENTRIES = 5_000
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # 200 Mo once decompressed, every entry together
MAX_RATIO = 100  # an entry may be at most 100 times its compressed size...
RATIO_FROM = 1024 * 1024  # ...once it is over 1 Mo (a small entry of spaces compresses more than that)
MAX_PART = 4 * 1024 * 1024  # the largest XML part read to check it ([Content_Types].xml, relationships)
ARCHIVES = frozenset({"zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "tbz", "xz", "txz", "lz", "lzh", "lzma",
                      "zst", "cab", "arj", "ace", "iso", "img", "vhd", "vhdx", "dmg", "jar", "war", "apk",
                      "msix", "appx", "z"})  # fmt: skip
# Names that run when opened (inside an office document, where other extensions are its own parts).
RUNNABLE = frozenset({
    "exe", "bat", "cmd", "com", "scr", "msi", "msp", "js", "jse", "vbs", "vbe", "vb", "ws", "wsf", "wsh", "ps1",
    "psm1", "psd1", "sh", "jar", "php", "htm", "html", "xhtml", "hta", "dll", "lnk", "pif", "cpl", "reg", "msc",
    "inf", "scf", "url", "chm", "application", "gadget", "mht", "mhtml", "xll", "xlam", "ppam", "docm", "dotm", "xlsm",
    "xltm", "pptm", "potm", "so", "dylib", "elf", "apk", "deb", "rpm", "py", "pl", "rb",
})  # fmt: skip

# -- markers --------------------------------------------------------------------------------------

# HTML/script markers that have no business in an image or a PDF (an annotation's rich text, in a PDF,
# is XHTML: <body> and <p> are not listed).
_BINARY_CODE = re.compile(
    rb"<(?:script|html|iframe|frameset|object|embed|applet|svg)(?=[\s/>])|<!doctype\s+html|<\?php|javascript:"
)
# The same and HTML's other active tags, anywhere in a text file (read lower-cased)...
_TEXT_CODE = re.compile(
    rb"<(?:script|html|body|iframe|frame|frameset|object|embed|applet|svg|meta|base|form)(?=[\s/>])"
    rb"|<!doctype\s+html|<\?php|(?:java|vb)script\s*:"
)
# ...and, at its start, the tags by which a browser takes a text for HTML (WHATWG MIME sniffing).
_HTML_START = re.compile(
    rb"\s*(?:<!doctype\s+html|<(?:html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)|<!--)[\s>]"
)
# An event handler attribute in a tag (`<img src=x onerror=...>`). Each try stops at the next '<' or
# '>': the search stays linear whatever the text.
_HANDLER = re.compile(rb"<[a-z][a-z0-9]*\s[^<>]{0,2000}?\bon[a-z]{3,30}\s*=")
_PE_TEXT = b"program cannot be run in DOS mode"
_MAX_CANDIDATES = 50_000  # "MZ" or ELF magic met more often than this: not a document, not checked further
_PDF_NAME = rb"[^\s/\[\]()<>{}%\x00]"
_PDF_ACTIVE_NAMES = frozenset({
    b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"FileAttachment", b"RichMedia",
    b"XFA", b"AA", b"SubmitForm", b"ImportData", b"GoToE", b"GoToR", b"Rendition",
})  # fmt: skip


def _spelled(name: bytes) -> bytes:
    """A pattern for a PDF name however it is written: each character as itself or as #xx (the
    escape PDF names allow, "/J#61vaScript" being /JavaScript)."""
    return b"".join(b"(?:" + re.escape(bytes([c])) + b"|#(?i:" + b"%02x" % c + b"))" for c in name)


# One pass over the bytes, in C: no Python code runs per name met.
_PDF_ACTIVE = re.compile(rb"/(?:" + b"|".join(_spelled(n) for n in sorted(_PDF_ACTIVE_NAMES, key=len, reverse=True))
                         + rb")(?!" + _PDF_NAME + rb")")  # fmt: skip
_PDF_MAX_INFLATED = 64 * 1024 * 1024  # object streams decompressed to look into, at most


def content_problem(extension: str, data: bytes, shown: str) -> str | None:
    """Why `data`, named with `extension`, is refused (a French sentence naming the file `shown`), or None."""
    mismatch = MISMATCH.format(f=shown, ext=extension)
    try:
        mime = magic.from_buffer(data, mime=True)
    except magic.MagicException:
        return mismatch
    if extension in TEXT:
        return _text_problem(extension, data, mime, shown)
    if mime not in MIME_TYPES.get(extension, ()):
        if mime in _EXECUTABLE_TYPES:
            return PROGRAM.format(f=shown)
        if mime in ("application/encrypted", "application/x-encrypted"):
            return ENCRYPTED.format(f=shown)
        return mismatch
    executable = _has_executable(data)
    if executable is None:
        return UNVERIFIABLE.format(f=shown)
    if executable:
        return PROGRAM.format(f=shown)
    if extension == "pdf":
        return _pdf_problem(data, shown)
    if mime.startswith("image/"):
        return _image_problem(extension, data, shown)
    if extension == "rtf":
        return (
            OBJECTS.format(f=shown) if re.search(rb"\\obj(?:ect|data|emb|link|autlink|update)(?![a-z])", data) else None
        )
    if mime in _OLE_TYPES:
        return _ole_problem(data, shown, mismatch)
    return _zip_problem(extension, data, shown, mismatch)


# -- every file -----------------------------------------------------------------------------------


def _has_executable(data: bytes) -> bool | None:
    """A Windows program (an MZ header whose e_lfanew points at a PE header, or its DOS stub's words)
    or an ELF one, anywhere in the bytes: a PDF, an image or a document followed by a program. None
    when the bytes are made to be too long to look through."""
    if _PE_TEXT in data:
        return True
    seen = 0
    position = data.find(b"MZ")
    while position != -1:
        seen += 1
        if seen > _MAX_CANDIDATES:
            return None
        if position + 64 <= len(data):
            (offset,) = struct.unpack_from("<I", data, position + 60)
            if 0 < offset < 1 << 20 and data[position + offset : position + offset + 4] == b"PE\x00\x00":
                return True
        position = data.find(b"MZ", position + 2)
    position = data.find(b"\x7fELF")
    while position != -1:
        seen += 1
        # class (32/64 bits), byte order, version 1: an ELF header, not four bytes met by chance
        if data[position + 4:position + 5] in (b"\x01", b"\x02") and data[position + 5:position + 7] in (
                b"\x01\x01", b"\x02\x01"):  # fmt: skip
            return True
        position = data.find(b"\x7fELF", position + 4)
        if seen > _MAX_CANDIDATES:
            return None
    return False


# -- text ------------------------------------------------------------------------------------------


def _text_problem(extension: str, data: bytes, mime: str, shown: str) -> str | None:
    mismatch = MISMATCH.format(f=shown, ext=extension)
    if mime in ACTIVE_TEXT_TYPES:
        return CODE.format(f=shown)
    if not mime.startswith("text/") and mime not in _TEXT_NOT_NAMED:
        return PROGRAM.format(f=shown) if mime in _EXECUTABLE_TYPES else mismatch
    if b"\x00" in data:
        return mismatch
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return mismatch
    if extension == "xml":  # its element names are its own (<title>, <link>...): expat reads its namespaces
        return _xml_problem(data, shown, mismatch)
    lowered = data.lower()
    if _HTML_START.match(lowered.lstrip(b"\xef\xbb\xbf")) or _TEXT_CODE.search(lowered) or _HANDLER.search(lowered):
        return CODE.format(f=shown)
    return None


_XML_REFUSED_NAMESPACES = (
    "http://www.w3.org/1999/xhtml", "http://www.w3.org/2000/svg", "http://www.w3.org/1999/xsl/transform",
    "http://www.w3.org/2001/xinclude",
)  # fmt: skip


class _Refused(Exception):
    def __init__(self, message: str):
        self.message = message


def _xml_problem(data: bytes, shown: str, mismatch: str) -> str | None:
    """Parsed by expat as it streams (no tree is built): a DOCTYPE stops it before any entity is declared."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(*_):
        raise _Refused(XML_DTD.format(f=shown))

    def instruction(target, _data):
        if target.lower() == "xml-stylesheet":
            raise _Refused(CODE.format(f=shown))

    def namespace(_prefix, uri):
        if (uri or "").lower() in _XML_REFUSED_NAMESPACES:
            raise _Refused(CODE.format(f=shown))

    def root(name, _attributes):  # the first element only: a handler per element would cost 1 s per 10 Mo
        if name.rpartition(" ")[2].lower() in ("html", "svg"):
            raise _Refused(CODE.format(f=shown))
        parser.StartElementHandler = None

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.ExternalEntityRefHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    parser.StartNamespaceDeclHandler = namespace
    parser.StartElementHandler = root
    # Blank lines before the declaration are not well-formed XML, but harmless, and common: let them be.
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        parser.Parse(body.lstrip(), True)
    except _Refused as refused:
        return refused.message
    except expat.ExpatError:
        return mismatch
    return None


# -- PDF -------------------------------------------------------------------------------------------


def _pdf_problem(data: bytes, shown: str) -> str | None:
    if _BINARY_CODE.search(data.lower()):
        return CODE.format(f=shown)
    if re.search(rb"/Encrypt(?!" + _PDF_NAME + rb")", data):
        return ENCRYPTED.format(f=shown)
    inflated = _object_streams(data)
    if inflated is None:
        return UNVERIFIABLE.format(f=shown)
    if any(_PDF_ACTIVE.search(part) for part in (data, *inflated)):
        return PDF_ACTIVE.format(f=shown)
    return None


def _object_streams(data: bytes) -> list[bytes] | None:
    """The decompressed object streams (PDF 1.5 packs dictionaries there, out of a plain scan's sight);
    None when they would exceed _PDF_MAX_INFLATED."""
    found, total = [], 0
    position = data.find(b"/ObjStm")
    while position != -1:
        start = data.find(b"stream", position)
        if start == -1:
            break
        start += len(b"stream")
        start += 2 if data[start : start + 2] == b"\r\n" else 1
        end = data.find(b"endstream", start)
        end = len(data) if end == -1 else end
        inflater = zlib.decompressobj()
        try:
            part = inflater.decompress(data[start:end], _PDF_MAX_INFLATED - total + 1)
        except zlib.error:
            part = b""  # another filter: its dictionaries are not looked into
        total += len(part)
        if total > _PDF_MAX_INFLATED:
            return None
        found.append(part)
        position = data.find(b"/ObjStm", end)
    return found


# -- images ----------------------------------------------------------------------------------------


def _image_problem(extension: str, data: bytes, shown: str) -> str | None:
    # A GIF whose width bytes are "/*" opens a JavaScript comment: the GIF/JS polyglot.
    if extension == "gif" and data[6:8] == b"/*":
        return CODE.format(f=shown)
    if _BINARY_CODE.search(data.lower()):
        return CODE.format(f=shown)
    return None


# -- OLE compound files (doc, xls, ppt) -----------------------------------------------------------

_VBA_STORAGES = frozenset({"macros", "_vba_project_cur", "vba", "_vba_project"})
_EMBEDDED_STREAMS = frozenset({"\x01ole10native", "equation native"})


def _ole_problem(data: bytes, shown: str, mismatch: str) -> str | None:
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - olefile raises OSError, struct.error, IndexError... on damaged files
        return mismatch
    try:
        paths = [[part.lower() for part in path] for path in ole.listdir(streams=True, storages=True)]
        if any(part in _VBA_STORAGES for path in paths for part in path):
            return MACROS.format(f=shown)
        if any(part in _EMBEDDED_STREAMS for path in paths for part in path):
            return OBJECTS.format(f=shown)
        if any(path[-1] in ("encryptedpackage", "encryptioninfo") for path in paths):
            return ENCRYPTED.format(f=shown)
        for name in ("workbook", "book"):
            if [name] in paths and _excel_macro_sheets(ole.openstream(name).read(MAX_PART)):
                return MACROS.format(f=shown)
    except Exception:  # noqa: BLE001 - a damaged directory or stream, whatever olefile raises for it
        return mismatch
    finally:
        ole.close()
    return None


def _excel_macro_sheets(stream: bytes) -> bool:
    """An Excel 4.0 macro sheet or a VB module among the sheets the workbook globals list (BIFF8
    BOUNDSHEET records, 0x0085: their sixth byte is the sheet's type)."""
    position = 0
    while position + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, position)
        body = stream[position + 4 : position + 4 + length]
        if kind == 0x0085 and len(body) >= 6 and body[5] in (0x01, 0x06):
            return True
        if kind == 0x000A:  # EOF of the globals
            return False
        position += 4 + length
    return False


# -- ZIP and the formats built on it ---------------------------------------------------------------


# What zipfile raises on a damaged archive (names that are not UTF-8 are a ValueError).
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError,
            RuntimeError, struct.error, zlib.error)  # fmt: skip


def _zip_problem(extension: str, data: bytes, shown: str, mismatch: str) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except _DAMAGED:
        return mismatch
    with archive:
        problem = _entries_problem(entries, shown)
        if problem is not None:
            return problem
        try:
            if extension in _OOXML:
                return _ooxml_problem(extension, archive, entries, shown, mismatch)
            if extension in _ODF:
                return _odf_problem(extension, archive, entries, shown, mismatch)
            return _archive_content_problem(archive, entries, shown)
        except _DAMAGED:
            return mismatch  # a damaged entry, or a compression method zipfile does not know


def _entries_problem(entries: list[zipfile.ZipInfo], shown: str) -> str | None:
    """What every archive must respect, from its directory alone (nothing decompressed yet)."""
    if len(entries) > MAX_ENTRIES:
        return ARCHIVE_ENTRIES.format(f=shown, n=f"{MAX_ENTRIES:,}".replace(",", "\u202f"))
    if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
        return ARCHIVE_SIZE.format(f=shown, n=MAX_UNCOMPRESSED // (1024 * 1024))
    seen: set[str] = set()
    for entry in entries:
        if entry.file_size > RATIO_FROM and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            return ARCHIVE_BOMB.format(f=shown)
        if entry.flag_bits & 0x1:
            return ENCRYPTED.format(f=shown)
        name = entry.filename
        folded = unicodedata.normalize("NFC", name).lower()
        if _bad_entry_name(name) or folded in seen or (entry.external_attr >> 16) & 0o170000 == 0o120000:
            return ARCHIVE_NAME.format(f=shown, entry=_printable(name))
        seen.add(folded)
    return None


def _bad_entry_name(name: str) -> bool:
    """A path that leaves the archive's folder (absolute, drive, '..', backslash) or hides characters."""
    if not name or name.startswith("/") or "\\" in name or re.match(r"[A-Za-z]:", name):
        return True
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") for c in name):
        return True
    return any(part in ("..", ".") for part in name.rstrip("/").split("/"))


def _printable(name: str) -> str:
    return "".join("?" if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in name)[:80]


def _suffix(name: str) -> str:
    return PurePosixPath(name).suffix.lower().lstrip(".")


def _read_part(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bytes:
    with archive.open(entry) as part:
        return part.read(MAX_PART)


def _ooxml_problem(extension, archive, entries, shown, mismatch) -> str | None:
    by_name = {e.filename: e for e in entries}
    types = by_name.get("[Content_Types].xml")
    if types is None:
        return mismatch
    declared = _read_part(archive, types)
    lowered_names = [e.filename.lower() for e in entries]
    if (b"macroenabled" in declared.lower() or b"vbaproject" in declared.lower() or b"macrosheet" in declared.lower()
            or any(n.endswith(("vbaproject.bin", "vbadata.xml", "vbaprojectsignature.bin")) or "/macrosheets/" in n
                   for n in lowered_names)):  # fmt: skip
        return MACROS.format(f=shown)
    kind = {"docx": b"wordprocessingml.document.main+xml", "xlsx": b"spreadsheetml.sheet.main+xml",
            "pptx": b"presentationml.presentation.main+xml"}[extension]  # fmt: skip
    if kind not in declared:
        return mismatch
    for entry, name in zip(entries, lowered_names):
        problem = _part_name_problem(archive, entry, shown)
        if problem is not None:
            return problem
        if "activex" in name or ("/embeddings/" in name and _suffix(name) == "bin"):
            return OBJECTS.format(f=shown)
    for entry, name in zip(entries, lowered_names):
        if name.endswith(".rels") and _external_target(_read_part(archive, entry)):
            return OBJECTS.format(f=shown)
        if name == "word/document.xml" and re.search(rb"<w:instrtext[^>]{0,200}>\s*dde|w:instr=\"\s*dde",
                                                     _read_part(archive, entry).lower()):  # fmt: skip
            return OBJECTS.format(f=shown)
        if name.startswith("xl/externallinks/") and b"<ddelink" in _read_part(archive, entry).lower():
            return OBJECTS.format(f=shown)
    return None


_EXECUTABLE_TYPES = frozenset({"application/x-dosexec", "application/x-executable", "application/x-sharedlib",
                               "application/x-msi", "application/x-mach-binary", "application/x-pie-executable",
                               "application/java-archive"})  # fmt: skip


def _part_name_problem(archive, entry, shown) -> str | None:
    """A part of an office document that runs when opened, is another archive, or is a program under
    another name (its first bytes typed by libmagic; the XML parts are the document's own)."""
    name = entry.filename.lower()
    if _suffix(name) in ARCHIVES:
        return ARCHIVE_NESTED.format(f=shown, entry=_printable(entry.filename))
    if _suffix(name) in RUNNABLE:
        return PROGRAM.format(f=shown)
    if entry.is_dir() or entry.file_size == 0 or name.endswith((".xml", ".rels")):
        return None
    with archive.open(entry) as part:
        head = part.read(4096)
    if magic.from_buffer(head, mime=True) in _EXECUTABLE_TYPES or _has_executable(head):
        return PROGRAM.format(f=shown)
    return None


_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]{0,4096}>")


def _external_target(rels: bytes) -> bool:
    """A relationship that makes the office program fetch something when the file opens (a template,
    an OLE object, a frame, a picture...): every external target but a hyperlink."""
    for match in _RELATIONSHIP.finditer(rels):
        element = match.group(0)
        if re.search(rb"TargetMode\s*=\s*[\"']External[\"']", element) and not re.search(
                rb"Type\s*=\s*[\"'][^\"']*/hyperlink[\"']", element):  # fmt: skip
            return True
    return False


def _odf_problem(extension, archive, entries, shown, mismatch) -> str | None:
    if not entries or entries[0].filename != "mimetype" or _read_part(archive, entries[0]).strip() != _ODF[
            extension].encode():  # fmt: skip
        return mismatch
    for entry in entries:
        name = entry.filename.lower()
        if name.startswith(("basic/", "scripts/")):
            return MACROS.format(f=shown)
        problem = _part_name_problem(archive, entry, shown)
        if problem is not None:
            return problem
        if name in ("content.xml", "styles.xml") and re.search(
                rb"vnd\.sun\.star\.script|<script:event-listener", _read_part(archive, entry).lower()):  # fmt: skip
            return MACROS.format(f=shown)
    return None


def _archive_content_problem(archive, entries, shown) -> str | None:
    """A .zip: only allowed types, no other archive, and each entry checked as an upload is (an office
    document inside is inspected too; a .zip inside is refused, so this goes one level down at most)."""
    from .attachments import ALLOWED, EXECUTABLE, MAX_SIZE, SIGNATURES

    for entry in entries:
        if entry.is_dir():
            continue
        name = entry.filename
        extension = _suffix(name)
        inner_shown = f"{shown}/{_printable(name)}"[:160]
        if extension in ARCHIVES:
            return ARCHIVE_NESTED.format(f=shown, entry=_printable(name))
        parts = PurePosixPath(name).name.lower().split(".")
        if extension not in ALLOWED or any(p in EXECUTABLE for p in parts[1:-1]):
            return ARCHIVE_TYPE.format(f=shown, entry=_printable(name))
        if entry.file_size == 0:
            continue
        if entry.file_size > MAX_SIZE:
            return ARCHIVE_ENTRY_SIZE.format(f=shown, entry=_printable(name), n=MAX_SIZE // (1024 * 1024))
        with archive.open(entry) as member:
            content = member.read(MAX_SIZE + 1)
        signatures = SIGNATURES[extension]
        if signatures is not None and not content.startswith(signatures):
            return MISMATCH.format(f=inner_shown, ext=extension)
        problem = content_problem(extension, content, inner_shown)
        if problem is not None:
            return problem
    return None

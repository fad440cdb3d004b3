"""Attachment rules: size, allowed types, names, the content checked against the extension
(filetypes.py), and the limits of one request (count and total size)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from .filetypes import content_problem

MAX_SIZE = 10 * 1024 * 1024  # 10 Mo, as on the portal
MAX_NAME_LENGTH = 200
# One request holds at most MAX_FILES attachments and MAX_TOTAL bytes of them (checked by the desk in
# the transaction that adds one, so that two sessions adding at once cannot both pass).
MAX_FILES = 20
MAX_TOTAL = 50 * 1024 * 1024  # 50 Mo
TOO_MANY_FILES = ("Une sollicitation ne peut pas compter plus de {n} pièces jointes : le fichier « {f} »"
                  " n'a pas été ajouté")  # fmt: skip
TOO_LARGE_TOTAL = ("Les pièces jointes d'une sollicitation ne peuvent pas dépasser {n} Mo au total : le fichier"
                   " « {f} » n'a pas été ajouté")  # fmt: skip
HIDDEN_CHARACTERS = ("Le nom du fichier contient des caractères invisibles ou qui inversent le sens du texte :"
                     " renommez le fichier")  # fmt: skip
RESERVED_NAME = "Le nom du fichier « {f} » est un nom réservé par Windows : renommez le fichier"
# Windows' device names, whatever the extension ("CON.pdf", "com1.txt", "LPT¹.csv").
_RESERVED = re.compile(r"(?:con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$|clock\$)", re.IGNORECASE)
# Format characters (bidirectional overrides and isolates U+202A-U+202E, U+2066-U+2069, marks U+200E/F,
# zero-width ones, soft hyphen), private use, line and paragraph separators: they make a name read
# otherwise than it is ("facture\u202egpj.exe" shows as "factureexe.jpg").
_HIDDEN = ("Cf", "Co", "Zl", "Zp")
TYPES = ("Sollicitation", "Justificatif", "Capture d'écran", "Réponse")
DEFAULT_TYPE = TYPES[0]

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
# extension -> the leading bytes its content may start with (None: a text format).
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "bmp": (b"BM",),
    "tif": (b"II*\x00", b"MM\x00*"),
    "tiff": (b"II*\x00", b"MM\x00*"),
    "doc": (_OLE,),
    "xls": (_OLE,),
    "ppt": (_OLE,),
    "docx": _ZIP,
    "xlsx": _ZIP,
    "pptx": _ZIP,
    "odt": _ZIP,
    "ods": _ZIP,
    "odp": _ZIP,
    "zip": _ZIP,
    "rtf": (b"{\\rtf",),
    "txt": None,
    "csv": None,
    "xml": None,
}
ALLOWED = tuple(SIGNATURES)
# Inner extensions that make a double extension ("facture.exe.pdf") suspicious.
EXECUTABLE = {"exe", "bat", "cmd", "com", "scr", "msi", "js", "jse", "vbs", "vbe", "ps1", "sh",
              "jar", "php", "htm", "html", "hta", "dll", "lnk", "pif", "wsf", "svg"}  # fmt: skip


@dataclass(frozen=True)
class CheckedFile:
    nom_fichier: str
    extension: str
    taille: int
    sha256: str


def check_file(filename, content) -> tuple[CheckedFile | None, list[str]]:
    """Validate one upload; return its metadata or the French reasons it is refused."""
    if not isinstance(filename, str) or not filename.strip():
        return None, ["Le nom du fichier est obligatoire"]
    if not isinstance(content, (bytes, bytearray, memoryview)):
        return None, [f"Le contenu du fichier « {filename} » n'est pas lisible"]
    name = unicodedata.normalize("NFC", filename.strip())
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return None, ["Le nom du fichier n'est pas valide"]
    shown = name[:80]
    problems = []
    if any(unicodedata.category(c) in _HIDDEN for c in name):
        return None, [HIDDEN_CHARACTERS]  # not shown: the name itself would mislead the reader
    if (
        "/" in name or "\\" in name or name in (".", "..") or ".." in name
        or any(unicodedata.category(c) == "Cc" for c in name) or len(name) > MAX_NAME_LENGTH
    ):  # fmt: skip
        return None, [f"Le nom du fichier « {shown} » n'est pas valide"]
    if _RESERVED.fullmatch(name.split(".", 1)[0].rstrip(" ")):
        return None, [RESERVED_NAME.format(f=shown)]
    parts = name.lower().split(".")
    extension = parts[-1] if len(parts) > 1 else ""
    if extension not in SIGNATURES:
        shown_ext = f"« .{extension} »" if extension else "sans extension"
        problems.append(f"Le type de fichier {shown_ext} n'est pas autorisé. Types acceptés : " + ", ".join(ALLOWED))
    elif any(p in EXECUTABLE for p in parts[1:-1]):
        problems.append(f"Le nom du fichier « {shown} » comporte une double extension non autorisée")
    size = len(content)
    if size == 0:
        problems.append(f"Le fichier « {shown} » est vide")
    elif size > MAX_SIZE:
        problems.append(f"Le fichier « {shown} » dépasse la taille maximale autorisée de 10 Mo")
    if not problems:
        data = bytes(content)
        if not _content_matches(extension, data[:4096]):
            problems.append(f"Le contenu du fichier « {shown} » ne correspond pas à son extension « .{extension} »")
        else:
            problem = content_problem(extension, data, shown)
            if problem is not None:
                problems.append(problem)
    if problems:
        return None, problems
    digest = hashlib.sha256(content).hexdigest()
    return CheckedFile(nom_fichier=name, extension=extension, taille=size, sha256=digest), []


def _content_matches(extension: str, head: bytes) -> bool:
    signatures = SIGNATURES[extension]
    if signatures is not None:
        return head.startswith(signatures)
    if b"\x00" in head:
        return False
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if extension == "xml":
        return text.startswith(b"<")
    for encoding in ("utf-8", "cp1252"):
        try:
            # A cut multi-byte character at the 4096th byte is not a reason to refuse.
            head.decode(encoding, errors="strict" if len(head) < 4096 else "ignore")
            return True
        except UnicodeDecodeError:
            continue
    return False


ZIP_CHUNK = 1024 * 1024


def write_zip_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo | str, content: bytes) -> None:
    """One attachment into a ZIP being written, compressed 1 Mo at a time (`writestr` would hold a whole
    compressed copy, and more, beside the content): the detail ZIP and the app's download use it."""
    view = memoryview(content)
    with archive.open(info, "w") as entry:
        for start in range(0, len(view), ZIP_CHUNK):
            entry.write(view[start : start + ZIP_CHUNK])

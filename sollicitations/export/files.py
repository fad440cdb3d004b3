"""Whole-list exports to a file, for spreadsheet users and analysts: XLSX, CSV or Parquet.

    from sollicitations.export import files
    files.write_export(me, "recherche.xlsx", format="xlsx", categorie="Factures émises")
    files.write_export(me, "a-traiter.csv", format="csv", list_name="to_process")
    files.write_export(me, "tout.parquet", format="parquet", statut=["Envoyée"],
                       progress=lambda done, total: print(done, "/", total))

The list is read the way the screens read it (`me.search` / `me.to_process`, so the user's rights
apply), one page at a time, and each page is written before the next is fetched: memory stays
bounded whatever the number of rows. The file appears at `path` only once complete.
"""

from __future__ import annotations

import csv
import itertools
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pandas as pd

from ..errors import ValidationError
from . import cells

FORMATS = ("xlsx", "csv", "parquet")
# A sheet holds 1,048,576 rows, the header row included.
XLSX_MAX_ROWS = 1_048_575
XLSX_MAX_CHARS = 32_767  # the most characters a spreadsheet cell holds
PARQUET_ROW_GROUP = 100_000
LISTS = {"search": "Recherche", "to_process": "À traiter"}
BATCH_ROWS = 10_000  # rows read, then written, at a time: the export's memory

Progress = Callable[[int, int], object]


def xlsx_too_many_rows(total: int) -> str:
    return (
        f"La liste compte {_thousands(total)} lignes : un fichier XLSX en contient au plus "
        f"{_thousands(XLSX_MAX_ROWS)}. Exportez-la au format CSV, qui n'a pas cette limite."
    )


def list_pages(me, list_name: str = "search", space=None, **criteria) -> Iterator[pd.DataFrame]:
    """Every row of a list of `me`, "search" (with criteria) or "to_process", streamed in batches."""
    return me.list_batches(list_name, space, batch_size=BATCH_ROWS, **criteria)


def write_export(me, path, format: str = "xlsx", list_name: str = "search", *, space=None,
                 progress: Progress | None = None, pages: Iterable[pd.DataFrame] | None = None,
                 **criteria) -> int:  # fmt: skip
    """Write the whole list to `path` as `format`; the number of rows written.

    `progress(rows_done, total)` is called before the first row and after every page; an
    exception it raises stops the export (the partial file is removed): the app's "Annuler".
    XLSX refuses a list longer than a sheet (ValidationError whose message offers CSV).
    `pages` replaces `list_name` and the criteria by frames already chosen (each with
    `.attrs["total"]`), say a streamed query of the store.
    """
    format = str(format).lower().lstrip(".")
    if format not in FORMATS:
        raise ValidationError(f"Format d'export inconnu : {format} (xlsx, csv ou parquet)")
    path = Path(path)
    if pages is None:
        pages = list_pages(me, list_name, space, **criteria)
    elif criteria:
        raise TypeError("write_export: `pages` and search criteria exclude each other")
    pages = iter(pages)
    first = next(pages)
    total = int(first.attrs.get("total", len(first)))
    if format == "xlsx" and total > XLSX_MAX_ROWS:
        raise ValidationError(xlsx_too_many_rows(total))
    if not path.parent.is_dir():
        raise ValidationError(f"Le dossier {path.parent} n'existe pas")

    def every_page() -> Iterator[pd.DataFrame]:
        yield first
        yield from pages

    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")  # two exports never share it
    writer = {"xlsx": _write_xlsx, "csv": _write_csv, "parquet": _write_parquet}[format]
    try:
        rows = writer(partial, every_page(), total, progress or _quiet, me=me, sheet=LISTS.get(list_name, "Liste"))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return rows


# -- the three writers -------------------------------------------------------------------------


def _write_csv(path: Path, pages, total: int, progress: Progress, **_context) -> int:
    """';' separated, UTF-8 with BOM (French spreadsheet users), dates dd/mm/yyyy, formulas defused."""
    done = 0
    progress(0, total)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        for number, frame in enumerate(pages):
            if number == 0:
                writer.writerow(frame.columns)
            writer.writerows(zip(*(_csv_column(frame[c]) for c in frame.columns)))
            done += len(frame)
            progress(done, max(total, done))
    return done


def _write_xlsx(path: Path, pages, total: int, progress: Progress, sheet: str = "Liste", **_context) -> int:
    """One sheet, streamed row by row (constant memory): bold frozen header, filters, widths, typed dates.

    rust_xlsxwriter (through rustpy-xlsxwriter) writes the cells: the same sheet as xlsxwriter's
    constant-memory mode in a quarter of the time, since each cell no longer goes through Python.
    Text is always written as text, never as a formula, and every text column carries Excel's quote
    prefix, so that editing a cell that starts with = + - @ keeps it text.
    """
    import rustpy_xlsxwriter as rx

    pages = iter(pages)
    first = next(pages)
    columns = list(first.columns)
    kinds = [_kind(first[c]) for c in columns]
    day = rx.Format().set_num_format("dd/mm/yyyy").set_align("left")
    text = rx.Format().set_quote_prefix()
    formats = [day if kind == "date" else text if kind in ("text", "bool") else rx.Format() for kind in kinds]
    header = (rx.Format().set_bold().set_background_color("#E8ECF6").set_border_bottom("thin").set_text_wrap()
              .set_align("top"))  # fmt: skip
    done = 0

    def records() -> Iterator[dict]:  # an empty list is written as its frame: rows bring no header
        nonlocal done
        for frame in itertools.chain([first], pages):
            if done + len(frame) > XLSX_MAX_ROWS:  # the list grew while it was being written
                raise ValidationError(xlsx_too_many_rows(done + len(frame)))
            values = [_xlsx_column(frame[c], kind) for c, kind in zip(columns, kinds)]
            yield from (dict(zip(columns, row)) for row in zip(*values))
            done += len(frame)
            progress(done, max(total, done))

    progress(0, total)
    rx.write_worksheet(
        records() if len(first) else first, str(path), sheet_name=sheet[:31], freeze_row=1, header_format=header,
        column_formats=formats, column_widths=[_width(c, first[c], k) for c, k in zip(columns, kinds)],
        autofilter=True,
    )  # fmt: skip
    return done


def _write_parquet(path: Path, pages, total: int, progress: Progress, **_context) -> int:
    """Typed columns (dates as timestamps), written in row groups of PARQUET_ROW_GROUP rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer, schema, pending, pending_rows, done = None, None, [], 0, 0
    progress(0, total)
    try:
        for frame in pages:
            if schema is None:
                schema = _arrow_schema(pa, frame)
                writer = pq.ParquetWriter(str(path), schema, compression="zstd")
            pending.append(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
            pending_rows += len(frame)
            if pending_rows >= PARQUET_ROW_GROUP:
                writer.write_table(pa.concat_tables(pending), row_group_size=PARQUET_ROW_GROUP)
                pending, pending_rows = [], 0
            done += len(frame)
            progress(done, max(total, done))
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=PARQUET_ROW_GROUP)
    finally:
        if writer is not None:
            writer.close()
    return done


# -- cells ----------------------------------------------------------------------------------------


def _kind(column: pd.Series) -> str:
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date"
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    if pd.api.types.is_integer_dtype(column) or pd.api.types.is_float_dtype(column):
        return "number"
    return "text"


def _xlsx_column(column: pd.Series, kind: str) -> list:
    """A column as the values the sheet gets: None for an empty cell, dates as dates (the day only)."""
    if kind == "date":
        return [None if pd.isna(v) else v for v in column.dt.date]
    if kind == "number":
        return [None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in column]
    if kind == "bool":
        return [None if pd.isna(v) else ("Oui" if v else "Non") for v in column]
    return [None if _missing(v) or v == "" else _clip(str(v)) for v in column]


def _csv_column(column: pd.Series) -> list[str]:
    """The CSV rule of cells.csv_bytes, a page column at a time; booleans as Oui/Non."""
    kind = _kind(column)
    if kind == "date":
        return column.dt.strftime("%d/%m/%Y").fillna("").tolist()
    if kind == "bool":
        return ["" if pd.isna(v) else ("Oui" if v else "Non") for v in column]
    return [cells._cell(v) for v in column]


def _arrow_schema(pa, frame: pd.DataFrame):
    """The first page's types; a column empty there (all null) is text."""
    schema = pa.Schema.from_pandas(frame, preserve_index=False)
    for i, field in enumerate(schema):
        if pa.types.is_null(field.type):
            schema = schema.set(i, pa.field(field.name, pa.string()))
    return schema


def _width(name, column: pd.Series, kind: str) -> float:
    if kind == "date":
        return max(12, len(str(name)) + 2)
    sample = [len(str(v)) for v in column.head(1000) if not _missing(v)]
    return float(min(60, max([len(str(name)) + 2, 8, *(n + 2 for n in sample)])))


def _missing(value) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) or value is pd.NA


def _clip(text: str) -> str:
    return text if len(text) <= XLSX_MAX_CHARS else text[: XLSX_MAX_CHARS - 1] + "…"


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


def _quiet(done: int, total: int) -> None:
    return None

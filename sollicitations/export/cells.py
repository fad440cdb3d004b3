"""Export cells: the CSV rule of a whole list (every page, not the one on screen), formulas defused."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pandas as pd

# Cells a spreadsheet would run as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(pages: Iterator[pd.DataFrame]) -> bytes:
    """CSV for French spreadsheet users: ';' separator, UTF-8 with BOM, dates as dd/mm/yyyy."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for number, frame in enumerate(pages):
        if number == 0:
            writer.writerow(frame.columns)
        for row in frame.itertuples(index=False):
            writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%d/%m/%Y")
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    # A leading quote keeps a spreadsheet from running user text as a formula.
    return "'" + text if text.startswith(_FORMULA_START) else text

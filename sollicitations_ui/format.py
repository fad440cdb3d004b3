"""How values are shown: French dates, and HTML built only from escaped user text."""

from __future__ import annotations

import html
import re
from datetime import date, datetime

import pandas as pd

MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]


def esc(value) -> str:
    """Any value as safe HTML text; None and NaN as nothing."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return html.escape(str(value), quote=True)


def multiline(value) -> str:
    return esc(value).replace("\n", "<br>")


def day(value) -> str:
    """dd/mm/yyyy, as the guide writes dates in tables."""
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (datetime, date, pd.Timestamp)):
        return value.strftime("%d/%m/%Y")
    return str(value)


def moment(value) -> str:
    """dd/mm/yyyy hh:mm, as the detail PDF writes the dates of Historique and comments."""
    if isinstance(value, (datetime, pd.Timestamp)) and value is not pd.NaT:
        return value.strftime("%d/%m/%Y %H:%M")
    return day(value)


# French typography groups thousands with a narrow no-break space (what Intl.NumberFormat("fr-FR") writes).
THOUSANDS = "\u202f"
DAY_TEXT = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


def number(value) -> str:
    """An integer as French readers write it: 1 099 (a narrow no-break space, never a comma)."""
    return f"{int(value):,}".replace(",", THOUSANDS)


def parse_day(text: str | None) -> date | None:
    """A date typed as jj/mm/aaaa; None for an empty field; ValueError for anything else, an
    impossible date included (31/02/2026, 12/13/2026): never rolled over to another day."""
    if text is None or not str(text).strip():
        return None
    match = DAY_TEXT.fullmatch(str(text))
    if match is None:
        raise ValueError(text)
    d, m, y = (int(g) for g in match.groups())
    return date(y, m, d)  # ValueError for a day or month that does not exist


def long_day(value) -> str:
    """ "19 févr. 2018", as the guide's detail titles."""
    if not isinstance(value, (datetime, date, pd.Timestamp)):
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def dates_as_text(frame: pd.DataFrame, columns=("Saisie le", "Date", "Ajoutée le")) -> pd.DataFrame:
    frame = frame.copy()
    for column in columns:
        if column in frame.columns:
            frame[column] = [day(v) for v in frame[column]]
    return frame


def field(label: str, value, raw_html: str | None = None) -> str:
    shown = raw_html if raw_html is not None else esc(value)
    return f'<div class="field"><span class="label">{esc(label)} :</span> <span class="value">{shown}</span></div>'


def block(title: str, body: str) -> str:
    return f'<section class="block"><h3>{esc(title)}</h3>{body}</section>'


def table(frame: pd.DataFrame, columns: list[str], empty: str = "") -> str:
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{multiline(row[c])}</td>" for c in columns) + "</tr>" for row in frame.to_dict("records")
    )
    if not rows and empty:
        rows = f'<tr><td colspan="{len(columns)}" class="empty">{esc(empty)}</td></tr>'
    return f'<table class="grid"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def errors_html(messages: list[str]) -> str:
    if not messages:
        return ""
    items = "".join(f"<li>{esc(m)}</li>" for m in messages)
    return f'<div class="errors" role="alert"><ul>{items}</ul></div>'


def message_html(message: str) -> str:
    return f'<div class="success" role="status">{esc(message)}</div>' if message else ""


CSS = """
.block { border: 1px solid #d9dde3; background: #fff; padding: .6em 1em 1em; margin-bottom: 1em; }
.block h3 { font-size: 1.05em; color: #000091; margin: .2em 0 .6em; border-bottom: 1px solid #e5e7eb; padding-bottom: .3em; }
.field { margin: .2em 0; }
.field .label { font-weight: 600; color: #333; }
table.grid { border-collapse: collapse; width: 100%; font-size: .92em; }
table.grid th { background: #eef0f4; text-align: left; padding: .35em .5em; border: 1px solid #d9dde3; }
table.grid td { padding: .35em .5em; border: 1px solid #e5e7eb; vertical-align: top; }
table.grid td.empty { color: #666; font-style: italic; }
.errors { color: #b40000; background: #fde9e9; border-left: 4px solid #b40000; padding: .4em .8em; }
.errors ul { margin: 0; padding-left: 1.2em; }
.success { color: #0b5e2a; background: #e6f4ea; border-left: 4px solid #18753c; padding: .5em .8em; }
.comment { background: #f6f6f9; border-left: 3px solid #000091; padding: .4em .7em; margin: .3em 0; }
.comment .meta { color: #555; font-size: .85em; }
.detail-title { font-size: 1.25em; font-weight: 600; margin: .2em 0 .6em; }
.two-columns { display: grid; grid-template-columns: 1fr 1fr; column-gap: 2em; }
"""

"""The app's tables: French Tabulator words, columns as wide as their longest word, lists of requests."""

from __future__ import annotations

import re
from typing import ClassVar

import pandas as pd
import panel as pn
import param

from . import format as fmt
from .widgets import html

NUMBER_COLUMNS = ("Numéro de la sollicitation", "Référence")


def list_table(frame: pd.DataFrame | None, on_number, buttons: dict | None = None, on_button=None,
               action_column: str | None = None, on_action=None, link_columns: tuple[str, ...] = (),
               reuse=None, order_column: str | None = None) -> pn.viewable.Viewable:  # fmt: skip
    """A page of requests; clicking a number opens it.

    `buttons`: the same action on every row (Tabulator's button columns). `link_columns`: columns of
    `frame` that hold each row's own action as HTML of ours (never user text; an empty cell: no
    action), drawn under one "Actions" header; a click on one calls `on_button(column, row)`, like a
    button. `order_column`: the column the list is ordered by (newest first), marked in its header.

    `reuse`: what this function returned for the previous page of the same list. When that was a
    table with the same columns, wide enough for the new rows, it gets them (its `.value`) and is
    returned again: a new page or a new search does not rebuild the widget, in the server nor in the browser.
    """
    if frame is None:
        return pn.pane.HTML("")
    if frame.empty:
        return html('<p class="empty">Aucune sollicitation.</p>')
    shown = fmt.dates_as_text(frame)
    widths = min_widths(shown)
    if (
        isinstance(reuse, pn.widgets.Tabulator)
        and list(reuse.value.columns) == list(shown.columns)
        and all(widths[c] <= getattr(reuse, "min_widths", {}).get(c, 0) for c in widths)
    ):
        reuse.rows_shown = frame
        reuse.value = shown
        return reuse
    links = list(link_columns)
    clickable = [
        *(c for c in shown.columns if c in NUMBER_COLUMNS or c in links or c == action_column),
        *(buttons or {}),
    ]
    table = tabulator(
        shown, buttons=buttons or {}, order_column=order_column, clickable=clickable,
        formatters={c: {"type": "html" if c in links else "textarea"} for c in shown.columns},
        titles={c: "" for c in links}, groups={"Actions": links} if links else {},
        # The row links are icons (an empty cell where a row has none): their own small width, the
        # text columns take the rest of the window.
        column_specs={c: {"width": ICON_WIDTH + CELL_PADDING + 6} for c in links},
        stylesheets=[":host .tabulator-cell[tabulator-field='Numéro de la sollicitation'],"
                     ":host .tabulator-cell[tabulator-field='Référence'] { color: #000091; text-decoration: underline; cursor: pointer; }",
                     ":host .row-action, :host .tabulator-cell[tabulator-field='Actions'] { color: #000091; text-decoration: underline; cursor: pointer; }",
                     ":host .row-action svg { vertical-align: middle; }",
                     ":host .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }"],
    )  # fmt: skip
    table.rows_shown = frame  # the rows behind the cells (replaced with the table's value, see `reuse`)

    def clicked(event):
        row = table.rows_shown.iloc[event.row]
        if event.column in NUMBER_COLUMNS:
            on_number(int(row[event.column]))
        elif on_button and (
            (buttons and event.column in buttons) or (event.column in link_columns and row[event.column])
        ):
            on_button(event.column, row)
        elif event.column == action_column and on_action and row[action_column]:
            on_action(row)

    table.on_click(clicked)
    return table


# Tabulator's own words (pager, loading), in French; every table of the app is built by `tabulator()`.
FRENCH_TABULATOR = {
    "locale": "fr",
    "langs": {
        "fr": {
            "data": {"loading": "Chargement", "error": "Erreur"},
            "pagination": {
                "page_size": "Lignes par page", "page_title": "Afficher la page",
                "first": "Première", "first_title": "Première page", "last": "Dernière", "last_title": "Dernière page",
                "prev": "Précédente", "prev_title": "Page précédente", "next": "Suivante", "next_title": "Page suivante",
                "all": "Toutes", "counter": {"showing": "Lignes", "of": "sur", "rows": "lignes", "pages": "pages"},
            },
            "headerFilters": {"default": "Filtrer la colonne…"},
        }
    },
}  # fmt: skip

# Cells read whole (identifiers, numbers, dates, addresses): never wrapped, their column as wide as they are.
WHOLE_COLUMNS = NUMBER_COLUMNS + ("Numéro d'objet", "Saisie le", "Date", "Envoyé le", "Ajoutée le", "Sollicitation",
                                  "Tentatives", "Identifiant", "Code", "Destinataire")  # fmt: skip
ORDER_MARK = "Ordre de la liste : les plus récentes d'abord"

# Headers and cells wrap at spaces (and after a hyphen), never inside a word; whole cells never wrap.
TABLE_CSS = """
:host .tabulator, :host .tabulator .tabulator-row, :host .tabulator .tabulator-cell, :host .tabulator .tabulator-col { font-size: 14px !important; }
:host .tabulator-col .tabulator-col-title { white-space: normal !important; word-break: normal !important;
  overflow-wrap: normal !important; hyphens: manual; text-overflow: clip !important; }
:host .tabulator-cell { word-break: normal !important; overflow-wrap: normal !important; hyphens: manual; }
:host .tabulator-cell.whole { white-space: nowrap !important; }
:host .tabulator .tabulator-cell { padding: 6px 7px !important; }
:host .tabulator .tabulator-col .tabulator-col-content { padding: 6px 8px !important; }
:host .tabulator-col.ordered .tabulator-col-title::after { content: " \\25BC" / ""; font-size: .8em; color: #000091; }
"""


# Advance widths (px) of DejaVu Sans, regular and bold, at the tables' 14px: the widest of the usual
# system fonts (it is the one Debian's chromium draws with), so that a column wide enough for it is
# wide enough for any. Measured once with PIL's ImageFont.getlength; other characters count as "M".
_GLYPHS = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~àâäçéèêëîïôöùûüÿœÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸŒ’«»…—–°€  "
_REGULAR = dict(
    zip(
        _GLYPHS,
        map(
            float,
            "4.5 5.6 6.4 11.7 8.9 13.3 10.9 3.8 5.5 5.5 7 11.7 4.5 5 4.5 4.7 8.9 8.9 8.9 8.9 8.9 8.9 8.9 8.9 8.9 8.9 4.7 4.7 11.7 11.7 11.7 7.4 14 9.6 9.6 9.8 10.8 8.8 8 10.8 10.5 4.1 4.1 9.2 7.8 12.1 10.5 11 8.4 11 9.7 8.9 8.5 10.2 9.6 13.8 9.6 8.5 9.6 5.5 4.7 5.5 11.7 7 7 8.6 8.9 7.7 8.9 8.6 4.9 8.9 8.9 3.9 3.9 8.1 3.9 13.6 8.9 8.6 8.9 8.9 5.8 7.3 5.5 8.9 8.3 11.5 8.3 8.3 7.3 8.9 4.7 8.9 11.7 8.6 8.6 8.6 7.7 8.6 8.6 8.6 8.6 3.9 3.9 8.6 8.6 8.9 8.9 8.9 8.3 14.3 9.6 9.6 9.6 9.8 8.8 8.8 8.8 8.8 4.1 4.1 11 11 10.2 10.2 10.2 8.5 15 4.5 8.6 8.6 14 14 7 7 8.9 4.5 2.8".split(),
        ),
    )
)
_BOLD = dict(
    zip(
        _GLYPHS,
        map(
            float,
            "4.9 6.4 7.3 11.7 9.7 14 12.2 4.3 6.4 6.4 7.3 11.7 5.3 5.8 5.3 5.1 9.7 9.7 9.7 9.7 9.7 9.7 9.7 9.7 9.7 9.7 5.6 5.6 11.7 11.7 11.7 8.1 14 10.8 10.7 10.3 11.6 9.6 9.6 11.5 11.7 5.2 5.2 10.8 8.9 13.9 11.7 11.9 10.3 11.9 10.8 10.1 9.5 11.4 10.8 15.4 10.8 10.1 10.2 6.4 5.1 6.4 11.7 7 7 9.5 10 8.3 10 9.5 6.1 10 10 4.8 4.8 9.3 4.8 14.6 10 9.6 10 10 6.9 8.3 6.7 10 9.1 12.9 9 9.1 8.2 10 5.1 10 11.7 9.5 9.5 9.5 8.3 9.5 9.5 9.5 9.5 4.8 4.8 9.6 9.6 10 10 10 9.1 15.3 10.8 10.8 10.8 10.3 9.6 9.6 9.6 9.6 5.2 5.2 11.9 11.9 11.4 11.4 11.4 10.1 16.3 5.3 9 9 14 14 7 7 9.7 4.9 2.8".split(),
        ),
    )
)


def text_width(text: str, bold: bool = False) -> float:
    """The width in pixels of `text` in the tables' 14px sans-serif (see _GLYPHS)."""
    widths = _BOLD if bold else _REGULAR
    return sum(widths.get(c, widths["M"]) for c in text)


# Tabulator's padding and borders around a cell's text and a header's title, with a pixel to spare.
CELL_PADDING, HEADER_PADDING = 16, 18


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+|(?<=-)", text) if w] or [""]


ICON_WIDTH = 22  # an action icon of the rows (18 px and its margin)


def min_widths(frame: pd.DataFrame, titles: dict | None = None) -> dict[str, int]:
    """Each column's least width (px): its header's longest word, its cells' longest word, or the
    whole cell for WHOLE_COLUMNS, numbers and dates. A column never gets narrower than a word of it."""
    titles = titles or {}
    widths = {}
    for column in frame.columns:
        title = str(titles.get(column, column))
        header = max((text_width(w, bold=True) for w in _words(title)), default=0) + HEADER_PADDING
        values = [fmt.esc(v) if not isinstance(v, str) else v for v in frame[column].head(200)]
        whole = column in WHOLE_COLUMNS or pd.api.types.is_numeric_dtype(frame[column])
        if whole:
            cells = max((text_width(v) for v in values), default=0)
        elif values and all(v.lstrip().startswith("<") for v in values if v):  # our HTML links: their text
            # An icon link's name is read aloud, not shown: the icon's width counts instead.
            shown = [re.sub(r"<[^>]+>", "", re.sub(r'<span class="sr-only">.*?</span>', "", v)) for v in values]
            icon = ICON_WIDTH if any("<svg" in v for v in values) else 0
            cells = max((text_width(v) + icon for v in shown), default=0)
        else:
            cells = max((text_width(w) for v in values for w in _words(v)), default=0)
        widths[column] = int(min(max(header, cells + CELL_PADDING), 420))
    return widths


class FrenchTable(pn.widgets.Tabulator):
    """Panel's Tabulator with Tabulator options of our own per column (`column_specs`: field -> options,
    e.g. minWidth), merged into the columns Panel builds, grouped ones included (Panel refuses
    configuration columns beside `groups`)."""

    column_specs = param.Dict(default={}, doc="field -> extra Tabulator column options")

    _rename: ClassVar[dict] = {**pn.widgets.Tabulator._rename, "column_specs": None}

    def _get_configuration(self, columns):
        configuration = super()._get_configuration(columns)

        def visit(specs):
            for spec in specs:
                if "columns" in spec:
                    visit(spec["columns"])
                elif spec.get("field") in self.column_specs:
                    spec.update(self.column_specs[spec["field"]])

        visit(configuration.get("columns", []))
        return configuration


def tabulator(frame: pd.DataFrame, **kwargs) -> pn.widgets.Tabulator:
    """A read-only table that speaks French; the defaults every list of the app shares.

    Columns fill the width but never get narrower than their longest word (see `min_widths`):
    headers and text wrap at spaces, identifiers and numbers stay on one line. No header sorts: the
    lists are paged and ordered in SQL, and a sort in the browser would sort one page only.
    `order_column` (optional) marks the column the list is ordered by. `clickable`: the columns whose
    cells a click acts on; the keyboard reaches and opens them too (see `aria.PageRepairs`).
    """
    order_column = kwargs.pop("order_column", None)
    clickable = set(kwargs.pop("clickable", ()))
    configuration = {**FRENCH_TABULATOR, **kwargs.pop("configuration", {})}
    widths = min_widths(frame, kwargs.get("titles")) if frame is not None else {}
    specs = {column: {"minWidth": width} for column, width in widths.items()}
    for column, extra in kwargs.pop("column_specs", {}).items():
        specs.setdefault(column, {}).update(extra)
    for column in {*widths, *clickable}:
        classes = [name for name, applies in (("whole", column in WHOLE_COLUMNS), ("ordered", column == order_column),
                                              ("cell-action", column in clickable)) if applies]  # fmt: skip
        if classes:
            specs.setdefault(column, {})["cssClass"] = " ".join(classes)
    if order_column in specs:
        specs[order_column]["headerTooltip"] = ORDER_MARK
    if frame is not None:
        # No editor at all (not a disabled one): Tabulator gives a cell with an editor a focus handler
        # that blurs it at once when editing is refused, so no cell could hold the keyboard's focus.
        kwargs.setdefault("editors", {column: None for column in frame.columns})
    stylesheets = [TABLE_CSS, *kwargs.pop("stylesheets", [])]
    options = dict(show_index=False, disabled=True, selectable=False, sizing_mode="stretch_width",
                   layout="fit_columns", sortable=False)  # fmt: skip
    table = FrenchTable(frame, configuration=configuration, column_specs=specs, stylesheets=stylesheets,
                        **{**options, **kwargs})  # fmt: skip
    table.min_widths = widths
    return table

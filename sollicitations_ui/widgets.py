"""Widgets every screen uses: cards, buttons, pagers, request tables, French date pickers, lazy tabs."""
from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.status import Status

from . import format as fmt
from .common import PAGE_SIZES

NUMBER_COLUMNS = ("Numéro de la sollicitation", "Référence")
STATUS_COLORS = {
    Status.BROUILLON.short_label: "#9aa5b1",
    Status.ENVOYEE.short_label: "#4c72b0",
    Status.EN_COURS.short_label: "#dd8452",
    Status.INFORMATIONS_REQUISES.short_label: "#c44e52",
    Status.REPONDUE.short_label: "#8172b3",
    Status.FERMEE.short_label: "#55a868",
}
from .common import Pager


# The field looks like Panel's other inputs (12px text, 32px high, grey until focused); its message in red.
DATE_INPUT_CSS = """
:host { display: block; }
.date-field label { display: block; font-size: 12px; padding: 5px 0; color: #212529; }
.date-field .flatpickr-wrapper { display: block; width: 100%; }
.date-field input { box-sizing: border-box; width: 100%; height: 32px; padding: 6px 12px; font: inherit; font-size: 12px;
  color: #1a1d21; background: #f3f3f3; border: 1px solid #dee2e6; border-radius: 6px; }
.date-field input:focus { outline: none; background: #fff; border-color: #86b7fe; box-shadow: 0 0 0 .2rem rgba(13, 110, 253, .25); }
.date-field.invalid input { border-color: #b40000; }
.date-field.above .flatpickr-calendar.static { top: auto; bottom: calc(100% + 2px); }
.date-error { color: #b40000; font-size: 12px; margin-top: 3px; }
.date-error:empty { display: none; }
"""


class FrenchDatePicker(pn.custom.JSComponent):
    """A date field as the guide draws it: typed jj/mm/aaaa or picked in a calendar in French.

    `value` is the text of the field, as typed or picked; the state that owns it parses it (see
    format.parse_day) and says what is wrong in `error`, shown under the field. The field never
    rewrites what was typed: "31/02/2026" stays on screen beside its message (flatpickr alone would
    roll it over to 03/03 or empty the field). The calendar is Bokeh's flatpickr (window.flatpickr,
    with Bokeh's stylesheet for it) with its French words; `position` "above" opens it over the fields
    above when the window has room there, so that the buttons under the field stay in view.
    """

    value = param.String(default="", doc="the field's text, jj/mm/aaaa when it is a date")
    label = param.String(default="")
    error = param.String(default="", doc="why the text is not a date, shown under the field")
    position = param.Selector(default="below", objects=["below", "above"])
    accessible_name = param.String(default="", doc="the field's name for assistive technologies, when `label` is short")

    _esm = """
    const FR = {
      weekdays: {shorthand: ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
                 longhand: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"]},
      months: {shorthand: ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."],
               longhand: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                          "octobre", "novembre", "décembre"]},
      firstDayOfWeek: 1, ordinal: (n) => (n > 1 ? "" : "er"), rangeSeparator: " au ", weekAbbreviation: "Semaine",
      scrollTitle: "Défiler pour changer", toggleTitle: "Cliquer pour changer", time_24hr: true,
      yearAriaLabel: "Année", monthAriaLabel: "Mois", hourAriaLabel: "Heure", minuteAriaLabel: "Minute",
      daysInMonth: [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], amPM: ["AM", "PM"],
    }

    function strict(text) {  // jj/mm/aaaa that names a real day, else null
      const m = /^\\s*(\\d{1,2})\\/(\\d{1,2})\\/(\\d{4})\\s*$/.exec(text || "")
      if (!m) return null
      const d = new Date(+m[3], +m[2] - 1, +m[1])
      return d.getFullYear() === +m[3] && d.getMonth() === +m[2] - 1 && d.getDate() === +m[1] ? d : null
    }

    export function render({ model, el }) {
      const style = document.createElement("style")
      try { style.textContent = window.Bokeh.require("styles/widgets/flatpickr.css").default } catch (e) { }
      const id = "date-" + Math.random().toString(36).slice(2)
      const field = document.createElement("div")
      field.className = "date-field"
      const label = document.createElement("label")
      label.htmlFor = id
      const input = document.createElement("input")
      Object.assign(input, {type: "text", id, placeholder: "jj/mm/aaaa", autocomplete: "off"})
      input.setAttribute("inputmode", "numeric")
      input.setAttribute("aria-describedby", id + "-error")
      const error = document.createElement("div")
      error.className = "date-error"
      error.id = id + "-error"
      error.setAttribute("role", "alert")
      field.append(label, input)
      el.append(style, field, error)

      let typed = ""  // what the user typed last: flatpickr empties the field when it is not a date
      const keep = (self) => {
        if (!self.selectedDates.length && typed.trim() && !strict(typed) && input.value !== typed) input.value = typed
      }
      const send = () => {
        const text = input.value.trim()
        if (model.value !== text) model.value = text
      }
      input.addEventListener("input", () => { typed = input.value })
      const picker = window.flatpickr(input, {
        locale: FR, dateFormat: "d/m/Y", ariaDateFormat: "j F Y", allowInput: true, static: true,
        disableMobile: true, monthSelectorType: "static", errorHandler: () => {},
        parseDate: (text) => strict(text) || undefined,
        onChange: () => send(),
        onValueUpdate: (dates, _text, self) => { if (dates.length) typed = input.value; else keep(self) },
        onOpen: (_dates, _text, self) => {
          // Above the field when asked and the window has room there; below otherwise.
          const room = input.getBoundingClientRect().top
          const height = self.calendarContainer.offsetHeight || 320
          field.classList.toggle("above", model.position === "above" && room > height + 8)
        },
      })
      // flatpickr empties the field when what was typed is not a date: keep the text, the state says why.
      const clear = picker.clear
      picker.clear = (...args) => { clear(...args); keep(picker) }
      input.addEventListener("blur", () => {  // after flatpickr's own blur
        keep(picker)
        send()
        // Leaving the field (Tab, another field) closes its calendar, unless focus went into it.
        setTimeout(() => { if (!field.contains(el.getRootNode().activeElement)) picker.close() }, 0)
      })
      input.addEventListener("keydown", (e) => { if (e.key === "Enter") send() })

      function draw() {
        label.textContent = model.label
        if (model.accessible_name) input.setAttribute("aria-label", model.accessible_name)
        error.textContent = model.error
        input.setAttribute("aria-invalid", model.error ? "true" : "false")
        field.classList.toggle("invalid", !!model.error)
        if (input.value.trim() !== model.value) {
          const day = strict(model.value)
          typed = model.value
          if (day) picker.setDate(day, false)
          else { clear(false); input.value = model.value }
        }
      }
      model.on(["value", "label", "error", "accessible_name"], draw)
      draw()
    }
    """
    _stylesheets = [DATE_INPUT_CSS]


def date_picker(p, name: str, **kwargs) -> FrenchDatePicker:
    """A French date field for the parameter `p`: the text itself (a String: its state parses it and
    may bind `error=`), or a Date (the field's text is parsed here; a wrong date is said under the field
    and leaves the parameter as it was)."""
    owner, attribute = p.owner, p.name
    kwargs.setdefault("sizing_mode", "stretch_width")
    kwargs.setdefault("margin", (5, 10))  # as Panel's own widgets
    if isinstance(p, param.Date):
        widget = FrenchDatePicker(label=name, value=fmt.day(getattr(owner, attribute)), **kwargs)

        def typed(event):
            try:
                day = fmt.parse_day(event.new)
            except ValueError:
                widget.error = f"La date « {event.new} » n'est pas une date valide (jj/mm/aaaa)"
                return
            widget.error = ""
            setattr(owner, attribute, day)

        def changed(event):
            if fmt.day(event.new) != widget.value and not widget.error:
                widget.value = fmt.day(event.new)

        widget.param.watch(typed, "value")
        owner.param.watch(changed, attribute)
        return widget
    widget = FrenchDatePicker(label=name, value=getattr(owner, attribute), **kwargs)
    widget.param.watch(lambda e: setattr(owner, attribute, e.new), "value")
    owner.param.watch(lambda e: setattr(widget, "value", e.new) if widget.value != e.new else None, attribute)
    return widget


def label(text: str) -> pn.pane.HTML:
    return pn.pane.HTML(f'<span style="font-size:.9em">{fmt.esc(text)}</span>', margin=(8, 10, 0, 10))


def card(title: str, *objects, **kwargs) -> pn.Card:
    return pn.Card(*objects, title=title, collapsible=False, sizing_mode="stretch_width",
                   margin=(0, 0, 12, 0), **kwargs)  # fmt: skip


def html(content, **kwargs) -> pn.pane.HTML:
    """An HTML pane whose content was built from escaped text only (see format.py)."""
    return pn.pane.HTML(content, sizing_mode="stretch_width", margin=(2, 5), stylesheets=[fmt.CSS], **kwargs)


def button(label: str, on_click, kind: str = "default", **kwargs) -> pn.widgets.Button:
    kwargs.setdefault("width", max(60, 8 * len(label) + 36))
    widget = pn.widgets.Button(name=label, button_type=kind, sizing_mode="fixed", height=34, **kwargs)
    widget.on_click(lambda event: on_click())
    return widget


class PagerView(Viewer):
    """Our pager (the list is paged in SQL): « Page x / y (n lignes) », its size, and the list's order."""

    def __init__(self, pager: Pager, **params):
        super().__init__(**params)
        self.pager = pager

    def __panel__(self):
        p = self.pager
        size = pn.widgets.Select.from_param(p.param.page_size, name="", width=70, options=PAGE_SIZES)
        summary = pn.bind(lambda *_: f'<span class="pager-summary">{fmt.esc(p.summary)}</span>',
                          p.param.page, p.param.total, p.param.pages)  # fmt: skip
        order = pn.bind(lambda text: f'<span class="list-order">{fmt.esc(text)}</span>' if text else "", p.param.order)
        return pn.Row(
            button("«", p.previous, width=40, description="Page précédente"),
            pn.pane.HTML(summary, margin=(12, 8), width=230, sizing_mode="fixed"),
            button("»", p.next, width=40, description="Page suivante"),
            size,
            pn.pane.HTML('<span style="font-size:.9em">lignes par page</span>', margin=(14, 10, 0, 4), width=110,
                         sizing_mode="fixed"),
            pn.pane.HTML(order, margin=(14, 10, 0, 10), sizing_mode="stretch_width",
                         stylesheets=[".list-order { color: #3a3a3a; font-size: .9em; font-style: italic; }"]),
            align="center", sizing_mode="stretch_width",
        )  # fmt: skip


def downloads(make_file, name: str) -> pn.Row:
    """ "Télécharger" a whole list, as a spreadsheet or as CSV."""
    return pn.Row(*[
        pn.widgets.FileDownload(callback=lambda f=f: make_file(f), filename=f"{name}.{f}", label=label,
                                button_type="light", width=170, align="end")
        for f, label in (("xlsx", "Télécharger (XLSX)"), ("csv", "Télécharger (CSV)"))
    ], sizing_mode="fixed", width=360, align="end")  # fmt: skip


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
    if (isinstance(reuse, pn.widgets.Tabulator) and list(reuse.value.columns) == list(shown.columns)
            and all(widths[c] <= getattr(reuse, "min_widths", {}).get(c, 0) for c in widths)):
        reuse.rows_shown = frame
        reuse.value = shown
        return reuse
    links = list(link_columns)
    table = tabulator(
        shown, buttons=buttons or {}, order_column=order_column,
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
        elif buttons and event.column in buttons and on_button:
            on_button(event.column, row)
        elif event.column in link_columns and on_button and row[event.column]:
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
_REGULAR = dict(zip(_GLYPHS, map(float, "4.5 5.6 6.4 11.7 8.9 13.3 10.9 3.8 5.5 5.5 7 11.7 4.5 5 4.5 4.7 8.9 8.9 8.9 8.9 8.9 8.9 8.9 8.9 8.9 8.9 4.7 4.7 11.7 11.7 11.7 7.4 14 9.6 9.6 9.8 10.8 8.8 8 10.8 10.5 4.1 4.1 9.2 7.8 12.1 10.5 11 8.4 11 9.7 8.9 8.5 10.2 9.6 13.8 9.6 8.5 9.6 5.5 4.7 5.5 11.7 7 7 8.6 8.9 7.7 8.9 8.6 4.9 8.9 8.9 3.9 3.9 8.1 3.9 13.6 8.9 8.6 8.9 8.9 5.8 7.3 5.5 8.9 8.3 11.5 8.3 8.3 7.3 8.9 4.7 8.9 11.7 8.6 8.6 8.6 7.7 8.6 8.6 8.6 8.6 3.9 3.9 8.6 8.6 8.9 8.9 8.9 8.3 14.3 9.6 9.6 9.6 9.8 8.8 8.8 8.8 8.8 4.1 4.1 11 11 10.2 10.2 10.2 8.5 15 4.5 8.6 8.6 14 14 7 7 8.9 4.5 2.8".split())))
_BOLD = dict(zip(_GLYPHS, map(float, "4.9 6.4 7.3 11.7 9.7 14 12.2 4.3 6.4 6.4 7.3 11.7 5.3 5.8 5.3 5.1 9.7 9.7 9.7 9.7 9.7 9.7 9.7 9.7 9.7 9.7 5.6 5.6 11.7 11.7 11.7 8.1 14 10.8 10.7 10.3 11.6 9.6 9.6 11.5 11.7 5.2 5.2 10.8 8.9 13.9 11.7 11.9 10.3 11.9 10.8 10.1 9.5 11.4 10.8 15.4 10.8 10.1 10.2 6.4 5.1 6.4 11.7 7 7 9.5 10 8.3 10 9.5 6.1 10 10 4.8 4.8 9.3 4.8 14.6 10 9.6 10 10 6.9 8.3 6.7 10 9.1 12.9 9 9.1 8.2 10 5.1 10 11.7 9.5 9.5 9.5 8.3 9.5 9.5 9.5 9.5 4.8 4.8 9.6 9.6 10 10 10 9.1 15.3 10.8 10.8 10.8 10.3 9.6 9.6 9.6 9.6 5.2 5.2 11.9 11.9 11.4 11.4 11.4 10.1 16.3 5.3 9 9 14 14 7 7 9.7 4.9 2.8".split())))


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

    _rename = {**pn.widgets.Tabulator._rename, "column_specs": None}

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
    `order_column` (optional) marks the column the list is ordered by.
    """
    order_column = kwargs.pop("order_column", None)
    configuration = {**FRENCH_TABULATOR, **kwargs.pop("configuration", {})}
    widths = min_widths(frame, kwargs.get("titles")) if frame is not None else {}
    specs = {}
    for column, width in widths.items():
        spec = {"minWidth": width}
        classes = (["whole"] if column in WHOLE_COLUMNS else []) + (["ordered"] if column == order_column else [])
        if classes:
            spec["cssClass"] = " ".join(classes)
        if column == order_column:
            spec["headerTooltip"] = ORDER_MARK
        specs[column] = spec
    specs.update(kwargs.pop("column_specs", {}))
    stylesheets = [TABLE_CSS, *kwargs.pop("stylesheets", [])]
    options = dict(show_index=False, disabled=True, selectable=False, sizing_mode="stretch_width",
                   layout="fit_columns", sortable=False)  # fmt: skip
    table = FrenchTable(frame, configuration=configuration, column_specs=specs, stylesheets=stylesheets,
                        **{**options, **kwargs})  # fmt: skip
    table.min_widths = widths
    return table


def fmt_messages(error: Exception) -> list[str]:
    return error.messages if isinstance(error, sol.ValidationError) else [str(error)]


class LazyTabs:
    """Tabs whose content is built the first time it is shown, then kept.

    A new session builds (and sends to the browser) only the tab it shows, and runs only that tab's
    queries; a later tab is built on its first click. Once built, a tab stays in the page, so going
    back to it is a switch in the browser: nothing is rebuilt nor sent again.

    Bokeh hides the other tabs with `visibility: hidden`: they keep their place in the tabs' grid
    cell, whose height becomes the tallest tab's (a short tab then scrolls into blank space). They
    are taken out of the layout instead (HIDDEN_TABS_CSS).
    """

    HIDDEN_TABS_CSS = ':host > div[style*="visibility: hidden"] { display: none !important; }'

    def __init__(self, items: list[tuple[str, Callable[[], object]]], **kwargs):
        self.builders: list[Callable[[], object] | None] = [build for _, build in items]
        self.slots = [pn.Column(sizing_mode="stretch_width") for _ in items]
        kwargs["stylesheets"] = [self.HIDDEN_TABS_CSS, *kwargs.get("stylesheets", [])]
        self.tabs = pn.Tabs(*[(name, slot) for (name, _), slot in zip(items, self.slots)], dynamic=False, **kwargs)
        self.tabs.param.watch(lambda e: self.show(e.new), "active")

    def show(self, index: int) -> None:
        """Build tab `index` if it never was shown (the `active` watcher calls it on every switch)."""
        if 0 <= index < len(self.builders) and (build := self.builders[index]) is not None:
            self.builders[index] = None
            self.slots[index].objects = [build()]


class Feedback(pn.custom.JSComponent):
    """The result of an action, shown where the user is: next to the buttons that were clicked.

    Bind `errors` and `message` to the state's parameters. Each change replaces what was shown
    (never a stack of old messages), is announced (role="alert" for errors, "status" for a
    confirmation, RGAA 7.5) and is scrolled into view. Text is set with textContent: nothing a user
    wrote is ever read as HTML.
    """

    errors = param.List(default=[])
    message = param.String(default="")

    _esm = """
    export function render({ model, el }) {
      const box = document.createElement("div")
      box.className = "feedback"
      function draw() {
        box.replaceChildren()
        const errors = model.errors || []
        if (errors.length) {
          const alert = document.createElement("div")
          alert.className = "errors"
          alert.setAttribute("role", "alert")
          const list = document.createElement("ul")
          for (const text of errors) {
            const item = document.createElement("li")
            item.textContent = text
            list.appendChild(item)
          }
          alert.appendChild(list)
          box.appendChild(alert)
        } else if (model.message) {
          const status = document.createElement("div")
          status.className = "success"
          status.setAttribute("role", "status")
          status.textContent = model.message
          box.appendChild(status)
        }
        if (box.childElementCount) {
          // Once drawn, and again when what is drawn above it (a table, a redrawn block) has settled.
          const reveal = () => box.scrollIntoView({ block: "nearest", behavior: "instant" })
          requestAnimationFrame(reveal)
          setTimeout(reveal, 400)
        }
      }
      model.on(["errors", "message"], draw)
      draw()
      el.appendChild(box)
    }
    """
    _stylesheets = [
        """
        .errors { color: #b40000; background: #fde9e9; border-left: 4px solid #b40000; padding: .4em .8em; margin: 4px 0; }
        .errors ul { margin: 0; padding-left: 1.2em; }
        .success { color: #0b5e2a; background: #e6f4ea; border-left: 4px solid #18753c; padding: .5em .8em; margin: 4px 0; }
        """
    ]


class Confirmation(pn.custom.JSComponent):
    """The guide's confirmation window: a modal dialog with a text (e.g. the request's number).

    It opens whenever `text` is set and closes with its "Fermer" button or Escape, giving focus back
    where it was; closing empties `text`, so the same confirmation can open again.
    """

    text = param.String(default="")
    title = param.String(default="Confirmation")

    _esm = """
    export function render({ model, el }) {
      const dialog = document.createElement("dialog")
      dialog.className = "confirmation"
      dialog.setAttribute("aria-labelledby", "confirmation-title")
      const heading = document.createElement("h2")
      heading.id = "confirmation-title"
      const body = document.createElement("p")
      body.setAttribute("role", "status")
      const close = document.createElement("button")
      close.type = "button"
      close.textContent = "Fermer"
      dialog.append(heading, body, close)
      let opener = null
      close.addEventListener("click", () => dialog.close())
      dialog.addEventListener("close", () => {
        model.text = ""
        if (opener && opener.focus) opener.focus()
      })
      function draw() {
        heading.textContent = model.title
        body.textContent = model.text
        if (model.text && !dialog.open) {
          opener = document.activeElement
          dialog.showModal()
          close.focus()
        } else if (!model.text && dialog.open) {
          dialog.close()
        }
      }
      model.on(["text", "title"], draw)
      el.appendChild(dialog)
      draw()
    }
    """
    _stylesheets = [
        """
        dialog.confirmation { border: 1px solid #000091; border-radius: 4px; padding: 1.2em 1.5em; max-width: 34em; }
        dialog.confirmation::backdrop { background: rgba(0, 0, 0, .4); }
        dialog.confirmation h2 { color: #000091; font-size: 1.2em; margin: 0 0 .6em; }
        dialog.confirmation p { color: #0b5e2a; margin: 0 0 1em; }
        dialog.confirmation button { background: #000091; color: #fff; border: 0; border-radius: 4px; padding: .4em 1.2em; }
        dialog.confirmation button:focus-visible { outline: 3px solid #0a76f6; outline-offset: 2px; }
        """
    ]

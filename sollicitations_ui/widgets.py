"""Widgets every screen uses: cards, buttons, pagers, downloads, lazy tabs, feedback and confirmation."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

import panel as pn
import param
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.status import Status

from . import format as fmt
from .common import PAGE_SIZES, Pager

STATUS_COLORS = {
    Status.BROUILLON.short_label: "#9aa5b1",
    Status.ENVOYEE.short_label: "#4c72b0",
    Status.EN_COURS.short_label: "#dd8452",
    Status.INFORMATIONS_REQUISES.short_label: "#c44e52",
    Status.REPONDUE.short_label: "#8172b3",
    Status.FERMEE.short_label: "#55a868",
}


def chosen(files: pn.widgets.FileInput) -> dict[str, bytes]:
    """The files a FileInput holds, by name (one or several)."""
    if not files.value:
        return {}
    names = files.filename if isinstance(files.filename, list) else [files.filename]
    values = files.value if isinstance(files.value, list) else [files.value]
    return dict(zip(names, values))


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
        size = pn.widgets.Select.from_param(p.param.page_size, name="Lignes par page", width=110, options=PAGE_SIZES)
        summary = pn.bind(lambda *_: f'<span class="pager-summary">{fmt.esc(p.summary)}</span>',
                          p.param.page, p.param.total, p.param.pages)  # fmt: skip
        order = pn.bind(lambda text: f'<span class="list-order">{fmt.esc(text)}</span>' if text else "", p.param.order)
        # The order on a line of its own: beside the pager, a wide table's row squeezed it to nothing.
        return pn.Column(
            pn.Row(
                button("«", p.previous, width=40, description="Page précédente"),
                pn.pane.HTML(summary, margin=(12, 8), width=230, sizing_mode="fixed"),
                button("»", p.next, width=40, description="Page suivante"),
                size,
                align="end",
            ),
            pn.pane.HTML(order, margin=(0, 10, 4, 10), sizing_mode="stretch_width",
                         stylesheets=[".list-order { color: #3a3a3a; font-size: .9em; font-style: italic; }"]),
            sizing_mode="stretch_width",
        )  # fmt: skip


def downloads(make_file, name: str) -> pn.Row:
    """ "Télécharger" a whole list, as a spreadsheet or as CSV."""
    return pn.Row(*[
        pn.widgets.FileDownload(callback=lambda f=f: make_file(f), filename=f"{name}.{f}", label=label,
                                button_type="light", width=170, align="end")
        for f, label in (("xlsx", "Télécharger (XLSX)"), ("csv", "Télécharger (CSV)"))
    ], sizing_mode="fixed", width=360, align="end")  # fmt: skip


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
    _stylesheets: ClassVar[list[str]] = [
        """
        .errors { color: #b40000; background: #fde9e9; border-left: 4px solid #b40000; padding: .4em .8em; margin: 4px 0; }
        .errors ul { margin: 0; padding-left: 1.2em; }
        .success { color: #0b5e2a; background: #e6f4ea; border-left: 4px solid #18753c; padding: .5em .8em; margin: 4px 0; }
        """
    ]


class Confirmation(pn.custom.JSComponent):
    """The guide's confirmation window: a modal dialog with a text (e.g. the request's number).

    It opens whenever `text` is set and closes with its "Fermer" button or Escape, giving focus back
    where it was (or, when that button is gone with what was sent, to the confirmation shown on the
    page); closing empties `text`, so the same confirmation can open again.
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
      // Bokeh draws each widget in a shadow root: document.activeElement is only the widget's host.
      function deepActive() {
        let element = document.activeElement
        while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement
        return element
      }
      const shown = (element) => element && element.isConnected && !element.disabled && element.getClientRects().length > 0
      function shownStatus(root) {
        for (const element of root.querySelectorAll("*")) {
          if (element.matches("[role=status]") && !dialog.contains(element) && shown(element)) return element
          const inner = element.shadowRoot && shownStatus(element.shadowRoot)
          if (inner) return inner
        }
        return null
      }
      function focusBack() {
        // Where it was; when that button went with what was sent (or the page was redrawn under it,
        // leaving the focus on <body>), to the confirmation left on the page.
        if (shown(opener) && opener !== document.body) {
          opener.focus()
          if (deepActive() === opener) return
        }
        const status = shownStatus(document)
        if (status) {
          status.tabIndex = -1
          status.focus()
        }
      }
      function giveFocusBack() {
        focusBack()
        // The server may still be redrawing the page (the button hidden a moment later, the message
        // drawn later): for a few seconds, whenever the focus is lost, give it back again.
        let checks = 0
        const watch = setInterval(() => {
          const now = deepActive()
          if (!now || now === document.body || !shown(now)) focusBack()
          if (++checks >= 25) clearInterval(watch)
        }, 200)
      }
      close.addEventListener("click", () => dialog.close())
      dialog.addEventListener("close", () => {
        model.text = ""
        giveFocusBack()
      })
      function draw() {
        heading.textContent = model.title
        body.textContent = model.text
        if (model.text && !dialog.open) {
          opener = deepActive()
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
    _stylesheets: ClassVar[list[str]] = [
        """
        dialog.confirmation { border: 1px solid #000091; border-radius: 4px; padding: 1.2em 1.5em; max-width: 34em; }
        dialog.confirmation::backdrop { background: rgba(0, 0, 0, .4); }
        dialog.confirmation h2 { color: #000091; font-size: 1.2em; margin: 0 0 .6em; }
        dialog.confirmation p { color: #0b5e2a; margin: 0 0 1em; }
        dialog.confirmation button { background: #000091; color: #fff; border: 0; border-radius: 4px; padding: .4em 1.2em; }
        dialog.confirmation button:focus-visible { outline: 3px solid #0a76f6; outline-offset: 2px; }
        """
    ]

"""What the page's third-party parts lack for keyboards and screen readers, added in the browser.

`PageRepairs`, put once in a page (invisible), brings:

- the page's language: Panel's page template says `<html lang="en">` and has no option for it;
- a skip link, "Aller au contenu", first in the tab order, to the template's main area;
- a visible focus ring on everything focusable (Bokeh's buttons have none), and buttons drawn in their
  colours at once (Bootstrap fades them in: a button caught half-faded is below AA contrast); the ring
  inside tabs and text areas (their list, their widget hide their overflow: outside, it was cut to thin
  lines), and whole around a table's "select all" box (its title cut its top and left);
- Bokeh's tabs as a WAI-ARIA tab list: roles, `aria-selected`, one tab in the tab order (before the
  panels, not after them), the arrows, Home and End to move, Enter or Space to open (Bokeh's tabs take
  focus but no key opens them);
- Tabulator's grid well formed: its focusable scroll container, `div.tabulator-tableholder[tabindex]`,
  sits between `role="grid"` and the rows, so assistive technologies find a grid with no rows
  (axe-core's `aria-required-children`, critical; Tabulator issues 4151 and 4555). The container keeps
  its tabindex (keyboard users scroll a wide table with it) and becomes the grid's rowgroup, the rows'
  own wrapper becomes transparent, and the grid stops pointing at it with `aria-owns`. An empty list's
  container is neither focusable nor a rowgroup (a rowgroup holds rows);
- the cells a click acts on (`cell-action` columns: a request's number, a row's actions) in the tab
  order, opened with Enter or Space as the mouse opens them;

Bokeh draws each widget in its own shadow root, out of reach of a document-wide query, observer or
style sheet: the component walks the shadow roots there are, watches each one, and hooks
`attachShadow` so that the ones drawn later are watched too.
"""

from __future__ import annotations

import panel as pn

SKIP_LINK = "Aller au contenu"


class PageRepairs(pn.custom.JSComponent):
    """Invisible; once in a page, the repairs above apply to everything drawn in it."""

    _esm = (
        """
    const SKIP_LINK = "__SKIP_LINK__"
    const FOCUS = new CSSStyleSheet()
    FOCUS.replaceSync(`
      :focus-visible { outline: 3px solid #0a76f6 !important; outline-offset: 2px !important; }
      .bk-btn { transition: none !important; }
      .bk-tab:focus-visible, textarea:focus-visible { outline-offset: -3px !important; }
      .tabulator-col-title:has(> input[type=checkbox]) { overflow: visible !important; }
    `)

    // Only what differs is written: each write is itself observed.
    function set(element, name, value) {
      if (element.getAttribute(name) !== value) element.setAttribute(name, value)
    }
    function unset(element, name) {
      if (element.hasAttribute(name)) element.removeAttribute(name)
    }

    function repairGrid(grid) {
      unset(grid, "aria-owns")
      for (const holder of grid.querySelectorAll(":scope > .tabulator-tableholder")) {
        for (const rows of holder.querySelectorAll(":scope > .tabulator-table")) set(rows, "role", "none")
        if (holder.querySelector(".tabulator-row")) {
          set(holder, "role", "rowgroup")
          set(holder, "tabindex", "0")
        } else {
          set(holder, "role", "none")
          unset(holder, "tabindex")
        }
      }
      for (const cell of grid.querySelectorAll(".tabulator-cell.cell-action")) {
        const icon = cell.querySelector(".row-action[title]")
        if (icon || cell.textContent.trim()) set(cell, "tabindex", "0")
        else unset(cell, "tabindex")
        if (icon) set(cell, "aria-label", icon.getAttribute("title"))
      }
      if (!grid.__keys) {
        grid.__keys = true
        grid.addEventListener("keydown", (event) => {
          const cell = event.target.closest && event.target.closest(".tabulator-cell.cell-action[tabindex]")
          if (cell && (event.key === "Enter" || event.key === " ")) {
            event.preventDefault()
            cell.click()
          }
        })
      }
    }

    function markTabs(list) {
      const tabs = [...list.querySelectorAll(":scope > .bk-tab")]
      const active = tabs.find((tab) => tab.classList.contains("bk-active")) || tabs[0]
      set(list, "role", "tablist")
      for (const tab of tabs) {
        set(tab, "role", "tab")
        set(tab, "aria-selected", String(tab === active))
        set(tab, "tabindex", tab === active ? "0" : "-1")
      }
    }

    function headerFirst(list) {
      // Bokeh puts the tab list after the panels (placed above them by a CSS grid): in the tab order, it
      // came after the whole content. Moved before the panels, it is reached first, where it is seen.
      const header = list.parentElement
      const panel = [...header.parentNode.children].find((child) => !["STYLE", "LINK"].includes(child.tagName))
      if (panel && panel !== header) header.parentNode.insertBefore(header, panel)
    }

    function repairTabs(list) {
      markTabs(list)
      headerFirst(list)
      if (list.__keys) return
      list.__keys = true
      new MutationObserver(() => markTabs(list)).observe(list, { attributes: true, attributeFilter: ["class"], subtree: true })
      list.addEventListener("keydown", (event) => {
        const tabs = [...list.querySelectorAll(":scope > .bk-tab")]
        const index = tabs.indexOf(event.target)
        if (index < 0) return
        const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: tabs.length - 1 }
        if (event.key in moves) {
          event.preventDefault()
          const next = tabs[(moves[event.key] + tabs.length) % tabs.length]
          for (const tab of tabs) set(tab, "tabindex", tab === next ? "0" : "-1")
          next.focus()
        } else if (event.key === "Enter" || event.key === " ") {
          event.preventDefault()
          event.target.click()
        }
      })
    }

    function repair(node) {
      // A grid, a part of one (Tabulator adds its parts after the grid), or anything holding grids.
      const around = node.closest && node.closest(".tabulator[role=grid]")
      if (around) repairGrid(around)
      if (!node.querySelectorAll) return
      for (const grid of node.querySelectorAll(".tabulator[role=grid]")) repairGrid(grid)
      for (const list of node.querySelectorAll(".bk-headers-wrapper")) repairTabs(list)
      if (node.matches && node.matches(".bk-headers-wrapper")) repairTabs(node)
    }

    function watch(root) {
      if (root.__watched) return
      root.__watched = true
      if (root !== document) root.adoptedStyleSheets = [...root.adoptedStyleSheets, FOCUS]
      repair(root)
      new MutationObserver((changes) => {
        for (const change of changes) {
          if (change.type === "attributes") repair(change.target)
          for (const node of change.addedNodes) if (node.nodeType === 1) repair(node)
        }
      }).observe(root, { childList: true, subtree: true, attributes: true, attributeFilter: ["role", "aria-owns"] })
      for (const element of root.querySelectorAll("*")) if (element.shadowRoot) watch(element.shadowRoot)
    }

    function addSkipLink() {
      const main = document.getElementById("main")
      if (!main || document.querySelector("a.skip-link")) return
      main.setAttribute("tabindex", "-1")
      const link = document.createElement("a")
      link.className = "skip-link"
      link.href = "#main"
      link.textContent = SKIP_LINK
      link.addEventListener("click", (event) => {
        event.preventDefault()
        main.focus()
        main.scrollIntoView({ block: "start" })
      })
      document.body.prepend(link)
    }

    export function render({ el }) {
      el.style.display = "none"
      if (window.__pageRepairs) return
      window.__pageRepairs = true
      document.documentElement.lang = "fr"
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, FOCUS]
      const skip = new CSSStyleSheet()
      skip.replaceSync(`
        a.skip-link { position: absolute; left: -9999px; top: 0; z-index: 10000; }
        a.skip-link:focus { left: 8px; top: 8px; background: #fff; color: #000091; padding: 6px 12px;
                            border: 2px solid #000091; font-weight: 600; }
        #main:focus { outline: none; }
      `)
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, skip]
      addSkipLink()
      const attach = Element.prototype.attachShadow
      Element.prototype.attachShadow = function (init) {
        const shadow = attach.call(this, init)
        queueMicrotask(() => watch(shadow))
        return shadow
      }
      watch(document)
    }
    """
    ).replace("__SKIP_LINK__", SKIP_LINK)


def footer() -> pn.pane.HTML:
    """The foot of every page: the accessibility statement's link, with the conformity level (RGAA)."""
    return pn.pane.HTML(
        '<footer class="page-footer"><a href="./accessibilite">Accessibilité : partiellement conforme</a>'
        ' — <a href="./contact">Nous contacter</a></footer>',
        sizing_mode="stretch_width", margin=(24, 10, 10, 10),
        stylesheets=[".page-footer { border-top: 1px solid #d9dde3; padding-top: .6em; font-size: .95em; }",
                     ".page-footer a { color: #000091; }"],
    )  # fmt: skip

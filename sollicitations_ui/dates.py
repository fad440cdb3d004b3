"""The French date field: a calendar in French and a typed jj/mm/aaaa, checked by the state."""

from __future__ import annotations

from typing import ClassVar

import panel as pn
import param

from . import format as fmt

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
    _stylesheets: ClassVar[list[str]] = [DATE_INPUT_CSS]


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

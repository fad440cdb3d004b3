"""French date entry in "Rechercher": a calendar in French, a field one can type jj/mm/aaaa into,
and a French message under the field for a date that does not exist."""

from __future__ import annotations

import re
from datetime import date

from sollicitations_ui.search.state import BAD_DATE

from .conftest import in_viewport, login, open_tab, screenshots, type_keys, wait_until

DU = "Période de saisie de la sollicitation : du"
AU = "Période de saisie de la sollicitation : au"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]  # fmt: skip


def search(page) -> None:
    page.get_by_role("button", name="Rechercher", exact=True).last.click()


def references(page) -> list[int]:
    cells = page.locator(".tabulator-cell[tabulator-field='Référence']").filter(visible=True)
    return [int(t) for t in cells.all_inner_texts()]


def test_calendar_in_french_and_a_typed_day_filters(shared_server, page, desk):
    login(page, shared_server, "fournisseur")
    open_tab(page, "Rechercher")
    page.get_by_label(DU, exact=True).click()
    calendar = page.locator(".flatpickr-calendar.open").first
    calendar.wait_for()
    # The month and weekdays in French, weeks from Monday; the "Rechercher" button still in view.
    assert calendar.locator(".cur-month").inner_text().strip() == MONTHS[date.today().month - 1]
    days = [d.strip() for d in calendar.locator(".flatpickr-weekday").all_inner_texts()]
    assert days[:2] == ["lun.", "mar."] and days[-1] == "dim.", days
    assert in_viewport(page, calendar)
    button = page.get_by_role("button", name="Rechercher", exact=True).last
    box, shown = button.bounding_box(), calendar.bounding_box()
    overlaps = not (
        box["y"] >= shown["y"] + shown["height"]
        or box["y"] + box["height"] <= shown["y"]
        or box["x"] >= shown["x"] + shown["width"]
        or box["x"] + box["width"] <= shown["x"]
    )
    assert not overlaps, (box, shown)
    screenshots(page, "dates-calendrier")
    page.keyboard.press("Escape")

    # Typed as a person types, then searched: only that day's requests (the package says which).
    me = desk.as_user("fournisseur")
    day = (
        me.search(
            1,
            50,
            sort="saisie",
            statut=["Brouillon", "Envoyée", "En cours", "Fermée", "Répondue", "Informations compl. requises"],
        )["Saisie le"]
        .iloc[0]
        .date()
    )
    typed = day.strftime("%d/%m/%Y")
    expected = sorted(me.search(1, 50, du=typed, au=typed)["Référence"].tolist())
    type_keys(page, DU, typed)
    type_keys(page, AU, typed)
    assert page.get_by_label(DU, exact=True).input_value() == typed
    search(page)
    wait_until(lambda: sorted(references(page)) == expected)
    assert expected and page.get_by_text(re.compile(r"n'est pas une date valide")).filter(visible=True).count() == 0
    assert page.console_errors == []


def test_an_impossible_date_is_refused_in_french_next_to_the_field(shared_server, page):
    login(page, shared_server, "fournisseur")
    open_tab(page, "Rechercher")
    for typed in ("31/02/2026", "12/13/2026", "hier"):
        type_keys(page, DU, typed)
        field = page.get_by_label(DU, exact=True)
        assert field.input_value() == typed  # what was typed stays, beside its message
        message = page.get_by_text(BAD_DATE["du"], exact=True).filter(visible=True).first
        message.wait_for()
        assert in_viewport(page, message)
        field_box, message_box = field.bounding_box(), message.bounding_box()
        assert 0 <= message_box["y"] - (field_box["y"] + field_box["height"]) < 40  # right under the field
        assert field.get_attribute("aria-invalid") == "true"
    screenshots(page, "dates-invalide")
    type_keys(page, DU, "15/01/2026")  # corrected: the message goes
    wait_until(lambda: page.get_by_text(BAD_DATE["du"], exact=True).filter(visible=True).count() == 0)
    assert page.console_errors == []

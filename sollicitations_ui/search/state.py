""" "Rechercher": the guide's criteria, one page of results, exports: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.lists import SEARCH_SORT
from sollicitations.status import Status

from .. import format as fmt
from ..common import NONE, Navigation, Pager, choices, messages_of, recipient_choices, structure_choices

# The dates' messages, as the package words them for a search (criteria._parse_date).
BAD_DATE = {
    "du": "La date de début de la période de saisie n'est pas une date valide (jj/mm/aaaa)",
    "au": "La date de fin de la période de saisie n'est pas une date valide (jj/mm/aaaa)",
}
ORDER = "Triées par date de saisie, les plus récentes d'abord"
ORDER_COLUMN = "Saisie le"


class SearchForm(param.Parameterized):
    """The "Rechercher" tab: the guide's criteria, then one page of results, newest first."""

    numero = param.String(default="")
    categorie = param.Selector(default=NONE, objects=[NONE])
    sous_categorie = param.Selector(default=NONE, objects=[NONE])
    numero_objet = param.String(default="")
    du = param.String(default="", doc="the start of the entry period, as typed or picked (jj/mm/aaaa)")
    au = param.String(default="", doc="its end, as typed or picked")
    du_error = param.String(default="", doc="why `du` is not a date, said under the field")
    au_error = param.String(default="")
    structure = param.Selector(default=NONE, objects=[NONE])
    destinataire_recherche = param.String(default="")
    destinataire = param.Selector(default=NONE, objects=[NONE])
    service_destinataire = param.Selector(default=NONE, objects=[NONE])  # a service code of `destinataire`
    cree_par = param.String(default="")
    mots = param.String(default="", doc="words of the description or of the exchanges, each a prefix")
    emetteur = param.String(default="", doc="emitter structure identifier, on the receivers' side")
    export_format = param.Selector(default="xlsx", objects={"Excel (XLSX)": "xlsx", "CSV": "csv"})
    progress = param.Integer(default=0, bounds=(0, 100))
    export_path = param.String(default="")
    export_message = param.String(default="")
    statuts = param.ListSelector(default=[], objects=[s.short_label for s in Status])
    rows = param.DataFrame(default=None, allow_None=True)
    errors = param.List(default=[])
    message = param.String(default="")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.navigation, self.space, self.pager = me, navigation, space, Pager(order=ORDER)
        self.order_column = ORDER_COLUMN
        self.param.categorie.objects = choices("Toutes", me.desk.catalogue.categories())
        if space == Space.EMISES:
            self.param.structure.objects = {"Toutes": NONE, **structure_choices(me, space)}
        else:  # the receiver picks among its own structures, and types the emitter's identifier
            self.param.destinataire.objects = {"Toutes": NONE, **structure_choices(me, space)}
        self._recipient_services()
        self.pager.param.watch(lambda e: self.run() if self.rows is not None else None, ["page", "page_size"])
        navigation.param.watch(lambda e: self.run() if self.rows is not None else None, "revision")

    @param.depends("categorie", watch=True)
    def _sub_categories(self):
        subs = self.me.desk.catalogue.sous_categories(self.categorie) if self.categorie else []
        self.param.sous_categorie.objects = choices("Toutes", subs)
        self.sous_categorie = NONE

    @param.depends("destinataire", watch=True)
    def _recipient_services(self):
        """ "Service destinataire": the services of the chosen recipient structure."""
        services = (self.me.desk.services(self.destinataire) if self.destinataire
                    else pd.DataFrame(columns=["Code", "Service"]))  # fmt: skip
        self.param.service_destinataire.objects = {"Tous": NONE, **dict(zip(services["Service"], services["Code"]))}
        if self.service_destinataire not in self.param.service_destinataire.objects.values():
            self.service_destinataire = NONE

    @param.depends("du", "au", watch=True, on_init=True)
    def _check_dates(self):
        """A typed date is checked as soon as the field is left: its message shows under it."""
        problems = {}
        for name in ("du", "au"):
            try:
                fmt.parse_day(getattr(self, name))
                problems[f"{name}_error"] = ""
            except ValueError:
                problems[f"{name}_error"] = BAD_DATE[name]
        self.param.update(problems)

    def criteria(self) -> dict:
        return {
            "numero": self.numero, "categorie": self.categorie, "sous_categorie": self.sous_categorie,
            "numero_objet": self.numero_objet, "du": self.du, "au": self.au,
            "structure": self.structure if self.space == Space.EMISES else self.emetteur,
            "destinataire": self.destinataire, "service_destinataire": self.service_destinataire,
            "cree_par": self.cree_par, "statut": list(self.statuts), "mots": self.mots,
        }  # fmt: skip

    def search(self) -> None:
        """The "Rechercher" button: back to page 1 with the current criteria."""
        if self.pager.page != 1:
            self.pager.page = 1  # the watcher runs the search
            if self.rows is not None:
                return
        self.run()

    def run(self) -> None:
        try:
            frame = self.me.search(self.pager.page, self.pager.page_size, self.space, sort=SEARCH_SORT,
                                   **self.criteria())  # fmt: skip
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), rows=None)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, errors=[])

    def reset(self) -> None:
        with param.parameterized.batch_call_watchers(self):
            for name in ("numero", "numero_objet", "cree_par", "mots", "destinataire_recherche", "emetteur"):
                setattr(self, name, "")
            self.param.update(categorie=NONE, structure=NONE, destinataire=NONE, service_destinataire=NONE,
                              du="", au="", statuts=[], rows=None, errors=[], message="")  # fmt: skip
            if self.space == Space.EMISES:
                self.param.destinataire.objects = [NONE]

    def find_recipients(self) -> None:
        """The structure search's "Rechercher": its matches to choose from; a single match is chosen."""
        try:
            found = recipient_choices(self.me, self.destinataire_recherche, None)
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), message="")
            return
        self.param.destinataire.objects = found
        matches = [value for value in found.values() if value != NONE]
        self.destinataire = matches[0] if len(matches) == 1 else NONE

    def clear_recipient(self) -> None:
        """ "Vider": the recipient structure, and with it its service."""
        self.destinataire_recherche = ""
        self.param.destinataire.objects = [NONE]
        self.param.update(destinataire=NONE, service_destinataire=NONE)  # the watcher empties the services

    def clear_recipient_service(self) -> None:
        """ "Vider" the recipient's service only."""
        self.service_destinataire = NONE

    def delete_draft(self, numero: int) -> None:
        try:
            self.me.delete_draft(numero)
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        self.message = f"La sollicitation n° {numero} a été supprimée."
        self.navigation.changed()

    def export(self) -> None:
        """ "Exporter les résultats": the whole result set to a file, with progress (see views). The
        previous export of this form is deleted: a session keeps one file at most (see `discard_export`)."""
        extension = self.export_format
        self.discard_export()
        handle, path = tempfile.mkstemp(prefix="export-", suffix=f".{extension}")
        os.close(handle)
        self.param.update(progress=0, export_path="", export_message="", errors=[])

        def advance(done: int, total: int) -> None:
            self.progress = int(100 * done / total) if total else 100

        try:
            rows = self.me.export(path, format=extension, space=self.space, progress=advance, **self.criteria())
        except sol.SollicitationError as e:
            os.unlink(path)
            self.param.update(errors=messages_of(e), progress=0)
            return
        self.param.update(progress=100, export_path=path,
                          export_message=f"{rows} ligne{'s' if rows > 1 else ''} exportée{'s' if rows > 1 else ''}.")  # fmt: skip

    def discard_export(self) -> None:
        """Delete the exported file (a new export replaces it; the session's end, see the view, too)."""
        if self.export_path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.export_path)
            self.param.update(export_path="", export_message="", progress=0)

    def detail_pdf(self, numero: int) -> io.BytesIO:
        return io.BytesIO(self.me.detail_pdf(numero))

""" "Synthèse": the list of requests to process: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import io

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.status import Status

from ..common import NONE, Navigation, Pager, list_file, structure_choices

# Said above the table: the package's order (lists._to_process_sort), newest first.
ORDER = {
    Space.EMISES: "Triées par date de saisie, les plus récentes d'abord",
    Space.RECUES: "Les sollicitations renvoyées d'abord, puis par date de saisie, les plus récentes d'abord",
}
ORDER_COLUMN = "Saisie le"

# The guide's "Action attendue de l'émetteur", per status of "Mes sollicitations à traiter".
EXPECTED_ACTIONS = {
    Status.BROUILLON.short_label: "Compléter et envoyer",
    Status.REPONDUE.short_label: "Clôturer",
    Status.INFORMATIONS_REQUISES.short_label: "Transmettre les informations",
}


class ToProcess(param.Parameterized):
    """ "Mes sollicitations à traiter", with its structure filter."""

    structure = param.Selector(default=NONE, objects=[NONE])
    rows = param.DataFrame(default=pd.DataFrame())
    error = param.String(default="")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.navigation, self.space = me, navigation, space
        self.pager = Pager(order=ORDER.get(space, ORDER[Space.RECUES]))
        self.order_column = ORDER_COLUMN
        self.param.structure.objects = {"Tous": NONE, **structure_choices(me, space)}
        self.pager.param.watch(lambda e: self.load(), ["page", "page_size"])
        navigation.param.watch(lambda e: self.load(), "revision")
        self.load()

    @param.depends("structure", watch=True)
    def _filter(self):
        self.pager.page = 1
        self.load()

    def load(self) -> None:
        try:
            frame = self.me.to_process(self.structure or None, self.pager.page, self.pager.page_size, space=self.space)
        except sol.SollicitationError as e:
            self.error = str(e)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, error="")

    def file(self, format: str) -> io.BufferedIOBase:
        return list_file(self.me, "to_process", self.space, format, structure=self.structure or None)

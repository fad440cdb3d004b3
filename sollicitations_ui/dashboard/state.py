""" "Tableau de bord": counts per structure and status, drill-down, monthly chart: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import io

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space

from ..common import Navigation, Pager, list_file, messages_of


def stack_top(frame: pd.DataFrame) -> float:
    """The height of the tallest stack of a stacked bar chart: the largest row total."""
    if frame is None or frame.empty:
        return 0.0
    return float(frame.select_dtypes("number").fillna(0).sum(axis=1).max())


class Dashboard(param.Parameterized):
    """ "Tableau de bord": counts per structure, then per service, then the list behind a count."""

    structure = param.String(default=None, allow_None=True)
    structure_label = param.String(default="")
    table = param.DataFrame(default=pd.DataFrame())
    list_title = param.String(default="")
    list_criteria = param.Dict(default=None, allow_None=True)
    rows = param.DataFrame(default=None, allow_None=True)
    monthly_by = param.Selector(default="statut", objects={"Statut": "statut", "Catégorie": "categorie"})
    errors = param.List(default=[])

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.navigation, self.space, self.pager = me, navigation, space, Pager()
        self.side = "structure" if space == Space.EMISES else "destinataire"
        self.pager.param.watch(lambda e: self._load_list(), ["page", "page_size"])
        navigation.param.watch(lambda e: self.refresh(), "revision")
        self.refresh()

    def filter_criteria(self) -> dict:
        """The managers' filters (period, category, recipient); none on the other spaces."""
        return {}

    def refresh(self) -> None:
        try:
            self.table = self.me.dashboard(self.structure, space=self.space, **self.filter_criteria())
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        self.errors = []
        self._load_list()

    def home(self) -> None:
        """The "Tableau de bord" link: back to the first table."""
        self.param.update(structure=None, list_criteria=None, rows=None, list_title="")
        self.refresh()

    def open_structure(self, structure: str) -> None:
        label = self.table.loc[structure].iloc[0] if structure in self.table.index else structure
        self.param.update(structure=structure, structure_label=label, list_criteria=None, rows=None, list_title="")
        self.refresh()

    def open_cell(self, key, status_label: str | None) -> None:
        """A count was clicked (or a service name, `status_label` None): list those requests."""
        criteria: dict = self.filter_criteria()
        service = "service_emetteur" if self.side == "structure" else "service_destinataire"
        if self.structure is None:
            criteria[self.side] = key
            label = self.table.loc[key].iloc[0]
        else:
            criteria.update({self.side: self.structure, service: key})
            label = f"{self.structure_label} / {self.table.loc[key].iloc[0]}"
        if status_label:
            criteria["statut"] = status_label
        self.list_title = f"{label}" + (f" - {status_label}" if status_label else "")
        self.list_criteria = criteria
        self.pager.page = 1
        self._load_list()

    def _load_list(self) -> None:
        if not self.list_criteria:
            return
        try:
            frame = self.me.search(self.pager.page, self.pager.page_size, self.space, **self.list_criteria)
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), rows=None)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, errors=[])

    def monthly(self) -> pd.DataFrame:
        """ "Sollicitations saisies par mois", under the same filters as the table (the managers')."""
        filters = {k: v for k, v in self.filter_criteria().items() if v is not None}
        return self.me.monthly(self.monthly_by, structure=self.structure, space=self.space, **filters)

    def monthly_axis(self, frame: pd.DataFrame) -> tuple[float, float]:
        """The chart's y range: from 0 to a little above its tallest stack (the month's total), not
        to the sum of every month nor to another figure's range."""
        return (0, max(1.0, stack_top(frame)) * 1.08)

    def monthly_csv(self) -> io.BytesIO:
        frame = self.monthly()
        frame.index = pd.to_datetime(frame.index).strftime("%m/%Y")
        frame.index.name = "Mois"
        return io.BytesIO(("\ufeff" + frame.reset_index().to_csv(sep=";", index=False)).encode("utf-8"))

    def file(self, format: str) -> io.BufferedIOBase:
        return list_file(self.me, "search", self.space, format, **(self.list_criteria or {}))

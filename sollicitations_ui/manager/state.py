""" "Activités du gestionnaire": filters, the status table and the figures: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import io

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space

from ..common import NONE, Navigation, choices, messages_of
from ..dashboard.state import Dashboard

# The sub-tabs of the managers' page, in their order: the status table first, then one per figure.
SECTIONS = {
    "statuts": "Par statut",
    "mois": "Par mois",
    "weekly_flow": "Flux hebdomadaire",
    "backlog": "Stock",
    "delays": "Délais",
    "reopen_rates": "Réouvertures",
    "oldest_open": "Plus anciennes",
}
# The figures the package computes (UserDesk methods of the same names), with their titles.
FIGURES = {
    "weekly_flow": "Entrées et fermetures par semaine",
    "backlog": "Sollicitations ouvertes par statut, en fin de semaine",
    "delays": "Délais de première réponse et de clôture",
    "reopen_rates": "Taux de réouverture",
    "oldest_open": "Sollicitations ouvertes les plus anciennes",
}
GROUPED = ("delays", "reopen_rates")  # grouped by `delays_by`


class ManagerDashboard(Dashboard):
    """The managers' dashboard: the same drill-down across every structure, with filters and figures.

    The figures are sub-tabs: a figure is queried when its sub-tab is first opened (`open_section`),
    then kept until the filters or its grouping change.
    """

    du = param.Date(default=None, allow_None=True)
    au = param.Date(default=None, allow_None=True)
    categorie = param.Selector(default=NONE, objects=[NONE])
    destinataire = param.String(default="", doc="recipient structure identifier")
    delays_by = param.Selector(default="destinataire", objects={"Structure destinataire": "destinataire",
                                                                "Catégorie": "categorie"})  # fmt: skip
    revision = param.Integer(default=0, doc="bumped when the filters are applied: figures reload")
    section = param.Selector(default="statuts", objects=list(SECTIONS), doc="the sub-tab shown")
    opened = param.List(default=["statuts"], doc="the sub-tabs shown at least once (built, queried)")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.TOUTES, **params):
        super().__init__(me, navigation, space, **params)
        self._frames: dict[tuple, pd.DataFrame] = {}
        self.param.categorie.objects = choices("Toutes", me.desk.catalogue.categories())

    def filter_criteria(self) -> dict:
        return {"du": self.du, "au": self.au, "categorie": self.categorie or None,
                "destinataire": self.destinataire.strip() or None}  # fmt: skip

    def apply(self) -> None:
        """ "Appliquer": the table, the open list and every figure follow the filters."""
        self.param.update(structure=None, list_criteria=None, rows=None, list_title="")
        self.refresh()
        if not self.errors:
            self._frames.clear()
            self.revision += 1

    def open_section(self, key: str) -> None:
        """A sub-tab was clicked: it is shown, and built (its figure queried) the first time only."""
        self.section = key
        if key not in self.opened:
            self.opened = [*self.opened, key]

    def _key(self, name: str) -> tuple:
        return (name, self.revision, self.delays_by if name in GROUPED else None)

    def figure(self, name: str) -> pd.DataFrame:
        """One figure's data, computed by the package under the filters applied; kept until they change."""
        key = self._key(name)
        if key not in self._frames:
            filters = self.filter_criteria()
            if name in GROUPED:
                frame = getattr(self.me, name)(self.delays_by, space=self.space, **filters)
            elif name == "oldest_open":
                frame = self.me.oldest_open(20, space=self.space, **filters)
            elif name in FIGURES:
                frame = getattr(self.me, name)(space=self.space, **filters)
            else:
                raise KeyError(name)
            self._frames[key] = frame
        return self._frames[key]

    def figure_or_errors(self, name: str) -> pd.DataFrame | list[str]:
        """The figure's data, or the French messages saying why it cannot be computed."""
        try:
            return self.figure(name)
        except sol.SollicitationError as e:
            return messages_of(e)

    def queried(self) -> set[str]:
        """The figures computed for the filters applied now (for tests and for the curious)."""
        return {name for name, revision, by in self._frames if revision == self.revision}

    def figure_csv(self, name: str) -> io.BytesIO:
        frame = self.figure(name).copy()
        frame = frame.reset_index() if frame.index.name not in (None, "cle") else frame.reset_index(drop=True)
        return io.BytesIO(("\ufeff" + frame.to_csv(sep=";", index=False, date_format="%d/%m/%Y")).encode("utf-8"))

""""Activités du gestionnaire": filters, the status table and the figures: the state, in plain param (no Panel: tested without a browser)."""
from __future__ import annotations

import io

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space

from ..common import (NONE, Navigation, choices)
from ..dashboard.state import Dashboard


class ManagerDashboard(Dashboard):
    """The managers' dashboard: the same drill-down across every structure, with filters and figures."""

    du = param.Date(default=None, allow_None=True)
    au = param.Date(default=None, allow_None=True)
    categorie = param.Selector(default=NONE, objects=[NONE])
    destinataire = param.String(default="", doc="recipient structure identifier")
    delays_by = param.Selector(default="destinataire", objects={"Structure destinataire": "destinataire",
                                                                "Catégorie": "categorie"})  # fmt: skip
    revision = param.Integer(default=0, doc="bumped when the filters are applied: figures reload")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.TOUTES, **params):
        super().__init__(me, navigation, space, **params)
        self.param.categorie.objects = choices("Toutes", me.desk.catalogue.categories())

    def filter_criteria(self) -> dict:
        return {"du": self.du, "au": self.au, "categorie": self.categorie or None,
                "destinataire": self.destinataire.strip() or None}  # fmt: skip

    def apply(self) -> None:
        """ "Appliquer": the table, the open list and every figure follow the filters."""
        self.param.update(structure=None, list_criteria=None, rows=None, list_title="")
        self.refresh()
        if not self.errors:
            self.revision += 1

    def figure(self, name: str) -> pd.DataFrame:
        """One figure's data, computed by the package ("weekly_flow", "backlog", "delays", ...)."""
        filters = self.filter_criteria()
        if name in ("delays", "reopen_rates"):
            return getattr(self.me, name)(self.delays_by, space=self.space, **filters)
        if name == "oldest_open":
            return self.me.oldest_open(20, space=self.space, **filters)
        return getattr(self.me, name)(space=self.space, **filters)

    def figure_csv(self, name: str) -> io.BytesIO:
        frame = self.figure(name)
        frame = frame.reset_index() if frame.index.name not in (None, "cle") else frame.reset_index(drop=True)
        return io.BytesIO(("\ufeff" + frame.to_csv(sep=";", index=False, date_format="%d/%m/%Y")).encode("utf-8"))

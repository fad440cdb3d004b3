"""One space of the page ("Sollicitations émises", "reçues", the managers'): its tabs and their states."""

from __future__ import annotations

from collections.abc import Callable

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.status import Action, Status

from .common import Navigation
from .dashboard.state import Dashboard
from .dashboard.view import DashboardView
from .detail.state import Detail
from .detail.view import DetailView
from .entry.state import EntryForm
from .entry.view import EntryView
from .manager.state import ManagerDashboard
from .manager.view import ManagerView
from .outbox.state import Outbox
from .outbox.view import OutboxView
from .search.state import SearchForm
from .search.view import SearchView
from .synthesis.state import ToProcess
from .synthesis.view import SyntheseView
from .widgets import LazyTabs


class SpaceView(Viewer):
    """One space ("Sollicitations émises", "Sollicitations reçues", managers') for one logged-in user.

    Only the state the whole space shares is made here (navigation, search, detail, entry form);
    each tab's own state and queries (to-process list, dashboard, outbox) and its widgets wait for
    the tab's first display (see LazyTabs).
    """

    def __init__(self, me: sol.UserDesk, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.space = me, space
        self.navigation = Navigation()
        self.search = SearchForm(me, self.navigation, space)
        self.detail = Detail(me, self.navigation)
        self.entry = None
        self.to_process = self.dashboard = self.outbox = None
        views: list[tuple[str, str, Callable[[], Viewer]]] = []
        if space == Space.TOUTES:
            views.append(("tableau", "Tableau de bord", self._manager_view))
        else:
            views.append(("synthese", "Synthèse", self._synthese_view))
        if space == Space.EMISES:
            self.entry = EntryForm(me, self.navigation)
            self.entry.new()
            views.append(("saisir", "Saisir sollicitation", lambda: EntryView(self.entry)))
        views.append(("rechercher", "Rechercher", lambda: SearchView(self.search, self.open_request)))
        views.append(("consulter", "Consulter", lambda: DetailView(self.detail)))
        if space != Space.TOUTES:
            views.append(("tableau", "Tableau de bord", self._dashboard_view))
        if space != Space.EMISES and me.can_read_outbox():
            views.append(("courriels", "Courriels", self._outbox_view))
        self.lazy = LazyTabs([(label, build) for _, label, build in views], sizing_mode="stretch_width")
        self.tabs = self.lazy.tabs
        keys = [key for key, _, _ in views]
        self.navigation.param.tab.objects = keys
        self.navigation.tab = keys[0]
        self.tabs.param.watch(lambda e: setattr(self.navigation, "tab", keys[e.new]), "active")
        self.navigation.param.watch(lambda e: setattr(self.tabs, "active", keys.index(e.new)), "tab")
        self.navigation.param.watch(lambda e: self.detail.reload(), "revision")

    def _synthese_view(self) -> Viewer:
        self.to_process = ToProcess(self.me, self.navigation, self.space)
        return SyntheseView(self.to_process, self.open_request)

    def _dashboard_view(self) -> Viewer:
        self.dashboard = Dashboard(self.me, self.navigation, self.space)
        return DashboardView(self.dashboard, self.open_request)

    def _manager_view(self) -> Viewer:
        self.dashboard = ManagerDashboard(self.me, self.navigation, self.space)
        return ManagerView(self.dashboard, self.open_request)

    def _outbox_view(self) -> Viewer:
        self.outbox = Outbox(self.me, self.navigation)
        return OutboxView(self.outbox, self.open_request)

    def open_request(self, numero, act: bool = False) -> None:
        """Clicking a number anywhere: a draft opens in the entry form, anything else in "Consulter".

        With `act`, the block of the action the status expects is opened too (Synthèse's actions).
        """
        if not self.detail.open(numero):
            self.navigation.tab = "consulter"
            return
        status = self.detail.data["statut"]
        if self.entry is not None and status == Status.BROUILLON and Action.SUBMIT in self.detail.data["actions"]:
            self.entry.load(self.detail.numero)
            self.navigation.tab = "saisir"
            return
        self.navigation.tab = "consulter"
        if act and status == Status.REPONDUE and self.detail.can(Action.CLOSE_RESOLVED):
            self.detail.start_closing()
        elif act and status == Status.INFORMATIONS_REQUISES and self.detail.can(Action.ADD_COMPLEMENT):
            self.detail.start_complement()

    def __panel__(self):
        self.lazy.show(self.tabs.active)  # the tab shown first (after a ?numero=N, "Consulter")
        return self.tabs

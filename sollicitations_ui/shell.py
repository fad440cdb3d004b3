"""The page around the spaces: header with the user, the spaces its habilitations open."""

from __future__ import annotations

import panel as pn

import sollicitations as sol
from sollicitations.access import Space

from . import format as fmt
from .aria import PageRepairs, footer
from .space import SpaceView
from .widgets import LazyTabs

SPACE_LABELS = {
    Space.EMISES: "Sollicitations émises",
    Space.RECUES: "Sollicitations reçues",
    Space.TOUTES: "Activités du gestionnaire",
}


NOTIFICATIONS = "Recevoir les notifications par courriel"


def build_page(desk: sol.Desk, login: str | None, location=None) -> pn.template.BaseTemplate:
    template = pn.template.BootstrapTemplate(title="Sollicitations", header_background="#000091")
    template.header.append(PageRepairs(height=0, width=0, margin=0))
    try:
        me = desk.as_user(login)
    except sol.PermissionDenied:
        template.main.append(pn.pane.HTML(fmt.errors_html(["Votre compte n'est habilité sur aucune structure."])))
        template.main.append(footer())
        return template
    template.header.append(pn.pane.HTML(
        f'<div style="color:#fff;text-align:right;padding-top:6px">{fmt.esc(me.user.prenom)} {fmt.esc(me.user.nom)}'
        ' — <a href="./logout" style="color:#fff">Se déconnecter</a></div>'
    ))  # fmt: skip
    # A group of one: Panel's Checkbox draws its text beside the box, not as its <label> (axe: "label").
    notifications = pn.widgets.CheckBoxGroup(options=[NOTIFICATIONS], value=[NOTIFICATIONS] if me.notifications() else [],
                                             styles={"color": "white"}, width=300, css_classes=["notifications"])  # fmt: skip
    notifications.param.watch(lambda e: me.set_notifications(NOTIFICATIONS in e.new), "value")
    template.header.append(notifications)
    spaces = me.user.spaces()
    if not spaces:
        template.main.append(pn.pane.HTML(fmt.errors_html(["Votre compte n'est habilité sur aucune structure."])))
        template.main.append(footer())
        return template
    views = [(SPACE_LABELS[space], SpaceView(me, space)) for space in spaces]
    if location is not None and "numero" in location.query_params:
        _open_from_url(views, location.query_params.get("numero"))
    if len(views) == 1:
        # The page's one first-level heading: the space (its blocks' titles come below it).
        template.main.append(pn.Column(pn.pane.HTML(f'<h1 style="font-size:1.5em">{views[0][0]}</h1>'), views[0][1]))
    else:
        # One tab per space; a space's widgets are built on its first display (so are its tabs').
        spaces_tabs = LazyTabs([(label, lambda view=view: view) for label, view in views])
        spaces_tabs.show(0)
        template.main.append(pn.pane.HTML('<h1 style="font-size:1.5em">Mes espaces</h1>'))
        template.main.append(spaces_tabs.tabs)
    template.main.append(footer())
    return template


def _open_from_url(views, numero) -> None:
    """?numero=N opens the request in the first space that may show it, or says it cannot."""
    for _label, view in views:
        if view.detail.open(numero):
            view.open_request(numero)
            return
    views[0][1].open_request(numero)

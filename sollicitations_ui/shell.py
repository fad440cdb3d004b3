"""The page around the spaces: header with the user, the spaces its habilitations open."""
from __future__ import annotations

import panel as pn

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.rules import parse_numero

from . import format as fmt
from .views import EmisesSpace

SPACE_LABELS = {
    Space.EMISES: "Sollicitations émises",
    Space.RECUES: "Sollicitations reçues",
    Space.TOUTES: "Activités du gestionnaire",
}


def build_page(desk: sol.Desk, login: str | None, location=None) -> pn.template.BaseTemplate:
    template = pn.template.BootstrapTemplate(title="Sollicitations", header_background="#000091")
    try:
        me = desk.as_user(login)
    except sol.PermissionDenied:
        template.main.append(pn.pane.HTML(fmt.errors_html(["Votre compte n'est habilité sur aucune structure."])))
        return template
    template.header.append(pn.pane.HTML(
        f'<div style="color:#fff;text-align:right;padding-top:6px">{fmt.esc(me.user.prenom)} {fmt.esc(me.user.nom)}'
        ' — <a href="./logout" style="color:#fff">Se déconnecter</a></div>'
    ))  # fmt: skip
    spaces = me.user.spaces()
    sections = []
    if Space.EMISES in spaces:
        emises = EmisesSpace(me)
        sections.append((SPACE_LABELS[Space.EMISES], emises))
        numero = parse_numero(location.query_params.get("numero")) if location is not None else None
        if location is not None and "numero" in location.query_params:
            emises.open_request(numero if numero is not None else location.query_params.get("numero"))
    for space in spaces:
        if space != Space.EMISES:
            sections.append((SPACE_LABELS[space], pn.pane.HTML(
                f"<p>L'espace « {SPACE_LABELS[space]} » n'est pas encore disponible dans cette version.</p>")))
    if len(sections) == 1:
        template.main.append(pn.Column(pn.pane.HTML(f"<h2>{sections[0][0]}</h2>"), sections[0][1]))
    else:
        template.main.append(pn.Tabs(*sections, dynamic=True))
    return template

""" "Rechercher": the guide's criteria, one page of results, exports: the thin Panel view."""

from __future__ import annotations

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import panel as pn
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.status import Status

from .. import format as fmt
from ..dates import date_picker
from ..tables import list_table
from ..widgets import Feedback, PagerView, button, card, fmt_messages, html, label
from .state import SearchForm

PERIODE = "Période de saisie de la sollicitation"


# Outlines of the rows' action icons (16x16): consult, view, download, delete.
ICONS = {
    "Consulter": '<circle cx="7" cy="7" r="4.5"/><path d="M10.5 10.5L15 15"/>',
    "Visualiser": '<path d="M1 8s2.6-4.8 7-4.8S15 8 15 8s-2.6 4.8-7 4.8S1 8 1 8z"/><circle cx="8" cy="8" r="2"/>',
    "Télécharger": '<path d="M8 1.5v9M4.2 7l3.8 3.8L11.8 7M2 14.5h12"/>',
    "Supprimer": '<path d="M2 4h12M6 4V2h4v2M3.5 4l1 10.5h7l1-10.5M6.5 7v5M9.5 7v5"/>',
}


class SearchView(Viewer):
    def __init__(self, form: SearchForm, open_request, **params):
        super().__init__(**params)
        self.form, self.open_request = form, open_request
        self.pending_delete = pn.Row(visible=False)

    def __panel__(self):
        f = self.form
        w = pn.widgets
        if pn.state.curdoc is not None and pn.state.curdoc.session_context is not None:
            pn.state.on_session_destroyed(lambda _context: f.discard_export())  # no file left behind
        criteria = card(
            "Critères de recherche",
            pn.Row(
                pn.Column(
                    w.TextInput.from_param(f.param.numero, name="Numéro de la sollicitation", placeholder="Numéro de la sollicitation"),
                    w.Select.from_param(f.param.categorie, name="Sélectionner une catégorie"),
                    w.Select.from_param(f.param.sous_categorie, name="Sélectionner une sous-catégorie"),
                    w.TextInput.from_param(f.param.numero_objet, name="Numéro d'objet", placeholder="Numéro d'objet"),
                    # As the guide: "Période de saisie de la sollicitation", then "du" and "au". The calendar
                    # opens above the dates, so that "Rechercher" below stays in view.
                    label(PERIODE),
                    pn.Row(date_picker(f.param.du, "du", error=f.param.du_error, position="above",
                                       accessible_name=f"{PERIODE} : du"),
                           date_picker(f.param.au, "au", error=f.param.au_error, position="above",
                                       accessible_name=f"{PERIODE} : au")),
                ),
                pn.Column(*self._structure_criteria(), w.TextInput.from_param(f.param.cree_par, name="Créé par",
                                                                              placeholder="Créé par"),
                          w.TextInput.from_param(f.param.mots, name="Mots-clés",
                                                 placeholder="Mots de la description ou des échanges",
                                                 description="Chaque mot est cherché en début de mot, sans tenir compte"
                                                             " des accents ; tous les mots doivent figurer.")),
            ),
            label("Statut sollicitation"),
            w.CheckBoxGroup.from_param(f.param.statuts, name="Statut sollicitation", inline=True),
            pn.Row(button("Réinitialiser", f.reset), button("Rechercher", f.search, kind="primary")),
            # The search's answer (its French errors, a deletion's confirmation) under the buttons clicked.
            Feedback(errors=f.param.errors, message=f.param.message, sizing_mode="stretch_width"),
        )  # fmt: skip
        ready = w.FileDownload(label="Télécharger le fichier", button_type="success", width=200, sizing_mode="fixed",
                               visible=f.param.export_path.rx.bool())  # fmt: skip
        f.param.watch(lambda e: ready.param.update(file=e.new or None, filename=f"resultats-recherche.{f.export_format}")
                      if e.new else None, "export_path")  # fmt: skip
        export = pn.Row(
            w.Select.from_param(f.param.export_format, name="Format", width=140),
            button("Exporter les résultats", f.export, align="end"),
            pn.indicators.Progress(value=f.param.progress, max=100, width=160, visible=f.param.progress.rx() > 0,
                                   align="center"),
            pn.pane.HTML(pn.bind(fmt.esc, f.param.export_message), width=160, sizing_mode="fixed", align="center"), ready,
        )  # fmt: skip
        results = pn.bind(self._results, f.param.rows)
        return pn.Column(
            criteria,
            self.pending_delete,
            # The export on its own line: its "Télécharger le fichier" stays whole at 1024 px.
            card("Résultat de la recherche", export, PagerView(f.pager), results),
            sizing_mode="stretch_width",
        )

    def _structure_criteria(self) -> list:
        f, w = self.form, pn.widgets
        if f.space == Space.EMISES:
            emitter = w.Select.from_param(f.param.structure, name="Identifiant structure émettrice")
        else:
            emitter = w.TextInput.from_param(f.param.emetteur, name="Identifiant structure émettrice",
                                             placeholder="14 chiffres")  # fmt: skip
        # The guide's "Service destinataire": the services of the recipient structure chosen above.
        service = pn.Row(w.Select.from_param(f.param.service_destinataire, name="Service destinataire",
                                             disabled=f.param.destinataire.rx.not_()),
                         button("Vider", f.clear_recipient_service, align="end"))  # fmt: skip
        if f.space == Space.RECUES:
            return [emitter, w.Select.from_param(f.param.destinataire, name="Structure destinataire"), service]
        return [
            emitter,
            pn.Row(w.TextInput.from_param(f.param.destinataire_recherche, name="Structure destinataire"),
                   button("Rechercher", f.find_recipients, align="end"),
                   button("Vider", f.clear_recipient, align="end")),
            w.Select.from_param(f.param.destinataire, name="Structure destinataire trouvée"),
            service,
        ]  # fmt: skip

    ACTIONS = ("Consulter", "Visualiser", "Télécharger")

    @staticmethod
    def link(name: str) -> str:
        """A row's action as the guide draws it, an icon; its name is the title and the text read aloud."""
        return (f'<span class="row-action" title="{name}"><svg aria-hidden="true" width="18" height="18" viewBox="0 0 16 16"'
                f' fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">'
                f'{ICONS[name]}</svg><span class="sr-only">{name}</span></span>')  # fmt: skip

    def _results(self, rows):
        links: tuple[str, ...] = ()
        if rows is not None and not rows.empty:
            # Each row's actions as link cells; "Supprimer" only on drafts, as the guide says: "La supprimer
            # (uniquement si le statut est « Brouillon »)". Other rows get an empty cell.
            rows = rows.copy()
            rows.attrs = {}
            links = self.ACTIONS + (("Supprimer",) if self.form.space == Space.EMISES else ())
            for name in self.ACTIONS:
                rows[name] = self.link(name)
            if "Supprimer" in links:
                rows["Supprimer"] = [self.link("Supprimer") if s == Status.BROUILLON.short_label else ""
                                     for s in rows["Statut sollicitation"]]  # fmt: skip
        # The links share one "Actions" header (see list_table).
        self._shown = list_table(rows, self.open_request, on_button=self._row_action, link_columns=links,
                                 reuse=getattr(self, "_shown", None), order_column=self.form.order_column)  # fmt: skip
        return self._shown

    def _row_action(self, column, row):
        numero = int(row["Référence"])
        if column == "Consulter":
            self.open_request(numero)
            return
        if column in ("Visualiser", "Télécharger"):
            self._pdf_action(column, numero)
            return
        if row["Statut sollicitation"] != Status.BROUILLON.short_label:
            self.form.errors = ["Seule une sollicitation au statut « Brouillon » peut être supprimée"]
            return

        def confirm():
            self.pending_delete.visible = False
            self.form.delete_draft(numero)

        self.pending_delete.objects = [
            html(f"<strong>Supprimer la sollicitation n° {numero} ? Cette action est définitive.</strong>"),
            button("Confirmer la suppression", confirm, kind="danger"),
            button("Annuler", lambda: setattr(self.pending_delete, "visible", False)),
        ]
        self.pending_delete.visible = True

    def _pdf_action(self, column: str, numero: int) -> None:
        """ "Visualiser" shows the detail PDF in the page; "Télécharger" offers the file."""
        try:
            data = self.form.detail_pdf(numero)
        except sol.SollicitationError as e:
            self.form.errors = fmt_messages(e)
            return
        close = button("Fermer", lambda: setattr(self.pending_delete, "visible", False))
        if column == "Visualiser":
            body = pn.pane.PDF(data, height=700, sizing_mode="stretch_width")
        else:
            body = pn.widgets.FileDownload(file=data, filename=f"sollicitation-{numero}.pdf", button_type="success",
                                           label=f"Télécharger le détail n° {numero} (PDF)", width=320)  # fmt: skip
        self.pending_delete.objects = [pn.Column(pn.Row(html(f"<strong>Sollicitation n° {numero}</strong>"), close), body,
                                                 sizing_mode="stretch_width")]  # fmt: skip
        self.pending_delete.visible = True

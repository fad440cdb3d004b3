""""Saisir sollicitation": a new request or a draft being completed: the thin Panel view."""
from __future__ import annotations


import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
from panel.viewable import Viewer

from sollicitations.status import Status

from .. import format as fmt
from ..widgets import (button, card, html, label)
from .state import EntryForm


class EntryView(Viewer):
    """ "Saisir sollicitation": the guide's four blocks and its three buttons."""

    def __init__(self, form: EntryForm, **params):
        super().__init__(**params)
        self.form = form

    def __panel__(self):
        f = self.form
        w = pn.widgets
        editable = f.param.statut.rx().rx.pipe(lambda s: s in ("", Status.BROUILLON.short_label))
        disabled = editable.rx.not_()

        def select(p, name, **kw):
            return w.Select.from_param(p, name=name, disabled=disabled, sizing_mode="stretch_width", **kw)

        def text(p, name, **kw):
            return w.TextInput.from_param(p, name=name, disabled=disabled, sizing_mode="stretch_width", **kw)

        title = pn.bind(
            lambda n, d, st: '<div class="detail-title">Détail de la sollicitation'
            + (f" n° {n} saisie le {fmt.long_day(d)} — statut : {fmt.esc(st)}" if n else " (nouvelle)") + "</div>",
            f.param.numero, f.param.saisie_le, f.param.statut,
        )  # fmt: skip
        header = card(
            "En-tête de la sollicitation",
            pn.Row(
                pn.Column(select(f.param.categorie, "Sélectionner une catégorie *"),
                          select(f.param.sous_categorie, "Sélectionner une sous-catégorie *")),
                pn.Column(select(f.param.type_objet, "Type de l'objet concerné par la sollicitation", visible=f.param.needs_object),
                          text(f.param.numero_objet, "Numéro", visible=f.param.needs_object)),
            ),
        )  # fmt: skip
        emitter = card(
            "Informations Structure émettrice",
            pn.Row(
                pn.Column(select(f.param.structure, "Désignation de la structure émettrice *"),
                          select(f.param.service, "Service"),
                          w.TextInput.from_param(f.param.identifiant, name="Identifiant de la structure", disabled=True)),
                pn.Column(text(f.param.email, "Adresse électronique de contact"),
                          text(f.param.telephone, "Téléphone de contact")),
            ),
        )  # fmt: skip
        recipient = card(
            "Destinataire",
            label("Le destinataire est-il un service de l'Etat ?"),
            w.RadioBoxGroup.from_param(f.param.destinataire_etat, name="Le destinataire est-il un service de l'Etat ?",
                                       inline=True, disabled=disabled),
                        pn.Row(text(f.param.destinataire_recherche, "Destinataire", placeholder="Nom ou identifiant"),
                   button("Rechercher", f.find_recipients, align="end", disabled=disabled)),
            select(f.param.destinataire, "Structure destinataire *"),
            pn.Row(select(f.param.service_destinataire, "Service"),
                   button("Vider", f.clear_recipient_service, align="end", disabled=disabled)),
        )  # fmt: skip
        description = card(
            "Description",
            w.TextAreaInput.from_param(f.param.description, name="Description *", height=160,
                                       disabled=disabled, sizing_mode="stretch_width", max_length=10_000),
        )  # fmt: skip
        files = w.FileInput(multiple=True, name="Parcourir...", sizing_mode="stretch_width")

        def add():
            if files.value:
                names = files.filename if isinstance(files.filename, list) else [files.filename]
                values = files.value if isinstance(files.value, list) else [files.value]
                f.add_attachments(dict(zip(names, values)))
                files.clear()

        attachments_table = pn.bind(self._attachments_table, f.param.attachments)
        management = pn.Column(
            pn.Row(files, w.Select.from_param(f.param.attachment_type, name="Type de pièce jointe", width=220),
                   button("Ajouter", add, kind="primary", align="end")),
            visible=False,
        )  # fmt: skip
        toggle = button("+Gestion des pièces jointes", lambda: setattr(management, "visible", not management.visible),
                        disabled=f.param.numero.rx.is_(None))  # fmt: skip
        self._selected_attachments: list[int] = []
        delete = button("Supprimer pièces jointes", lambda: f.delete_attachments(self._selected_attachments),
                        disabled=disabled)  # fmt: skip
        # The name is set when the file is made (see _download): one file keeps its own, several make a ZIP.
        download = self._download_button = w.FileDownload(callback=self._download, filename="pieces-jointes.zip",
                                                          label="Télécharger pièces jointes", button_type="light",
                                                          width=220)  # fmt: skip
        attachments = card(
            "Pièces jointes",
            html(pn.bind(lambda df: f"Total de {len(df)} pièce(s) jointe(s).", f.param.attachments)),
            attachments_table,
            pn.Row(delete, download, toggle),
            management,
            html(pn.bind(lambda n: "" if n else "<em>Enregistrez la sollicitation pour pouvoir y joindre des fichiers.</em>", f.param.numero)),
        )  # fmt: skip
        actions = pn.Row(
            button("Saisir une nouvelle sollicitation", f.new),
            button("Enregistrer", f.save, kind="primary", disabled=disabled),
            button("Valider et envoyer", f.send, kind="success", disabled=disabled),
        )
        feedback = [html(pn.bind(fmt.errors_html, f.param.errors)), html(pn.bind(fmt.message_html, f.param.message))]
        return pn.Column(
            html(title), *feedback,
            # Shown for the pairs that need a chosen recipient only; a Card bound to `visible` stays drawn
            # in the browser (Bokeh 3.9), a Column around it hides.
            header, emitter, pn.Column(recipient, visible=f.param.needs_recipient, sizing_mode="stretch_width"),
            description, attachments,
            *[html(pane.object) for pane in feedback], actions,
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _attachments_table(self, frame: pd.DataFrame):
        self._selected_attachments = []
        if frame is None or frame.empty:
            return html("")
        shown = frame[["id", "Type", "Désignation", "Extension", "Nom du fichier"]]
        table = pn.widgets.Tabulator(shown, show_index=False, disabled=True, selectable="checkbox",
                                     hidden_columns=["id"], sizing_mode="stretch_width", layout="fit_columns",
                                     formatters={c: {"type": "plaintext"} for c in shown.columns if c != "id"})  # fmt: skip

        def selected(event):
            self._selected_attachments = [int(shown.iloc[i]["id"]) for i in event.new]

        table.param.watch(selected, "selection")
        return table

    def _download(self):
        if self.form.numero is None or self.form.attachments.empty:
            return None
        from ..common import attachments_download

        name, data = attachments_download(self.form.me, self.form.numero, self._selected_attachments or None)
        self._download_button.filename = name  # read by FileDownload after this callback returns
        return data

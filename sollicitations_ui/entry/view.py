""" "Saisir sollicitation": a new request or a draft being completed: the thin Panel view."""

from __future__ import annotations

import pandas as pd
import panel as pn
from panel.viewable import Viewer

from .. import format as fmt
from ..tables import tabulator
from ..widgets import Confirmation, Feedback, button, card, chosen, html, label
from .state import EntryForm

ATTACHMENT_COLUMNS = ["Type", "Désignation", "Extension", "Nom du fichier"]
# The ticking column is a little narrower than its checkbox: no "…" after it.
CHECKBOX_CELL_CSS = ":host .tabulator-cell:has(input[type='checkbox']) { text-overflow: clip; }"


def attachments_height(rows: int) -> int:
    """The table's height for `rows` rows (at least the place of one: "Aucune pièce jointe"), up to 8 rows;
    beyond, the table scrolls."""
    return 52 + 46 * max(1, min(rows, 8))


class EntryView(Viewer):
    """ "Saisir sollicitation": the guide's four blocks and its three buttons.

    What is shown (which buttons, which block, which message where) is the state's decision; this
    view binds widgets to it.
    """

    def __init__(self, form: EntryForm, **params):
        super().__init__(**params)
        self.form = form

    def __panel__(self):
        f = self.form
        w = pn.widgets
        disabled = f.param.editable.rx.not_()

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
                   button("Rechercher", f.find_recipients, align="end", visible=f.param.editable)),
            Feedback(errors=f.param.recipient_errors, message=f.param.recipient_message, sizing_mode="stretch_width"),
            select(f.param.destinataire, "Structure destinataire *"),
            pn.Row(select(f.param.service_destinataire, "Service"),
                   button("Vider", f.clear_recipient_service, align="end", visible=f.param.editable)),
        )  # fmt: skip
        description = card(
            "Description",
            w.TextAreaInput.from_param(f.param.description, name="Description *", height=160,
                                       disabled=disabled, sizing_mode="stretch_width", max_length=10_000),
        )  # fmt: skip
        files = w.FileInput(multiple=True, name="Parcourir...", sizing_mode="stretch_width")

        def add():
            picked = chosen(files)
            f.add_attachments(picked)
            if picked:
                files.clear()

        # The guide's "Gestion des pièces jointes" window: the file picker, the type, "Ajouter", "Retour".
        management = pn.Column(
            pn.Row(files, w.Select.from_param(f.param.attachment_type, name="Type de pièce jointe", width=220),
                   button("Ajouter", add, kind="primary", align="end"),
                   button("Retour", f.close_management, align="end")),
            visible=f.param.managing, sizing_mode="stretch_width",
        )  # fmt: skip
        toggle = button("+Gestion des pièces jointes", f.toggle_management,
                        visible=f.param.manage_shown, disabled=f.param.manage_enabled.rx.not_())  # fmt: skip
        delete = button("Supprimer pièces jointes", f.delete_attachments,
                        visible=f.param.delete_shown, disabled=f.param.delete_enabled.rx.not_())  # fmt: skip
        # The name is set when the file is made (see _download): one file keeps its own, several make a ZIP.
        download = self._download_button = w.FileDownload(
            callback=self._download, filename="pieces-jointes.zip", label="Télécharger pièces jointes",
            button_type="light", width=220, disabled=f.param.download_enabled.rx.not_(),
        )  # fmt: skip
        attachments = card(
            "Pièces jointes",
            html(pn.bind(lambda df: f"Total de {len(df)} pièce(s) jointe(s).", f.param.attachments)),
            self._attachments_table(),
            pn.Row(delete, download, toggle),
            management,
            Feedback(errors=f.param.attachment_errors, message=f.param.attachment_message, sizing_mode="stretch_width"),
            html(pn.bind(lambda hint: f"<em>{fmt.esc(hint)}</em>" if hint else "", f.param.attachments_hint)),
        )  # fmt: skip
        actions = pn.Row(
            button("Saisir une nouvelle sollicitation", f.new),
            button("Enregistrer", f.save, kind="primary", visible=f.param.can_save),
            button("Valider et envoyer", f.send, kind="success", visible=f.param.can_send),
        )
        confirmation = Confirmation(text=f.param.confirmation, title="Confirmation d'envoi", height=0, margin=0)
        # "Fermer" empties the window's text in the browser: the state closes it too.
        confirmation.param.watch(lambda event: event.new or f.close_confirmation(), "text")
        return pn.Column(
            html(title),
            # Shown for the pairs that need a chosen recipient only; a Card bound to `visible` stays drawn
            # in the browser (Bokeh 3.9), a Column around it hides.
            header, emitter, pn.Column(recipient, visible=f.param.needs_recipient, sizing_mode="stretch_width"),
            description, attachments,
            # The result of "Enregistrer" / "Valider et envoyer", right under them: scrolled into view, it
            # leaves the buttons in view too.
            actions, Feedback(errors=f.param.errors, message=f.param.message, sizing_mode="stretch_width"),
            confirmation,
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _attachments_table(self) -> pn.Column:
        """The attachments, shown even when there are none (as the guide shows the table). The table is
        made anew for each list (a Tabulator given rows after being made empty mixes its columns up), in
        a box whose height is set with the rows: the block does not grow after the browser has scrolled to
        the message under it."""
        holder = pn.Column(sizing_mode="stretch_width", margin=0)

        def show(frame):
            rows = self._attachment_rows(frame)
            height = attachments_height(len(rows))
            table = tabulator(rows, selectable="checkbox", hidden_columns=["id"], height=height,
                              formatters={c: {"type": "plaintext"} for c in ATTACHMENT_COLUMNS},
                              configuration={"placeholder": "Aucune pièce jointe"},
                              stylesheets=[CHECKBOX_CELL_CSS])  # fmt: skip
            table.param.watch(
                lambda event: setattr(self.form, "selected_attachments", [int(rows.iloc[i]["id"]) for i in event.new]),
                "selection",
            )  # fmt: skip
            holder.param.update(objects=[table], height=height)

        show(self.form.attachments)
        self.form.param.watch(lambda event: show(event.new), "attachments")
        return holder

    @staticmethod
    def _attachment_rows(frame: pd.DataFrame | None) -> pd.DataFrame:
        # The same columns and types, empty or not: a table whose column types change loses its layout.
        if frame is None or frame.empty:
            frame = pd.DataFrame(columns=["id", *ATTACHMENT_COLUMNS])
        rows = frame[["id", *ATTACHMENT_COLUMNS]].reset_index(drop=True)
        return rows.astype({"id": "int64", **{c: "object" for c in ATTACHMENT_COLUMNS}})

    def _download(self):
        made = self.form.attachments_file()
        if made is None:
            return None
        name, data = made
        self._download_button.filename = name  # read by FileDownload after this callback returns
        return data

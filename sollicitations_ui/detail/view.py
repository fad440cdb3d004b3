""""Consulter": one request and the actions its status allows the user: the thin Panel view."""
from __future__ import annotations


import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import panel as pn
from panel.viewable import Viewer

from sollicitations.status import Action, Status

from .. import format as fmt
from ..widgets import (button, card, html, label)
from .state import RECEIVER_BLOCKS, Detail


class DetailView(Viewer):
    """ "Consulter": every block of the guide's detail screen, and the actions the status allows."""

    def __init__(self, detail: Detail, **params):
        super().__init__(**params)
        self.detail = detail

    def __panel__(self):
        d = self.detail
        w = pn.widgets
        complement_files = w.FileInput(multiple=True, sizing_mode="stretch_width")

        def send_complement():
            if complement_files.value:
                names = complement_files.filename if isinstance(complement_files.filename, list) else [complement_files.filename]
                values = complement_files.value if isinstance(complement_files.value, list) else [complement_files.value]
                d.add_attachments(dict(zip(names, values)))
                complement_files.clear()
                if d.errors:
                    return
            d.send_complement()

        complement = card(
            "Mise à jour de la sollicitation",
            w.TextAreaInput.from_param(d.param.complement, name="Complément d'information *", height=120, max_length=4000),
            label("Pièces jointes"), complement_files,
            pn.Row(button("Annuler", d.cancel), button("Valider et envoyer", send_complement, kind="success")),
            visible=d.param.mode.rx() == "complement",
        )  # fmt: skip
        is_answered = pn.bind(lambda data: bool(data) and data["statut"] == Status.REPONDUE, d.param.data)
        closing = card(
            "Clôture d'une sollicitation",
            pn.Column(
                label("La réponse apportée vous a-t-elle permis de résoudre votre problème ?"),
                w.RadioBoxGroup.from_param(d.param.resolue, name="", inline=True),
                pn.Column(
                    label("Souhaitez-vous ré-ouvrir votre sollicitation ?"),
                    w.RadioBoxGroup.from_param(d.param.rouvrir, name="", inline=True),
                    visible=d.param.resolue.rx().rx.pipe(lambda r: r is False),
                ),
                visible=is_answered,
            ),
            w.TextAreaInput.from_param(d.param.commentaire, name="Commentaires *", placeholder="Commentaires", height=100,
                                       max_length=4000),
            pn.Row(button("Annuler", d.cancel), button("Valider", d.validate_closing, kind="primary")),
            visible=d.param.mode.rx() == "cloture",
        )  # fmt: skip
        download = w.FileDownload(callback=lambda: d.pdf(d.inclure_pieces_jointes), filename="sollicitation.pdf",
                                  label="Télécharger", button_type="primary", width=140)  # fmt: skip
        if d.numero:  # opened before this tab was first shown (views are built on first display)
            download.filename = f"sollicitation-{d.numero}.pdf"
        d.param.watch(lambda e: setattr(download, "filename", f"sollicitation-{e.new}.pdf") if e.new else None, "numero")
        download_options = card(
            "Options de téléchargement",
            label("Souhaitez-vous inclure les pièces jointes à votre téléchargement ?"),
            w.RadioBoxGroup.from_param(d.param.inclure_pieces_jointes, name="", inline=True),
            pn.Row(download, button("Annuler", d.cancel)),
            visible=d.param.mode.rx() == "telechargement",
        )  # fmt: skip
        receiver_title = pn.bind(lambda mode: f"<h3 style='color:#000091;margin:0'>{fmt.esc(RECEIVER_BLOCKS[mode][0])}</h3>"
                                 if mode in RECEIVER_BLOCKS else "", d.param.mode)  # fmt: skip
        receiver = pn.Column(
            html(receiver_title),
            w.Select.from_param(d.param.agent, name="Assigné à *", visible=d.param.mode.rx() == "assignation"),
            w.TextAreaInput.from_param(d.param.texte, name="Commentaire *", height=120, max_length=4000,
                                       visible=d.param.mode.rx().rx.pipe(lambda m: m in ("information", "reponse", "transfert"))),
            pn.Row(button("Annuler", d.cancel), button("Valider", d.validate_receiver, kind="primary")),
            visible=d.param.mode.rx().rx.pipe(lambda m: m in RECEIVER_BLOCKS),
            styles={"border": "1px solid #d9dde3", "padding": "8px", "background": "#fff"},
            sizing_mode="stretch_width",
        )  # fmt: skip
        actions = pn.bind(self._actions, d.param.data, d.param.mode)
        return pn.Column(
            html(pn.bind(fmt.errors_html, d.param.errors)),
            html(pn.bind(fmt.message_html, d.param.message)),
            html(pn.bind(self._blocks, d.param.data)),
            pn.bind(self._attachments, d.param.data),
            complement, closing, receiver, download_options,
            html(pn.bind(lambda errors, mode: fmt.errors_html(errors) if mode else "", d.param.errors, d.param.mode)),
            actions,
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _blocks(self, data) -> str:
        if not data:
            return "<p>Cliquez sur le numéro d'une sollicitation pour en afficher le détail.</p>"
        e = fmt.esc
        structure = data["structure"]
        recipient = data["destinataire"]
        title = (f'<div class="detail-title">Détail de la sollicitation n° {e(data["numero"])} '
                 f'saisie le {fmt.long_day(data["saisie_le"])}</div>')  # fmt: skip
        header = fmt.block("En-tête de la sollicitation", '<div class="two-columns">' + "".join([
            fmt.field("Statut", data["statut"].short_label), fmt.field("Date de clôture", fmt.day(data["cloturee_le"])),
            fmt.field("Catégorie", data["categorie"]), fmt.field("Numéro (de la facture, du mémoire, ...)", data["numero_objet"]),
            fmt.field("Sous catégorie", data["sous_categorie"]), fmt.field("Type de l'objet concerné", data["type_objet"]),
        ]) + "</div>")  # fmt: skip
        emitter = fmt.block("Informations Structure émettrice", '<div class="two-columns">' + "".join([
            fmt.field("Désignation de la structure émettrice", data["structure_libelle"] or ("Nous contacter" if data["contact"] else "")),
            fmt.field("Adresse électronique de contact", data["email"]),
            fmt.field("Service", data["service"]), fmt.field("Téléphone de contact", data["telephone"]),
            fmt.field("Identifiant de la structure", structure["id"] if structure else ""),
            fmt.field("Saisie par", data["cree_par"]),
        ]) + "</div>")  # fmt: skip
        recipient_block = ""
        if recipient:
            recipient_block = fmt.block("Information Structure Destinatrice", '<div class="two-columns">' + "".join([
                fmt.field("Destinataire", recipient["designation"]), fmt.field("Assigné à", data["assigne_a"]),
                fmt.field("Service", data["service_destinataire"]),
                fmt.field("Raison sociale", recipient["designation"]),
            ]) + "</div>")  # fmt: skip
        description = fmt.block("Description", f"<p>{fmt.multiline(data['description'])}</p>")
        comments = "".join(
            f'<div class="comment"><div class="meta">{fmt.day(c["date"])} — {e(c["auteur"])}</div>{fmt.multiline(c["texte"])}</div>'
            for c in data["commentaires"]
        ) or "<p><em>Aucun commentaire.</em></p>"
        history = fmt.dates_as_text(data["historique"])
        history_table = fmt.table(history, ["Date", "Utilisateur", "Ancien statut", "Nouveau statut", "Commentaire"])
        return "".join([
            title, header, emitter, recipient_block, description,
            fmt.block("Commentaires/Réponses", comments), fmt.block("Historique", history_table),
        ])  # fmt: skip

    def _attachments(self, data):
        if not data:
            return html("")
        frame = data["pieces_jointes"]
        content = fmt.table(fmt.dates_as_text(frame), ["Type", "Désignation", "Extension", "Nom du fichier", "Ajoutée le"],
                            empty="Aucune pièce jointe.")  # fmt: skip
        download = pn.widgets.FileDownload(
            callback=lambda: self.detail.attachments_zip()[1], filename=f"pieces-jointes-{data['numero']}.zip"
            if len(frame) != 1 else frame["Nom du fichier"].iloc[0],
            label="Télécharger pièces jointes", button_type="light", disabled=frame.empty,
        )  # fmt: skip
        parts = [html(f"Total de {len(frame)} pièce(s) jointe(s).{content}"), download]
        if self.detail.can(Action.ADD_ATTACHMENT) and data["statut"] != Status.BROUILLON:
            files = pn.widgets.FileInput(multiple=True, sizing_mode="stretch_width")

            def add():
                if files.value:
                    names = files.filename if isinstance(files.filename, list) else [files.filename]
                    values = files.value if isinstance(files.value, list) else [files.value]
                    self.detail.add_attachments(dict(zip(names, values)))

            parts.append(pn.Row(files, button("Ajouter", add, kind="primary")))
        return card("Pièces jointes", *parts)

    def _actions(self, data, mode):
        d = self.detail
        if not data or mode:
            return pn.Row()
        buttons = []
        if d.can(Action.CLOSE_RESOLVED, Action.CLOSE_UNRESOLVED, Action.REOPEN, Action.CLOSE_EARLY):
            buttons.append(button("Clôturer", d.start_closing, kind="primary"))
        if d.can(Action.ADD_COMPLEMENT):
            buttons.append(button("Ajouter complément d'information", d.start_complement, kind="success"))
        if d.can(Action.TAKE_IN_CHARGE):
            buttons.append(button("Prendre en charge", d.take_in_charge, kind="primary"))
        for mode, (title, action) in RECEIVER_BLOCKS.items():
            if d.can(action):
                label = {"assignation": "Assigner", "information": "Demander des informations complémentaires",
                         "reponse": "Répondre", "transfert": "Transférer au support"}[mode]  # fmt: skip
                buttons.append(button(label, lambda mode=mode: d.start(mode), kind="success" if mode == "reponse" else "default"))
        buttons.append(button("Télécharger détail", lambda: d.param.update(mode="telechargement", errors=[])))
        return pn.Row(*buttons)

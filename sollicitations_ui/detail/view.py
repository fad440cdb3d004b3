""" "Consulter": one request and the actions its status allows the user: the thin Panel view.

The state decides what is shown (`Detail.buttons`, `Detail.mode`, `can_add_attachment`...); this view
renders it by swapping the objects of two containers (the attachments block, and the place under the
detail that holds either the buttons or the one open block): a Card whose `visible` is bound stays
drawn in the browser, a swapped container does not.
"""

from __future__ import annotations

import panel as pn
from panel.viewable import Viewer

from .. import format as fmt
from ..tables import tabulator
from ..widgets import Feedback, button, card, chosen, html, label
from .state import BLOCKS, BUTTONS, DOWNLOAD, RECEIVER_BLOCKS, Detail

KINDS = {b.label: b.kind for b in (*BUTTONS, DOWNLOAD)}
COMMENT_BLOCKS = ("information", "reponse", "transfert")


class Reveal(pn.custom.JSComponent):
    """Scrolls itself into view when drawn: put last in a block, the block's buttons are in the window."""

    _esm = """
    export function render({ el }) {
      setTimeout(() => requestAnimationFrame(() => el.scrollIntoView({ block: "nearest", behavior: "instant" })), 50)
    }
    """


class DetailView(Viewer):
    """ "Consulter": every block of the guide's detail screen, and the actions the status allows."""

    def __init__(self, detail: Detail, **params):
        super().__init__(**params)
        self.detail = detail
        self._blocks_built: dict[str, pn.viewable.Viewable] = {}

    def __panel__(self):
        d = self.detail
        self.files = pn.widgets.FileInput(multiple=True, name="Fichiers à joindre", sizing_mode="stretch_width")
        self.attachments = pn.Column(sizing_mode="stretch_width")
        self.actions = pn.Column(sizing_mode="stretch_width", margin=0)
        self.feedback = Feedback(errors=d.param.errors, message=d.param.message, sizing_mode="stretch_width")
        d.param.watch(lambda *_: self._draw_attachments(), ["data", "can_add_attachment", "can_delete_attachment"])
        d.param.watch(lambda *_: self._draw_actions(), ["buttons", "mode"])
        self._draw_attachments()
        self._draw_actions()
        return pn.Column(
            html(pn.bind(self._blocks, d.param.data)),
            self.attachments, self.actions, self.feedback,
            sizing_mode="stretch_width",
        )  # fmt: skip

    # -- the place under the detail: the buttons, or the open block --------------------------------

    def _draw_actions(self) -> None:
        d = self.detail
        if d.mode:
            self.actions.objects = [self._block(d.mode), Reveal(height=0, margin=0)]
        elif d.buttons:
            # Wrapped onto a second line rather than wider than a 1024 px window.
            self.actions.objects = [pn.FlexBox(*[button(name, lambda name=name: d.press(name), kind=KINDS[name])
                                                 for name in d.buttons], flex_wrap="wrap")]  # fmt: skip
        else:
            self.actions.objects = []

    def _block(self, mode: str):
        d = self.detail
        if mode not in self._blocks_built:
            self._blocks_built[mode] = self._build_block(mode)
        block = self._blocks_built[mode]
        if mode == "cloture":
            self._resolution.visible = d.asks_resolution
        if mode == "telechargement":
            self._download.filename = f"sollicitation-{d.numero}.pdf"
        return block

    def _build_block(self, mode: str):
        d = self.detail
        w = pn.widgets
        cancel = button("Annuler", d.cancel)
        if mode == "telechargement":
            self._download = w.FileDownload(callback=lambda: d.pdf(d.inclure_pieces_jointes), filename="sollicitation.pdf",
                                            label=BLOCKS[mode][1], button_type="primary", width=140, height=34)  # fmt: skip
            return card(
                BLOCKS[mode][0],
                label("Souhaitez-vous inclure les pièces jointes à votre téléchargement ?"),
                w.RadioBoxGroup.from_param(d.param.inclure_pieces_jointes, name="", inline=True),
                pn.Row(self._download, cancel),
            )  # fmt: skip
        validate = button(BLOCKS[mode][1], self._validate,
                          kind="success" if mode == "complement" else "primary")  # fmt: skip
        if mode == "complement":
            fields = [w.TextAreaInput.from_param(d.param.complement, name="Complément d'information *", height=120,
                                                 max_length=4000, sizing_mode="stretch_width")]  # fmt: skip
        elif mode == "cloture":
            self._resolution = pn.Column(
                label("La réponse apportée vous a-t-elle permis de résoudre votre problème ?"),
                w.RadioBoxGroup.from_param(d.param.resolue, name="", inline=True),
                pn.Column(
                    label("Souhaitez-vous ré-ouvrir votre sollicitation ?"),
                    w.RadioBoxGroup.from_param(d.param.rouvrir, name="", inline=True),
                    visible=d.param.resolue.rx().rx.pipe(lambda r: r is False),
                ),
            )  # fmt: skip
            fields = [self._resolution,
                      w.TextAreaInput.from_param(d.param.commentaire, name="Commentaires *", placeholder="Commentaires",
                                                 height=100, max_length=4000, sizing_mode="stretch_width")]  # fmt: skip
        elif mode == "assignation":
            fields = [w.Select.from_param(d.param.agent, name="Assigné à *", width=320)]
        else:
            assert mode in COMMENT_BLOCKS and mode in RECEIVER_BLOCKS, mode
            fields = [w.TextAreaInput.from_param(d.param.texte, name="Commentaire *", height=120, max_length=4000,
                                                 sizing_mode="stretch_width")]  # fmt: skip
        return card(BLOCKS[mode][0], *fields, pn.Row(cancel, validate))

    # -- "Pièces jointes" ------------------------------------------------------------------------

    def _draw_attachments(self) -> None:
        d = self.detail
        data = d.data
        if not data:
            self.attachments.objects = []
            return
        frame = data["pieces_jointes"]
        columns = ["Type", "Désignation", "Extension", "Nom du fichier", "Ajoutée le"]
        count = html(f"Total de {len(frame)} pièce(s) jointe(s).")
        if d.can_delete_attachment and not frame.empty:
            shown = fmt.dates_as_text(frame)[["id", *columns]]
            table = tabulator(shown, selectable="checkbox", hidden_columns=["id"],
                              formatters={c: {"type": "plaintext"} for c in columns})  # fmt: skip
            table.param.watch(lambda e: setattr(d, "selected_attachments", [int(shown.iloc[i]["id"]) for i in e.new]),
                              "selection")  # fmt: skip
        else:
            table = html(fmt.table(fmt.dates_as_text(frame), columns, empty="Aucune pièce jointe."))
        download = pn.widgets.FileDownload(
            callback=self._attachments_file, filename=f"pieces-jointes-{data['numero']}.zip",
            label="Télécharger pièces jointes", button_type="light", disabled=frame.empty, width=220, height=34,
        )  # fmt: skip
        self._attachments_download = download
        tools = [download]
        if d.can_delete_attachment:
            tools.insert(0, button("Supprimer pièces jointes", d.delete_attachments, disabled=frame.empty))
        parts = [count, table, pn.Row(*tools)]
        if d.can_add_attachment:

            def add():
                d.add_attachments(chosen(self.files))
                if not d.errors:
                    self.files.clear()

            parts.append(pn.Row(self.files, button("Ajouter", add, kind="primary")))
        self.attachments.objects = [card("Pièces jointes", *parts)]

    def _validate(self) -> None:
        """The open block's Valider: files chosen and not added go with a complement, then leave the picker."""
        had_files = bool(chosen(self.files))
        self.detail.validate(chosen(self.files))
        if had_files and not self.detail.errors:
            self.files.clear()

    def _attachments_file(self):
        found = self.detail.attachments_zip()
        if found is None:
            return None
        name, content = found
        self._attachments_download.filename = name  # read by FileDownload after this callback returns
        return content

    # -- the detail itself -------------------------------------------------------------------------

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
        comments = (
            "".join(
                f'<div class="comment"><div class="meta">{fmt.moment(c["date"])} — {e(c["auteur"])}</div>{fmt.multiline(c["texte"])}</div>'
                for c in data["commentaires"]
            )
            or "<p><em>Aucun commentaire.</em></p>"
        )
        history = data["historique"].copy()
        history["Date"] = [fmt.moment(v) for v in history["Date"]]
        history_table = fmt.table(history, ["Date", "Utilisateur", "Ancien statut", "Nouveau statut", "Commentaire"])
        return "".join([
            title, header, emitter, recipient_block, description,
            fmt.block("Commentaires/Réponses", comments), fmt.block("Historique", history_table),
        ])  # fmt: skip

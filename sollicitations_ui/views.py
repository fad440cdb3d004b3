"""Thin Panel views over the param state of state.py: build widgets once, bind, lay out."""
from __future__ import annotations

from collections.abc import Callable

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
import param
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.status import Action, Status

from . import format as fmt
from .state import (
    PAGE_SIZES,
    Dashboard,
    RECEIVER_BLOCKS,
    Detail,
    EntryForm,
    ManagerDashboard,
    Outbox,
    Navigation,
    Pager,
    SearchForm,
    ToProcess,
)

NUMBER_COLUMNS = ("Numéro de la sollicitation", "Référence")
STATUS_COLORS = {
    Status.BROUILLON.short_label: "#9aa5b1",
    Status.ENVOYEE.short_label: "#4c72b0",
    Status.EN_COURS.short_label: "#dd8452",
    Status.INFORMATIONS_REQUISES.short_label: "#c44e52",
    Status.REPONDUE.short_label: "#8172b3",
    Status.FERMEE.short_label: "#55a868",
}
# The guide's "Action attendue de l'émetteur", per status of "Mes sollicitations à traiter".
EXPECTED_ACTIONS = {
    Status.BROUILLON.short_label: "Compléter et envoyer",
    Status.REPONDUE.short_label: "Clôturer",
    Status.INFORMATIONS_REQUISES.short_label: "Transmettre les informations",
}


class FrenchDatePicker(pn.widgets.DatePicker):
    """A date picker that shows dd/mm/yyyy (the guide's "jj/mm/aaaa").

    Panel 1.9 does not expose Bokeh's `date_format`; a parameter of the same name reaches the model.
    Bokeh shows the date in this format (flatpickr's altInput) and still sends "Y-m-d" to the server.
    """

    date_format = param.String(default="d/m/Y", doc="flatpickr display format")


# flatpickr's visible copy of the input ("form-control input") misses the size of Bokeh's other inputs.
DATE_INPUT_CSS = ":host input.form-control.input { font-size: 12px; height: 32px; }"


def date_picker(p, name: str, **kwargs) -> FrenchDatePicker:
    return FrenchDatePicker.from_param(p, name=name, stylesheets=[DATE_INPUT_CSS], **kwargs)


def label(text: str) -> pn.pane.HTML:
    return pn.pane.HTML(f'<span style="font-size:.9em">{fmt.esc(text)}</span>', margin=(8, 10, 0, 10))


def card(title: str, *objects, **kwargs) -> pn.Card:
    return pn.Card(*objects, title=title, collapsible=False, sizing_mode="stretch_width",
                   margin=(0, 0, 12, 0), **kwargs)  # fmt: skip


def html(content, **kwargs) -> pn.pane.HTML:
    """An HTML pane whose content was built from escaped text only (see format.py)."""
    return pn.pane.HTML(content, sizing_mode="stretch_width", margin=(2, 5), stylesheets=[fmt.CSS], **kwargs)


def button(label: str, on_click, kind: str = "default", **kwargs) -> pn.widgets.Button:
    kwargs.setdefault("width", max(60, 8 * len(label) + 36))
    widget = pn.widgets.Button(name=label, button_type=kind, sizing_mode="fixed", height=34, **kwargs)
    widget.on_click(lambda event: on_click())
    return widget


class PagerView(Viewer):
    def __init__(self, pager: Pager, **params):
        super().__init__(**params)
        self.pager = pager

    def __panel__(self):
        size = pn.widgets.Select.from_param(self.pager.param.page_size, name="", width=70, options=PAGE_SIZES)
        summary = pn.bind(lambda *_: self.pager.summary, self.pager.param.page, self.pager.param.total, self.pager.param.pages)
        return pn.Row(
            button("«", self.pager.previous, width=40),
            pn.pane.HTML(summary, margin=(12, 8), width=220),
            button("»", self.pager.next, width=40),
            size,
            label("lignes par page"),
            align="center",
        )


def downloads(make_file, name: str) -> pn.Row:
    """ "Télécharger" a whole list, as a spreadsheet or as CSV."""
    return pn.Row(*[
        pn.widgets.FileDownload(callback=lambda f=f: make_file(f), filename=f"{name}.{f}", label=label,
                                button_type="light", width=170, align="end")
        for f, label in (("xlsx", "Télécharger (XLSX)"), ("csv", "Télécharger (CSV)"))
    ], sizing_mode="fixed", width=360, align="end")  # fmt: skip


def list_table(frame: pd.DataFrame | None, on_number, buttons: dict | None = None, on_button=None,
               action_column: str | None = None, on_action=None, link_columns: tuple[str, ...] = (),
               reuse=None) -> pn.viewable.Viewable:  # fmt: skip
    """A page of requests; clicking a number opens it.

    `buttons`: the same action on every row (Tabulator's button columns). `link_columns`: columns of
    `frame` that hold each row's own action as HTML of ours (never user text; an empty cell: no
    action); a click on one calls `on_button(column, row)`, like a button.

    `reuse`: what this function returned for the previous page of the same list. When that was a
    table with the same columns, it gets the new rows (its `.value`) and is returned again: a new page
    or a new search does not rebuild the widget, in the server nor in the browser.
    """
    if frame is None:
        return pn.pane.HTML("")
    if frame.empty:
        return html('<p class="empty">Aucune sollicitation.</p>')
    shown = fmt.dates_as_text(frame)
    if isinstance(reuse, pn.widgets.Tabulator) and list(reuse.value.columns) == list(shown.columns):
        reuse.rows_shown = frame
        reuse.param.update(value=shown, sorters=[])  # as a new table: in the order of the list
        return reuse
    table = pn.widgets.Tabulator(
        shown, show_index=False, disabled=True, sizing_mode="stretch_width", layout="fit_columns",
        buttons=buttons or {}, selectable=False,
        formatters={c: {"type": "html" if c in link_columns else "textarea"} for c in shown.columns},
        stylesheets=[":host .tabulator-cell[tabulator-field='Numéro de la sollicitation'],"
                     ":host .tabulator-cell[tabulator-field='Référence'] { color: #000091; text-decoration: underline; cursor: pointer; }",
                     ":host .row-action, :host .tabulator-cell[tabulator-field='Actions'] { color: #000091; text-decoration: underline; cursor: pointer; }",
                     ":host .tabulator-col-title { white-space: normal !important; }"],
    )  # fmt: skip

    table.rows_shown = frame  # the rows behind the cells (replaced with the table's value, see `reuse`)

    def clicked(event):
        row = table.rows_shown.iloc[event.row]
        if event.column in NUMBER_COLUMNS:
            on_number(int(row[event.column]))
        elif buttons and event.column in buttons and on_button:
            on_button(event.column, row)
        elif event.column in link_columns and on_button and row[event.column]:
            on_button(event.column, row)
        elif event.column == action_column and on_action and row[action_column]:
            on_action(row)

    table.on_click(clicked)
    return table


class SyntheseView(Viewer):
    def __init__(self, state: ToProcess, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s = self.state
        structure = pn.widgets.Select.from_param(s.param.structure, name="Filtre Structure", width=420)
        download = downloads(s.file, "sollicitations-a-traiter")
        table = pn.bind(self._table, s.param.rows)
        title = "Mes sollicitations à traiter" if s.space == Space.EMISES else "Sollicitations à traiter"
        return pn.Column(
            pn.Row(structure, download),
            card(title, html(pn.bind(fmt.errors_html, pn.bind(lambda e: [e] if e else [], s.param.error))),
                 PagerView(s.pager), table),  # fmt: skip
            sizing_mode="stretch_width",
        )


    def _table(self, rows):
        self._shown = self._list(rows, getattr(self, "_shown", None))
        return self._shown

    def _list(self, rows, reuse):
        if rows is None or rows.empty:
            return list_table(rows, self.open_request)
        rows = rows.copy()
        rows.attrs = {}
        if self.state.space != Space.EMISES:
            # Re-sent after a complement or a reopening: flagged, and on top (the list is by last activity).
            rows["Renvoyée"] = ["Renvoyée" if flag else "" for flag in rows["Renvoyée"]]
            return list_table(rows, self.open_request, reuse=reuse)
        rows["Actions"] = [EXPECTED_ACTIONS.get(status, "") for status in rows["Statut sollicitation"]]
        return list_table(rows, self.open_request, buttons=None, action_column="Actions",
                          on_action=lambda row: self.open_request(int(row["Numéro de la sollicitation"]),
                                                                  act=True), reuse=reuse)  # fmt: skip


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
            lambda n, d, st: f'<div class="detail-title">Détail de la sollicitation'
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
        from .state import attachments_download

        name, data = attachments_download(self.form.me, self.form.numero, self._selected_attachments or None)
        self._download_button.filename = name  # read by FileDownload after this callback returns
        return data


class SearchView(Viewer):
    def __init__(self, form: SearchForm, open_request, **params):
        super().__init__(**params)
        self.form, self.open_request = form, open_request
        self.pending_delete = pn.Row(visible=False)

    def __panel__(self):
        f = self.form
        w = pn.widgets
        criteria = card(
            "Critères de recherche",
            pn.Row(
                pn.Column(
                    w.TextInput.from_param(f.param.numero, name="Numéro de la sollicitation", placeholder="Numéro de la sollicitation"),
                    w.Select.from_param(f.param.categorie, name="Sélectionner une catégorie"),
                    w.Select.from_param(f.param.sous_categorie, name="Sélectionner une sous-catégorie"),
                    w.TextInput.from_param(f.param.numero_objet, name="Numéro d'objet", placeholder="Numéro d'objet"),
                    pn.Row(date_picker(f.param.du, "Période de saisie de la sollicitation : du"),
                           date_picker(f.param.au, "au")),
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
        )  # fmt: skip
        ready = w.FileDownload(label="Télécharger le fichier", button_type="success", width=200,
                               visible=f.param.export_path.rx.bool())  # fmt: skip
        f.param.watch(lambda e: ready.param.update(file=e.new or None, filename=f"resultats-recherche.{f.export_format}")
                      if e.new else None, "export_path")  # fmt: skip
        export = pn.Row(
            w.Select.from_param(f.param.export_format, name="", width=140),
            button("Exporter les résultats", f.export),
            pn.indicators.Progress(value=f.param.progress, max=100, width=160, visible=f.param.progress.rx() > 0,
                                   align="center"),
            pn.pane.HTML(pn.bind(fmt.esc, f.param.export_message), width=160, sizing_mode="fixed", align="center"), ready,
        )  # fmt: skip
        results = pn.bind(self._results, f.param.rows)
        return pn.Column(
            html(pn.bind(fmt.errors_html, f.param.errors)),
            html(pn.bind(fmt.message_html, f.param.message)),
            criteria,
            self.pending_delete,
            card("Résultat de la recherche", pn.Row(PagerView(f.pager), export), results),
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
        return f'<span class="row-action">{name}</span>'

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
        self._shown = list_table(rows, self.open_request, on_button=self._row_action, link_columns=links,
                                 reuse=getattr(self, "_shown", None))  # fmt: skip
        if isinstance(self._shown, pn.widgets.Tabulator):
            self._shown.titles = {name: "" for name in links}  # as button columns: no title
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


class DashboardView(Viewer):
    def __init__(self, state: Dashboard, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s = self.state
        heading = {Space.EMISES: "Tableau de bord des sollicitations émises",
                   Space.RECUES: "Tableau de bord des sollicitations reçues",
                   Space.TOUTES: "Tableau de bord de toutes les structures destinataires"}[s.space]  # fmt: skip
        title = pn.bind(lambda st, label: heading + (f" — {fmt.esc(label)}" if st else ""),
                        s.param.structure, s.param.structure_label)  # fmt: skip
        counts = pn.bind(self._counts, s.param.table)
        listing = pn.bind(self._listing, s.param.rows, s.param.list_title)
        by = pn.widgets.RadioButtonGroup.from_param(s.param.monthly_by, name="Répartition")
        # The charts come after the page is drawn (defer_load), so that the counts show first.
        # The managers' "Appliquer" bumps `revision`: the chart follows their filters too.
        chart_deps = [s.param.revision] if "revision" in s.param else []
        chart = pn.panel(pn.bind(self._chart, s.param.monthly_by, s.param.table, *chart_deps), defer_load=True)
        monthly_csv = pn.widgets.FileDownload(callback=s.monthly_csv, filename="sollicitations-par-mois.csv",
                                              label="Télécharger les données", button_type="light",
                                              width=220)  # fmt: skip
        return pn.Column(
            pn.Row(button("Tableau de bord", s.home, kind="light"), pn.pane.HTML(title, margin=(12, 8))),
            html(pn.bind(fmt.errors_html, s.param.errors)),
            card("Sollicitations par statut", counts,
                 html("<small>Cliquez sur un nombre pour afficher les sollicitations, sur un nom pour le détail par service.</small>")),
            listing,
            card("Sollicitations saisies par mois", pn.Row(by, monthly_csv), chart),
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _counts(self, table: pd.DataFrame):
        shown = table.reset_index(drop=True)
        first = shown.columns[0]
        table_widget = pn.widgets.Tabulator(
            shown, show_index=False, disabled=True, sizing_mode="stretch_width", layout="fit_columns", selectable=False,
            formatters={first: {"type": "plaintext"}}, widths={first: 380},
            text_align={c: ("left" if c == first else "right") for c in shown.columns},
            # Remote: the browser gets 25 rows at a time, not every structure of the country.
            pagination="remote" if len(shown) > 25 else None, page_size=25,
            stylesheets=[":host .tabulator-cell { cursor: pointer; color: #000091; text-decoration: underline; }",
                         ":host .tabulator-col-title { white-space: normal !important; }"],
        )  # fmt: skip

        def clicked(event):
            key = table.index[event.row]
            if event.column == first:
                if self.state.structure is None and key != sol.NON_RENSEIGNE:
                    self.state.open_structure(key)
                else:
                    self.state.open_cell(key, None)
            else:
                self.state.open_cell(key, event.column)

        table_widget.on_click(clicked)
        return table_widget

    def _listing(self, rows, title):
        if rows is None:
            return pn.Row()
        download = downloads(self.state.file, "sollicitations")
        return card(f"Sollicitations : {title}", pn.Row(PagerView(self.state.pager), download),
                    list_table(rows, self.open_request))  # fmt: skip

    def _chart(self, by, *_):
        monthly = self.state.monthly()
        if monthly.empty:
            return html("<em>Aucune sollicitation.</em>")
        monthly.index = pd.to_datetime(monthly.index).strftime("%m/%Y")
        # A status keeps its colour whichever statuses the period happens to contain.
        colors = [STATUS_COLORS[c] for c in monthly.columns] if by == "statut" else None
        return monthly.hvplot.bar(stacked=True, rot=45, height=320, responsive=True, xlabel="Mois",
                                  ylabel="Sollicitations", legend="right", color=colors)  # fmt: skip


class LazyTabs:
    """Tabs whose content is built the first time it is shown, then kept.

    A new session builds (and sends to the browser) only the tab it shows, and runs only that tab's
    queries; a later tab is built on its first click. Once built, a tab stays in the page, so going
    back to it is a switch in the browser: nothing is rebuilt nor sent again.
    """

    def __init__(self, items: list[tuple[str, Callable[[], object]]], **kwargs):
        self.builders: list[Callable[[], object] | None] = [build for _, build in items]
        self.slots = [pn.Column(sizing_mode="stretch_width") for _ in items]
        self.tabs = pn.Tabs(*[(name, slot) for (name, _), slot in zip(items, self.slots)], dynamic=False, **kwargs)
        self.tabs.param.watch(lambda e: self.show(e.new), "active")

    def show(self, index: int) -> None:
        """Build tab `index` if it never was shown (the `active` watcher calls it on every switch)."""
        if 0 <= index < len(self.builders) and (build := self.builders[index]) is not None:
            self.builders[index] = None
            self.slots[index].objects = [build()]


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


FIGURES = {
    "weekly_flow": "Entrées et fermetures par semaine",
    "backlog": "Sollicitations ouvertes par statut, en fin de semaine",
    "delays": "Délais de première réponse et de clôture",
    "reopen_rates": "Taux de réouverture",
    "oldest_open": "Sollicitations ouvertes les plus anciennes",
}


class ManagerView(Viewer):
    """ "Activités du gestionnaire": filters, the status table with its drill-down, and the figures."""

    def __init__(self, state: ManagerDashboard, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s, w = self.state, pn.widgets
        filters = card(
            "Filtres",
            pn.Row(
                date_picker(s.param.du, "Saisie du"), date_picker(s.param.au, "au"),
                w.Select.from_param(s.param.categorie, name="Catégorie"),
                w.TextInput.from_param(s.param.destinataire, name="Structure destinataire (identifiant)"),
                button("Appliquer", s.apply, kind="primary", align="end"),
            ),
        )  # fmt: skip
        figures = [self._figure_card(name) for name in FIGURES]
        return pn.Column(filters, DashboardView(s, self.open_request), *figures, sizing_mode="stretch_width")

    def _figure_card(self, name: str):
        s = self.state
        download = pn.widgets.FileDownload(callback=lambda: s.figure_csv(name), filename=f"{name}.csv",
                                           label="Télécharger les données", button_type="light", width=220)  # fmt: skip
        extra = []
        if name in ("delays", "reopen_rates"):
            extra.append(pn.widgets.RadioButtonGroup.from_param(s.param.delays_by, name="Regrouper par", width=360))
        body = pn.panel(pn.bind(lambda *_: self._figure(name), s.param.revision, s.param.delays_by), defer_load=True)
        return card(FIGURES[name], pn.Row(*extra, download), body)

    def _figure(self, name: str):
        try:
            frame = self.state.figure(name)
        except sol.SollicitationError as e:
            return html(fmt.errors_html(fmt_messages(e)))
        if frame.empty:
            return html("<em>Aucune donnée pour ces filtres.</em>")
        if name == "weekly_flow":
            return frame.hvplot.line(height=280, responsive=True, xlabel="Semaine", ylabel="Sollicitations",
                                     legend="top_left")  # fmt: skip
        if name == "backlog":
            colors = [STATUS_COLORS[c] for c in frame.columns]
            return frame.hvplot.area(stacked=True, height=280, responsive=True, xlabel="Semaine",
                                     ylabel="Sollicitations ouvertes", color=colors, legend="top_left")  # fmt: skip
        if name == "oldest_open":
            return list_table(frame, self.open_request)
        shown = frame.head(30).reset_index(drop=True)
        table = pn.widgets.Tabulator(shown, show_index=False, disabled=True, sizing_mode="stretch_width",
                                     layout="fit_columns", formatters={shown.columns[0]: {"type": "plaintext"}},
                                     widths={shown.columns[0]: 320},
                                     stylesheets=[":host .tabulator-col-title { white-space: normal !important; }"])
        return pn.Column(self._bars(name, shown), table, sizing_mode="stretch_width")

    CHART_ROWS = 15

    def _bars(self, name: str, shown: pd.DataFrame):
        """The bar chart above the "delays" and "reopen_rates" tables: one bar per value, none where a
        value is missing (no answer yet is not "0 days")."""
        group = shown.columns[0]
        rows = shown.head(self.CHART_ROWS)
        if name == "delays":
            measures = [c for c in rows.columns if c.endswith("(jours)")]
            unit = "Jours"
        else:
            measures, unit = ["Taux de réouverture (%)"], "Taux (%)"
        long = rows.melt(id_vars=[group], value_vars=measures, var_name="Mesure", value_name=unit).dropna()
        if long.empty:
            return html("<em>Aucun délai ni taux à représenter pour ces filtres.</em>")
        title = f"Les {self.CHART_ROWS} premières lignes du tableau" if len(shown) > self.CHART_ROWS else ""
        # Horizontal bars: the groups' long names stay readable; the first row of the table on top.
        order = list(dict.fromkeys(long[group]))[::-1]
        long[group] = pd.Categorical(long[group], categories=order, ordered=True)
        long = long.sort_values(group)
        bars_per_group = len(measures)
        height = max(220, 70 + len(order) * (14 * bars_per_group + 12))
        top = max(float(long[unit].max()) * 1.1, 5.0)  # a 0 % rate still gets a readable axis
        if len(measures) == 1:
            return long.hvplot.barh(x=group, y=unit, height=height, responsive=True, xlabel="", ylabel=unit,
                                    ylim=(0, top), color="#4c72b0", title=title)  # fmt: skip
        # Nested axis: the group's name, written flat, then one bar per measure. (HoloViews' multi_level=False,
        # a legend instead of the measures' names, fails to validate the axis factors on a redraw.)
        long["Mesure"] = long["Mesure"].str.replace(" (jours)", "", regex=False)

        def flat_group_names(plot, element):
            plot.handles["yaxis"].group_label_orientation = "horizontal"

        return long.hvplot.barh(x=group, y=unit, by="Mesure", height=height, responsive=True, xlabel="",
                                ylabel=unit, ylim=(0, top), title=title).opts(hooks=[flat_group_names])  # fmt: skip


def fmt_messages(error: Exception) -> list[str]:
    return error.messages if isinstance(error, sol.ValidationError) else [str(error)]


class OutboxView(Viewer):
    """ "Courriels": what the office wrote, and whether it left (in the demo, nothing leaves)."""

    def __init__(self, state: Outbox, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s = self.state
        table = pn.bind(self._table, s.param.rows)
        return pn.Column(
            html(pn.bind(fmt.errors_html, s.param.errors)),
            pn.Row(pn.widgets.TextInput.from_param(s.param.numero, name="Numéro de la sollicitation", width=260),
                   button("Rechercher", s.search, align="end")),
            card("Courriels", PagerView(s.pager), table),
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _table(self, rows):
        if rows is None or rows.empty:
            return html("<em>Aucun courriel.</em>")
        shown = fmt.dates_as_text(rows, columns=("Date", "Envoyé le"))
        widget = pn.widgets.Tabulator(
            shown, show_index=False, disabled=True, sizing_mode="stretch_width", layout="fit_columns",
            selectable=False, formatters={c: {"type": "textarea"} for c in shown.columns}, widths={"Texte": 420},
            stylesheets=[":host .tabulator-cell[tabulator-field='Sollicitation'] { color: #000091; text-decoration: underline; cursor: pointer; }"],
        )  # fmt: skip
        widget.on_click(lambda e: self.open_request(int(rows.iloc[e.row]["Sollicitation"])) if e.column == "Sollicitation" else None)
        return widget

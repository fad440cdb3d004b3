"""Thin Panel views over the param state of state.py: build widgets once, bind, lay out."""
from __future__ import annotations

import hvplot.pandas  # noqa: F401  (registers .hvplot on DataFrames)
import pandas as pd
import panel as pn
from panel.viewable import Viewer

import sollicitations as sol
from sollicitations.status import Action, Status

from . import format as fmt
from .state import (
    PAGE_SIZES,
    Dashboard,
    Detail,
    EntryForm,
    Navigation,
    Pager,
    SearchForm,
    ToProcess,
)

TABS = [
    ("synthese", "Synthèse"),
    ("saisir", "Saisir sollicitation"),
    ("rechercher", "Rechercher"),
    ("consulter", "Consulter"),
    ("tableau", "Tableau de bord"),
]
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


def list_table(frame: pd.DataFrame | None, on_number, buttons: dict | None = None, on_button=None,
               action_column: str | None = None, on_action=None) -> pn.viewable.Viewable:  # fmt: skip
    """A page of requests; clicking a number opens it."""
    if frame is None:
        return pn.pane.HTML("")
    if frame.empty:
        return html('<p class="empty">Aucune sollicitation.</p>')
    shown = fmt.dates_as_text(frame)
    table = pn.widgets.Tabulator(
        shown, show_index=False, disabled=True, sizing_mode="stretch_width", layout="fit_columns",
        buttons=buttons or {}, selectable=False, formatters={c: {"type": "textarea"} for c in shown.columns},
        stylesheets=[":host .tabulator-cell[tabulator-field='Numéro de la sollicitation'],"
                     ":host .tabulator-cell[tabulator-field='Référence'] { color: #000091; text-decoration: underline; cursor: pointer; }",
                     ":host .row-action, :host .tabulator-cell[tabulator-field='Actions'] { color: #000091; text-decoration: underline; cursor: pointer; }",
                     ":host .tabulator-col-title { white-space: normal !important; }"],
    )  # fmt: skip

    def clicked(event):
        row = frame.iloc[event.row]
        if event.column in NUMBER_COLUMNS:
            on_number(int(row[event.column]))
        elif buttons and event.column in buttons and on_button:
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
        download = pn.widgets.FileDownload(callback=s.csv, filename="mes-sollicitations-a-traiter.csv",
                                           label="Télécharger", button_type="light", width=140, align="end")  # fmt: skip
        table = pn.bind(self._table, s.param.rows)
        return pn.Column(
            pn.Row(structure, download),
            card("Mes sollicitations à traiter", html(pn.bind(fmt.errors_html, pn.bind(lambda e: [e] if e else [], s.param.error))),
                 PagerView(s.pager), table),  # fmt: skip
            sizing_mode="stretch_width",
        )


    def _table(self, rows):
        if rows is None or rows.empty:
            return list_table(rows, self.open_request)
        rows = rows.copy()
        rows.attrs = {}
        rows["Actions"] = [EXPECTED_ACTIONS.get(status, "") for status in rows["Statut sollicitation"]]
        return list_table(rows, self.open_request, buttons=None, action_column="Actions",
                          on_action=lambda row: self.open_request(int(row["Numéro de la sollicitation"]),
                                                                  act=True))  # fmt: skip


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
            visible=f.param.needs_recipient,
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
        download = w.FileDownload(callback=self._download, filename="pieces-jointes.zip",
                                  label="Télécharger pièces jointes", button_type="light", width=220)  # fmt: skip
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
            header, emitter, recipient, description, attachments,
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
                    pn.Row(w.DatePicker.from_param(f.param.du, name="Période de saisie de la sollicitation : du"),
                           w.DatePicker.from_param(f.param.au, name="au")),
                ),
                pn.Column(
                    w.Select.from_param(f.param.structure, name="Identifiant structure émettrice"),
                    pn.Row(w.TextInput.from_param(f.param.destinataire_recherche, name="Structure destinataire"),
                           button("Rechercher", f.find_recipients, align="end"),
                           button("Vider", f.clear_recipient, align="end")),
                    w.Select.from_param(f.param.destinataire, name="Structure destinataire trouvée"),
                    w.TextInput.from_param(f.param.cree_par, name="Créé par", placeholder="Créé par"),
                ),
            ),
            label("Statut sollicitation"),
            w.CheckBoxGroup.from_param(f.param.statuts, name="Statut sollicitation", inline=True),
            pn.Row(button("Réinitialiser", f.reset), button("Rechercher", f.search, kind="primary")),
        )  # fmt: skip
        export = w.FileDownload(callback=f.csv, filename="resultats-recherche.csv", label="Exporter les résultats",
                                button_type="light", width=200)  # fmt: skip
        results = pn.bind(self._results, f.param.rows)
        return pn.Column(
            html(pn.bind(fmt.errors_html, f.param.errors)),
            html(pn.bind(fmt.message_html, f.param.message)),
            criteria,
            self.pending_delete,
            card("Résultat de la recherche", pn.Row(PagerView(f.pager), export), results),
            sizing_mode="stretch_width",
        )

    def _results(self, rows):
        return list_table(rows, self.open_request, buttons={name: f'<span class="row-action">{name}</span>'
                                                            for name in ("Consulter", "Supprimer")},
                          on_button=self._row_action)  # fmt: skip

    def _row_action(self, column, row):
        numero = int(row["Référence"])
        if column == "Consulter":
            self.open_request(numero)
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
        actions = pn.bind(self._actions, d.param.data, d.param.mode)
        return pn.Column(
            html(pn.bind(fmt.errors_html, d.param.errors)),
            html(pn.bind(fmt.message_html, d.param.message)),
            html(pn.bind(self._blocks, d.param.data)),
            pn.bind(self._attachments, d.param.data),
            complement, closing,
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
        return card("Pièces jointes", html(f"Total de {len(frame)} pièce(s) jointe(s).{content}"), download)

    def _actions(self, data, mode):
        d = self.detail
        if not data or mode:
            return pn.Row()
        buttons = []
        if d.can(Action.CLOSE_RESOLVED, Action.CLOSE_UNRESOLVED, Action.REOPEN, Action.CLOSE_EARLY):
            buttons.append(button("Clôturer", d.start_closing, kind="primary"))
        if d.can(Action.ADD_COMPLEMENT):
            buttons.append(button("Ajouter complément d'information", d.start_complement, kind="success"))
        return pn.Row(*buttons)


class DashboardView(Viewer):
    def __init__(self, state: Dashboard, open_request, **params):
        super().__init__(**params)
        self.state, self.open_request = state, open_request

    def __panel__(self):
        s = self.state
        title = pn.bind(lambda st, label: "Tableau de bord des sollicitations émises" + (f" — {fmt.esc(label)}" if st else ""),
                        s.param.structure, s.param.structure_label)  # fmt: skip
        counts = pn.bind(self._counts, s.param.table)
        listing = pn.bind(self._listing, s.param.rows, s.param.list_title)
        by = pn.widgets.RadioButtonGroup.from_param(s.param.monthly_by, name="Répartition")
        chart = pn.bind(self._chart, s.param.monthly_by, s.param.table)
        return pn.Column(
            pn.Row(button("Tableau de bord", s.home, kind="light"), pn.pane.HTML(title, margin=(12, 8))),
            html(pn.bind(fmt.errors_html, s.param.errors)),
            card("Sollicitations par statut", counts,
                 html("<small>Cliquez sur un nombre pour afficher les sollicitations, sur un nom pour le détail par service.</small>")),
            listing,
            card("Sollicitations saisies par mois", by, chart),
            sizing_mode="stretch_width",
        )  # fmt: skip

    def _counts(self, table: pd.DataFrame):
        shown = table.reset_index(drop=True)
        first = shown.columns[0]
        table_widget = pn.widgets.Tabulator(
            shown, show_index=False, disabled=True, sizing_mode="stretch_width", layout="fit_columns", selectable=False,
            formatters={first: {"type": "plaintext"}}, widths={first: 380},
            text_align={c: ("left" if c == first else "right") for c in shown.columns},
            stylesheets=[":host .tabulator-cell { cursor: pointer; color: #000091; text-decoration: underline; }",
                         ":host .tabulator-col-title { white-space: normal !important; }"],
        )  # fmt: skip

        def clicked(event):
            key = table.index[event.row]
            if event.column == first:
                if self.state.structure is None:
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
        download = pn.widgets.FileDownload(callback=self.state.csv, filename="sollicitations.csv", label="Télécharger",
                                           button_type="light", width=140)  # fmt: skip
        return card(f"Sollicitations : {title}", pn.Row(PagerView(self.state.pager), download),
                    list_table(rows, self.open_request))  # fmt: skip

    def _chart(self, by, _table):
        monthly = self.state.monthly()
        if monthly.empty:
            return html("<em>Aucune sollicitation.</em>")
        monthly.index = pd.to_datetime(monthly.index).strftime("%m/%Y")
        # A status keeps its colour whichever statuses the period happens to contain.
        colors = [STATUS_COLORS[c] for c in monthly.columns] if by == "statut" else None
        return monthly.hvplot.bar(stacked=True, rot=45, height=320, responsive=True, xlabel="Mois",
                                  ylabel="Sollicitations", legend="right", color=colors)  # fmt: skip


class EmisesSpace(Viewer):
    """The space "Sollicitations émises" for one logged-in user."""

    def __init__(self, me: sol.UserDesk, **params):
        super().__init__(**params)
        self.me = me
        self.navigation = Navigation()
        self.to_process = ToProcess(me, self.navigation)
        self.entry = EntryForm(me, self.navigation)
        self.search = SearchForm(me, self.navigation)
        self.detail = Detail(me, self.navigation)
        self.dashboard = Dashboard(me, self.navigation)
        self.entry.new()
        self.tabs = pn.Tabs(
            *[(label, pn.Column()) for _key, label in TABS], dynamic=False, sizing_mode="stretch_width",
        )
        self.tabs[0] = ("Synthèse", SyntheseView(self.to_process, self.open_request))
        self.tabs[1] = ("Saisir sollicitation", EntryView(self.entry))
        self.tabs[2] = ("Rechercher", SearchView(self.search, self.open_request))
        self.tabs[3] = ("Consulter", DetailView(self.detail))
        self.tabs[4] = ("Tableau de bord", DashboardView(self.dashboard, self.open_request))
        keys = [k for k, _ in TABS]
        self.tabs.param.watch(lambda e: setattr(self.navigation, "tab", keys[e.new]), "active")
        self.navigation.param.watch(lambda e: setattr(self.tabs, "active", keys.index(e.new)), "tab")
        self.navigation.param.watch(lambda e: self.detail.reload(), "revision")

    def open_request(self, numero, act: bool = False) -> None:
        """Clicking a number anywhere: a draft opens in the entry form, anything else in "Consulter".

        With `act`, the block of the action the status expects is opened too (Synthèse's actions).
        """
        if not self.detail.open(numero):
            self.navigation.tab = "consulter"
            return
        status = self.detail.data["statut"]
        if status == Status.BROUILLON and Action.SUBMIT in self.detail.data["actions"]:
            self.entry.load(self.detail.numero)
            self.navigation.tab = "saisir"
            return
        self.navigation.tab = "consulter"
        if act and status == Status.REPONDUE:
            self.detail.start_closing()
        elif act and status == Status.INFORMATIONS_REQUISES:
            self.detail.start_complement()

    def __panel__(self):
        return self.tabs

"""The app's state: param classes over one user's desk. No Panel here, so they test in plain Python."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile

import pandas as pd
import param

import sollicitations as sol
from sollicitations import captcha
from sollicitations.access import Space
from sollicitations.attachments import DEFAULT_TYPE, TYPES
from sollicitations.status import Action, Status

PAGE_SIZES = [5, 10, 20, 50, 100]
# The receiver's action blocks: mode -> (block title, action whose permission opens it).
RECEIVER_BLOCKS = {
    "assignation": ("Assigner la sollicitation", Action.ASSIGN),
    "information": ("Demander des informations complémentaires", Action.REQUEST_INFORMATION),
    "reponse": ("Répondre à la sollicitation", Action.RESPOND),
    "transfert": ("Transférer au support", Action.TRANSFER_TO_SUPPORT),
}
OUI_NON = {"Oui": True, "Non": False}
NONE = ""  # the empty choice of a selector


def messages_of(error: Exception) -> list[str]:
    if isinstance(error, sol.ValidationError):
        return error.messages
    return [str(error)]


class Navigation(param.Parameterized):
    """Which tab is shown, and which request the "Consulter" tab holds."""

    tab = param.Selector(objects=["synthese", "saisir", "rechercher", "consulter", "tableau"], default="synthese")
    numero = param.Integer(default=None, allow_None=True)
    revision = param.Integer(default=0, doc="bumped after every write, so that lists reload")

    def changed(self) -> None:
        self.revision += 1


class Pager(param.Parameterized):
    """Page number and size of one list; the total comes from the package's count."""

    page = param.Integer(default=1, bounds=(1, None))
    page_size = param.Selector(objects=PAGE_SIZES, default=10)
    total = param.Integer(default=0)
    pages = param.Integer(default=1)

    @param.depends("page_size", watch=True)
    def _back_to_first(self):
        self.page = 1

    def update(self, frame: pd.DataFrame) -> None:
        self.param.update(total=frame.attrs.get("total", len(frame)), pages=frame.attrs.get("pages", 1))

    def previous(self):
        self.page = max(1, self.page - 1)

    def next(self):
        self.page = min(self.pages, self.page + 1)

    @property
    def summary(self) -> str:
        return f"Page {self.page} / {self.pages} ({self.total} ligne{'s' if self.total > 1 else ''})"


class ToProcess(param.Parameterized):
    """ "Mes sollicitations à traiter", with its structure filter."""

    structure = param.Selector(default=NONE, objects=[NONE])
    rows = param.DataFrame(default=pd.DataFrame())
    error = param.String(default="")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.navigation, self.space, self.pager = me, navigation, space, Pager()
        self.param.structure.objects = {"Tous": NONE, **structure_choices(me, space)}
        self.pager.param.watch(lambda e: self.load(), ["page", "page_size"])
        navigation.param.watch(lambda e: self.load(), "revision")
        self.load()

    @param.depends("structure", watch=True)
    def _filter(self):
        self.pager.page = 1
        self.load()

    def load(self) -> None:
        try:
            frame = self.me.to_process(self.structure or None, self.pager.page, self.pager.page_size, space=self.space)
        except sol.SollicitationError as e:
            self.error = str(e)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, error="")

    def file(self, format: str) -> io.BytesIO:
        return list_file(self.me, "to_process", self.space, format, structure=self.structure or None)


class SearchForm(param.Parameterized):
    """The "Rechercher" tab: the guide's criteria, then one page of results."""

    numero = param.String(default="")
    categorie = param.Selector(default=NONE, objects=[NONE])
    sous_categorie = param.Selector(default=NONE, objects=[NONE])
    numero_objet = param.String(default="")
    du = param.Date(default=None, allow_None=True)
    au = param.Date(default=None, allow_None=True)
    structure = param.Selector(default=NONE, objects=[NONE])
    destinataire_recherche = param.String(default="")
    destinataire = param.Selector(default=NONE, objects=[NONE])
    service_destinataire = param.Selector(default=NONE, objects=[NONE])  # a service code of `destinataire`
    cree_par = param.String(default="")
    mots = param.String(default="", doc="words of the description or of the exchanges, each a prefix")
    emetteur = param.String(default="", doc="emitter structure identifier, on the receivers' side")
    export_format = param.Selector(default="xlsx", objects={"Excel (XLSX)": "xlsx", "CSV": "csv"})
    progress = param.Integer(default=0, bounds=(0, 100))
    export_path = param.String(default="")
    export_message = param.String(default="")
    statuts = param.ListSelector(default=[], objects=[s.short_label for s in Status])
    rows = param.DataFrame(default=None, allow_None=True)
    errors = param.List(default=[])
    message = param.String(default="")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.navigation, self.space, self.pager = me, navigation, space, Pager()
        self.param.categorie.objects = choices("Toutes", me.desk.catalogue.categories())
        if space == Space.EMISES:
            self.param.structure.objects = {"Toutes": NONE, **structure_choices(me, space)}
        else:  # the receiver picks among its own structures, and types the emitter's identifier
            self.param.destinataire.objects = {"Toutes": NONE, **structure_choices(me, space)}
        self._recipient_services()
        self.pager.param.watch(lambda e: self.run() if self.rows is not None else None, ["page", "page_size"])
        navigation.param.watch(lambda e: self.run() if self.rows is not None else None, "revision")

    @param.depends("categorie", watch=True)
    def _sub_categories(self):
        subs = self.me.desk.catalogue.sous_categories(self.categorie) if self.categorie else []
        self.param.sous_categorie.objects = choices("Toutes", subs)
        self.sous_categorie = NONE

    @param.depends("destinataire", watch=True)
    def _recipient_services(self):
        """ "Service destinataire": the services of the chosen recipient structure."""
        services = (self.me.desk.services(self.destinataire) if self.destinataire
                    else pd.DataFrame(columns=["Code", "Service"]))  # fmt: skip
        self.param.service_destinataire.objects = {"Tous": NONE, **dict(zip(services["Service"], services["Code"]))}
        if self.service_destinataire not in self.param.service_destinataire.objects.values():
            self.service_destinataire = NONE

    def criteria(self) -> dict:
        return {
            "numero": self.numero, "categorie": self.categorie, "sous_categorie": self.sous_categorie,
            "numero_objet": self.numero_objet, "du": self.du, "au": self.au,
            "structure": self.structure if self.space == Space.EMISES else self.emetteur,
            "destinataire": self.destinataire, "service_destinataire": self.service_destinataire,
            "cree_par": self.cree_par, "statut": list(self.statuts), "mots": self.mots,
        }  # fmt: skip

    def search(self) -> None:
        """The "Rechercher" button: back to page 1 with the current criteria."""
        if self.pager.page != 1:
            self.pager.page = 1  # the watcher runs the search
            if self.rows is not None:
                return
        self.run()

    def run(self) -> None:
        try:
            frame = self.me.search(self.pager.page, self.pager.page_size, self.space, **self.criteria())
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), rows=None)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, errors=[])

    def reset(self) -> None:
        with param.parameterized.batch_call_watchers(self):
            for name in ("numero", "numero_objet", "cree_par", "mots", "destinataire_recherche", "emetteur"):
                setattr(self, name, "")
            self.param.update(categorie=NONE, structure=NONE, destinataire=NONE, service_destinataire=NONE,
                              du=None, au=None, statuts=[], rows=None, errors=[], message="")  # fmt: skip
            if self.space == Space.EMISES:
                self.param.destinataire.objects = [NONE]

    def find_recipients(self) -> None:
        self.param.destinataire.objects = recipient_choices(self.me, self.destinataire_recherche, None)
        self.destinataire = NONE

    def clear_recipient(self) -> None:
        """ "Vider": the recipient structure, and with it its service."""
        self.destinataire_recherche = ""
        self.param.destinataire.objects = [NONE]
        self.param.update(destinataire=NONE, service_destinataire=NONE)  # the watcher empties the services

    def clear_recipient_service(self) -> None:
        """ "Vider" the recipient's service only."""
        self.service_destinataire = NONE

    def delete_draft(self, numero: int) -> None:
        try:
            self.me.delete_draft(numero)
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        self.message = f"La sollicitation n° {numero} a été supprimée."
        self.navigation.changed()

    def export(self) -> None:
        """ "Exporter les résultats": the whole result set to a file, with progress (see views)."""
        extension = self.export_format
        handle, path = tempfile.mkstemp(prefix="export-", suffix=f".{extension}")
        os.close(handle)
        self.param.update(progress=0, export_path="", export_message="", errors=[])

        def advance(done: int, total: int) -> None:
            self.progress = int(100 * done / total) if total else 100

        try:
            rows = self.me.export(path, format=extension, space=self.space, progress=advance, **self.criteria())
        except sol.SollicitationError as e:
            os.unlink(path)
            self.param.update(errors=messages_of(e), progress=0)
            return
        self.param.update(progress=100, export_path=path,
                          export_message=f"{rows} ligne{'s' if rows > 1 else ''} exportée{'s' if rows > 1 else ''}.")  # fmt: skip

    def detail_pdf(self, numero: int) -> io.BytesIO:
        return io.BytesIO(self.me.detail_pdf(numero))


class EntryForm(param.Parameterized):
    """ "Saisir sollicitation": a new request or a draft being completed."""

    numero = param.Integer(default=None, allow_None=True)
    statut = param.String(default="")
    saisie_le = param.Date(default=None, allow_None=True)
    categorie = param.Selector(default=NONE, objects=[NONE])
    sous_categorie = param.Selector(default=NONE, objects=[NONE])
    type_objet = param.Selector(default=NONE, objects=[NONE])
    numero_objet = param.String(default="")
    structure = param.Selector(default=NONE, objects=[NONE])
    identifiant = param.String(default="", constant=False)
    service = param.Selector(default=NONE, objects=[NONE])
    email = param.String(default="")
    telephone = param.String(default="")
    description = param.String(default="")
    destinataire_etat = param.Selector(default=False, objects=OUI_NON)
    destinataire_recherche = param.String(default="")
    destinataire = param.Selector(default=NONE, objects=[NONE])
    service_destinataire = param.Selector(default=NONE, objects=[NONE])
    needs_object = param.Boolean(default=False)
    needs_recipient = param.Boolean(default=False)
    attachments = param.DataFrame(default=pd.DataFrame())
    attachment_type = param.Selector(default=DEFAULT_TYPE, objects=list(TYPES))
    errors = param.List(default=[])
    message = param.String(default="")
    sent = param.Integer(default=None, allow_None=True, doc="number of the request just sent")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, **params):
        super().__init__(**params)
        self.me, self.navigation = me, navigation
        self.param.categorie.objects = choices("Sélectionner une catégorie", me.desk.catalogue.categories())
        self.param.structure.objects = {"Sélectionner une structure": NONE, **structure_choices(me, Space.EMISES)}

    # -- dependent choices ---------------------------------------------------------------

    @param.depends("categorie", watch=True)
    def _sub_categories(self):
        subs = self.me.desk.catalogue.sous_categories(self.categorie) if self.categorie else []
        self.param.sous_categorie.objects = choices("Sélectionner une sous-catégorie", subs)
        if self.sous_categorie not in subs:
            self.sous_categorie = NONE
        self._pair_changed()

    @param.depends("sous_categorie", watch=True)
    def _pair_changed(self):
        pair = self.me.desk.catalogue.pair(self.categorie, self.sous_categorie)
        needs_object = bool(pair and pair.needs_object)
        labels = self.me.desk.catalogue.object_types
        self.param.type_objet.objects = choices("Sélectionner un type", [labels[pair.type_objet]] if needs_object else [])
        if not needs_object:
            self.param.update(type_objet=NONE, numero_objet="")
        self.param.update(needs_object=needs_object, needs_recipient=bool(pair and pair.needs_recipient))

    @param.depends("structure", watch=True)
    def _structure_changed(self):
        self.identifiant = self.structure or ""
        services = self.me.desk.services(self.structure) if self.structure else pd.DataFrame(columns=["Code", "Service"])
        self.param.service.objects = {"Sélectionner un service": NONE, **dict(zip(services["Service"], services["Code"]))}
        if self.service not in self.param.service.objects.values():
            self.service = NONE

    @param.depends("destinataire", watch=True)
    def _recipient_changed(self):
        services = self.me.desk.services(self.destinataire) if self.destinataire else pd.DataFrame(columns=["Code", "Service"])
        self.param.service_destinataire.objects = {"Sélectionner un service": NONE,
                                                   **dict(zip(services["Service"], services["Code"]))}  # fmt: skip
        if self.service_destinataire not in self.param.service_destinataire.objects.values():
            self.service_destinataire = NONE

    def find_recipients(self) -> None:
        """ "Rechercher": public structures matching the text, filtered by the État answer."""
        choices = recipient_choices(self.me, self.destinataire_recherche, self.destinataire_etat)
        self.param.destinataire.objects = choices
        self.destinataire = NONE if len(choices) != 2 else list(choices.values())[1]
        if len(choices) == 1:
            self.errors = ["Aucune structure publique ne correspond à cette recherche"]

    def clear_recipient_service(self) -> None:
        """ "Vider" the recipient's service."""
        self.service_destinataire = NONE

    # -- actions -------------------------------------------------------------------------

    def fields(self) -> dict:
        fields = {
            "categorie": self.categorie, "sous_categorie": self.sous_categorie, "structure": self.structure,
            "service": self.service, "email": self.email, "telephone": self.telephone,
            "description": self.description, "type_objet": self.type_objet, "numero_objet": self.numero_objet,
        }  # fmt: skip
        if self.needs_recipient:
            fields.update(destinataire=self.destinataire, service_destinataire=self.service_destinataire,
                          destinataire_etat=self.destinataire_etat)  # fmt: skip
        return {k: (v if v != NONE else None) for k, v in fields.items()}

    def save(self) -> None:
        """ "Enregistrer": create or update the draft."""
        try:
            if self.numero is None:
                self.numero = self.me.save_draft(**self.fields())
            else:
                self.me.update_draft(self.numero, **self.fields())
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), message="")
            return
        self.load(self.numero)
        self.param.update(errors=[], message=f"La sollicitation n° {self.numero} est enregistrée au statut « Brouillon ».")
        self.navigation.changed()

    def send(self) -> None:
        """ "Valider et envoyer"."""
        try:
            if self.numero is None:
                numero = self.me.send(**self.fields())
            else:
                self.me.submit(self.numero, **self.fields())
                numero = self.numero
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), message="")
            return
        self.load(numero)
        self.param.update(errors=[], sent=numero, message=f"La sollicitation n° {numero} a été envoyée.")
        self.navigation.changed()

    def new(self) -> None:
        """ "Saisir une nouvelle sollicitation": an empty form."""
        with param.parameterized.batch_call_watchers(self):
            self.param.update(
                numero=None, statut="", saisie_le=None, categorie=NONE, numero_objet="", structure=NONE,
                email=self.me.user.email or "", telephone=self.me.user.telephone or "", description="",
                destinataire_recherche="", destinataire=NONE, errors=[], message="", sent=None,
                attachments=pd.DataFrame(),
            )  # fmt: skip

    def load(self, numero: int) -> None:
        """Fill the form with a stored request (a draft to complete, or one just sent)."""
        detail = self.me.get(numero)
        structure = detail["structure"]["id"] if detail["structure"] else NONE
        with param.parameterized.batch_call_watchers(self):
            self.param.update(numero=numero, statut=detail["statut"].short_label,
                              saisie_le=detail["saisie_le"].date(), categorie=detail["categorie"])  # fmt: skip
        self._sub_categories()
        self.sous_categorie = detail["sous_categorie"]
        self.structure = structure
        self._structure_changed()
        service_code = _service_code(self.me, structure, detail["service"])
        recipient = detail["destinataire"]
        if recipient and self.needs_recipient:
            self.param.destinataire.objects = {f"{recipient['id']} - {recipient['designation']}": recipient["id"]}
            self.param.update(destinataire=recipient["id"], destinataire_etat=bool(recipient["service_etat"]))
            self.service_destinataire = _service_code(self.me, recipient["id"], detail["service_destinataire"]) or NONE
        self.param.update(
            service=service_code or NONE, email=detail["email"] or "", telephone=detail["telephone"] or "",
            description=detail["description"] or "", type_objet=detail["type_objet"] or NONE,
            numero_objet=detail["numero_objet"] or "", attachments=detail["pieces_jointes"], errors=[], message="",
        )  # fmt: skip

    @property
    def editable(self) -> bool:
        return self.numero is None or self.statut == Status.BROUILLON.short_label

    def add_attachments(self, files: dict[str, bytes]) -> None:
        """ "Ajouter" in "Gestion des pièces jointes": every chosen file, with the chosen type."""
        if self.numero is None:
            self.errors = ["Enregistrez la sollicitation avant d'y joindre des fichiers"]
            return
        problems = []
        for name, content in files.items():
            try:
                self.me.add_attachment(self.numero, name, content, type=self.attachment_type)
            except sol.SollicitationError as e:
                problems += messages_of(e)
        self.attachments = self.me.attachments(self.numero)
        self.errors = problems
        if not problems:
            self.message = f"{len(files)} pièce(s) jointe(s) ajoutée(s)."

    def delete_attachments(self, ids: list[int]) -> None:
        problems = []
        for attachment_id in ids:
            try:
                self.me.delete_attachment(self.numero, int(attachment_id))
            except sol.SollicitationError as e:
                problems += messages_of(e)
        self.attachments = self.me.attachments(self.numero)
        self.errors = problems


class Detail(param.Parameterized):
    """The "Consulter" tab: one request, and the actions its status allows this user."""

    numero = param.Integer(default=None, allow_None=True)
    data = param.Dict(default=None, allow_None=True)
    mode = param.Selector(objects=["", "complement", "cloture", "telechargement", *RECEIVER_BLOCKS], default="")
    inclure_pieces_jointes = param.Selector(default=False, objects=OUI_NON)
    texte = param.String(default="", doc="the receiver's comment: question, response or transfer reason")
    agent = param.Selector(default=NONE, objects=[NONE])
    complement = param.String(default="")
    # Radio buttons always hold a value: the safe answers are preselected, the comment is mandatory.
    resolue = param.Selector(default=True, objects=OUI_NON)
    rouvrir = param.Selector(default=False, objects=OUI_NON)
    commentaire = param.String(default="")
    errors = param.List(default=[])
    message = param.String(default="")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, **params):
        super().__init__(**params)
        self.me, self.navigation = me, navigation

    def open(self, numero) -> bool:
        try:
            data = self.me.get(numero)
        except sol.SollicitationError as e:
            self.param.update(numero=None, data=None, errors=messages_of(e), message="", mode="")
            return False
        self.param.update(numero=data["numero"], data=data, errors=[], mode="", complement="",
                          commentaire="", resolue=True, rouvrir=False)  # fmt: skip
        return True

    def reload(self) -> None:
        if self.numero is not None:
            message = self.message
            self.open(self.numero)
            self.message = message

    def can(self, *actions: Action) -> bool:
        return bool(self.data) and any(a in self.data["actions"] for a in actions)

    def pdf(self, with_attachments: bool) -> io.BytesIO:
        """ "Télécharger détail": the PDF, the attachments embedded in it when asked."""
        return io.BytesIO(self.me.detail_pdf(self.numero, attachments=with_attachments))

    def take_in_charge(self) -> None:
        self._do(lambda: self.me.take_in_charge(self.numero),
                 f"Vous avez pris en charge la sollicitation n° {self.numero}.")  # fmt: skip

    def start(self, mode: str) -> None:
        """Open the block of a receiver's action ("information", "reponse", "transfert", "assignation")."""
        if mode == "assignation":
            agents = self.me.agents(self.numero)
            self.param.agent.objects = {"Sélectionner un agent": NONE, **dict(zip(agents["Agent"], agents["login"]))}
            self.agent = NONE
        self.param.update(mode=mode, texte="", errors=[], message="")

    def validate_receiver(self) -> None:
        n = self.numero
        if self.mode == "assignation":
            if not self.agent:
                self.errors = ["Veuillez sélectionner un agent"]
                return
            self._do(lambda: self.me.assign(n, self.agent), f"La sollicitation n° {n} est assignée.")
        elif self.mode == "information":
            self._do(lambda: self.me.request_information(n, self.texte),
                     f"La demande d'informations complémentaires a été envoyée pour la sollicitation n° {n}.")
        elif self.mode == "reponse":
            self._do(lambda: self.me.respond(n, self.texte), f"La réponse à la sollicitation n° {n} a été envoyée.")
        elif self.mode == "transfert":
            self._do(lambda: self.me.transfer_to_support(n, self.texte),
                     f"La sollicitation n° {n} a été transférée au support.")  # fmt: skip

    def start_complement(self) -> None:
        self.param.update(mode="complement", complement="", errors=[], message="")

    def start_closing(self) -> None:
        self.param.update(mode="cloture", resolue=True, rouvrir=False, commentaire="", errors=[], message="")

    def cancel(self) -> None:
        self.param.update(mode="", errors=[])

    def send_complement(self) -> None:
        self._do(lambda: self.me.add_complement(self.numero, self.complement),
                 f"Le complément d'information a été envoyé : la sollicitation n° {self.numero} est renvoyée au destinataire.")  # fmt: skip

    def validate_closing(self) -> None:
        reopen = self.resolue is False and self.rouvrir is True
        text = ("La sollicitation n° {n} est renvoyée au destinataire." if reopen
                else "La sollicitation n° {n} est fermée.").format(n=self.numero)  # fmt: skip
        self._do(lambda: self.me.close(self.numero, resolved=self.resolue, reopen=reopen, comment=self.commentaire), text)

    def add_attachments(self, files: dict[str, bytes], type_: str = DEFAULT_TYPE) -> None:
        problems = []
        for name, content in files.items():
            try:
                self.me.add_attachment(self.numero, name, content, type=type_)
            except sol.SollicitationError as e:
                problems += messages_of(e)
        self.data = self.me.get(self.numero)  # keeps what the user is typing in the open block
        self.errors = problems

    def attachments_zip(self, ids: list[int] | None = None) -> tuple[str, io.BytesIO]:
        return attachments_download(self.me, self.numero, ids)

    def _do(self, action, success: str) -> None:
        try:
            action()
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        if not self.open(self.numero):  # e.g. transferred to the support desk: out of this user's reach
            self.errors = []
            success += " Elle ne figure plus parmi les sollicitations de votre structure."
        self.message = success
        self.navigation.changed()


class Dashboard(param.Parameterized):
    """ "Tableau de bord": counts per structure, then per service, then the list behind a count."""

    structure = param.String(default=None, allow_None=True)
    structure_label = param.String(default="")
    table = param.DataFrame(default=pd.DataFrame())
    list_title = param.String(default="")
    list_criteria = param.Dict(default=None, allow_None=True)
    rows = param.DataFrame(default=None, allow_None=True)
    monthly_by = param.Selector(default="statut", objects={"Statut": "statut", "Catégorie": "categorie"})
    errors = param.List(default=[])

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.EMISES, **params):
        super().__init__(**params)
        self.me, self.navigation, self.space, self.pager = me, navigation, space, Pager()
        self.side = "structure" if space == Space.EMISES else "destinataire"
        self.pager.param.watch(lambda e: self._load_list(), ["page", "page_size"])
        navigation.param.watch(lambda e: self.refresh(), "revision")
        self.refresh()

    def filter_criteria(self) -> dict:
        """The managers' filters (period, category, recipient); none on the other spaces."""
        return {}

    def refresh(self) -> None:
        try:
            self.table = self.me.dashboard(self.structure, space=self.space, **self.filter_criteria())
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        self.errors = []
        self._load_list()

    def home(self) -> None:
        """The "Tableau de bord" link: back to the first table."""
        self.param.update(structure=None, list_criteria=None, rows=None, list_title="")
        self.refresh()

    def open_structure(self, structure: str) -> None:
        label = self.table.loc[structure].iloc[0] if structure in self.table.index else structure
        self.param.update(structure=structure, structure_label=label, list_criteria=None, rows=None, list_title="")
        self.refresh()

    def open_cell(self, key, status_label: str | None) -> None:
        """A count was clicked (or a service name, `status_label` None): list those requests."""
        criteria: dict = self.filter_criteria()
        service = "service_emetteur" if self.side == "structure" else "service_destinataire"
        if self.structure is None:
            criteria[self.side] = key
            label = self.table.loc[key].iloc[0]
        else:
            criteria.update({self.side: self.structure, service: key})
            label = f"{self.structure_label} / {self.table.loc[key].iloc[0]}"
        if status_label:
            criteria["statut"] = status_label
        self.list_title = f"{label}" + (f" - {status_label}" if status_label else "")
        self.list_criteria = criteria
        self.pager.page = 1
        self._load_list()

    def _load_list(self) -> None:
        if not self.list_criteria:
            return
        try:
            frame = self.me.search(self.pager.page, self.pager.page_size, self.space, **self.list_criteria)
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), rows=None)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, errors=[])

    def monthly(self) -> pd.DataFrame:
        """ "Sollicitations saisies par mois", under the same filters as the table (the managers')."""
        filters = {k: v for k, v in self.filter_criteria().items() if v is not None}
        return self.me.monthly(self.monthly_by, structure=self.structure, space=self.space, **filters)

    def monthly_csv(self) -> io.BytesIO:
        frame = self.monthly()
        frame.index = pd.to_datetime(frame.index).strftime("%m/%Y")
        frame.index.name = "Mois"
        return io.BytesIO(("\ufeff" + frame.reset_index().to_csv(sep=";", index=False)).encode("utf-8"))

    def file(self, format: str) -> io.BytesIO:
        return list_file(self.me, "search", self.space, format, **(self.list_criteria or {}))


def list_file(me: sol.UserDesk, list_name: str, space: Space, format: str, **criteria) -> io.BytesIO:
    """A whole list as an XLSX or CSV file, for the download buttons of lists."""
    handle, path = tempfile.mkstemp(suffix=f".{format}")
    os.close(handle)
    try:
        me.export(path, format=format, list_name=list_name, space=space, **criteria)
        with open(path, "rb") as f:
            return io.BytesIO(f.read())
    finally:
        os.unlink(path)


def choices(prompt: str, values: list[str]) -> dict[str, str]:
    """Selector options with a first, empty choice that says what to do."""
    return {prompt: NONE, **{v: v for v in values}}


def structure_choices(me: sol.UserDesk, space: Space) -> dict[str, str]:
    if space == Space.TOUTES:
        return {}
    frame = me.my_structures(space)
    return {f"{i} - {d}": i for i, d in zip(frame["Identifiant"], frame["Désignation"])}


def recipient_choices(me: sol.UserDesk, text: str, etat: bool | None) -> dict[str, str]:
    frame = me.desk.search_structures(text or "", etat=etat, limit=50)
    return {"Sélectionner une structure": NONE, **{f"{i} - {d}": i for i, d in zip(frame["Identifiant"], frame["Désignation"])}}


def attachments_download(me: sol.UserDesk, numero: int, ids: list[int] | None) -> tuple[str, io.BytesIO]:
    """One file as it is, several as a ZIP: the "Télécharger pièces jointes" button."""
    frame = me.attachments(numero)
    chosen = [int(i) for i in (ids or frame["id"].tolist())]
    if len(chosen) == 1:
        name, content = me.attachment(numero, chosen[0])
        return name, io.BytesIO(content)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used: set[str] = set()
        for attachment_id in chosen:
            name, content = me.attachment(numero, attachment_id)
            unique = name if name not in used else f"{attachment_id}-{name}"
            used.add(unique)
            archive.writestr(unique, content)
    buffer.seek(0)
    return f"pieces-jointes-{numero}.zip", buffer


def _service_code(me: sol.UserDesk, structure: str, libelle: str | None) -> str | None:
    if not structure or not libelle:
        return None
    services = me.desk.services(structure)
    match = services[services["Service"] == libelle]
    return None if match.empty else match["Code"].iloc[0]


class ManagerDashboard(Dashboard):
    """The managers' dashboard: the same drill-down across every structure, with filters and figures."""

    du = param.Date(default=None, allow_None=True)
    au = param.Date(default=None, allow_None=True)
    categorie = param.Selector(default=NONE, objects=[NONE])
    destinataire = param.String(default="", doc="recipient structure identifier")
    delays_by = param.Selector(default="destinataire", objects={"Structure destinataire": "destinataire",
                                                                "Catégorie": "categorie"})  # fmt: skip
    revision = param.Integer(default=0, doc="bumped when the filters are applied: figures reload")

    def __init__(self, me: sol.UserDesk, navigation: Navigation, space: Space = Space.TOUTES, **params):
        super().__init__(me, navigation, space, **params)
        self.param.categorie.objects = choices("Toutes", me.desk.catalogue.categories())

    def filter_criteria(self) -> dict:
        return {"du": self.du, "au": self.au, "categorie": self.categorie or None,
                "destinataire": self.destinataire.strip() or None}  # fmt: skip

    def apply(self) -> None:
        """ "Appliquer": the table, the open list and every figure follow the filters."""
        self.param.update(structure=None, list_criteria=None, rows=None, list_title="")
        self.refresh()
        if not self.errors:
            self.revision += 1

    def figure(self, name: str) -> pd.DataFrame:
        """One figure's data, computed by the package ("weekly_flow", "backlog", "delays", ...)."""
        filters = self.filter_criteria()
        if name in ("delays", "reopen_rates"):
            return getattr(self.me, name)(self.delays_by, space=self.space, **filters)
        if name == "oldest_open":
            return self.me.oldest_open(20, space=self.space, **filters)
        return getattr(self.me, name)(space=self.space, **filters)

    def figure_csv(self, name: str) -> io.BytesIO:
        frame = self.figure(name)
        frame = frame.reset_index() if frame.index.name not in (None, "cle") else frame.reset_index(drop=True)
        return io.BytesIO(("\ufeff" + frame.to_csv(sep=";", index=False, date_format="%d/%m/%Y")).encode("utf-8"))


class ContactForm(param.Parameterized):
    """ "Nous contacter": the public form, its captcha, and the confirmation with the number."""

    categorie = param.Selector(default=NONE, objects=[NONE])
    sous_categorie = param.Selector(default=NONE, objects=[NONE])
    email = param.String(default="")
    description = param.String(default="")
    reponse_captcha = param.String(default="")
    image = param.Bytes(default=None, allow_None=True)
    question = param.String(default="")
    errors = param.List(default=[])
    numero = param.Integer(default=None, allow_None=True)

    def __init__(self, desk: sol.Desk, client: str, **params):
        super().__init__(**params)
        self.desk, self.client, self.token = desk, client, None
        self.param.categorie.objects = choices("Sélectionner une catégorie", desk.catalogue.categories(contact_form=True))
        self.new_image()

    @param.depends("categorie", watch=True)
    def _sub_categories(self):
        subs = self.desk.catalogue.sous_categories(self.categorie, contact_form=True) if self.categorie else []
        self.param.sous_categorie.objects = choices("Sélectionner une sous-catégorie", subs)
        self.sous_categorie = NONE

    def new_image(self) -> None:
        """ "Nouveau code"."""
        challenge = captcha.new_visual(self.desk.store, self.desk.clock())
        self.token = challenge.token
        self.param.update(image=challenge.image_png, question="", reponse_captcha="")

    def new_question(self) -> None:
        """The accessible alternative: a sum written in words."""
        challenge = captcha.new_question(self.desk.store, self.desk.clock())
        self.token = challenge.token
        self.param.update(image=None, question=challenge.question, reponse_captcha="")

    def submit(self) -> None:
        """ "Valider"."""
        try:
            numero = self.desk.contact_form(
                self.categorie or None, self.sous_categorie or None, self.email, self.description,
                captcha_token=self.token, captcha_answer=self.reponse_captcha, client=self.client,
            )  # fmt: skip
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            if captcha.WRONG in self.errors:
                self.new_question() if self.question else self.new_image()
            return
        self.param.update(errors=[], numero=numero)


class Outbox(param.Parameterized):
    """The support desk's view of the mails the office wrote (sent or waiting)."""

    rows = param.DataFrame(default=pd.DataFrame())
    numero = param.String(default="")
    errors = param.List(default=[])

    def __init__(self, me: sol.UserDesk, navigation: Navigation, **params):
        super().__init__(**params)
        self.me, self.pager = me, Pager()
        self.pager.param.watch(lambda e: self.load(), ["page", "page_size"])
        navigation.param.watch(lambda e: self.load(), "revision")
        self.load()

    def load(self) -> None:
        try:
            frame = self.me.outbox(self.pager.page, self.pager.page_size, numero=self.numero.strip() or None)
        except sol.SollicitationError as e:
            self.errors = messages_of(e)
            return
        self.pager.update(frame)
        self.param.update(rows=frame, errors=[])

    def search(self) -> None:
        self.pager.page = 1
        self.load()

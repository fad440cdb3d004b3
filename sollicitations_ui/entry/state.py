""""Saisir sollicitation": a new request or a draft being completed: the state, in plain param (no Panel: tested without a browser)."""
from __future__ import annotations


import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.attachments import DEFAULT_TYPE, TYPES
from sollicitations.status import Status

from ..common import (NONE, OUI_NON, Navigation, choices, messages_of,
                      recipient_choices, structure_choices, code_of_service)


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
        own_service = code_of_service(self.me, structure, detail["service"])
        recipient = detail["destinataire"]
        if recipient and self.needs_recipient:
            self.param.destinataire.objects = {f"{recipient['id']} - {recipient['designation']}": recipient["id"]}
            self.param.update(destinataire=recipient["id"], destinataire_etat=bool(recipient["service_etat"]))
            self.service_destinataire = code_of_service(self.me, recipient["id"], detail["service_destinataire"]) or NONE
        self.param.update(
            service=own_service or NONE, email=detail["email"] or "", telephone=detail["telephone"] or "",
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

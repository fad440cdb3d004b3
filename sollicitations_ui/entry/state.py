""" "Saisir sollicitation": a new request or a draft being completed: the state, in plain param (no Panel: tested without a browser)."""

from __future__ import annotations

import io

import pandas as pd
import param

import sollicitations as sol
from sollicitations.access import Space
from sollicitations.attachments import DEFAULT_TYPE, TYPES
from sollicitations.status import NOTHING, Action, Actor, allowed_actions

from ..common import (
    NONE,
    OUI_NON,
    Navigation,
    attachments_download,
    choices,
    code_of_service,
    messages_of,
    recipient_choices,
    structure_choices,
)

SAVE_ACTIONS = (Action.SAVE_DRAFT, Action.UPDATE_DRAFT)
RECIPIENT_LIMIT = 50

# Where an action's result is shown: next to the buttons that were clicked. Each place is a pair of
# parameters (errors, message) that one Feedback of the view shows; telling one place empties the others.
PLACES = {
    "form": ("errors", "message"),  # Enregistrer / Valider et envoyer
    "attachments": ("attachment_errors", "attachment_message"),  # the "Pièces jointes" block
    "recipient": ("recipient_errors", "recipient_message"),  # the recipient's "Rechercher"
}


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
    selected_attachments = param.List(default=[], doc="ids of the attachments ticked in the table")
    errors = param.List(default=[])
    message = param.String(default="")
    attachment_errors = param.List(default=[])
    attachment_message = param.String(default="")
    recipient_errors = param.List(default=[])
    recipient_message = param.String(default="")
    confirmation = param.String(default="", doc="the confirmation window's text; empty: closed")
    sent = param.Integer(default=None, allow_None=True, doc="number of the request just sent")

    # What the screen offers, decided here from the request's status and the user's rights (`_decide`).
    actions = param.List(default=[], doc="UserDesk.actions(n), or what a new request allows")
    editable = param.Boolean(default=True, doc="the fields may be changed")
    can_save = param.Boolean(default=False, doc='"Enregistrer" is shown')
    can_send = param.Boolean(default=False, doc='"Valider et envoyer" is shown')
    manage_shown = param.Boolean(default=False, doc='"+Gestion des pièces jointes" is shown')
    manage_enabled = param.Boolean(default=False, doc="... and may be clicked (the request is saved)")
    managing = param.Boolean(default=False, doc='the "Gestion des pièces jointes" block is open')
    delete_shown = param.Boolean(default=False, doc='"Supprimer pièces jointes" is shown')
    delete_enabled = param.Boolean(default=False)
    download_enabled = param.Boolean(default=False, doc='"Télécharger pièces jointes": there is something to download')
    attachments_hint = param.String(default="")

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
        self.param.type_objet.objects = choices(
            "Sélectionner un type", [labels[pair.type_objet]] if needs_object else []
        )
        if not needs_object:
            self.param.update(type_objet=NONE, numero_objet="")
        self.param.update(needs_object=needs_object, needs_recipient=bool(pair and pair.needs_recipient))

    @param.depends("structure", watch=True)
    def _structure_changed(self):
        self.identifiant = self.structure or ""
        services = (
            self.me.desk.services(self.structure) if self.structure else pd.DataFrame(columns=["Code", "Service"])
        )
        self.param.service.objects = {
            "Sélectionner un service": NONE,
            **dict(zip(services["Service"], services["Code"])),
        }
        if self.service not in self.param.service.objects.values():
            self.service = NONE

    @param.depends("destinataire", watch=True)
    def _recipient_changed(self):
        services = (
            self.me.desk.services(self.destinataire) if self.destinataire else pd.DataFrame(columns=["Code", "Service"])
        )
        self.param.service_destinataire.objects = {"Sélectionner un service": NONE,
                                                   **dict(zip(services["Service"], services["Code"]))}  # fmt: skip
        if self.service_destinataire not in self.param.service_destinataire.objects.values():
            self.service_destinataire = NONE

    def find_recipients(self) -> None:
        """ "Rechercher": public structures matching the text, filtered by the État answer; a single
        match is selected at once."""
        try:
            found = recipient_choices(self.me, self.destinataire_recherche, self.destinataire_etat)
        except sol.SollicitationError as e:
            self._tell("recipient", errors=messages_of(e))
            return
        self.param.destinataire.objects = found
        names = [name for name, value in found.items() if value != NONE]
        if len(names) == 1:
            self.destinataire = found[names[0]]
            self._tell("recipient", message=f"Une seule structure correspond : {names[0]}. Elle est sélectionnée.")
        else:
            self.destinataire = NONE
        if not names:
            self._tell("recipient", errors=["Aucune structure publique ne correspond à cette recherche"])
        elif len(names) >= RECIPIENT_LIMIT:
            self._tell(
                "recipient",
                message=f"Plus de {RECIPIENT_LIMIT - 1} structures correspondent : précisez la "
                "recherche, ou choisissez dans la liste « Structure destinataire ».",
            )
        elif len(names) > 1:
            self._tell(
                "recipient",
                message=f"{len(names)} structures correspondent : choisissez-la dans la liste "
                "« Structure destinataire ».",
            )

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
            self._tell("form", errors=messages_of(e))
            return
        self.load(self.numero)
        self._tell("form", message=f"La sollicitation n° {self.numero} est enregistrée au statut « Brouillon ».")
        self.navigation.changed()

    def send(self) -> None:
        """ "Valider et envoyer": sent, it ends on the confirmation window with its number."""
        try:
            if self.numero is None:
                numero = self.me.send(**self.fields())
            else:
                self.me.submit(self.numero, **self.fields())
                numero = self.numero
        except sol.SollicitationError as e:
            self._tell("form", errors=messages_of(e))
            return
        self.load(numero)
        sent = f"La sollicitation n° {numero} a été envoyée."
        self._tell("form", message=sent)
        self.param.update(sent=numero, confirmation=f"{sent} Gardez ce numéro : il permet de la retrouver "
                                                    "et d'en suivre le traitement.")  # fmt: skip
        self.navigation.changed()

    def close_confirmation(self) -> None:
        """ "Fermer" in the confirmation window."""
        self.confirmation = ""

    def new(self) -> None:
        """ "Saisir une nouvelle sollicitation": an empty form."""
        self.param.destinataire.objects = [NONE]  # a loaded request's recipient is its only choice
        with param.parameterized.batch_call_watchers(self):
            self.param.update(
                numero=None, statut="", saisie_le=None, categorie=NONE, numero_objet="", structure=NONE,
                email=self.me.user.email or "", telephone=self.me.user.telephone or "", description="",
                destinataire_recherche="", destinataire=NONE, sent=None, confirmation="",
                attachments=pd.DataFrame(), managing=False,
                actions=allowed_actions(NOTHING, Actor.EMETTEUR) if self.me.user.emitter_structures else [],
            )  # fmt: skip
            self._tell(None)
        self._decide()

    def load(self, numero: int) -> None:
        """Fill the form with a stored request (a draft to complete, or one just sent)."""
        detail = self.me.get(numero)
        structure = detail["structure"]["id"] if detail["structure"] else NONE
        with param.parameterized.batch_call_watchers(self):
            self.param.update(numero=numero, statut=detail["statut"].short_label,
                              saisie_le=detail["saisie_le"].date(), categorie=detail["categorie"])  # fmt: skip
        # Nothing of the request shown before stays: its recipient, its search, an open attachment block.
        self.param.destinataire.objects = [NONE]
        self.param.update(destinataire=NONE, destinataire_recherche="", service_destinataire=NONE, managing=False)
        self._sub_categories()
        self.sous_categorie = detail["sous_categorie"]
        self.structure = structure
        self._structure_changed()
        own_service = code_of_service(self.me, structure, detail["service"])
        recipient = detail["destinataire"]
        if recipient and self.needs_recipient:
            self.param.destinataire.objects = {f"{recipient['id']} - {recipient['designation']}": recipient["id"]}
            self.param.update(destinataire=recipient["id"], destinataire_etat=bool(recipient["service_etat"]))
            self.service_destinataire = (
                code_of_service(self.me, recipient["id"], detail["service_destinataire"]) or NONE
            )
        self.param.update(
            service=own_service or NONE, email=detail["email"] or "", telephone=detail["telephone"] or "",
            description=detail["description"] or "", type_objet=detail["type_objet"] or NONE,
            numero_objet=detail["numero_objet"] or "", attachments=detail["pieces_jointes"],
            actions=list(detail["actions"]), confirmation="",
        )  # fmt: skip
        self._tell(None)
        self._decide()

    # -- what the screen offers --------------------------------------------------------------

    @param.depends("attachments", watch=True)
    def _decide(self) -> None:
        """The buttons and blocks of the screen, from the request's status and the user's rights:
        entry actions only while `actions` (UserDesk.actions(n)) allow them, hidden otherwise."""
        saved = self.numero is not None
        new = not saved and Action.SAVE_DRAFT in self.actions
        has_files = self.attachments is not None and not self.attachments.empty
        can_add = Action.ADD_ATTACHMENT in self.actions
        can_delete = Action.DELETE_ATTACHMENT in self.actions
        can_save = any(a in self.actions for a in SAVE_ACTIONS)
        self.param.update(
            editable=can_save, can_save=can_save, can_send=Action.SUBMIT in self.actions,
            manage_shown=new or can_add, manage_enabled=saved and can_add,
            managing=self.managing and saved and can_add,
            delete_shown=new or can_delete, delete_enabled=saved and can_delete and has_files,
            download_enabled=saved and has_files, selected_attachments=[],
            attachments_hint="Enregistrez la sollicitation pour pouvoir y joindre des fichiers." if new else "",
        )  # fmt: skip

    def toggle_management(self) -> None:
        """ "+Gestion des pièces jointes": opens (or closes) the block of the file picker and "Ajouter"."""
        self.managing = self.manage_enabled and not self.managing

    def close_management(self) -> None:
        """ "Retour": closes the block."""
        self.managing = False

    def _tell(self, place: str | None, errors: list[str] = (), message: str = "") -> None:
        """Show an action's result at `place` (see PLACES), in place of every earlier message.

        Everything is emptied first, so that the same errors told again are shown (and scrolled to) again.
        """
        self.param.update({name: [] if name.endswith("errors") else "" for pair in PLACES.values() for name in pair})
        if place is not None:
            errors_name, message_name = PLACES[place]
            self.param.update({errors_name: list(errors), message_name: "" if errors else message})

    # -- attachments -------------------------------------------------------------------------

    def add_attachments(self, files: dict[str, bytes]) -> None:
        """ "Ajouter" in "Gestion des pièces jointes": every chosen file, with the chosen type."""
        if self.numero is None:
            self._tell("attachments", errors=["Enregistrez la sollicitation avant d'y joindre des fichiers"])
            return
        if not files:
            self._tell("attachments", errors=["Choisissez d'abord un fichier avec « Parcourir... »"])
            return
        problems, added = [], 0
        for name, content in files.items():
            try:
                self.me.add_attachment(self.numero, name, content, type=self.attachment_type)
                added += 1
            except sol.SollicitationError as e:
                problems += messages_of(e)
        self.attachments = self.me.attachments(self.numero)
        self._tell("attachments", errors=problems, message=f"{added} pièce(s) jointe(s) ajoutée(s).")
        if added:
            self.navigation.changed()

    def delete_attachments(self, ids: list[int] | None = None) -> None:
        """ "Supprimer pièces jointes": the ones ticked in the table."""
        ids = list(self.selected_attachments if ids is None else ids)
        if not ids:
            self._tell("attachments", errors=["Cochez dans le tableau les pièces jointes à supprimer"])
            return
        problems, deleted = [], 0
        for attachment_id in ids:
            try:
                self.me.delete_attachment(self.numero, int(attachment_id))
                deleted += 1
            except sol.SollicitationError as e:
                problems += messages_of(e)
        self.attachments = self.me.attachments(self.numero)
        self._tell("attachments", errors=problems, message=f"{deleted} pièce(s) jointe(s) supprimée(s).")
        if deleted:
            self.navigation.changed()

    def attachments_file(self) -> tuple[str, io.BufferedIOBase] | None:
        """ "Télécharger pièces jointes": the ticked ones (all when none is): one file as it is, several as a ZIP."""
        if self.numero is None or self.attachments is None or self.attachments.empty:
            return None
        return attachments_download(self.me, self.numero, self.selected_attachments or None)

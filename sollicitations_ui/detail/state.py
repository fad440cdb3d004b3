""" "Consulter": one request and the actions its status allows the user: the state, in plain param (no Panel: tested without a browser).

What the screen shows is a function of (user, request status, open block): `buttons` are the labels
of the actions `UserDesk.actions(n)` allows (the TRANSITIONS table and the user's rights), plus the
reading "Télécharger détail"; a click on one (`press`) opens its block (`mode`) or acts at once;
"Annuler" (`cancel`) or a success closes the block and the buttons come back.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import param

import sollicitations as sol
from sollicitations import rules
from sollicitations.attachments import DEFAULT_TYPE
from sollicitations.status import Action, Status

from ..common import NONE, OUI_NON, Navigation, attachments_download, messages_of


@dataclass(frozen=True)
class Button:
    """One button under the detail: the actions any of which offers it, and the block it opens
    (None: it acts at once, as "Prendre en charge")."""

    label: str
    actions: tuple[Action, ...]
    mode: str | None
    kind: str = "default"


# The lifecycle buttons, in the guide's order ("Clôturer", "Ajouter complément d'information", ...).
BUTTONS = (
    Button("Clôturer", (Action.CLOSE_RESOLVED, Action.CLOSE_UNRESOLVED, Action.REOPEN, Action.CLOSE_EARLY),
           "cloture", "primary"),
    Button("Ajouter complément d'information", (Action.ADD_COMPLEMENT,), "complement", "success"),
    Button("Prendre en charge", (Action.TAKE_IN_CHARGE,), None, "primary"),
    Button("Assigner", (Action.ASSIGN,), "assignation"),
    Button("Demander des informations complémentaires", (Action.REQUEST_INFORMATION,), "information"),
    Button("Répondre", (Action.RESPOND,), "reponse", "success"),
    Button("Transférer au support", (Action.TRANSFER_TO_SUPPORT,), "transfert"),
)  # fmt: skip
# Reading, not a transition: every reader may download the detail.
DOWNLOAD = Button("Télécharger détail", (), "telechargement")
# A draft's actions belong to "Saisir sollicitation" (the emitter edits it there), not to this screen.
DRAFT_ACTIONS = frozenset({Action.UPDATE_DRAFT, Action.DELETE_DRAFT, Action.SUBMIT})
# Actions on the attachments: controls of the "Pièces jointes" block, not buttons under the detail.
ATTACHMENT_CONTROLS = {Action.ADD_ATTACHMENT: "Ajouter", Action.DELETE_ATTACHMENT: "Supprimer pièces jointes"}

# Each block: its title, and the label of its button that validates.
BLOCKS = {
    "complement": ("Mise à jour de la sollicitation", "Valider et envoyer"),
    "cloture": ("Clôture d'une sollicitation", "Valider"),
    "assignation": ("Assigner la sollicitation", "Valider"),
    "information": ("Demander des informations complémentaires", "Valider"),
    "reponse": ("Répondre à la sollicitation", "Valider"),
    "transfert": ("Transférer au support", "Valider"),
    "telechargement": ("Options de téléchargement", "Télécharger"),
}
RECEIVER_BLOCKS = ("assignation", "information", "reponse", "transfert")


def labels_for(actions) -> list[str]:
    """The lifecycle buttons `actions` (a list of `UserDesk.actions(n)`) offer, in the guide's order."""
    return [b.label for b in BUTTONS if any(a in actions for a in b.actions)]


class Detail(param.Parameterized):
    """The "Consulter" tab: one request, and the actions its status allows this user."""

    numero = param.Integer(default=None, allow_None=True)
    data = param.Dict(default=None, allow_None=True)
    mode = param.Selector(objects=["", *BLOCKS], default="", doc="the open block; '' shows the buttons")
    buttons = param.List(default=[], doc="labels of the buttons shown under the detail, none while a block is open")
    can_add_attachment = param.Boolean(default=False)
    can_delete_attachment = param.Boolean(default=False)
    selected_attachments = param.List(default=[], doc="ids of the attachments ticked in the table")
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

    # -- what is shown ---------------------------------------------------------------------------

    @param.depends("data", "mode", watch=True, on_init=True)
    def _offer(self) -> None:
        actions = self.data["actions"] if self.data else []
        shown = [] if not self.data or self.mode else [*labels_for(actions), DOWNLOAD.label]
        self.param.update(buttons=shown, can_add_attachment=Action.ADD_ATTACHMENT in actions,
                          can_delete_attachment=Action.DELETE_ATTACHMENT in actions)  # fmt: skip

    @property
    def block_title(self) -> str:
        return BLOCKS[self.mode][0] if self.mode else ""

    @property
    def validate_label(self) -> str:
        return BLOCKS[self.mode][1] if self.mode else ""

    @property
    def asks_resolution(self) -> bool:
        """The closing block asks "La réponse apportée vous a-t-elle permis..." only of an answered request."""
        return bool(self.data) and self.data["statut"] == Status.REPONDUE

    @property
    def attachment_count(self) -> int:
        return len(self.data["pieces_jointes"]) if self.data else 0

    def can(self, *actions: Action) -> bool:
        return bool(self.data) and any(a in self.data["actions"] for a in actions)

    # -- opening ---------------------------------------------------------------------------------

    def open(self, numero, keep_message: bool = False) -> bool:
        """Show request `numero` (False, and the French reason in `errors`, if it cannot be read).

        `keep_message`: the confirmation shown stays, untouched (a reload after a write): emptied and set
        again in one callback, the browser was at times left with the empty one."""
        kept = {} if keep_message else {"message": ""}
        try:
            data = self.me.get(numero)
        except sol.SollicitationError as e:
            self.param.update(numero=None, data=None, errors=messages_of(e), mode="", **kept)
            return False
        self.param.update(numero=data["numero"], data=data, errors=[], mode="", complement="", commentaire="",
                          texte="", resolue=True, rouvrir=False, selected_attachments=[], **kept)  # fmt: skip
        return True

    def reload(self) -> None:
        """After a write anywhere in the space: the same request, its new status; the message stays."""
        if self.numero is not None:
            self.open(self.numero, keep_message=True)

    # -- the buttons -----------------------------------------------------------------------------

    def press(self, label: str) -> None:
        """A click on one of `buttons`: open its block, or act at once."""
        if label not in self.buttons:
            self.errors = [f"L'action « {label} » n'est pas possible sur cette sollicitation."]
            return
        button = DOWNLOAD if label == DOWNLOAD.label else next(b for b in BUTTONS if b.label == label)
        if button.mode is None:
            self.take_in_charge()
        else:
            self.start(button.mode)

    def start(self, mode: str) -> None:
        """Open one block (closing any other): its fields start empty, earlier messages go."""
        if mode == "assignation":
            try:
                agents = self.me.agents(self.numero)
            except sol.SollicitationError as e:  # e.g. the request left this user's reach since it was opened
                self.param.update(errors=messages_of(e), message="")
                return
            self.param.agent.objects = {"Sélectionner un agent": NONE, **dict(zip(agents["Agent"], agents["login"]))}
            self.agent = NONE
        self.param.update(mode=mode, texte="", complement="", commentaire="", resolue=True, rouvrir=False,
                          inclure_pieces_jointes=False, errors=[], message="")  # fmt: skip

    def start_complement(self) -> None:
        self.start("complement")

    def start_closing(self) -> None:
        self.start("cloture")

    def cancel(self) -> None:
        self.param.update(mode="", errors=[], message="")

    def validate(self, files: dict[str, bytes] | None = None) -> None:
        """The block's "Valider" (or "Valider et envoyer"). `files`: chosen in "Pièces jointes" and
        not added yet; they go with the complement, which is not sent if one is refused."""
        if self.mode == "complement":
            # The text is checked first (the package's rule): a refused complement stores no file.
            problems = rules.comment_problems(rules.clean_text(self.complement), required=True)
            if problems:
                self.param.update(errors=problems, message="")
                return
            if files and self.can_add_attachment:
                self.add_attachments(files)
                if self.errors:
                    return
            self.send_complement()
        elif self.mode == "cloture":
            self.validate_closing()
        elif self.mode in RECEIVER_BLOCKS:
            self.validate_receiver()

    # -- the actions -----------------------------------------------------------------------------

    def pdf(self, with_attachments: bool) -> io.BytesIO | None:
        """ "Télécharger détail": the PDF, the attachments embedded in it when asked (None, and the
        French reason in `errors`, when it cannot be made)."""
        try:
            return io.BytesIO(self.me.detail_pdf(self.numero, attachments=with_attachments))
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), message="")
            return None

    def take_in_charge(self) -> None:
        self._do(lambda: self.me.take_in_charge(self.numero),
                 f"Vous avez pris en charge la sollicitation n° {self.numero}.")  # fmt: skip

    def validate_receiver(self) -> None:
        n = self.numero
        if self.mode == "assignation":
            if not self.agent:
                self.errors = ["Veuillez sélectionner un agent"]
                return
            self._do(lambda: self.me.assign(n, self.agent), f"La sollicitation n° {n} est assignée.")
        elif self.mode == "information":
            self._do(
                lambda: self.me.request_information(n, self.texte),
                f"La demande d'informations complémentaires a été envoyée pour la sollicitation n° {n}.",
            )
        elif self.mode == "reponse":
            self._do(lambda: self.me.respond(n, self.texte), f"La réponse à la sollicitation n° {n} a été envoyée.")
        elif self.mode == "transfert":
            self._do(lambda: self.me.transfer_to_support(n, self.texte),
                     f"La sollicitation n° {n} a été transférée au support.")  # fmt: skip

    def send_complement(self) -> None:
        self._do(lambda: self.me.add_complement(self.numero, self.complement),
                 f"Le complément d'information a été envoyé : la sollicitation n° {self.numero} est renvoyée au destinataire.")  # fmt: skip

    def validate_closing(self) -> None:
        reopen = self.asks_resolution and self.resolue is False and self.rouvrir is True
        resolved = self.resolue if self.asks_resolution else None
        text = ("La sollicitation n° {n} est renvoyée au destinataire." if reopen
                else "La sollicitation n° {n} est fermée.").format(n=self.numero)  # fmt: skip
        self._do(lambda: self.me.close(self.numero, resolved=resolved, reopen=reopen, comment=self.commentaire), text)

    def add_attachments(self, files: dict[str, bytes], type_: str = DEFAULT_TYPE) -> None:
        """ "Ajouter": every chosen file; what the user types in an open block stays."""
        if not files:
            self.param.update(errors=["Veuillez choisir un fichier à joindre"], message="")
            return
        problems, added = [], 0
        for name, content in files.items():
            try:
                self.me.add_attachment(self.numero, name, content, type=type_)
                added += 1
            except sol.SollicitationError as e:
                problems += messages_of(e)
        self.data = self.me.get(self.numero)
        message = f"{added} pièce(s) jointe(s) ajoutée(s) à la sollicitation n° {self.numero}."
        self.param.update(errors=problems, message="" if problems else message)

    def delete_attachments(self) -> None:
        """ "Supprimer pièces jointes": the ticked ones."""
        ids = list(self.selected_attachments)
        if not ids:
            self.param.update(errors=["Veuillez cocher les pièces jointes à supprimer"], message="")
            return
        problems = []
        for attachment_id in ids:
            try:
                self.me.delete_attachment(self.numero, int(attachment_id))
            except sol.SollicitationError as e:
                problems += messages_of(e)
        message = f"{len(ids)} pièce(s) jointe(s) supprimée(s) de la sollicitation n° {self.numero}."
        self.param.update(data=self.me.get(self.numero), selected_attachments=[])
        self.param.update(errors=problems, message="" if problems else message)

    def attachments_zip(self, ids: list[int] | None = None) -> tuple[str, io.BufferedIOBase] | None:
        """ "Télécharger pièces jointes": one file, or a ZIP; None (the reason in `errors`) when refused."""
        try:
            return attachments_download(self.me, self.numero, ids or self.selected_attachments or None)
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), message="")
            return None

    def _do(self, action, success: str) -> None:
        try:
            action()
        except sol.SollicitationError as e:
            self.param.update(errors=messages_of(e), message="")
            return
        # The message is set once, not emptied by the reload and set again (one change reaches the browser).
        if not self.open(self.numero, keep_message=True):  # e.g. transferred to the support desk: out of reach
            success += " Elle ne figure plus parmi les sollicitations de votre structure."
        self.param.update(errors=[], message=success)
        self.navigation.changed()

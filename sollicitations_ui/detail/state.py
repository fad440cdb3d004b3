""""Consulter": one request and the actions its status allows the user: the state, in plain param (no Panel: tested without a browser)."""
from __future__ import annotations

import io

import param

import sollicitations as sol
from sollicitations.attachments import DEFAULT_TYPE
from sollicitations.status import Action

from ..common import (NONE, OUI_NON, Navigation, attachments_download, messages_of)


# The receiver's action blocks: mode -> (block title, action whose permission opens it).
RECEIVER_BLOCKS = {
    "assignation": ("Assigner la sollicitation", Action.ASSIGN),
    "information": ("Demander des informations complémentaires", Action.REQUEST_INFORMATION),
    "reponse": ("Répondre à la sollicitation", Action.RESPOND),
    "transfert": ("Transférer au support", Action.TRANSFER_TO_SUPPORT),
}


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

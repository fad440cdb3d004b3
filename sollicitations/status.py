"""The status machine: statuses, actions, actors and the one table that links them.

Everything that decides whether an action is allowed reads TRANSITIONS: the lifecycle engine
(lifecycle.py) before writing, the tests pair by pair, the UI to choose which buttons to show.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    BROUILLON = "brouillon"
    ENVOYEE = "envoyee"
    EN_COURS = "en_cours"
    INFORMATIONS_REQUISES = "informations_requises"
    REPONDUE = "repondue"
    FERMEE = "fermee"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def short_label(self) -> str:
        """The label of tables and lists, where the guide abbreviates."""
        return STATUS_SHORT_LABELS.get(self, STATUS_LABELS[self])

    @classmethod
    def parse(cls, value: Status | str) -> Status:
        """Accept a code ('en_cours') or either French label ('En cours')."""
        if isinstance(value, Status):
            return value
        for status in cls:
            if value in (status.value, status.label, status.short_label):
                return status
        raise ValueError(value)


STATUS_LABELS = {
    Status.BROUILLON: "Brouillon",
    Status.ENVOYEE: "Envoyée",
    Status.EN_COURS: "En cours",
    Status.INFORMATIONS_REQUISES: "Informations complémentaires requises",
    Status.REPONDUE: "Répondue",
    Status.FERMEE: "Fermée",
}
STATUS_SHORT_LABELS = {Status.INFORMATIONS_REQUISES: "Informations compl. requises"}

# The guide's order of columns in the dashboards.
DASHBOARD_ORDER = (
    Status.BROUILLON,
    Status.ENVOYEE,
    Status.EN_COURS,
    Status.INFORMATIONS_REQUISES,
    Status.REPONDUE,
    Status.FERMEE,
)

# "Mes sollicitations à traiter": the statuses where the emitter is expected to act.
EMITTER_TO_PROCESS = (Status.BROUILLON, Status.REPONDUE, Status.INFORMATIONS_REQUISES)
# The receiver's list: new or re-sent requests and those being handled.
RECEIVER_TO_PROCESS = (Status.ENVOYEE, Status.EN_COURS)


class Actor(StrEnum):
    EMETTEUR = "emetteur"
    DESTINATAIRE = "destinataire"


class Action(StrEnum):
    # emitter
    SAVE_DRAFT = "save_draft"
    UPDATE_DRAFT = "update_draft"
    DELETE_DRAFT = "delete_draft"
    SUBMIT = "submit"
    ADD_COMPLEMENT = "add_complement"
    CLOSE_RESOLVED = "close_resolved"
    CLOSE_UNRESOLVED = "close_unresolved"
    REOPEN = "reopen"
    CLOSE_EARLY = "close_early"
    # receiver
    TAKE_IN_CHARGE = "take_in_charge"
    ASSIGN = "assign"
    REQUEST_INFORMATION = "request_information"
    RESPOND = "respond"
    TRANSFER_TO_SUPPORT = "transfer_to_support"
    # both, on the attachments of a request
    ADD_ATTACHMENT = "add_attachment"
    DELETE_ATTACHMENT = "delete_attachment"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.SAVE_DRAFT: "Enregistrer",
    Action.UPDATE_DRAFT: "Enregistrer",
    Action.DELETE_DRAFT: "Supprimer",
    Action.SUBMIT: "Valider et envoyer",
    Action.ADD_COMPLEMENT: "Ajouter complément d'information",
    Action.CLOSE_RESOLVED: "Clôturer",
    Action.CLOSE_UNRESOLVED: "Clôturer",
    Action.REOPEN: "Clôturer",
    Action.CLOSE_EARLY: "Clôturer",
    Action.TAKE_IN_CHARGE: "Prendre en charge",
    Action.ASSIGN: "Assigner",
    Action.REQUEST_INFORMATION: "Demander des informations complémentaires",
    Action.RESPOND: "Répondre",
    Action.TRANSFER_TO_SUPPORT: "Transférer au support",
    Action.ADD_ATTACHMENT: "Ajouter une pièce jointe",
    Action.DELETE_ATTACHMENT: "Supprimer pièces jointes",
}

# A request that does not exist yet (creation) or no longer exists (deleted draft).
NOTHING = None

S, A, E, D = Status, Action, Actor.EMETTEUR, Actor.DESTINATAIRE

# (status before, action, actor) -> status after. One line per allowed pair; anything absent
# is refused. Actions that keep the status still appear: they are allowed only there.
TRANSITIONS: dict[tuple[Status | None, Action, Actor], Status | None] = {
    (NOTHING, A.SAVE_DRAFT, E): S.BROUILLON,
    (NOTHING, A.SUBMIT, E): S.ENVOYEE,
    (S.BROUILLON, A.UPDATE_DRAFT, E): S.BROUILLON,
    (S.BROUILLON, A.DELETE_DRAFT, E): NOTHING,
    (S.BROUILLON, A.SUBMIT, E): S.ENVOYEE,
    (S.BROUILLON, A.ADD_ATTACHMENT, E): S.BROUILLON,
    (S.BROUILLON, A.DELETE_ATTACHMENT, E): S.BROUILLON,
    (S.INFORMATIONS_REQUISES, A.ADD_COMPLEMENT, E): S.ENVOYEE,
    (S.INFORMATIONS_REQUISES, A.ADD_ATTACHMENT, E): S.INFORMATIONS_REQUISES,
    (S.INFORMATIONS_REQUISES, A.DELETE_ATTACHMENT, E): S.INFORMATIONS_REQUISES,
    (S.REPONDUE, A.CLOSE_RESOLVED, E): S.FERMEE,
    (S.REPONDUE, A.CLOSE_UNRESOLVED, E): S.FERMEE,
    (S.REPONDUE, A.REOPEN, E): S.ENVOYEE,
    # "il est possible de clore une sollicitation avant d'obtenir la réponse"
    (S.ENVOYEE, A.CLOSE_EARLY, E): S.FERMEE,
    (S.EN_COURS, A.CLOSE_EARLY, E): S.FERMEE,
    (S.INFORMATIONS_REQUISES, A.CLOSE_EARLY, E): S.FERMEE,
    (S.ENVOYEE, A.TAKE_IN_CHARGE, D): S.EN_COURS,
    (S.ENVOYEE, A.ASSIGN, D): S.EN_COURS,
    (S.EN_COURS, A.ASSIGN, D): S.EN_COURS,
    (S.INFORMATIONS_REQUISES, A.ASSIGN, D): S.INFORMATIONS_REQUISES,
    (S.ENVOYEE, A.REQUEST_INFORMATION, D): S.INFORMATIONS_REQUISES,
    (S.EN_COURS, A.REQUEST_INFORMATION, D): S.INFORMATIONS_REQUISES,
    (S.ENVOYEE, A.RESPOND, D): S.REPONDUE,
    (S.EN_COURS, A.RESPOND, D): S.REPONDUE,
    (S.ENVOYEE, A.TRANSFER_TO_SUPPORT, D): S.ENVOYEE,
    (S.EN_COURS, A.TRANSFER_TO_SUPPORT, D): S.ENVOYEE,
    (S.ENVOYEE, A.ADD_ATTACHMENT, D): S.ENVOYEE,
    (S.ENVOYEE, A.DELETE_ATTACHMENT, D): S.ENVOYEE,
    (S.EN_COURS, A.ADD_ATTACHMENT, D): S.EN_COURS,
    (S.EN_COURS, A.DELETE_ATTACHMENT, D): S.EN_COURS,
}

# Actions whose comment the guide marks mandatory ("Commentaires *").
COMMENT_REQUIRED = frozenset(
    {
        A.ADD_COMPLEMENT,
        A.CLOSE_RESOLVED,
        A.CLOSE_UNRESOLVED,
        A.REOPEN,
        A.CLOSE_EARLY,
        A.REQUEST_INFORMATION,
        A.RESPOND,
        A.TRANSFER_TO_SUPPORT,
    }
)

# Actions whose comment also goes to "Commentaires/Réponses", the exchange both sides read.
COMMENT_SHOWN_IN_EXCHANGE = COMMENT_REQUIRED

# Actions after which the request goes back to the receiver, flagged as re-sent.
RESENDS = frozenset({A.ADD_COMPLEMENT, A.REOPEN})

del S, A, E, D


def next_status(status: Status | None, action: Action, actor: Actor) -> Status | None:
    """The status after `action`; KeyError when the table does not allow it."""
    return TRANSITIONS[(status, action, actor)]


def is_allowed(status: Status | None, action: Action, actor: Actor) -> bool:
    return (status, action, actor) in TRANSITIONS


def allowed_actions(status: Status | None, actor: Actor) -> list[Action]:
    """The actions the table allows from `status`, in the table's order."""
    return [a for (s, a, who) in TRANSITIONS if s == status and who == actor]

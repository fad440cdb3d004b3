"""sollicitations: the lifecycle of support requests sent to public entities and to the support desk.

    import sollicitations as sol
    desk = sol.open_desk("data/sollicitations.duckdb")
    me = desk.as_user("fournisseur")
    me.to_process()
"""
from .access import Role, Space, User
from .catalogue import Catalogue, load_catalogue
from .desk import Desk, UserDesk, open_desk
from .errors import ConflictError, PermissionDenied, SollicitationError, TransitionError, ValidationError
from .criteria import NON_RENSEIGNE
from .status import TRANSITIONS, Action, Actor, Status

__all__ = [
    "Action", "Actor", "Catalogue", "ConflictError", "Desk", "NON_RENSEIGNE", "PermissionDenied",
    "Role", "SollicitationError", "Space", "Status", "TRANSITIONS", "TransitionError", "User",
    "UserDesk", "ValidationError", "load_catalogue", "open_desk",
]  # fmt: skip

"""sollicitations: the lifecycle of support requests sent to public entities and to the support desk.

import sollicitations as sol
desk = sol.open_desk("data/sollicitations.duckdb")
me = desk.as_user("fournisseur")
me.to_process()
"""

from .access import Role, Space, User
from .catalogue import Catalogue, load_catalogue
from .criteria import NON_RENSEIGNE
from .desk import Desk, UserDesk, open_desk
from .errors import ConflictError, PermissionDenied, SollicitationError, TransitionError, ValidationError
from .status import TRANSITIONS, Action, Actor, Status

__all__ = [
    "NON_RENSEIGNE", "TRANSITIONS", "Action", "Actor", "Catalogue", "ConflictError", "Desk",
    "PermissionDenied", "Role", "SollicitationError", "Space", "Status", "TransitionError", "User",
    "UserDesk", "ValidationError", "load_catalogue", "open_desk"
]  # fmt: skip

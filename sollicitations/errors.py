"""The errors the package raises: each carries French text a user can read as it is."""

from __future__ import annotations


class SollicitationError(Exception):
    """Base class: `str(error)` is a French sentence for the user."""


class ValidationError(SollicitationError):
    """One attempt's input was refused; `messages` lists every reason together."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))


class PermissionDenied(SollicitationError):
    """The acting user may not see or do this; nothing was changed."""


class TransitionError(SollicitationError):
    """The action is not allowed in the request's current status; nothing was changed."""


class ConflictError(SollicitationError):
    """Another user changed the same data at the same moment, and retrying did not help."""

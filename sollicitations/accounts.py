"""Local accounts: passwords kept only as argon2 hashes, and a lock after repeated failures.

argon2-cffi is the reference implementation of the Password Hashing Competition's winner:
salted, slow and memory-hard by design, which hand-written hashing would not be.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import ValidationError

security_log = logging.getLogger("sollicitations.security")
HASHER = PasswordHasher()
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
MIN_LENGTH = 12
WRONG = "Identifiant ou mot de passe incorrect."
LOCKED = "Compte temporairement verrouillé après plusieurs échecs : réessayez dans 15 minutes."
# A password checked against a real hash even for unknown logins, so timing does not tell them apart.
_DUMMY = HASHER.hash("mot de passe factice")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def set_password(desk, login: str, password: str, demo: bool = False) -> None:
    """Give `login` a new password (at least MIN_LENGTH characters, except the demo's own)."""
    if not isinstance(password, str) or (len(password) < MIN_LENGTH and not demo):
        raise ValidationError(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères")
    if not desk.store.set_password_hash(login, hash_password(password)):
        raise ValidationError(f"Utilisateur inconnu : {login}")


def authenticate(desk, login: str, password: str, client: str = "?") -> tuple[str | None, str | None]:
    """(login, None) when the password is right; (None, French reason) otherwise. Logged either way."""
    now = desk.clock()
    account = desk.store.account(login) if isinstance(login, str) and login else None
    if account is not None and account["locked_until"] is not None and account["locked_until"] > now:
        security_log.warning("login refused, account locked: %r from %s", login, client)
        return None, LOCKED
    stored = account["password_hash"] if account is not None and account["password_hash"] else _DUMMY
    try:
        HASHER.verify(stored, password if isinstance(password, str) else "")
        valid = account is not None and stored is not _DUMMY
    except (VerificationError, InvalidHashError):
        valid = False
    if account is None:
        security_log.warning("login failed, unknown user %r from %s", login, client)
        return None, WRONG
    desk.store.record_login(account["login"], valid, LOCK_AFTER, now + LOCK_FOR)
    if not valid:
        security_log.warning("login failed for %r from %s (%s in a row)", login, client, account["failed_logins"] + 1)
        return None, LOCKED if account["failed_logins"] + 1 >= LOCK_AFTER else WRONG
    security_log.info("login %r from %s", login, client)
    return account["login"], None

"""Local accounts: passwords kept only as argon2 hashes, and a lock after repeated failures.

argon2-cffi is the reference implementation of the Password Hashing Competition's winner:
salted, slow and memory-hard by design, which hand-written hashing would not be.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from .errors import ValidationError

security_log = logging.getLogger("sollicitations.security")
HASHER = PasswordHasher()
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)  # the first lock; each next one lasts twice as long...
LONGEST_LOCK = timedelta(hours=24)  # ...up to a day
MIN_LENGTH = 12
SESSION_LIFETIME = timedelta(days=1)
WRONG = "Identifiant ou mot de passe incorrect."
LOCKED = "Compte temporairement verrouillé après plusieurs échecs depuis ce poste : réessayez après {heure}."
# A password checked against a real hash even for unknown logins, so timing does not tell them apart.
_DUMMY = HASHER.hash("mot de passe factice")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def set_password(desk, login: str, password: str, demo: bool = False) -> None:
    """Give `login` a new password (at least MIN_LENGTH characters, except the demo's own)."""
    if not isinstance(password, str) or (len(password) < MIN_LENGTH and not demo):
        raise ValidationError(f"Le mot de passe doit compter au moins {MIN_LENGTH} caractères")
    if not desk.store.set_password_hash(login, hash_password(password), desk.clock()):
        raise ValidationError(f"Utilisateur inconnu : {login}")


def lock_duration(locks: int) -> timedelta:
    """How long the `locks`-th lock of an account for a client lasts: 15 min, 30 min, 1 h... up to a day."""
    return min(LOCK_FOR * 2 ** (locks - 1), LONGEST_LOCK)


def authenticate(desk, login: str, password: str, client: str = "?") -> tuple[str | None, str | None]:
    """(login, None) when the password is right; (None, French reason) otherwise. Logged either way.

    Wrong passwords are counted per account and client (a guesser locks the account for itself only),
    each lock longer than the one before; a success, or a new password, clears them. Every answer costs
    one argon2 check (locked, unknown or wrong alike), so timing tells nothing of which logins exist."""
    now = desk.clock()
    account = desk.store.account(login) if isinstance(login, str) and login else None
    locked_until = desk.store.login_lock(account["login"], client) if account is not None else None
    stored = account["password_hash"] if account is not None and account["password_hash"] else _DUMMY
    try:
        HASHER.verify(stored, password if isinstance(password, str) else "")
        valid = account is not None and stored is not _DUMMY
    except (VerificationError, InvalidHashError):
        valid = False
    if account is None:
        security_log.warning("login failed, unknown user %r from %s", login, client)
        return None, WRONG
    if locked_until is not None and locked_until > now:
        security_log.warning("login refused, account locked: %r from %s", login, client)
        return None, LOCKED.format(heure=locked_until.strftime("%H:%M"))
    if valid:
        desk.store.clear_login_failures(account["login"])
        security_log.info("login %r from %s", login, client)
        return account["login"], None
    until = desk.store.record_login_failure(
        account["login"], client, LOCK_AFTER, lambda locks: now + lock_duration(locks), now
    )
    security_log.warning("login failed for %r from %s", login, client)
    return (None, LOCKED.format(heure=until.strftime("%H:%M"))) if until else (None, WRONG)


# -- login sessions ------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    # The token is 256 random bits: a plain hash is enough (no guessing to slow down), and a copy of
    # the table opens no session.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(desk, login: str, client: str = "?") -> str:
    """A new session of `login`: the token its cookie carries (kept server-side as a hash only)."""
    token = secrets.token_urlsafe(32)
    now = desk.clock()
    desk.store.open_session(_token_hash(token), login, client[:100], now, now + SESSION_LIFETIME)
    return token


def session_user(desk, token) -> str | None:
    """The login of the session `token` opened, while it is neither expired nor revoked."""
    if not isinstance(token, str) or not token or len(token) > 100:
        return None
    return desk.store.session_login(_token_hash(token), desk.clock())


def close_session(desk, token) -> None:
    """Logout: this session ends now, wherever its cookie is."""
    if isinstance(token, str) and token:
        desk.store.revoke_session(_token_hash(token), desk.clock())


def close_sessions(desk, login: str) -> int:
    """End every open session of `login` (e.g. a stolen laptop); how many."""
    count = desk.store.revoke_sessions(login, desk.clock())
    security_log.info("%d session(s) of %r revoked", count, login)
    return count

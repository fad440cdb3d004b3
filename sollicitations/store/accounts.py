"""Users and what guards them: habilitations, passwords and their failures, login sessions, and the public
contact form's defences (captchas, the per-client limit of deposits)."""

from __future__ import annotations

from datetime import datetime

from .connection import IntegrityError, WriteConflict


class AccountsMixin:
    """Store's users, sessions, login state and contact limit (mixed into Store, core.py)."""

    # -- users and habilitations ------------------------------------------------------------------

    def add_user(self, cur, login, nom, prenom, email=None, telephone=None):
        cur.execute(
            "INSERT INTO users (login, nom, prenom, email, telephone) VALUES (?, ?, ?, ?, ?)",
            [login, nom, prenom, email, telephone],
        )

    def add_habilitation(self, cur, login, structure_id, role, droit_modification=True):
        cur.execute(
            "INSERT INTO habilitations VALUES (?, ?, ?, ?)",
            [login, structure_id, role, droit_modification],
        )

    def user(self, login: str) -> dict | None:
        return self._one("SELECT * FROM users WHERE login = ?", [login])

    def habilitations(self, login: str) -> list[dict]:
        return self._all(
            "SELECT structure_id, role, droit_modification FROM habilitations WHERE login = ?"
            " ORDER BY structure_id, role",
            [login],
        )

    def agents(self, structure_id: str, cur=None) -> list[dict]:
        """Users who may act on requests addressed to the structure."""
        agents = self._acting_agents(structure_id, ["login", "nom", "prenom"], cur)
        return sorted(agents, key=lambda a: (a["nom"], a["prenom"]))

    def _acting_agents(self, structure_id: str, columns: list[str], cur=None) -> list[dict]:
        """The agents (and support) with the right to act on the structure's requests, read in two
        primary-key or indexed lookups: their logins, then their rows (a join would scan and hash
        the whole users table)."""
        cur = cur or self.cursor()
        logins = sorted({row[0] for row in cur.execute(
            "SELECT login, role, droit_modification FROM habilitations WHERE structure_id = ?", [structure_id]
        ).fetchall() if row[1] in ("agent", "support") and row[2]})  # fmt: skip
        if not logins:
            return []
        return self._all(
            f"SELECT {', '.join(columns)} FROM users WHERE login IN ({', '.join('?' * len(logins))})", logins, cur
        )

    def set_notifications(self, login: str, enabled: bool) -> None:
        with self.transaction() as cur:
            cur.execute("UPDATE users SET notifications = ? WHERE login = ?", [enabled, login])

    def notified_agents(self, structure_id: str, cur=None) -> list[dict]:
        """Agents of a structure who act on its requests and want mail."""
        agents = self._acting_agents(structure_id, ["login", "email", "notifications"], cur)
        return [{"login": a["login"], "email": a["email"]}
                for a in sorted(agents, key=lambda a: a["login"]) if a["notifications"] and a["email"] is not None]  # fmt: skip

    # -- local accounts -------------------------------------------------------------------------

    def set_password_hash(self, login: str, password_hash: str, now: datetime) -> bool:
        """A new password: the failures are forgotten and every open session of the account ends."""
        with self.transaction() as cur:
            found = cur.execute(
                "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE login = ?"
                " RETURNING login",
                [password_hash, login],
            ).fetchall()
            self.clear_login_failures(login, cur)
            self.revoke_sessions(login, now, cur)
        return bool(found)

    def account(self, login: str) -> dict | None:
        return self._one(
            "SELECT login, password_hash, coalesce(failed_logins, 0) AS failed_logins, locked_until"
            " FROM users WHERE login = ?",
            [login],
        )

    def login_lock(self, login: str, client: str) -> datetime | None:
        """Until when `login` is locked for `client` (None: not locked, or never was)."""
        row = self._one("SELECT locked_until FROM login_failures WHERE login = ? AND client = ?", [login, client])
        return row["locked_until"] if row else None

    def record_login_failure(
        self, login: str, client: str, lock_after: int, lock_for, now: datetime
    ) -> datetime | None:
        """Count a wrong password of `client` on `login`; at `lock_after` in a row, lock the pair until
        `lock_for(locks)` (locks: how many times it was locked, this one included), count again from
        zero, and end the account's open sessions (someone is guessing its password: a session it may
        have opened goes too). Returns the new lock's end, if this failure locked it."""
        with self.transaction() as cur:
            failures, locks = cur.execute(
                "INSERT INTO login_failures (login, client, failures, locks) VALUES (?, ?, 1, 0)"
                " ON CONFLICT (login, client) DO UPDATE SET failures = login_failures.failures + 1"
                " RETURNING failures, locks",
                [login, client],
            ).fetchone()
            if failures < lock_after:
                return None
            until = lock_for(locks + 1)
            cur.execute(
                "UPDATE login_failures SET failures = 0, locks = locks + 1, locked_until = ? WHERE login = ? AND client = ?",
                [until, login, client],
            )
            self.revoke_sessions(login, now, cur)
            return until

    def clear_login_failures(self, login: str, cur=None) -> None:
        """After a success or a new password: every client starts again from nothing."""
        (cur or self.cursor()).execute("DELETE FROM login_failures WHERE login = ?", [login])

    # -- login sessions (the cookie's token, kept as its hash) -----------------------------------

    def open_session(self, token_hash: str, login: str, client: str, now: datetime, expires_at: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM sessions WHERE expires_at <= ?", [now])  # the day's leftovers
            cur.execute(
                "INSERT INTO sessions (token_hash, login, client, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
                [token_hash, login, client, now, expires_at],
            )

    def session_login(self, token_hash: str, now: datetime) -> str | None:
        """The login of a session still open at `now` (not revoked, not expired)."""
        row = self._one(
            "SELECT login FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?",
            [token_hash, now],
        )
        return row["login"] if row else None

    def revoke_session(self, token_hash: str, now: datetime) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL", [now, token_hash]
            )

    def revoke_sessions(self, login: str, now: datetime, cur=None) -> int:
        """End every open session of `login`; how many."""
        if cur is None:
            with self.transaction() as cur:
                return self.revoke_sessions(login, now, cur)
        return len(cur.execute(
            "UPDATE sessions SET revoked_at = ? WHERE login = ? AND revoked_at IS NULL AND expires_at > ? RETURNING login",
            [now, login, now],
        ).fetchall())  # fmt: skip

    # -- the public contact form's defences -------------------------------------------------------

    def add_captcha(self, token: str, answer_hash: str, expires_at: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("INSERT INTO captchas VALUES (?, ?, ?, false)", [token, answer_hash, expires_at])

    def use_captcha(self, cur, token: str, answer_hash: str, now: datetime) -> bool:
        """Spend a challenge: true only once, before it expires, for the right answer."""
        found = cur.execute(
            "UPDATE captchas SET used = true WHERE token = ? AND NOT used AND expires_at > ? RETURNING answer_hash",
            [token, now],
        ).fetchall()
        return bool(found) and found[0][0] == answer_hash

    def purge_captchas(self, now: datetime) -> None:
        with self.transaction() as cur:
            cur.execute("DELETE FROM captchas WHERE expires_at <= ?", [now])

    def add_contact_client(self, client: str, now: datetime) -> None:
        """The client's row, in a transaction of its own before the deposit's: two first deposits at
        once would both insert it, and the loser's error would be a duplicate key, not a conflict."""
        try:
            with self.transaction() as cur:
                cur.execute("INSERT INTO contact_clients VALUES (?, ?) ON CONFLICT (client) DO NOTHING", [client, now])
        except (IntegrityError, WriteConflict):  # DuckDB says the duplicate key at commit, as a conflict
            pass  # the other one inserted it: there it is

    def take_contact_turn(self, cur, client: str, now: datetime) -> None:
        """Write the client's row (add_contact_client made it) first: a concurrent deposit of the same
        client waits for this transaction (PostgreSQL) or conflicts and starts again (DuckDB), and then
        counts this one."""
        cur.execute("UPDATE contact_clients SET derniere_tentative = ? WHERE client = ?", [now, client])

    def count_contact_attempts(self, cur, client: str, since: datetime) -> int:
        return cur.execute(
            "SELECT count(*) FROM contact_attempts WHERE client = ? AND tente_le >= ?", [client, since]
        ).fetchone()[0]

    def add_contact_attempt(self, cur, client: str, now: datetime) -> None:
        cur.execute("INSERT INTO contact_attempts VALUES (?, ?)", [client, now])

"""The mail outbox: mails written in the transaction of the change they tell of, delivered later by a sender
that claims them one at a time (several processes may deliver on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from ..scopes import Scope
from .filters import scope_sql


class OutboxMixin:
    """Store's outbox (mixed into Store, core.py)."""

    def enqueue_mail(self, cur, numero, kind, to_addr, subject, text_body, html_body, now) -> None:
        cur.execute(
            "INSERT INTO outbox (id, numero, kind, to_addr, subject, text_body, html_body, created_at, status,"
            " next_attempt_at) VALUES (nextval('outbox_id'), ?, ?, ?, ?, ?, ?, ?, 'pending', ?)",
            [numero, kind, to_addr, subject, text_body, html_body, now, now],
        )

    def claim_mail(self, now: datetime, stale_before: datetime) -> dict | None:
        """Take one due mail for delivery; a mail left 'sending' by a dead sender becomes due again."""
        with self.transaction() as cur:
            row = self._one(
                "SELECT * FROM outbox WHERE (status = 'pending' AND next_attempt_at <= ?)"
                " OR (status = 'sending' AND claimed_at < ?) ORDER BY next_attempt_at, id LIMIT 1",
                [now, stale_before],
                cur,
            )
            if row is None:
                return None
            # Taken only if nobody took it since it was read (several processes deliver on PostgreSQL).
            taken = cur.execute(
                "UPDATE outbox SET status = 'sending', claimed_at = ?"
                " WHERE id = ? AND status = ? AND (claimed_at = ? OR (claimed_at IS NULL AND CAST(? AS TIMESTAMP) IS NULL))"
                " RETURNING id",
                [now, row["id"], row["status"], row["claimed_at"], row["claimed_at"]],
            ).fetchall()
            return row if taken else None

    def mail_sent(self, mail_id: int, now: datetime) -> None:
        with self.transaction() as cur:
            cur.execute(
                "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", [now, mail_id]
            )

    def mail_failed(self, mail_id: int, error: str, next_attempt_at: datetime | None) -> None:
        """Count a failed attempt; None as next attempt gives up."""
        with self.transaction() as cur:
            cur.execute(
                "UPDATE outbox SET status = ?, attempts = attempts + 1, last_error = ?,"
                " next_attempt_at = coalesce(?, next_attempt_at), claimed_at = NULL WHERE id = ?",
                ["pending" if next_attempt_at else "failed", error[:500], next_attempt_at, mail_id],
            )

    def outbox_page(self, page: int, page_size: int, numero: int | None = None,
                    scope: Scope | None = None) -> tuple[pd.DataFrame, int]:  # fmt: skip
        """A page of the mails, newest first. `scope`: only the mails of the requests it reads (a mail of
        no request, e.g. an account's, only with a scope of everything); None: every mail."""
        parts, params = ([] if numero is None else ["o.numero = ?"]), ([] if numero is None else [numero])
        source = "outbox o"
        if scope is not None and not scope.everything:
            scope_condition, scope_params = scope_sql(scope)
            source = "outbox o JOIN sollicitations s ON s.numero = o.numero"
            parts.append(scope_condition)
            params += scope_params
        where = " AND ".join(parts) or "true"
        total = self.cursor().execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0]
        rows = self.query_df(
            "SELECT o.id, o.numero, o.kind, o.to_addr, o.subject, o.text_body, o.created_at, o.status, o.attempts,"
            f" o.sent_at, o.last_error FROM {source} WHERE {where} ORDER BY o.id DESC LIMIT ? OFFSET ?",
            params + [page_size, (page - 1) * page_size],
        )
        return rows, total

"""The digest outbox tables: queue a message with its items, claim keys, delivery states.

The digest run (:mod:`fundmatch.digest.run`) decides what to do; this module only reads and
writes the rows, inside the store's error mapping.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from fundmatch.store.connection import Connection
from fundmatch.store.records import MessageState, OutboxMessage
from fundmatch.store.rows import dt, must_dt, ts

__all__ = ["Deliverable", "Outbox"]

Deliverable = tuple[str, MessageState, bytes, int, int]
"""A message to try: its Message-ID, state, bytes, attempts and re-sends so far."""


class Outbox(Connection):
    """The digest outbox's reads and writes."""

    def last_digest(self, subscription: str, recipient: str) -> datetime | None:
        """When ``subscription`` last made a digest for ``recipient`` (None: never)."""
        with self._errors("read the digest state"):
            row = self._conn.execute(
                "SELECT last_digest_at FROM digest_state WHERE subscription = ? AND recipient = ?",
                (subscription, recipient),
            ).fetchone()
        return None if row is None else dt(row[0])

    def claimed(self, recipient: str) -> set[str]:
        """The keys of every digest item already given to ``recipient``."""
        with self._errors("read the digest items"):
            rows = self._conn.execute(
                "SELECT key FROM digest_items WHERE recipient = ?", (recipient,)
            ).fetchall()
        return {r[0] for r in rows}

    def outbox_messages(self, *, state: MessageState | None = None) -> list[OutboxMessage]:
        """The messages in the outbox, oldest first (all, or those in ``state``)."""
        sql = (
            "SELECT message_id, subscription, recipient, subject, state, created_at, attempts,"
            " resends, next_attempt_at, sent_at, last_code, last_reply FROM digest_messages"
        )
        params: tuple[str, ...] = ()
        if state is not None:
            sql += " WHERE state = ?"
            params = (state,)
        with self._errors("read the outbox"):
            rows = self._conn.execute(sql + " ORDER BY created_at, message_id", params).fetchall()
        return [
            OutboxMessage(
                message_id=r[0],
                subscription=r[1],
                recipient=r[2],
                subject=r[3],
                state=r[4],
                created_at=must_dt(r[5]),
                attempts=r[6],
                resends=r[7],
                next_attempt_at=dt(r[8]),
                sent_at=dt(r[9]),
                last_code=r[10],
                last_reply=r[11],
            )
            for r in rows
        ]

    def queue_digest(
        self,
        *,
        subscription: str,
        recipient: str,
        now: datetime,
        message: tuple[str, str, bytes] | None,
        items: Iterable[tuple[str, str]] = (),
    ) -> None:
        """One transaction: the message (``(message_id, subject, raw)``, pending) with its
        items (``(key, call_id)``), and the subscription's new window for the recipient."""
        with self.transaction() as conn:
            if message is not None:
                message_id, subject, raw = message
                conn.execute(
                    "INSERT INTO digest_messages (message_id, subscription, recipient, subject,"
                    " raw, state, created_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                    (message_id, subscription, recipient, subject, raw, ts(now)),
                )
                conn.executemany(
                    "INSERT INTO digest_items (recipient, key, call_id, message_id)"
                    " VALUES (?, ?, ?, ?)",
                    [(recipient, key, call_id, message_id) for key, call_id in items],
                )
            conn.execute(
                "INSERT INTO digest_state (subscription, recipient, last_digest_at)"
                " VALUES (?, ?, ?) ON CONFLICT (subscription, recipient) DO UPDATE SET"
                " last_digest_at = excluded.last_digest_at",
                (subscription, recipient, ts(now)),
            )

    def deliverable(self, now: datetime) -> list[Deliverable]:
        """The messages to try at ``now``, oldest first: pending ones, failed ones whose retry
        time has come, and unknown or interrupted ('sending') ones not yet re-sent."""
        # 'sending' left behind means a run died while talking to the server (the digest run
        # holds the lock, so nobody else is sending): like 'unknown', it is re-sent once.
        with self._errors("read the outbox"):
            rows = self._conn.execute(
                "SELECT message_id, state, raw, attempts, resends FROM digest_messages"
                " WHERE state = 'pending'"
                " OR (state = 'failed' AND next_attempt_at IS NOT NULL AND next_attempt_at <= ?)"
                " OR (state IN ('unknown', 'sending') AND resends = 0)"
                " ORDER BY created_at, message_id",
                (ts(now),),
            ).fetchall()
        return [(r[0], r[1], bytes(r[2]), r[3], r[4]) for r in rows]

    def set_message(self, message_id: str, **values: str | int | datetime | None) -> None:
        """Update a message's delivery columns (state, attempts, replies, times) and commit."""
        columns = ", ".join(f"{name} = ?" for name in values)
        params = [ts(v) if isinstance(v, datetime) else v for v in values.values()]
        with self.transaction() as conn:
            conn.execute(
                f"UPDATE digest_messages SET {columns} WHERE message_id = ?",
                (*params, message_id),
            )

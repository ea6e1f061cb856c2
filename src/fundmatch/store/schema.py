"""The store's schema: every migration, written once for SQLite and PostgreSQL, and bringing a
database up to date on open."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fundmatch.store.backend import Backend

__all__ = ["MIGRATIONS", "Migration", "migrate", "statements"]

logger = logging.getLogger("fundmatch.store")

Migration = str | Callable[["Backend"], None]
"""One schema step: an SQL script, or a function given the database (inside the step's
transaction; its ``execute`` takes SQLite's spelling on both backends, and ``dialect.name`` says
which one it is).

A script is written once for both databases: column types that differ are tokens that
:meth:`fundmatch.store.dialect.Dialect.ddl` fills in: ``{timestamp}`` (an aware moment),
``{json}``, ``{blob}`` (bytes), ``{serial}`` (an integer primary key the database numbers) and
``{without_rowid}`` (after a table with a composite primary key). Braces mean tokens, nothing
else."""

MIGRATIONS: list[Migration] = [
    # 1: calls, their versions, provenance per source, changes, source state, identity keys.
    """
    CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        source TEXT,              -- the source whose version is the call's content
        json TEXT NOT NULL,       -- current version: Call.model_dump_json()
        hash TEXT NOT NULL,       -- hash of json: unchanged calls are skipped on it
        title TEXT NOT NULL,
        programme TEXT,
        search TEXT NOT NULL,     -- casefolded text for Store.calls(text=...)
        first_seen {timestamp} NOT NULL,
        withdrawn_at {timestamp}
    );
    CREATE TABLE versions (
        id {serial},
        call_id TEXT NOT NULL REFERENCES calls(id),
        source TEXT,
        seen_at {timestamp} NOT NULL,
        json {blob} NOT NULL      -- zlib-compressed JSON (fundmatch.store.rows.pack)
    );
    CREATE INDEX versions_call ON versions(call_id);
    CREATE TABLE provenance (
        source TEXT NOT NULL,
        source_call_id TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id),
        url TEXT,
        deadlines {json} NOT NULL, -- list of deadlines as this source reports them
        hash TEXT NOT NULL,
        first_seen {timestamp} NOT NULL,
        last_seen {timestamp} NOT NULL,
        gone_at {timestamp},      -- missing from a complete listing of this source since then
        PRIMARY KEY (source, source_call_id)
    ) {without_rowid};
    CREATE INDEX provenance_call ON provenance(call_id);
    CREATE TABLE changes (
        id {serial},
        call_id TEXT NOT NULL REFERENCES calls(id),
        kind TEXT NOT NULL CHECK (kind IN ('new', 'changed', 'withdrawn')),
        source TEXT,
        at {timestamp} NOT NULL,
        fields {json} NOT NULL DEFAULT '[]'
    );
    CREATE INDEX changes_at ON changes(at);
    CREATE INDEX changes_call ON changes(call_id);
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_attempt {timestamp},
        last_success {timestamp},
        last_error TEXT
    );
    CREATE TABLE call_keys (      -- 'id:<identifier>' and 'day:<YYYY-MM-DD>' for duplicates
        key TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id),
        PRIMARY KEY (key, call_id)
    ) {without_rowid};
    """,
    # 2: the digest outbox (fundmatch.store.outbox): each message and its delivery state, the items
    #    each recipient was given (never twice), and when each subscription last made a digest.
    """
    CREATE TABLE digest_messages (
        message_id TEXT PRIMARY KEY,
        subscription TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        raw {blob} NOT NULL,           -- the message as rendered: a re-send sends the same bytes
        state TEXT NOT NULL
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
        created_at {timestamp} NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        resends INTEGER NOT NULL DEFAULT 0,   -- re-sends after an unknown outcome (at most 1)
        next_attempt_at {timestamp},  -- failed: retry from then on; NULL: given up
        last_attempt_at {timestamp},
        sent_at {timestamp},
        last_code INTEGER,
        last_reply TEXT
    );
    CREATE INDEX digest_messages_state ON digest_messages(state);
    CREATE TABLE digest_items (
        recipient TEXT NOT NULL,
        key TEXT NOT NULL,            -- 'new:<call>', 'change:<call>:<at>', 'reminder:...'
        call_id TEXT NOT NULL,
        message_id TEXT NOT NULL REFERENCES digest_messages(message_id),
        PRIMARY KEY (recipient, key)
    ) {without_rowid};
    CREATE TABLE digest_state (
        subscription TEXT NOT NULL,
        recipient TEXT NOT NULL,
        last_digest_at {timestamp} NOT NULL,
        PRIMARY KEY (subscription, recipient)
    ) {without_rowid};
    """,
    # 3: find a call's identity keys without a full scan (they are rewritten when it changes).
    "CREATE INDEX call_keys_call ON call_keys(call_id);",
    # 4: digests ask what was first seen since their last run; `calls show` takes a source's id.
    """
    CREATE INDEX calls_first_seen ON calls(first_seen);
    CREATE INDEX provenance_source_call_id ON provenance(source_call_id);
    """,
    # 5: rows written before cascade-funding calls had ids of their own may be keyed by their
    #    parent topic's identifier: marked, so the next listing of their source gives each to
    #    the cascade call it held (fundmatch.store.upsert, "legacy keys").
    """
    ALTER TABLE provenance ADD COLUMN legacy_key INTEGER NOT NULL DEFAULT 0;
    UPDATE provenance SET legacy_key = 1;
    """,
]
"""The schema, one step per version, applied in order on open (SQLite: ``PRAGMA user_version``
counts the steps done; PostgreSQL: the table ``fundmatch_schema``). Append only: never edit a
step that has shipped. The digest outbox's tables are here too (step 2);
:mod:`fundmatch.store.outbox` reads and writes them."""


def statements(script: str) -> Iterator[str]:
    """Split an SQL script into complete statements (semicolons in strings are kept)."""
    buffer = ""
    for piece in script.split(";"):
        buffer += piece + ";"
        if sqlite3.complete_statement(buffer):
            if buffer.strip(" \n\t;"):
                yield buffer
            buffer = ""
    if buffer.strip(" \n\t;"):
        yield buffer


def migrate(db: Backend, where: str | Path) -> None:
    """Apply the steps the database lacks, each in its own write transaction."""
    for number, step in enumerate(MIGRATIONS, start=1):
        if db.schema_version() >= number:
            continue
        db.begin()
        try:
            # Another process may have migrated while we waited for the write lock.
            if db.schema_version() < number:
                logger.info("store %s: schema step %d", where, number)
                if callable(step):
                    step(db)
                else:
                    for statement in statements(db.dialect.ddl(step)):
                        db.raw.execute(statement)
                db.set_schema_version(number)
            db.commit()
        except BaseException:
            if db.in_transaction:
                db.rollback()
            raise

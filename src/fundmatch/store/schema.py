"""The store's schema: every migration, and bringing a file up to date on open."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from fundmatch.errors import StoreError

__all__ = ["APPLICATION_ID", "MIGRATIONS", "Migration", "migrate"]

logger = logging.getLogger("fundmatch.store")

APPLICATION_ID = 0x464D4348  # "FMCH" in the SQLite header: marks the file as a fundmatch store

Migration = str | Callable[[sqlite3.Connection], None]
"""One schema step: an SQL script, or a function given the connection (inside a transaction)."""

MIGRATIONS: list[Migration] = [
    # 1: calls, their versions, provenance per source, changes, source state, identity keys.
    """
    PRAGMA application_id = 1179468616;
    CREATE TABLE calls (
        id TEXT PRIMARY KEY,
        source TEXT,              -- the source whose version is the call's content
        json TEXT NOT NULL,       -- current version: Call.model_dump_json()
        hash TEXT NOT NULL,       -- hash of json: unchanged calls are skipped on it
        title TEXT NOT NULL,
        programme TEXT,
        search TEXT NOT NULL,     -- casefolded text for Store.calls(text=...)
        first_seen TEXT NOT NULL,
        withdrawn_at TEXT
    );
    CREATE TABLE versions (
        id INTEGER PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls(id),
        source TEXT,
        seen_at TEXT NOT NULL,
        json TEXT NOT NULL
    );
    CREATE INDEX versions_call ON versions(call_id);
    CREATE TABLE provenance (
        source TEXT NOT NULL,
        source_call_id TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id),
        url TEXT,
        deadlines TEXT NOT NULL,  -- JSON list of deadlines as this source reports them
        hash TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        gone_at TEXT,             -- missing from a complete listing of this source since then
        PRIMARY KEY (source, source_call_id)
    ) WITHOUT ROWID;
    CREATE INDEX provenance_call ON provenance(call_id);
    CREATE TABLE changes (
        id INTEGER PRIMARY KEY,
        call_id TEXT NOT NULL REFERENCES calls(id),
        kind TEXT NOT NULL CHECK (kind IN ('new', 'changed', 'withdrawn')),
        source TEXT,
        at TEXT NOT NULL,
        fields TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX changes_at ON changes(at);
    CREATE INDEX changes_call ON changes(call_id);
    CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        etag TEXT,
        last_modified TEXT,
        last_attempt TEXT,
        last_success TEXT,
        last_error TEXT
    );
    CREATE TABLE call_keys (      -- 'id:<identifier>' and 'day:<YYYY-MM-DD>' for duplicates
        key TEXT NOT NULL,
        call_id TEXT NOT NULL REFERENCES calls(id),
        PRIMARY KEY (key, call_id)
    ) WITHOUT ROWID;
    """,
    # 2: the digest outbox (fundmatch.store.outbox): each message and its delivery state, the items
    #    each recipient was given (never twice), and when each subscription last made a digest.
    """
    CREATE TABLE digest_messages (
        message_id TEXT PRIMARY KEY,
        subscription TEXT NOT NULL,
        recipient TEXT NOT NULL,
        subject TEXT NOT NULL,
        raw BLOB NOT NULL,            -- the message as rendered: a re-send sends the same bytes
        state TEXT NOT NULL
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        resends INTEGER NOT NULL DEFAULT 0,   -- re-sends after an unknown outcome (at most 1)
        next_attempt_at TEXT,         -- failed: retry from then on; NULL: given up
        last_attempt_at TEXT,
        sent_at TEXT,
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
    ) WITHOUT ROWID;
    CREATE TABLE digest_state (
        subscription TEXT NOT NULL,
        recipient TEXT NOT NULL,
        last_digest_at TEXT NOT NULL,
        PRIMARY KEY (subscription, recipient)
    ) WITHOUT ROWID;
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
"""The schema, one step per version, applied in order on open (``PRAGMA user_version`` counts
the steps done). Append only: never edit a step that has shipped. The digest outbox's tables
are here too (step 2); :mod:`fundmatch.store.outbox` reads and writes them."""


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


def check(conn: sqlite3.Connection, path: str | Path) -> None:
    """Refuse a foreign, non-fundmatch or too new file; read before writing anything, so such
    a file stays as it is."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id not in (0, APPLICATION_ID):
        raise StoreError(f"{path} is an SQLite file of another application; not touched")
    if app_id == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise StoreError(f"{path} is an SQLite file but not a fundmatch store; not touched")
    if version > len(MIGRATIONS):
        raise StoreError(
            f"{path} has schema version {version}, newer than this fundmatch knows "
            f"({len(MIGRATIONS)}): upgrade fundmatch; the file was not changed"
        )


def migrate(conn: sqlite3.Connection, path: str | Path) -> None:
    """Apply the steps the file lacks, each in its own write transaction."""
    for number, step in enumerate(MIGRATIONS, start=1):
        if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the write lock.
            if conn.execute("PRAGMA user_version").fetchone()[0] < number:
                logger.info("store %s: schema step %d", path, number)
                if callable(step):
                    step(conn)
                else:
                    for statement in statements(step):
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number:d}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

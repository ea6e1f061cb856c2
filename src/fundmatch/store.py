"""The SQLite store: calls with their versions, changes and provenance, and each source's state.

Only SQL lives here; what to fetch is ``update.py``'s job and what to send is ``digest.py``'s.
Every ``sqlite3`` error becomes a :class:`~fundmatch.errors.StoreError` in :meth:`Store._errors`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import platformdirs
from rapidfuzz import fuzz

from fundmatch.errors import StoreError
from fundmatch.models import (
    Call,
    CallStatus,
    Change,
    Deadline,
    FieldChange,
    FundmatchModel,
)

__all__ = [
    "MIGRATIONS",
    "Migration",
    "Provenance",
    "SourceState",
    "Store",
    "StoredCall",
    "default_path",
]

logger = logging.getLogger(__name__)

APPLICATION_ID = 0x464D4348  # "FMCH" in the SQLite header: marks the file as a fundmatch store
TITLE_SIMILARITY = 90.0
"""Smallest rapidfuzz ``token_sort_ratio`` of two titles (with a common deadline day) that
makes two calls from different sources the same call."""

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
    # 2: the digest outbox (fundmatch.outbox): each message and its delivery state, the items
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
]
"""The schema, one step per version, applied in order on open (``PRAGMA user_version`` counts
the steps done). Append only: never edit a step that has shipped. Other modules that need
tables (the digest outbox) append their own step here."""


# --- public models --------------------------------------------------------------------


class Provenance(FundmatchModel):
    """One source that reported a call, with what it said about it."""

    source: str
    """The source's name."""
    source_call_id: str
    """The id this source gives the call."""
    url: str | None = None
    """The link this source gives."""
    first_seen: datetime
    """When this source first reported the call."""
    last_seen: datetime
    """When this source last reported the call."""
    gone_at: datetime | None = None
    """When the call went missing from a complete listing of this source (None: still listed)."""
    deadlines: tuple[Deadline, ...] = ()
    """The deadlines as this source reports them (compare to see a disagreement)."""


class StoredCall(FundmatchModel):
    """A call as the store knows it: its current version and its history markers."""

    call: Call
    """The current version."""
    first_seen: datetime
    """When the store first saw the call (newness is decided by this)."""
    last_seen: datetime
    """When a source last reported it."""
    withdrawn_at: datetime | None = None
    """When it disappeared from every source that listed it (None: still listed)."""
    provenance: tuple[Provenance, ...] = ()
    """Every source that reported it, first seen first."""


class SourceState(FundmatchModel):
    """What the store remembers of one source: conditional-GET state and the last attempts."""

    name: str
    """The source's name."""
    etag: str | None = None
    """ETag of the last successful fetch."""
    last_modified: str | None = None
    """Last-Modified header of the last successful fetch, verbatim."""
    last_attempt: datetime | None = None
    """When the source was last tried."""
    last_success: datetime | None = None
    """When it was last read successfully."""
    last_error: str | None = None
    """Error of the last attempt, None when it succeeded."""
    calls: int = 0
    """How many calls this source currently lists."""


# --- helpers --------------------------------------------------------------------------


def default_path() -> Path:
    """``$FUNDMATCH_DB``, else ``fundmatch.sqlite`` in the user data folder."""
    env = os.environ.get("FUNDMATCH_DB")
    if env:
        return Path(env)
    return platformdirs.user_data_path("fundmatch", appauthor=False) / "fundmatch.sqlite"


def _ts(moment: datetime) -> str:
    """A sortable UTC text for an aware datetime."""
    if moment.utcoffset() is None:
        raise ValueError("the store needs time-zone aware datetimes (got a naive one)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _must_dt(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _pack(text: str) -> bytes:
    """A version's JSON as kept in ``versions.json``: zlib-compressed UTF-8 (a BLOB)."""
    return zlib.compress(text.encode("utf-8"), 1)


def _unpack(value: str | bytes) -> str:
    return zlib.decompress(value).decode("utf-8") if isinstance(value, bytes) else value


def _search_text(call: Call) -> str:
    parts = [call.id, call.title, call.description, call.programme, call.call_id, call.topic_id]
    parts += [*call.keywords, *call.tags]
    return " ".join(p for p in parts if p).casefold()


def _identity_keys(call: Call) -> set[str]:
    # call_id is shared by every topic of a call, so it does not identify one call.
    return {f"id:{v.strip().casefold()}" for v in (call.id, call.topic_id) if v}


def _numbers(title: str) -> frozenset[str]:
    """The numbers a title names: "Call 4 (2024)" and "Call 5 (2024)" are not the same call,
    however alike the rest of their words."""
    return frozenset(re.findall(r"\d+", title))


def _day_keys(call: Call) -> set[str]:
    return {f"day:{d.at.astimezone(UTC).date().isoformat()}" for d in call.deadlines}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FieldChange]:
    names = list(new) + [k for k in old if k not in new]
    return [
        FieldChange(field=name, old=old.get(name), new=new.get(name))
        for name in names
        if old.get(name) != new.get(name)
    ]


def _statements(script: str) -> Iterator[str]:
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


_LOCK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# --- the store ------------------------------------------------------------------------


class Store:
    """Calls in SQLite, with versions, changes, provenance and source state.

    ``Store(path)`` opens (or creates) the file and brings its schema up to date;
    ``Store()`` uses :func:`default_path`; ``Store(":memory:")`` is a throw-away store.
    ``timeout`` is how many seconds to wait for another process's write before giving up.
    """

    def __init__(self, path: str | Path | None = None, *, timeout: float = 30.0) -> None:
        self._memory = str(path) == ":memory:"
        if path is None:
            path = default_path()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the store's folder {path.parent}: {exc}") from exc
        self.path = path if self._memory else Path(path)
        self._held_locks: dict[str, sqlite3.Connection | None] = {}
        with self._errors("open"):
            self._conn = sqlite3.connect(
                str(self.path), timeout=timeout, isolation_level=None, check_same_thread=False
            )
        try:
            with self._errors("open"):
                self._open()
        except BaseException:
            self._conn.close()
            raise

    def _open(self) -> None:
        conn = self._conn
        # Read before writing anything: a foreign or corrupt file must stay as it is.
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{self.path} is an SQLite file of another application; not touched")
        if app_id == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise StoreError(
                f"{self.path} is an SQLite file but not a fundmatch store; not touched"
            )
        if version > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} has schema version {version}, newer than this fundmatch knows "
                f"({len(MIGRATIONS)}): upgrade fundmatch; the file was not changed"
            )
        conn.execute("PRAGMA foreign_keys = ON")
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL")
        self._migrate()

    def _migrate(self) -> None:
        conn = self._conn
        for number, step in enumerate(MIGRATIONS, start=1):
            if conn.execute("PRAGMA user_version").fetchone()[0] >= number:
                continue
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Another process may have migrated while we waited for the write lock.
                if conn.execute("PRAGMA user_version").fetchone()[0] < number:
                    logger.info("store %s: schema step %d", self.path, number)
                    if callable(step):
                        step(conn)
                    else:
                        for statement in _statements(step):
                            conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number:d}")
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # --- plumbing ---------------------------------------------------------------------

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """The one place where sqlite3 errors become StoreError."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(self._message(action, exc)) from exc

    def _message(self, action: str, exc: sqlite3.Error) -> str:
        name = getattr(exc, "sqlite_errorname", "") or ""
        where = f"store {self.path}"
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return f"{where} is locked by another process ({action}); try again when it is done"
        if name.startswith("SQLITE_READONLY"):
            return f"{where} is read-only ({action}: {exc}); check the file's permissions"
        if name.startswith("SQLITE_FULL"):
            return (
                f"{where} is full: the disk or the size limit is reached ({action}); "
                "nothing of this change was written"
            )
        if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            return (
                f"{where} is corrupt or not an SQLite file ({action}: {exc}); "
                "it was left as it is: restore it from a backup or move it away"
            )
        if name.startswith("SQLITE_CANTOPEN"):
            return f"cannot open {where} ({exc}): does its folder exist and is it writable?"
        return f"{where}: {action} failed: {exc}"

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection (autocommit mode; write inside :meth:`transaction`)."""
        return self._conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE``): committed at the end, rolled back on error.

        Nested use joins the outer transaction. sqlite3 errors inside become StoreError.
        """
        conn = self._conn
        if conn.in_transaction:
            with self._errors("write"):
                yield conn
            return
        with self._errors("write"):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        """Close the connection (and release any lock still held)."""
        for held in self._held_locks.values():
            if held is not None:
                held.close()
        self._held_locks.clear()
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    # --- writing ----------------------------------------------------------------------

    def upsert(
        self,
        calls: Iterable[Call],
        *,
        source: str,
        now: datetime,
        complete: bool = True,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> list[Change]:
        """Store what ``source`` lists at ``now``; return what is new, changed or withdrawn.

        One transaction covers the calls, their versions and changes and the source's state
        (``etag``, ``last_modified``, ``last_success``), so a crash can only make the next run
        fetch again. ``complete=False`` (a partial listing) never withdraws anything.

        - ``new``: the store never saw the call; ``first_seen`` is set once, now.
        - ``changed``: each field of the call's JSON that differs, old and new (``deadlines``
          as a list, ``budget`` as an object, ``reported_status`` for the status). A withdrawn
          call that is listed again is ``changed`` with the field ``withdrawn`` (old: when it
          was withdrawn, new: None), plus whatever else changed meanwhile.
        - ``withdrawn``: missing from a complete listing of every source that reported it.

        A call another source already reported (same id or topic id, or a similar title with
        a common deadline day) is not new: it gains this source's provenance (its deadlines
        are kept there, so a disagreement shows), and its content stays the first source's.
        """
        at = _ts(now)
        batch: dict[str, tuple[Call, str, str]] = {}
        for call in calls:
            if call.id in batch:
                logger.warning(
                    "source %s lists call %s twice; the last one is kept", source, call.id
                )
            text = call.model_dump_json()
            batch[call.id] = (call, text, _hash(text))
        with self.transaction() as conn:
            return _Upsert(conn, source, now, at).run(batch, complete, etag, last_modified)

    def record_failure(self, source: str, *, now: datetime, error: str) -> None:
        """Remember that ``source`` failed at ``now``; nothing is withdrawn."""
        at = _ts(now)
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO sources (name, last_attempt, last_error) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET last_attempt = excluded.last_attempt, "
                "last_error = excluded.last_error",
                (source, at, error),
            )

    # --- reading ----------------------------------------------------------------------

    def source_state(self, name: str) -> SourceState | None:
        """The state of one source, or None if it was never updated."""
        states = self._source_states(name)
        return states[0] if states else None

    def source_states(self) -> list[SourceState]:
        """The state of every source, by name."""
        return self._source_states(None)

    def _source_states(self, name: str | None) -> list[SourceState]:
        sql = (
            "SELECT s.name, s.etag, s.last_modified, s.last_attempt, s.last_success, "
            "s.last_error, (SELECT count(*) FROM provenance p "
            "WHERE p.source = s.name AND p.gone_at IS NULL) FROM sources s"
        )
        params: tuple[str, ...] = ()
        if name is not None:
            sql += " WHERE s.name = ?"
            params = (name,)
        with self._errors("read source state"):
            rows = self._conn.execute(sql + " ORDER BY s.name", params).fetchall()
        return [
            SourceState(
                name=r[0],
                etag=r[1],
                last_modified=r[2],
                last_attempt=_dt(r[3]),
                last_success=_dt(r[4]),
                last_error=r[5],
                calls=r[6],
            )
            for r in rows
        ]

    def calls(
        self,
        *,
        status: CallStatus | None = None,
        now: datetime | None = None,
        programme: str | None = None,
        source: str | None = None,
        text: str | None = None,
        deadline_after: datetime | None = None,
        deadline_before: datetime | None = None,
        include_withdrawn: bool = False,
    ) -> list[Call]:
        """The stored calls (current versions), by id, filtered by every argument given.

        ``status`` is the status at ``now`` (required with it); ``programme`` and ``text``
        match case-insensitively inside the programme name and the call's text; ``source``
        keeps calls that source lists now (or ever listed, with ``include_withdrawn``); the
        deadline window keeps calls with at least one deadline in
        ``[deadline_after, deadline_before)``. Withdrawn calls are left out unless
        ``include_withdrawn``.
        """
        if status is not None and now is None:
            raise ValueError("status= needs now= (the status of a call depends on the moment)")
        where, params = [], []
        if not include_withdrawn:
            where.append("withdrawn_at IS NULL")
        if programme:
            where.append("instr(lower(coalesce(programme, '')), ?) > 0")
            params.append(programme.casefold())
        if source:
            listed = "" if include_withdrawn else " AND gone_at IS NULL"
            where.append(f"id IN (SELECT call_id FROM provenance WHERE source = ?{listed})")
            params.append(source)
        if text:
            where.append("instr(search, ?) > 0")
            params.append(text.casefold())
        sql = "SELECT json FROM calls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors("read calls"):
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        result = [Call.model_validate_json(r[0]) for r in rows]
        if deadline_after is not None or deadline_before is not None:
            result = [
                c
                for c in result
                if any(
                    (deadline_after is None or d.at >= deadline_after)
                    and (deadline_before is None or d.at < deadline_before)
                    for d in c.deadlines
                )
            ]
        if status is not None and now is not None:
            result = [c for c in result if c.status(now) == status]
        return result

    def get(self, id: str) -> StoredCall | None:
        """One call with its history markers and provenance; ``id`` may also be a source's id."""
        with self._errors("read a call"):
            row = self._conn.execute(
                "SELECT id, json, first_seen, withdrawn_at FROM calls WHERE id = ?", (id,)
            ).fetchone()
            if row is None:
                row = self._conn.execute(
                    "SELECT c.id, c.json, c.first_seen, c.withdrawn_at FROM calls c "
                    "JOIN provenance p ON p.call_id = c.id WHERE p.source_call_id = ? "
                    "ORDER BY p.first_seen LIMIT 1",
                    (id,),
                ).fetchone()
            if row is None:
                return None
            prov = self._conn.execute(
                "SELECT source, source_call_id, url, first_seen, last_seen, gone_at, deadlines "
                "FROM provenance WHERE call_id = ? ORDER BY first_seen, source",
                (row[0],),
            ).fetchall()
        provenance = tuple(
            Provenance(
                source=p[0],
                source_call_id=p[1],
                url=p[2],
                first_seen=_must_dt(p[3]),
                last_seen=_must_dt(p[4]),
                gone_at=_dt(p[5]),
                deadlines=tuple(Deadline.model_validate(d) for d in json.loads(p[6])),
            )
            for p in prov
        )
        first_seen = _must_dt(row[2])
        last_seen = max((p.last_seen for p in provenance), default=first_seen)
        return StoredCall(
            call=Call.model_validate_json(row[1]),
            first_seen=first_seen,
            last_seen=last_seen,
            withdrawn_at=_dt(row[3]),
            provenance=provenance,
        )

    def versions(self, id: str) -> list[Call]:
        """Every version the store kept of a call, oldest first."""
        with self._errors("read versions"):
            rows = self._conn.execute(
                "SELECT json FROM versions WHERE call_id = ? ORDER BY id", (id,)
            ).fetchall()
        return [Call.model_validate_json(_unpack(r[0])) for r in rows]

    def changes(self, *, since: datetime | None = None, call_id: str | None = None) -> list[Change]:
        """Recorded changes, oldest first: from ``since`` on (inclusive), of one call if given."""
        where, params = [], []
        if since is not None:
            where.append("at >= ?")
            params.append(_ts(since))
        if call_id is not None:
            where.append("call_id = ?")
            params.append(call_id)
        sql = "SELECT kind, call_id, fields, source, at FROM changes"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._errors("read changes"):
            rows = self._conn.execute(sql + " ORDER BY id", params).fetchall()
        return [
            Change(
                kind=r[0],
                call_id=r[1],
                fields=tuple(FieldChange.model_validate(f) for f in json.loads(r[2])),
                source=r[3],
                at=_must_dt(r[4]),
            )
            for r in rows
        ]

    def first_seen_since(self, since: datetime) -> list[StoredCall]:
        """Calls the store first saw at or after ``since``, oldest first (for digests)."""
        with self._errors("read calls"):
            ids = [
                r[0]
                for r in self._conn.execute(
                    "SELECT id FROM calls WHERE first_seen >= ? ORDER BY first_seen, id",
                    (_ts(since),),
                )
            ]
        return [s for s in (self.get(i) for i in ids) if s is not None]

    # --- locks ------------------------------------------------------------------------

    @contextmanager
    def lock(self, name: str = "scheduler") -> Iterator[None]:
        """Hold the named lock for the block, or raise StoreError if anyone holds it.

        Non-blocking and across processes: an exclusive SQLite lock on a file beside the
        store (``<store>.<name>.lock``), which the system releases if the process dies.
        """
        if not _LOCK_NAME.match(name):
            raise ValueError(f"lock name {name!r}: use letters, digits, '-' and '_'")
        busy = StoreError(f"{name} already running (lock {name!r} of store {self.path} is held)")
        if name in self._held_locks:
            raise busy
        holder: sqlite3.Connection | None = None
        if not self._memory:
            lock_path = Path(f"{self.path}.{name}.lock")
            with self._errors(f"take lock {name!r}"):
                holder = sqlite3.connect(str(lock_path), timeout=0, isolation_level=None)
            try:
                holder.execute("BEGIN EXCLUSIVE")
            except sqlite3.Error as exc:
                holder.close()
                if "locked" in str(exc):
                    raise busy from exc
                raise StoreError(self._message(f"take lock {name!r}", exc)) from exc
        self._held_locks[name] = holder
        try:
            yield
        finally:
            self._held_locks.pop(name, None)
            if holder is not None:
                holder.close()


class _Upsert:
    """One upsert of one source's listing, inside the caller's transaction."""

    def __init__(self, conn: sqlite3.Connection, source: str, now: datetime, at: str) -> None:
        self.conn, self.source, self.now, self.at = conn, source, now, at
        self.changes: list[Change] = []
        self._change_rows: list[tuple[str, str, str, str, str]] = []
        self._candidates: tuple[dict[str, set[str]], dict[str, str]] | None = None
        self._ids: set[str] | None = None
        self._taken: set[str] = set()  # calls matched in this listing: one provenance each
        # rows of new calls, written with executemany after the loop
        self._rows: dict[str, list[tuple[str | bytes | None, ...]]] = {
            "calls": [],
            "versions": [],
            "provenance": [],
            "call_keys": [],
        }

    def run(
        self,
        batch: dict[str, tuple[Call, str, str]],
        complete: bool,
        etag: str | None,
        last_modified: str | None,
    ) -> list[Change]:
        conn, source, at = self.conn, self.source, self.at
        known = {
            r[0]: (r[1], r[2], r[3], r[4])
            for r in conn.execute(
                "SELECT p.source_call_id, p.call_id, p.hash, p.gone_at, c.source = p.source "
                "FROM provenance p JOIN calls c ON c.id = p.call_id WHERE p.source = ?",
                (source,),
            )
        }
        unchanged: list[tuple[str, str, str]] = []
        for sid, (call, text, digest) in batch.items():
            if sid not in known:
                self._arrive(call, text, digest)
                continue
            call_id, old_hash, gone_at, primary = known[sid]
            if old_hash == digest and gone_at is None:
                unchanged.append((at, source, sid))
                continue
            self._update(
                call_id, call, text, digest, primary=bool(primary), back=gone_at is not None
            )
        self._flush()
        conn.executemany(
            "UPDATE provenance SET last_seen = ? WHERE source = ? AND source_call_id = ?", unchanged
        )
        if complete:
            gone = [sid for sid, k in known.items() if k[2] is None and sid not in batch]
            self._withdraw(gone, {known[sid][0] for sid in gone})
        conn.execute(
            "INSERT INTO sources (name, etag, last_modified, last_attempt, last_success) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET etag = excluded.etag, "
            "last_modified = excluded.last_modified, last_attempt = excluded.last_attempt, "
            "last_success = excluded.last_success, last_error = NULL",
            (source, etag, last_modified, at, at),
        )
        conn.executemany(
            "INSERT INTO changes (call_id, kind, source, at, fields) VALUES (?, ?, ?, ?, ?)",
            self._change_rows,
        )
        return self.changes

    def _record(
        self, kind: Literal["new", "changed", "withdrawn"], call_id: str, fields: list[FieldChange]
    ) -> None:
        change = Change(
            kind=kind,
            call_id=call_id,
            fields=tuple(fields),
            source=self.source,
            at=self.now,
        )
        self.changes.append(change)
        payload = json.dumps([f.model_dump(mode="json") for f in fields], ensure_ascii=False)
        self._change_rows.append((call_id, kind, self.source, self.at, payload))

    @staticmethod
    def _deadlines_json(call: Call) -> str:
        return json.dumps([d.model_dump(mode="json") for d in call.deadlines])

    def _write_keys(self, call_id: str, call: Call) -> None:
        self.conn.execute("DELETE FROM call_keys WHERE call_id = ?", (call_id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES (?, ?)",
            [(k, call_id) for k in _identity_keys(call) | _day_keys(call)],
        )

    def _arrive(self, call: Call, text: str, digest: str) -> None:
        """A call this source did not list before: a duplicate of another source's, or new."""
        conn, at, rows = self.conn, self.at, self._rows
        twin = self._duplicate_of(call)
        if twin is not None:
            logger.info("call %s of %s is the same as stored call %s", call.id, self.source, twin)
            self._provenance(twin, call, digest)
            withdrawn = conn.execute(
                "SELECT withdrawn_at FROM calls WHERE id = ?", (twin,)
            ).fetchone()[0]
            if withdrawn is not None:
                conn.execute("UPDATE calls SET withdrawn_at = NULL WHERE id = ?", (twin,))
                self._record("changed", twin, [FieldChange(field="withdrawn", old=withdrawn)])
            return
        if self._ids is None:
            self._ids = {r[0] for r in conn.execute("SELECT id FROM calls")}
        call_id = call.id
        if call_id in self._ids:
            call_id = f"{call.id}@{self.source}"  # another source's call already has this id
        self._ids.add(call_id)
        rows["calls"].append(
            (call_id, self.source, text, digest, call.title, call.programme, _search_text(call), at)
        )
        rows["versions"].append((call_id, self.source, at, _pack(text)))
        self._provenance(call_id, call, digest)
        rows["call_keys"].extend((k, call_id) for k in _identity_keys(call) | _day_keys(call))
        self._record("new", call_id, [])

    def _provenance(self, call_id: str, call: Call, digest: str) -> None:
        self._rows["provenance"].append(
            (
                self.source,
                call.id,
                call_id,
                call.url,
                self._deadlines_json(call),
                digest,
                self.at,
                self.at,
            )
        )

    def _flush(self) -> None:
        """Write the rows gathered for new calls and provenances."""
        rows, conn = self._rows, self.conn
        conn.executemany(
            "INSERT INTO calls (id, source, json, hash, title, programme, search, first_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows["calls"],
        )
        conn.executemany(
            "INSERT INTO versions (call_id, source, seen_at, json) VALUES (?, ?, ?, ?)",
            rows["versions"],
        )
        conn.executemany(
            "INSERT INTO provenance (source, source_call_id, call_id, url, deadlines, hash, "
            "first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows["provenance"],
        )
        conn.executemany(
            "INSERT OR IGNORE INTO call_keys (key, call_id) VALUES (?, ?)", rows["call_keys"]
        )
        for batch in rows.values():
            batch.clear()

    def _duplicate_of(self, call: Call) -> str | None:
        """The stored call of another source that is this call, if any."""
        if self._candidates is None:
            keys: dict[str, set[str]] = {}
            for key, call_id in self.conn.execute(
                "SELECT key, call_id FROM call_keys WHERE call_id NOT IN "
                "(SELECT call_id FROM provenance WHERE source = ?)",
                (self.source,),
            ):
                keys.setdefault(key, set()).add(call_id)
            titles = {}
            if keys:
                titles = dict(
                    self.conn.execute(
                        "SELECT id, title FROM calls WHERE id NOT IN "
                        "(SELECT call_id FROM provenance WHERE source = ?)",
                        (self.source,),
                    ).fetchall()
                )
            self._candidates = (keys, titles)
        keys, titles = self._candidates
        if not keys:
            return None
        taken = self._taken
        by_id = sorted({c for k in _identity_keys(call) for c in keys.get(k, ())} - taken)
        if by_id:
            taken.add(by_id[0])
            return by_id[0]
        same_day = sorted({c for k in _day_keys(call) for c in keys.get(k, ())} - taken)
        title = call.title.casefold()
        numbers = _numbers(title)
        scored = [
            (fuzz.token_sort_ratio(title, titles[c].casefold()), c)
            for c in same_day
            if c in titles and _numbers(titles[c]) == numbers
        ]
        best = max(scored, default=None, key=lambda s: s[0])
        if best is not None and best[0] >= TITLE_SIMILARITY:
            taken.add(best[1])
            return best[1]
        return None

    def _update(
        self, call_id: str, call: Call, text: str, digest: str, *, primary: bool, back: bool
    ) -> None:
        """A call this source listed before, whose content changed or which came back."""
        conn, at = self.conn, self.at
        conn.execute(
            "UPDATE provenance SET url = ?, deadlines = ?, hash = ?, last_seen = ?, gone_at = NULL "
            "WHERE source = ? AND source_call_id = ?",
            (call.url, self._deadlines_json(call), digest, at, self.source, call.id),
        )
        fields: list[FieldChange] = []
        row = conn.execute(
            "SELECT json, withdrawn_at FROM calls WHERE id = ?", (call_id,)
        ).fetchone()
        old_json, withdrawn = row
        if back and withdrawn is not None:
            fields.append(FieldChange(field="withdrawn", old=withdrawn, new=None))
            conn.execute("UPDATE calls SET withdrawn_at = NULL WHERE id = ?", (call_id,))
        if primary:
            diff = _field_changes(json.loads(old_json), json.loads(text))
            fields.extend(diff)
            conn.execute(
                "UPDATE calls SET json = ?, hash = ?, title = ?, programme = ?, search = ? "
                "WHERE id = ?",
                (text, digest, call.title, call.programme, _search_text(call), call_id),
            )
            if diff:
                conn.execute(
                    "INSERT INTO versions (call_id, source, seen_at, json) VALUES (?, ?, ?, ?)",
                    (call_id, self.source, at, _pack(text)),
                )
                self._write_keys(call_id, call)
        if fields:
            self._record("changed", call_id, fields)

    def _withdraw(self, gone: list[str], call_ids: set[str]) -> None:
        """Mark what a complete listing lacks; a call is withdrawn when no source lists it."""
        conn, at = self.conn, self.at
        conn.executemany(
            "UPDATE provenance SET gone_at = ? WHERE source = ? AND source_call_id = ?",
            [(at, self.source, sid) for sid in gone],
        )
        for call_id in sorted(call_ids):
            listed, withdrawn = conn.execute(
                "SELECT (SELECT count(*) FROM provenance WHERE call_id = ? AND gone_at IS NULL), "
                "withdrawn_at FROM calls WHERE id = ?",
                (call_id, call_id),
            ).fetchone()
            if listed == 0 and withdrawn is None:
                conn.execute("UPDATE calls SET withdrawn_at = ? WHERE id = ?", (at, call_id))
                self._record("withdrawn", call_id, [])

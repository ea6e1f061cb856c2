"""The PostgreSQL backend (psycopg 3, the ``postgres`` extra): one connection per store,
writes serialised by an advisory lock, named locks as session advisory locks, and the one place
where ``psycopg`` errors become :class:`~fundmatch.errors.StoreError`."""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fundmatch.errors import StoreError
from fundmatch.store.backend import Backend, Params
from fundmatch.store.dialect import POSTGRESQL

try:
    import psycopg
    from psycopg import errors as pgerrors
except ImportError:  # pragma: no cover - the extra is in [dev]
    psycopg = None  # type: ignore[assignment]

__all__ = ["PostgresBackend", "is_postgresql", "redacted"]

SCHEMES = ("postgresql://", "postgres://")

_INSERT = re.compile(r"^(\s*INSERT INTO .*? VALUES )(\([^()]*\))(.*)$", re.IGNORECASE | re.DOTALL)
INSERT_LENGTH = 4000
"""How long a multi-row ``INSERT`` grows: the server parses and plans one statement per batch
of rows instead of one per row, and psycopg keeps statements this short parsed once."""


def is_postgresql(address: object) -> bool:
    """Whether a store address names a PostgreSQL database (``postgresql://…``)."""
    return isinstance(address, str) and address.startswith(SCHEMES)


def redacted(address: str) -> str:
    """The address without its password, as messages and logs show it."""
    parts = urlsplit(address)
    netloc = parts.netloc
    if parts.password is not None:
        user = parts.username or ""
        host = netloc.rpartition("@")[2]
        netloc = f"{user}@{host}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


class PostgresBackend(Backend):
    """A store in a PostgreSQL database, in the schema the role's ``search_path`` selects.

    Every write transaction starts once it holds the store's write lock (a session advisory
    lock, released at its end), so writers take turns as they do on SQLite (``BEGIN
    IMMEDIATE``) and readers never wait. Named locks
    (:meth:`~fundmatch.store.Store.lock`) are session advisory locks: the server releases them
    when the process holding them dies.
    """

    dialect = POSTGRESQL

    def __init__(self, address: str, *, timeout: float) -> None:
        self.where = f"store {redacted(address)}"
        if psycopg is None:  # pragma: no cover - the extra is in [dev]
            raise StoreError(
                f"{self.where}: PostgreSQL needs psycopg: pip install 'fundmatch[postgres]'"
            )
        self.foreign = (psycopg.Error,)
        try:
            self.raw: psycopg.Connection[Any] = psycopg.connect(
                address, autocommit=True, connect_timeout=10, application_name="fundmatch"
            )
        except psycopg.Error as exc:
            raise self.error("open", exc) from exc
        try:
            self.raw.execute("SET TIME ZONE 'UTC'")
            self.raw.execute(f"SET lock_timeout = '{int(timeout * 1000):d}ms'")
            schema = self.raw.execute("SELECT current_schema()").fetchone()
        except psycopg.Error as exc:
            self.raw.close()
            raise self.error("open", exc) from exc
        if schema is None or schema[0] is None:
            self.raw.close()
            raise StoreError(
                f"{self.where}: the role's search_path names no schema that exists; "
                "create one (docs/agency.md)"
            )
        self.schema: str = schema[0]
        self._write_key = self._key("write")

    def _key(self, name: str) -> int:
        """The advisory lock key of a name, in this schema (two stores in one database
        never share a lock)."""
        digest = hashlib.blake2b(f"fundmatch:{self.schema}:{name}".encode(), digest_size=8)
        return int.from_bytes(digest.digest(), "big", signed=True)

    def _execute(self, sql: str, params: Params) -> Any:
        return self.raw.execute(sql, params)

    def _executemany(self, sql: str, rows: Iterable[Params]) -> None:
        insert = _INSERT.match(sql)
        if insert is None:
            with self.raw.cursor() as cursor:
                cursor.executemany(sql, rows)
            return
        head, values, tail = insert.groups()
        batch = list(rows)
        size = max(1, (INSERT_LENGTH - len(head) - len(tail)) // (len(values) + 2))
        for start in range(0, len(batch), size):
            chunk = batch[start : start + size]
            statement = head + ", ".join([values] * len(chunk)) + tail
            self.raw.execute(statement, [value for row in chunk for value in row])

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def begin(self) -> None:
        # The lock first, then the transaction: it starts after the last writer committed, so
        # it sees that writer's tables and rows (a migration just made, say).
        self.raw.execute("SELECT pg_advisory_lock(%s)", (self._write_key,))
        try:
            self.raw.execute("BEGIN")
        except BaseException:
            self._release()
            raise

    def commit(self) -> None:
        try:
            self.raw.execute("COMMIT")
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            self.raw.execute("ROLLBACK")
        finally:
            self._release()

    def _release(self) -> None:
        # If the connection is gone, the server released the lock with it.
        with contextlib.suppress(psycopg.OperationalError):
            self.raw.execute("SELECT pg_advisory_unlock(%s)", (self._write_key,))

    def schema_version(self) -> int:
        found = self.raw.execute(
            "SELECT to_regclass(quote_ident(current_schema()) || '.fundmatch_schema')"
        ).fetchone()
        if found is None or found[0] is None:
            return 0
        row = self.raw.execute("SELECT max(version) FROM fundmatch_schema").fetchone()
        return int(row[0]) if row is not None and row[0] is not None else 0

    def set_schema_version(self, number: int) -> None:
        self.raw.execute("CREATE TABLE IF NOT EXISTS fundmatch_schema (version integer NOT NULL)")
        self.raw.execute("DELETE FROM fundmatch_schema")
        self.raw.execute("INSERT INTO fundmatch_schema (version) VALUES (%s)", (number,))

    def check(self, known: int) -> None:
        # One statement, one snapshot: the tables and the version table are seen together.
        # Asked apart, another process creating the store could commit between the two
        # questions, and its fresh tables would look like another application's.
        row = self.raw.execute(
            "SELECT count(*), count(*) FILTER (WHERE table_name = 'fundmatch_schema') "
            "FROM information_schema.tables WHERE table_schema = current_schema()"
        ).fetchone()
        tables, ours = (int(row[0]), int(row[1])) if row is not None else (0, 0)
        if tables and not ours:
            raise StoreError(
                f"{self.where}: schema {self.schema!r} holds tables but is not a "
                "fundmatch store; not touched"
            )
        version = self.schema_version() if ours else 0
        if version > known:
            raise StoreError(
                f"{self.where} has schema version {version}, newer than this fundmatch knows "
                f"({known}): upgrade fundmatch; the database was not changed"
            )

    def try_lock(self, name: str) -> object | None:
        key = self._key(name)
        row = self.raw.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        return key if row is not None and row[0] else None

    def unlock(self, name: str, handle: object) -> None:
        # If the connection is gone, the server released the lock with it.
        with contextlib.suppress(psycopg.OperationalError):
            self.raw.execute("SELECT pg_advisory_unlock(%s)", (handle,))

    def error(self, action: str, exc: Exception) -> StoreError:
        where = self.where
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        if isinstance(exc, pgerrors.LockNotAvailable):
            text = f"{where} is locked by another process ({action}); try again when it is done"
        elif isinstance(exc, pgerrors.InsufficientPrivilege):
            text = f"{where}: {action} is not allowed to this role ({detail}); see docs/agency.md"
        elif isinstance(exc, pgerrors.DiskFull):
            text = f"{where} is full ({action}); nothing of this change was written"
        elif isinstance(exc, psycopg.OperationalError) and action == "open":
            text = f"cannot connect to {where} ({detail}): is the server running and reachable?"
        elif isinstance(exc, psycopg.OperationalError):
            text = f"{where}: the connection failed ({action}: {detail}); nothing more was written"
        else:
            text = f"{where}: {action} failed: {detail}"
        return StoreError(text)

"""The store's connection: open a file, run transactions, hold named locks, and the one
place where ``sqlite3`` errors become :class:`~fundmatch.errors.StoreError`."""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Self

import platformdirs

from fundmatch.errors import StoreError
from fundmatch.store.schema import check, migrate

__all__ = ["Connection", "default_path"]

_LOCK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def default_path() -> Path:
    """``$FUNDMATCH_DB``, else ``fundmatch.sqlite`` in the user data folder.

    The only place that reads ``FUNDMATCH_DB``."""
    env = os.environ.get("FUNDMATCH_DB")
    if env:
        return Path(env)
    return platformdirs.user_data_path("fundmatch", appauthor=False) / "fundmatch.sqlite"


class Connection:
    """The SQLite connection of a store: opening, transactions, locks and error mapping
    (see :class:`fundmatch.store.Store` for the arguments)."""

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
        check(conn, self.path)
        conn.execute("PRAGMA foreign_keys = ON")
        if not self._memory:
            conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn, self.path)

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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

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

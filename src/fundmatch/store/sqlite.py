"""The SQLite backend: one file (or memory), WAL, ``BEGIN IMMEDIATE`` writes, file locks, and
the one place where ``sqlite3`` errors become :class:`~fundmatch.errors.StoreError`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fundmatch.errors import StoreError
from fundmatch.store.backend import Backend, Params
from fundmatch.store.dialect import SQLITE

__all__ = ["APPLICATION_ID", "SqliteBackend"]

APPLICATION_ID = 0x464D4348  # "FMCH" in the SQLite header: marks the file as a fundmatch store


class SqliteBackend(Backend):
    """A store in an SQLite file, or in memory for ``":memory:"``."""

    dialect = SQLITE
    foreign = (sqlite3.Error,)

    def __init__(self, path: Path | str, *, timeout: float) -> None:
        self.memory = str(path) == ":memory:"
        self.path = path
        self.where = f"store {path}"
        try:
            self.raw: sqlite3.Connection = sqlite3.connect(
                str(path), timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self.error("open", exc) from exc

    def prepare(self) -> None:
        """After the check: foreign keys, and WAL so readers never wait for the writer."""
        self.raw.execute("PRAGMA foreign_keys = ON")
        if not self.memory:
            self.raw.execute("PRAGMA journal_mode = WAL")

    def _execute(self, sql: str, params: Params) -> Any:
        return self.raw.execute(sql, params)

    def _executemany(self, sql: str, rows: Iterable[Params]) -> None:
        self.raw.executemany(sql, rows)

    @property
    def in_transaction(self) -> bool:
        return self.raw.in_transaction

    def begin(self) -> None:
        self.raw.execute("BEGIN IMMEDIATE")  # the write lock now, not at the first write

    def schema_version(self) -> int:
        return int(self.raw.execute("PRAGMA user_version").fetchone()[0])

    def set_schema_version(self, number: int) -> None:
        self.raw.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
        self.raw.execute(f"PRAGMA user_version = {number:d}")

    def check(self, known: int) -> None:
        conn, path = self.raw, self.path
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id not in (0, APPLICATION_ID):
            raise StoreError(f"{path} is an SQLite file of another application; not touched")
        if app_id == 0 and conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise StoreError(f"{path} is an SQLite file but not a fundmatch store; not touched")
        if version > known:
            raise StoreError(
                f"{path} has schema version {version}, newer than this fundmatch knows "
                f"({known}): upgrade fundmatch; the file was not changed"
            )

    def try_lock(self, name: str) -> object | None:
        """An exclusive SQLite lock on a file beside the store (``<store>.<name>.lock``), which
        the system releases if the process dies; nothing to hold for an in-memory store."""
        if self.memory:
            return True
        lock_path = Path(f"{self.path}.{name}.lock")
        holder = sqlite3.connect(str(lock_path), timeout=0, isolation_level=None)
        try:
            holder.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError as exc:
            holder.close()
            if "locked" in str(exc):
                return None
            raise
        return holder

    def unlock(self, name: str, handle: object) -> None:
        if isinstance(handle, sqlite3.Connection):
            handle.close()

    def error(self, action: str, exc: Exception) -> StoreError:
        name = getattr(exc, "sqlite_errorname", "") or ""
        where = self.where
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            text = f"{where} is locked by another process ({action}); try again when it is done"
        elif name.startswith("SQLITE_READONLY"):
            text = f"{where} is read-only ({action}: {exc}); check the file's permissions"
        elif name.startswith("SQLITE_FULL"):
            text = (
                f"{where} is full: the disk or the size limit is reached ({action}); "
                "nothing of this change was written"
            )
        elif name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
            text = (
                f"{where} is corrupt or not an SQLite file ({action}: {exc}); "
                "it was left as it is: restore it from a backup or move it away"
            )
        elif name.startswith("SQLITE_CANTOPEN"):
            text = f"cannot open {where} ({exc}): does its folder exist and is it writable?"
        else:
            text = f"{where}: {action} failed: {exc}"
        return StoreError(text)

"""The store's connection: open an address (an SQLite file or a PostgreSQL database), run
transactions, hold named locks, and turn the driver's errors into
:class:`~fundmatch.errors.StoreError` (each backend says how, in one place)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import platformdirs

from fundmatch.errors import StoreError
from fundmatch.store.backend import Backend
from fundmatch.store.schema import migrate
from fundmatch.store.sqlite import SqliteBackend

__all__ = ["Connection", "beside", "default_address", "default_path"]

_LOCK_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SQLITE_URL = "sqlite:///"


def default_path() -> Path:
    """``$FUNDMATCH_DB`` as a file path, else ``fundmatch.sqlite`` in the user data folder."""
    env = os.environ.get("FUNDMATCH_DB")
    if env:
        return Path(env.removeprefix(_SQLITE_URL))
    return platformdirs.user_data_path("fundmatch", appauthor=False) / "fundmatch.sqlite"


def default_address() -> str | Path:
    """``$FUNDMATCH_DB`` (a file, ``sqlite:///…`` or ``postgresql://…``), else
    :func:`default_path`. The only place that reads ``FUNDMATCH_DB``."""
    env = os.environ.get("FUNDMATCH_DB")
    if env and env.startswith(("postgresql://", "postgres://")):
        return env
    return default_path()


def beside(address: str | Path | None, suffix: str) -> Path | None:
    """``<store><suffix>``, a file kept beside the store's SQLite file (``address``; None: the
    default store); None for an in-memory or a PostgreSQL store, which keep no files beside."""
    text = str(address if address is not None else default_address())
    if text == ":memory:" or text.startswith(("postgresql://", "postgres://")):
        return None
    return Path(text.removeprefix(_SQLITE_URL) + suffix)


def _open(address: str | Path | None, timeout: float) -> Backend:
    if address is None:
        address = default_address()
        if isinstance(address, Path):
            try:
                address.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the store's folder {address.parent}: {exc}"
                ) from exc
    if isinstance(address, str) and address.startswith(("postgresql://", "postgres://")):
        from fundmatch.store.postgres import PostgresBackend  # psycopg: the postgres extra

        return PostgresBackend(address, timeout=timeout)
    if isinstance(address, str) and address.startswith(_SQLITE_URL):
        address = address.removeprefix(_SQLITE_URL) or ":memory:"
    if str(address) == ":memory:":
        return SqliteBackend(":memory:", timeout=timeout)
    return SqliteBackend(Path(address), timeout=timeout)


class Connection:
    """The database connection of a store: opening, transactions, locks and error mapping
    (see :class:`fundmatch.store.Store` for the arguments)."""

    def __init__(self, path: str | Path | None = None, *, timeout: float = 30.0) -> None:
        backend = _open(path, timeout)
        self._db = backend
        self.path: Path | str = getattr(backend, "path", backend.where.removeprefix("store "))
        """The SQLite file (or ``":memory:"``), or the PostgreSQL address without password."""
        self._held_locks: dict[str, object] = {}
        try:
            with self._errors("open"):
                backend.check(_known())
                if isinstance(backend, SqliteBackend):
                    backend.prepare()
                migrate(backend, self.path)
        except BaseException:
            backend.close()
            raise

    @property
    def backend(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect.name

    @contextmanager
    def _errors(self, action: str) -> Iterator[None]:
        """The one place where the driver's errors become StoreError."""
        try:
            yield
        except self._db.foreign as exc:
            raise self._db.error(action, exc) from exc

    @property
    def connection(self) -> Any:
        """The driver's connection (``sqlite3.Connection`` or ``psycopg.Connection``), in
        autocommit mode; write inside :meth:`transaction`."""
        return self._db.raw

    @property
    def _conn(self) -> Backend:
        return self._db

    @contextmanager
    def transaction(self) -> Iterator[Backend]:
        """One write transaction: committed at the end, rolled back on error. One writer at a
        time (SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: an advisory lock).

        Nested use joins the outer transaction. Driver errors inside become StoreError.
        """
        db = self._db
        if db.in_transaction:
            with self._errors("write"):
                yield db
            return
        with self._errors("write"):
            db.begin()
            try:
                yield db
            except BaseException:
                if db.in_transaction:
                    db.rollback()
                raise
            db.commit()

    def close(self) -> None:
        """Close the connection (and release any lock still held)."""
        for name, held in list(self._held_locks.items()):
            self._db.unlock(name, held)
        self._held_locks.clear()
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @contextmanager
    def lock(self, name: str = "scheduler") -> Iterator[None]:
        """Hold the named lock for the block, or raise StoreError if anyone holds it.

        Non-blocking and across processes and machines; released by the system if the process
        dies. SQLite: an exclusive lock on a file beside the store (``<store>.<name>.lock``);
        PostgreSQL: a session advisory lock.
        """
        if not _LOCK_NAME.match(name):
            raise ValueError(f"lock name {name!r}: use letters, digits, '-' and '_'")
        busy = StoreError(f"{name} already running (lock {name!r} of store {self.path} is held)")
        if name in self._held_locks:
            raise busy
        with self._errors(f"take lock {name!r}"):
            handle = self._db.try_lock(name)
        if handle is None:
            raise busy
        self._held_locks[name] = handle
        try:
            yield
        finally:
            self._held_locks.pop(name, None)
            with self._errors(f"release lock {name!r}"):
                self._db.unlock(name, handle)


def _known() -> int:
    from fundmatch.store import schema

    return len(schema.MIGRATIONS)

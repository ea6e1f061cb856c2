"""What the store needs from a database: the few operations both backends provide.

:mod:`fundmatch.store.sqlite` and :mod:`fundmatch.store.postgres` implement them; the rest of the
store writes its SQL once, in SQLite's spelling, and runs it through :class:`Backend`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from fundmatch.errors import StoreError
from fundmatch.store.dialect import Dialect

__all__ = ["Backend", "Cursor", "Params"]

Params = Sequence[Any]


class Cursor(Protocol):
    """The rows of one statement (a sqlite3 or psycopg cursor)."""

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Backend:
    """One open database connection, in autocommit mode outside :meth:`begin`."""

    dialect: Dialect
    where: str
    """How messages name the store: ``store /path/to/file`` or ``store postgresql://u@host/db``
    (never a password)."""
    raw: Any
    """The driver's connection (``sqlite3.Connection`` or ``psycopg.Connection``)."""
    foreign: tuple[type[Exception], ...]
    """The driver's errors: :meth:`error` turns them into StoreError."""

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        """Run one statement written in SQLite's spelling."""
        return self._execute(self.dialect.sql(sql), params)  # type: ignore[no-any-return]

    def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for each row of parameters."""
        self._executemany(self.dialect.sql(sql), rows)

    def _execute(self, sql: str, params: Params) -> Any:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: Iterable[Params]) -> None:
        raise NotImplementedError

    @property
    def in_transaction(self) -> bool:
        raise NotImplementedError

    def begin(self) -> None:
        """Start a write transaction; only one store connection writes at a time."""
        raise NotImplementedError

    def commit(self) -> None:
        self.raw.execute("COMMIT")

    def rollback(self) -> None:
        self.raw.execute("ROLLBACK")

    def schema_version(self) -> int:
        """How many schema steps the database has (0: none, a new database)."""
        raise NotImplementedError

    def set_schema_version(self, number: int) -> None:
        """Record that step ``number`` is done (inside its transaction)."""
        raise NotImplementedError

    def check(self, known: int) -> None:
        """Refuse a foreign or too new database before writing anything."""
        raise NotImplementedError

    def try_lock(self, name: str) -> object | None:
        """Take the named lock if nobody holds it: a handle for :meth:`unlock`, or None."""
        raise NotImplementedError

    def unlock(self, name: str, handle: object) -> None:
        raise NotImplementedError

    def error(self, action: str, exc: Exception) -> StoreError:
        """The StoreError that says what went wrong, for one of :attr:`foreign`."""
        raise NotImplementedError

    def close(self) -> None:
        self.raw.close()

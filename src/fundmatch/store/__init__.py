"""The store: calls with their versions, changes and provenance, each source's state, and the
digest outbox, in an SQLite file (the default) or a PostgreSQL database. The only package that
speaks SQL and imports ``sqlite3`` or ``psycopg``.

- :mod:`~fundmatch.store.connection`: open an address, transactions, locks, error mapping
- :mod:`~fundmatch.store.backend`: what the store needs from a database
- :mod:`~fundmatch.store.sqlite`, :mod:`~fundmatch.store.postgres`: the two backends
- :mod:`~fundmatch.store.dialect`: the few spellings that differ between them
- :mod:`~fundmatch.store.schema`: every migration, written once for both
- :mod:`~fundmatch.store.identity`: whether two calls are the same one (pure)
- :mod:`~fundmatch.store.upsert`: writing a source's listing
- :mod:`~fundmatch.store.queries`: reading calls, changes, source states
- :mod:`~fundmatch.store.outbox`: the digest outbox tables
"""

from __future__ import annotations

from fundmatch.store.connection import beside, default_address, default_path
from fundmatch.store.outbox import Outbox
from fundmatch.store.queries import Queries
from fundmatch.store.records import OutboxMessage, Provenance, SourceState, StoredCall
from fundmatch.store.schema import MIGRATIONS, Migration
from fundmatch.store.upsert import Writes

__all__ = [
    "MIGRATIONS",
    "Migration",
    "OutboxMessage",
    "Provenance",
    "SourceState",
    "Store",
    "StoredCall",
    "beside",
    "default_address",
    "default_path",
]


class Store(Writes, Queries, Outbox):
    """Calls with versions, changes, provenance, source state and the digest outbox.

    ``Store(address)`` opens (or creates) the store and brings its schema up to date. The
    address is an SQLite file (a path, or ``sqlite:///path``), ``":memory:"`` for a throw-away
    store, or a PostgreSQL database (``postgresql://user@host/db``, with the ``postgres``
    extra); ``Store()`` uses :func:`default_address` (``$FUNDMATCH_DB``, else a file in the
    user data folder). ``timeout`` is how many seconds to wait for another process's write
    before giving up.
    """

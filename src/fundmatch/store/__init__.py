"""The SQLite store: calls with their versions, changes and provenance, each source's state,
and the digest outbox. The only package that imports ``sqlite3``.

- :mod:`~fundmatch.store.connection`: open, transactions, locks, the sqlite3 → StoreError mapping
- :mod:`~fundmatch.store.schema`: every migration
- :mod:`~fundmatch.store.identity`: whether two calls are the same one (pure)
- :mod:`~fundmatch.store.upsert`: writing a source's listing
- :mod:`~fundmatch.store.queries`: reading calls, changes, source states
- :mod:`~fundmatch.store.outbox`: the digest outbox tables
"""

from __future__ import annotations

from fundmatch.store.connection import default_path
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
    "default_path",
]


class Store(Writes, Queries, Outbox):
    """Calls in SQLite, with versions, changes, provenance, source state and the digest outbox.

    ``Store(path)`` opens (or creates) the file and brings its schema up to date;
    ``Store()`` uses :func:`default_path`; ``Store(":memory:")`` is a throw-away store.
    ``timeout`` is how many seconds to wait for another process's write before giving up.
    """

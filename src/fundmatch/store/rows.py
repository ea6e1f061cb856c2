"""Values as the store keeps them in rows: timestamps, hashes, compressed versions.

Pure helpers shared by the store's modules (no SQL here).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime
from typing import Any

from fundmatch.models import Call


def ts(moment: datetime) -> str:
    """A sortable UTC text for an aware datetime."""
    if moment.utcoffset() is None:
        raise ValueError("the store needs time-zone aware datetimes (got a naive one)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def dt(value: str | datetime | None) -> datetime | None:
    """The datetime of a stored timestamp (SQLite: text, PostgreSQL: timestamptz), in UTC;
    None for NULL."""
    return None if value is None else must_dt(value)


def must_dt(value: str | datetime) -> datetime:
    """The datetime of a stored timestamp that is never NULL, in UTC."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.astimezone(UTC)


def stamp(value: str | datetime) -> str:
    """A stored timestamp as SQLite keeps it (:func:`ts`'s text), whichever database read it."""
    return ts(value) if isinstance(value, datetime) else value


def loads(value: str | bytes | Any) -> Any:
    """A stored JSON value (SQLite: text; PostgreSQL ``jsonb``: already decoded)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def text_hash(text: str) -> str:
    """The hash kept beside a call's JSON: unchanged calls are skipped on it."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def pack(text: str) -> bytes:
    """A version's JSON as kept in ``versions.json``: zlib-compressed UTF-8 (a BLOB)."""
    return zlib.compress(text.encode("utf-8"), 1)


def unpack(value: str | bytes) -> str:
    """The JSON of a stored version (older rows hold plain text)."""
    return zlib.decompress(value).decode("utf-8") if isinstance(value, bytes) else value


def search_text(call: Call) -> str:
    """The casefolded text ``Store.calls(text=...)`` searches in."""
    parts = [call.id, call.title, call.description, call.programme, call.call_id, call.topic_id]
    parts += [*call.keywords, *call.tags]
    return " ".join(p for p in parts if p).casefold()

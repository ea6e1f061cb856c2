"""Values as the store keeps them in rows: timestamps, hashes, compressed versions.

Pure helpers shared by the store's modules (no SQL here).
"""

from __future__ import annotations

import hashlib
import zlib
from datetime import UTC, datetime

from fundmatch.models import Call


def ts(moment: datetime) -> str:
    """A sortable UTC text for an aware datetime."""
    if moment.utcoffset() is None:
        raise ValueError("the store needs time-zone aware datetimes (got a naive one)")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def dt(text: str | None) -> datetime | None:
    """The datetime of a stored timestamp, None for NULL."""
    return None if text is None else datetime.fromisoformat(text)


def must_dt(text: str) -> datetime:
    """The datetime of a stored timestamp that is never NULL."""
    return datetime.fromisoformat(text)


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

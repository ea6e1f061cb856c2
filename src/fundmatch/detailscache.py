"""A cache of the Portal topicDetails documents already fetched, one entry per topic.

Each entry keeps the document's bytes, its validators (ETag, Last-Modified) for a conditional
GET, and the fingerprint of the topic's search facts when it was fetched: while those facts
stay the same, the topic is not fetched again. :class:`MemoryDetailsCache` lives as long as
the process; :class:`DirectoryDetailsCache` keeps one small JSON file per topic in a folder
(by default beside the store, see :func:`fundmatch.update.update`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

__all__ = ["CachedDetails", "DetailsCache", "DirectoryDetailsCache", "MemoryDetailsCache"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedDetails:
    """One topic's topicDetails document as last fetched."""

    fingerprint: str
    """Hash of the topic's search facts when the document was fetched."""
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


class DetailsCache(Protocol):
    """Where fetched topicDetails documents are kept between updates."""

    def get(self, topic: str) -> CachedDetails | None: ...

    def put(self, topic: str, entry: CachedDetails) -> None: ...


class MemoryDetailsCache:
    """A cache that lives as long as the object (thread-safe)."""

    def __init__(self) -> None:
        self._entries: dict[str, CachedDetails] = {}
        self._lock = threading.Lock()

    def get(self, topic: str) -> CachedDetails | None:
        with self._lock:
            return self._entries.get(topic)

    def put(self, topic: str, entry: CachedDetails) -> None:
        with self._lock:
            self._entries[topic] = entry

    def __len__(self) -> int:
        return len(self._entries)


class DirectoryDetailsCache:
    """One JSON file per topic in ``path`` (created when first written).

    A file that cannot be read is a miss (the topic is fetched again); one that cannot be
    written is logged and skipped: the cache never fails an update.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _file(self, topic: str) -> Path:
        return self.path / f"{hashlib.sha256(topic.encode()).hexdigest()[:32]}.json"

    def get(self, topic: str) -> CachedDetails | None:
        try:
            data = json.loads(self._file(topic).read_text(encoding="utf-8"))
            if data.get("topic") != topic:
                return None
            return CachedDetails(
                fingerprint=str(data["fingerprint"]),
                body=base64.b64decode(data["body"]),
                etag=data.get("etag"),
                last_modified=data.get("last_modified"),
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.warning("topic details cache: %s unreadable (%s); fetched again", topic, exc)
            return None

    def put(self, topic: str, entry: CachedDetails) -> None:
        record = asdict(entry) | {
            "topic": topic,
            "body": base64.b64encode(entry.body).decode("ascii"),
        }
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(record, out)
            Path(temporary).replace(self._file(topic))
        except OSError as exc:
            logger.warning("topic details cache: %s not written (%s)", topic, exc)

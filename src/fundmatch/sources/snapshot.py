"""The bundled offline snapshot of real calls (``calls/snapshot/calls.jsonl.gz``).

Built by ``scripts/build_snapshot.py`` from Funding & Tenders Portal data and hand-transcribed
Interreg calls; see ``calls/snapshot/README.md`` for provenance. The hand-transcribed calls are
read again from their files when the bundled snapshot is loaded (:data:`TRANSCRIBED_FILES`),
so a correction to them needs no rebuild. It ships inside the wheel,
with ``snapshot.json`` (:class:`SnapshotInfo`: the data's own date), so that whoever falls
back to it can say how old it is (:func:`snapshot_age`).
"""

from __future__ import annotations

import functools
import gzip
import json
import zlib
from datetime import date, datetime
from pathlib import Path

from pydantic import ValidationError

from fundmatch.errors import ConfigError
from fundmatch.models import Call, FundmatchModel
from fundmatch.sources.registry import calls_path
from fundmatch.sources.transcribed import load_transcribed

__all__ = [
    "SNAPSHOT_FILE",
    "SNAPSHOT_INFO_FILE",
    "SNAPSHOT_SOURCE",
    "TRANSCRIBED_FILES",
    "SnapshotInfo",
    "dump_snapshot",
    "dump_snapshot_info",
    "load_snapshot",
    "snapshot_age",
    "snapshot_info",
]

SNAPSHOT_FILE = "snapshot/calls.jsonl.gz"
SNAPSHOT_INFO_FILE = "snapshot/snapshot.json"
SNAPSHOT_SOURCE = "snapshot"
"""The source name the snapshot's calls carry."""
TRANSCRIBED_FILES = ("snapshot/curated.toml", "snapshot/interreg.toml")
"""The bundled transcribed-calls files (a later file wins an id): their calls replace the
bundled snapshot's calls of the same id when it is loaded."""


def load_snapshot(path: str | Path | None = None) -> list[Call]:
    """The calls of the bundled offline snapshot (or of a snapshot file at ``path``).

    One JSON object per line, each a :class:`Call`. Raises ConfigError naming the line when
    the file is damaged. The bundled snapshot's hand-transcribed calls are read from their
    files (:data:`TRANSCRIBED_FILES`), in place of the snapshot's copy of the same id.
    """
    bundled = path is None
    path = calls_path(SNAPSHOT_FILE) if path is None else Path(path)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            text = lines.read()
    except FileNotFoundError as exc:
        raise ConfigError("snapshot file not found", path=path) from exc
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the snapshot: {exc}", path=path) from exc
    calls: list[Call] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            calls.append(Call.model_validate_json(line))
        except ValidationError as exc:
            raise ConfigError(
                f"not a valid call: {exc.errors()[0]['msg']}", path=path, line=number
            ) from exc
    return _with_transcribed(calls) if bundled else calls


def _with_transcribed(calls: list[Call]) -> list[Call]:
    """``calls`` with each bundled transcribed call in place of the one of its id (in place,
    so the order stays), the others added at the end."""
    transcribed = dict(_bundled_transcribed())
    merged = [transcribed.pop(call.id, call) for call in calls]
    return merged + list(transcribed.values())


@functools.cache
def _bundled_transcribed() -> dict[str, Call]:
    """The bundled transcribed calls by id, read once per process (they ship with the code)."""
    transcribed: dict[str, Call] = {}
    for name in TRANSCRIBED_FILES:
        for call in load_transcribed(calls_path(name), source=SNAPSHOT_SOURCE):
            transcribed[call.id] = call
    return transcribed


def dump_snapshot(calls: list[Call], path: str | Path) -> None:
    """Write ``calls`` as a snapshot file (gzip JSON lines, sorted by id, reproducible bytes)."""
    lines = [
        json.dumps(
            call.model_dump(mode="json", exclude_defaults=True), ensure_ascii=False, sort_keys=True
        )
        for call in sorted(calls, key=lambda c: c.id)
    ]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with (
        Path(path).open("wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as out,
    ):
        out.write(data)


class SnapshotInfo(FundmatchModel):
    """What the bundled snapshot is: the date of its data and how many calls it holds."""

    data_date: date
    """The day the data was taken (the Portal listing's own date, not the build's)."""
    calls: int
    """How many calls the snapshot holds."""
    note: str = ""
    """What the data is."""


def snapshot_info(path: str | Path | None = None) -> SnapshotInfo:
    """The bundled snapshot's :class:`SnapshotInfo` (or the one at ``path``).

    Raises ConfigError when the file is missing or damaged.
    """
    path = calls_path(SNAPSHOT_INFO_FILE) if path is None else Path(path)
    try:
        return SnapshotInfo.model_validate_json(Path(path).read_bytes())
    except FileNotFoundError as exc:
        raise ConfigError("snapshot information not found", path=path) from exc
    except (OSError, ValidationError) as exc:
        raise ConfigError(f"cannot read the snapshot information: {exc}", path=path) from exc


def dump_snapshot_info(info: SnapshotInfo, path: str | Path) -> None:
    """Write ``info`` as JSON (sorted keys, reproducible bytes)."""
    data = json.dumps(info.model_dump(mode="json"), ensure_ascii=False, sort_keys=True, indent=1)
    Path(path).write_text(data + "\n", encoding="utf-8")


def snapshot_age(data_date: date, now: datetime) -> str:
    """One line saying the bundled snapshot's date and age at ``now``.

    ``snapshot_age(date(2026, 8, 22), now)`` on 27 November 2026 is
    "bundled snapshot of 22 Aug 2026, 97 days old; run `fundmatch update`".
    """
    if now.utcoffset() is None:
        raise ValueError("now must carry a time zone (got a naive datetime)")
    days = (now.date() - data_date).days
    if days <= 0:
        age = "from today" if days == 0 else "dated after now"
    else:
        age = f"{days} day{'s' if days != 1 else ''} old"
    return f"bundled snapshot of {data_date.day} {data_date:%b %Y}, {age}; run `fundmatch update`"

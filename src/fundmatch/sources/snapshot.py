"""The bundled offline snapshot of real calls (``calls/snapshot/calls.jsonl.gz``).

Built by ``scripts/build_snapshot.py`` from Funding & Tenders Portal data and a few curated
Interreg calls; see ``calls/snapshot/README.md`` for provenance. It ships inside the wheel.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

from pydantic import ValidationError

from fundmatch.errors import ConfigError
from fundmatch.models import Call
from fundmatch.sources.registry import calls_path

__all__ = ["SNAPSHOT_FILE", "SNAPSHOT_SOURCE", "dump_snapshot", "load_snapshot"]

SNAPSHOT_FILE = "snapshot/calls.jsonl.gz"
SNAPSHOT_SOURCE = "snapshot"
"""The source name the snapshot's calls carry."""


def load_snapshot(path: str | Path | None = None) -> list[Call]:
    """The calls of the bundled offline snapshot (or of a snapshot file at ``path``).

    One JSON object per line, each a :class:`Call`. Raises ConfigError naming the line when
    the file is damaged.
    """
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
    return calls


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

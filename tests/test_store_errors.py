"""Store failures: locked, read-only, full and corrupt files give a StoreError and lose nothing."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import fundmatch as fm

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LATER = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def calls(n: int, prefix: str = "C", text: str = "") -> list[fm.Call]:
    return [fm.Call(id=f"{prefix}-{i}", title=f"Call {i}", description=text) for i in range(n)]


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        result: str = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return result


def stored_ids(path: Path) -> list[str]:
    with fm.Store(path) as store:
        return [c.id for c in store.calls(include_withdrawn=True)]


@pytest.fixture
def path(tmp_path: Path) -> Iterator[Path]:
    """A store holding C-0 .. C-9, closed again."""
    db = tmp_path / "fundmatch.sqlite"
    with fm.Store(db) as store:
        store.upsert(calls(10), source="portal", now=NOW)
    yield db


def test_a_locked_store_gives_a_clear_error_and_keeps_its_data(path: Path) -> None:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        with (
            fm.Store(path, timeout=0.05) as store,
            pytest.raises(fm.StoreError, match="locked by another process"),
        ):
            store.upsert(calls(3, prefix="N"), source="feed", now=LATER)
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert integrity(path) == "ok"
    assert len(stored_ids(path)) == 10


def test_a_read_only_connection_gives_a_clear_error(path: Path) -> None:
    with fm.Store(path) as store:
        store.connection.execute("PRAGMA query_only = ON")  # as on a read-only mount
        with pytest.raises(fm.StoreError, match="read-only"):
            store.upsert(calls(3, prefix="N"), source="feed", now=LATER)
        with pytest.raises(fm.StoreError, match="read-only"):
            store.record_failure("portal", now=LATER, error="timeout")

    assert integrity(path) == "ok"
    assert len(stored_ids(path)) == 10


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores modes")
def test_a_read_only_file_gives_a_clear_error(path: Path) -> None:
    for file in path.parent.iterdir():
        file.chmod(0o444)
    path.parent.chmod(0o555)
    try:
        with (
            pytest.raises(fm.StoreError, match=r"read-only|cannot open"),
            fm.Store(path) as store,
        ):
            store.upsert(calls(3, prefix="N"), source="feed", now=LATER)
    finally:
        path.parent.chmod(0o755)
        for file in path.parent.iterdir():
            file.chmod(0o644)
    assert len(stored_ids(path)) == 10


def test_a_full_disk_gives_a_clear_error_and_rolls_back(path: Path) -> None:
    with fm.Store(path) as store:
        pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
        store.connection.execute(f"PRAGMA max_page_count = {pages + 4}")
        big = calls(200, prefix="BIG", text="x" * 4000)

        with pytest.raises(fm.StoreError, match="full"):
            store.upsert(big, source="feed", now=LATER)
        with pytest.raises(fm.StoreError, match="full"):
            store.upsert(calls(10) + big, source="portal", now=LATER, etag='"v2"')

        # nothing of the failed updates is there (not even the ETag), and the store still works
        assert len(store.calls()) == 10
        assert store.source_state("feed") is None
        portal = store.source_state("portal")
        assert portal is not None
        assert (portal.etag, portal.last_success) == (None, NOW)
        store.connection.execute("PRAGMA max_page_count = 1073741823")
        assert len(store.upsert(big, source="feed", now=LATER)) == 200

    assert integrity(path) == "ok"


def test_a_corrupt_file_is_refused_and_never_recreated(path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    shutil.copyfile(path, broken)
    with broken.open("r+b") as stream:
        stream.write(b"this is not an SQLite header at all")
    before = broken.read_bytes()

    with pytest.raises(fm.StoreError, match="corrupt or not an SQLite file"):
        fm.Store(broken)

    assert broken.read_bytes() == before
    assert integrity(path) == "ok"  # the original is untouched


def test_garbage_inside_the_file_is_reported_on_read(path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.sqlite"
    shutil.copyfile(path, broken)
    with sqlite3.connect(broken) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with broken.open("r+b") as stream:
        for page in range(1, pages):  # every page but the header page
            stream.seek(page * page_size)
            stream.write(b"\xff" * page_size)
    before = broken.read_bytes()

    with pytest.raises(fm.StoreError, match="corrupt"), fm.Store(broken) as store:
        store.calls()

    assert broken.read_bytes() == before


def test_a_text_file_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n" * 200, encoding="utf-8")

    with pytest.raises(fm.StoreError, match="corrupt or not an SQLite file"):
        fm.Store(notes)
    assert notes.read_text(encoding="utf-8") == "shopping list\n" * 200


def test_a_missing_folder_gives_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(fm.StoreError, match="cannot open"):
        fm.Store(tmp_path / "no" / "such" / "folder" / "fundmatch.sqlite")


def test_errors_are_chained_from_sqlite(path: Path) -> None:
    with fm.Store(path) as store:
        store.connection.execute("PRAGMA query_only = ON")
        with pytest.raises(fm.StoreError) as info:
            store.upsert(calls(1, prefix="N"), source="feed", now=LATER)
    assert isinstance(info.value.__cause__, sqlite3.Error)

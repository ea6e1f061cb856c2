"""A database error during a digest run (a locked or a corrupt store) ends as one clear line on
stderr and exit status 1: never a traceback, never a raw sqlite3 error."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import fundmatch as fm
from fundmatch.cli import main
from fundmatch.store.connection import Connection
from support.smtp_server import free_port

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)

CONFIG = """
[[subscription]]
name = "open-data"
recipients = ["alice@example.org"]
min_score = 1
[subscription.profile]
name = "Open data SME"
description = "SME publishing open data for smart cities"
keywords = ["open data"]
"""


@pytest.fixture
def world(tmp_path: Path) -> Path:
    """A store with one call that fits the subscription, and the subscriptions file."""
    call = fm.Call(
        id="OD-1",
        title="Open data platforms for smart cities",
        description="Cities publish open data.",
        deadlines=(fm.Deadline(at=NOW + timedelta(days=60)),),
    )
    with fm.Store(tmp_path / "store.sqlite") as store:
        store.upsert([call], source="feed", now=NOW - timedelta(hours=1))
    (tmp_path / "digest.toml").write_text(CONFIG)
    return tmp_path


def digest_args(world: Path) -> list[str]:
    return [
        "digest",
        "--config",
        str(world / "digest.toml"),
        "--send",
        "--no-update",
        "--db",
        str(world / "store.sqlite"),
        "--now",
        NOW.isoformat(),
    ]


def corrupt(path: Path) -> None:
    """Garbage on every page but the header page: the file opens, every read fails."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    with path.open("r+b") as stream:
        for page in range(1, pages):
            stream.seek(page * page_size)
            stream.write(b"\xff" * page_size)


def test_a_locked_store_during_a_digest_run_is_one_line_and_exit_1(
    world: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(Connection.__init__.__kwdefaults__, "timeout", 0.05)  # type: ignore[index]
    monkeypatch.setenv("FUNDMATCH_MAIL_FROM", "digest@example.org")
    monkeypatch.setenv("FUNDMATCH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("FUNDMATCH_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("FUNDMATCH_SMTP_SECURITY", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)
    other = sqlite3.connect(world / "store.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing: the run cannot queue
    try:
        code = main(digest_args(world))
    finally:
        other.execute("ROLLBACK")
        other.close()

    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("fundmatch: error: store ")
    assert "locked by another process" in err
    with fm.Store(world / "store.sqlite") as store:
        assert store.outbox_messages() == []


@pytest.mark.slow
def test_a_corrupt_store_during_a_digest_run_is_one_line_and_exit_1(world: Path) -> None:
    corrupt(world / "store.sqlite")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FUNDMATCH_")}
    env.update(
        FUNDMATCH_MAIL_FROM="digest@example.org",
        FUNDMATCH_SMTP_HOST="127.0.0.1",
        FUNDMATCH_SMTP_PORT=str(free_port()),
        FUNDMATCH_SMTP_SECURITY="none",
    )
    run = subprocess.run(
        [sys.executable, "-m", "fundmatch", *digest_args(world)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=world,
    )

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert run.stderr.count("\n") == 1, run.stderr
    assert run.stderr.startswith("fundmatch: error: store ")
    assert "corrupt" in run.stderr


def test_the_digest_run_turns_sqlite_errors_into_store_errors(world: Path) -> None:
    subscriptions = fm.load_subscriptions(world / "digest.toml")
    with fm.Store(world / "store.sqlite") as store:
        with sqlite3.connect(world / "store.sqlite") as other:
            other.execute("DROP TABLE digest_state")  # a damaged store, found mid-run
        with pytest.raises(fm.StoreError, match="digest_state") as raised:
            fm.run_digests(
                store,
                subscriptions,
                fm.FileMailer(world / "out"),
                sender="digest@example.org",
                now=NOW,
            )
    assert isinstance(raised.value.__cause__, sqlite3.Error)

"""Processes on one store, on each backend: concurrent updates lose nothing and record each
change once; the scheduler lock is exclusive; concurrent digest runs send each message once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fundmatch as fm
from support.digest_workers import digest_world, run_workers

pytestmark = pytest.mark.slow

# Each writer updates its own source 20 times with a growing listing, as two update runs would.
WRITER = """
import sys
from datetime import UTC, datetime, timedelta
import fundmatch as fm

path, source = sys.argv[1], sys.argv[2]
start = datetime(2026, 3, 1, tzinfo=UTC)
with fm.Store(path) as store:
    for run in range(20):
        listing = [
            fm.Call(id=f"{source}-{i}", title=f"{source} call {i}", description=f"run {run}")
            for i in range(10 * (run + 1))
        ]
        store.upsert(listing, source=source, now=start + timedelta(hours=run))
"""

# One update of one source, the same listing as another process's, released by a start file.
SAME_LISTING = """
import sys, time
from datetime import UTC, datetime
from pathlib import Path
import fundmatch as fm

path, go, version = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
listing = [fm.Call(id=f"S-{i}", title=f"call {i}", description=version) for i in range(500)]
with fm.Store(path) as store:
    while not go.exists():
        time.sleep(0.005)
    store.upsert(listing, source="portal", now=datetime(2026, 3, int(version), tzinfo=UTC))
"""

# Holds the scheduler lock until the file named by argv[2] appears.
HOLDER = """
import sys, time
from pathlib import Path
import fundmatch as fm

path, release, ready = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
with fm.Store(path) as store, store.lock("scheduler"):
    ready.touch()
    while not release.exists():
        time.sleep(0.02)
"""


# One big update, killed part-way by the test.
BIG_WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
import fundmatch as fm

path, started = sys.argv[1], Path(sys.argv[2])
listing = [fm.Call(id=f"K-{i}", title=f"call {i}", description="x" * 2000) for i in range(20000)]
with fm.Store(path) as store:
    started.touch()
    store.upsert(listing, source="big", now=datetime(2026, 3, 1, tzinfo=UTC), etag='"e1"')
"""


def spawn(script: str, *args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)])


def wait_for(file: Path, process: subprocess.Popen[bytes]) -> None:
    for _ in range(1000):
        if file.exists():
            return
        assert process.poll() is None, "the lock holder died"
        time.sleep(0.01)
    raise AssertionError(f"{file} never appeared")


def test_two_processes_updating_at_once_lose_nothing(store_address: str) -> None:
    path = store_address
    fm.Store(path).close()  # created once; both writers open the same store

    writers = [spawn(WRITER, path, "alpha"), spawn(WRITER, path, "beta")]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]

    with fm.Store(path) as store:
        ids = {c.id for c in store.calls()}
        changes = store.changes()
        states = {s.name: s.calls for s in store.source_states()}
    assert ids == {f"{s}-{i}" for s in ("alpha", "beta") for i in range(200)}
    new = [c for c in changes if c.kind == "new"]
    assert len(new) == 400
    # every run after the first changes the description of what was already listed
    changed = sum(1 for c in changes if c.kind == "changed")
    assert changed == 2 * sum(10 * run for run in range(1, 20))
    assert states == {"alpha": 200, "beta": 200}
    if path.endswith(".sqlite"):
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_two_updates_of_one_source_at_once_record_each_change_once(
    store_address: str, tmp_path: Path
) -> None:
    fm.Store(store_address).close()
    for version in ("1", "2"):  # every call new, then every call's description changed
        go = tmp_path / f"go-{version}"
        writers = [spawn(SAME_LISTING, store_address, go, version) for _ in range(2)]
        go.touch()
        assert [w.wait(timeout=120) for w in writers] == [0, 0]

    with fm.Store(store_address) as store:
        changes = store.changes()
    kinds: dict[str, list[str]] = {}
    for change in changes:
        kinds.setdefault(change.call_id, []).append(change.kind)
    assert len(kinds) == 500
    assert set(map(tuple, kinds.values())) == {("new", "changed")}


def test_two_processes_creating_the_store_at_once(store_address: str) -> None:
    path = store_address

    writers = [spawn(WRITER, path, "alpha"), spawn(WRITER, path, "beta")]

    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with fm.Store(path) as store:
        assert len(store.calls()) == 400


def test_the_scheduler_lock_keeps_a_second_scheduler_out(
    tmp_path: Path, store_address: str
) -> None:
    path = store_address
    fm.Store(path).close()
    release, ready = tmp_path / "release", tmp_path / "ready"
    holder = spawn(HOLDER, path, release, ready)
    try:
        wait_for(ready, holder)
        with fm.Store(path) as store:
            with (
                pytest.raises(fm.StoreError, match="scheduler already running"),
                store.lock("scheduler"),
            ):
                pass
            with store.lock("other-job"):  # another name is another lock
                pass
    finally:
        release.touch()
        assert holder.wait(timeout=30) == 0

    with fm.Store(path) as store, store.lock("scheduler"):
        pass  # free again once the first scheduler finished


def test_a_killed_scheduler_releases_its_lock(tmp_path: Path, store_address: str) -> None:
    path = store_address
    fm.Store(path).close()
    ready = tmp_path / "ready"
    holder = spawn(HOLDER, path, tmp_path / "never", ready)
    wait_for(ready, holder)

    holder.kill()
    holder.wait(timeout=30)

    with fm.Store(path) as store, store.lock("scheduler"):
        pass


def test_the_lock_is_held_once_within_a_process(store_address: str) -> None:
    with fm.Store(store_address) as store, store.lock():
        with (
            fm.Store(store_address) as second,
            pytest.raises(fm.StoreError, match="already running"),
            second.lock(),
        ):
            pass
        with pytest.raises(fm.StoreError, match="already running"), store.lock():
            pass
    with fm.Store(store_address) as again, again.lock():
        pass  # released at the end of the with block


def test_a_process_killed_mid_update_leaves_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "fundmatch.sqlite"
    fm.Store(path).close()
    started = tmp_path / "started"
    writer = spawn(BIG_WRITER, path, started)
    wait_for(started, writer)
    wal = Path(f"{path}-wal")
    for _ in range(3000):  # until the update has written pages (it spills them to the WAL)
        if (wal.exists() and wal.stat().st_size > 4_000_000) or writer.poll() is not None:
            break
        time.sleep(0.01)

    writer.kill()
    writer.wait(timeout=30)

    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with fm.Store(path) as store:
        count = len(store.calls())
        state = store.source_state("big")
    assert count in (0, 20000)
    # the ETag is there exactly when the calls it covers are
    assert (state is not None and state.etag == '"e1"') == (count == 20000)


def test_two_digest_runs_at_once_with_smtp_faults_send_each_message_once(
    store_address: str,
) -> None:
    digest_world(store_address)

    tally = run_workers(store_address, workers=2, subscriptions=6, defer_every=3)

    assert tally.queued == 6 and tally.deferred > 0  # every third DATA was answered 451
    assert (tally.twice, tally.lost) == (0, 0)
    assert tally.received == 6

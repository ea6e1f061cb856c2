"""Several digest workers (separate processes, as on separate machines) against one store and
one loopback SMTP server that defers some messages; then count what was sent twice or lost.

Used by ``tests/test_store_concurrency.py`` and ``benchmarks/bench_store.py``.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import fundmatch as fm
from support.smtp_server import Behaviour, SmtpServer

__all__ = ["START", "Tally", "digest_world", "run_workers"]

START = datetime(2026, 9, 1, 6, 0, tzinfo=UTC)

# One worker: digest runs every simulated 20 minutes (so deferred messages come due again),
# stepping aside while another worker holds the digest lock, until the outbox is all sent.
WORKER = """
import sys, time
from datetime import datetime, timedelta
import fundmatch as fm
from fundmatch.mail import SmtpMailer, SmtpSettings

address, port, start, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
start = datetime.fromisoformat(start)
subscriptions = fm.Subscriptions(subscription=tuple(
    fm.Subscription(name=f"s{i}", profile=fm.Profile(name=f"P{i}"),
                    recipients=[f"r{i}@example.org"], max_items=100)
    for i in range(count)
))
mailer = SmtpMailer(SmtpSettings(host="127.0.0.1", port=port, security="none"))
with fm.Store(address) as store:
    def everything(profile, now):
        return [fm.Match(call=c, score=50) for c in store.calls()]
    for step in range(400):
        now = start + timedelta(minutes=20 * step)
        try:
            fm.run_digests(store, subscriptions, mailer, sender="d@example.org", now=now,
                           ranker=everything)
        except fm.StoreError as exc:
            if "already running" not in str(exc):
                raise
            time.sleep(0.01)
            continue
        left = [m for m in store.outbox_messages() if m.state != "sent"]
        if store.outbox_messages() and not left:
            break
    else:
        sys.exit("the outbox never emptied")
"""


@dataclass(frozen=True)
class Tally:
    """What the workers did: messages in the outbox, received, sent twice, lost."""

    queued: int
    received: int
    twice: int
    lost: int
    deferred: int


def digest_world(address: str, calls: int = 3) -> None:
    """A store holding a few new calls, first seen just before :data:`START`."""
    listing = [
        fm.Call(id=f"C-{i}", title=f"Open data call {i}", description="open data for cities")
        for i in range(calls)
    ]
    with fm.Store(address) as store:
        store.upsert(listing, source="feed", now=START - timedelta(hours=1))


def run_workers(address: str, *, workers: int, subscriptions: int, defer_every: int) -> Tally:
    """Start ``workers`` digest processes at once and count the outcome."""
    behaviour = Behaviour(defer_every=defer_every)
    with SmtpServer(behaviour) as server:
        args = [address, str(server.port), START.isoformat(), str(subscriptions)]
        processes = [
            subprocess.Popen([sys.executable, "-c", WORKER, *args]) for _ in range(workers)
        ]
        codes = [p.wait(timeout=600) for p in processes]
        received = [str(m["Message-ID"]) for m in server.received]
        deferred = server.recorder.data_count - len(received)
    if codes != [0] * workers:
        raise RuntimeError(f"a digest worker failed: exit codes {codes}")
    with fm.Store(address) as store:
        queued = {m.message_id for m in store.outbox_messages()}
    seen = Counter(received)
    return Tally(
        queued=len(queued),
        received=len(received),
        twice=sum(1 for n in seen.values() if n > 1),
        lost=len(queued - set(seen)),
        deferred=deferred,
    )
